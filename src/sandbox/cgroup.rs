//! Memory accounted per run, where the kernel lets us: each slot gets a
//! memory cgroup under the server's own, limited to `memory_mb`, and a
//! run's first process joins it before it becomes the candidate's code.
//! Everything the run then does is charged there: all its processes, and
//! the pages it writes to its tmpfs. Without a writable cgroup, memory is
//! limited per process only (`prlimit --as`), which bounds a run at
//! `max_processes × memory_mb`; `docs/sandbox.md` says so.
//!
//! Both hierarchies are handled: cgroup v1's `memory` controller, and
//! cgroup v2 when the server's cgroup already delegates `memory` to its
//! children (a process may not enable it for the cgroup it sits in).

use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Version {
    V1,
    V2,
}

/// Where the per-slot groups are made.
#[derive(Debug)]
pub struct Groups {
    base: PathBuf,
    version: Version,
    /// Named after the slots' users, as their processes are. The groups
    /// are kept, not removed at exit: a restarted server reuses them, so
    /// there are never more than one per slot user; and removing one that
    /// another server with the same users has just made would make its run
    /// fail to join.
    prefix: String,
}

impl Groups {
    /// The server's memory cgroup, if a child can be made in it and
    /// limited; `None` otherwise (not root, no controller, read-only).
    pub fn detect(prefix: &str) -> Option<Groups> {
        let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
        let candidates = [
            own_path(&own, |c| c.split(',').any(|c| c == "memory")).map(|p| {
                (
                    Path::new("/sys/fs/cgroup/memory").join(p.trim_start_matches('/')),
                    Version::V1,
                )
            }),
            own_path(&own, str::is_empty).map(|p| {
                (
                    Path::new("/sys/fs/cgroup").join(p.trim_start_matches('/')),
                    Version::V2,
                )
            }),
        ];
        candidates
            .into_iter()
            .flatten()
            .find_map(|(base, version)| {
                let usable = match version {
                    Version::V1 => base.join("memory.limit_in_bytes").exists(),
                    Version::V2 => std::fs::read_to_string(base.join("cgroup.subtree_control"))
                        .is_ok_and(|c| c.split_whitespace().any(|c| c == "memory")),
                };
                let groups = Groups {
                    base,
                    version,
                    prefix: prefix.to_owned(),
                };
                (usable && groups.prepare(u32::MAX, 64 * 1024 * 1024).is_ok()).then(|| {
                    let _ = std::fs::remove_dir(groups.dir(u32::MAX));
                    groups
                })
            })
    }

    fn dir(&self, slot: u32) -> PathBuf {
        self.base.join(format!("{}+{slot}", self.prefix))
    }

    /// Makes (or reuses) slot `slot`'s group and sets its limit; returns
    /// the directory a run joins.
    pub fn prepare(&self, slot: u32, bytes: u64) -> std::io::Result<PathBuf> {
        let dir = self.dir(slot);
        match std::fs::create_dir(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(e),
        }
        let limit = bytes.to_string();
        match self.version {
            Version::V1 => {
                std::fs::write(dir.join("memory.limit_in_bytes"), &limit)?;
                // With swap accounting, swap counts too (it must not be
                // below the memory limit, which was just set).
                let swap = dir.join("memory.memsw.limit_in_bytes");
                if swap.exists() {
                    std::fs::write(swap, &limit)?;
                }
            }
            Version::V2 => {
                std::fs::write(dir.join("memory.max"), &limit)?;
                let swap = dir.join("memory.swap.max");
                if swap.exists() {
                    std::fs::write(swap, "0")?;
                }
            }
        }
        Ok(dir)
    }
}

/// `argv` run by a shell that first moves itself into `group`: the
/// candidate's code is exec'd from it, so it starts inside the group.
pub fn joined(group: &Path, argv: Vec<OsString>) -> Vec<OsString> {
    let mut args: Vec<OsString> = vec![
        "sh".into(),
        "-c".into(),
        r#"echo $$ > "$0/cgroup.procs" && exec "$@""#.into(),
        group.as_os_str().to_owned(),
    ];
    args.extend(argv);
    args
}

/// The path in `/proc/self/cgroup` of the hierarchy whose controllers
/// (the second field) satisfy `matches`.
fn own_path(own: &str, matches: impl Fn(&str) -> bool) -> Option<String> {
    own.lines().find_map(|line| {
        let mut fields = line.splitn(3, ':');
        let (_, controllers, path) = (fields.next()?, fields.next()?, fields.next()?);
        matches(controllers).then(|| path.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_servers_own_cgroup_is_read_for_each_hierarchy() {
        let own = "9:name=systemd:/\n4:memory:/process_api/abc\n3:cpu,cpuacct:/x\n0::/user.slice\n";
        assert_eq!(
            own_path(own, |c| c.split(',').any(|c| c == "memory")).as_deref(),
            Some("/process_api/abc")
        );
        assert_eq!(own_path(own, str::is_empty).as_deref(), Some("/user.slice"));
        assert_eq!(own_path("0::/\n", |c| c == "memory"), None);
    }

    #[test]
    fn a_run_joins_its_group_before_its_command_starts() {
        let args = joined(Path::new("/cg/slot-0"), vec!["setpriv".into(), "--".into()]);
        assert_eq!(args[0], "sh");
        assert_eq!(args[3], "/cg/slot-0");
        assert_eq!(args[4], "setpriv");
        assert!(args[2].to_string_lossy().contains("exec \"$@\""));
    }
}
