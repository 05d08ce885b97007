//! Exports for reviewers: the transcript (every prompt and answer, with times)
//! and the report, as JSON, Markdown, self-contained HTML (with the inline
//! SVG chart) and WebVTT. JSON shapes are documented in docs/protocol.md; the
//! others are for people.

mod chart;
mod html;
mod markdown;
mod vtt;

use serde::Serialize;

use crate::engine::{EpochMs, Event, PromptKind, StoredEvent};
use crate::grading::AnswerScore;
use crate::report::LoopRef;
use crate::speech::analytics::SpeechAnalytics;

pub use chart::dimension_chart_svg;
pub use html::report_html;
pub use markdown::{report_markdown, transcript_markdown};
pub use vtt::transcript_vtt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Json,
    Md,
    /// The report only: one self-contained page with the chart.
    Html,
    /// The transcript only: WebVTT captions.
    Vtt,
}

#[derive(Clone, Debug, Serialize)]
pub struct Transcript {
    pub session_id: String,
    #[serde(rename = "loop")]
    pub loop_ref: LoopRef,
    pub started_at: EpochMs,
    pub entries: Vec<Entry>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Speaker {
    Interviewer,
    Candidate,
    System,
}

#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub seq: u64,
    pub at: EpochMs,
    /// Seconds since the session was created.
    pub offset_seconds: f64,
    pub speaker: Speaker,
    pub round: Option<usize>,
    /// question, follow_up, answer, or a system note (round_started, time_warning, ...).
    pub kind: &'static str,
    pub text: String,
    /// For a prompt: what the interviewer said before it (a word on the
    /// last answer, or why it moved on).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead: Option<String>,
    /// For a spoken answer: how it was spoken, and a warning when the
    /// recogniser was unsure (a low score may be its fault).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Entry {
    /// What was said, as it was said: a prompt's lead, then the prompt.
    pub fn said(&self) -> String {
        match &self.lead {
            Some(lead) => format!("{lead} {}", self.text),
            None => self.text.clone(),
        }
    }
}

/// A score as the transcript notes it: who scored which answer, and the
/// flags a reviewer must see. A regrade shows up as a later note.
/// Why a fallback score stands, for a reviewer: one sentence, the same in
/// every rendering of the report (the caller escapes it for its format).
pub fn fallback_sentence(reason: Option<&str>) -> String {
    format!(
        "the configured grader failed ({}); the offline grader scored this answer.",
        reason.unwrap_or("no reason recorded")
    )
}

/// That the candidate needed hints, for a reviewer: the same sentence in
/// every rendering of the report.
pub fn hints_sentence(hints: usize) -> Option<String> {
    match hints {
        0 => None,
        1 => Some("the candidate asked for a hint on this question; the grader was told.".into()),
        n => Some(format!(
            "the candidate asked for {n} hints on this question; the grader was told."
        )),
    }
}

/// That an answer was scored again, for a reviewer: the same sentence in
/// every rendering of the report (the web debrief says it too).
pub fn regraded_sentence(scores: usize) -> Option<String> {
    (scores > 1).then(|| format!("Regraded: this answer has {scores} scores; this is the latest."))
}

/// Each corrected spoken turn's corrections, and what the recogniser heard
/// for it: the same lines in every rendering of the report.
pub fn correction_lines(a: &crate::report::AnswerReport) -> Vec<(String, String)> {
    a.turns
        .iter()
        .filter_map(|t| {
            let corrections = t.corrections.as_ref()?;
            let heard = t.speech.as_ref()?.heard.clone()?;
            Some((corrections.summary(), heard))
        })
        .collect()
}

/// An answer's score as every rendering words it.
pub fn score_words(a: &crate::report::AnswerReport, out_of: &str) -> String {
    match (&a.not_assessed, a.overall) {
        (Some(_), _) => "could not assess".to_owned(),
        (None, Some(o)) => format!("{o:.2}{out_of}"),
        (None, None) => "not scored yet".to_owned(),
    }
}

fn scored_note(round: usize, question: usize, score: &AnswerScore) -> String {
    if let Some(reason) = &score.not_assessed {
        return format!(
            "Round {} question {} could not be assessed: {reason}",
            round + 1,
            question + 1
        );
    }
    let model = score
        .provenance
        .model
        .as_ref()
        .map_or(String::new(), |m| format!(" ({m})"));
    let mut note = format!(
        "Round {} question {} scored {:.2} / 4 by {}{model}, rubric {} v{}",
        round + 1,
        question + 1,
        score.overall,
        score.grader,
        score.rubric_id,
        score.rubric_version
    );
    if score.fallback {
        let reason = score
            .fallback_reason
            .as_deref()
            .unwrap_or("no reason recorded");
        note += &format!("; fallback: {reason}");
    }
    if score.injection_suspected {
        note += "; suspected prompt injection";
    }
    note
}

