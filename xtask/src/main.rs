//! `cargo xtask`: the two commands that set a fresh machine up and run
//! mockloop. `cargo xtask run` installs what building and running the
//! server need, then runs `cargo run --release -- serve`; `cargo xtask test`
//! installs what the tests need, then runs `cargo test`; `cargo xtask setup
//! run|test` only installs (CI uses it). See `args.rs` for the arguments.
//!
//! Why an xtask (matklad's pattern: a workspace member run through a cargo
//! alias, `.cargo/config.toml`), not a shell script or a build script:
//! - it needs nothing but cargo, which anyone building a Rust project has;
//! - it is pure Rust with no dependencies, so it builds before cmake and
//!   clang exist (the server's own build needs them, so it cannot install
//!   them);
//! - it is testable: the decisions are plain functions with unit tests.

mod apt;
mod args;
mod cmd;
mod fetch;
mod packages;
mod probe;
mod setup;

use std::path::{Path, PathBuf};

use args::Task;
use cmd::{Cmd, Failure};

fn main() {
    let code = match xtask() {
        Ok(()) => 0,
        Err(failure) => {
            eprintln!("xtask: {}", failure.message);
            failure.code
        }
    };
    std::process::exit(code);
}

fn xtask() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect::<Result<_, _>>()
        .map_err(|a| Failure::new(format!("not UTF-8: {a:?}"), 2))?;
    let task = args::parse(&args).map_err(|e| Failure::new(format!("{e}\n{}", args::USAGE), 2))?;
    let root = workspace_root();
    match &task {
        Task::Help => {
            println!("{}", args::USAGE);
            return Ok(());
        }
        Task::Setup(need) => return setup::setup(*need, &root),
        Task::Run(_) => setup::setup(args::Need::Run, &root)?,
        Task::Test(_) => setup::setup(args::Need::Test, &root)?,
    }
    let cargo_args = args::cargo_args(&task).expect("run and test end in cargo");
    Err(cmd::exec(&Cmd::new(&cargo(), &[]).args(&cargo_args), &root))
}

/// The repository root, whatever directory `cargo xtask` was run from.
fn workspace_root() -> PathBuf {
    let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
    xtask.parent().unwrap_or(xtask).to_owned()
}

/// The cargo that ran us (so `cargo +nightly xtask test` tests on nightly).
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}
