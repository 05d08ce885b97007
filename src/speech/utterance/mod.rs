//! Cutting a live audio stream into utterances.
//!
//! ```text
//!            onset: `onset_frames` voiced frames in a row
//!   ┌──────┐ ───────────────────────────────────────────▶ ┌──────────┐
//!   │ Idle │                                              │ Speaking │──┐ every `partial_every`
//!   └──────┘ ◀─────────────────────────────────────────── └──────────┘◀─┘ of new speech: Partial
//!     keeps     silence ≥ hold · length would pass the cap
//!     pre-roll  · finish()  →  Ended (or Dropped if too little speech)
//! ```
//!
//! **Segments.** Waiting for the silence hold (1.5 s, long enough for a
//! thinking pause) before transcribing would put the hold and a pass over
//! the whole utterance between the end of speech and its final transcript.
//! Instead, a short pause (`segment_pause`, a breath or the end of a clause)
//! after enough speech (`min_segment`) cuts the utterance there: the piece
//! before the pause is emitted as a [`UtteranceEvent::Segment`] and
//! transcribed at once, and the utterance goes on. When the candidate stops,
//! the final transcript is ready a short pause plus one pass over the last
//! phrase later, whatever the answer's length; the hold only decides when
//! the utterance (and the "listening" indicator) ends. A phrase shorter
//! than `min_segment` (often the answer's last words) is cut by a pause
//! twice as long, so it too is settled well before the hold. Cuts fall only
//! in pauses, so no word is split between two segments.
//!
//! **End of turn.** With an end-of-turn model (`turn_pause` > 0), the
//! hold is not fixed. When a pause reaches `turn_pause`, a
//! [`UtteranceEvent::TurnQuery`] offers the utterance's last 8 s for the
//! model to judge, and the caller answers with [`Assembler::turn_verdict`]
//! (or [`Assembler::turn_unavailable`] when the model is busy or failed):
//!
//! ```text
//!   pause ≥ turn_pause ─▶ TurnQuery ─┬─ finished   ─▶ Ended now (TurnComplete)
//!                                    ├─ unfinished ─▶ Ended at turn_max_hold (Silence)
//!                                    └─ no verdict yet, busy, failed
//!                                                  ─▶ Ended at silence_hold (Silence)
//!   speech before the end ─▶ the pause is over; the next one asks afresh
//! ```
//!
//! One question per pause: the model was trained on the audio a short
//! pause after speech, and as the silence grows its verdicts on the same
//! words swing either way (benches/README.md), so asking again later adds
//! noise, not knowledge.
//!
//! Deterministic: time is the number of samples pushed since the stream
//! began (16 per millisecond); nothing reads a clock, so a test replays a
//! recording and gets the same cuts, whatever the chunk sizes. A verdict is
//! an input like audio: it takes effect where in the stream it is given.

use std::collections::VecDeque;

use super::vad::{FRAME_SAMPLES, Vad, VadFrame};
use super::{SAMPLE_RATE, Samples};
use crate::config::{Limits, VoiceConfig};

/// A position in the stream, in samples since the first one pushed.
pub type SamplePos = u64;

/// Samples in `ms` milliseconds.
pub fn samples_for_ms(ms: u32) -> usize {
    (u64::from(ms) * u64::from(SAMPLE_RATE) / 1_000) as usize
}

/// Milliseconds spanned by `samples`.
pub fn ms_for_samples(samples: u64) -> u64 {
    samples * 1_000 / u64::from(SAMPLE_RATE)
}

/// The assembler's settings, in samples.
#[derive(Clone, Debug)]
pub struct UtteranceConfig {
    pub vad_threshold: f32,
    /// Voiced frames in a row that start an utterance: 4 frames (64 ms) so a
    /// click or a single loud frame does not.
    pub onset_frames: usize,
    pub silence_hold: usize,
    pub partial_every: usize,
    pub pre_roll: usize,
    pub min_speech: usize,
    pub max_utterance: usize,
    /// Audio kept after the last voiced frame when an utterance ends: word
    /// endings (a soft "s", a fading vowel) often score below the threshold,
    /// and the rest of the silence hold is only work for the recogniser.
    pub tail: usize,
    /// Silence that cuts a segment; 0 turns segments off (one transcript
    /// per utterance).
    pub segment_pause: usize,
    /// Speech a segment needs before a pause may cut it: shorter pieces
    /// give the recogniser too little context.
    pub min_segment: usize,
    /// Silence after which [`Assembler::early_cut`] offers the speech so
    /// far; 0 never.
    pub early_pass: usize,
    /// Silence after which the end-of-turn model is asked
    /// ([`UtteranceEvent::TurnQuery`]); 0: no model, `silence_hold` ends
    /// every utterance.
    pub turn_pause: usize,
    /// Silence that ends an utterance the model judged unfinished.
    pub turn_max_hold: usize,
    /// Audio a turn query carries: the utterance's last this many samples.
    pub turn_window: usize,
}

