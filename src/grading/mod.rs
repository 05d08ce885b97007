//! Scoring answers against rubrics.
//!
//! Every grader returns the same [`AnswerScore`]: per rubric dimension a level
//! from 1 to 4, evidence quotes that are verbatim substrings of the candidate's
//! own words, and feedback. Grading runs off the interview path: the session
//! asks its next question without waiting for a score.

pub mod offline;
pub mod signals;
pub mod text;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::content::{Question, Rubric};

pub use offline::OfflineGrader;

/// One answer's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerScore {
    /// Which grader produced it, e.g. `offline-v1`.
    pub grader: String,
    pub rubric_id: String,
    pub rubric_version: String,
    /// Weighted mean of the dimension levels, 1.0 to 4.0.
    pub overall: f64,
    pub dimensions: Vec<DimensionScore>,
    /// Set when the configured grader failed and another stood in.
    #[serde(default)]
    pub fallback: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub id: String,
    pub name: String,
    pub level: u8,
    pub evidence: Vec<String>,
    pub feedback: String,
}

impl AnswerScore {
    /// The weighted overall from dimension levels, rounded to two decimals.
    pub fn weighted_overall(rubric: &Rubric, dimensions: &[DimensionScore]) -> f64 {
        let (sum, weight) = rubric
            .dimensions
            .iter()
            .filter_map(|d| {
                dimensions
                    .iter()
                    .find(|s| s.id == d.id)
                    .map(|s| (d.weight, s.level))
            })
            .fold((0.0, 0.0), |(sum, w), (weight, level)| {
                (sum + weight * f64::from(level), w + weight)
            });
        if weight == 0.0 {
            1.0
        } else {
            round2(sum / weight)
        }
    }
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// What a grader is asked to score: one question's answers, in order.
#[derive(Clone, Copy, Debug)]
pub struct GradeRequest<'a> {
    pub rubric: &'a Rubric,
    pub question: &'a Question,
    /// The candidate's answers to the question and its follow-ups.
    pub answers: &'a [String],
}

#[derive(Debug, thiserror::Error)]
pub enum GradeError {
    #[error("grader unavailable: {0}")]
    Unavailable(String),
}

#[async_trait]
pub trait Grader: Send + Sync {
    fn id(&self) -> &str;
    async fn grade(&self, request: GradeRequest<'_>) -> Result<AnswerScore, GradeError>;
}

/// Grades with `grader`; if it fails, the offline grader stands in and the
/// score is marked as a fallback, so a session is never left without a score.
pub async fn grade_or_fallback(grader: &dyn Grader, request: GradeRequest<'_>) -> AnswerScore {
    match grader.grade(request).await {
        Ok(score) => score,
        Err(error) => {
            tracing::warn!(grader = grader.id(), %error, "grading failed; using the offline grader");
            let mut score = OfflineGrader.score(request);
            score.fallback = true;
            score
        }
    }
}
