//! Feedback a candidate can act on: per dimension, what this answer showed
//! (quoting it) and what it missed, phrased from the question's own key
//! points. Never a rubric level description pasted back.

use crate::content::{Dimension, Question};
use crate::grading::code_reading::Reading;
use crate::grading::{Coverage, KeyPointResult};

use super::features::Features;
use super::{Cap, clip};

/// Points named per dimension: enough to act on, few enough to read.
const MAX_NAMED: usize = 2;

/// The short name of a key point: its text before the colon ("Estimates
/// with numbers: 100M links…" → "estimates with numbers"), or its first words.
pub fn head(point: &str) -> String {
    let head = match point.split_once(':') {
        Some((head, _)) if head.split_whitespace().count() <= 8 => head,
        _ => {
            let words: Vec<&str> = point.split_whitespace().take(8).collect();
            return lower_first(&words.join(" ")) + "…";
        }
    };
    lower_first(head.trim())
}

/// What the key point asks for in detail: its text after the colon.
fn detail(point: &str) -> &str {
    point
        .split_once(':')
        .map(|(_, rest)| rest.trim())
        .unwrap_or(point)
        .trim_end_matches('.')
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        // Keep acronyms ("SLO", "API") as they are.
        Some(c) if chars.clone().next().is_some_and(char::is_lowercase) => {
            c.to_lowercase().chain(chars).collect()
        }
        Some(c) => std::iter::once(c).chain(chars).collect(),
        None => String::new(),
    }
}

pub(super) fn dimension(
    dimension: &Dimension,
    question: &Question,
    f: &Features,
    own: &[usize],
    points: &[(f64, Coverage)],
    values: bool,
    cap: Option<Cap>,
) -> String {
    match cap {
        Some(Cap::Empty) => return "No answer was given.".to_owned(),
        Some(Cap::Injection) => {
            return "The answer addressed the grader instead of the question, so it earns \
                    no credit; a reviewer can see the flagged sentences."
                .to_owned();
        }
        Some(Cap::OffTopic) => {
            return "This answer reads as an answer to a different question; whatever its \
                    quality, it earns nothing here. Answer the question in front of you."
                .to_owned();
        }
        Some(Cap::Restated) => {
            return "This answer mostly says the question back in its own words; say how you \
                    would do it and why."
                .to_owned();
        }
        Some(Cap::Gaming) => {
            return "Repeated phrases, stacked keywords or one sentence template over and over \
                    earn nothing: explain how and why, in your own words."
                .to_owned();
        }
        Some(Cap::TooShort) => {
            return format!(
                "Too short to judge ({} words): give the reasoning and specifics behind it.",
                f.words
            );
        }
        Some(Cap::WeNotI) | None => {}
    }
    let mut parts = Vec::new();
    if values {
        parts.extend(story_feedback(&dimension.id, f));
        if cap == Some(Cap::WeNotI) {
            parts.push(
                "Most of the story is \"we\": say what you yourself did and decided.".to_owned(),
            );
        }
    }
    let mut shown: Vec<usize> = own
        .iter()
        .copied()
        .filter(|&i| points[i].1 == Coverage::Covered)
        .collect();
    shown.sort_by(|&a, &b| points[b].0.total_cmp(&points[a].0));
    for &i in shown.iter().take(MAX_NAMED) {
        let quote = f.points[i].sentence.map(|s| clip(f.sentence(s)));
        parts.push(match quote {
            Some(q) => format!(
                "You covered {}: \"{}\"",
                head(&question.key_points[i].text),
                q
            ),
            None => format!("You covered {}.", head(&question.key_points[i].text)),
        });
    }
    let mentioned: Vec<usize> = own
        .iter()
        .copied()
        .filter(|&i| points[i].1 == Coverage::Mentioned)
        .collect();
    for &i in mentioned.iter().take(MAX_NAMED) {
        let text = &question.key_points[i].text;
        parts.push(format!(
            "You touched on {} without the substance; a strong answer says {}.",
            head(text),
            detail(text)
        ));
    }
    let missed: Vec<usize> = own
        .iter()
        .copied()
        .filter(|&i| points[i].1 == Coverage::Missed)
        .collect();
    if let Some(&i) = missed.first() {
        let text = &question.key_points[i].text;
        parts.push(format!("Missing: {}.", text.trim_end_matches('.')));
    }
    if parts.is_empty() && !own.is_empty() {
        parts.push(format!(
            "Nothing in this answer spoke to {} for this question.",
            lower_first(&dimension.name)
        ));
    } else if parts.is_empty() {
        // No key point of this question is about the dimension, so there is
        // nothing to have missed: the level follows the answer as a whole.
        parts.push(format!(
            "This question's key points do not single out {}; its level follows the answer \
             as a whole.",
            lower_first(&dimension.name)
        ));
    }
    parts.join(" ")
}

