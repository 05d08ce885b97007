//! Offline grader v3: substance, not vocabulary.
//!
//! How a level is earned, per rubric dimension:
//!
//! 1. **Relevance.** The answer's sentences are embedded (all-MiniLM-L6-v2,
//!    see [`crate::embed`]) and compared with its own question and with every
//!    sibling question of the bank. A technical answer closer to a sibling
//!    than to its own question (by the fitted margin) is off-topic and capped
//!    at level 1, whatever its words. Stories are exempt: every values
//!    question asks for one, and a real story resembles none of them.
//! 2. **Key points, with substance.** Each key point of the question is
//!    matched with the sentence closest to it (topic). It counts as *covered*
//!    only when that sentence also carries the point's claim: the point's own
//!    specific words (not the question's) and a quantity or a link (a reason,
//!    condition or consequence). On topic without that is a *mention*, worth
//!    little. A point's value is the same however often it is said, so length
//!    earns nothing: credit is per idea, not per word.
//! 3. **Stories.** Values answers are judged on the story's shape in the
//!    candidate's own sentences (see [`story`]), not on likeness to abstract
//!    key points.
//! 4. **Quality, then dimension levels** (see [`judge`]): a fitted weighted
//!    sum of a few answer-level measures (key-point detail and specifics,
//!    the number and density of on-topic claims; for stories their shape)
//!    gives the answer's quality; each dimension moves from it by how much
//!    better or worse its own key points fared, and is rounded to 1–4.
//! 5. **Caps.** Text addressed to the grader, no answer, too short, the
//!    question said back, off-topic, and gaming (keyword density, repeated
//!    phrases, templated sentences) earn level 1.
//! 6. **Feedback** per dimension names what this answer showed (quoting it)
//!    and what it missed, from the question's own key points.
//!
//! Deterministic: the same answer, model and parameters give the same score.

mod features;
mod feedback;
pub mod free_text;
mod judge;
mod story;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_customer_architecture;
#[cfg(test)]
mod tests_data_design;
#[cfg(test)]
mod tests_listed;

use std::sync::Arc;

use super::{
    AnswerScore, Coverage, DimensionScore, GradeError, GradeRequest, Grader, KeyPointResult,
    Provenance, rubric_hash,
};
use crate::content::RoundKind;
use crate::embed::Embedder;
use async_trait::async_trait;

use super::quote::clip;

pub use features::{Features, extract};
pub use judge::{Judgement, Params, STORY, TECHNICAL, judge};

/// Quotes per dimension: enough to justify a level, few enough to read.
const MAX_QUOTES: usize = 3;

/// The offline grader with its embedding model.
#[derive(Clone, Debug)]
pub struct SubstanceGrader {
    embedder: Arc<Embedder>,
    params: Params,
    /// Answers graded at once. Each runs the model on a blocking thread and
    /// its matrix products on every core, so more at once only queue on the
    /// CPU and slow speech recognition; the rest wait here, and a grading
    /// that waits too long falls back (see `grade_or_fallback`).
    running: Arc<tokio::sync::Semaphore>,
}

/// How many answers v3 grades at once: half the cores, at least one.
fn concurrency() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

impl SubstanceGrader {
    pub const ID: &'static str = "offline-v3";

    pub fn new(embedder: Arc<Embedder>) -> SubstanceGrader {
        SubstanceGrader::with_params(embedder, Params::FITTED)
    }

    pub fn with_params(embedder: Arc<Embedder>, params: Params) -> SubstanceGrader {
        SubstanceGrader {
            embedder,
            params,
            running: Arc::new(tokio::sync::Semaphore::new(concurrency())),
        }
    }

    /// Grades synchronously (the model runs on this thread). A question
    /// with no key points (typed in) is read as [`free_text`] describes.
    pub fn score(&self, request: GradeRequest<'_>) -> Result<AnswerScore, GradeError> {
        let unavailable = |e: crate::embed::EmbedError| GradeError::Unavailable(e.to_string());
        if request.question.key_points.is_empty() {
            let read = free_text::as_question(request.rubric, request.question);
            let features = extract(&self.embedder, request.rubric, &read, request.answers)
                .map_err(unavailable)?;
            return Ok(free_text::score(&self.params, request, &read, &features));
        }
        let features = extract(
            &self.embedder,
            request.rubric,
            request.question,
            request.answers,
        )
        .map_err(unavailable)?;
        Ok(score(&self.params, request, &features))
    }
}

