//! The report's honest breakdowns: the fitting and held-out splits
//! separately, per style (voice), pairwise order within each question, and
//! the checks the targets name (no adversarial answer above 2.0, no strong
//! answer below 2.0, every level used).

use serde::Serialize;

use super::metrics::{Metrics, Pair, nearest_level, pairwise_ranking_accuracy, spearman};
use super::{ItemResult, Split};

/// One split's figures.
#[derive(Clone, Debug, Serialize)]
pub struct SplitReport {
    pub split: Split,
    #[serde(flatten)]
    pub metrics: Metrics,
    /// Share of differently labelled answers to the same question that the
    /// grader orders as the human did.
    pub pairwise_within_question: Option<f64>,
    /// Share of answers whose nearest level is 1, 2, 3 and 4.
    pub level_shares: [f64; 4],
    /// Adversarial, off-topic or generic answers scored above 2.0.
    pub adversarial_above_two: Vec<String>,
    /// Answers labelled 3 or 4 scored below 2.0.
    pub strong_below_two: Vec<String>,
    /// Spearman of answer length with the labels, and with the grader's
    /// scores: the grader's should be no larger, or length is earning.
    pub length_vs_labels: Option<f64>,
    pub length_vs_grader: Option<f64>,
}

/// One style's figures.
#[derive(Clone, Debug, Serialize)]
pub struct StyleReport {
    pub style: String,
    #[serde(flatten)]
    pub metrics: Metrics,
}

pub fn split_report(split: Split, items: &[&ItemResult]) -> SplitReport {
    let pairs: Vec<Pair> = items.iter().map(|i| i.pair()).collect();
    let words: Vec<f64> = items.iter().map(|i| i.words as f64).collect();
    let labels: Vec<f64> = items.iter().map(|i| f64::from(i.label)).collect();
    let overall: Vec<f64> = items.iter().map(|i| i.overall).collect();
    let n = items.len().max(1) as f64;
    let mut level_shares = [0.0; 4];
    for item in items {
        level_shares[usize::from(nearest_level(item.overall) - 1)] += 1.0 / n;
    }
    SplitReport {
        split,
        metrics: Metrics::compute(&pairs),
        pairwise_within_question: pairwise_within_question(items),
        level_shares,
        adversarial_above_two: items
            .iter()
            .filter(|i| i.is_adversarial() && i.overall > 2.0)
            .map(|i| i.id.clone())
            .collect(),
        strong_below_two: items
            .iter()
            .filter(|i| i.label >= 3 && i.overall < 2.0)
            .map(|i| i.id.clone())
            .collect(),
        length_vs_labels: spearman(&words, &labels),
        length_vs_grader: spearman(&words, &overall),
    }
}

pub fn style_reports(items: &[&ItemResult]) -> Vec<StyleReport> {
    super::STYLES
        .iter()
        .filter_map(|&style| {
            let pairs: Vec<Pair> = items
                .iter()
                .filter(|i| i.style == style)
                .map(|i| i.pair())
                .collect();
            (!pairs.is_empty()).then(|| StyleReport {
                style: style.to_owned(),
                metrics: Metrics::compute(&pairs),
            })
        })
        .collect()
}

/// Pairwise ranking accuracy over pairs of answers to the same question.
pub fn pairwise_within_question(items: &[&ItemResult]) -> Option<f64> {
    let mut questions: Vec<&str> = items.iter().map(|i| i.question_id.as_str()).collect();
    questions.sort_unstable();
    questions.dedup();
    let (mut credit, mut total) = (0.0, 0usize);
    for question in questions {
        let pairs: Vec<Pair> = items
            .iter()
            .filter(|i| i.question_id == question)
            .map(|i| i.pair())
            .collect();
        let differing = pairs
            .iter()
            .enumerate()
            .flat_map(|(i, a)| pairs[i + 1..].iter().map(move |b| (a, b)))
            .filter(|(a, b)| a.human != b.human)
            .count();
        if let Some(accuracy) = pairwise_ranking_accuracy(&pairs) {
            credit += accuracy * differing as f64;
            total += differing;
        }
    }
    (total > 0).then(|| credit / total as f64)
}
