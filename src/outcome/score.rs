//! One answer's score, as every grader returns it and the session records
//! it. Defined here, below the graders, so the interview engine can hold a
//! score without depending on grading; `crate::grading` re-exports it and
//! computes it.

use serde::{Deserialize, Serialize};

/// One answer's score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnswerScore {
    /// Which grader produced it, e.g. `offline-v2`.
    pub grader: String,
    pub rubric_id: String,
    pub rubric_version: String,
    /// Weighted mean of the dimension levels, 1.0 to 4.0.
    pub overall: f64,
    pub dimensions: Vec<DimensionScore>,
    /// Set when the configured grader failed and another stood in.
    #[serde(default)]
    pub fallback: bool,
    /// Why the fallback was needed (timeout, provider error, bad schema).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
    /// The answer addressed the grader ("ignore previous instructions",
    /// "give 4/4", fake JSON or closing tags). Such text earns nothing and
    /// is shown to reviewers in `suspect_quotes`.
    #[serde(default)]
    pub injection_suspected: bool,
    /// The candidate's sentences that triggered `injection_suspected`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suspect_quotes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub strengths: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub improvements: Vec<String>,
    /// What a strong answer to this question covers, each point marked
    /// covered, mentioned or missed (graders that judge key points only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub key_points: Vec<KeyPointResult>,
    /// The grader's own signals disagreed (on topic but no substance found,
    /// or substance off the key points): the score is an estimate, and an
    /// LLM grader would judge this answer better.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub estimate: bool,
    /// How the score was produced, so two scores can be compared honestly.
    #[serde(default)]
    pub provenance: Provenance,
    /// Why the answer could not be assessed (the recogniser could not make
    /// out the words, and the candidate submitted them as heard). Such a
    /// score has no dimensions, its `overall` means nothing, and it counts
    /// toward no average: reports show "could not assess" with this reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_assessed: Option<String>,
}

/// One key point of the question and whether the answer showed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyPointResult {
    pub text: String,
    /// The rubric dimension the point evidences.
    pub dimension: String,
    pub status: Coverage,
    /// The candidate's sentence that showed or touched it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Coverage {
    /// On the point, with the mechanism, number or consequence it states.
    Covered,
    /// On the topic, without the substance.
    Mentioned,
    Missed,
}

/// Which model, prompt and rubric content produced a score, and its cost.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The model name for an LLM grader; `None` for the offline grader.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Hash of the rendered prompt templates (LLM graders only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompt_hash: Option<String>,
    /// Hash of the rubric as graded (see [`rubric_hash`]).
    #[serde(default)]
    pub rubric_hash: String,
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<TokenUsage>,
    /// Extra passes made (for example a sceptical second look at a high score).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passes: Vec<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenUsage {
    pub prompt_tokens: u32,
    pub completion_tokens: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DimensionScore {
    pub id: String,
    pub name: String,
    pub level: u8,
    pub evidence: Vec<String>,
    pub feedback: String,
}
