//! The live path: a clip streamed in real time over the WebSocket to a
//! running server, as the browser sends it (40 ms frames at the pace they
//! are spoken), then measured at the client:
//!
//! - **pause**: the candidate stops talking and waits. End of speech (the
//!   wall time the frame holding the clip's last loud sample was sent) to
//!   the last `transcript` final.
//! - **done**: the candidate presses done as they stop talking. End of
//!   speech to the `review` of what was heard (what they wait for; the
//!   bench then submits it as heard, and waits for its `ack`).
//! - **barge-in**: the first frame holding a loud sample to the server's
//!   `listening {"speaking": true}`, which is when the browser stops the
//!   interviewer's voice (it holds it there, and cancels it once a word that
//!   is not a backchannel is heard).
//!
//! Each run uses a fresh session; the server shares one recogniser, as in
//! production. Measured for whole utterances (the default) and with
//! segments settled at short pauses (`[voice] segment_pause_ms`).

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use mockloop::config::{Config, VoiceConfig};
use mockloop::speech::frame::AudioFrame;
use mockloop::speech::wav;
use mockloop::speech::whisper::WhisperTranscriber;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use crate::app::TestApp;

/// 40 ms of 16 kHz audio, as the browser client sends.
const FRAME: usize = 640;
/// Silence streamed after the speech in the pause runs: past the 1.5 s
/// silence hold, so an utterance-at-a-time server is measured fairly too.
const TRAILING_SILENCE: Duration = Duration::from_millis(2_500);
/// A sample this loud or louder is speech (espeak-ng pads with zeros).
pub const LOUD: f32 = 0.01;

pub struct Figures {
    pub pause: Vec<Duration>,
    pub done: Vec<Duration>,
    pub barge_in: Vec<Duration>,
    /// Word error rate of the final transcripts, first pause run.
    pub wer: f64,
}

pub fn measure(
    runtime: &tokio::runtime::Runtime,
    transcriber: Arc<WhisperTranscriber>,
    voice: VoiceConfig,
    clips: &[(&Path, &str)],
    runs: usize,
) -> Vec<Figures> {
    runtime.block_on(async {
        let config = Config {
            voice,
            ..Config::default()
        };
        let app = TestApp::builder()
            .speech(transcriber)
            .config(config)
            .spawn()
            .await;
        let mut all = Vec::new();
        for &(file, text) in clips {
            let pcm = pcm(file);
            let mut figures = Figures {
                pause: Vec::new(),
                done: Vec::new(),
                barge_in: Vec::new(),
                wer: 0.0,
            };
            for run in 0..runs {
                let paused = answer(&app, &pcm, false).await;
                if run == 0 {
                    figures.wer = crate::speech_support::wer(text, &paused.heard);
                }
                let done = answer(&app, &pcm, true).await;
                figures.pause.push(paused.latency);
                figures.done.push(done.latency);
                figures.barge_in.extend([paused.barge_in, done.barge_in]);
            }
            all.push(figures);
        }
        all
    })
}

