//! Calibration: how well a grader agrees with human labels.
//!
//! [`run`] grades every item of a [`CalibrationSet`] with a grader, through
//! [`grade_answer`] exactly as a live interview does, and compares the
//! scores with the labels: rank correlation, agreement, ranking accuracy and
//! bias, overall and per round kind, with the adversarial items listed so a
//! reviewer can see what a stuffed or injected answer earned.

mod breakdown;
pub mod fit;
pub mod fit_v3;
mod metrics;
mod render;
mod set;

use futures_util::StreamExt;
use serde::Serialize;

use crate::content::RoundKind;
use crate::grading::{AnswerScore, GradeRequest, Grader, Observed, grade_answer};

pub use breakdown::{SplitReport, StyleReport};
pub use metrics::{
    Metrics, Pair, average_ranks, nearest_level, pairwise_ranking_accuracy,
    quadratic_weighted_kappa, spearman,
};
pub use set::{
    ADVERSARIAL_TAGS, CalibrationItem, CalibrationSet, STYLES, SetError, SetErrors, Split,
};

/// Items graded at once by default. The offline grader is synchronous and
/// gains nothing; an LLM grader overlaps its network waits, and this bound
/// keeps a calibration run from flooding a provider. A slow local server
/// wants fewer (see [`run_with`]).
const CONCURRENCY: usize = 8;

#[derive(Clone, Debug, Serialize)]
pub struct CalibrationReport {
    /// The set file the report is about.
    pub set: String,
    /// The grader asked for (each item says which grader actually scored it).
    pub grader: String,
    pub overall: Metrics,
    /// The fitting and held-out splits apart: the held-out figures are the
    /// ones to believe.
    pub splits: Vec<SplitReport>,
    /// Per voice (style), over the whole set.
    pub by_style: Vec<StyleReport>,
    pub by_kind: Vec<KindMetrics>,
    /// Agreement on the dimensions that carry human levels.
    pub dimensions: Vec<DimensionAgreement>,
    /// How many items fell back to the offline grader.
    pub fallbacks: usize,
    /// The adversarial items, in set order (also present in `items`).
    pub adversarial: Vec<ItemResult>,
    pub items: Vec<ItemResult>,
    /// Another grader's figures on the same items (the offline grader's,
    /// when an LLM is measured), so the two can be read side by side.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beside: Option<Beside>,
}

/// The headline figures of a second grader on the same items.
#[derive(Clone, Debug, Serialize)]
pub struct Beside {
    pub grader: String,
    pub overall: Metrics,
    pub splits: Vec<SplitReport>,
    pub fallbacks: usize,
}

