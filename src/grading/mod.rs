//! Scoring answers against rubrics.
//!
//! Every grader returns the same [`AnswerScore`]: per rubric dimension a level
//! from 1 to 4, evidence quotes that are verbatim substrings of the candidate's
//! own words, and feedback. Grading runs off the interview path: the session
//! asks its next question without waiting for a score.

pub mod calibrate;
pub mod code_reading;
pub mod delivery;
pub mod injection;
pub mod llm;
pub mod normalize;
pub mod offline;
pub mod passing;
pub mod quote;
pub mod unclear;
pub mod v3;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::config::{Config, GraderKind};
use crate::content::{ContentSource, Question, Rubric};

pub use crate::outcome::score::{
    AnswerScore, Coverage, DimensionScore, KeyPointResult, Provenance, TokenUsage,
};
pub use llm::LlmGrader;
pub use offline::OfflineGrader;
pub use v3::SubstanceGrader;

/// How long a grader may take unless it says otherwise (see
/// [`Grader::time_limit`]): far above any sane grading, low enough that a
/// stuck one still yields a score before a candidate gives up on the debrief.
pub const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(120);

/// A short content hash of a rubric: two scores with the same hash were
/// judged against the same dimensions, levels, weights and signals.
/// Computed once per loaded rubric.
pub fn rubric_hash(rubric: &Rubric) -> String {
    rubric
        .hash
        .get_or_init(|| {
            use sha2::{Digest, Sha256};
            let bytes = serde_json::to_vec(rubric).unwrap_or_default();
            Sha256::digest(&bytes)
                .iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .clone()
}

impl AnswerScore {
    /// The weighted overall from dimension levels, rounded to two decimals.
    pub fn weighted_overall(rubric: &Rubric, dimensions: &[DimensionScore]) -> f64 {
        weighted_level(rubric, dimensions.iter().map(|s| (s.id.as_str(), s.level)))
    }
}

/// The rubric-weighted mean of dimension levels given by dimension id, to
/// two decimals; dimensions with no level are left out of the weights.
pub fn weighted_level<'a>(
    rubric: &Rubric,
    levels: impl Iterator<Item = (&'a str, u8)> + Clone,
) -> f64 {
    let (sum, weight) = rubric
        .dimensions
        .iter()
        .filter_map(|d| {
            levels
                .clone()
                .find(|(id, _)| *id == d.id)
                .map(|(_, level)| (d.weight, level))
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
    /// Hints the candidate asked for and was given, in order: a point
    /// reached after a hint is worth less than one reached unprompted.
    pub hints: &'a [String],
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
    /// The longest one grading may take before the offline grader stands in.
    fn time_limit(&self) -> Duration {
        DEFAULT_TIME_LIMIT
    }
    /// Starts whatever the grader can do ahead of the first answer to these
    /// questions, in the background; the handle ends when it is done.
    /// Nothing, by default.
    fn prepare(&self, _questions: Vec<Question>) -> Option<tokio::task::JoinHandle<()>> {
        None
    }
    /// Who grades when this grader fails, before the vocabulary grader
    /// ([`OfflineGrader`]) does: none, by default.
    fn stand_in(&self) -> Option<&dyn Grader> {
        None
    }
    /// A grader that reads an answer locally and in well under a second,
    /// for the interviewer to choose a follow-up by what is still missing:
    /// an offline grader itself, the LLM grader its stand-in. `None` where
    /// there is none (the interviewer then goes by signal phrases).
    fn quick(&self) -> Option<&dyn Grader> {
        self.stand_in()
    }
}

/// Grades with `grader`; if it fails, its stand-in (the offline grader v3
/// for the LLM grader, where its model is installed) scores the answer, else
/// the vocabulary grader, and the score is marked as a fallback with the
/// reason, so a session is never left without a score. Each grader's own
/// [`Grader::time_limit`] bounds its wait, so even a grader that never
/// returns cannot hold a debrief.
pub async fn grade_or_fallback(grader: &dyn Grader, request: GradeRequest<'_>) -> AnswerScore {
    let error = match within_limit(grader, request).await {
        Ok(score) => return score,
        Err(error) => error,
    };
    tracing::warn!(grader = grader.id(), %error, "grading failed; using the offline grader");
    let mut reason = error.to_string();
    let stood_in = match grader.stand_in() {
        Some(stand_in) => match within_limit(stand_in, request).await {
            Ok(score) => Some(score),
            Err(error) => {
                reason = format!("{reason}; {} failed too: {error}", stand_in.id());
                None
            }
        },
        None => None,
    };
    let mut score = stood_in.unwrap_or_else(|| OfflineGrader.score(request));
    score.fallback = true;
    score.fallback_reason = Some(reason);
    score
}

async fn within_limit(
    grader: &dyn Grader,
    request: GradeRequest<'_>,
) -> Result<AnswerScore, GradeError> {
    let limit = grader.time_limit();
    tokio::time::timeout(limit, grader.grade(request))
        .await
        .unwrap_or_else(|_| {
            Err(GradeError::Unavailable(format!(
                "no score within {}s",
                limit.as_secs()
            )))
        })
}

/// What the session observed of an answer beside its words.
#[derive(Clone, Copy, Debug, Default)]
pub struct Observed<'a> {
    /// The last run of the candidate's code against the question's tests.
    pub run: Option<&'a crate::sandbox::TestRun>,
    /// How each spoken turn was delivered; typed turns have none.
    pub speech: &'a [crate::speech::analytics::SpeechAnalytics],
    /// Spoken answers left out of `answers` because the recogniser could
    /// not make them out (see [`unclear`]).
    pub unclear: &'a [crate::speech::analytics::SpeechAnalytics],
}

/// The one way every caller (the live session, regrade, the operator's
/// "try", `mockloop grade`, calibration) scores an answer: grade with a
/// fallback, fold in what was observed beside the words (the question's
/// last code run, the delivery of a spoken answer), and record the rubric
/// the score was judged against even when the grader left that out. A
/// question whose only answers were unclear speech is not graded at all:
/// it "could not assess".
pub async fn grade_answer(
    grader: &dyn Grader,
    request: GradeRequest<'_>,
    observed: Observed<'_>,
) -> AnswerScore {
    if request.answers.is_empty() && !observed.unclear.is_empty() {
        return unclear::not_assessed(request.rubric, observed.unclear);
    }
    let mut score = grade_or_fallback(grader, request).await;
    unclear::note_left_out(&mut score, observed.unclear);
    if let Some(run) = observed.run {
        passing::apply(&mut score, request.rubric, run);
    }
    delivery::apply(&mut score, request.rubric, observed.speech);
    if score.provenance.rubric_hash.is_empty() {
        score.provenance.rubric_hash = rubric_hash(request.rubric);
    }
    score
}

/// The grader `config` asks for (`kind` overrides `[grader] kind`).
pub fn build(config: &Config, kind: Option<GraderKind>) -> anyhow::Result<Arc<dyn Grader>> {
    match kind.unwrap_or(config.grader.kind) {
        GraderKind::Offline => Ok(offline(config)),
        GraderKind::Llm => {
            let content = ContentSource::configured(config.content.dir.as_deref())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let grader = LlmGrader::new(&config.llm, &content)
                .map_err(|e| anyhow::anyhow!("cannot start the LLM grader: {e}"))?
                .with_stand_in(offline(config));
            tracing::info!(
                provider = config.llm.provider.as_str(),
                prompt_hash = grader.prompt_hash(),
                "grading with an LLM"
            );
            Ok(Arc::new(grader))
        }
    }
}

/// The offline grader: v3 with the embedding model when it is installed,
/// else v2 (vocabulary only), whose scores carry its own id so every score
/// says which it was.
pub fn offline(config: &Config) -> Arc<dyn Grader> {
    let dir = config.grader.embedding_model_path(&config.storage.data_dir);
    match crate::embed::shared(&dir) {
        Ok(model) => Arc::new(SubstanceGrader::new(model)),
        Err(e) => {
            tracing::warn!(
                model = %dir.display(),
                "offline grader v2 (vocabulary only): no embedding model: {e:#} \
                 (run `mockloop models install`)"
            );
            Arc::new(OfflineGrader)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Catalog, RoundKind};
    use crate::sandbox::{RunStatus, TestRun};

    /// A grader that reports no rubric hash, as an outside one might.
    struct Forgetful;

    #[async_trait]
    impl Grader for Forgetful {
        fn id(&self) -> &str {
            "forgetful"
        }

        async fn grade(&self, request: GradeRequest<'_>) -> Result<AnswerScore, GradeError> {
            let mut score = OfflineGrader.score(request);
            score.grader = "forgetful".into();
            score.provenance.rubric_hash.clear();
            Ok(score)
        }
    }

    /// A grader that always fails, with an optional stand-in.
    struct Down(&'static str, Option<Box<dyn Grader>>);

    #[async_trait]
    impl Grader for Down {
        fn id(&self) -> &str {
            self.0
        }

        async fn grade(&self, _: GradeRequest<'_>) -> Result<AnswerScore, GradeError> {
            Err(GradeError::Unavailable(format!("{} is down", self.0)))
        }

        fn stand_in(&self) -> Option<&dyn Grader> {
            self.1.as_deref()
        }
    }

    #[tokio::test]
    async fn a_failed_grader_s_stand_in_scores_and_if_it_fails_too_both_reasons_are_kept() {
        let catalog = Catalog::embedded().unwrap();
        let rubric = catalog.rubric_for_kind(RoundKind::Values).unwrap();
        let question = &catalog.questions(RoundKind::Values)[0];
        let answers =
            ["I owned the billing export fix and cut failures from twelve to one.".into()];
        let request = GradeRequest {
            rubric,
            question,
            answers: &answers,
            hints: &[],
        };
        let stood_in = grade_or_fallback(&Down("llm", Some(Box::new(Forgetful))), request).await;
        assert_eq!(stood_in.grader, "forgetful");
        assert!(stood_in.fallback);
        assert_eq!(
            stood_in.fallback_reason.as_deref(),
            Some("grader unavailable: llm is down")
        );

        let both = Down("llm", Some(Box::new(Down("offline-v3", None))));
        let last = grade_or_fallback(&both, request).await;
        assert_eq!(last.grader, OfflineGrader::ID);
        let reason = last.fallback_reason.unwrap();
        assert!(reason.contains("llm is down"), "{reason}");
        assert!(reason.contains("offline-v3 failed too"), "{reason}");
    }

    #[tokio::test]
    async fn every_caller_gets_the_rubric_hash_and_the_code_run_folded_in() {
        let catalog = Catalog::embedded().unwrap();
        let rubric = catalog.rubric_for_kind(RoundKind::Coding).unwrap();
        let question = &catalog.questions(RoundKind::Coding)[0];
        let answers = [
            "I would use a hash map, which makes each lookup O(1), so the whole \
                        pass is O(n) time; I tested empty input and duplicates."
                .to_owned(),
        ];
        let request = GradeRequest {
            rubric,
            question,
            answers: &answers,
            hints: &[],
        };
        let run = TestRun {
            language: crate::content::CodeLanguage::Python,
            code: "def f(): pass".into(),
            status: RunStatus::Completed,
            passed: 0,
            total: 5,
            cases: vec![],
            message: None,
            output: String::new(),
            duration_ms: 1,
        };
        let plain = grade_answer(&Forgetful, request, Observed::default()).await;
        assert_eq!(plain.provenance.rubric_hash, rubric_hash(rubric));
        let failing = grade_answer(
            &Forgetful,
            request,
            Observed {
                run: Some(&run),
                ..Observed::default()
            },
        )
        .await;
        assert!(failing.overall <= plain.overall);
        assert_ne!(
            failing.dimensions, plain.dimensions,
            "the failed run moved a level"
        );
    }
}
