//! The command line, and the cargo command each task ends in.
//!
//! The rule: what follows `run` or `test` is what would follow the cargo
//! command it stands for.
//!
//! - `cargo xtask test ARGS` runs `cargo test ARGS`, word for word, so
//!   `cargo xtask test browser -- --nocapture` means what
//!   `cargo test browser -- --nocapture` means.
//! - `cargo xtask run ARGS` runs `cargo run --release -- ARGS`: ARGS are the
//!   server's command line and replace the default `serve`. A leading `--`
//!   is taken as `cargo run`'s own separator and dropped, so
//!   `cargo xtask run -- serve --addr 0.0.0.0:8080` and
//!   `cargo xtask run serve --addr 0.0.0.0:8080` are the same.

/// Which set of system packages a task needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Need {
    /// Building the server and running it with its defaults.
    Run,
    /// That, and everything the tests use.
    Test,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Task {
    /// Set up for `Need::Run`, then `cargo run --release -- ARGS`.
    Run(Vec<String>),
    /// Set up for `Need::Test`, then `cargo test ARGS`.
    Test(Vec<String>),
    /// Set up only; cargo is not run.
    Setup(Need),
    Help,
}

pub const USAGE: &str = "\
usage: cargo xtask run [ARGS...]    install what building and running the server need, then
                                    `cargo run --release -- ARGS` (ARGS default: serve)
       cargo xtask test [ARGS...]   install what the tests need, then `cargo test ARGS`
       cargo xtask setup run|test   only install (what `run` or `test` would)

A leading `--` after `run` is optional: `cargo xtask run -- serve --addr 0.0.0.0:8080`.
Words after `test` go to `cargo test` as they are: `cargo xtask test browser -- --nocapture`.
Installing uses apt-get (with sudo when not root) on Debian and Ubuntu; elsewhere the
packages needed are listed for you to install.";

/// Reads the arguments after `cargo xtask`.
pub fn parse(args: &[String]) -> Result<Task, String> {
    let Some((task, rest)) = args.split_first() else {
        return Err("no task given".into());
    };
    match task.as_str() {
        "run" => Ok(Task::Run(server_args(rest))),
        "test" => Ok(Task::Test(rest.to_vec())),
        "setup" => match rest {
            [need] if need == "run" => Ok(Task::Setup(Need::Run)),
            [need] if need == "test" => Ok(Task::Setup(Need::Test)),
            _ => Err("setup takes one word: run or test".into()),
        },
        "help" | "-h" | "--help" => Ok(Task::Help),
        other => Err(format!("unknown task `{other}`")),
    }
}

/// The server's command line: `serve` unless given, without a leading `--`.
fn server_args(rest: &[String]) -> Vec<String> {
    let rest = match rest.split_first() {
        Some((first, after)) if first == "--" => after,
        _ => rest,
    };
    if rest.is_empty() {
        vec!["serve".to_owned()]
    } else {
        rest.to_vec()
    }
}

/// What `cargo` is given for a task that ends in cargo.
pub fn cargo_args(task: &Task) -> Option<Vec<String>> {
    let (head, tail): (&[&str], &[String]) = match task {
        Task::Run(args) => (&["run", "--release", "--"], args),
        Task::Test(args) => (&["test"], args),
        Task::Setup(_) | Task::Help => return None,
    };
    let head = head.iter().map(|&w| w.to_owned());
    Some(head.chain(tail.iter().cloned()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_owned).collect()
    }

    fn cargo(line: &str) -> String {
        let task = parse(&words(line)).unwrap();
        cargo_args(&task).unwrap().join(" ")
    }

    #[test]
    fn run_serves_by_default() {
        assert_eq!(cargo("run"), "run --release -- serve");
        assert_eq!(cargo("run --"), "run --release -- serve");
    }

    #[test]
    fn run_arguments_replace_serve_with_or_without_a_separator() {
        let expected = "run --release -- serve --addr 0.0.0.0:8080";
        assert_eq!(cargo("run -- serve --addr 0.0.0.0:8080"), expected);
        assert_eq!(cargo("run serve --addr 0.0.0.0:8080"), expected);
        assert_eq!(
            cargo("run models install"),
            "run --release -- models install"
        );
        // Only the first `--` is cargo's; a second one is the server's.
        assert_eq!(cargo("run -- -- x"), "run --release -- -- x");
    }

    #[test]
    fn test_arguments_go_to_cargo_test_as_they_are() {
        assert_eq!(cargo("test"), "test");
        assert_eq!(cargo("test browser"), "test browser");
        assert_eq!(cargo("test -- --nocapture"), "test -- --nocapture");
        assert_eq!(
            cargo("test --release kill_9 -- --nocapture"),
            "test --release kill_9 -- --nocapture"
        );
    }

    #[test]
    fn setup_only_installs() {
        assert_eq!(parse(&words("setup run")), Ok(Task::Setup(Need::Run)));
        assert_eq!(parse(&words("setup test")), Ok(Task::Setup(Need::Test)));
        assert_eq!(cargo_args(&Task::Setup(Need::Test)), None);
    }

    #[test]
    fn anything_else_is_a_usage_error() {
        assert!(parse(&[]).is_err());
        assert!(parse(&words("setup")).is_err());
        assert!(parse(&words("setup all")).is_err());
        assert!(parse(&words("setup test extra")).is_err());
        assert!(parse(&words("serve")).is_err());
        assert_eq!(parse(&words("--help")), Ok(Task::Help));
    }
}
