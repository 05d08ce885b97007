//! The operator console's grading routes against a real server: trying a
//! rubric (saved or unsaved) on a pasted answer, and regrading a finished
//! session with an edited rubric, old versus new per answer.

use mockloop::config::Bounded;
use reqwest::Method;
use serde_json::{Value, json};

use crate::access::operator_get;
use crate::app::{Candidate, TestApp, answer_for};
use crate::operator_console::{file_text, operator_send, save, spawn_on_content_dir};

pub const OWNING_INCIDENT: &str = "values-owning-incident";

/// An answer on topic for [`OWNING_INCIDENT`] (an off-topic answer scores
/// 1 whatever the rubric says, so an edit could not change it).
pub const INCIDENT_ANSWER: &str = "Last year I owned a production incident: a bad deployment broke our \
    checkout service during a launch, and the blast radius was every customer trying to pay. It was \
    detected by an alert. In the first hour I personally rolled back the deployment to mitigate before \
    root-causing, coordinated the on-call engineers, and communicated status to customers and \
    stakeholders every fifteen minutes. The outage lasted 40 minutes, about 12,000 requests failed, \
    2,000 customers were affected, and it consumed half our monthly error budget against the SLO. In the \
    blameless post-incident review I owned my mistake, a missing test; the root cause was a config \
    change and a contributing factor was a missing canary. I drove the repair items: new alerts, tests, \
    safer deployments with a canary, and a runbook. Since then a later near-miss was caught early by the \
    new alert, so the follow-up worked.";