fn spoken_note(speech: &SpeechAnalytics, text: &str) -> String {
    let mut note = format!("spoken: {} words", speech.words);
    if let Some(wpm) = speech.words_per_minute {
        note += &format!(", {wpm:.0} words per minute");
    }
    note += &format!(
        ", {} filler words, {} long pauses",
        speech.fillers, speech.long_pauses
    );
    if speech.low_confidence {
        note +=
            "; the speech recogniser was unsure of this answer, so a low score may be its fault";
    }
    if speech.unclear {
        note += "; submitted as heard though too unclear to judge, so not assessed";
    }
    if let Some(heard) = &speech.heard
        && let Some(c) = crate::report::corrections::corrections(heard, text)
    {
        note += &format!("; {} Heard: “{heard}”", c.summary());
    }
    note
}

/// `s` with its first letter a capital, to start a sentence.
fn sentence_case(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Builds the transcript from a session's stored events (the first must be `created`).
pub fn transcript(session_id: &str, events: &[StoredEvent]) -> Option<Transcript> {
    let Some(StoredEvent {
        event: Event::Created { at: start, plan },
        ..
    }) = events.first()
    else {
        return None;
    };
    let mut round = None;
    let mut entries = Vec::new();
    for stored in events {
        let lead = match &stored.event {
            Event::Prompted { lead, .. } => lead.clone(),
            _ => None,
        };
        let note = match &stored.event {
            Event::Answered {
                speech,
                text,
                timed_out,
                ..
            } => {
                let timed_out = timed_out.then(|| "Sent when the round's time ran out.".to_owned());
                let spoken = speech.as_ref().map(|s| spoken_note(s, text));
                match (timed_out, spoken) {
                    (Some(t), Some(s)) => Some(format!("{t} {}", sentence_case(&s))),
                    (t, s) => t.or(s),
                }
            }
            _ => None,
        };
        let (speaker, kind, text) = match &stored.event {
            Event::RoundStarted { round: r, .. } => {
                round = Some(*r);
                let planned = &plan.rounds[*r];
                (
                    Speaker::System,
                    "round_started",
                    format!(
                        "Round {}: {} ({} min)",
                        r + 1,
                        planned.title,
                        planned.minutes
                    ),
                )
            }
            Event::Prompted {
                kind, text, repeat, ..
            } => {
                let label = match kind {
                    PromptKind::Question => "question",
                    PromptKind::FollowUp => "follow_up",
                    PromptKind::Hint => "hint",
                };
                let text = if *repeat {
                    format!("(repeated) {text}")
                } else {
                    text.clone()
                };
                (Speaker::Interviewer, label, text)
            }
            Event::Answered { text, .. } => (Speaker::Candidate, "answer", text.clone()),
            Event::TimeWarning { remaining_ms, .. } => (
                Speaker::System,
                "time_warning",
                format!("{} seconds left in this round", remaining_ms / 1000),
            ),
            Event::QuestionClosed { reason, .. } => match reason {
                crate::engine::CloseReason::Skipped => {
                    (Speaker::System, "skipped", "Question skipped".into())
                }
                crate::engine::CloseReason::TimeUp => {
                    (Speaker::System, "time_up", "Time ran out".into())
                }
                crate::engine::CloseReason::Answered => continue,
            },
            Event::Paused { reason, .. } => (
                Speaker::System,
                "paused",
                format!("Paused ({reason:?})").to_lowercase(),
            ),
            Event::Resumed { .. } => (Speaker::System, "resumed", "Resumed".into()),
            Event::InterviewEnded { .. } => {
                (Speaker::System, "interview_ended", "Interview ended".into())
            }
            Event::Scored {
                round: r,
                question,
                score,
                ..
            } => (Speaker::System, "scored", scored_note(*r, *question, score)),
            Event::TestsRun { run, .. } => (
                Speaker::System,
                "tests_run",
                format!(
                    "Ran the tests ({}): {} of {} passed{}",
                    run.language,
                    run.passed,
                    run.total,
                    run.message
                        .as_deref()
                        .map(|m| format!("; {m}"))
                        .unwrap_or_default()
                ),
            ),
            Event::Created { .. }
            | Event::RoundEnded { .. }
            | Event::Completed { .. }
            | Event::Composing { .. } => {
                continue;
            }
        };
        let at = stored.event.at();
        // A score arrives after its round may have ended; it belongs to the
        // round of the answer it scores.
        let entry_round = match &stored.event {
            Event::Scored { round, .. } => Some(*round),
            _ => round,
        };
        entries.push(Entry {
            seq: stored.seq,
            at,
            offset_seconds: (at - start) as f64 / 1000.0,
            speaker,
            round: entry_round,
            kind,
            text,
            lead,
            note,
        });
    }
    Some(Transcript {
        session_id: session_id.to_owned(),
        loop_ref: LoopRef {
            id: plan.loop_id.clone(),
            title: plan.title.clone(),
        },
        started_at: *start,
        entries,
    })
}

#[cfg(test)]
mod tests;
