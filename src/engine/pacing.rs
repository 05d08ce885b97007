//! What the scripted interviewer does after an answer: which follow-up, if
//! any, and the few words it says first.
//!
//! An interviewer keeps at a question while something a strong answer
//! covers is still missing and the round has time for it, and moves on with
//! a word about why. The grader's reading of the answers so far (which key
//! points are covered, mentioned or missed) says what is missing, so a
//! follow-up never asks for what the candidate just said:
//!
//! 1. the question's own probe for a dimension with a key point not yet
//!    covered, or with none to read (and whose signal the answer does not
//!    already show);
//! 2. else a key point the candidate only mentioned, pressed in their own
//!    words ("You mentioned …; how exactly would that work?"): a mention is
//!    not a mechanism;
//! 3. else, once, a thin answer that covered nothing is asked to go deeper;
//! 4. else, or when the question's follow-ups or its share of the round's
//!    time are spent, it moves on.
//!
//! Without a grader reading the probes go by the rubric's signal phrases
//! alone, as before.

use std::collections::BTreeSet;

use crate::content::{RoundKind, Rubric};
use crate::outcome::{Coverage, KeyPointResult};
use crate::text::signals;

use super::EpochMs;
use super::plan::PlannedRound;
use super::state::Active;

/// An answer with fewer words than this that covers nothing is thin.
const THIN_WORDS: usize = 40;
/// Longest quote of the candidate's words said back in a follow-up.
const MAX_QUOTE_CHARS: usize = 120;
const GO_DEEPER: &str =
    "Can you go deeper on that? Walk me through how it would work, step by step.";
/// The same, for a story (values rounds tell what happened, not how
/// something works).
const GO_DEEPER_STORY: &str = "Can you take me through that in more detail? What exactly did you do, and what happened as a result?";

/// The interviewer's next move.
#[derive(Debug, PartialEq)]
pub(super) enum Next {
    Ask {
        signal: Option<String>,
        text: String,
        lead: String,
    },
    MoveOn {
        lead: String,
    },
}

/// The answers to the open question, the prompts asked for it so far, and
/// the grader's reading of the answers, if any.
pub(super) struct Heard<'a> {
    pub answers: &'a [String],
    pub prompts: &'a [String],
    pub coverage: Option<&'a [KeyPointResult]>,
}

pub(super) fn next(round: &PlannedRound, active: &Active, heard: &Heard<'_>, now: EpochMs) -> Next {
    let rubric = &round.rubric;
    let gaps = gaps(rubric, heard.coverage);
    // Only a reading can say what is short; without one, name nothing.
    let named = heard.coverage.is_some_and(|c| !c.is_empty());
    let leave = |why: &str| match gaps.first().filter(|_| named) {
        Some(gap) => format!("Let's leave {} there; {why}", lower(gap)),
        None => format!("Let's leave it there; {why}"),
    };
    let last_question = active.question + 1 >= round.questions.len();
    let onward = if last_question {
        "that's all I wanted to ask in this round."
    } else {
        "I want to make sure we get to the next question."
    };
    if active.follow_ups_asked >= round.max_follow_ups {
        return Next::MoveOn {
            lead: leave(onward),
        };
    }
    if !last_question && out_of_share(round, active, now) {
        return Next::MoveOn {
            lead: leave("we need the time for the next question."),
        };
    }
    let ack = ACKS[(active.question + active.follow_ups_asked as usize) % ACKS.len()];
    let question = &round.questions[active.question];
    let shown = signals::detect(rubric, heard.answers);
    // A dimension the question has no key points for is not in the
    // reading: its probes go by signal phrases alone.
    let read = |dimension: &str| {
        heard
            .coverage
            .is_some_and(|c| c.iter().any(|p| p.dimension == dimension))
    };
    let probe = question.probes.iter().find(|p| {
        !shown.contains(p.signal.as_str())
            && !active.probed.contains(&p.signal)
            && dimension_of(rubric, &p.signal)
                .is_none_or(|d| gaps.iter().any(|g| g.id == d) || !read(d))
    });
    if let Some(probe) = probe {
        return Next::Ask {
            signal: Some(probe.signal.clone()),
            text: probe.text.clone(),
            lead: ack.to_owned(),
        };
    }
    let Some(coverage) = heard.coverage.filter(|c| !c.is_empty()) else {
        return Next::MoveOn {
            lead: "Okay, let's move on.".to_owned(),
        };
    };
    let asked = |words: &str| heard.prompts.iter().any(|p| p.contains(words));
    let mentioned = coverage
        .iter()
        .find_map(|point| match (&point.status, &point.quote) {
            (Coverage::Mentioned, Some(quote)) => {
                let quote = said_back(quote);
                (!quote.is_empty() && !asked(&quote)).then_some(quote)
            }
            _ => None,
        });
    let story = round.kind == RoundKind::Values;
    if let Some(quote) = mentioned {
        let ask = if story {
            "Tell me more about that: what exactly did you do, and why?"
        } else {
            "How exactly would that work, and what could go wrong with it?"
        };
        return Next::Ask {
            signal: None,
            text: format!("You mentioned \u{201c}{quote}\u{201d}. {ask}"),
            lead: PUSHES[active.follow_ups_asked as usize % PUSHES.len()].to_owned(),
        };
    }
    let covered_any = coverage.iter().any(|p| p.status == Coverage::Covered);
    let latest_words = heard
        .answers
        .last()
        .map_or(0, |a| a.split_whitespace().count());
    let deeper = if story { GO_DEEPER_STORY } else { GO_DEEPER };
    if !covered_any && latest_words < THIN_WORDS && !asked(deeper) {
        return Next::Ask {
            signal: None,
            text: deeper.to_owned(),
            lead: "Okay.".to_owned(),
        };
    }
    if gaps.is_empty() {
        return Next::MoveOn {
            lead: "Thanks, that covers what I wanted to ask about this one.".to_owned(),
        };
    }
    Next::MoveOn {
        lead: leave(onward),
    }
}

