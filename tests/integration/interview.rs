use serde_json::{Value, json};

use crate::app::{Backend, TestApp, spawn_app};

#[tokio::test]
async fn a_candidate_runs_the_quick_practice_loop_to_a_scored_debrief() {
    let app = spawn_app().await;
    let (_, _, mut candidate) = app.start("quick-practice").await;
    let debrief = candidate.answer_until_debrief().await;

    let report = &debrief["report"];
    assert_eq!(report["complete"], true);
    let overall = report["overall"].as_f64().unwrap();
    assert!((1.0..=4.0).contains(&overall), "overall {overall}");
    assert!(
        ["strong_no_hire", "no_hire", "hire", "strong_hire"]
            .contains(&report["verdict"].as_str().unwrap())
    );
    let kinds: Vec<&str> = report["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "screen",
            "coding",
            "ml-coding",
            "design",
            "ml-design",
            "values"
        ]
    );
    let answers = report["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 6, "one question per round");
    for answer in answers {
        assert!(!answer["question"].as_str().unwrap().is_empty());
        assert!(
            answer["overall"].as_f64().is_some(),
            "every answer is scored: {answer}"
        );
        assert_eq!(answer["grader"], mockloop::grading::OfflineGrader::ID);
        for d in answer["dimensions"].as_array().unwrap() {
            let level = d["level"].as_u64().unwrap();
            assert!((1..=4).contains(&level));
            assert!(!d["feedback"].as_str().unwrap().is_empty());
        }
    }
    // Every prompt carried the round it belongs to, in order.
    let first = &candidate.prompts[0].1;
    assert_eq!(first["kind"], "question");
    assert_eq!(
        first["round"],
        json!({ "index": 0, "kind": "screen", "title": first["round"]["title"] })
    );
    assert!(first["remaining_seconds"].as_i64().unwrap() > 170);
}

#[tokio::test]
async fn every_evidence_quote_is_a_substring_of_an_answer_the_candidate_sent() {
    let app = spawn_app().await;
    let (_, _, mut candidate) = app.start("quick-practice").await;
    let debrief = candidate.answer_until_debrief().await;
    let mut quotes = 0;
    for answer in debrief["report"]["answers"].as_array().unwrap() {
        for d in answer["dimensions"].as_array().unwrap() {
            for quote in d["evidence"].as_array().unwrap() {
                let quote = quote.as_str().unwrap();
                assert!(
                    candidate.answers.iter().any(|sent| sent.contains(quote)),
                    "quote {quote:?} is not in anything the candidate sent"
                );
                quotes += 1;
            }
        }
    }
    assert!(
        quotes >= 6,
        "solid answers earn evidence; got {quotes} quotes"
    );
}

#[tokio::test]
async fn a_one_word_answer_scores_lower_than_a_developed_one() {
    let app = spawn_app().await;
    let run = |fine: bool| {
        let app = &app;
        async move {
            let (_, _, mut candidate) = app.start("quick-practice").await;
            loop {
                let msg = candidate.recv().await;
                match msg["type"].as_str().unwrap() {
                    "prompt" if fine => {
                        candidate.answer("fine").await;
                    }
                    "prompt" => {
                        // A developed answer is about the question: it
                        // restates it before answering, as candidates do
                        // (the grader caps answers that ignore the question).
                        let text = format!(
                            "So the question is: {} {}",
                            msg["text"].as_str().unwrap(),
                            crate::app::answer_for(
                                msg["round"]["kind"].as_str().unwrap(),
                                msg["kind"].as_str().unwrap(),
                            )
                        );
                        candidate.answer(&text).await;
                    }
                    "debrief" => return msg["report"]["overall"].as_f64().unwrap(),
                    _ => {}
                }
            }
        }
    };
    let fine = run(true).await;
    let developed = run(false).await;
    assert_eq!(fine, 1.0, "\"fine\" earns nothing");
    assert!(
        developed > 2.0,
        "a developed answer earns more: {developed}"
    );
}

