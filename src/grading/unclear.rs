//! Spoken answers the recogniser could not make out. When its confidence is
//! below `[voice] min_assess_confidence` and the candidate submits the words
//! as heard, those words are the recogniser's guesses, not the candidate's
//! answer: scoring them would put a low level on the microphone. They are
//! left out of grading; a question with nothing else "could not assess",
//! with the reason, and counts toward no average (see `report`).

use crate::content::Rubric;
use crate::speech::analytics::SpeechAnalytics;

use super::{AnswerScore, Provenance, rubric_hash};

/// Who "scored" a question that could not be assessed: no grader did.
pub const NOT_ASSESSED: &str = "not-assessed";

/// The score of a question whose only answers were unclear speech.
pub fn not_assessed(rubric: &Rubric, unclear: &[SpeechAnalytics]) -> AnswerScore {
    AnswerScore {
        grader: NOT_ASSESSED.to_owned(),
        rubric_id: rubric.id.clone(),
        rubric_version: rubric.version.clone(),
        // Meaningless, and never averaged: `not_assessed` is set.
        overall: 0.0,
        dimensions: Vec::new(),
        fallback: false,
        fallback_reason: None,
        injection_suspected: false,
        suspect_quotes: Vec::new(),
        strengths: Vec::new(),
        improvements: vec![
            "Next time, say it again closer to the microphone, or type it.".to_owned(),
        ],
        key_points: Vec::new(),
        estimate: false,
        provenance: Provenance {
            rubric_hash: rubric_hash(rubric),
            ..Provenance::default()
        },
        not_assessed: Some(reason(unclear)),
    }
}

/// A graded question some of whose spoken answers were left out: said, so
/// the candidate knows the score is of the rest.
pub fn note_left_out(score: &mut AnswerScore, unclear: &[SpeechAnalytics]) {
    if unclear.is_empty() {
        return;
    }
    let n = unclear.len();
    let which = if n == 1 {
        "One spoken answer".to_owned()
    } else {
        format!("{n} spoken answers")
    };
    score.improvements.push(format!(
        "{which} to this question could not be heard clearly ({}) and {} not graded; \
         the score is of the rest.",
        confidence(unclear),
        if n == 1 { "was" } else { "were" }
    ));
}

/// Why: the recogniser's confidence, as the review showed it.
fn reason(unclear: &[SpeechAnalytics]) -> String {
    format!(
        "The speech recogniser could not make out this answer ({}), and it was \
         submitted as heard, so it was not assessed.",
        confidence(unclear)
    )
}

/// "confidence 38%": the lowest among them, the one that decided.
fn confidence(unclear: &[SpeechAnalytics]) -> String {
    unclear
        .iter()
        .filter_map(|s| s.confidence)
        .min_by(f32::total_cmp)
        .map_or("no confidence reported".to_owned(), |c| {
            format!("confidence {:.0}%", c * 100.0)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Catalog, RoundKind};
    use crate::grading::{GradeRequest, Observed, OfflineGrader, grade_answer};

    fn unclear(confidence: f32) -> SpeechAnalytics {
        SpeechAnalytics {
            words: 12,
            confidence: Some(confidence),
            heard: Some("the same thing the same".into()),
            unclear: true,
            ..SpeechAnalytics::default()
        }
    }

    #[tokio::test]
    async fn a_question_answered_only_in_unclear_speech_could_not_be_assessed_with_the_reason() {
        let catalog = Catalog::embedded().unwrap();
        let rubric = catalog.rubric_for_kind(RoundKind::Screen).unwrap();
        let question = &catalog.questions(RoundKind::Screen)[0];
        let request = GradeRequest {
            rubric,
            question,
            answers: &[],
            hints: &[],
        };
        let heard = [unclear(0.38)];
        let observed = Observed {
            unclear: &heard,
            ..Observed::default()
        };
        let score = grade_answer(&OfflineGrader, request, observed).await;
        let reason = score.not_assessed.as_deref().expect("not assessed");
        assert!(reason.contains("confidence 38%"), "{reason}");
        assert!(score.dimensions.is_empty(), "no level, not a low one");
        assert_eq!(score.grader, NOT_ASSESSED);
        assert_eq!(score.provenance.rubric_hash, rubric_hash(rubric));

        // With no answer at all (a skip), it is graded as ever: level 1.
        let skipped = grade_answer(&OfflineGrader, request, Observed::default()).await;
        assert!(skipped.not_assessed.is_none());
        assert!(skipped.dimensions.iter().all(|d| d.level == 1));
    }

    #[tokio::test]
    async fn clear_answers_beside_an_unclear_one_are_graded_and_the_score_says_what_was_left_out() {
        let catalog = Catalog::embedded().unwrap();
        let rubric = catalog.rubric_for_kind(RoundKind::Screen).unwrap();
        let question = &catalog.questions(RoundKind::Screen)[0];
        let answers = ["I led the migration of our billing exports to a queue.".to_owned()];
        let request = GradeRequest {
            rubric,
            question,
            answers: &answers,
            hints: &[],
        };
        let heard = [unclear(0.41), unclear(0.2)];
        let observed = Observed {
            unclear: &heard,
            ..Observed::default()
        };
        let score = grade_answer(&OfflineGrader, request, observed).await;
        assert!(score.not_assessed.is_none());
        assert!(!score.dimensions.is_empty());
        let note = score.improvements.last().unwrap();
        assert!(
            note.starts_with("2 spoken answers") && note.contains("confidence 20%"),
            "{note}"
        );
    }
}
