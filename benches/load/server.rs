//! The server under load: the real `mockloop serve` binary as a child
//! process (so its memory and CPU are its own, not the clients'), read from
//! /proc while the scenario runs.

use std::path::PathBuf;
use std::time::Instant;

use crate::app::TestApp;
use crate::process::ServerProcess;

/// What every scenario's server shares, from the command line.
pub struct Setup {
    /// Where each server keeps its database (a fresh directory inside);
    /// `None`: a temporary directory.
    pub data_dir: Option<PathBuf>,
    /// Extra environment for the server (`MOCKLOOP__SECTION__KEY=...`).
    pub env: Vec<(String, String)>,
}

pub struct Server {
    process: ServerProcess,
    // Kept so the database outlives the server.
    _dir: Option<tempfile::TempDir>,
}

impl Server {
    /// Starts a server for `connections` sockets at once, with creation
    /// limits lifted (every client shares one loopback address), plus
    /// `env` (a speech model, say). Logs at warn: per-session info lines
    /// for 10,000 sessions would be load of their own.
    pub fn start(setup: &Setup, connections: usize, env: &[(&str, &str)]) -> Server {
        let (dir, path) = match setup.data_dir.as_deref() {
            Some(path) => {
                std::fs::create_dir_all(path).expect("the data directory can be created");
                let run = tempfile::tempdir_in(path).expect("a run directory");
                let p = run.path().to_owned();
                (Some(run), p)
            }
            None => {
                let run = tempfile::tempdir().expect("temp dir");
                let p = run.path().to_owned();
                (Some(run), p)
            }
        };
        let max = (connections + 100).to_string();
        let mut all: Vec<(&str, &str)> = vec![
            ("MOCKLOOP__SERVER__MAX_CONNECTIONS", &max),
            ("MOCKLOOP__SERVER__SESSION_CREATES_PER_MINUTE", "100000"),
            // The start-up line says where it listens.
            ("MOCKLOOP_LOG", "warn,mockloop::cli=info"),
        ];
        all.extend_from_slice(env);
        // The command line's own settings win: an experiment may change any.
        all.extend(setup.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        Server {
            process: ServerProcess::start_with(&path, &all),
            _dir: dir,
        }
    }

    /// A client of this server: creates sessions, connects candidates.
    pub fn app(&self) -> TestApp {
        self.process.app()
    }

    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Resident memory now, in KiB.
    pub fn rss_kib(&self) -> u64 {
        rss_kib(&format!("/proc/{}/status", self.pid()))
    }

    pub fn cpu(&self) -> CpuClock {
        CpuClock::of(&format!("/proc/{}/stat", self.pid()))
    }

    /// `mockloop_sockets_active` from /metrics (answered to loopback
    /// without a token): what the server itself counts as held.
    pub async fn sockets_active(&self) -> Option<f64> {
        let text = self.app().get("/metrics").await.text().await.ok()?;
        text.lines()
            .find_map(|l| l.strip_prefix("mockloop_sockets_active "))
            .and_then(|v| v.trim().parse().ok())
    }

    /// Stops the server without a graceful shutdown: the data is a
    /// throwaway, and pausing 10,000 sessions one by one is not the figure.
    pub fn stop(self) {
        self.process.kill_hard();
    }
}

/// This process's own resident memory (the clients), in KiB.
pub fn own_rss_kib() -> u64 {
    rss_kib("/proc/self/status")
}

fn rss_kib(status: &str) -> u64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) of a process at a moment of wall time.
#[derive(Clone)]
pub struct CpuClock {
    path: String,
    ticks: u64,
    at: Instant,
}

impl CpuClock {
    pub fn of(stat: &str) -> CpuClock {
        CpuClock {
            path: stat.to_owned(),
            ticks: cpu_ticks(stat),
            at: Instant::now(),
        }
    }

    pub fn own() -> CpuClock {
        CpuClock::of("/proc/self/stat")
    }

    /// Cores used since this reading, on average (1.0 = one core busy).
    pub fn cores_since(&self) -> f64 {
        let ticks = cpu_ticks(&self.path).saturating_sub(self.ticks);
        let wall = self.at.elapsed().as_secs_f64().max(1e-9);
        ticks as f64 / clock_ticks_per_second() / wall
    }
}

/// utime + stime: fields 14 and 15 of /proc/PID/stat, counted after the
/// command name, which may itself hold spaces.
fn cpu_ticks(stat: &str) -> u64 {
    let Ok(text) = std::fs::read_to_string(stat) else {
        return 0;
    };
    let Some((_, rest)) = text.rsplit_once(')') else {
        return 0;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3 (state).
    let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<u64>().ok());
    field(14).unwrap_or(0) + field(15).unwrap_or(0)
}

fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        std::process::Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0)
    })
}

/// The soft limit on open files, which bounds the sockets one process
/// (this one, and the server it starts) can hold.
pub fn open_files_limit() -> Option<u64> {
    std::fs::read_to_string("/proc/self/limits")
        .ok()?
        .lines()
        .find(|l| l.starts_with("Max open files"))?
        .split_whitespace()
        .nth(3)?
        .parse()
        .ok()
}

/// The 1-minute load average before a run: how busy the machine was.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0.0)
}