#[tokio::test]
async fn skip_repeat_and_pause_work_over_the_socket() {
    let app = spawn_app().await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    let first = candidate.recv_until("prompt").await;

    candidate.send(json!({ "type": "repeat" })).await;
    let repeated = candidate.recv_until("prompt").await;
    assert_eq!(repeated["repeat"], true);
    assert_eq!(repeated["text"], first["text"]);

    candidate.send(json!({ "type": "pause" })).await;
    candidate.recv_until("paused").await;
    candidate
        .send(json!({ "type": "answer", "text": "while paused" }))
        .await;
    let error = candidate.recv().await;
    assert_eq!(
        (error["type"].as_str(), error["code"].as_str()),
        (Some("error"), Some("not_allowed"))
    );
    candidate.resume().await;
    candidate.recv_until("resumed").await;

    candidate.send(json!({ "type": "skip" })).await;
    let next = candidate.recv_until("prompt").await;
    assert_eq!(
        next["round"]["index"], 1,
        "skipping the only screen question moves to coding"
    );

    let report = app.export_json(&id, &token, "report.json").await;
    assert_eq!(report["answers"][0]["skipped"], true);
    assert_eq!(report["complete"], false);
}

#[tokio::test]
async fn exports_hold_the_transcript_and_report_in_json_and_markdown() {
    exports_hold_the_interview(Backend::Sqlite).await;
}

#[tokio::test]
async fn exports_hold_the_transcript_and_report_in_json_and_markdown_on_postgres() {
    exports_hold_the_interview(Backend::Postgres).await;
}

async fn exports_hold_the_interview(backend: Backend) {
    let app = TestApp::builder().on(backend).spawn().await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    candidate.answer_until_debrief().await;

    let transcript: Value = app
        .get(&format!("/api/sessions/{id}/transcript.json?token={token}"))
        .await
        .json()
        .await
        .unwrap();
    let entries = transcript["entries"].as_array().unwrap();
    let said: Vec<&str> = entries
        .iter()
        .filter(|e| e["speaker"] == "candidate")
        .map(|e| e["text"].as_str().unwrap())
        .collect();
    let sent: Vec<&str> = candidate.answers.iter().map(|a| a.trim()).collect();
    assert_eq!(said, sent, "the transcript holds every answer, in order");
    let asked = entries
        .iter()
        .filter(|e| e["speaker"] == "interviewer")
        .count();
    assert_eq!(asked, candidate.prompts.len());

    let md = app
        .get(&format!("/api/sessions/{id}/transcript.md?token={token}"))
        .await;
    assert_eq!(md.headers()["content-type"], "text/markdown; charset=utf-8");
    let md = md.text().await.unwrap();
    assert!(md.contains("**[00:00] Interviewer:**"), "{md}");
    let report_md = app.export_text(&id, &token, "report.md").await;
    assert!(
        report_md.starts_with("# Interview report: Quick practice"),
        "{report_md}"
    );
    assert!(report_md.contains("/ 4"));

    // Each answer carries its question's model answer outline, and the
    // Markdown report lists it in order.
    let report = app.export_json(&id, &token, "report.json").await;
    let catalog = mockloop::content::Catalog::embedded().unwrap();
    for answer in report["answers"].as_array().unwrap() {
        let kind = serde_json::from_value(answer["round_kind"].clone()).unwrap();
        let question = catalog
            .questions(kind)
            .iter()
            .find(|q| q.id == answer["question_id"])
            .unwrap();
        assert_eq!(
            answer["outline"],
            json!(question.outline),
            "{}",
            question.id
        );
        let steps: String = question
            .outline
            .iter()
            .enumerate()
            // Markdown carries angle brackets as entities ("p99 &lt; 200 ms").
            .map(|(n, step)| {
                let step = step.replace('<', "&lt;").replace('>', "&gt;");
                format!("{}. {step}\n", n + 1)
            })
            .collect();
        assert!(
            report_md.contains(&format!("How a strong answer could go:\n\n{steps}")),
            "{report_md}"
        );
    }
}