/// A few words before the next follow-up, varied so they do not read as a
/// form letter.
const ACKS: [&str; 4] = [
    "Okay, thanks.",
    "Got it.",
    "Right, that makes sense.",
    "Thanks, that helps.",
];

/// Before pressing a point only mentioned, varied in the same way.
const PUSHES: [&str; 3] = [
    "Let me push on one thing.",
    "I'd like to go further on something you said.",
    "One more thing on that.",
];

/// The rubric's dimensions with a key point not yet covered, in rubric
/// order; with no grader reading, every dimension (nothing is known).
fn gaps<'r>(
    rubric: &'r Rubric,
    coverage: Option<&[KeyPointResult]>,
) -> Vec<&'r crate::content::Dimension> {
    let open: Option<BTreeSet<&str>> = coverage.filter(|c| !c.is_empty()).map(|c| {
        c.iter()
            .filter(|p| p.status != Coverage::Covered)
            .map(|p| p.dimension.as_str())
            .collect()
    });
    rubric
        .dimensions
        .iter()
        .filter(|d| open.as_ref().is_none_or(|o| o.contains(d.id.as_str())))
        .collect()
}

fn dimension_of<'r>(rubric: &'r Rubric, signal: &str) -> Option<&'r str> {
    rubric
        .dimensions
        .iter()
        .find(|d| d.signals.iter().any(|s| s.id == signal))
        .map(|d| d.id.as_str())
}

/// Whether the open question has used its share of the round: the time
/// left is no more than the remaining questions' planned share.
fn out_of_share(round: &PlannedRound, active: &Active, now: EpochMs) -> bool {
    let questions = round.questions.len().max(1) as i64;
    let per_question = round.budget_ms() / questions;
    let after_this = questions - active.question as i64 - 1;
    active.deadline - now <= after_this * per_question
}

/// The candidate's words, trimmed for saying back: the start of the
/// sentence up to a word boundary, without its closing punctuation.
fn said_back(quote: &str) -> String {
    let quote = quote.trim().trim_end_matches(['.', '!', '?', '…']);
    crate::text::sentences::clip_at_word(quote, MAX_QUOTE_CHARS)
}

/// A dimension's name inside a sentence: "Reliability" becomes
/// "reliability", but an acronym keeps its capitals ("STAR structure").
fn lower(dimension: &crate::content::Dimension) -> String {
    let name = dimension.name.trim();
    let mut chars = name.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(name.chars().skip(1)).collect()
        }
        _ => name.to_owned(),
    }
}
