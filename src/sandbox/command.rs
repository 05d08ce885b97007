//! The command line that runs code: `setpriv` (util-linux) drops to the
//! unprivileged user when the server is root, `nice` (coreutils) lowers its
//! priority, `prlimit` (util-linux) sets
//! the resource limits, and bubblewrap builds an empty world around the
//! interpreter. Built as plain arguments so a test can read them.

use std::ffi::OsString;
use std::path::Path;

use crate::config::SandboxConfig;

/// The size of the run's /dev/shm: enough for a semaphore or two, not for
/// storing data (a run once wrote 2 GB to an unbounded one).
const SHM_BYTES: &str = "1048576";

/// Where the run's files (harness, solution, input) appear, read-only.
pub const CODE_DIR: &str = "/sandbox";

/// Root directories that merged-/usr systems make symlinks into /usr; on
/// older layouts they are real directories and are bound read-only.
const ROOT_LINKS: [&str; 5] = ["/bin", "/lib", "/lib64", "/lib32", "/sbin"];

/// `run_as`: the uid and gid to drop to, when the server runs as root.
/// Dropping before `prlimit` makes `RLIMIT_NPROC` count only the sandbox
/// user's processes (root is exempt from it), which is what contains a
/// fork bomb. `cpu_seconds` is the run's `RLIMIT_CPU`: the configured one,
/// or more where a compile step comes first and lowers it for the program.
pub fn build(
    config: &SandboxConfig,
    host_dir: &Path,
    run_as: Option<(u32, u32)>,
    cpu_seconds: u64,
    argv: &[&str],
) -> Vec<OsString> {
    let mut args: Vec<OsString> = Vec::new();
    let mut push = |items: &[&str]| args.extend(items.iter().map(OsString::from));
    if let Some((uid, gid)) = run_as {
        push(&[
            "setpriv",
            &format!("--reuid={uid}"),
            &format!("--regid={gid}"),
            "--clear-groups",
            "--no-new-privs",
            "--",
        ]);
    }
    let mib = 1024 * 1024;
    push(&[
        // The lowest CPU priority: a run that spins every core it can (a
        // fork bomb until its deadline) still leaves the server responsive.
        "nice",
        "-n",
        "19",
        "prlimit",
        &format!("--cpu={cpu_seconds}"),
        &format!("--as={}", config.memory_mb.get() * mib),
        &format!("--nproc={}", config.max_processes.get()),
        &format!("--fsize={}", config.max_file_mb.get() * mib),
        "--core=0",
        "--",
        &config.bwrap,
        // No network, IPC, UTS or cgroup sharing; a new pid namespace (so
        // killing bubblewrap kills everything the code started) and a user
        // namespace.
        "--unshare-all",
        "--die-with-parent",
        // A new session: the code cannot push input into a terminal.
        "--new-session",
        "--ro-bind",
        "/usr",
        "/usr",
    ]);
    for link in ROOT_LINKS {
        let path = Path::new(link);
        match std::fs::read_link(path) {
            Ok(target) => {
                let target = target.to_string_lossy().into_owned();
                push(&["--symlink", &target, link]);
            }
            Err(_) if path.is_dir() => push(&["--ro-bind", link, link]),
            Err(_) => {}
        }
    }
    // Debian's JDKs keep their configuration (java.security, without which
    // neither javac nor java starts) in /etc/java-<version>-openjdk, linked
    // from /usr/lib/jvm; Mono reads /etc/mono (without it mcs finds no
    // source file).
    for dir in java_config_dirs() {
        push(&["--ro-bind", &dir, &dir]);
    }
    push(&["--ro-bind-try", "/etc/mono", "/etc/mono"]);
    let host_dir = host_dir.to_string_lossy().into_owned();
    let tmpfs_bytes = (config.max_file_mb.get() * mib).to_string();
    push(&[
        // Debian points some interpreters at /etc/alternatives; the loader
        // cache only speeds up library lookup. Nothing else of /etc.
        "--ro-bind-try",
        "/etc/alternatives",
        "/etc/alternatives",
        "--ro-bind-try",
        "/etc/ld.so.cache",
        "/etc/ld.so.cache",
        "--proc",
        "/proc",
        // bubblewrap's /dev is a tmpfs (sized at half the host's memory)
        // holding the device nodes a run needs; /dev/shm gets a tiny tmpfs of
        // its own, and /dev itself is made read-only below, so the only
        // writable places are bounded: /tmp and /dev/shm.
        "--dev",
        "/dev",
        "--size",
        SHM_BYTES,
        "--tmpfs",
        "/dev/shm",
        "--ro-bind",
        &host_dir,
        CODE_DIR,
        // The only writable place: a small tmpfs, gone with the run.
        "--size",
        &tmpfs_bytes,
        "--tmpfs",
        "/tmp",
        "--chdir",
        "/tmp",
        // bubblewrap's root is a tmpfs the sandbox user could fill: after
        // the mounts above, everything but /tmp is read-only.
        "--remount-ro",
        "/",
        // Device nodes still read and write (that is I/O, not a change to
        // the file system); no file can be created beside them.
        "--remount-ro",
        "/dev",
        "--clearenv",
        "--setenv",
        "PATH",
        "/usr/local/bin:/usr/bin:/bin",
        "--setenv",
        "HOME",
        "/tmp",
        "--setenv",
        "LANG",
        "C.UTF-8",
        "--",
    ]);
    push(argv);
    args
}

fn java_config_dirs() -> Vec<String> {
    let Ok(entries) = std::fs::read_dir("/etc") else {
        return Vec::new();
    };
    let mut dirs: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("java-"))
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn joined(run_as: Option<(u32, u32)>) -> String {
        let config = SandboxConfig::default();
        build(
            &config,
            Path::new("/tmp/run-1"),
            run_as,
            config.cpu_seconds.get(),
            &["python3", "x.py"],
        )
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
    }

    #[test]
    fn root_drops_to_the_sandbox_user_before_setting_limits() {
        let line = joined(Some((65534, 65534)));
        assert!(
            line.starts_with("setpriv --reuid=65534 --regid=65534"),
            "{line}"
        );
        assert!(line.find("setpriv").unwrap() < line.find("prlimit").unwrap());
        assert!(line.contains("--nproc=64"), "{line}");
        assert!(line.contains("--cpu=5"), "{line}");
    }

    #[test]
    fn only_usr_and_the_run_directory_are_mounted() {
        let line = joined(None);
        assert!(line.starts_with("nice -n 19 prlimit "), "{line}");
        assert!(line.contains("--unshare-all --die-with-parent --new-session"));
        assert!(line.contains("--ro-bind /tmp/run-1 /sandbox"));
        assert!(!line.contains("--bind / "), "{line}");
        assert!(!line.contains("--ro-bind / "), "{line}");
        assert!(line.ends_with("-- python3 x.py"), "{line}");
    }
}
