//! The offline grader: deterministic, no network, microseconds per answer.
//!
//! v1 finds each dimension's signals sentence by sentence and maps the number
//! of distinct signals shown to a level through the rubric's thresholds. Each
//! signal found contributes the first sentence that shows it as evidence, so
//! every quote is the candidate's own words. Very short answers are capped:
//! a one-line "fine" cannot earn a hire level however lucky its words are.

use async_trait::async_trait;

use super::signals::Sentence;
use super::{AnswerScore, DimensionScore, GradeError, GradeRequest, Grader};

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
                let earned = 1 + dimension.thresholds.iter().filter(|&&t| hits >= usize::from(t)).count() as u8;
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
