//! Voice burst: N spoken answers arriving at once. Every candidate sends
//! the same espeak-ng clip in 100 ms frames as fast as the socket takes
//! them, then `done`. The recogniser's bounded queue refuses what it cannot
//! hold (`speech_unavailable`, then `no_speech`: the answer was not taken);
//! a refused candidate says it again after a short back-off, as a person
//! asked to repeat would. Figures: how many were refused, how many got
//! through, and the worst wait from the burst to an answer's `ack`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::SinkExt;
use mockloop::speech::frame::AudioFrame;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;

use crate::app::Candidate;
use crate::clients::{self, quantile_ms};
use crate::report::Scenario;
use crate::server::{CpuClock, Server, Setup};

/// About six seconds of speech at espeak-ng's default rate.
const CLIP: &str = "I would put a cache in front of the database and measure the hit rate \
                    before and after the change.";

/// 100 ms of 16 kHz audio per frame: the largest docs/protocol.md advises.
const FRAME: usize = 1_600;

/// A refused candidate repeats the answer at most this many times.
const ATTEMPTS: usize = 60;

/// Waiting this long for any reply to a spoken answer is a stall (the
/// candidate's task panics with the reason).
const REPLY_WAIT: Duration = Duration::from_secs(120);

struct Outcome {
    /// The first `done` to the `ack`; `None` if every attempt was refused.
    wait: Option<Duration>,
    attempts: usize,
    /// The longest a single attempt waited for its verdict (ack or refusal).
    longest_reply: Duration,
}

pub async fn run(n: usize, setup: &Setup) -> Scenario {
    let clips = tempfile::tempdir().expect("temp dir");
    let pcm = Arc::new(crate::live::pcm(&crate::speech_support::speak(
        CLIP,
        clips.path(),
        "burst",
    )));
    let model = crate::speech_support::model().display().to_string();
    let env = [
        ("MOCKLOOP__SPEECH__MODEL", model.as_str()),
        // Each refusal is logged at warn; the table counts them instead.
        (
            "MOCKLOOP_LOG",
            "warn,mockloop::ws::voice=error,mockloop::cli=info",
        ),
    ];
    let server = Server::start(setup, n, &env);
    let app = Arc::new(server.app());
    let opened = clients::open(&app, n).await;

    let server_cpu = server.cpu();
    let client_cpu = CpuClock::own();
    let burst = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (candidate, _) in opened.candidates {
        tasks.spawn(speak(candidate, Arc::clone(&pcm), burst));
    }
    let mut waits = Vec::new();
    let (mut gave_up, mut stalled, mut first_try, mut refusals) = (0, 0, 0, 0);
    let mut longest_reply = Duration::ZERO;
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(o) => {
                refusals += o.attempts.saturating_sub(usize::from(o.wait.is_some()));
                first_try += usize::from(o.wait.is_some() && o.attempts == 1);
                longest_reply = longest_reply.max(o.longest_reply);
                match o.wait {
                    Some(w) => waits.push(w),
                    None => gave_up += 1,
                }
            }
            Err(_) => stalled += 1,
        }
    }
    let wall = burst.elapsed().as_secs_f64();
    let (server_cores, client_cores) = (server_cpu.cores_since(), client_cpu.cores_since());
    server.stop();

    waits.sort();
    let mut s = Scenario::new("voice");
    s.setting("sessions", n);
    s.setting("clip_s", format!("{:.1}", pcm.len() as f64 / 16_000.0));
    s.figure("setups failed", opened.failed as f64, "");
    s.figure("answers taken", waits.len() as f64, "");
    s.figure("taken at first try", first_try as f64, "");
    s.figure("refusals (busy)", refusals as f64, "");
    s.figure("gave up", gave_up as f64, "");
    s.figure("stalled", stalled as f64, "");
    s.figure("wait p50 (burst to ack)", quantile_ms(&waits, 0.5), "ms");
    s.figure("worst wait (burst to ack)", quantile_ms(&waits, 1.0), "ms");
    s.figure(
        "longest reply to one try",
        longest_reply.as_secs_f64() * 1e3,
        "ms",
    );
    s.figure("answers per second", waits.len() as f64 / wall, "/s");
    s.figure("server CPU", server_cores * 100.0, "% core");
    s.figure("client CPU", client_cores * 100.0, "% core");
    s
}

async fn speak(mut candidate: Candidate, pcm: Arc<Vec<i16>>, burst: Instant) -> Outcome {
    let mut seq = 0u32;
    let mut longest_reply = Duration::ZERO;
    for attempt in 1..=ATTEMPTS {
        for chunk in pcm.chunks(FRAME) {
            let frame = AudioFrame {
                seq,
                samples: chunk.to_vec(),
            };
            seq = seq.wrapping_add(1);
            // Fed without flushing each frame: the burst arrives at once.
            candidate
                .ws
                .feed(Message::Binary(frame.encode().into()))
                .await
                .expect("send audio");
        }
        candidate.send(json!({ "type": "done" })).await;
        let sent = Instant::now();
        loop {
            let msg = candidate.recv_within(REPLY_WAIT).await;
            match (msg["type"].as_str(), msg["code"].as_str()) {
                (Some("ack"), _) => {
                    return Outcome {
                        wait: Some(burst.elapsed()),
                        attempts: attempt,
                        longest_reply: longest_reply.max(sent.elapsed()),
                    };
                }
                // Submitted as heard, as a candidate who reads it and agrees.
                (Some("review"), _) => {
                    let text = msg["text"].clone();
                    candidate
                        .send(json!({ "type": "submit_spoken", "text": text }))
                        .await;
                }
                // The recogniser was busy; `no_speech` closes the attempt.
                (Some("error"), Some("speech_unavailable")) => {}
                (Some("error"), Some("no_speech")) => break,
                (Some("error"), _) => panic!("the server refused the answer: {msg}"),
                _ => {}
            }
        }
        longest_reply = longest_reply.max(sent.elapsed());
        let back_off = rand::random_range(500..=1_500);
        tokio::time::sleep(Duration::from_millis(back_off)).await;
    }
    Outcome {
        wait: None,
        attempts: ATTEMPTS,
        longest_reply,
    }
}
