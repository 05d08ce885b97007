//! Free-text questions: a question typed in (`mockloop grade --question`)
//! has no key points and no bank of siblings, so nothing to judge substance
//! by. The levels are then the rubric signals' (v2's measure), under every
//! guard v3 has: text addressed to the grader, too short, the question said
//! back, gaming, and off-topic, judged by closeness to the question's own
//! text (there are no siblings to compare with). The score says what it
//! could not do: it lists no key points, its feedback quotes what the
//! answer showed under each dimension's name (never the rubric's wording),
//! and it is always marked an estimate.
//!
//! Measured (`mockloop calibrate --free-text`, every labelled answer graded
//! as if its question were typed in): see `docs/grading.md`. Judging
//! "substance" against the rubric's generic signal descriptions as if they
//! were key points ranked answers worse than the signals themselves
//! (Spearman 0.28 against 0.49), so that is not done.

use std::sync::Arc;

use super::features::Features;
use super::{Cap, Params, SubstanceGrader, feedback};
use crate::content::{KeyPoint, Question, Rubric};
use crate::grading::{AnswerScore, GradeRequest, OfflineGrader};

/// An answer to a typed-in question whose closeness to it (its text and the
/// rubric's signals, see `features::relevance`) is below this is off-topic.
/// Chosen on the calibration set's fitting split: off-topic answers reached
/// 0.19 to 0.40, genuine ones mostly 0.26 to 0.53; at 0.25 five of twelve
/// off-topic answers and three of 115 genuine ones fall below.
const MIN_RELEVANCE: f32 = 0.25;

/// The question as v3 reads it for its guards: the rubric's signals as its
/// key points, tagged with their dimensions, and no siblings.
pub fn as_question(rubric: &Rubric, question: &Question) -> Question {
    let mut read = question.clone();
    read.key_points = rubric
        .dimensions
        .iter()
        .flat_map(|d| {
            d.signals.iter().map(|s| KeyPoint {
                dimension: d.id.clone(),
                text: s.description.clone(),
            })
        })
        .collect();
    read.bank = Arc::from(Vec::new());
    read
}

/// Scores an answer to a typed-in question: the rubric signals' levels
/// (v2), held to 1 by any of v3's caps, with feedback that names no rubric
/// wording.
pub fn score(
    params: &Params,
    request: GradeRequest<'_>,
    read: &Question,
    f: &Features,
) -> AnswerScore {
    let rubric = request.rubric;
    let cap = params
        .cap(read, f)
        .or_else(|| (!f.prose.is_empty() && f.relevance < MIN_RELEVANCE).then_some(Cap::OffTopic));
    let mut score = OfflineGrader.score(request);
    score.grader = SubstanceGrader::ID.to_owned();
    for (dimension, scored) in rubric.dimensions.iter().zip(&mut score.dimensions) {
        if cap.is_some() {
            scored.level = 1;
            scored.evidence.clear();
            scored.feedback = feedback::dimension(dimension, read, f, &[], &[], false, cap);
            continue;
        }
        let name = dimension.name.to_lowercase();
        scored.feedback = match scored.evidence.first() {
            Some(quote) if scored.level >= 3 => format!(
                "On {name}, this answer showed: \"{quote}\" Go further with the \
                 mechanism, a number or a trade-off behind it."
            ),
            Some(quote) => format!(
                "On {name}, this touched the topic (\"{quote}\") without saying how or \
                 why; state the mechanism, a number or a consequence."
            ),
            None => format!(
                "Nothing in this answer spoke to {name}: say what you would do for it, \
                 how, and why."
            ),
        };
    }
    score.overall = AnswerScore::weighted_overall(rubric, &score.dimensions);
    let named = |strong: bool| -> Vec<&str> {
        rubric
            .dimensions
            .iter()
            .zip(&score.dimensions)
            .filter(|(_, s)| (s.level >= 3) == strong)
            .map(|(d, _)| d.name.as_str())
            .collect()
    };
    let (shown, weak) = (named(true), named(false));
    let strengths = if shown.is_empty() {
        vec![if f.words == 0 {
            "Nothing yet: the question was not answered.".to_owned()
        } else {
            "You answered in your own words; little of it carried a checkable claim yet.".to_owned()
        }]
    } else {
        vec![format!("Substance on {}.", join(&shown))]
    };
    let improvements = if weak.is_empty() {
        vec!["Go deeper on trade-offs and what you would measure.".to_owned()]
    } else {
        vec![format!(
            "Say how and why, with numbers, on {}.",
            join(&weak).to_lowercase()
        )]
    };
    score.strengths = strengths;
    score.improvements = improvements;
    score
        .improvements
        .extend(crate::grading::offline::hint_note(request.hints));
    score.key_points.clear();
    score.estimate = cap.is_none();
    score
}

fn join(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