impl UtteranceConfig {
    pub fn new(voice: &VoiceConfig, limits: &Limits) -> UtteranceConfig {
        UtteranceConfig {
            vad_threshold: voice.vad_threshold.get(),
            onset_frames: 4,
            silence_hold: samples_for_ms(voice.silence_hold_ms.get()),
            partial_every: samples_for_ms(voice.partial_every_ms.get()),
            pre_roll: samples_for_ms(voice.pre_roll_ms.get()),
            min_speech: samples_for_ms(voice.min_speech_ms.get()),
            max_utterance: samples_for_ms(limits.max_utterance_seconds.get().saturating_mul(1_000)),
            tail: samples_for_ms(200),
            segment_pause: samples_for_ms(voice.segment_pause_ms.get()),
            min_segment: samples_for_ms(voice.min_segment_ms.get()),
            early_pass: samples_for_ms(voice.early_pass_ms.get()),
            turn_pause: 0,
            turn_max_hold: samples_for_ms(voice.turn_max_hold_ms.get()),
            turn_window: crate::speech::turn::features::WINDOW_SAMPLES,
        }
    }

    /// Turns end as the end-of-turn model judges (see the module notes):
    /// for a server that has the model loaded.
    pub fn with_end_of_turn(self, voice: &VoiceConfig) -> UtteranceConfig {
        UtteranceConfig {
            turn_pause: samples_for_ms(voice.turn_pause_ms.get()),
            turn_max_hold: samples_for_ms(voice.turn_max_hold_ms.get()),
            ..self
        }
    }
}

impl Default for UtteranceConfig {
    fn default() -> Self {
        UtteranceConfig::new(&VoiceConfig::default(), &Limits::default())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum UtteranceEvent {
    /// Speech began; `start` includes the pre-roll.
    Started { start: SamplePos },
    /// A settled piece of an utterance that goes on: the audio since the
    /// previous cut, up to a pause.
    Segment(Utterance),
    /// The current segment so far, for a partial transcript.
    Partial { start: SamplePos, audio: Samples },
    /// The utterance is over; the audio since the last segment.
    Ended(Utterance),
    /// The utterance is over with nothing (more) to transcribe: too little
    /// speech (a cough, a click), or none since its last segment. The client
    /// may clear its "listening" indicator.
    Dropped { start: SamplePos, end: SamplePos },
    /// A pause reached `turn_pause`: is the turn over? `audio` is the
    /// utterance's last `turn_window` samples, ending now; `pause` names
    /// the pause (where its speech ended) for [`Assembler::turn_verdict`].
    TurnQuery { pause: SamplePos, audio: Samples },
}

/// A finished utterance, or a segment of one.
#[derive(Clone, Debug, PartialEq)]
pub struct Utterance {
    /// First sample of `audio` in the stream (pre-roll included).
    pub start: SamplePos,
    /// End of the last frame scored as speech.
    pub speech_end: SamplePos,
    /// End of `audio` (speech end plus a short tail, unless the cap cut it).
    pub end: SamplePos,
    pub reason: EndReason,
    /// Samples scored as speech (in this segment).
    pub voiced: u64,
    pub audio: Samples,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// A silence hold passed: the fixed one, or the longer one after the
    /// end-of-turn model judged the thought unfinished.
    Silence,
    /// The end-of-turn model judged the thought finished, a short pause
    /// after the last word.
    TurnComplete,
    /// The utterance reached `max_utterance_seconds` while speech went on.
    HardCap,
    /// The caller ended it ([`Assembler::finish`]), e.g. the candidate pressed done.
    Finished,
    /// A short pause cut a segment; the utterance goes on.
    Pause,
}

#[derive(Debug)]
enum State {
    Idle {
        /// The last `pre_roll` samples plus any onset frames.
        ring: VecDeque<i16>,
        voiced_run: usize,
    },
    Speaking(Speaking),
}

/// The utterance being spoken. `audio` holds only its current segment:
/// what earlier segments covered is gone.
#[derive(Debug)]
struct Speaking {
    /// Stream position of `audio[0]`.
    start: SamplePos,
    audio: Vec<i16>,
    /// Voiced samples in `audio`.
    voiced: usize,
    /// Segments already cut from this utterance.
    segments: usize,
    /// `audio` index just past the last voiced frame.
    last_voiced_end: usize,
    silence: usize,
    voiced_since_partial: usize,
    /// Stream position where the last voiced frame ended: names the
    /// current pause for a turn verdict.
    speech_end_at: SamplePos,
    /// Voiced samples in the whole utterance, segments included.
    utterance_voiced: usize,
    /// The utterance's last `turn_window` samples, for turn queries; kept
    /// only when there is a model to ask.
    recent: VecDeque<i16>,
    verdict: Verdict,
}

/// What the end-of-turn model said about the current pause.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    /// Not asked (yet): no model, or the pause is young.
    Unasked,
    /// Asked, no answer yet; busy or failed comes to the same: the fixed
    /// hold decides.
    Pending,
    /// The thought is unfinished: wait up to `turn_max_hold`.
    Unfinished,
}

/// Feeds on PCM, emits [`UtteranceEvent`]s. One per audio stream.
#[derive(Debug)]
pub struct Assembler {
    config: UtteranceConfig,
    vad: Vad,
    state: State,
    /// Samples scored so far (the start of the next VAD frame).
    position: SamplePos,
}

impl Assembler {
    pub fn new(config: UtteranceConfig) -> Assembler {
        Assembler {
            vad: Vad::new(config.vad_threshold),
            config,
            state: idle(),
            position: 0,
        }
    }

