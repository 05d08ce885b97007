//! Running a candidate's code against a question's tests, inside
//! bubblewrap and never outside it.
//!
//! A run writes the solution, a small per-language driver (the harness) and
//! the cases' arguments to a fresh directory, mounts it read-only in an
//! otherwise empty sandbox (`/usr` read-only, a small tmpfs as the only
//! writable place, no network, its own pid namespace), runs the driver as an
//! unprivileged user under CPU, memory, process and file-size limits, and
//! reads at most a bounded amount of output before a wall-clock deadline.
//! Expected values never enter the sandbox: the server compares them.
//!
//! At first use the sandbox probes itself by running each language the
//! same way; if nothing works, code execution is off and says why.

mod cgroup;
mod command;
mod languages;
mod outcome;
mod process;
mod turns;

use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::OnceCell;
use tracing::{info, warn};

use crate::config::SandboxConfig;
use crate::content::{CodeLanguage, CodeTests};

pub use outcome::{CaseResult, RunStatus, TestRun, matches};
use outcome::{Ending, Raw};
pub use turns::Refused;

/// Characters of the candidate's own prints kept per case.
const CASE_OUTPUT_CAP: usize = 4_000;

/// How long a run waits for a free slot before the candidate is told the
/// runner is busy. Turns are fair (see [`turns`]), so a session that has
/// not run lately waits for at most the first slot to come free, one
/// run's wall-clock limit; this is the bound for everyone else.
const QUEUE_WAIT: Duration = Duration::from_secs(30);

/// Runs that may wait for a slot, per slot: past that a run is refused at
/// once with a retry hint, rather than join a queue it would time out in.
const WAITING_PER_SLOT: usize = 4;

/// The longest a slot waits for a previous run's processes to be reaped.
const LEFTOVER_WAIT: Duration = Duration::from_secs(10);

/// Whether code can run here, told to clients in `welcome`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SandboxStatus {
    pub enabled: bool,
    pub languages: Vec<CodeLanguage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The start-up probe has not finished: runs wait for it, and are
    /// refused with the reason if it fails.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub checking: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("code execution is disabled on this server: {0}")]
    Disabled(String),
    #[error("this question has no {0} tests")]
    NoTests(CodeLanguage),
    #[error("{0} is not available on this server")]
    Unavailable(CodeLanguage),
    #[error("the code runner is busy ({why}); try again in about {} s", retry_after.as_secs().max(1))]
    Busy {
        why: turns::Refused,
        retry_after: Duration,
    },
    #[error("the server is shutting down")]
    ShuttingDown,
    #[error("could not prepare the run: {0}")]
    Io(#[from] std::io::Error),
}

pub struct Sandbox {
    config: SandboxConfig,
    /// Runs at once across all sessions, so candidates' code cannot starve
    /// the server of CPU; each slot runs as its own user.
    turns: turns::Turns,
    /// Per-slot memory cgroups, when the kernel lets us make them.
    groups: Option<cgroup::Groups>,
    status: OnceCell<SandboxStatus>,
}

/// A run's claim on one slot; gives the slot back when dropped.
struct Slot<'a> {
    turn: turns::Turn<'a>,
}

/// Whose turn the probe's runs take.
const PROBE: &str = "(probe)";

impl Sandbox {
    pub fn new(config: SandboxConfig) -> Sandbox {
        let groups = config
            .enabled
            .then(|| cgroup::Groups::detect(&format!("mockloop-{}", config.uid.get())));
        Sandbox {
            groups: groups.flatten(),
            turns: turns::Turns::new(
                config.concurrency.get(),
                config.concurrency.get() * WAITING_PER_SLOT,
            ),
            config,
            status: OnceCell::new(),
        }
    }

    /// Runs waiting for a slot now.
    pub fn waiting(&self) -> usize {
        self.turns.waiting()
    }

    /// Slots held now.
    pub fn running(&self) -> usize {
        self.turns.running()
    }

    /// Whether a run's memory is limited as a whole (a cgroup per slot)
    /// rather than per process.
    pub fn memory_per_run(&self) -> bool {
        self.groups.is_some()
    }

