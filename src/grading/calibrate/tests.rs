use async_trait::async_trait;

use super::*;
use crate::content::Catalog;
use crate::grading::{GradeError, OfflineGrader};

/// Stands in for an outside grading service that is down.
struct Unavailable;

#[async_trait]
impl Grader for Unavailable {
    fn id(&self) -> &str {
        "remote"
    }
    async fn grade(&self, _: GradeRequest<'_>) -> Result<AnswerScore, GradeError> {
        Err(GradeError::Unavailable("connection refused".into()))
    }
}

const SET: &str = r#"
[[items]]
id = "values-strong"
question = "values-owning-incident"
label = 4
answers = ["At 2am I was paged because checkout errors jumped to 30 percent after my deploy. I rolled back within ten minutes, posted status updates every fifteen minutes, and then I found the root cause: a config flag I had flipped without a canary. Errors fell back to 0.1 percent. Since then I add a canary stage to every rollout, and last month it caught a bad config before customers saw it."]
[items.dimensions]
ownership = 4

[[items]]
id = "values-empty"
question = "values-owning-incident"
label = 1
tags = ["adversarial", "empty"]
answers = []

[[items]]
id = "coding-fine"
question = "coding-three-sum"
label = 1
tags = ["fine"]
answers = ["fine"]
"#;

fn set() -> CalibrationSet {
    CalibrationSet::parse("inline.toml", SET, &Catalog::embedded().unwrap()).unwrap()
}

#[tokio::test]
async fn every_item_is_graded_and_compared_with_its_label() {
    let report = run(&set(), &OfflineGrader).await;
    assert_eq!(report.grader, OfflineGrader::ID);
    assert_eq!(report.overall.n, 3);
    assert_eq!(report.fallbacks, 0);
    let ids: Vec<&str> = report.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["values-strong", "values-empty", "coding-fine"]);
    let kinds: Vec<RoundKind> = report.by_kind.iter().map(|k| k.kind).collect();
    assert_eq!(kinds, [RoundKind::Coding, RoundKind::Values]);
    assert_eq!(report.by_kind[1].metrics.n, 2);
    let adversarial: Vec<&str> = report.adversarial.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(adversarial, ["values-empty", "coding-fine"]);
    let empty = &report.items[1];
    assert_eq!(empty.level, 1, "an empty answer earns nothing: {empty:?}");
    assert_eq!(report.dimensions.len(), 1);
    assert_eq!(report.dimensions[0].dimension, "ownership");
    let strong = &report.items[0];
    let ownership = strong
        .dimensions
        .iter()
        .find(|d| d.id == "ownership")
        .unwrap();
    assert_eq!(ownership.human, Some(4));
    let table = report.render_table();
    for expected in [
        "spearman",
        "qwk",
        "pairwise",
        "values-empty",
        "Adversarial items",
    ] {
        assert!(
            table.contains(expected),
            "{expected} missing from:\n{table}"
        );
    }
}

#[tokio::test]
async fn a_failing_grader_is_replaced_and_every_item_says_so() {
    let report = run(&set(), &Unavailable).await;
    assert_eq!(report.grader, "remote");
    assert_eq!(report.fallbacks, 3);
    for item in &report.items {
        assert!(item.fallback);
        assert_eq!(item.grader, OfflineGrader::ID);
        assert!(
            item.fallback_reason
                .as_deref()
                .is_some_and(|r| r.contains("connection refused")),
            "{item:?}"
        );
    }
    assert!(
        report
            .render_table()
            .contains("fallback (grader unavailable: connection refused)")
    );
}

#[tokio::test]
async fn a_second_graders_figures_are_shown_beside_the_first() {
    let mut report = run(&set(), &Unavailable).await;
    report.set_beside(run(&set(), &OfflineGrader).await);
    let beside = report.beside.as_ref().unwrap();
    assert_eq!(beside.grader, OfflineGrader::ID);
    assert_eq!((beside.overall.n, beside.fallbacks), (3, 0));
    let table = report.render_table();
    assert!(
        table.contains(&format!(
            "beside it, {} on the same items",
            OfflineGrader::ID
        )),
        "{table}"
    );
}

#[test]
fn a_sample_spreads_over_the_labels_and_never_grows_it() {
    // Ordered by label: values-empty (1), coding-fine (1), values-strong
    // (4); the middles of two halves and of the whole, in set order.
    let mut sampled = set();
    sampled.sample(2);
    let ids: Vec<&str> = sampled.items.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["values-strong", "values-empty"]);
    let mut one = set();
    one.sample(1);
    assert_eq!(one.items[0].id, "coding-fine");
    let mut whole = set();
    whole.sample(10);
    assert_eq!(whole.items.len(), 3);
}

fn item(id: &str, kind: RoundKind, label: u8, overall: f64) -> ItemResult {
    ItemResult {
        id: id.into(),
        kind,
        question_id: "q".into(),
        tags: vec![],
        style: "standard".into(),
        split: super::Split::Fit,
        words: 100,
        label,
        overall,
        level: nearest_level(overall),
        grader: "g".into(),
        fallback: false,
        fallback_reason: None,
        injection_suspected: false,
        suspect_quotes: vec![],
        dimensions: vec![],
        v3: None,
    }
}

#[test]
fn the_report_breaks_metrics_down_by_kind() {
    let items = vec![
        item("a", RoundKind::Design, 1, 1.0),
        item("b", RoundKind::Design, 4, 3.6),
        item("c", RoundKind::Screen, 2, 3.0),
        item("d", RoundKind::Screen, 3, 2.0),
    ];
    let report = report("s", "g", items);
    assert_eq!(report.overall.n, 4);
    let screen = &report.by_kind[0];
    assert_eq!(screen.kind, RoundKind::Screen);
    assert_eq!(screen.metrics.pairwise_ranking_accuracy, Some(0.0));
    assert_eq!(
        report.by_kind[1].metrics.pairwise_ranking_accuracy,
        Some(1.0)
    );
    assert_eq!(report.by_kind[1].metrics.exact_agreement, Some(1.0));
    let table = report.render_table();
    assert!(table.contains("Largest disagreements (2 of 4"), "{table}");
}

/// Cross-validation holds out each round kind the set has answers for and
/// no other: a kind with an empty bank of labels (incident, threat-model,
/// product, program, customer-architecture, data-design) is not an empty fold
/// with a meaningless objective.
#[test]
fn the_offline_fit_cross_validates_only_the_kinds_the_set_covers() {
    let start = crate::grading::offline::Params::FITTED;
    let one_point = fit::Grid {
        threshold_scale: vec![start.threshold_scale],
        sentence_credit: vec![start.sentence_credit],
        repeat_decay: vec![start.repeat_decay],
        min_relevance: vec![start.min_relevance],
        short_words: vec![start.short_words],
    };
    let report = fit::fit(&set(), &start, &one_point, |_| {});
    let kinds: Vec<RoundKind> = report.cross_validation.iter().map(|h| h.kind).collect();
    assert_eq!(kinds, [RoundKind::Coding, RoundKind::Values]);
    for held in &report.cross_validation {
        for objective in [held.held_out, held.fitted_on_rest] {
            assert!(
                objective.quadratic_weighted_kappa.is_finite() && objective.spearman.is_finite(),
                "{}: {objective:?}",
                held.kind
            );
        }
    }
}
