//! Active: N text interviews at once with the offline grader, each
//! candidate answering every prompt after a think time until the debrief.
//! A turn is timed at the client from the answer sent to the next prompt
//! received, so it includes the answer's durable write and the loopback.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::app::{Candidate, answer_for};
use crate::clients::{self, quantile_ms};
use crate::report::Scenario;
use crate::server::{CpuClock, Server, Setup};

/// Target from issue 8: p99 turn latency with 1,000 active interviews.
const TARGET_P99_MS: f64 = 10.0;

/// Any one server message, under the whole load. Past this a candidate
/// counts as stalled (its task panics with the reason).
const TURN_WAIT: Duration = Duration::from_secs(60);

struct Interview {
    turns: Vec<Duration>,
    debrief: bool,
}

pub async fn run(n: usize, think: Duration, setup: &Setup) -> Scenario {
    let server = Server::start(setup, n, &[]);
    let app = Arc::new(server.app());
    let opened = clients::open(&app, n).await;

    let server_cpu = server.cpu();
    let client_cpu = CpuClock::own();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (candidate, prompt) in opened.candidates {
        tasks.spawn(interview(candidate, prompt, think));
    }
    let mut turns = Vec::new();
    let (mut finished, mut stalled) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(i) => {
                turns.extend(i.turns);
                finished += usize::from(i.debrief);
            }
            Err(_) => stalled += 1,
        }
    }
    let wall = started.elapsed().as_secs_f64();
    let (server_cores, client_cores) = (server_cpu.cores_since(), client_cpu.cores_since());
    server.stop();

    turns.sort();
    let mut s = Scenario::new("active");
    s.setting("sessions", n);
    s.setting("think_ms", think.as_millis());
    s.figure("setups failed", opened.failed as f64, "");
    s.figure("interviews to debrief", finished as f64, "");
    s.figure("stalled", stalled as f64, "");
    s.figure("turns", turns.len() as f64, "");
    s.figure("prompts per second", turns.len() as f64 / wall, "/s");
    s.figure("turn p50", quantile_ms(&turns, 0.5), "ms");
    s.figure("turn p90", quantile_ms(&turns, 0.9), "ms");
    s.target("turn p99", quantile_ms(&turns, 0.99), "ms", TARGET_P99_MS);
    s.figure("turn max", quantile_ms(&turns, 1.0), "ms");
    s.figure("server CPU", server_cores * 100.0, "% core");
    s.figure("client CPU", client_cores * 100.0, "% core");
    s.figure("wall", wall, "s");
    s
}

/// One candidate from its first prompt to the debrief. Think times are
/// drawn from 0.5x to 1.5x `think` (the first from 0 to 1x), so answers
/// do not arrive in lockstep.
async fn interview(mut candidate: Candidate, mut prompt: Value, think: Duration) -> Interview {
    let mut turns = Vec::new();
    let mut first = true;
    loop {
        let ms = think.as_millis() as u64;
        let pause = if first {
            rand::random_range(0..=ms)
        } else {
            rand::random_range(ms / 2..=ms + ms / 2)
        };
        first = false;
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let text = answer_for(
            prompt["round"]["kind"].as_str().unwrap_or_default(),
            prompt["kind"].as_str().unwrap_or_default(),
        );
        let sent = Instant::now();
        candidate
            .send(json!({ "type": "answer", "text": text }))
            .await;
        let next = loop {
            let msg = candidate.recv_within(TURN_WAIT).await;
            match msg["type"].as_str() {
                Some("prompt") => break Some(msg),
                // The debrief always follows this, once grading is done.
                Some("interview_ended") => break None,
                Some("error") => panic!("the server refused an answer: {msg}"),
                _ => {}
            }
        };
        match next {
            Some(p) => {
                turns.push(sent.elapsed());
                prompt = p;
            }
            None => break,
        }
    }
    // Grading runs after the last answer; the debrief follows it.
    let debrief = loop {
        let msg = candidate.recv_within(TURN_WAIT).await;
        if msg["type"] == "debrief" {
            break true;
        }
    };
    Interview { turns, debrief }
}
