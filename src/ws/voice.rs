//! The voice path of one live session, without I/O: binary audio frames in;
//! transcription jobs, messages for the client and, when the candidate is
//! done, the spoken answer out. The session task performs what it returns.
//!
//! ```text
//! frame ─▶ parse ─▶ sequence check ─▶ budget ─▶ VAD/assembler
//!   Started  ─▶ "listening"
//!   Partial  ─▶ job (partial, may be dropped when busy) ─▶ stabilised "transcript"
//!   a pause of `early_pass_ms` ─▶ job (early) on the speech so far
//!   Segment  ─▶ job (final)  ─▶ "transcript" final, kept for the answer
//!   Ended    ─▶ job (final)  ─▶ "transcript" final, kept; "listening" off
//!   TurnQuery ─▶ JudgeTurn ─▶ turn_judged: finished ─▶ Ended (as above)
//! done ─▶ finish the utterance ─▶ when every final is in: "review"
//! submit_spoken ─▶ SpokenAnswer (the text as corrected, what was heard kept)
//! ```
//!
//! **End of turn.** With the end-of-turn model, a pause of `turn_pause_ms`
//! asks it whether the candidate's thought is finished (`JudgeTurn`); the
//! session runs it off the executor and hands the answer back
//! ([`Voice::turn_judged`]). Finished (probability at or above
//! `turn_threshold`) ends the utterance at once; unfinished lets the pause
//! run to `turn_max_hold_ms`; busy or failed leaves it to the fixed hold.
//! The client sees what it always saw at an utterance's end.
//!
//! **Review.** The answer as heard is shown to the candidate to correct
//! before it is submitted (see `review`). While it is shown, speech is not
//! added to it: the client still hears "listening" (the interviewer's voice
//! waits on it), but no unit is transcribed until the review is discarded
//! or an answer is stored.
//!
//! **Backchannels.** A unit whose whole text is "mm-hm", "right" and the
//! like (`speech::backchannel`) is not part of the answer. Its final is
//! still sent, marked, so a client holding the interviewer's voice for it
//! knows to carry on; partials say whether every word so far is one.
//!
//! **Early passes.** A segment or utterance ends only once its pause has
//! lasted `segment_pause_ms` (or the hold, or done is pressed), and its
//! final pass starts then. A pass started when the pause is `early_pass_ms`
//! old covers the same speech: if none follows before the cut, the cut
//! adopts it instead of starting another, and the final is ready that much
//! sooner. If the candidate speaks again, the early pass is withdrawn: left
//! waiting, a talker's stale passes made their session the recogniser's
//! largest share, and a flooding session's final then took the place of
//! their real one (a flaky "busy" under load).
//!
//! Segments and utterances are both transcription *units*, numbered in
//! speaking order. Their finals can come back out of order (a final may
//! overtake a waiting partial in the recogniser's queue, and there may be
//! several workers), so they are held and sent in unit order: the client
//! appends finals as they come.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::speech::analytics::{AnalyticsConfig, SpeechAnalytics, TimedTranscript, analyse};
use crate::speech::backchannel::is_backchannel;
use crate::speech::frame::{AudioBudget, AudioFrame, Sequence, SequenceTracker};
use crate::speech::partial::Stabiliser;
use crate::speech::turn::{EndOfTurn, TurnError};
use crate::speech::utterance::{
    Assembler, Utterance, UtteranceConfig, UtteranceEvent, ms_for_samples,
};
use crate::speech::{SpeechError, Transcriber, Transcript};

use super::protocol::ServerMsg;

/// Everything a session needs to take spoken answers.
#[derive(Clone)]
pub struct VoiceSetup {
    pub transcriber: Arc<dyn Transcriber>,
    /// The end-of-turn model; `None`: every pause waits the fixed hold.
    pub turn: Option<Arc<dyn EndOfTurn>>,
    pub tuning: VoiceTuning,
}

