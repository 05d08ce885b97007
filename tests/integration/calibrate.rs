//! `mockloop calibrate`, run as an operator would, on the shipped labelled set.

use std::collections::BTreeMap;
use std::path::Path;

use mockloop::content::Catalog;
use mockloop::grading::OfflineGrader;
use mockloop::grading::calibrate::CalibrationSet;
use serde_json::Value;

use crate::app::{mockloop, succeed};

fn shipped_set() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/calibration/shipped.toml")
}

#[test]
fn the_shipped_set_covers_every_level_of_every_round_kind_and_each_adversarial_kind() {
    let set = CalibrationSet::load(&shipped_set(), &Catalog::embedded().unwrap()).unwrap();
    assert!(set.items.len() >= 72, "{} items", set.items.len());
    let mut levels: BTreeMap<_, [usize; 4]> = BTreeMap::new();
    for item in &set.items {
        levels.entry(item.kind).or_default()[usize::from(item.label - 1)] += 1;
    }
    assert_eq!(levels.len(), 6, "every round kind: {levels:?}");
    for (kind, counts) in &levels {
        assert!(
            counts.iter().all(|&c| c > 0),
            "{kind} lacks a level: {counts:?}"
        );
        assert!(counts.iter().sum::<usize>() >= 10, "{kind}: {counts:?}");
    }
    for tag in [
        "stuffed",
        "off-topic",
        "injected",
        "empty",
        "fine",
        "gibberish",
        "rambling",
    ] {
        let tagged: Vec<_> = set
            .items
            .iter()
            .filter(|i| i.tags.iter().any(|t| t == tag))
            .collect();
        assert!(!tagged.is_empty(), "no {tag} item");
        assert!(
            tagged.iter().all(|i| i.label == 1),
            "a {tag} answer earns nothing"
        );
    }
}

#[test]
fn calibrate_reports_every_metric_on_the_shipped_set() {
    let out = succeed(
        mockloop()
            .args(["calibrate", "--json", "--set"])
            .arg(shipped_set()),
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["grader"], OfflineGrader::ID);
    let metrics = [
        "spearman",
        "quadratic_weighted_kappa",
        "exact_agreement",
        "within_one_agreement",
        "pairwise_ranking_accuracy",
        "mean_signed_error",
    ];
    let overall = &report["overall"];
    assert!(overall["n"].as_u64().unwrap() >= 72);
    for metric in metrics {
        let value = overall[metric].as_f64();
        assert!(value.is_some_and(f64::is_finite), "{metric}: {overall}");
    }
    let by_kind = report["by_kind"].as_array().unwrap();
    assert_eq!(by_kind.len(), 6);
    for kind in by_kind {
        for metric in metrics {
            assert!(kind[metric].as_f64().is_some(), "{metric}: {kind}");
        }
    }
    let adversarial = report["adversarial"].as_array().unwrap();
    for tag in ["stuffed", "off-topic", "injected", "empty"] {
        assert!(
            adversarial
                .iter()
                .any(|i| i["tags"].as_array().unwrap().iter().any(|t| t == tag)),
            "no {tag} item listed"
        );
    }
    for item in adversarial {
        assert_eq!(item["label"], 1, "{item}");
        assert!(item["overall"].as_f64().is_some());
        assert!(item["injection_suspected"].is_boolean());
    }
    assert_eq!(
        report["items"].as_array().unwrap().len() as u64,
        overall["n"].as_u64().unwrap()
    );

    let out = mockloop()
        .args(["calibrate", "--set"])
        .arg(shipped_set())
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    for heading in [
        "spearman",
        "qwk",
        "exact",
        "±1",
        "pairwise",
        "bias",
        "Adversarial items",
    ] {
        assert!(table.contains(heading), "{heading} missing:\n{table}");
    }
}

