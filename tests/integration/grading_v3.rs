//! Offline grader v3 on the whole calibration set, with the real embedding
//! model: the held-out split it was never fitted on is the measure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use mockloop::content::{Catalog, RoundKind};
use mockloop::embed::Embedder;
use mockloop::grading::calibrate::fit_v3::{self, extract, report_with};
use mockloop::grading::calibrate::{CalibrationReport, CalibrationSet, STYLES, Split, SplitReport};
use mockloop::grading::v3::{Features, Params};

fn set_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/calibration")
}

/// The embedding model `cargo xtask setup test` fetched, unpacked once per test process.
pub fn shared_model() -> Arc<Embedder> {
    mockloop::embed::test_model()
}

fn model() -> Arc<Embedder> {
    shared_model()
}

/// The set and every item's features, extracted once for all tests here.
fn measured() -> &'static (CalibrationSet, Vec<Features>) {
    static MEASURED: OnceLock<(CalibrationSet, Vec<Features>)> = OnceLock::new();
    MEASURED.get_or_init(|| {
        let set = CalibrationSet::load(&set_dir(), &Catalog::embedded().unwrap()).unwrap();
        let features = extract(&set, &model(), |_| {}).unwrap();
        (set, features)
    })
}

fn report() -> CalibrationReport {
    let (set, features) = measured();
    report_with(set, features, &Params::FITTED, "offline-v3")
}

#[test]
fn the_set_has_300_answers_in_many_voices_with_a_third_held_out() {
    let (set, _) = measured();
    assert!(set.items.len() >= 300, "{} items", set.items.len());
    let held = set.split(Split::Holdout).count();
    assert!(
        3 * held >= set.items.len(),
        "{held} of {} held out",
        set.items.len()
    );
    for style in STYLES {
        assert!(
            set.items.iter().any(|i| i.style == style),
            "no {style} answers"
        );
    }
    // Every round kind has labelled answers, and within each, length and
    // label part ways: short answers that are good (a main answer of at most
    // 100 words: a terse one may go on to answer a probe) and long ones, all
    // turns counted, that are not.
    for kind in RoundKind::ALL {
        let items: Vec<_> = set.items.iter().filter(|i| i.kind == kind).collect();
        let words = |i: &&&mockloop::grading::calibrate::CalibrationItem| {
            i.answers
                .iter()
                .map(|a| a.split_whitespace().count())
                .sum::<usize>()
        };
        let main_words = |i: &&&mockloop::grading::calibrate::CalibrationItem| {
            i.answers
                .first()
                .map_or(0, |a| a.split_whitespace().count())
        };
        assert!(
            items.iter().any(|i| i.label >= 3 && main_words(&i) <= 100),
            "{kind}: no short strong answer"
        );
        assert!(
            items.iter().any(|i| i.label <= 2 && words(&i) >= 250),
            "{kind}: no long weak answer"
        );
    }
}

/// The round kinds the grader's parameters were fitted on; the other six
/// were added later, and all their labelled answers are held out.
const FITTED_KINDS: [RoundKind; 6] = [
    RoundKind::Screen,
    RoundKind::Coding,
    RoundKind::MlCoding,
    RoundKind::Design,
    RoundKind::MlDesign,
    RoundKind::Values,
];

/// The held-out split of the items whose round kind `keep` accepts,
/// measured with the shipped parameters.
fn held_out(keep: impl Fn(RoundKind) -> bool) -> SplitReport {
    let (set, features) = measured();
    let (items, features): (Vec<_>, Vec<_>) = set
        .items
        .iter()
        .zip(features)
        .filter(|(i, _)| keep(i.kind))
        .map(|(i, f)| (i.clone(), f.clone()))
        .unzip();
    let subset = CalibrationSet {
        source: set.source.clone(),
        items,
    };
    let report = report_with(&subset, &features, &Params::FITTED, "offline-v3");
    report
        .splits
        .into_iter()
        .find(|s| s.split == Split::Holdout)
        .unwrap()
}