#[async_trait]
impl Grader for SubstanceGrader {
    fn id(&self) -> &str {
        Self::ID
    }

    fn quick(&self) -> Option<&dyn Grader> {
        Some(self)
    }

    /// Embeds every question's reference texts (its text, key points and
    /// bank) so the first answer to each question does not wait seconds for
    /// them. One question at a time under a grading permit: a candidate's
    /// answer that arrives meanwhile waits for one question's batch at most.
    fn prepare(
        &self,
        questions: Vec<crate::content::Question>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        let grader = self.clone();
        Some(tokio::spawn(async move {
            let started = std::time::Instant::now();
            for question in questions {
                let Ok(permit) = Arc::clone(&grader.running).acquire_owned().await else {
                    return;
                };
                let embedder = Arc::clone(&grader.embedder);
                let done = tokio::task::spawn_blocking(move || {
                    let _permit = permit;
                    embedder
                        .references(&features::reference_texts(&question))
                        .map(drop)
                        .map_err(|e| e.to_string())
                })
                .await
                .unwrap_or_else(|e| Err(e.to_string()));
                if let Err(error) = done {
                    tracing::warn!(%error, "preparing the offline grader stopped; answers embed on demand");
                    return;
                }
            }
            tracing::info!(
                seconds = started.elapsed().as_secs_f32(),
                "offline grader v3 ready"
            );
        }))
    }

    async fn grade(&self, request: GradeRequest<'_>) -> Result<AnswerScore, GradeError> {
        // The model is CPU-bound for tens of milliseconds to a second: run it
        // on the blocking pool so other sessions' sockets stay responsive
        // (which takes owned copies of what it reads).
        let permit = Arc::clone(&self.running)
            .acquire_owned()
            .await
            .map_err(|e| GradeError::Unavailable(e.to_string()))?;
        let grader = self.clone();
        let rubric = request.rubric.clone();
        let question = request.question.clone();
        let answers = request.answers.to_vec();
        let hints = request.hints.to_vec();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            grader.score(GradeRequest {
                rubric: &rubric,
                question: &question,
                answers: &answers,
                hints: &hints,
            })
        })
        .await
        .map_err(|e| GradeError::Unavailable(format!("the grading task failed: {e}")))?
    }
}

/// Why a level was held below what the answer earned.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cap {
    Injection,
    Empty,
    TooShort,
    OffTopic,
    /// Mostly the question's own words said back.
    Restated,
    /// Keyword stuffing, repeated phrases or templated sentences.
    Gaming,
    /// Term lists under headings, and nothing that says what any term does
    /// here: stuffing laid out as a structured answer.
    Listed,
    /// A story that recites what a good story contains (the question's
    /// abstract key points) instead of telling one.
    Recited,
    WeNotI,
}