    /// Probed once, on first use.
    pub async fn status(&self) -> &SandboxStatus {
        self.status.get_or_init(|| self.probe()).await
    }

    /// The status without waiting for the probe (starting interpreters
    /// takes seconds on a busy machine; a welcome should not wait for it).
    pub fn status_now(&self) -> SandboxStatus {
        self.status.get().cloned().unwrap_or_else(|| SandboxStatus {
            enabled: self.config.enabled,
            languages: Vec::new(),
            reason: None,
            checking: self.config.enabled,
        })
    }

    async fn probe(&self) -> SandboxStatus {
        if !self.config.enabled {
            return SandboxStatus {
                enabled: false,
                languages: Vec::new(),
                reason: Some("turned off in [sandbox]".into()),
                checking: false,
            };
        }
        let mut languages = Vec::new();
        let mut problems = Vec::new();
        for language in CodeLanguage::ALL {
            let result = async {
                let slot = self.slot(PROBE).await?;
                let launch = languages::probe(&self.config, language);
                let dir = self.prepare_dir(&slot, &launch.files)?;
                let argv: Vec<&str> = launch.argv.iter().map(String::as_str).collect();
                let command = self.command(&slot, dir.path(), launch.compiles, &argv);
                let limits = self.limits(launch.compiles);
                Ok::<_, SandboxError>(process::execute(&command, &limits).await?)
            }
            .await;
            match result {
                Ok(run)
                    if run.ending == (Ending::Exited { code: Some(0) })
                        && run.stdout.starts_with(b"42") =>
                {
                    languages.push(language)
                }
                Ok(run) => problems.push(format!(
                    "{language}: {}",
                    String::from_utf8_lossy(&run.stderr)
                        .trim()
                        .chars()
                        .take(300)
                        .collect::<String>()
                )),
                Err(error) => problems.push(format!("{language}: {error}")),
            }
        }
        if languages.is_empty() {
            let reason = format!(
                "bubblewrap could not run any language ({}); install bubblewrap and python3, nodejs, a JDK or g++",
                problems.join("; ")
            );
            warn!(%reason, "code execution disabled");
            SandboxStatus {
                enabled: false,
                languages,
                reason: Some(reason),
                checking: false,
            }
        } else {
            if !problems.is_empty() {
                warn!(problems = %problems.join("; "), "some languages cannot run");
            }
            info!(
                ?languages,
                memory_per_run = self.memory_per_run(),
                "code execution enabled (bubblewrap)"
            );
            if !self.memory_per_run() {
                warn!(
                    "no writable memory cgroup: a run's memory is limited per process only \
                     (max_processes × memory_mb in all); see docs/sandbox.md"
                );
            }
            SandboxStatus {
                enabled: true,
                languages,
                reason: None,
                checking: false,
            }
        }
    }

    /// Runs `code` against `tests` for `owner` (a session: turns are fair
    /// between owners, and each may have one run waiting). Only an unusable
    /// sandbox, a busy runner or a failure to prepare the run is an error;
    /// everything the code does (crash, loop, flood) is in the returned
    /// [`TestRun`].
    pub async fn run(
        &self,
        owner: &str,
        language: CodeLanguage,
        code: &str,
        tests: &CodeTests,
    ) -> Result<TestRun, SandboxError> {
        let status = self.status().await;
        if !status.enabled {
            return Err(SandboxError::Disabled(
                status.reason.clone().unwrap_or_default(),
            ));
        }
        if !status.languages.contains(&language) {
            return Err(SandboxError::Unavailable(language));
        }
        let signature = tests
            .signature(language)
            .ok_or(SandboxError::NoTests(language))?;
        let slot = self.slot(owner).await?;
        let nonce = format!("{:032x}", rand::random::<u128>());
        let launch = languages::tests(&self.config, language, code, &signature.function, &nonce);
        let input = serde_json::json!({
            "nonce": nonce,
            "function": signature.function,
            "output_cap": CASE_OUTPUT_CAP,
            "cases": tests.cases.iter().map(|c| &c.args).collect::<Vec<_>>(),
        });
        let mut files = launch.files;
        files.push(("input.json", input.to_string()));
        let dir = self.prepare_dir(&slot, &files)?;
        let argv: Vec<&str> = launch.argv.iter().map(String::as_str).collect();
        let command = self.command(&slot, dir.path(), launch.compiles, &argv);
        let finished = process::execute(&command, &self.limits(launch.compiles)).await?;
        Ok(outcome::build(Raw {
            language,
            code,
            tests,
            nonce: &nonce,
            stdout: &finished.stdout,
            stderr: &finished.stderr,
            ending: finished.ending,
            duration_ms: finished.duration.as_millis() as u64,
        }))
    }

