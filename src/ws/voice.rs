//! The voice path of one live session, without I/O: binary audio frames in;
//! transcription jobs, messages for the client and, when the candidate is
//! done, the spoken answer out. The session task performs what it returns.
//!
//! ```text
//! frame ─▶ parse ─▶ sequence check ─▶ budget ─▶ VAD/assembler
//!   Started  ─▶ "listening"
//!   Partial  ─▶ job (partial, may be dropped when busy) ─▶ stabilised "transcript"
//!   Ended    ─▶ job (final)  ─▶ "transcript" final, kept for the answer
//! done ─▶ finish the utterance ─▶ when every final is in: SpokenAnswer
//! ```

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::speech::analytics::{AnalyticsConfig, SpeechAnalytics, TimedTranscript, analyse};
use crate::speech::frame::{AudioBudget, AudioFrame, Sequence, SequenceTracker};
use crate::speech::partial::Stabiliser;
use crate::speech::utterance::{Assembler, UtteranceConfig, UtteranceEvent, ms_for_samples};
use crate::speech::{SpeechError, Transcriber, Transcript};

use super::protocol::ServerMsg;

/// Disfluencies in the decoder prompt keep Whisper from dropping the
/// candidate's own "um"s and "uh"s, which the analytics count.
const FILLER_PRIMER: &str = "Um, uh, so, like, you know, I mean, let me think.";

/// Everything a session needs to take spoken answers.
#[derive(Clone)]
pub struct VoiceSetup {
    pub transcriber: Arc<dyn Transcriber>,
    pub tuning: VoiceTuning,
}

/// How audio is cut, bounded and measured.
#[derive(Clone, Debug)]
pub struct VoiceTuning {
    pub utterance: UtteranceConfig,
    pub max_frame_bytes: usize,
    pub max_session_audio_seconds: u32,
    pub analytics: AnalyticsConfig,
}

/// What the session task should do next.
#[derive(Debug)]
pub enum Action {
    Send(ServerMsg),
    Transcribe(Job),
    /// The candidate is done and every utterance is transcribed.
    Submit {
        text: String,
        speech: Box<SpeechAnalytics>,
    },
}

#[derive(Debug)]
pub struct Job {
    /// The prompt the audio answers (see [`Voice::new_prompt`]).
    pub epoch: u64,
    pub utterance: u64,
    pub partial: bool,
    /// Where the utterance began within the answer, for the analytics.
    pub offset_ms: u64,
    pub request: crate::speech::Request,
}

pub struct Voice {
    setup: VoiceTuning,
    sequence: SequenceTracker,
    budget: AudioBudget,
    assembler: Assembler,
    stabiliser: Stabiliser,
    /// Counts prompts: a transcript of audio given for an earlier prompt
    /// arrives too late to belong to this one and is dropped.
    epoch: u64,
    /// The utterance being spoken (counts up, never reused).
    utterance: u64,
    /// Final transcripts of this answer's utterances, by utterance, with the
    /// offset of each within the answer.
    finals: BTreeMap<u64, (u64, Transcript)>,
    pending_finals: usize,
    /// A partial pass is being transcribed. Partials are coalesced: while
    /// one runs, newer ones are skipped (the next one covers their audio),
    /// so audio arriving in a burst cannot queue up stale passes.
    partial_in_flight: bool,
    /// The candidate said they are done; submit once `pending_finals` is 0.
    done: bool,
    /// Stream position where the current answer began.
    answer_start: u64,
    prompt: String,
}

impl Voice {
    pub fn new(setup: VoiceTuning) -> Voice {
        Voice {
            budget: AudioBudget::new(setup.max_session_audio_seconds),
            assembler: Assembler::new(setup.utterance.clone()),
            setup,
            sequence: SequenceTracker::default(),
            stabiliser: Stabiliser::default(),
            epoch: 0,
            utterance: 0,
            finals: BTreeMap::new(),
            pending_finals: 0,
            partial_in_flight: false,
            done: false,
            answer_start: 0,
            prompt: String::new(),
        }
    }

    /// A new prompt was asked: what was said before belongs to no answer,
    /// including an utterance still being spoken and transcriptions in flight.
    pub fn new_prompt(&mut self, prompt: &str) {
        self.epoch += 1;
        self.finals.clear();
        self.pending_finals = 0;
        self.done = false;
        self.stabiliser.reset();
        self.utterance += 1;
        self.assembler = Assembler::new(self.setup.utterance.clone());
        self.answer_start = 0;
        self.prompt = format!("{prompt} {FILLER_PRIMER}");
    }

