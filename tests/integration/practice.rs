//! Practice the way candidates do: drills on chosen topics, and later
//! sessions that ask first what this browser has not been asked.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::app::{TestApp, spawn_app};

async fn create(app: &TestApp, body: Value) -> reqwest::Response {
    app.http
        .post(app.url("/api/sessions"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Runs the session `body` creates to its debrief; the ids of the questions
/// it asked, in order.
async fn asked(app: &TestApp, body: Value) -> (Vec<String>, Value) {
    let mut candidate = app.start_with(body).await;
    let debrief = candidate.answer_until_debrief().await;
    let ids = candidate
        .prompts
        .iter()
        .filter(|(_, p)| p["kind"] == "question")
        .map(|(_, p)| p["question"]["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, debrief["report"].clone())
}

#[tokio::test]
async fn a_topic_drill_asks_questions_on_the_topics_picked() {
    let app = spawn_app().await;
    let topics: Value = app
        .get("/api/topics?loop_id=microsoft-backend-sde2")
        .await
        .json()
        .await
        .unwrap();
    let caching = topics
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["topic"] == "caching")
        .unwrap_or_else(|| panic!("{topics}"));
    assert!(caching["questions"].as_u64().unwrap() >= 2, "{caching}");
    let no_ml: Vec<&Value> = topics
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kinds"].as_array().unwrap().contains(&json!("ml-design")))
        .collect();
    assert!(
        no_ml.is_empty(),
        "the backend loop has no ML design round: {no_ml:?}"
    );

    let (ids, report) = asked(
        &app,
        json!({ "loop_id": "microsoft-backend-sde2", "level": "senior",
                "topics": ["caching"], "questions": 2 }),
    )
    .await;
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert_eq!(report["complete"], true);
    assert_eq!(report["level_id"], "senior");
    assert_eq!(report["loop"]["title"], "Topics: caching");
    let catalog = mockloop::content::Catalog::embedded().unwrap();
    for id in &ids {
        let question = mockloop::content::RoundKind::ALL
            .into_iter()
            .flat_map(|k| catalog.questions(k))
            .find(|q| &q.id == id)
            .unwrap();
        assert!(question.topics.iter().any(|t| t == "caching"), "{id}");
    }
    // With no loop named, the loop asking the most on those topics frames it.
    let (ids, _) = asked(&app, json!({ "topics": ["fairness"], "questions": 1 })).await;
    assert_eq!(ids.len(), 1);
}

#[tokio::test]
async fn a_later_session_asks_what_this_browser_has_not_been_asked_first() {
    let app = spawn_app().await;
    let catalog = mockloop::content::Catalog::embedded().unwrap();
    // Quick practice asks one question of each kind: say every question
    // but one per kind was seen, and those are the ones asked.
    let mut seen = Vec::new();
    let mut unseen = HashSet::new();
    for kind in mockloop::content::RoundKind::ALL {
        let bank = catalog.questions(kind);
        if let Some((last, rest)) = bank.split_last() {
            unseen.insert(last.id.clone());
            seen.extend(rest.iter().map(|q| q.id.clone()));
        }
    }
    let (ids, _) = asked(&app, json!({ "loop_id": "quick-practice", "seen": seen })).await;
    assert_eq!(ids.len(), 6, "{ids:?}");
    for id in &ids {
        assert!(unseen.contains(id), "{id} was seen; unseen: {unseen:?}");
    }
}

#[tokio::test]
async fn a_malformed_practice_request_is_refused_with_what_is_wrong() {
    let app = spawn_app().await;
    let cases = [
        (json!({ "topics": [] }), "bad_request", "topics"),
        (
            json!({ "topics": ["caching"], "questions": 11 }),
            "bad_request",
            "questions",
        ),
        (
            json!({ "topics": ["caching"], "kind": "poetry" }),
            "bad_request",
            "kind",
        ),
        (
            json!({ "loop_id": "quick-practice", "topics": ["caching"], "question_id": "x" }),
            "bad_request",
            "not both",
        ),
        (
            json!({ "loop_id": "quick-practice", "questions": 2 }),
            "bad_request",
            "topic drill",
        ),
        (json!({ "questions": 2 }), "bad_request", "topic drill"),
        (json!({}), "bad_request", "loop_id"),
        (
            json!({ "loop_id": "quick-practice", "colour": "red" }),
            "bad_request",
            "colour",
        ),
        (
            json!({ "loop_id": "quick-practice", "seen": vec!["x"; 1_001] }),
            "bad_request",
            "seen",
        ),
        (
            json!({ "topics": ["knitting"] }),
            "no_questions",
            "knitting",
        ),
    ];
    for (body, code, says) in cases {
        let response = create(&app, body.clone()).await;
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{body}: {error}");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{body}: {message}");
    }
}
