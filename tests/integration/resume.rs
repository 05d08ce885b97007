use serde_json::Value;

use crate::app::{Backend, TestApp, answer_for};

/// Prompts as the transcript records them: (seq, text).
async fn transcript_prompts(
    app: &crate::app::TestApp,
    id: &str,
    token: &str,
) -> Vec<(u64, String)> {
    let t: Value = app
        .get(&format!("/api/sessions/{id}/transcript.json?token={token}"))
        .await
        .json()
        .await
        .unwrap();
    t["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["speaker"] == "interviewer")
        .map(|e| {
            (
                e["seq"].as_u64().unwrap(),
                e["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn seen(prompts: &[(u64, Value)]) -> Vec<(u64, String)> {
    prompts
        .iter()
        .map(|(seq, p)| (*seq, p["text"].as_str().unwrap().to_owned()))
        .collect()
}

#[tokio::test]
async fn a_dropped_socket_resumes_with_no_missed_or_duplicated_prompt() {
    dropped_socket_resumes(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_dropped_socket_resumes_with_no_missed_or_duplicated_prompt_on_postgres() {
    dropped_socket_resumes(Backend::Postgres).await;
}

async fn dropped_socket_resumes(backend: Backend) {
    let app = TestApp::builder().on(backend).spawn().await;
    let (id, token) = app.create_session("quick-practice").await;
    let mut all_prompts = Vec::new();
    let mut candidate = app.connect(&id, &token).await;
    candidate.resume().await;
    let mut last_seq = 0;
    // Drop the socket right after each acknowledged answer, before reading
    // the next prompt, then resume from the last sequence number seen.
    let debrief = loop {
        let msg = candidate.recv().await;
        match msg["type"].as_str().unwrap() {
            "prompt" => {
                let text = answer_for(
                    msg["round"]["kind"].as_str().unwrap(),
                    msg["kind"].as_str().unwrap(),
                );
                candidate.answer(text).await;
                last_seq = candidate.last_seq;
                all_prompts.append(&mut candidate.prompts);
                let answers = std::mem::take(&mut candidate.answers);
                drop(candidate);
                candidate = app.connect(&id, &token).await;
                candidate.last_seq = last_seq;
                candidate.answers = answers;
                candidate.resume().await;
            }
            "debrief" => break msg,
            "error" => panic!("unexpected error: {msg}"),
            _ => {}
        }
    };
    all_prompts.append(&mut candidate.prompts);
    assert!(last_seq > 0);
    assert_eq!(debrief["report"]["complete"], true);
    assert_eq!(
        seen(&all_prompts),
        transcript_prompts(&app, &id, &token).await
    );
}

#[tokio::test]
async fn a_session_resumes_after_the_server_restarts_on_the_same_data_dir() {
    resumes_after_restart(Backend::Sqlite).await;
}

#[tokio::test]
async fn a_session_resumes_after_the_server_restarts_on_the_same_postgres_database() {
    resumes_after_restart(Backend::Postgres).await;
}

async fn resumes_after_restart(backend: Backend) {
    let app = TestApp::builder().on(backend).spawn().await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    let prompt = candidate.recv_until("prompt").await;
    candidate
        .answer(answer_for(
            prompt["round"]["kind"].as_str().unwrap(),
            "question",
        ))
        .await;
    let next = candidate.recv_until("prompt").await;
    let before = candidate.last_seq;

    let data_dir = app.data_dir.clone();
    let database_url = app.database_url.clone();
    let stopping = tokio::spawn(app.stop());
    // The session records its pause before telling the client it is going away.
    assert_eq!(candidate.recv().await["type"], "paused");
    let goodbye = candidate.recv().await;
    assert_eq!(
        (goodbye["type"].as_str(), goodbye["code"].as_str()),
        (Some("error"), Some("server_shutdown"))
    );
    assert_eq!(goodbye["fatal"], true);
    let dir = stopping.await.unwrap();

    let app = TestApp::builder()
        .in_dir(&data_dir)
        .database_url(database_url.as_deref())
        .spawn()
        .await;
    let mut again = app.connect(&id, &token).await;
    again.last_seq = before;
    again.answers = candidate.answers.clone();
    again.resume().await;
    // The stored pause is replayed, then the session resumes with the round
    // clock where it stopped.
    assert_eq!(again.recv().await["type"], "paused");
    let resumed = again.recv().await;
    assert_eq!(resumed["type"], "resumed");
    assert!(resumed["remaining_seconds"].as_i64().unwrap() > 100);
    // The candidate answers the prompt they already had, and carries on.
    again
        .answer(answer_for(
            next["round"]["kind"].as_str().unwrap(),
            next["kind"].as_str().unwrap(),
        ))
        .await;
    let debrief = again.answer_until_debrief().await;
    assert_eq!(debrief["report"]["complete"], true);
    let mut prompts = candidate.prompts.clone();
    prompts.extend(again.prompts.clone());
    assert_eq!(seen(&prompts), transcript_prompts(&app, &id, &token).await);
    drop(dir);
}