/// How audio is cut, bounded and measured.
#[derive(Clone, Debug)]
pub struct VoiceTuning {
    pub utterance: UtteranceConfig,
    pub max_frame_bytes: usize,
    pub max_session_audio_seconds: u32,
    pub analytics: AnalyticsConfig,
    /// Below this confidence an answer is too unclear to judge (see
    /// `[voice] min_assess_confidence`).
    pub min_assess_confidence: f32,
    /// The end-of-turn model's probability at or above which a turn is over.
    pub turn_threshold: f32,
}

/// What the session task should do next.
#[derive(Debug)]
pub enum Action {
    Send(ServerMsg),
    Transcribe(Job),
    /// The early pass of this number is no longer wanted (the candidate
    /// spoke on): stop waiting for it, so it gives up its place in the
    /// recogniser's queue.
    Withdraw(u64),
    /// Ask the end-of-turn model about a pause (one at a time: a newer
    /// one replaces it), then call [`Voice::turn_judged`].
    JudgeTurn(TurnJob),
    /// The candidate submitted the answer they reviewed.
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
    /// An early pass, by its number (see the module notes).
    pub early: Option<u64>,
    /// Where the utterance began within the answer, for the analytics.
    pub offset_ms: u64,
    pub request: crate::speech::Request,
}

/// A pause for the end-of-turn model to judge.
#[derive(Debug)]
pub struct TurnJob {
    /// The prompt the audio answers: a verdict for an earlier one is dropped.
    pub epoch: u64,
    /// The pause, as the assembler names it.
    pub pause: u64,
    /// The utterance's last 8 s, ending in the pause.
    pub audio: crate::speech::Samples,
}

/// One unit's final transcript, as far as it has come.
#[derive(Debug)]
enum Unit {
    Pending,
    /// Transcribed; `offset_ms` is where the unit began within the answer.
    Heard {
        offset_ms: u64,
        transcript: Transcript,
    },
    /// Nothing to add to the answer: empty, or the recogniser failed.
    Nothing,
    /// Only backchannels ("mm-hm"): sent, marked, and not part of the answer.
    Backchannel(String),
}

/// What a transcription job is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Pass {
    /// The growing unit, for display; may be dropped under load.
    Partial,
    /// A cut unit's final.
    Final,
    /// An early pass, by its number (see the module notes).
    Early(u64),
}

/// A pass on the speech before a pause, started before the pause is known
/// to end anything.
#[derive(Debug)]
struct Early {
    id: u64,
    unit: u64,
    /// The stream positions a cut must share to adopt it: no speech since.
    start: u64,
    speech_end: u64,
    state: EarlyState,
}