pub fn pcm(file: &std::path::Path) -> Vec<i16> {
    wav::read(file)
        .expect("espeak-ng wrote a 16 kHz WAV")
        .iter()
        .map(|x| (x.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16)
        .collect()
}

/// What one answer measured.
struct Answer {
    /// From the end of speech (see the module notes).
    latency: Duration,
    /// From the first loud frame to `listening`.
    barge_in: Duration,
    /// The final transcripts, joined.
    heard: String,
}

/// Speaks `pcm` into a fresh session and measures it.
async fn answer(app: &crate::app::TestApp, pcm: &[i16], press_done: bool) -> Answer {
    let (_, _, candidate) = app.start("quick-practice").await;
    let (mut sink, mut stream) = candidate.ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<(Instant, Value)>();
    tokio::spawn(async move {
        while let Some(Ok(frame)) = stream.next().await {
            if let Message::Text(text) = frame
                && let Ok(msg) = serde_json::from_str::<Value>(text.as_str())
                && tx.send((Instant::now(), msg)).is_err()
            {
                return;
            }
        }
    });
    wait_for(&mut rx, "prompt").await;

    let loud = |s: &i16| f32::from(*s).abs() / 32_768.0 >= LOUD;
    let first_loud = pcm.iter().position(loud).unwrap_or(0);
    let last_loud = pcm.iter().rposition(loud).unwrap_or(0);
    // Pressing done as they stop: nothing after the frame that holds the
    // last loud sample (espeak-ng's own trailing silence would otherwise
    // count against the server). Waiting: the clip, then silence.
    let (spoken, silence) = if press_done {
        let end = ((last_loud / FRAME + 1) * FRAME).min(pcm.len());
        (&pcm[..end], 0)
    } else {
        (pcm, (TRAILING_SILENCE.as_millis() as usize) * 16)
    };
    let audio: Vec<i16> = spoken
        .iter()
        .copied()
        .chain(std::iter::repeat_n(0, silence))
        .collect();
    let mut pace = tokio::time::interval(Duration::from_millis(40));
    let mut speech_end = Instant::now();
    let mut speech_start = None;
    for (seq, chunk) in audio.chunks(FRAME).enumerate() {
        pace.tick().await;
        let frame = AudioFrame {
            seq: seq as u32,
            samples: chunk.to_vec(),
        };
        sink.send(Message::Binary(frame.encode().into()))
            .await
            .expect("send audio");
        let frame_samples = seq * FRAME..(seq + 1) * FRAME;
        if frame_samples.contains(&first_loud) {
            speech_start = Some(Instant::now());
        }
        if frame_samples.contains(&last_loud) {
            speech_end = Instant::now();
        }
    }
    sink.send(Message::Text(json!({"type": "done"}).to_string().into()))
        .await
        .expect("send done");
    let mut finals = Vec::new();
    let mut last_final = speech_end;
    let mut reviewed = None;
    let mut listening = None;
    // `MOCKLOOP_BENCH_VERBOSE=1` prints each message's time from the end of
    // speech, to see where the latency goes.
    let verbose = std::env::var_os("MOCKLOOP_BENCH_VERBOSE").is_some();
    let acked = loop {
        let (at, msg) = rx.recv().await.expect("the server answers");
        if verbose {
            let ms = |d: Duration| d.as_millis() as i128;
            let from_end = ms(at.saturating_duration_since(speech_end))
                - ms(speech_end.saturating_duration_since(at));
            eprintln!("    {from_end:>7} ms  {msg}");
        }
        match msg["type"].as_str() {
            Some("listening") if msg["speaking"] == true && listening.is_none() => {
                listening = Some(at);
            }
            Some("transcript") if msg["final"] == true => {
                finals.push(msg["stable"].as_str().unwrap_or_default().to_owned());
                last_final = at;
            }
            // Submitted as heard: the candidate would read it first.
            Some("review") => {
                reviewed = Some(at);
                let submit = json!({"type": "submit_spoken", "text": msg["text"]});
                sink.send(Message::Text(submit.to_string().into()))
                    .await
                    .expect("send the reviewed answer");
            }
            Some("ack") => break reviewed.expect("the review comes before the ack"),
            Some("error") => panic!("the server refused the answer: {msg}"),
            _ => {}
        }
    };
    let _ = sink.close().await;
    let latency = if press_done { acked } else { last_final };
    let started = speech_start.expect("the clip has a loud sample");
    Answer {
        latency: latency.saturating_duration_since(speech_end),
        barge_in: listening
            .expect("speech was heard")
            .saturating_duration_since(started),
        heard: finals.join(" "),
    }
}

async fn wait_for(rx: &mut mpsc::UnboundedReceiver<(Instant, Value)>, kind: &str) {
    loop {
        let (_, msg) = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("the server answers")
            .expect("the socket is open");
        if msg["type"] == kind {
            return;
        }
    }
}
