//! Opening many candidates at once: each creates a quick-practice session,
//! connects, sends its `resume` and waits for the first prompt, through the
//! same `TestApp`/`Candidate` helpers the integration tests use.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::app::{Candidate, TestApp};

/// Candidates setting up at once. More only queues in the server's single
/// SQLite writer, and every setup waits there anyway.
const SETUP_CONCURRENCY: usize = 64;

/// How long a candidate waits for its first prompt while thousands of
/// others are starting too.
const FIRST_PROMPT_WAIT: Duration = Duration::from_secs(120);

pub struct Opened {
    /// Each candidate with the prompt it is to answer.
    pub candidates: Vec<(Candidate, Value)>,
    /// Setups that failed (a refused request, a timeout): each printed a
    /// panic message saying why.
    pub failed: usize,
    pub elapsed: Duration,
}

pub async fn open(app: &Arc<TestApp>, n: usize) -> Opened {
    let started = Instant::now();
    let permits = Arc::new(Semaphore::new(SETUP_CONCURRENCY));
    let mut setups = JoinSet::new();
    for _ in 0..n {
        let app = Arc::clone(app);
        let permits = Arc::clone(&permits);
        setups.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("never closed");
            let (_, _, mut candidate) = app.start("quick-practice").await;
            let prompt = loop {
                let msg = candidate.recv_within(FIRST_PROMPT_WAIT).await;
                if msg["type"] == "prompt" {
                    break msg;
                }
                assert_ne!(msg["type"], "error", "{msg}");
            };
            (candidate, prompt)
        });
    }
    let mut candidates = Vec::with_capacity(n);
    let mut failed = 0;
    while let Some(done) = setups.join_next().await {
        match done {
            Ok(pair) => candidates.push(pair),
            Err(_) => failed += 1,
        }
    }
    Opened {
        candidates,
        failed,
        elapsed: started.elapsed(),
    }
}

/// The `q`-quantile (0 to 1) of `sorted`, in milliseconds.
pub fn quantile_ms(sorted: &[Duration], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1e3
}