/// Scores extracted features with `params`.
pub fn score(params: &Params, request: GradeRequest<'_>, f: &Features) -> AnswerScore {
    let rubric = request.rubric;
    let question = request.question;
    let values = question.kind == RoundKind::Values;
    let judgement = judge(params, rubric, question, f);
    let Judgement {
        points,
        cap: answer_cap,
        ..
    } = &judgement;
    let answer_cap = *answer_cap;
    let coverage = mean(points.iter().map(|p| p.0)).unwrap_or(0.0);
    let dimensions: Vec<DimensionScore> = rubric
        .dimensions
        .iter()
        .zip(&judgement.dimensions)
        .map(|(dimension, (level, cap, own))| {
            let evidence = if cap.is_some_and(|c| c != Cap::WeNotI) {
                Vec::new()
            } else {
                evidence(
                    f,
                    own,
                    points,
                    values.then(|| story_sentence(&dimension.id, f)),
                )
            };
            let mut said = feedback::dimension(dimension, question, f, own, points, values, *cap);
            if dimension.id == features::CODE_QUALITY && cap.is_none() {
                // With the code read and no key point of the dimension shown,
                // the reading is the whole feedback: "nothing in this answer
                // spoke to code quality" beside it would contradict it.
                let shown = own.iter().any(|&i| points[i].1 != Coverage::Missed);
                if f.code.is_some() && !shown {
                    said.clear();
                }
                said = feedback::code(&said, f.code.as_ref());
            }
            DimensionScore {
                id: dimension.id.clone(),
                name: dimension.name.clone(),
                level: *level,
                feedback: said,
                evidence,
            }
        })
        .collect();

    let key_points = question
        .key_points
        .iter()
        .zip(&f.points)
        .zip(points)
        .map(|((k, finding), (_, status))| KeyPointResult {
            text: k.text.clone(),
            dimension: k.dimension.clone(),
            status: if answer_cap.is_some() {
                Coverage::Missed
            } else {
                *status
            },
            quote: match (answer_cap, status, finding.sentence) {
                (None, Coverage::Covered | Coverage::Mentioned, Some(s)) => {
                    Some(clip(f.sentence(s)))
                }
                _ => None,
            },
        })
        .collect::<Vec<_>>();

    let overall = AnswerScore::weighted_overall(rubric, &dimensions);
    let (mut strengths, mut improvements) =
        feedback::summary(question, &key_points, f, values, &dimensions);
    if let Some(reading) = f.code.as_ref().filter(|_| answer_cap.is_none()) {
        strengths.extend(reading.strengths.first().cloned());
        improvements.extend(reading.findings.first().cloned());
    }
    improvements.extend(super::offline::hint_note(request.hints));
    AnswerScore {
        grader: SubstanceGrader::ID.to_owned(),
        rubric_id: rubric.id.clone(),
        rubric_version: rubric.version.clone(),
        overall,
        estimate: answer_cap.is_none() && disagrees(params, values, f, coverage, points, overall),
        dimensions,
        fallback: false,
        fallback_reason: None,
        injection_suspected: !f.suspects.is_empty(),
        suspect_quotes: f.suspects.iter().map(|&s| clip(f.sentence(s))).collect(),
        strengths,
        improvements,
        key_points,
        provenance: Provenance {
            rubric_hash: rubric_hash(rubric),
            ..Provenance::default()
        },
        not_assessed: None,
    }
}

/// The signals disagree: the answer is about the question but none of its
/// key points' substance was found, or much of the rubric's vocabulary is
/// there with little of the key points, or a technical answer sits right at
/// the off-topic line (a hair either way flips it between level 1 and its
/// earned level). Either way the level is a guess.
fn disagrees(
    params: &Params,
    values: bool,
    f: &Features,
    coverage: f64,
    points: &[(f64, Coverage)],
    overall: f64,
) -> bool {
    let on_topic = f.points.iter().filter(|p| p.topic >= 0.45).count();
    let covered = points.iter().filter(|p| p.1 == Coverage::Covered).count();
    let signals = mean(f.signals.iter().copied()).unwrap_or(0.0);
    let near_the_line = !values && (f64::from(f.margin) - params.off_topic_margin).abs() < 0.02;
    (on_topic >= 3 && covered == 0 && overall >= 1.5)
        || (signals >= 0.6 && coverage < 0.15)
        || near_the_line
}

/// The sentence that shows a values dimension's story part.
fn story_sentence(dimension: &str, f: &Features) -> Vec<usize> {
    let [situation, action, result, afterwards] = f.story.examples;
    match dimension {
        "star_structure" => [situation, action, result].into_iter().flatten().collect(),
        "ownership" => action.into_iter().collect(),
        "impact" => result.into_iter().collect(),
        "reflection_growth" => afterwards.into_iter().collect(),
        _ => Vec::new(),
    }
}

/// Quotes for a dimension: the sentences that showed its key points (best
/// first), or for a story its parts.
fn evidence(
    f: &Features,
    own: &[usize],
    points: &[(f64, Coverage)],
    story: Option<Vec<usize>>,
) -> Vec<String> {
    let mut ranked: Vec<(f64, usize)> = own
        .iter()
        .filter(|&&i| points[i].1 != Coverage::Missed)
        .filter_map(|&i| f.points[i].sentence.map(|s| (points[i].0, s)))
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut sentences: Vec<usize> = story.unwrap_or_default();
    sentences.extend(ranked.into_iter().map(|(_, s)| s));
    let mut out: Vec<String> = Vec::new();
    for s in sentences {
        let quote = clip(f.sentence(s));
        if out.len() < MAX_QUOTES && !out.contains(&quote) {
            out.push(quote);
        }
    }
    out
}

pub(super) fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}