/// The rubric with every signal's patterns replaced by one no answer says:
/// every dimension falls to level 1, so any scored answer changes.
fn deaf(rubric: &str) -> String {
    let mut out = String::new();
    let mut rest = rubric;
    while let Some(start) = rest.find("patterns = [") {
        let end = start + rest[start..].find(']').expect("a closed pattern list");
        out.push_str(&rest[..start]);
        out.push_str("patterns = [\"zzqx never said\"]");
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    assert_ne!(out, rubric);
    out
}

#[tokio::test]
async fn trying_a_rubric_scores_a_pasted_answer_with_evidence_and_an_unsaved_edit() {
    let (app, dir, _guard) = spawn_on_content_dir().await;
    let listing = operator_get(&app, "/api/operator/content/files").await;
    let question = json!(OWNING_INCIDENT);
    assert!(
        listing["questions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["id"] == question)
    );
    let answer = INCIDENT_ANSWER;
    let attempt = |extra: Value| {
        let mut body = json!({ "question_id": question, "answer": answer });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        operator_send(&app, Method::POST, "/api/operator/try", body)
    };

    let (status, score) = attempt(json!({})).await;
    assert_eq!(status, 200, "{score}");
    assert_eq!(score["rubric_id"], "values");
    assert!(score["grader"].as_str().unwrap().starts_with("offline"));
    let dimensions = score["dimensions"].as_array().unwrap();
    assert_eq!(dimensions.len(), 4);
    assert!(
        dimensions.iter().any(|d| d["level"].as_u64().unwrap() > 1),
        "{score}"
    );
    for d in dimensions {
        assert!(!d["feedback"].as_str().unwrap().is_empty());
        for quote in d["evidence"].as_array().unwrap() {
            assert!(
                answer.contains(quote.as_str().unwrap()),
                "{quote} is quoted"
            );
        }
    }

    let original = file_text(&app, "rubrics/values.toml").await;
    let edit = json!({ "path": "rubrics/values.toml", "text": deaf(&original) });
    let (status, edited) = attempt(json!({ "edit": edit })).await;
    assert_eq!(status, 200, "{edited}");
    assert!(
        edited["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["level"] == 1)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("rubrics/values.toml")).unwrap(),
        original,
        "trying an edit saves nothing"
    );

    let broken = json!({ "path": "rubrics/values.toml", "text": "id = " });
    let (status, refused) = attempt(json!({ "edit": broken })).await;
    assert_eq!(status, 422);
    assert_eq!(refused["diagnostics"][0]["file"], "rubrics/values.toml");
    let (status, refused) = attempt(json!({ "grader": "llm" })).await;
    assert_eq!(status, 400, "no LLM endpoint is configured: {refused}");
    assert_eq!(refused["error"]["code"], "grader_unavailable");
    let (status, _) = attempt(json!({ "rubric": "coding" })).await;
    assert_eq!(
        status, 400,
        "a coding rubric does not score a values question"
    );
    let (status, _) = operator_send(
        &app,
        Method::POST,
        "/api/operator/try",
        json!({ "question_id": "no-such-question", "answer": answer }),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_regrade_with_a_saved_rubric_edit_shows_old_and_new_levels_per_answer() {
    let (app, _dir, _guard) = spawn_on_content_dir().await;
    let (id, token) = finished_session(&app).await;
    let before: Value =
        serde_json::from_str(&app.export_text(&id, &token, "report.json").await).unwrap();

    let edited = deaf(&file_text(&app, "rubrics/values.toml").await);
    let saved = save(&app, "rubrics/values.toml", &edited).await;
    // An interview in progress, one question closed: the server holds it in
    // memory, so the console leaves it alone.
    let (live, _, mut candidate) = app.start("quick-practice").await;
    let prompt = candidate.recv_until("prompt").await;
    candidate.answer(answer_for("screen", "question")).await;
    candidate.send(json!({ "type": "skip" })).await;

    let (status, report) = operator_send(
        &app,
        Method::POST,
        "/api/operator/regrade",
        json!({ "sessions": [id, "no-such-session", live] }),
    )
    .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["rubrics"],
        format!("content {}", saved["hash"].as_str().unwrap())
    );
    assert_eq!(report["sessions"][0]["status"], "regraded");
    assert_eq!(report["sessions"][1]["status"], "failed");
    let in_progress = &report["sessions"][2];
    assert_eq!(in_progress["status"], "skipped", "{in_progress}");
    assert!(
        in_progress["reason"]
            .as_str()
            .unwrap()
            .contains("not finished")
    );
    let next = candidate.recv_until("prompt").await;
    assert_ne!(next["seq"], prompt["seq"]);
    candidate.answer(answer_for("coding", "question")).await;
    let answers = report["sessions"][0]["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 6);
    for answer in answers {
        let moved = answer["dimensions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["old"] != d["new"]);
        if answer["kind"] == "values" {
            assert!(
                moved,
                "the edited rubric changed the values answer: {answer}"
            );
            assert!(answer["change"].as_f64().unwrap() < 0.0, "{answer}");
            assert_ne!(answer["old"]["rubric_hash"], answer["new"]["rubric_hash"]);
            assert!(
                answer["dimensions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|d| d["new"] == 1)
            );
        } else {
            assert!(!moved, "other rubrics are unchanged: {answer}");
            assert_eq!(answer["change"], 0.0);
        }
    }
    assert_eq!(report["summary"]["changed"], 1);

    // As with `mockloop regrade`, the new scores are stored as the current
    // ones; the old ones stay in the log.
    let after: Value =
        serde_json::from_str(&app.export_text(&id, &token, "report.json").await).unwrap();
    let values = |r: &Value| {
        r["answers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["round_kind"] == "values")
            .map(|a| a["overall"].as_f64().unwrap())
            .unwrap()
    };
    assert!(values(&after) < values(&before), "{after}");

    let (status, body) = operator_send(
        &app,
        Method::POST,
        "/api/operator/regrade",
        json!({ "sessions": [] }),
    )
    .await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (400, &json!("bad_sessions"))
    );
}

/// A quick-practice session answered to its debrief, its values round
/// asking the question [`INCIDENT_ANSWER`] is on topic for (pinned by a
/// console save: the loop's last table is its values round). Returns its id
/// and token.
pub async fn finished_session(app: &TestApp) -> (String, String) {
    let path = "prompts/loops/quick-practice.toml";
    let pinned = file_text(app, path).await + &format!("question_ids = [\"{OWNING_INCIDENT}\"]\n");
    save(app, path, &pinned).await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    answer_until_debrief(&mut candidate).await;
    (id, token)
}

/// The canned answers, except [`INCIDENT_ANSWER`] for the values question.
async fn answer_until_debrief(candidate: &mut Candidate) {
    loop {
        let msg = candidate.recv().await;
        match msg["type"].as_str().unwrap() {
            "prompt" if msg["round"]["kind"] == "values" && msg["kind"] == "question" => {
                candidate.answer(INCIDENT_ANSWER).await;
            }
            "prompt" => {
                let kind = msg["round"]["kind"].as_str().unwrap();
                candidate
                    .answer(answer_for(kind, msg["kind"].as_str().unwrap()))
                    .await;
            }
            "debrief" => return,
            "error" => panic!("unexpected error: {msg}"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn a_try_past_its_time_limit_answers_503_and_only_two_grade_at_once() {
    // An LLM endpoint that takes connections (the kernel's backlog does)
    // and never answers: each try's grade runs to the LLM's own timeout.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut config = crate::access::operator_config();
    config.limits.try_seconds = Bounded::new(1).unwrap();
    config.llm = mockloop::config::LlmConfig {
        provider: mockloop::config::LlmProvider::Compatible,
        base_url: Some(format!("http://{}/v1", silent.local_addr().unwrap())),
        model: Some("silent".into()),
        api_key: Some(mockloop::config::ApiKey::new("sk-test-key").unwrap()),
        timeout_seconds: Bounded::new(60).unwrap(),
        max_retries: Bounded::new(0).unwrap(),
        ..mockloop::config::LlmConfig::default()
    };
    let app = TestApp::builder().config(config).spawn().await;
    let body =
        json!({ "question_id": OWNING_INCIDENT, "answer": INCIDENT_ANSWER, "grader": "llm" });
    for _ in 0..2 {
        let (status, refused) =
            operator_send(&app, Method::POST, "/api/operator/try", body.clone()).await;
        assert_eq!(status, 503, "{refused}");
        assert_eq!(refused["error"]["code"], "try_timed_out");
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap()
                .contains("try_seconds"),
            "{refused}"
        );
    }
    // Both abandoned grades still wait on the endpoint, so a third try is
    // refused at once rather than piling a third on.
    let response = app
        .http
        .post(app.url("/api/operator/try"))
        .bearer_auth(crate::access::OPERATOR)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let refused: Value = response.json().await.unwrap();
    assert_eq!(refused["error"]["code"], "try_busy", "{refused}");
    // The server itself is unaffected.
    assert_eq!(app.get("/readyz").await.status(), 200);
}