    /// Stream position up to which audio has been scored.
    pub fn position(&self) -> SamplePos {
        self.position
    }

    pub fn is_speaking(&self) -> bool {
        matches!(self.state, State::Speaking(_))
    }

    /// Where the current pause began, once it has lasted `early_pass`:
    /// the `start` and `speech_end` that the segment or utterance it may
    /// end will have if no more speech comes. Cheap: called on every frame.
    pub fn pause(&self) -> Option<(SamplePos, SamplePos)> {
        let State::Speaking(speaking) = &self.state else {
            return None;
        };
        let paused = self.config.early_pass > 0
            && speaking.silence >= self.config.early_pass
            && speaking.voiced >= needed(&self.config, speaking);
        paused.then(|| {
            let speech_end = speaking.start + speaking.last_voiced_end as u64;
            (speaking.start, speech_end)
        })
    }

    /// The piece a cut would settle if the current [`pause`](Self::pause)
    /// goes on: the speech since the last cut and the silence after it (up
    /// to the usual tail), with the bounds the cut will have.
    pub fn early_cut(&self) -> Option<Utterance> {
        let (start, speech_end) = self.pause()?;
        let State::Speaking(speaking) = &self.state else {
            return None;
        };
        let keep = (speaking.last_voiced_end + self.config.tail).min(speaking.audio.len());
        Some(Utterance {
            start,
            speech_end,
            end: start + keep as u64,
            reason: EndReason::Pause,
            voiced: speaking.voiced as u64,
            audio: to_samples(&speaking.audio[..keep]),
        })
    }

    /// Pushes a chunk of any length; returns what it completed, in order.
    pub fn push(&mut self, pcm: &[i16]) -> Vec<UtteranceEvent> {
        let mut events = Vec::new();
        // The VAD borrows its own buffer for the frame, so the frame is
        // copied out before the state machine (which needs `&mut self`) runs.
        let mut frames: Vec<([i16; FRAME_SAMPLES], bool)> = Vec::new();
        self.vad.push(pcm, |frame: VadFrame<'_>| {
            frames.push((*frame.samples, frame.voiced))
        });
        for (samples, voiced) in &frames {
            self.on_frame(samples, *voiced, &mut events);
        }
        events
    }

    /// Pushes one frame already judged speech or not, bypassing the VAD: for
    /// a caller with its own detector, and for tests of the cutting rules.
    pub fn push_decided(
        &mut self,
        frame: &[i16; FRAME_SAMPLES],
        voiced: bool,
    ) -> Vec<UtteranceEvent> {
        let mut events = Vec::new();
        self.on_frame(frame, voiced, &mut events);
        events
    }

    /// Ends the current utterance now (the candidate said they are done, or
    /// the microphone stopped). Samples short of a whole VAD frame (under
    /// 16 ms) are not included.
    pub fn finish(&mut self) -> Option<UtteranceEvent> {
        match std::mem::replace(&mut self.state, idle()) {
            State::Speaking(speaking) => Some(self.end(speaking, EndReason::Finished)),
            State::Idle { .. } => None,
        }
    }