fn floor(name: &str, value: Option<f64>, min: f64) {
    let value = value.unwrap_or(f64::NAN);
    assert!(value >= min, "held-out {name} {value:.3} is below {min}");
}

/// Floors a little under what the shipped parameters measure (see
/// benches/README.md for the figures and the targets they fall short of), so
/// a change that makes grading worse on answers it never saw fails here.
#[test]
fn on_the_held_out_split_v3_orders_answers_and_gives_every_level() {
    let held = held_out(|kind| FITTED_KINDS.contains(&kind));
    floor("spearman", held.metrics.spearman, SPEARMAN_FLOOR);
    floor("kappa", held.metrics.quadratic_weighted_kappa, KAPPA_FLOOR);
    floor(
        "pairwise within a question",
        held.pairwise_within_question,
        PAIRWISE_FLOOR,
    );
    for (level, share) in held.level_shares.iter().enumerate() {
        assert!(*share >= 0.10, "level {} given to {share:.2}", level + 1);
    }
    assert!(
        held.adversarial_above_two.is_empty(),
        "{:?}",
        held.adversarial_above_two
    );
    // One strong held-out answer reads below two with the parameters
    // fitted on the grown banks: a terse ML coding answer labelled 3 at
    // 1.45 (2.0 with the parameters before). Terse answers are
    // under-credited (held-out mean error -0.46), a fault benches/README.md
    // reports; a second such answer is a regression.
    assert!(
        held.strong_below_two.len() <= 1,
        "{:?}",
        held.strong_below_two
    );
    let length_labels = held.length_vs_labels.unwrap();
    let length_grader = held.length_vs_grader.unwrap();
    assert!(
        length_grader <= length_labels + 0.1,
        "length predicts the grader ({length_grader:.2}) more than the labels ({length_labels:.2})"
    );
}

// Measured with the shipped parameters: Spearman 0.890, kappa 0.865,
// pairwise within a question 0.93, levels 1-4 given to 34/22/29/14 % (the
// issue's targets: 0.85, 0.80, 0.90 and 10 % each).
const SPEARMAN_FLOOR: f64 = 0.86;
const KAPPA_FLOOR: f64 = 0.84;
const PAIRWISE_FLOOR: f64 = 0.91;

/// The six kinds added after the fit (incident, threat model, product,
/// program, customer architecture, data design), never fitted on: how the
/// grader carries over to a kind it has not seen. Measured on their 120
/// held-out answers: Spearman 0.844, kappa 0.823, pairwise within a
/// question 0.89. Three stuffed answers still read above two (two of them
/// a 3): term lists whose items are long noun phrases ("reply rate by
/// edited versus unedited drafts"), or one long comma list; see
/// benches/README.md. A fourth is a regression.
#[test]
fn on_kinds_it_was_never_fitted_on_v3_still_orders_answers() {
    let held = held_out(|kind| !FITTED_KINDS.contains(&kind));
    assert!(held.metrics.n >= 120, "{}", held.metrics.n);
    floor("spearman", held.metrics.spearman, 0.81);
    floor("kappa", held.metrics.quadratic_weighted_kappa, 0.79);
    floor(
        "pairwise within a question",
        held.pairwise_within_question,
        0.86,
    );
    assert!(
        held.adversarial_above_two.len() <= 3,
        "{:?}",
        held.adversarial_above_two
    );
}

#[test]
fn no_gaming_or_off_topic_answer_earns_a_hire() {
    let report = report();
    let mut above: BTreeMap<&str, f64> = BTreeMap::new();
    for item in report.items.iter().filter(|i| i.is_adversarial()) {
        if item.overall > 2.0 {
            above.insert(&item.id, item.overall);
        }
    }
    assert!(above.len() <= ADVERSARIAL_ABOVE_TWO, "{above:#?}");
}

/// Measured: 5 of the set's 112 adversarial answers score above 2.0: two
/// wrong-question values stories on the fitting split and three stuffed
/// answers of the kinds added later (the target is none; see
/// benches/README.md for which).
const ADVERSARIAL_ABOVE_TWO: usize = 5;