/// Code-quality feedback: what was said, then what reading the code found
/// (its problems first, each naming the line and identifier), or that
/// there was no code to read.
pub(super) fn code(said: &str, reading: Option<&Reading>) -> String {
    let read = match reading {
        None => "No code was found in the answer to read: write the solution out.".to_owned(),
        Some(r) if r.findings.is_empty() => format!(
            "Reading your code: {}",
            r.strengths
                .first()
                .map_or("clean, nothing to flag.", String::as_str)
        ),
        Some(r) => format!(
            "Reading your code: {}",
            r.findings
                .iter()
                .take(MAX_NAMED)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    format!("{} {read}", said.trim_end())
        .trim_start()
        .to_owned()
}

/// What a values story showed and lacked for one dimension.
fn story_feedback(dimension: &str, f: &Features) -> Vec<String> {
    let [situation, action, result, afterwards] = f.story.examples;
    let quote = |s: Option<usize>| s.map(|s| clip(f.sentence(s)));
    let (shown, missing) = match dimension {
        "star_structure" => (
            quote(situation).map(|q| format!("You set the scene: \"{q}\"")),
            (situation.is_none() || result.is_none()).then(|| {
                "Give the story a specific moment to start from and an outcome to end on, \
                 so the listener knows what was at stake and how it ended."
                    .to_owned()
            }),
        ),
        "ownership" => (
            quote(action).map(|q| format!("You said what you did: \"{q}\"")),
            action.is_none().then(|| {
                "Say what you personally did and decided, in the first person.".to_owned()
            }),
        ),
        "impact" => (
            quote(result).map(|q| format!("You gave the result: \"{q}\"")),
            result.is_none().then(|| {
                "Say what changed because of it: before and after, with a number if you have one."
                    .to_owned()
            }),
        ),
        "reflection_growth" => (
            quote(afterwards).map(|q| format!("You said what changed afterwards: \"{q}\"")),
            afterwards.is_none().then(|| {
                "End with what you do differently since, or what the team changed so it \
                 cannot happen again."
                    .to_owned()
            }),
        ),
        _ => (None, None),
    };
    shown.into_iter().chain(missing).collect()
}

/// Strengths and things to improve for the whole answer, from its key points
/// (and, for a story, its shape). Both are filled on every graded answer.
pub(super) fn summary(
    question: &Question,
    key_points: &[KeyPointResult],
    f: &Features,
    values: bool,
) -> (Vec<String>, Vec<String>) {
    let mut strengths: Vec<String> = key_points
        .iter()
        .filter(|k| k.status == Coverage::Covered)
        .take(MAX_NAMED)
        .map(|k| format!("Covered {}.", head(&k.text)))
        .collect();
    let mut improvements: Vec<String> = key_points
        .iter()
        .filter(|k| k.status == Coverage::Mentioned)
        .take(1)
        .map(|k| format!("Go past naming {}: {}.", head(&k.text), detail(&k.text)))
        .chain(
            key_points
                .iter()
                .filter(|k| k.status == Coverage::Missed)
                .take(MAX_NAMED)
                .map(|k| format!("Cover {}.", lower_first(k.text.trim_end_matches('.')))),
        )
        .collect();
    if values {
        let [situation, action, result, afterwards] = f.story.examples;
        if action.is_some() && result.is_some() {
            strengths.push("A story with your own actions and a result.".to_owned());
        }
        for (part, advice) in [
            (
                situation,
                "Open with the specific situation: when, where, what was at stake.",
            ),
            (action, "Say what you did, in the first person."),
            (
                result,
                "Close with the result: before and after, with numbers.",
            ),
            (
                afterwards,
                "Say what you changed afterwards, or do differently since.",
            ),
        ] {
            if part.is_none() && improvements.len() < 3 {
                improvements.push(advice.to_owned());
            }
        }
    }
    if strengths.is_empty() {
        strengths.push(if f.words == 0 {
            "Nothing yet: the question was not answered.".to_owned()
        } else if key_points.iter().any(|k| k.status == Coverage::Mentioned) {
            "You were on the topic of the question.".to_owned()
        } else {
            format!(
                "Little of what a strong answer to \"{}\" covers came through.",
                question.title
            )
        });
    }
    if improvements.is_empty() {
        improvements.push(
            "Little to add on the key points: go deeper on trade-offs and what you would measure."
                .to_owned(),
        );
    }
    (strengths, improvements)
}