    /// One binary frame from the client.
    pub fn audio(&mut self, bytes: &[u8]) -> Vec<Action> {
        let frame = match AudioFrame::parse(bytes, self.setup.max_frame_bytes)
            .and_then(|frame| self.budget.charge(frame.samples.len()).map(|()| frame))
        {
            Ok(frame) => frame,
            Err(error) => {
                return vec![Action::Send(ServerMsg::error(
                    error.code(),
                    error.to_string(),
                ))];
            }
        };
        match self.sequence.check(frame.seq) {
            // A frame re-sent after a reconnect was heard already.
            Sequence::Duplicate => return Vec::new(),
            Sequence::Gap { missing } => tracing::debug!(missing, "audio frames missing"),
            Sequence::InOrder => {}
        }
        let events = self.assembler.push(&frame.samples);
        events.into_iter().flat_map(|e| self.event(e)).collect()
    }

    /// The candidate finished answering by voice.
    pub fn finish(&mut self) -> Vec<Action> {
        self.done = true;
        let mut actions: Vec<Action> = self
            .assembler
            .finish()
            .into_iter()
            .flat_map(|e| self.event(e))
            .collect();
        actions.extend(self.submit_if_ready());
        actions
    }

    /// A transcription came back.
    pub fn transcribed(
        &mut self,
        job: &Job,
        result: Result<Transcript, SpeechError>,
    ) -> Vec<Action> {
        let (utterance, offset_ms) = (job.utterance, job.offset_ms);
        if job.partial {
            self.partial_in_flight = false;
        }
        if job.epoch != self.epoch {
            return Vec::new();
        }
        if job.partial {
            // A partial for an utterance already over is stale.
            return match result {
                Ok(t) if utterance == self.utterance && !t.text.trim().is_empty() => {
                    let shown = self.stabiliser.update(t.text.trim());
                    vec![Action::Send(ServerMsg::Transcript {
                        is_final: false,
                        stable: shown.stable,
                        tentative: shown.tentative,
                        low_confidence: false,
                    })]
                }
                _ => Vec::new(),
            };
        }
        self.pending_finals = self.pending_finals.saturating_sub(1);
        let mut actions = Vec::new();
        match result {
            Ok(transcript) => {
                let text = transcript.text.trim().to_owned();
                if !text.is_empty() {
                    actions.push(Action::Send(ServerMsg::Transcript {
                        is_final: true,
                        stable: text,
                        tentative: String::new(),
                        low_confidence: transcript.confidence < self.setup.analytics.min_confidence,
                    }));
                    self.finals.insert(utterance, (offset_ms, transcript));
                }
            }
            Err(error) => {
                tracing::warn!(%error, "an utterance could not be transcribed");
                actions.push(Action::Send(ServerMsg::error(
                    "speech_unavailable",
                    format!("{error}; please repeat that, or type your answer."),
                )));
            }
        }
        actions.extend(self.submit_if_ready());
        actions
    }

    fn event(&mut self, event: UtteranceEvent) -> Vec<Action> {
        let offset = |start: u64| ms_for_samples(start.saturating_sub(self.answer_start));
        match event {
            UtteranceEvent::Started { .. } => {
                self.utterance += 1;
                self.stabiliser.reset();
                vec![Action::Send(ServerMsg::Listening { speaking: true })]
            }
            UtteranceEvent::Partial { .. } if self.partial_in_flight => Vec::new(),
            UtteranceEvent::Partial { start, audio } => {
                self.partial_in_flight = true;
                vec![self.job(true, offset(start), audio)]
            }
            UtteranceEvent::Ended(utterance) => {
                self.pending_finals += 1;
                vec![
                    Action::Send(ServerMsg::Listening { speaking: false }),
                    self.job(false, offset(utterance.start), utterance.audio),
                ]
            }
            UtteranceEvent::Dropped { .. } => {
                vec![Action::Send(ServerMsg::Listening { speaking: false })]
            }
        }
    }

    fn job(&self, partial: bool, offset_ms: u64, audio: crate::speech::Samples) -> Action {
        Action::Transcribe(Job {
            epoch: self.epoch,
            utterance: self.utterance,
            partial,
            offset_ms,
            request: crate::speech::Request {
                audio,
                initial_prompt: Some(self.prompt.clone()),
                partial,
            },
        })
    }

    fn submit_if_ready(&mut self) -> Option<Action> {
        if !self.done || self.pending_finals > 0 {
            return None;
        }
        self.done = false;
        if self.finals.is_empty() {
            return Some(Action::Send(ServerMsg::error(
                "no_speech",
                "No speech was heard for this answer; speak, or type your answer.",
            )));
        }
        let finals = std::mem::take(&mut self.finals);
        let text = finals
            .values()
            .map(|(_, t)| t.text.trim())
            .collect::<Vec<_>>()
            .join(" ");
        let segments: Vec<TimedTranscript<'_>> = finals
            .values()
            .map(|(offset_ms, transcript)| TimedTranscript {
                offset_ms: *offset_ms,
                transcript,
            })
            .collect();
        let speech = analyse(&segments, &self.setup.analytics);
        Some(Action::Submit {
            text,
            speech: Box::new(speech),
        })
    }
}

#[cfg(test)]
mod tests;
