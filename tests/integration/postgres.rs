//! A throwaway PostgreSQL server for the tests that run against it: a
//! cluster in a temporary directory on a free local port, started on first
//! use and stopped when the test binary exits. Each test gets a database of
//! its own.
//!
//! It needs Debian's `postgresql` package (`initdb` and `postgres` under
//! `/usr/lib/postgresql/*/bin`). Without it those tests fail and say what
//! to install: a test that passed without running would report a check
//! that never happened. `MOCKLOOP_TEST_POSTGRES=url`
//! (a `postgres://` URL of a user that may create databases) uses a server
//! that is already running instead.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sqlx::Connection;

const SERVER_URL: &str = "MOCKLOOP_TEST_POSTGRES";

/// How long a fresh cluster may take to accept connections (two shared cores).
const START_TIMEOUT: Duration = Duration::from_secs(60);

struct Server {
    /// Connects as the superuser to the `postgres` database.
    admin_url: String,
    // Kept for the life of the test binary: the wrapper stops the server
    // when this pipe closes, however the binary exits.
    _stop: Option<std::process::ChildStdin>,
    _child: Option<Child>,
    _dir: Option<tempfile::TempDir>,
}

static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();

/// A new, empty database on the test server: its URL.
pub async fn fresh_database() -> String {
    let server = SERVER
        .get_or_init(start)
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"));
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&server.admin_url)
        .await
        .expect("the test PostgreSQL server accepts connections");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    let (base, _) = server
        .admin_url
        .rsplit_once('/')
        .expect("a URL with a database");
    format!("{base}/{name}")
}

fn start() -> Result<Server, String> {
    if let Ok(url) = std::env::var(SERVER_URL)
        && url.starts_with("postgres")
    {
        return Ok(Server {
            admin_url: url,
            _stop: None,
            _child: None,
            _dir: None,
        });
    }
    let bin = binaries().ok_or_else(|| {
        format!(
            "PostgreSQL is not installed, and these tests start a real server: \
             apt-get install -y postgresql (or set {SERVER_URL}=postgres://... to use \
             a running server)"
        )
    })?;
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let data = dir.path().join("data");
    // The server's socket and its log: written by the server's user.
    let sockets = dir.path().join("run");
    // initdb and postgres refuse to run as root; CI runs as root, so the
    // cluster belongs to the `postgres` user the package creates.
    let as_user = run_as();
    if let Some(user) = &as_user {
        for path in [&data, &sockets] {
            std::fs::create_dir(path).map_err(|e| format!("{}: {e}", path.display()))?;
            chown(path, user)?;
        }
        // The temporary directory itself is root's, mode 0700.
        set_mode(dir.path(), 0o755)?;
    } else {
        std::fs::create_dir(&sockets).map_err(|e| format!("{e}"))?;
    }
    let initdb = command(&as_user, &bin.join("initdb"))
        .args(["--auth=trust", "--username=postgres", "--no-sync", "-D"])
        .arg(&data)
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !initdb.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&initdb.stderr)
        ));
    }
    let port = free_port()?;
    // A shell between us and postgres: when this process exits, its end of
    // the pipe closes, `read` returns, the server is stopped (fast mode)
    // and its files removed (a static's temporary directory is never
    // dropped; the emptied directories are root's to remove, and tiny).
    // fsync is off: these tests kill mockloop, never PostgreSQL, so its own
    // crash safety is not under test, and two shared cores are slow to sync.
    let script = format!(
        "{postgres} -D '{data}' -p {port} -k '{sockets}' -c listen_addresses=127.0.0.1 \
         -c fsync=off -c max_connections=300 >'{log}' 2>&1 & pid=$!; read _; kill -INT $pid; wait $pid; find '{data}' '{sockets}' -mindepth 1 -delete",
        postgres = bin.join("postgres").display(),
        data = data.display(),
        sockets = sockets.display(),
        log = sockets.join("server.log").display(),
    );
    let mut child = command(&as_user, Path::new("sh"))
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting postgres: {e}"))?;
    let stop = child.stdin.take();
    let admin_url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
    let started = Instant::now();
    loop {
        let ready = Command::new(bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .status()
            .is_ok_and(|s| s.success());
        if ready {
            break;
        }
        if started.elapsed() > START_TIMEOUT {
            let log = std::fs::read_to_string(sockets.join("server.log")).unwrap_or_default();
            return Err(format!("PostgreSQL did not start: {log}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(Server {
        admin_url,
        _stop: stop.map(|mut s| {
            let _ = s.flush();
            s
        }),
        _child: Some(child),
        _dir: Some(dir),
    })
}

/// The newest installed version's server binaries.
fn binaries() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

/// `Some("postgres")` when running as root.
fn run_as() -> Option<String> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    (String::from_utf8_lossy(&uid.stdout).trim() == "0").then(|| "postgres".to_owned())
}

fn command(user: &Option<String>, program: &Path) -> Command {
    match user {
        Some(user) => {
            let mut command = Command::new("runuser");
            command.args(["-u", user, "--"]).arg(program);
            command
        }
        None => Command::new(program),
    }
}

fn chown(path: &Path, user: &str) -> Result<(), String> {
    let status = Command::new("chown")
        .arg(user)
        .arg(path)
        .status()
        .map_err(|e| format!("chown: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "chown {user} {}: no such user? (Debian's postgresql package creates it)",
            path.display()
        ))
    }
}

fn set_mode(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("chmod {}: {e}", path.display()))
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(listener.local_addr().map_err(|e| e.to_string())?.port())
}