#[test]
fn a_bad_set_file_fails_naming_the_file_item_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[[items]]\nid = \"x\"\nquestion = \"values-hard-feedback\"\nlabel = 7\nanswers = [\"a\"]\n\n\
         [[items]]\nid = \"y\"\nquestion = \"no-such-question\"\nlabel = 2\nanswers = [\"b\"]\n",
    )
    .unwrap();
    let out = mockloop()
        .args(["calibrate", "--set"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for expected in [
        "bad.toml:4: item \"x\": label: must be a level from 1 to 4, not 7",
        "bad.toml:9: item \"y\": question: no question with id \"no-such-question\"",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }

    let out = mockloop()
        .args(["calibrate", "--set"])
        .arg(dir.path().join("missing.toml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.toml"));
}

/// Until an LLM endpoint is configured the LLM grader cannot be built; the
/// command says so instead of crashing. (Once it can be built, every item
/// falls back and the report says so.)
#[test]
fn asking_for_an_unconfigured_llm_grader_never_crashes() {
    let out = mockloop()
        .args(["calibrate", "--json", "--grader", "llm", "--set"])
        .arg(shipped_set())
        .env("MOCKLOOP_LOG", "off")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    if out.status.success() {
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(report["overall"]["n"].as_u64().unwrap() >= 72);
    } else {
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(out.stdout.is_empty());
    }
}

/// The floors docs/operators.md justifies: a few hundredths under what the fitted
/// grader measures on the shipped set, so a change that makes grading
/// measurably worse fails here.
#[tokio::test]
async fn the_offline_grader_agrees_with_the_human_labels_and_gaming_earns_nothing() {
    let set = CalibrationSet::load(&shipped_set(), &Catalog::embedded().unwrap()).unwrap();
    let report = mockloop::grading::calibrate::run(&set, &OfflineGrader).await;
    let m = &report.overall;
    let floor = |name: &str, value: Option<f64>, min: f64| {
        let value = value.unwrap_or(f64::NAN);
        assert!(value >= min, "{name} {value:.3} is below {min}");
    };
    floor("spearman", m.spearman, 0.80);
    floor("quadratic weighted kappa", m.quadratic_weighted_kappa, 0.78);
    floor("within-one agreement", m.within_one_agreement, 0.92);
    floor(
        "pairwise ranking accuracy",
        m.pairwise_ranking_accuracy,
        0.84,
    );
    floor("exact agreement", m.exact_agreement, 0.55);
    let bias = m.mean_signed_error.unwrap();
    assert!(bias.abs() <= 0.35, "mean signed error {bias:.2}");
    for kind in &report.by_kind {
        floor(
            &format!("{} kappa", kind.kind.as_str()),
            kind.metrics.quadratic_weighted_kappa,
            0.65,
        );
    }
    let adversarial: Vec<_> = report.items.iter().filter(|i| i.is_adversarial()).collect();
    assert!(adversarial.len() >= 20);
    for item in adversarial {
        assert!(
            item.overall < 1.5,
            "{} ({:?}) earned {}",
            item.id,
            item.tags,
            item.overall
        );
    }
}

/// The shipped parameters are what the fit chooses: no neighbouring grid
/// point agrees better with the labels.
#[test]
fn the_shipped_offline_parameters_are_a_local_optimum_of_the_fit() {
    use mockloop::grading::calibrate::fit::{Grid, evaluate};
    use mockloop::grading::offline::Params;
    let set = CalibrationSet::load(&shipped_set(), &Catalog::embedded().unwrap()).unwrap();
    let shipped = evaluate(&set, &Params::FITTED);
    let grid = Grid::default();
    let neighbours = grid.neighbours(&Params::FITTED);
    assert!(neighbours.len() >= 5, "the shipped point lies on the grid");
    for params in neighbours {
        let objective = evaluate(&set, &params);
        assert!(
            !objective.beats(&shipped),
            "{params:?} scores {objective:?}, better than the shipped {shipped:?}"
        );
    }
}
