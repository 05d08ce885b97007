//! `[sandbox]`: running the candidate's code against a question's tests.
//! Code runs only inside bubblewrap; these are the limits it runs under.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxConfig {
    /// `false` turns "Run tests" off; it is also off, with the reason told
    /// to clients, when bubblewrap is missing or fails its start-up probe.
    pub enabled: bool,
    /// bubblewrap's executable.
    pub bwrap: String,
    /// Interpreters, looked up on the sandbox's own `PATH`
    /// (`/usr/local/bin:/usr/bin:/bin`): only `/usr` is mounted inside.
    pub python: String,
    pub node: String,
    /// CPU seconds per run (`RLIMIT_CPU`): an infinite loop is killed here.
    pub cpu_seconds: u64,
    /// Wall-clock seconds per run, including the interpreter's start, so a
    /// run that sleeps or blocks cannot hold a slot.
    pub wall_seconds: u64,
    /// Address space per process, MiB (`RLIMIT_AS`). Node reserves most of
    /// a GiB of address space before it runs anything: at 1024 its heap
    /// stops near 150 MB.
    pub memory_mb: u64,
    /// Processes and threads of the sandbox user (`RLIMIT_NPROC`); Node
    /// alone starts about ten threads.
    pub max_processes: u64,
    /// Largest file a run may write, MiB (`RLIMIT_FSIZE`); the writable
    /// directory is also a tmpfs of this size.
    pub max_file_mb: u64,
    /// Bytes read from each of stdout and stderr; a run printing more is
    /// killed and reported as over the output limit.
    pub max_output_bytes: usize,
    /// Runs at once across all sessions; more wait their turn.
    pub concurrency: usize,
    /// When the server runs as root, run `n` (of `concurrency`) runs as
    /// user `uid + n` and group `gid`: unprivileged ids that must belong to
    /// no one else. One user per slot, because the process limit counts a
    /// user's processes: a fork bomb in one run must not starve another.
    /// A server not running as root runs code as its own user, in a user
    /// namespace, and the process limit then counts its own processes too.
    pub uid: u32,
    pub gid: u32,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            enabled: true,
            bwrap: "bwrap".into(),
            python: "python3".into(),
            node: "node".into(),
            cpu_seconds: 5,
            wall_seconds: 10,
            memory_mb: 2048,
            max_processes: 64,
            max_file_mb: 16,
            max_output_bytes: 256 * 1024,
            concurrency: 2,
            uid: 990_000,
            gid: 65534,
        }
    }
}

impl SandboxConfig {
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        for (name, value, min, max) in [
            ("cpu_seconds", self.cpu_seconds, 1, 600),
            ("wall_seconds", self.wall_seconds, 1, 600),
            ("memory_mb", self.memory_mb, 64, 65_536),
            ("max_processes", self.max_processes, 1, 4_096),
            ("max_file_mb", self.max_file_mb, 1, 4_096),
            (
                "max_output_bytes",
                self.max_output_bytes as u64,
                1_024,
                64 << 20,
            ),
            ("concurrency", self.concurrency as u64, 1, 256),
        ] {
            if !(min..=max).contains(&value) {
                problems.push(format!("{name} must be from {min} to {max}"));
            }
        }
        if self.uid == 0 || self.gid == 0 {
            problems.push("uid and gid must not be 0 (root)".to_owned());
        }
        if u64::from(self.uid) + self.concurrency as u64 > u64::from(u32::MAX) - 1 {
            problems.push("uid + concurrency must stay below 4294967295".to_owned());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("[sandbox]: {}", problems.join("; ")))
        }
    }
}