impl CalibrationReport {
    /// Sets `other`'s headline figures beside this report's.
    pub fn set_beside(&mut self, other: CalibrationReport) {
        self.beside = Some(Beside {
            grader: other.grader,
            overall: other.overall,
            splits: other.splits,
            fallbacks: other.fallbacks,
        });
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct KindMetrics {
    pub kind: RoundKind,
    #[serde(flatten)]
    pub metrics: Metrics,
}

#[derive(Clone, Debug, Serialize)]
pub struct DimensionAgreement {
    pub kind: RoundKind,
    pub dimension: String,
    pub n: usize,
    pub exact_agreement: f64,
    pub within_one_agreement: f64,
    pub mean_signed_error: f64,
}

/// One item's label beside what the grader made of it.
#[derive(Clone, Debug, Serialize)]
pub struct ItemResult {
    pub id: String,
    pub kind: RoundKind,
    pub question_id: String,
    pub tags: Vec<String>,
    pub style: String,
    pub split: Split,
    /// Words in all turns, to check that length earns nothing.
    pub words: usize,
    pub label: u8,
    pub overall: f64,
    /// `overall` rounded to the nearest level.
    pub level: u8,
    pub grader: String,
    pub fallback: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
    pub injection_suspected: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suspect_quotes: Vec<String>,
    pub dimensions: Vec<DimensionResult>,
    /// What offline grader v3 measured, where a fit computed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub v3: Option<V3Measures>,
}

/// Offline grader v3's view of one item: what an operator refitting the
/// grader studies.
#[derive(Clone, Debug, Serialize)]
pub struct V3Measures {
    /// The answer-level measures: the constant 1, then `TECHNICAL` or
    /// `STORY` order.
    pub measures: Vec<f64>,
    /// What held the whole answer at level 1, if anything did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap: Option<String>,
    /// Closeness to the question asked, and the margin over the nearest
    /// sibling question.
    pub relevance: f32,
    pub margin: f32,
    /// A story's parts (STAR structure, ownership, impact, reflection), 0
    /// (the rubric's level 1) to 1 (level 4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub story_parts: Option<[f64; 4]>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DimensionResult {
    pub id: String,
    /// The human's level, when the item labels this dimension.
    pub human: Option<u8>,
    pub grader: u8,
}

impl ItemResult {
    pub(crate) fn new(item: &CalibrationItem, score: AnswerScore) -> ItemResult {
        ItemResult {
            id: item.id.clone(),
            kind: item.kind,
            question_id: item.question.id.clone(),
            tags: item.tags.clone(),
            style: item.style.clone(),
            split: item.split,
            words: item
                .answers
                .iter()
                .map(|a| a.split_whitespace().count())
                .sum(),
            label: item.label,
            overall: score.overall,
            level: nearest_level(score.overall),
            grader: score.grader,
            fallback: score.fallback,
            fallback_reason: score.fallback_reason,
            injection_suspected: score.injection_suspected,
            suspect_quotes: score.suspect_quotes,
            dimensions: score
                .dimensions
                .into_iter()
                .map(|d| DimensionResult {
                    human: item.dimensions.get(&d.id).copied(),
                    id: d.id,
                    grader: d.level,
                })
                .collect(),
            v3: None,
        }
    }

    pub fn is_adversarial(&self) -> bool {
        self.tags
            .iter()
            .any(|t| ADVERSARIAL_TAGS.contains(&t.as_str()))
    }

    pub(crate) fn pair(&self) -> Pair {
        Pair {
            human: self.label,
            grader: self.overall,
        }
    }
}

/// Grades every item of `set` with `grader` and compares with the labels.
pub async fn run(set: &CalibrationSet, grader: &dyn Grader) -> CalibrationReport {
    run_with(set, grader, CONCURRENCY).await
}

/// [`run`], grading `concurrency` items at once. An item's grading is timed
/// from its start, waits for a free lane to the endpoint included, so more
/// items at once than the endpoint has lanes time out in the queue: against
/// a one-slot llama.cpp server, items started eight at a time fell back
/// with "no score within 665s" having waited, not graded.
pub async fn run_with(
    set: &CalibrationSet,
    grader: &dyn Grader,
    concurrency: usize,
) -> CalibrationReport {
    let items: Vec<ItemResult> = futures_util::stream::iter(&set.items)
        .map(|item| async move {
            let request = GradeRequest {
                rubric: &item.rubric,
                question: &item.question,
                answers: &item.answers,
                hints: &[],
            };
            ItemResult::new(
                item,
                grade_answer(grader, request, Observed::default()).await,
            )
        })
        .buffered(concurrency.max(1))
        .collect()
        .await;
    report(&set.source, grader.id(), items)
}

/// The metrics over graded items (exposed so scores from elsewhere, such as
/// a stored run, can be compared the same way).
pub fn report(set: &str, grader: &str, items: Vec<ItemResult>) -> CalibrationReport {
    let all: Vec<Pair> = items.iter().map(ItemResult::pair).collect();
    let by_kind = RoundKind::ALL
        .iter()
        .filter_map(|&kind| {
            let pairs: Vec<Pair> = items
                .iter()
                .filter(|i| i.kind == kind)
                .map(ItemResult::pair)
                .collect();
            (!pairs.is_empty()).then(|| KindMetrics {
                kind,
                metrics: Metrics::compute(&pairs),
            })
        })
        .collect();
    let splits = [Split::Fit, Split::Holdout]
        .into_iter()
        .filter_map(|split| {
            let part: Vec<&ItemResult> = items.iter().filter(|i| i.split == split).collect();
            (!part.is_empty()).then(|| breakdown::split_report(split, &part))
        })
        .collect();
    let by_style = breakdown::style_reports(&items.iter().collect::<Vec<_>>());
    CalibrationReport {
        set: set.to_owned(),
        grader: grader.to_owned(),
        overall: Metrics::compute(&all),
        splits,
        by_style,
        by_kind,
        dimensions: dimension_agreement(&items),
        fallbacks: items.iter().filter(|i| i.fallback).count(),
        adversarial: items
            .iter()
            .filter(|i| i.is_adversarial())
            .cloned()
            .collect(),
        items,
        beside: None,
    }
}

/// (human, grader) levels of one dimension of one round kind.
type LevelPairs = ((RoundKind, String), Vec<(u8, u8)>);

fn dimension_agreement(items: &[ItemResult]) -> Vec<DimensionAgreement> {
    // In first-seen order, so the table follows the set.
    let mut groups: Vec<LevelPairs> = Vec::new();
    for item in items {
        for d in &item.dimensions {
            let Some(human) = d.human else { continue };
            let key = (item.kind, d.id.clone());
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, levels)) => levels.push((human, d.grader)),
                None => groups.push((key, vec![(human, d.grader)])),
            }
        }
    }
    groups
        .into_iter()
        .map(|((kind, dimension), levels)| {
            let n = levels.len() as f64;
            let share =
                |f: fn(u8, u8) -> bool| levels.iter().filter(|&&(h, g)| f(h, g)).count() as f64 / n;
            DimensionAgreement {
                kind,
                dimension,
                n: levels.len(),
                exact_agreement: share(|h, g| h == g),
                within_one_agreement: share(|h, g| h.abs_diff(g) <= 1),
                mean_signed_error: levels
                    .iter()
                    .map(|&(h, g)| f64::from(g) - f64::from(h))
                    .sum::<f64>()
                    / n,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