#[derive(Debug)]
enum EarlyState {
    Running,
    /// Back before any cut.
    Done(Transcript),
    /// Refused (busy) or failed before any cut: the cut starts its own
    /// pass rather than inherit the failure, and this pause gets no other.
    Failed,
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
    /// The unit (segment or utterance) being spoken; counts up, never reused.
    utterance: u64,
    /// This answer's units sent for a final transcript, by unit.
    units: BTreeMap<u64, Unit>,
    /// Units below this one have had their final sent to the client.
    released: u64,
    /// The early pass of the current pause, until a cut adopts or drops it.
    early: Option<Early>,
    /// Early passes a cut adopted while they ran: by pass, the unit whose
    /// final each one is and where that unit began.
    adopted: BTreeMap<u64, (u64, u64)>,
    /// Numbers early passes.
    early_passes: u64,
    /// A partial pass is being transcribed. Partials are coalesced: while
    /// one runs, newer ones are skipped (the next one covers their audio),
    /// so audio arriving in a burst cannot queue up stale passes.
    partial_in_flight: bool,
    /// The candidate said they are done; submit once no unit is pending.
    done: bool,
    /// Stream position where the current answer began.
    answer_start: u64,
    prompt: String,
    /// The answer as heard, waiting for the candidate to submit or discard.
    review: Option<Review>,
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
            units: BTreeMap::new(),
            released: 0,
            early: None,
            adopted: BTreeMap::new(),
            early_passes: 0,
            partial_in_flight: false,
            done: false,
            answer_start: 0,
            prompt: String::new(),
            review: None,
        }
    }

    /// A new prompt was asked: what was said before belongs to no answer,
    /// including an utterance still being spoken and transcriptions in flight.
    pub fn new_prompt(&mut self, prompt: &str) {
        self.prompt = crate::speech::answer_prompt(prompt);
        self.restart();
    }

    /// The answer starts afresh: nothing heard so far belongs to it, and a
    /// transcription still out for it arrives too late to count.
    fn restart(&mut self) {
        self.epoch += 1;
        self.units.clear();
        self.early = None;
        self.adopted.clear();
        self.done = false;
        self.review = None;
        self.stabiliser.reset();
        self.utterance += 1;
        self.assembler = Assembler::new(self.setup.utterance.clone());
        self.answer_start = 0;
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
        self.assembled(events)
    }

    /// What the assembler completed, then an early pass if a pause is now
    /// old enough for one. While a review is open only "listening" is said.
    fn assembled(&mut self, events: Vec<UtteranceEvent>) -> Vec<Action> {
        if self.review.is_some() {
            return events.into_iter().filter_map(listening).collect();
        }
        let mut actions: Vec<Action> = events.into_iter().flat_map(|e| self.event(e)).collect();
        actions.extend(self.early_pass());
        actions
    }

    /// An early pass on the current pause, withdrawing the one it replaces.
    fn early_pass(&mut self) -> Vec<Action> {
        let Some((_, speech_end)) = self.assembler.pause() else {
            return Vec::new();
        };
        let unit = self.utterance;
        if self
            .early
            .as_ref()
            .is_some_and(|e| e.unit == unit && e.speech_end == speech_end)
        {
            return Vec::new(); // this pause has its pass
        }
        let Some(piece) = self.assembler.early_cut() else {
            return Vec::new();
        };
        let mut actions: Vec<Action> = self.early.take().and_then(withdraw).into_iter().collect();
        self.early_passes += 1;
        let id = self.early_passes;
        self.early = Some(Early {
            id,
            unit,
            start: piece.start,
            speech_end: piece.speech_end,
            state: EarlyState::Running,
        });
        actions.push(self.job(Pass::Early(id), self.offset_ms(piece.start), piece.audio));
        actions
    }

    /// The candidate finished answering by voice. Pressed again while the
    /// review is open, the review is sent again.
    pub fn finish(&mut self) -> Vec<Action> {
        if let Some(review) = &self.review {
            return vec![Action::Send(review.message())];
        }
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

    /// The end-of-turn model's answer about a pause.
    pub fn turn_judged(&mut self, job: &TurnJob, result: Result<f32, TurnError>) -> Vec<Action> {
        if job.epoch != self.epoch {
            return Vec::new();
        }
        match result {
            Ok(probability) => {
                let finished = probability >= self.setup.turn_threshold;
                tracing::debug!(probability, finished, "end of turn judged");
                let events = self.assembler.turn_verdict(job.pause, finished);
                self.assembled(events)
            }
            Err(error) => {
                // The fixed hold ends this pause, as without a model.
                tracing::debug!(%error, "no end-of-turn verdict; the fixed hold decides");
                self.assembler.turn_unavailable(job.pause);
                Vec::new()
            }
        }
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
        if let Some(id) = job.early {
            if let Some((unit, offset_ms)) = self.adopted.remove(&id) {
                return self.heard(unit, offset_ms, result);
            }
            if let Some(early) = self.early.as_mut().filter(|e| e.id == id) {
                early.state = match result {
                    Ok(transcript) => EarlyState::Done(transcript),
                    Err(_) => EarlyState::Failed,
                };
            }
            // Otherwise dropped: the candidate spoke on.
            return Vec::new();
        }
        if job.partial {
            // A partial for an utterance already over is stale, and so is
            // one that comes back once the review is open.
            return match result {
                Ok(t)
                    if utterance == self.utterance
                        && self.review.is_none()
                        && !t.text.trim().is_empty() =>
                {
                    let shown = self.stabiliser.update(t.text.trim());
                    vec![Action::Send(ServerMsg::Transcript {
                        is_final: false,
                        stable: shown.stable,
                        tentative: shown.tentative,
                        low_confidence: false,
                        backchannel: is_backchannel(&t.text),
                    })]
                }
                _ => Vec::new(),
            };
        }
        self.heard(utterance, offset_ms, result)
    }

    /// A unit's final transcript is in: send what is complete, and submit
    /// if the candidate is done.
    fn heard(
        &mut self,
        utterance: u64,
        offset_ms: u64,
        result: Result<Transcript, SpeechError>,
    ) -> Vec<Action> {
        let Some(unit) = self.units.get_mut(&utterance) else {
            return Vec::new();
        };
        let mut actions = Vec::new();
        *unit = match result {
            Ok(transcript) if is_backchannel(&transcript.text) => {
                Unit::Backchannel(transcript.text.trim().to_owned())
            }
            Ok(transcript) if !transcript.text.trim().is_empty() => Unit::Heard {
                offset_ms,
                transcript,
            },
            Ok(_) => Unit::Nothing,
            Err(error) => {
                tracing::warn!(%error, "an utterance could not be transcribed");
                actions.push(Action::Send(ServerMsg::error(
                    "speech_unavailable",
                    format!("{error}; please repeat that, or type your answer."),
                )));
                Unit::Nothing
            }
        };
        actions.extend(self.release());
        actions.extend(self.submit_if_ready());
        actions
    }

    /// Finals of the units now complete from the front, in unit order.
    fn release(&mut self) -> Vec<Action> {
        let mut actions = Vec::new();
        for (&id, unit) in self.units.range(self.released..) {
            match unit {
                Unit::Pending => break,
                Unit::Nothing => {}
                Unit::Backchannel(text) => {
                    actions.push(Action::Send(ServerMsg::Transcript {
                        is_final: true,
                        stable: text.clone(),
                        tentative: String::new(),
                        low_confidence: false,
                        backchannel: true,
                    }));
                }
                Unit::Heard { transcript, .. } => {
                    actions.push(Action::Send(ServerMsg::Transcript {
                        is_final: true,
                        stable: transcript.text.trim().to_owned(),
                        tentative: String::new(),
                        low_confidence: transcript.confidence < self.setup.analytics.min_confidence,
                        backchannel: false,
                    }));
                }
            }
            self.released = id + 1;
        }
        actions
    }

    fn event(&mut self, event: UtteranceEvent) -> Vec<Action> {
        match event {
            UtteranceEvent::Started { .. } => {
                self.utterance += 1;
                self.stabiliser.reset();
                vec![Action::Send(ServerMsg::Listening { speaking: true })]
            }
            UtteranceEvent::Partial { .. } if self.partial_in_flight => Vec::new(),
            UtteranceEvent::Partial { start, audio } => {
                self.partial_in_flight = true;
                vec![self.job(Pass::Partial, self.offset_ms(start), audio)]
            }
            UtteranceEvent::Segment(segment) => {
                let actions = self.settle(self.offset_ms(segment.start), segment);
                // What is said next is a new unit, with its own partials.
                self.utterance += 1;
                self.stabiliser.reset();
                actions
            }
            UtteranceEvent::Ended(utterance) => {
                let mut actions = vec![Action::Send(ServerMsg::Listening { speaking: false })];
                actions.extend(self.settle(self.offset_ms(utterance.start), utterance));
                actions
            }
            UtteranceEvent::Dropped { .. } => {
                vec![Action::Send(ServerMsg::Listening { speaking: false })]
            }
            UtteranceEvent::TurnQuery { pause, audio } => vec![Action::JudgeTurn(TurnJob {
                epoch: self.epoch,
                pause,
                audio,
            })],
        }
    }

    /// The current unit is cut: its final comes from the early pass on the
    /// same speech if there is one, else from a pass started now.
    fn settle(&mut self, offset_ms: u64, piece: Utterance) -> Vec<Action> {
        let unit = self.utterance;
        self.units.insert(unit, Unit::Pending);
        let (early, stale) = match self.early.take() {
            Some(e)
                if e.unit == unit && e.start == piece.start && e.speech_end == piece.speech_end =>
            {
                (Some(e), None)
            }
            other => (None, other.and_then(withdraw)),
        };
        let mut actions: Vec<Action> = stale.into_iter().collect();
        actions.extend(self.adopt_or_pass(unit, offset_ms, early, piece));
        actions
    }

    fn adopt_or_pass(
        &mut self,
        unit: u64,
        offset_ms: u64,
        early: Option<Early>,
        piece: Utterance,
    ) -> Vec<Action> {
        match early.map(|e| (e.id, e.state)) {
            Some((_, EarlyState::Done(transcript))) => self.heard(unit, offset_ms, Ok(transcript)),
            Some((id, EarlyState::Running)) => {
                self.adopted.insert(id, (unit, offset_ms));
                Vec::new()
            }
            // None for this speech, or it failed: a pass of its own.
            None | Some((_, EarlyState::Failed)) => {
                vec![self.job(Pass::Final, offset_ms, piece.audio)]
            }
        }
    }

    /// Where a piece starting at stream position `start` begins within the
    /// answer, for the analytics.
    fn offset_ms(&self, start: u64) -> u64 {
        ms_for_samples(start.saturating_sub(self.answer_start))
    }

    fn job(&self, pass: Pass, offset_ms: u64, audio: crate::speech::Samples) -> Action {
        let partial = pass == Pass::Partial;
        Action::Transcribe(Job {
            epoch: self.epoch,
            utterance: self.utterance,
            partial,
            early: match pass {
                Pass::Early(id) => Some(id),
                _ => None,
            },
            offset_ms,
            request: crate::speech::Request {
                audio,
                initial_prompt: Some(self.prompt.clone()),
                partial,
                owner: None,
            },
        })
    }

    /// Once the candidate is done and every final is in: the review.
    fn submit_if_ready(&mut self) -> Option<Action> {
        let pending = self.units.values().any(|u| matches!(u, Unit::Pending));
        if !self.done || pending {
            return None;
        }
        self.done = false;
        let units = std::mem::take(&mut self.units);
        let finals: Vec<(u64, &Transcript)> = units
            .values()
            .filter_map(|unit| match unit {
                Unit::Heard {
                    offset_ms,
                    transcript,
                } => Some((*offset_ms, transcript)),
                _ => None,
            })
            .collect();
        if finals.is_empty() {
            return Some(Action::Send(ServerMsg::error(
                "no_speech",
                "No speech was heard for this answer; speak, or type your answer.",
            )));
        }
        let text = finals
            .iter()
            .map(|(_, t)| t.text.trim())
            .collect::<Vec<_>>()
            .join(" ");
        let segments: Vec<TimedTranscript<'_>> = finals
            .iter()
            .map(|&(offset_ms, transcript)| TimedTranscript {
                offset_ms,
                transcript,
            })
            .collect();
        let speech = analyse(&segments, &self.setup.analytics);
        let review = Review::new(&text, speech, self.setup.min_assess_confidence);
        let message = review.message();
        self.review = Some(review);
        Some(Action::Send(message))
    }
}

/// A superseded early pass still running is withdrawn.
fn withdraw(early: Early) -> Option<Action> {
    matches!(early.state, EarlyState::Running).then_some(Action::Withdraw(early.id))
}

mod review;
use review::{Review, listening};

#[cfg(test)]
mod review_tests;
#[cfg(test)]
mod tests;
