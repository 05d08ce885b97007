//! `mockloop regrade` over sessions a real interview stored.

use std::path::Path;
use std::process::Output;

use mockloop::engine::Event;
use mockloop::store::{SqliteStore, Store};
use serde_json::Value;

use crate::app::{TestApp, mockloop, spawn_app, succeed};

fn regrade(data_dir: &Path, args: &[&str]) -> Output {
    mockloop()
        .arg("regrade")
        .args(args)
        .arg("--data-dir")
        .arg(data_dir)
        .output()
        .unwrap()
}

/// Runs a quick-practice interview to its debrief and returns the session id.
async fn finished_interview(app: &TestApp) -> String {
    let (id, _, mut candidate) = app.start("quick-practice").await;
    candidate.answer_until_debrief().await;
    id
}

async fn scored_events(data_dir: &Path, id: &str) -> Vec<Event> {
    let store = SqliteStore::open_in(data_dir).await.unwrap();
    store
        .events(id, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .filter(|e| matches!(e, Event::Scored { .. }))
        .collect()
}

fn export_report(data_dir: &Path, id: &str) -> Value {
    let out = succeed(
        mockloop()
            .args(["export", id, "--format", "json", "--data-dir"])
            .arg(data_dir),
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A copy of the shipped rubrics with the screen rubric's weights and version changed.
fn edited_rubrics() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("rubrics");
    for entry in std::fs::read_dir(&shipped).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    let screen = dir.path().join("screen.toml");
    let text = std::fs::read_to_string(&screen).unwrap();
    let edited = text
        .replacen("version = \"2\"", "version = \"edited-test\"", 1)
        .replacen("weight = 0.35", "weight = 0.65", 1)
        .replacen("weight = 0.25", "weight = 0.05", 1)
        .replacen("weight = 0.20", "weight = 0.15", 1)
        .replacen("weight = 0.20", "weight = 0.15", 1);
    assert_ne!(text, edited);
    std::fs::write(&screen, edited).unwrap();
    dir
}

#[tokio::test]
async fn regrading_a_session_appends_new_scores_keeps_the_old_and_prints_old_to_new() {
    let app = spawn_app().await;
    let id = finished_interview(&app).await;
    let dir = app.stop().await.unwrap();
    let data_dir = dir.path();
    let before = scored_events(data_dir, &id).await;
    assert_eq!(before.len(), 6);

    let out = regrade(data_dir, &["--session", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("Session {id}: 6 answer(s) regraded")),
        "{text}"
    );
    assert!(
        text.contains(" → "),
        "old → new per answer and dimension: {text}"
    );
    assert!(text.contains("Technical depth"), "per dimension: {text}");
    assert!(text.contains("Summary: 1 session(s): 1 regraded"), "{text}");

    let after = scored_events(data_dir, &id).await;
    assert_eq!(after.len(), 12, "six new scores after the six old ones");
    assert_eq!(
        after[..6],
        before[..],
        "the old scores are kept as they were"
    );
    let report = export_report(data_dir, &id);
    for answer in report["answers"].as_array().unwrap() {
        assert_eq!(answer["scores"], 2, "{answer}");
        assert_eq!(answer["regraded"], true);
    }
    assert_eq!(report["complete"], true);
}

#[tokio::test]
async fn regrading_against_edited_rubrics_records_their_version_and_hash() {
    let app = spawn_app().await;
    let id = finished_interview(&app).await;
    let dir = app.stop().await.unwrap();
    let data_dir = dir.path();
    let rubrics = edited_rubrics();

    let rubrics_arg = rubrics.path().to_str().unwrap();
    let out = regrade(
        data_dir,
        &["--session", &id, "--json", "--rubrics", rubrics_arg],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(result["rubrics"], rubrics_arg);
    let answers = result["sessions"][0]["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 6);
    for answer in answers {
        let (old, new) = (&answer["old"], &answer["new"]);
        if answer["kind"] == "screen" {
            assert_eq!(old["rubric_version"], "2");
            assert_eq!(new["rubric_version"], "edited-test");
            assert_ne!(old["rubric_hash"], new["rubric_hash"]);
            let change = new["overall"].as_f64().unwrap() - old["overall"].as_f64().unwrap();
            assert!((answer["change"].as_f64().unwrap() - change).abs() < 0.011);
        } else {
            // Unedited rubrics: same content, same hash.
            assert_eq!(old["rubric_hash"], new["rubric_hash"], "{answer}");
        }
        for d in answer["dimensions"].as_array().unwrap() {
            assert!(d["old"].is_u64() && d["new"].is_u64(), "{d}");
        }
    }
    let report = export_report(data_dir, &id);
    let screen = &report["answers"][0];
    assert_eq!(screen["round_kind"], "screen");
    assert_eq!(
        screen["rubric"]["version"], "edited-test",
        "the last score is current"
    );

    let broken = tempfile::tempdir().unwrap();
    std::fs::write(
        broken.path().join("screen.toml"),
        "id = \"screen\"\nkind = \"screen\"\n",
    )
    .unwrap();
    let out = regrade(
        data_dir,
        &[
            "--session",
            &id,
            "--rubrics",
            broken.path().to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("screen.toml:"), "{stderr}");
    assert_eq!(
        scored_events(data_dir, &id).await.len(),
        12,
        "nothing stored on a bad rubric"
    );
}

#[tokio::test]
async fn regrade_all_regrades_every_finished_session_and_skips_unstarted_ones() {
    let app = spawn_app().await;
    let first = finished_interview(&app).await;
    let second = finished_interview(&app).await;
    let (unstarted, _) = app.create_session("quick-practice").await;
    let dir = app.stop().await.unwrap();
    let data_dir = dir.path();

    let out = regrade(data_dir, &["--all", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let result: Value = serde_json::from_slice(&out.stdout).expect("stdout is only the JSON");
    let status = |id: &str| {
        result["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["session_id"] == id)
            .map(|s| s["status"].clone())
    };
    assert_eq!(status(&first), Some("regraded".into()));
    assert_eq!(status(&second), Some("regraded".into()));
    assert_eq!(status(&unstarted), Some("skipped".into()));
    let summary = &result["summary"];
    assert_eq!(summary["regraded"], 2);
    assert_eq!(summary["answers"], 12);
    assert_eq!(summary["changed"], 0, "same grader, same rubric: {summary}");
    assert_eq!(summary["mean_change"], 0.0);
    for id in [&first, &second] {
        assert_eq!(scored_events(data_dir, id).await.len(), 12);
    }
}

#[tokio::test]
async fn regrading_an_unknown_session_fails_and_says_which() {
    let app = spawn_app().await;
    finished_interview(&app).await;
    let dir = app.stop().await.unwrap();
    let out = regrade(dir.path(), &["--session", "nope"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("no session \"nope\""));
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be regraded: nope"));

    let out = mockloop().args(["regrade"]).output().unwrap();
    assert!(!out.status.success(), "--session or --all is required");
}
