//! Runs the sandbox command with a deadline and bounded output. Killing
//! bubblewrap ends the whole run: the code's processes live in bubblewrap's
//! pid namespace, whose init dies with it (`--die-with-parent`).

use std::ffi::OsString;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;
use tokio::time::Instant;

use super::outcome::Ending;

pub struct Limits {
    pub wall: Duration,
    /// Per stream; one byte more stops the run.
    pub max_output_bytes: usize,
}

pub struct Finished {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub ending: Ending,
    pub duration: Duration,
}

/// The host-side tools (setpriv, prlimit, bwrap) are looked up here; the
/// server's own environment (secrets included) is not passed on.
const HOST_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

pub async fn execute(args: &[OsString], limits: &Limits) -> std::io::Result<Finished> {
    let started = Instant::now();
    let deadline = started + limits.wall;
    let (program, rest) = args
        .split_first()
        .ok_or_else(|| std::io::Error::other("empty command"))?;
    let mut child = Command::new(program)
        .args(rest)
        .env_clear()
        .env("PATH", HOST_PATH)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // A dropped run (the session task cancelled) kills its process.
        .kill_on_drop(true)
        .spawn()?;
    let mut stdout = child
        .stdout
        .take()
        .ok_or_else(|| std::io::Error::other("no stdout"))?;
    let mut stderr = child
        .stderr
        .take()
        .ok_or_else(|| std::io::Error::other("no stderr"))?;
    let mut out = Vec::new();
    let mut err = Vec::new();
    let (mut out_open, mut err_open) = (true, true);
    let mut stopped = None;
    let mut chunk_out = vec![0u8; 64 * 1024];
    let mut chunk_err = vec![0u8; 16 * 1024];
    while out_open || err_open {
        tokio::select! {
            read = stdout.read(&mut chunk_out), if out_open => {
                if !take(read, &chunk_out, &mut out, &mut out_open, limits.max_output_bytes) {
                    stopped = Some(Ending::OutputLimit);
                    break;
                }
            }
            read = stderr.read(&mut chunk_err), if err_open => {
                if !take(read, &chunk_err, &mut err, &mut err_open, limits.max_output_bytes) {
                    stopped = Some(Ending::OutputLimit);
                    break;
                }
            }
            _ = tokio::time::sleep_until(deadline) => {
                stopped = Some(Ending::TimedOut);
                break;
            }
        }
    }
    let ending = match stopped {
        Some(ending) => {
            child.kill().await?;
            ending
        }
        None => match tokio::time::timeout_at(deadline, child.wait()).await {
            Ok(status) => Ending::Exited {
                code: status?.code(),
            },
            Err(_) => {
                child.kill().await?;
                Ending::TimedOut
            }
        },
    };
    drain(&mut stdout, &mut out, limits.max_output_bytes).await;
    Ok(Finished {
        stdout: out,
        stderr: err,
        ending,
        duration: started.elapsed(),
    })
}

/// Appends what was read; false once the stream is over its limit.
fn take(
    read: std::io::Result<usize>,
    chunk: &[u8],
    into: &mut Vec<u8>,
    open: &mut bool,
    max: usize,
) -> bool {
    match read {
        Ok(0) | Err(_) => *open = false,
        Ok(n) => into.extend_from_slice(&chunk[..n]),
    }
    if into.len() > max {
        into.truncate(max);
        return false;
    }
    true
}

/// After a kill, what was already in the pipe still holds finished results.
async fn drain(stream: &mut (impl AsyncRead + Unpin), into: &mut Vec<u8>, max: usize) {
    let mut chunk = vec![0u8; 64 * 1024];
    while into.len() < max {
        match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => into.extend_from_slice(&chunk[..n.min(max - into.len())]),
            _ => break,
        }
    }
}

/// Waits (up to `bound`) until no process runs as `uid`. A killed run's
/// processes take the kernel a moment (a second or more after a fork bomb)
/// to reap, and while they count against the user's process limit the next
/// run as that user could not even start.
///
/// A finished run leaves one zombie for a second or two: bubblewrap's init
/// in the run's pid namespace, reaped only once the kernel has torn the
/// run's network namespace down. It holds nothing and counts once against
/// the process limit, so waiting for it (which every run in a slot used to
/// do) only made the next run start two seconds late; a few zombies are
/// let through, a fork bomb's many are not.
pub async fn wait_until_gone(uid: u32, bound: Duration) {
    let deadline = Instant::now() + bound;
    while !settled(processes_of(uid)) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Zombies a new run may start beside.
const ZOMBIES_LET_THROUGH: usize = 2;

#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Processes {
    live: usize,
    zombies: usize,
}

fn settled(p: Processes) -> bool {
    p.live == 0 && p.zombies <= ZOMBIES_LET_THROUGH
}

fn processes_of(uid: u32) -> Processes {
    let mut found = Processes::default();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return found;
    };
    let wanted = uid.to_string();
    for entry in entries.flatten() {
        let is_pid = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
        if !is_pid {
            continue;
        }
        let Ok(status) = std::fs::read_to_string(entry.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .unwrap_or_default()
        };
        if !field("Uid:").split_whitespace().any(|id| id == wanted) {
            continue;
        }
        if field("State:").trim_start().starts_with('Z') {
            found.zombies += 1;
        } else {
            found.live += 1;
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lingering_zombie_or_two_do_not_hold_a_slot_but_a_live_process_or_many_do() {
        let p = |live, zombies| settled(Processes { live, zombies });
        assert!(p(0, 0));
        assert!(p(0, 1), "bubblewrap's init, waiting on its namespace");
        assert!(!p(1, 0));
        assert!(!p(0, 40), "a fork bomb's children, not reaped yet");
    }
}