    /// The end-of-turn model's answer to the [`UtteranceEvent::TurnQuery`]
    /// for `pause`: a finished thought ends the utterance now; an
    /// unfinished one gives the pause up to `turn_max_hold`. An answer for
    /// a pause that is over (speech came, or the utterance ended) is
    /// ignored.
    pub fn turn_verdict(&mut self, pause: SamplePos, finished: bool) -> Vec<UtteranceEvent> {
        if !self.awaits_verdict(pause) {
            return Vec::new();
        }
        if finished {
            let State::Speaking(speaking) = std::mem::replace(&mut self.state, idle()) else {
                unreachable!("awaits_verdict checked Speaking");
            };
            return vec![self.end(speaking, EndReason::TurnComplete)];
        }
        if let State::Speaking(speaking) = &mut self.state {
            speaking.verdict = Verdict::Unfinished;
        }
        Vec::new()
    }

    /// The model could not judge `pause` (busy, failed): the fixed hold
    /// ends it, as it would without a model. It already does while a
    /// verdict is pending; this only makes sure a late one is ignored.
    pub fn turn_unavailable(&mut self, pause: SamplePos) {
        if self.awaits_verdict(pause)
            && let State::Speaking(speaking) = &mut self.state
        {
            speaking.verdict = Verdict::Unasked;
        }
    }

    fn awaits_verdict(&self, pause: SamplePos) -> bool {
        matches!(&self.state, State::Speaking(s)
            if s.verdict == Verdict::Pending && s.speech_end_at == pause)
    }

    /// Silence that ends the utterance now, given what the model said.
    fn hold(config: &UtteranceConfig, speaking: &Speaking) -> usize {
        match speaking.verdict {
            Verdict::Unfinished => config.turn_max_hold,
            Verdict::Unasked | Verdict::Pending => config.silence_hold,
        }
    }

    fn on_frame(&mut self, frame: &[i16], voiced: bool, events: &mut Vec<UtteranceEvent>) {
        let config = &self.config;
        // Would this frame carry the utterance past the cap? End it first, so
        // no utterance is longer than the cap and this frame starts the next.
        if let State::Speaking(speaking) = &self.state
            && speaking.audio.len() + FRAME_SAMPLES > config.max_utterance
        {
            let State::Speaking(speaking) = std::mem::replace(&mut self.state, idle()) else {
                unreachable!("matched Speaking above");
            };
            events.push(self.end(speaking, EndReason::HardCap));
        }
        let frame_end = self.position + FRAME_SAMPLES as u64;
        self.position = frame_end;
        let config = &self.config;
        match &mut self.state {
            State::Idle { ring, voiced_run } => {
                ring.extend(frame);
                let keep = config.pre_roll + config.onset_frames * FRAME_SAMPLES;
                let excess = ring.len().saturating_sub(keep);
                ring.drain(..excess);
                *voiced_run = if voiced { *voiced_run + 1 } else { 0 };
                if *voiced_run >= config.onset_frames {
                    let audio: Vec<i16> = ring.drain(..).collect();
                    let start = frame_end - audio.len() as u64;
                    let voiced = *voiced_run * FRAME_SAMPLES;
                    let recent = if config.turn_pause > 0 {
                        audio.iter().copied().collect()
                    } else {
                        VecDeque::new()
                    };
                    self.state = State::Speaking(Speaking {
                        start,
                        last_voiced_end: audio.len(),
                        audio,
                        voiced,
                        segments: 0,
                        silence: 0,
                        voiced_since_partial: voiced,
                        speech_end_at: frame_end,
                        utterance_voiced: voiced,
                        recent,
                        verdict: Verdict::Unasked,
                    });
                    events.push(UtteranceEvent::Started { start });
                }
            }
            State::Speaking(speaking) => {
                speaking.audio.extend_from_slice(frame);
                if config.turn_pause > 0 {
                    speaking.recent.extend(frame);
                    let excess = speaking.recent.len().saturating_sub(config.turn_window);
                    speaking.recent.drain(..excess);
                }
                if voiced {
                    speaking.voiced += FRAME_SAMPLES;
                    speaking.utterance_voiced += FRAME_SAMPLES;
                    speaking.voiced_since_partial += FRAME_SAMPLES;
                    speaking.last_voiced_end = speaking.audio.len();
                    speaking.speech_end_at = frame_end;
                    speaking.silence = 0;
                    // Speech again: the pause (and any verdict on it) is over.
                    speaking.verdict = Verdict::Unasked;
                } else {
                    speaking.silence += FRAME_SAMPLES;
                }
                if speaking.silence >= Self::hold(config, speaking) {
                    let State::Speaking(speaking) = std::mem::replace(&mut self.state, idle())
                    else {
                        unreachable!("matched Speaking above");
                    };
                    events.push(self.end(speaking, EndReason::Silence));
                } else if config.segment_pause > 0
                    && speaking.silence >= config.segment_pause
                    && (speaking.voiced >= config.min_segment
                        || (speaking.silence >= 2 * config.segment_pause
                            && speaking.voiced >= needed(config, speaking)))
                {
                    events.push(cut(speaking, config.tail));
                } else if voiced && speaking.voiced_since_partial >= config.partial_every {
                    // Only after new speech: re-transcribing a pause would
                    // cost a recogniser pass and change nothing.
                    speaking.voiced_since_partial = 0;
                    events.push(UtteranceEvent::Partial {
                        start: speaking.start,
                        audio: to_samples(&speaking.audio),
                    });
                }
                if let State::Speaking(speaking) = &mut self.state {
                    events.extend(ask(config, speaking));
                }
            }
        }
    }

