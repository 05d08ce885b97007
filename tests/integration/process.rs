//! The real `mockloop serve` binary as a child process, for what only a
//! process can show: signals, `kill -9`, a restart on the same data dir.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use mockloop::engine::StoredEvent;
use mockloop::store::{SqliteStore, Store};

use crate::app::{TestApp, mockloop};

/// How long a starting server may take to say where it listens (a debug
/// build on two shared cores).
const START_TIMEOUT: Duration = Duration::from_secs(30);

pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
}

impl ServerProcess {
    /// Starts `mockloop serve` on a free port over `data_dir`, text-only (no
    /// speech model is looked for or installed), and waits until it listens.
    pub fn start(data_dir: &Path) -> ServerProcess {
        ServerProcess::start_with(data_dir, &[])
    }

    /// As [`ServerProcess::start`], with extra environment variables (a
    /// database URL, say).
    pub fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> ServerProcess {
        // The grader's model from `target/test-models` (unpacked there
        // once), not fetched by every process: a dozen servers each
        // downloading and unpacking 90 MB at once held their first grades
        // past the client's wait.
        mockloop::embed::test_model();
        let model = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/test-models")
            .join(mockloop::embed::install::DEFAULT_DIR);
        let mut child = mockloop()
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir)
            .env("MOCKLOOP__SPEECH__AUTO_INSTALL", "false")
            .env("MOCKLOOP__GRADER__EMBEDDING_MODEL", &model)
            .env("MOCKLOOP_LOG", "info")
            .env("NO_COLOR", "1")
            .env_remove("MOCKLOOP_CONFIG")
            .env_remove("MOCKLOOP_DATABASE_URL")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("mockloop serve starts");
        // Read the log on a thread for the whole life of the process, so a
        // full pipe never blocks the server.
        let stderr = child.stderr.take().expect("piped stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // Shown with a failing test's output, to say what the server saw.
                if line.contains(" WARN ") || line.contains(" ERROR ") {
                    eprintln!("server: {line}");
                }
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr = rest.split_whitespace().next().unwrap_or_default();
                    let _ = tx.send(addr.parse::<SocketAddr>());
                }
            }
        });
        let addr = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Ok(addr)) => addr,
            other => {
                let _ = child.kill();
                panic!("the server did not say where it listens: {other:?}");
            }
        };
        ServerProcess {
            child,
            addr,
            data_dir: data_dir.to_owned(),
        }
    }

    /// The server's process id, for reading its memory and CPU time from
    /// /proc (the load bench).
    #[allow(dead_code)] // used by benches/load.rs, not the tests
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A test client for this server (create sessions, connect candidates).
    pub fn app(&self) -> TestApp {
        TestApp::at(self.addr, &self.data_dir)
    }

    /// `kill -9`: no handler runs, nothing is flushed that was not already.
    pub fn kill_hard(mut self) {
        self.child.kill().expect("SIGKILL is delivered");
        self.child.wait().expect("the killed server is reaped");
    }

    /// Sends `signal` (a name `kill` takes, such as TERM or INT).
    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success(), "kill -{signal} failed");
    }

    /// Waits for the process to exit on its own, up to `limit`; `None` (and a
    /// killed process) if it did not.
    pub fn wait_exit(mut self, limit: Duration) -> Option<ExitStatus> {
        let step = Duration::from_millis(20);
        let mut waited = Duration::ZERO;
        while waited < limit {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return Some(status);
            }
            std::thread::sleep(step);
            waited += step;
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // A failing test must not leave a server running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Opens the store of a stopped server, as the next start would.
pub async fn open_store(data_dir: &Path) -> SqliteStore {
    SqliteStore::open_in(data_dir)
        .await
        .expect("the database opens after the server stopped")
}

/// Every stored event of `session`.
pub async fn stored_events(store: &SqliteStore, session: &str) -> Vec<StoredEvent> {
    store.events(session, 0).await.expect("events are readable")
}