    /// A compiled language's run also has its compile's time.
    fn compile_seconds(&self, compiles: bool) -> u64 {
        if compiles {
            self.config.compile_seconds.get()
        } else {
            0
        }
    }

    fn limits(&self, compiles: bool) -> process::Limits {
        let wall = self.config.wall_seconds.get() + self.compile_seconds(compiles);
        process::Limits {
            wall: Duration::from_secs(wall),
            max_output_bytes: self.config.max_output_bytes.get(),
        }
    }

    async fn slot(&self, owner: &str) -> Result<Slot<'_>, SandboxError> {
        let turn = self
            .turns
            .take(owner, QUEUE_WAIT)
            .await
            .map_err(|why| SandboxError::Busy {
                retry_after: self.retry_after(&why),
                why,
            })?;
        let slot = Slot { turn };
        if let Some((uid, _)) = self.run_as(&slot) {
            process::wait_until_gone(uid, LEFTOVER_WAIT).await;
        }
        Ok(slot)
    }

    /// When a refused run is likely to find a slot: each full round of
    /// the runs waiting ahead takes at most one wall-clock limit.
    fn retry_after(&self, why: &turns::Refused) -> Duration {
        let wall = Duration::from_secs(self.config.wall_seconds.get());
        let rounds = match why {
            turns::Refused::Full { waiting } => 1 + waiting / self.config.concurrency.get().max(1),
            turns::Refused::AlreadyWaiting | turns::Refused::TimedOut => 1,
        };
        (wall * rounds as u32).min(QUEUE_WAIT)
    }

    fn command(
        &self,
        slot: &Slot<'_>,
        dir: &Path,
        compiles: bool,
        argv: &[&str],
    ) -> Vec<std::ffi::OsString> {
        let cpu = self.config.cpu_seconds.get() + self.compile_seconds(compiles);
        let command = command::build(&self.config, dir, self.run_as(slot), cpu, argv);
        let Some(groups) = &self.groups else {
            return command;
        };
        match groups.prepare(slot.turn.index(), self.config.memory_mb.get() * 1024 * 1024) {
            Ok(group) => cgroup::joined(&group, command),
            Err(error) => {
                // The per-process limits still hold.
                warn!(%error, "could not prepare the run's memory cgroup");
                command
            }
        }
    }

    /// Root runs code as the slot's unprivileged user; anyone else runs it
    /// as themselves, inside bubblewrap's user namespace.
    fn run_as(&self, slot: &Slot<'_>) -> Option<(u32, u32)> {
        use std::os::unix::fs::MetadataExt;
        // /proc/self belongs to the process's effective user.
        let root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
        root.then_some((
            self.config.uid.get() + slot.turn.index(),
            self.config.gid.get(),
        ))
    }

    /// A fresh private directory holding `files`, handed to the slot's user.
    fn prepare_dir(
        &self,
        slot: &Slot<'_>,
        files: &[(&str, String)],
    ) -> std::io::Result<tempfile::TempDir> {
        let dir = tempfile::Builder::new().prefix("mockloop-run-").tempdir()?;
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text)?;
        }
        self.hand_over(slot, dir.path())?;
        Ok(dir)
    }

    /// The run's directory is private (0700); the sandbox user gets to read
    /// it, nobody else does.
    fn hand_over(&self, slot: &Slot<'_>, dir: &Path) -> std::io::Result<()> {
        if let Some((uid, gid)) = self.run_as(slot) {
            std::os::unix::fs::chown(dir, Some(uid), Some(gid))?;
        }
        Ok(())
    }
}
