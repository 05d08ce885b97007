//! Load: the real `mockloop serve` binary driven over loopback by
//! tokio-tungstenite candidates through the quick-practice loop. Scenarios,
//! by name (all three when none is named):
//!
//! - `idle`: 10,000 connected sessions holding their first prompt; server
//!   memory per session (target: at most 15 KB).
//! - `active`: 1,000 text interviews at once with the offline grader; turn
//!   latency, prompts per second, CPU (target: p99 at most 10 ms).
//! - `voice`: 100 spoken answers at once; back-pressure from the
//!   transcription queue, and the worst wait.
//!
//! Build once, then run (figures want a release build):
//!
//! ```sh
//! cargo bench --bench load --no-run
//! cargo bench --bench load -- idle --baseline target/load/1700000000.json
//! ```
//!
//! Prints a table and writes JSON (its path is printed); `--baseline`
//! prints this run's figures over a previous run's. Figures are printed,
//! never asserted. Each scenario starts its own server, with
//! `max_connections` and the session creation rate raised for the run.
//! The voice scenario needs what the speech tests need (the wheel in
//! target/test-models, espeak-ng, sox).

#[path = "../tests/integration/app.rs"]
#[allow(dead_code)]
mod app;
#[path = "speech/live.rs"]
#[allow(dead_code)]
mod live;
// app.rs can start servers over PostgreSQL; the bench never does.
#[path = "../tests/integration/postgres.rs"]
#[allow(dead_code)]
mod postgres;
#[path = "../tests/integration/process.rs"]
#[allow(dead_code)]
mod process;
#[path = "../tests/integration/speech_support.rs"]
#[allow(dead_code)]
mod speech_support;

#[path = "load/active.rs"]
mod active;
#[path = "load/clients.rs"]
mod clients;
#[path = "load/idle.rs"]
mod idle;
#[path = "load/report.rs"]
mod report;
#[path = "load/server.rs"]
mod server;
#[path = "load/voice.rs"]
mod voice;

use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Parser, ValueEnum};
use serde_json::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Name {
    Idle,
    Active,
    Voice,
}

#[derive(Parser)]
#[command(about = "Drives a real mockloop server with many WebSocket candidates")]
struct Args {
    /// Scenarios to run, in order; all three when none is named.
    #[arg(value_enum)]
    scenarios: Vec<Name>,
    /// Idle sessions to hold.
    #[arg(long, default_value_t = 10_000)]
    idle_sessions: usize,
    /// Interviews active at once.
    #[arg(long, default_value_t = 1_000)]
    active_sessions: usize,
    /// A candidate's mean think time before each answer, in ms.
    #[arg(long, default_value_t = 1_000)]
    think_ms: u64,
    /// Spoken answers in the burst.
    #[arg(long, default_value_t = 100)]
    voice_sessions: usize,
    /// Where each server keeps its database (a fresh directory inside it per
    /// run); default: a temporary directory.
    #[arg(long, env = "MOCKLOOP_LOAD_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Extra environment for each server, as KEY=VALUE (repeatable), e.g.
    /// MOCKLOOP__LIMITS__WS_BUFFER_BYTES=4096 or MALLOC_ARENA_MAX=2.
    #[arg(long = "server-env", value_parser = key_value)]
    server_env: Vec<(String, String)>,
    /// A previous run's JSON: print each figure over its value there.
    #[arg(long)]
    baseline: Option<PathBuf>,
    /// Where to write this run's JSON; default target/load/<unix time>.json.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Passed by `cargo bench`; ignored.
    #[arg(long, hide = true)]
    bench: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let baseline = args
        .baseline
        .as_deref()
        .map(report::read_baseline)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let names = if args.scenarios.is_empty() {
        vec![Name::Idle, Name::Active, Name::Voice]
    } else {
        args.scenarios.clone()
    };
    let most = names
        .iter()
        .map(|n| match n {
            Name::Idle => args.idle_sessions,
            Name::Active => args.active_sessions,
            Name::Voice => args.voice_sessions,
        })
        .max()
        .unwrap_or(0);
    // Each socket is a file in both processes (the server inherits this limit).
    if let Some(limit) = server::open_files_limit()
        && limit < most as u64 + 200
    {
        anyhow::bail!(
            "{most} sessions need more open files than the limit of {limit}: \
             run `ulimit -n {}` first",
            most + 1_000
        );
    }
    let load_before = server::load_average();
    println!("load average before: {load_before:.2} on {} cores", cores());

    let runtime = tokio::runtime::Runtime::new()?;
    let setup = server::Setup {
        data_dir: args.data_dir.clone(),
        env: args.server_env.clone(),
    };
    let mut results = Vec::new();
    for name in names {
        println!("running {name:?} ...");
        let scenario = runtime.block_on(async {
            match name {
                Name::Idle => idle::run(args.idle_sessions, &setup).await,
                Name::Active => {
                    active::run(
                        args.active_sessions,
                        Duration::from_millis(args.think_ms),
                        &setup,
                    )
                    .await
                }
                Name::Voice => voice::run(args.voice_sessions, &setup).await,
            }
        });
        results.push(scenario);
    }
    report::print_table(&results, baseline.as_ref());

    let machine = json!({
        "cores": cores(),
        "load_average_before": load_before,
        "load_average_after": server::load_average(),
        "unix_time": now(),
        "data_dir": setup.data_dir.as_ref().map_or("temporary".to_owned(), |d| d.display().to_string()),
        "server_env": setup.env.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>(),
    });
    let out = args.out.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("target/load/{}.json", now()))
    });
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let text = serde_json::to_string_pretty(&report::to_json(&results, machine))?;
    std::fs::write(&out, text + "\n")?;
    println!("\nwritten: {}", out.display());
    Ok(())
}

fn key_value(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("{s:?} is not KEY=VALUE"))
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
