//! External commands. Each one that installs, fetches or runs something is
//! printed before it runs, shell-style, so the user sees what happens to
//! their machine and can rerun it by hand; a failure names the command and
//! its exit status, and the exit code is passed on.
//!
//! Queries that only look (`dpkg-query`, `id -u`) are not printed: with
//! everything installed, `setup` prints one line.

use std::fmt;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

/// A command line as it is run and printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cmd {
    /// Variables set for this command only (`VAR=value cmd` when printed).
    pub env: Vec<(String, String)>,
    pub program: String,
    pub args: Vec<String>,
    /// Where it runs, relative to the workspace root (`None`: the root).
    pub dir: Option<String>,
}

impl Cmd {
    pub fn new(program: &str, args: &[&str]) -> Cmd {
        Cmd {
            env: Vec::new(),
            program: program.to_owned(),
            args: args.iter().map(|&a| a.to_owned()).collect(),
            dir: None,
        }
    }

    pub fn args<S: AsRef<str>>(mut self, args: &[S]) -> Cmd {
        self.args.extend(args.iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Cmd {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    pub fn in_dir(mut self, dir: &str) -> Cmd {
        self.dir = Some(dir.to_owned());
        self
    }

    fn command(&self, root: &Path) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args).current_dir(match &self.dir {
            Some(dir) => root.join(dir),
            None => root.to_owned(),
        });
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command
    }
}

/// Printed as a shell would run it: `(cd DIR && VAR=value program args)`.
impl fmt::Display for Cmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let words: Vec<String> = self
            .env
            .iter()
            .map(|(k, v)| format!("{k}={}", quote(v)))
            .chain(std::iter::once(quote(&self.program)))
            .chain(self.args.iter().map(|a| quote(a)))
            .collect();
        match &self.dir {
            Some(dir) => write!(f, "(cd {} && {})", quote(dir), words.join(" ")),
            None => f.write_str(&words.join(" ")),
        }
    }
}

/// Single quotes around a word the shell would otherwise split or expand.
fn quote(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Why xtask stops: the message for stderr and the exit code to leave with.
#[derive(Debug, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub code: i32,
}

impl Failure {
    pub fn new(message: impl Into<String>, code: i32) -> Failure {
        Failure {
            message: message.into(),
            code,
        }
    }
}

/// The code a shell would report: the exit code, or 128 + the signal that
/// killed it.
pub fn exit_code(status: ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return 128 + signal;
        }
    }
    1
}

fn could_not_start(cmd: &Cmd, error: &std::io::Error) -> Failure {
    // 127: what a shell reports for a command it cannot find.
    let code = if error.kind() == std::io::ErrorKind::NotFound {
        127
    } else {
        1
    };
    Failure::new(format!("could not run `{cmd}`: {error}"), code)
}

/// Prints `cmd`, runs it to the end with the terminal attached, and fails
/// with its exit status unless it succeeded.
pub fn run(cmd: &Cmd, root: &Path) -> Result<(), Failure> {
    eprintln!("+ {cmd}");
    let status = cmd
        .command(root)
        .status()
        .map_err(|e| could_not_start(cmd, &e))?;
    if status.success() {
        Ok(())
    } else {
        Err(Failure::new(
            format!("`{cmd}` failed ({status})"),
            exit_code(status),
        ))
    }
}

/// Runs a query quietly and returns its standard output, whatever its exit
/// status (`dpkg-query` exits 1 when it knows only some of the packages);
/// `None` when it could not run at all.
pub fn query(cmd: &Cmd, root: &Path) -> Option<String> {
    let output = cmd
        .command(root)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// Prints `cmd` and becomes it, so its exit code is ours and Ctrl-C reaches
/// it alone (the server shuts down cleanly, no xtask left waiting). Returns
/// only when it could not be started.
#[cfg(unix)]
pub fn exec(cmd: &Cmd, root: &Path) -> Failure {
    use std::os::unix::process::CommandExt;
    eprintln!("+ {cmd}");
    let error = cmd.command(root).exec();
    could_not_start(cmd, &error)
}

/// Without exec: runs `cmd` and exits with its code.
#[cfg(not(unix))]
pub fn exec(cmd: &Cmd, root: &Path) -> Failure {
    eprintln!("+ {cmd}");
    match cmd.command(root).status() {
        Ok(status) => std::process::exit(exit_code(status)),
        Err(error) => could_not_start(cmd, &error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_a_shell_command_line() {
        let cmd = Cmd::new("apt-get", &["install", "-y"])
            .args(&["cmake"])
            .env("DEBIAN_FRONTEND", "noninteractive");
        assert_eq!(
            cmd.to_string(),
            "DEBIAN_FRONTEND=noninteractive apt-get install -y cmake"
        );
        let npm = Cmd::new("npm", &["ci"]).in_dir("tests/browser");
        assert_eq!(npm.to_string(), "(cd tests/browser && npm ci)");
    }

    #[test]
    fn quotes_only_what_the_shell_would_mangle() {
        assert_eq!(quote("--only-binary=:all:"), "--only-binary=:all:");
        assert_eq!(
            quote("xllamacpp==2026.10.11549"),
            "xllamacpp==2026.10.11549"
        );
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("${Status}"), "'${Status}'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }

    #[cfg(unix)]
    #[test]
    fn a_failure_names_the_command_and_passes_its_code_on() {
        let root = std::env::temp_dir();
        let cmd = Cmd::new("sh", &["-c", "exit 7"]);
        let failure = run(&cmd, &root).unwrap_err();
        assert_eq!(failure.code, 7);
        assert!(
            failure.message.contains("`sh -c 'exit 7'` failed"),
            "{failure:?}"
        );
        assert!(failure.message.contains("7"), "{failure:?}");
        assert_eq!(run(&Cmd::new("true", &[]), &root), Ok(()));
    }

    #[test]
    fn a_missing_program_fails_as_a_shell_would() {
        let cmd = Cmd::new("xtask-no-such-program", &[]);
        let failure = run(&cmd, &std::env::temp_dir()).unwrap_err();
        assert_eq!(failure.code, 127);
        assert!(
            failure
                .message
                .contains("could not run `xtask-no-such-program`")
        );
    }
}