    fn end(&self, mut speaking: Speaking, reason: EndReason) -> UtteranceEvent {
        let start = speaking.start;
        if speaking.voiced < needed(&self.config, &speaking) {
            return UtteranceEvent::Dropped {
                start,
                end: start + speaking.audio.len() as u64,
            };
        }
        if reason != EndReason::HardCap {
            let keep = (speaking.last_voiced_end + self.config.tail).min(speaking.audio.len());
            speaking.audio.truncate(keep);
        }
        UtteranceEvent::Ended(Utterance {
            start,
            speech_end: start + speaking.last_voiced_end as u64,
            end: start + speaking.audio.len() as u64,
            reason,
            voiced: speaking.voiced as u64,
            audio: to_samples(&speaking.audio),
        })
    }
}

/// The turn query for the current pause, once, when it reaches
/// `turn_pause` and the utterance has enough speech to be kept at all
/// (less is dropped by the hold whatever the model says).
fn ask(config: &UtteranceConfig, speaking: &mut Speaking) -> Option<UtteranceEvent> {
    let reached = speaking.silence >= config.turn_pause
        && speaking.silence < config.turn_pause + FRAME_SAMPLES;
    let ask = config.turn_pause > 0
        && reached
        && speaking.verdict == Verdict::Unasked
        && speaking.utterance_voiced >= config.min_speech.max(1);
    ask.then(|| {
        speaking.verdict = Verdict::Pending;
        UtteranceEvent::TurnQuery {
            pause: speaking.speech_end_at,
            audio: speaking
                .recent
                .iter()
                .map(|&s| f32::from(s) / 32_768.0)
                .collect(),
        }
    })
}

/// Speech a piece needs to be transcribed rather than dropped. After a
/// segment, the utterance has proved to be speech: the rest needs only as
/// much as an onset (a short last word counts).
fn needed(config: &UtteranceConfig, speaking: &Speaking) -> usize {
    let needed = if speaking.segments == 0 {
        config.min_speech
    } else {
        config.onset_frames * FRAME_SAMPLES
    };
    needed.max(1)
}

/// Cuts the segment that ends in the current pause; the utterance goes on
/// from here with empty audio.
fn cut(speaking: &mut Speaking, tail: usize) -> UtteranceEvent {
    let keep = (speaking.last_voiced_end + tail).min(speaking.audio.len());
    let audio = to_samples(&speaking.audio[..keep]);
    let segment = Utterance {
        start: speaking.start,
        speech_end: speaking.start + speaking.last_voiced_end as u64,
        end: speaking.start + keep as u64,
        reason: EndReason::Pause,
        voiced: speaking.voiced as u64,
        audio,
    };
    speaking.start += speaking.audio.len() as u64;
    speaking.audio.clear();
    speaking.voiced = 0;
    speaking.voiced_since_partial = 0;
    speaking.last_voiced_end = 0;
    speaking.segments += 1;
    UtteranceEvent::Segment(segment)
}

fn idle() -> State {
    State::Idle {
        ring: VecDeque::new(),
        voiced_run: 0,
    }
}

/// PCM16 to the recogniser's [-1, 1] floats.
fn to_samples(pcm: &[i16]) -> Samples {
    pcm.iter().map(|&s| f32::from(s) / 32_768.0).collect()
}

#[cfg(test)]
mod tests;
