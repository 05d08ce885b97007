//! The offline grader: deterministic, no network, microseconds per answer.
//!
//! v1 finds each dimension's signals sentence by sentence and maps the number
//! of distinct signals shown to a level through the rubric's thresholds. Each
//! signal found contributes the first sentence that shows it as evidence, so
//! every quote is the candidate's own words. Very short answers are capped:
//! a one-line "fine" cannot earn a hire level however lucky its words are.

use async_trait::async_trait;

use super::signals::Sentence;
use super::{
    AnswerScore, DimensionScore, GradeError, GradeRequest, Grader, Provenance, rubric_hash,
};

/// Answers shorter than this many words score level 1 on every dimension.
const MIN_WORDS: usize = 12;
/// Answers shorter than this many words score at most level 2.
const SHORT_WORDS: usize = 40;
/// Quotes per dimension: enough to justify a level, few enough to read.
const MAX_QUOTES: usize = 3;
/// A quote longer than this is cut (still a verbatim prefix of a sentence).
const MAX_QUOTE_BYTES: usize = 280;

#[derive(Clone, Copy, Debug, Default)]
pub struct OfflineGrader;

impl OfflineGrader {
    pub const ID: &'static str = "offline-v1";

    pub fn score(&self, request: GradeRequest<'_>) -> AnswerScore {
        let sentences: Vec<Sentence<'_>> = request
            .answers
            .iter()
            .flat_map(|a| Sentence::split(a))
            .collect();
        let words: usize = sentences.iter().map(Sentence::word_count).sum();
        let cap = match words {
            0..MIN_WORDS => 1,
            MIN_WORDS..SHORT_WORDS => 2,
            _ => 4,
        };
        let dimensions: Vec<DimensionScore> = request
            .rubric
            .dimensions
            .iter()
            .map(|dimension| {
                let mut evidence: Vec<String> = Vec::new();
                let mut shown = Vec::new();
                let mut missing = Vec::new();
                for signal in &dimension.signals {
                    match sentences.iter().find(|s| s.shows(signal)) {
                        Some(sentence) => {
                            shown.push(signal.description.as_str());
                            let quote = clip(sentence.text).to_owned();
                            if evidence.len() < MAX_QUOTES && !evidence.contains(&quote) {
                                evidence.push(quote);
                            }
                        }
                        None => missing.push(signal.description.as_str()),
                    }
                }
                let hits = shown.len();
                let earned = 1 + dimension
                    .thresholds
                    .iter()
                    .filter(|&&t| hits >= usize::from(t))
                    .count() as u8;
                let level = earned.min(cap);
                DimensionScore {
                    id: dimension.id.clone(),
                    name: dimension.name.clone(),
                    level,
                    evidence,
                    feedback: feedback(words, level, earned, &shown, &missing),
                }
            })
            .collect();
        AnswerScore {
            grader: Self::ID.to_owned(),
            rubric_id: request.rubric.id.clone(),
            rubric_version: request.rubric.version.clone(),
            overall: AnswerScore::weighted_overall(request.rubric, &dimensions),
            dimensions,
            fallback: false,
            fallback_reason: None,
            injection_suspected: false,
            suspect_quotes: Vec::new(),
            strengths: Vec::new(),
            improvements: Vec::new(),
            provenance: Provenance {
                rubric_hash: rubric_hash(request.rubric),
                ..Provenance::default()
            },
        }
    }
}

fn clip(sentence: &str) -> &str {
    if sentence.len() <= MAX_QUOTE_BYTES {
        return sentence;
    }
    let mut end = MAX_QUOTE_BYTES;
    while !sentence.is_char_boundary(end) {
        end -= 1;
    }
    sentence[..end].trim_end()
}

fn feedback(words: usize, level: u8, earned: u8, shown: &[&str], missing: &[&str]) -> String {
    if words == 0 {
        return "No answer was given.".to_owned();
    }
    let mut parts = Vec::new();
    if !shown.is_empty() {
        parts.push(format!("Shown: {}.", shown.join("; ")));
    }
    if level < earned {
        parts.push(format!(
            "The answer was too short ({words} words) to earn more than level {level}; develop it with specifics."
        ));
    }
    if let Some(next) = missing.first() {
        parts.push(format!("To improve: {next}."));
    }
    parts.join(" ")
}

#[async_trait]
impl Grader for OfflineGrader {
    fn id(&self) -> &str {
        Self::ID
    }

    async fn grade(&self, request: GradeRequest<'_>) -> Result<AnswerScore, GradeError> {
        Ok(self.score(request))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Difficulty, Dimension, Question, RoundKind, Rubric, Signal};

    fn signal(id: &str, patterns: &[&str]) -> Signal {
        Signal {
            id: id.into(),
            description: format!("Shows {id}"),
            patterns: patterns.iter().map(|p| p.parse().unwrap()).collect(),
        }
    }

