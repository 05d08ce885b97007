//! The review before a spoken answer is submitted, end to end with the real
//! recogniser: the candidate corrects what was heard, or is told it could
//! not be heard clearly; a reconnect finds the review still open; and the
//! report keeps what was heard beside what was submitted.

use serde_json::{Value, json};

use crate::app::TestApp;
use crate::voice_session::{
    SAID, SPEECH_WAIT, collect_until, next_error, recogniser, speak_into, spoken, stream_into,
    voice_app,
};

#[tokio::test]
async fn the_candidate_corrects_a_word_before_submitting_and_the_report_says_which() {
    let app = voice_app().await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    candidate.recv_until("prompt").await;
    candidate
        .send(json!({"type": "submit_spoken", "text": "Nothing was said."}))
        .await;
    assert_eq!(next_error(&mut candidate).await["code"], "no_review");

    speak_into(&mut candidate, SAID, 0).await;
    candidate.send(json!({"type": "done"})).await;
    let review = collect_until(&mut candidate, "review").await.pop().unwrap();
    let heard = review["text"].as_str().unwrap().to_owned();
    assert_eq!(review["unclear"], false, "{review}");
    assert!(review["confidence"].as_f64().unwrap() >= 0.5, "{review}");

    // Nothing is stored until the candidate submits: a new socket finds
    // the review still open.
    drop(candidate);
    let mut candidate = app.connect(&id, &token).await;
    candidate.resume().await;
    let again = candidate.recv_until("review").await;
    assert_eq!(again["text"], heard.as_str());

    // The second word is corrected (the recogniser's, whatever it was).
    let mut words: Vec<&str> = heard.split_whitespace().collect();
    let misheard = words[1].to_owned();
    words[1] = "cache";
    let corrected = words.join(" ");
    candidate
        .send(json!({"type": "submit_spoken", "text": corrected}))
        .await;
    candidate.recv_until("ack").await;
    let debrief = candidate.answer_until_debrief().await;

    let turn = &debrief["report"]["answers"][0]["turns"][0];
    assert_eq!(turn["answer"], corrected.as_str(), "graded as corrected");
    assert_eq!(
        turn["speech"]["heard"],
        heard.as_str(),
        "what was heard is kept"
    );
    assert_eq!(
        turn["corrections"]["edits"],
        json!([{"heard": misheard, "wrote": "cache"}]),
        "{turn}"
    );
    assert!(
        debrief["report"]["answers"][0]["overall"]
            .as_f64()
            .is_some()
    );
    // As stored: the exports are rebuilt from the session's events.
    let stored = app.export_json(&id, &token, "report.json").await;
    assert_eq!(stored["answers"][0]["turns"][0], *turn);
    let markdown = app.export_text(&id, &token, "report.md").await;
    assert!(
        markdown.contains(&format!("heard “{misheard}” → you wrote “cache”")),
        "{markdown}"
    );
    assert!(
        markdown.contains(&format!("Heard: “{heard}”")),
        "{markdown}"
    );
}

#[tokio::test]
async fn speech_too_unclear_to_judge_is_said_so_and_submitted_as_heard_is_not_assessed() {
    let app = voice_app().await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    candidate.recv_until("prompt").await;
    // The answer played backwards: speech to the detector, words to no one.
    let mut backwards = spoken(SAID, 0);
    backwards.reverse();
    backwards.extend(std::iter::repeat_n(0, 8_000));
    stream_into(&mut candidate, &backwards, 0).await;
    candidate.send(json!({"type": "done"})).await;
    let review = collect_until(&mut candidate, "review").await.pop().unwrap();
    assert_eq!(review["unclear"], true, "{review}");
    assert!(review["confidence"].as_f64().unwrap() < 0.5, "{review}");

    candidate
        .send(json!({"type": "submit_spoken", "text": review["text"]}))
        .await;
    candidate.recv_until("ack").await;
    // A follow-up to it is skipped: the question's only answer is unclear.
    if next_prompt(&mut candidate).await["kind"] == "follow_up" {
        candidate.send(json!({"type": "skip"})).await;
    } else {
        let text = "I would put a cache in front of the database.";
        candidate.answer(text).await;
    }
    let debrief = candidate.answer_until_debrief().await;
    let first = &debrief["report"]["answers"][0];
    assert!(first["overall"].is_null(), "{first}");
    let reason = first["not_assessed"].as_str().expect("not assessed");
    assert!(reason.contains("could not make out"), "{reason}");
    assert_eq!(first["turns"][0]["speech"]["unclear"], true);
    let round = &debrief["report"]["rounds"][0];
    let assessed: Vec<f64> = debrief["report"]["answers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["round"] == 0)
        .filter_map(|a| a["overall"].as_f64())
        .collect();
    assert_eq!(
        round["overall"].is_null(),
        assessed.is_empty(),
        "the round's score is of the answers assessed: {round}"
    );
    let html = app.export_text(&id, &token, "report.html").await;
    assert!(html.contains("Could not assess"), "{html}");
}

/// Time running out while the candidate reads what was heard takes the
/// spoken answer as they left it in the review box, as it takes a typed
/// draft: what was heard is kept beside it, and the report says it was
/// sent at time-up.
#[tokio::test]
async fn a_spoken_answer_still_in_review_when_time_runs_out_is_taken_as_left_in_the_box() {
    let clock = mockloop::clock::Clock::manual(mockloop::clock::now_ms());
    let app = TestApp::builder()
        .speech(recogniser())
        .clock(clock.clone())
        .spawn()
        .await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    let prompt = candidate.recv_until("prompt").await;
    let remaining = prompt["remaining_seconds"].as_i64().unwrap() * 1000;
    // Typed first, then answered by voice: the typed draft is not the answer.
    candidate
        .send(json!({"type": "draft", "text": "Typed before speaking."}))
        .await;
    speak_into(&mut candidate, SAID, 0).await;
    candidate.send(json!({"type": "done"})).await;
    let review = collect_until(&mut candidate, "review").await.pop().unwrap();
    let heard = review["text"].as_str().unwrap().to_owned();
    let edited = format!("{heard} I would measure it first.");
    candidate
        .send(json!({"type": "draft", "text": edited}))
        .await;
    // Frames are handled in order: once the repeat is answered, so is the
    // draft before it.
    candidate.send(json!({"type": "repeat"})).await;
    candidate.recv_until("prompt").await;
    clock.advance(remaining);
    let sent = candidate.recv_until("sent_at_time_up").await;
    assert_eq!(sent["text"], edited.as_str(), "{sent}");
    let ended = candidate.recv_until("round_ended").await;
    assert_eq!(ended["reason"], "time_up", "{ended}");

    let report = app.export_json(&id, &token, "report.json").await;
    let turn = &report["answers"][0]["turns"][0];
    assert_eq!(turn["answer"], edited.as_str(), "{turn}");
    assert_eq!(turn["speech"]["heard"], heard.as_str(), "{turn}");
    let answers = app.transcript_answers(&id, &token).await;
    assert_eq!(answers.len(), 1, "{answers:?}");
    assert!(
        answers[0]["note"]
            .as_str()
            .is_some_and(|n| n.contains("Sent when the round's time ran out.")),
        "{answers:?}"
    );
}

async fn next_prompt(candidate: &mut crate::app::Candidate) -> Value {
    loop {
        let msg = candidate.recv_within(SPEECH_WAIT).await;
        if msg["type"] == "prompt" {
            return msg;
        }
    }
}