#[test]
fn no_feedback_is_a_rubric_level_description_and_every_answer_gets_both_lists() {
    let (set, features) = measured();
    let catalog = Catalog::embedded().unwrap();
    for (item, f) in set.items.iter().zip(features) {
        let score = mockloop::grading::v3::score(
            &Params::FITTED,
            mockloop::grading::GradeRequest {
                rubric: &item.rubric,
                question: &item.question,
                answers: &item.answers,
                hints: &[],
            },
            f,
        );
        let rubric = catalog.rubric(&score.rubric_id).unwrap();
        for d in &score.dimensions {
            for level in rubric.dimensions.iter().flat_map(|d| &d.levels) {
                assert!(
                    !d.feedback.contains(level.as_str()),
                    "{}: {}",
                    item.id,
                    d.feedback
                );
            }
            for signal in rubric.signals() {
                assert!(!d.feedback.contains(&signal.description), "{}", item.id);
            }
        }
        assert!(!score.strengths.is_empty(), "{}", item.id);
        assert!(!score.improvements.is_empty(), "{}", item.id);
        assert_eq!(score.key_points.len(), item.question.key_points.len());
    }
}

/// Fitted without a voice, v3 still orders the held-out split: the honest
/// test of answers written in a way the fit never saw.
#[test]
fn leaving_any_style_out_of_the_fit_keeps_the_held_out_spearman_above_0_75() {
    let (set, features) = measured();
    let report = fit_v3::fit_and_measure(set, features, &Params::FITTED);
    assert_eq!(report.best, Params::FITTED);
    assert!(report.leave_one_style_out.len() >= STYLES.len());
    for out in &report.leave_one_style_out {
        assert!(
            out.holdout.spearman >= 0.75,
            "without {}: held-out Spearman {:.3}",
            out.style,
            out.holdout.spearman
        );
    }
}

/// Leave-one-kind-out holds out only kinds the set has answers for: a kind
/// with none (a new bank) is skipped, never measured as an empty fold.
#[test]
fn a_round_kind_without_labelled_answers_is_left_out_of_the_per_kind_fits() {
    let (set, features) = measured();
    // Two kinds only, so the fit is quick and the rest are all "new".
    let kept = [RoundKind::Design, RoundKind::Values];
    let (items, features): (Vec<_>, Vec<_>) = set
        .items
        .iter()
        .zip(features)
        .filter(|(i, _)| kept.contains(&i.kind))
        .map(|(i, f)| (i.clone(), f.clone()))
        .unzip();
    let subset = CalibrationSet {
        source: set.source.clone(),
        items,
    };
    let report = fit_v3::fit_and_measure(&subset, &features, &Params::FITTED);
    let held_out: Vec<RoundKind> = report.leave_one_kind_out.iter().map(|k| k.kind).collect();
    assert_eq!(held_out, kept);
    for out in &report.leave_one_kind_out {
        let o = out.held_out;
        assert!(
            o.spearman.is_finite() && o.quadratic_weighted_kappa.is_finite(),
            "{}: {o:?}",
            out.kind
        );
    }
    let reported: Vec<RoundKind> = report.report.by_kind.iter().map(|k| k.kind).collect();
    assert_eq!(reported, kept);
}

#[test]
fn fitting_never_sees_the_held_out_labels() {
    let (set, features) = measured();
    let fitting = |i: &mockloop::grading::calibrate::CalibrationItem| i.split == Split::Fit;
    let (best, _) = fit_v3::fit(set, features, &Params::FITTED, &fitting);
    let mut scrambled = set.clone();
    for item in scrambled
        .items
        .iter_mut()
        .filter(|i| i.split == Split::Holdout)
    {
        item.label = 5 - item.label;
    }
    let (again, _) = fit_v3::fit(&scrambled, features, &Params::FITTED, &fitting);
    assert_eq!(best, again);
}
