//! `[sandbox]`: running the candidate's code against a question's tests.
//! Code runs only inside bubblewrap; these are the limits it runs under.

use serde::{Deserialize, Serialize};

use super::Bounded;

/// The highest sandbox uid or gid. 0 is root; `u32::MAX` means "no id" to
/// the kernel, and run `n` takes `uid + n` for `n` up to the largest
/// `concurrency` (256), so every id a run takes is a real unprivileged one.
const MAX_ID: u64 = u32::MAX as u64 - 1 - 256;

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
    /// Java's launcher and compiler, the C++ compiler, and Mono's C#
    /// compiler and runtime (Java, C++ and C# are compiled inside the
    /// sandbox, under the same limits).
    pub java: String,
    pub javac: String,
    pub cxx: String,
    pub mcs: String,
    pub mono: String,
    /// CPU seconds per run (`RLIMIT_CPU`): an infinite loop is killed here.
    pub cpu_seconds: Bounded<u64, 1, 600>,
    /// Wall-clock seconds per run, including the interpreter's start, so a
    /// run that sleeps or blocks cannot hold a slot.
    pub wall_seconds: Bounded<u64, 1, 600>,
    /// CPU and wall-clock seconds that compiling Java, C++ or C# may add to
    /// a run's: g++ spends two to three CPU seconds on the standard headers
    /// alone, which must not come out of the candidate's `cpu_seconds`. The
    /// compiled program itself still gets only `cpu_seconds`.
    pub compile_seconds: Bounded<u64, 0, 600>,
    /// Address space per process, MiB (`RLIMIT_AS`). Node reserves most of
    /// a GiB of address space before it runs anything: at 1024 its heap
    /// stops near 150 MB. The JVM (given a 256 MB heap) needs about 768.
    pub memory_mb: Bounded<u64, 64, 65_536>,
    /// Processes and threads of the sandbox user (`RLIMIT_NPROC`); Node
    /// alone starts about ten threads.
    pub max_processes: Bounded<u64, 1, 4_096>,
    /// Largest file a run may write, MiB (`RLIMIT_FSIZE`); the writable
    /// directory is also a tmpfs of this size.
    pub max_file_mb: Bounded<u64, 1, 4_096>,
    /// Bytes read from each of stdout and stderr; a run printing more is
    /// killed and reported as over the output limit.
    pub max_output_bytes: Bounded<usize, 1_024, { 64 << 20 }>,
    /// Runs at once across all sessions; more wait their turn.
    pub concurrency: Bounded<usize, 1, 256>,
    /// When the server runs as root, run `n` (of `concurrency`) runs as
    /// user `uid + n` and group `gid`: unprivileged ids that must belong to
    /// no one else. One user per slot, because the process limit counts a
    /// user's processes: a fork bomb in one run must not starve another.
    /// A server not running as root runs code as its own user, in a user
    /// namespace, and the process limit then counts its own processes too.
    pub uid: Bounded<u32, 1, MAX_ID>,
    pub gid: Bounded<u32, 1, MAX_ID>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            enabled: true,
            bwrap: "bwrap".into(),
            python: "python3".into(),
            node: "node".into(),
            java: "java".into(),
            javac: "javac".into(),
            cxx: "g++".into(),
            mcs: "mcs".into(),
            mono: "mono".into(),
            cpu_seconds: Bounded::default_of(5),
            wall_seconds: Bounded::default_of(10),
            compile_seconds: Bounded::default_of(20),
            memory_mb: Bounded::default_of(2048),
            max_processes: Bounded::default_of(64),
            max_file_mb: Bounded::default_of(16),
            max_output_bytes: Bounded::default_of(256 * 1024),
            concurrency: Bounded::default_of(2),
            uid: Bounded::default_of(990_000),
            gid: Bounded::default_of(65534),
        }
    }
}