    fn rubric() -> Rubric {
        let dimension = |id: &str, weight: f64, signals: Vec<Signal>| Dimension {
            id: id.into(),
            name: id.into(),
            weight,
            thresholds: [1, 2, 3],
            levels: ["1".into(), "2".into(), "3".into(), "4".into()],
            signals,
        };
        Rubric {
            id: "values".into(),
            kind: RoundKind::Values,
            version: "7".into(),
            title: "Values".into(),
            description: String::new(),
            dimensions: vec![
                dimension(
                    "star",
                    0.75,
                    vec![
                        signal("situation", &["in my last role", "at my previous"]),
                        signal("action", &["i decided", "i wrote"]),
                        signal("result", &["percent", "went from"]),
                    ],
                ),
                dimension(
                    "reflection",
                    0.25,
                    vec![signal("hindsight", &["in hindsight", "i learned"])],
                ),
            ],
        }
    }

    fn question() -> Question {
        Question {
            id: "q".into(),
            kind: RoundKind::Values,
            title: "q".into(),
            text: "Tell me about a failure.".into(),
            topics: vec![],
            difficulty: Difficulty::Medium,
            key_points: vec![],
            examples: vec![],
            probes: vec![],
        }
    }

    fn score(answers: &[&str]) -> AnswerScore {
        let answers: Vec<String> = answers.iter().map(|a| (*a).to_owned()).collect();
        OfflineGrader.score(GradeRequest {
            rubric: &rubric(),
            question: &question(),
            answers: &answers,
        })
    }

    const STRONG: &str = "In my last role the nightly import kept failing and blocking the finance team every week. \
        I decided to rewrite the retry logic, and I wrote a replay tool so we could rerun failed batches safely. \
        Failures went from twelve a month to one, a ninety percent drop. In hindsight I should have asked finance \
        what they needed first.";

    #[test]
    fn each_signal_found_contributes_its_sentence_as_evidence() {
        let s = score(&[STRONG]);
        assert_eq!(s.dimensions[0].level, 4);
        assert_eq!(s.dimensions[0].evidence.len(), 3);
        for quote in s.dimensions.iter().flat_map(|d| &d.evidence) {
            assert!(STRONG.contains(quote.as_str()), "{quote:?} is not verbatim");
        }
        assert_eq!(
            s.overall, 3.5,
            "0.75 × 4 + 0.25 × 2 (one reflection signal reaches level 2)"
        );
        assert_eq!(
            (s.grader.as_str(), s.rubric_version.as_str()),
            ("offline-v1", "7")
        );
    }

    #[test]
    fn an_empty_answer_scores_one_everywhere_and_says_so() {
        let s = score(&[]);
        assert!(
            s.dimensions
                .iter()
                .all(|d| d.level == 1 && d.evidence.is_empty())
        );
        assert_eq!(s.dimensions[0].feedback, "No answer was given.");
        assert_eq!(s.overall, 1.0);
    }

    #[test]
    fn a_short_answer_is_capped_however_many_signals_it_trips() {
        let s = score(&["In my last role I decided: went from bad to fine."]);
        assert_eq!(s.dimensions[0].level, 1, "under 12 words earns level 1");
        let s = score(&[
            "In my last role I decided to fix the build, and it went from red to green in a week, a big win.",
        ]);
        assert_eq!(
            s.dimensions[0].level, 2,
            "under 40 words earns at most level 2"
        );
        assert!(
            s.dimensions[0].feedback.contains("too short"),
            "{}",
            s.dimensions[0].feedback
        );
    }

    #[test]
    fn evidence_comes_from_every_turn_of_the_question() {
        let s = score(&[
            &STRONG[..STRONG.find("Failures").unwrap()],
            "Errors went from twelve to one. I learned a lot.",
        ]);
        let star = &s.dimensions[0];
        assert!(
            star.evidence
                .contains(&"Errors went from twelve to one.".to_owned()),
            "{:?}",
            star.evidence
        );
    }

    #[test]
    fn feedback_names_what_was_shown_and_what_to_add() {
        let s = score(&[
            "At my previous company the deploys were slow and risky for everyone involved in the release \
            process every single week, and nobody owned the pipeline or its flaky tests, so people waited around.",
        ]);
        let feedback = &s.dimensions[0].feedback;
        assert!(feedback.contains("Shown: Shows situation."), "{feedback}");
        assert!(feedback.contains("To improve: Shows action."), "{feedback}");
    }

    #[test]
    fn a_long_sentence_is_quoted_as_a_verbatim_prefix() {
        let long = format!("In my last role {}.", "the service was slow ".repeat(30));
        let s = score(&[&long]);
        let quote = &s.dimensions[0].evidence[0];
        assert!(quote.len() <= MAX_QUOTE_BYTES);
        assert!(long.starts_with(quote.as_str()));
    }
}
