//! `/readyz` and `/metrics` on a running server.

use std::collections::HashMap;

use mockloop::config::{Config, OperatorToken};

use crate::app::{TestApp, spawn_app};

/// `name{labels} value` lines of the text format, comments left out.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

#[tokio::test]
async fn readyz_answers_when_the_store_and_content_are_there() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "ready");
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn an_interview_moves_the_counters_in_metrics() {
    let app = spawn_app().await;
    let before = samples(&app.get("/metrics").await.text().await.unwrap());
    assert_eq!(before.get("mockloop_prompts_sent_total"), Some(&0.0));

    let (id, _, mut candidate) = app.start("quick-practice").await;
    let sockets = samples(&app.get("/metrics").await.text().await.unwrap());
    assert_eq!(sockets["mockloop_sockets_active"], 1.0);
    assert_eq!(sockets["mockloop_sessions_active"], 1.0);
    candidate.answer_until_debrief().await;
    let wrong = app
        .get(&format!("/api/sessions/{id}/report.json?token=nope"))
        .await;
    assert_eq!(wrong.status(), 401);

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let after = samples(&response.text().await.unwrap());
    let prompts = after["mockloop_prompts_sent_total"];
    let answers = candidate.answers.len() as f64;
    assert!(
        prompts >= answers && answers > 0.0,
        "{prompts} prompts, {answers} answers"
    );
    let graded = after
        .iter()
        .filter(|(k, _)| {
            k.starts_with("mockloop_answers_graded_total{") && k.contains(r#"outcome="ok""#)
        })
        .map(|(_, v)| v)
        .sum::<f64>();
    assert!(graded >= 1.0, "{after:?}");
    let grading_count = after
        .iter()
        .filter(|(k, _)| k.starts_with("mockloop_grading_seconds_count"))
        .map(|(_, v)| v)
        .sum::<f64>();
    assert_eq!(grading_count, graded);
    assert!(after["mockloop_turn_seconds_count"] >= 1.0, "{after:?}");
    assert_eq!(
        after[r#"mockloop_rejected_requests_total{reason="unauthorized"}"#],
        1.0
    );
    assert_eq!(after["mockloop_transcription_queue_depth"], 0.0);
}

#[tokio::test]
async fn with_an_operator_token_metrics_need_it() {
    let mut config = Config::default();
    config.server.operator_token = Some(OperatorToken::new("metrics-operator-token-01").unwrap());
    let app = TestApp::builder().config(config).spawn().await;
    assert_eq!(app.get("/metrics").await.status(), 401);
    let response = app
        .http
        .get(app.url("/metrics"))
        .bearer_auth("metrics-operator-token-01")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
