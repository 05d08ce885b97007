//! Word error rate over a set of interview answers larger than the timed
//! clips: 12 answers of 8 to 11 s, each in three espeak-ng voices and
//! rates, transcribed in one pass with the prompt a live answer gets. Four
//! clips cannot tell a change in the recogniser (a prompt, a loop guard, a
//! way of settling words mid-speech) from the noise of tiny.en on one
//! voice; 36 answers and about 1,100 words can.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use mockloop::speech::whisper::WhisperTranscriber;
use mockloop::speech::{Request, Samples, Transcriber, Transcript, answer_prompt, wav};

use crate::speech_support::{speak_with, wer};

/// The question every answer is given as its prompt, as in a live session.
const QUESTION: &str = "Describe how you would design it.";

/// The prompt each answer is transcribed with.
pub fn prompt() -> String {
    answer_prompt(QUESTION)
}

const ANSWERS: [&str; 12] = [
    "I would start by clarifying the requirements, then sketch the main components of the \
     system and explain the trade offs between consistency and availability, and how I would \
     test it.",
    "To find duplicates I would sort the list first and then walk through it once comparing \
     each element with the one before it, which is n log n time and constant extra space.",
    "The service writes every order to a durable queue before it answers the client so that a \
     crash after the acknowledgement never loses a payment and retries stay safe.",
    "For the model I would hold out a validation set by time rather than at random because the \
     production data drifts and a random split would leak the future into training.",
    "When the pager went off at night I rolled back the last deploy first, then looked at the \
     dashboards and found that a config change had doubled the connection pool.",
    "I disagreed with my manager about shipping without load tests, so I wrote down the risk, \
     proposed a one day test plan, and we agreed to delay the launch by a week.",
    "The cache sits in front of the database with a short time to live, and on a write we \
     delete the key instead of updating it to avoid races between two writers.",
    "I would measure fairness by comparing false positive rates across groups and I would look \
     at the training data for groups that are missing or labelled by a biased process.",
    "My first idea is a breadth first search from the start cell, keeping a visited set, and \
     returning the distance when we reach the exit or minus one if we never do.",
    "We store passwords with a slow salted hash, we never log the request body, and every \
     internal call is authenticated with short lived tokens that rotate every hour.",
    "The learning rate was too high, so the loss jumped around, and after adding warm up and \
     gradient clipping the training curve became smooth and the accuracy went up by two points.",
    "I think the hardest part of this design is the hot partition problem, because one \
     celebrity account can receive millions of reads while other shards stay idle.",
];

/// espeak-ng voices and speaking rates (words a minute): an American and
/// a British male voice and a faster female variant.
const VOICES: [(&str, &str); 3] = [("en-us", "175"), ("en-gb-x-rp", "160"), ("en-us+f2", "190")];

pub struct Accuracy {
    pub answers: usize,
    pub words: usize,
    pub errors: f64,
    /// Transcripts that stop before the answer's end.
    pub lost_endings: Vec<String>,
    pub mean_pass: Duration,
    pub worst: (f64, String),
}

impl Accuracy {
    /// Errors over words: the word error rate of the whole set.
    pub fn wer(&self) -> f64 {
        self.errors / self.words.max(1) as f64
    }
}

/// One answer, spoken.
pub struct Answer {
    pub text: &'static str,
    pub voice: &'static str,
    pub file: PathBuf,
    pub audio: Samples,
}

/// Every answer in every voice, spoken into `dir`.
pub fn answers(dir: &Path) -> Result<Vec<Answer>, String> {
    let mut all = Vec::new();
    for (i, text) in ANSWERS.iter().enumerate() {
        for (voice, rate) in VOICES {
            let name = format!("answer-{i}-{voice}");
            let file = speak_with(text, &["-v", voice, "-s", rate], dir, &name);
            let audio = wav::read(&file).map_err(|e| e.to_string())?;
            all.push(Answer {
                text,
                voice,
                file,
                audio,
            });
        }
    }
    Ok(all)
}

/// Each answer transcribed by `transcriber` in one final pass.
pub fn measure(
    runtime: &tokio::runtime::Runtime,
    transcriber: &Arc<WhisperTranscriber>,
    answers: &[Answer],
) -> Result<Accuracy, String> {
    let mut heard = Vec::new();
    let mut total = Duration::ZERO;
    for answer in answers {
        let started = Instant::now();
        heard.push(
            runtime
                .block_on(transcriber.transcribe(Request {
                    audio: Arc::clone(&answer.audio),
                    initial_prompt: Some(prompt()),
                    partial: false,
                    owner: None,
                }))
                .map_err(|e| e.to_string())?,
        );
        total += started.elapsed();
    }
    let mut result = score(answers, heard.iter().map(|h| h.text.as_str()));
    result.mean_pass = total / answers.len().max(1) as u32;
    for (answer, heard) in answers.iter().zip(&heard) {
        if !reaches_the_end(&answer.audio, heard) {
            result
                .lost_endings
                .push(format!("{}: {}", answer.voice, heard.text));
        }
    }
    Ok(result)
}

/// The word error over `answers` of the texts heard for them (in order).
pub fn score<'a>(answers: &[Answer], heard: impl Iterator<Item = &'a str>) -> Accuracy {
    let mut result = Accuracy {
        answers: 0,
        words: 0,
        errors: 0.0,
        lost_endings: Vec::new(),
        mean_pass: Duration::ZERO,
        worst: (0.0, String::new()),
    };
    for (answer, heard) in answers.iter().zip(heard) {
        let words = answer.text.split_whitespace().count();
        let rate = wer(answer.text, heard);
        result.answers += 1;
        result.words += words;
        result.errors += rate * words as f64;
        if rate > result.worst.0 {
            result.worst = (rate, format!("{}: {heard}", answer.voice));
        }
    }
    result
}

/// Whether the transcript ends where the answer does: its last word starts
/// within 1.5 s of the last loud sample. A misheard ending passes; a
/// decoder that stopped early ("… and every internal call", with four
/// seconds of speech left) does not.
fn reaches_the_end(audio: &[f32], heard: &Transcript) -> bool {
    let last_loud = audio
        .iter()
        .rposition(|s| s.abs() >= crate::live::LOUD)
        .unwrap_or(0);
    let speech_end_ms = last_loud as u64 * 1000 / 16_000;
    heard
        .words
        .last()
        .is_some_and(|w| w.start_ms + 1_500 >= speech_end_ms)
}