#[tokio::test]
async fn the_loops_endpoint_lists_the_shipped_loops_with_their_rounds() {
    let app = spawn_app().await;
    let loops: Value = app.get("/api/loops").await.json().await.unwrap();
    let ids: Vec<&str> = loops
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    for id in [
        "microsoft-backend-sde2",
        "microsoft-mle",
        "microsoft-sre",
        "microsoft-security",
        "quick-practice",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let sde2 = loops
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "microsoft-backend-sde2")
        .unwrap();
    let rounds: Vec<(&str, u64)> = sde2["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["kind"].as_str().unwrap(), r["minutes"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        rounds,
        vec![
            ("screen", 30),
            ("coding", 45),
            ("design", 60),
            ("values", 45)
        ]
    );
    let mle = loops
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == "microsoft-mle")
        .unwrap();
    let kinds: Vec<&str> = mle["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec!["screen", "coding", "ml-coding", "ml-design", "values"]
    );
    // Each technical round closes with a values question, inside its time.
    let closing: Vec<Option<u64>> = mle["rounds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["values_minutes"].as_u64())
        .collect();
    assert_eq!(closing, [None, Some(5), Some(5), Some(5), None]);
    // The SRE, security and data loops swap one round for their own kind.
    let kinds_of = |id: &str| -> Vec<String> {
        let found = loops.as_array().unwrap().iter().find(|l| l["id"] == id);
        found.unwrap()["rounds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        kinds_of("microsoft-sre"),
        ["screen", "coding", "incident", "design", "values"]
    );
    assert_eq!(
        kinds_of("microsoft-security"),
        ["screen", "coding", "threat-model", "design", "values"]
    );
    assert_eq!(
        kinds_of("microsoft-solutions-architect"),
        ["screen", "customer-architecture", "design", "values"]
    );
    assert_eq!(
        kinds_of("microsoft-data"),
        ["screen", "coding", "data-design", "design", "values"]
    );
    // Core values come up in every round of every track (the ML engineer
    // seed: "Core Values questions appear in every interview round"): each
    // round past the screen that is not itself a values round closes with one.
    for track in loops.as_array().unwrap() {
        if !track["id"].as_str().unwrap().starts_with("microsoft-") {
            continue;
        }
        for round in track["rounds"].as_array().unwrap() {
            let kind = round["kind"].as_str().unwrap();
            let closes = round["values_minutes"].as_u64().is_some();
            let technical = kind != "screen" && kind != "values";
            assert_eq!(closes, technical, "{} {kind}", track["id"]);
        }
    }
}

#[tokio::test]
async fn the_browser_page_is_served_at_the_root() {
    let app = spawn_app().await;
    let page = app.get("/").await;
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(page.text().await.unwrap().contains("app.js"));
    let script = app.get("/app.js").await;
    assert_eq!(script.status(), 200);
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );
    assert_eq!(app.get("/nope.js").await.status(), 404);
}

#[tokio::test]
async fn a_candidate_deletes_their_interview_with_its_token_and_nobody_else_can() {
    deletes_with_the_token(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_candidate_deletes_their_interview_with_its_token_and_nobody_else_can_on_postgres() {
    deletes_with_the_token(Backend::Postgres).await;
}

async fn deletes_with_the_token(backend: Backend) {
    let app = TestApp::builder().on(backend).spawn().await;
    let (id, token) = app.create_session("quick-practice").await;
    let path = app.url(&format!("/api/sessions/{id}"));
    // The session is there to its token (what a reconnecting client asks).
    let there = app.get(&format!("/api/sessions/{id}?token={token}")).await;
    assert_eq!(there.status(), 200);
    let there: serde_json::Value = there.json().await.unwrap();
    assert_eq!(there["session_id"], id.as_str());
    assert_eq!(there["loop_id"], "quick-practice");
    let wrong = app
        .http
        .delete(format!("{path}?token=not-the-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let deleted = app
        .http
        .delete(format!("{path}?token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let gone = app
        .get(&format!("/api/sessions/{id}/report.json?token={token}"))
        .await;
    assert_eq!(gone.status(), 401, "a deleted session is unknown");
    let gone = app.get(&format!("/api/sessions/{id}?token={token}")).await;
    assert_eq!(gone.status(), 401, "and asking whether it is there says so");
}

/// The round clock through the real session task: a test clock moved past
/// the warning and then the deadline gives `time_warning` and then
/// `round_ended` with `time_up`, without waiting three minutes.
#[tokio::test]
async fn when_time_runs_out_the_typed_draft_is_sent_as_the_answer() {
    let start = mockloop::clock::now_ms();
    let clock = mockloop::clock::Clock::manual(start);
    let app = TestApp::builder().clock(clock.clone()).spawn().await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    let prompt = candidate.recv_until("prompt").await;
    let remaining = prompt["remaining_seconds"].as_i64().unwrap() * 1000;

    // Typed, then typed on: the latest draft counts.
    for text in [
        "I would start by",
        "I would start by measuring the p99 latency",
    ] {
        candidate.send(json!({"type": "draft", "text": text})).await;
    }
    // Frames are handled in order: once the repeat is answered, so are the
    // drafts before it.
    candidate.send(json!({"type": "repeat"})).await;
    let repeated = candidate.recv_until("prompt").await;
    assert_eq!(repeated["repeat"], true, "{repeated}");
    clock.advance(remaining);
    let sent = candidate.recv_until("sent_at_time_up").await;
    assert_eq!(
        sent["text"], "I would start by measuring the p99 latency",
        "{sent}"
    );
    let ended = candidate.recv_until("round_ended").await;
    assert_eq!(ended["reason"], "time_up", "{ended}");
    // The next question starts with no draft: time runs out on it with
    // nothing typed, and nothing is sent for it.
    let next = candidate.recv_until("prompt").await;
    let remaining = next["remaining_seconds"].as_i64().unwrap() * 1000;
    clock.advance(remaining);
    let ended = candidate.recv_until("round_ended").await;
    assert_eq!(ended["reason"], "time_up", "{ended}");

    let answers = app.transcript_answers(&id, &token).await;
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert_eq!(
        answers[0]["text"],
        "I would start by measuring the p99 latency"
    );
    assert_eq!(
        answers[0]["note"], "Sent when the round's time ran out.",
        "{answers:?}"
    );
}

#[tokio::test]
async fn a_round_runs_out_of_time_through_the_session_task_on_a_moved_clock() {
    let start = mockloop::clock::now_ms();
    let clock = mockloop::clock::Clock::manual(start);
    let app = TestApp::builder().clock(clock.clone()).spawn().await;
    let (_, _, mut candidate) = app.start("quick-practice").await;
    let prompt = candidate.recv_until("prompt").await;
    let remaining = prompt["remaining_seconds"].as_i64().unwrap() * 1000;
    assert!(remaining > 60_000, "{prompt}");

    // Just before the warning (at least 30 s before the end) nothing
    // happens; past it, the warning comes with the time the clock says.
    clock.advance(remaining - 60_000);
    candidate.send(json!({"type": "repeat"})).await;
    let repeated = candidate.recv().await;
    assert_eq!(repeated["type"], "prompt", "no warning yet: {repeated}");
    assert_eq!(repeated["repeat"], true, "{repeated}");
    clock.advance(59_000);
    let warning = candidate.recv_until("time_warning").await;
    assert_eq!(warning["remaining_seconds"], 1, "{warning}");

    clock.advance(1_000);
    let ended = candidate.recv_until("round_ended").await;
    assert_eq!(ended["reason"], "time_up", "{ended}");
    assert_eq!(ended["round"]["index"], 0, "{ended}");
    // The next round starts, its clock from the moved time.
    let next = candidate.recv_until("prompt").await;
    assert_eq!(next["round"]["index"], 1, "{next}");
}

/// "Try this question again": a one-question drill, asked as the loop asks
/// that question; a question the loop does not ask is a clear 400.
#[tokio::test]
async fn a_drill_asks_the_one_question_again_as_its_loop_would() {
    let app = spawn_app().await;
    let create =
        |body: serde_json::Value| app.http.post(app.url("/api/sessions")).json(&body).send();
    let response = create(serde_json::json!({
        "loop_id": "microsoft-backend-sde2",
        "question_id": "coding-top-k-frequent-words",
    }))
    .await
    .unwrap();
    assert_eq!(response.status(), 201);
    let created: serde_json::Value = response.json().await.unwrap();
    let (id, token) = (
        created["session_id"].as_str().unwrap(),
        created["token"].as_str().unwrap(),
    );
    let mut candidate = app.connect(id, token).await;
    candidate.resume().await;
    let prompt = candidate.recv_until("prompt").await;
    assert_eq!(prompt["round"]["kind"], "coding", "{prompt}");
    assert_eq!(prompt["question"]["count"], 1, "{prompt}");
    assert!(
        prompt["text"]
            .as_str()
            .unwrap()
            .contains("k most frequent words"),
        "{prompt}"
    );
    let welcome = &candidate.welcome["loop"];
    assert_eq!(
        welcome["rounds"].as_array().map(Vec::len),
        Some(1),
        "{welcome}"
    );
    assert_eq!(welcome["title"], "Again: Top k most frequent words");

    let refused = create(serde_json::json!({
        "loop_id": "microsoft-backend-sde2",
        "question_id": "ml-coding-kmeans",
    }))
    .await
    .unwrap();
    assert_eq!(refused.status(), 400);
    let body: serde_json::Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unknown_question", "{body}");
}
