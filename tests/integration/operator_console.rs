//! The operator console's content routes against a real server: who may
//! use them, which paths they accept, checking an edit, and saving one
//! (the file on disk, the catalog swap, new sessions versus one in flight).

use std::path::PathBuf;

use mockloop::content::ContentSource;
use mockloop::content::edit::export_to;
use reqwest::Method;
use serde_json::{Value, json};

use crate::access::{OPERATOR, as_operator, operator_config, operator_get};
use crate::app::{Candidate, TestApp, answer_for, spawn_app};

/// A server on its own copy of the shipped content (in a directory that
/// lives as long as the returned guard), as an operator deploys it.
pub async fn spawn_on_content_dir() -> (TestApp, PathBuf, tempfile::TempDir) {
    let guard = tempfile::tempdir().unwrap();
    let dir = guard.path().join("content");
    export_to(&ContentSource::embedded(), &dir).unwrap();
    let mut config = operator_config();
    config.content.dir = Some(dir.clone());
    (TestApp::builder().config(config).spawn().await, dir, guard)
}

/// An operator request with a JSON body: the status and the JSON answer.
pub async fn operator_send(app: &TestApp, method: Method, path: &str, body: Value) -> (u16, Value) {
    let response = app
        .http
        .request(method, app.url(path))
        .bearer_auth(OPERATOR)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A shipped content file's text, as the server serves it.
pub async fn file_text(app: &TestApp, path: &str) -> String {
    let file = operator_get(app, &format!("/api/operator/content/file/{path}")).await;
    file["text"].as_str().unwrap().to_owned()
}

fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "{from:?} occurs once");
    text.replacen(from, to, 1)
}

/// Saves `text` as the content file at `path`, which must succeed; returns
/// the server's answer.
pub async fn save(app: &TestApp, path: &str, text: &str) -> Value {
    let url = format!("/api/operator/content/file/{path}");
    let (status, saved) = operator_send(app, Method::PUT, &url, json!({ "text": text })).await;
    assert_eq!(status, 200, "{saved}");
    saved
}

/// Replaces `from` (found once) by `to` in the file at `path` and saves it;
/// returns the new text and the server's answer.
async fn edit_and_save(app: &TestApp, path: &str, from: &str, to: &str) -> (String, Value) {
    let edited = replace_once(&file_text(app, path).await, from, to);
    let saved = save(app, path, &edited).await;
    (edited, saved)
}

#[tokio::test]
async fn every_console_route_is_closed_without_the_operator_token() {
    let routes = [
        (Method::GET, "/api/operator/content/files"),
        (
            Method::GET,
            "/api/operator/content/file/rubrics/values.toml",
        ),
        (
            Method::PUT,
            "/api/operator/content/file/rubrics/values.toml",
        ),
        (Method::POST, "/api/operator/content/check"),
        (Method::POST, "/api/operator/try"),
        (Method::POST, "/api/operator/regrade"),
    ];
    let disabled = spawn_app().await;
    let on = TestApp::builder().config(operator_config()).spawn().await;
    for (method, path) in routes {
        let response = as_operator(&disabled, method.clone(), path).await;
        assert_eq!(
            response.status(),
            403,
            "{method} {path} without a configured token"
        );
        for bearer in [None, Some("wrong-token-wrong-token-0123")] {
            let mut request = on.http.request(method.clone(), on.url(path));
            if let Some(bearer) = bearer {
                request = request.bearer_auth(bearer);
            }
            let status = request.json(&json!({})).send().await.unwrap().status();
            assert_eq!(status, 401, "{method} {path} with {bearer:?}");
        }
    }
}

#[tokio::test]
async fn paths_outside_the_editable_content_files_are_refused() {
    let (app, dir, _guard) = spawn_on_content_dir().await;
    for path in [
        "prompts/grader/system.j2",
        "rubrics/..%2F..%2FCargo.toml",
        "..%2Fcontent%2Frubrics%2Fvalues.toml",
        "%2Fetc%2Fpasswd",
        "rubrics/values.txt",
    ] {
        let url = format!("/api/operator/content/file/{path}");
        let response = as_operator(&app, Method::GET, &url).await;
        assert_eq!(response.status(), 400, "GET {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "bad_path", "{body}");
        let (status, _) = operator_send(&app, Method::PUT, &url, json!({ "text": "x" })).await;
        assert_eq!(status, 400, "PUT {path}");
    }
    let (status, body) = operator_send(
        &app,
        Method::POST,
        "/api/operator/content/check",
        json!({ "path": "../Cargo.toml", "text": "" }),
    )
    .await;
    assert_eq!((status, &body["error"]["code"]), (400, &json!("bad_path")));
    let missing = as_operator(
        &app,
        Method::GET,
        "/api/operator/content/file/rubrics/nope.toml",
    );
    assert_eq!(missing.await.status(), 404);
    // A body over the routes' limit is refused before it is parsed.
    let huge = "x".repeat(600 * 1024);
    let url = "/api/operator/content/file/rubrics/values.toml";
    let (status, _) = operator_send(&app, Method::PUT, url, json!({ "text": huge })).await;
    assert_eq!(status, 413);
    let on_disk = std::fs::read_to_string(dir.join("rubrics/values.toml")).unwrap();
    assert!(
        on_disk.starts_with("id = \"values\""),
        "nothing was written"
    );
}

#[tokio::test]
async fn the_console_lists_and_reads_the_loops_question_banks_and_rubrics() {
    let (app, dir, _guard) = spawn_on_content_dir().await;
    let listing = operator_get(&app, "/api/operator/content/files").await;
    assert_eq!(listing["on_disk"], true);
    let files = listing["files"].as_array().unwrap();
    let kind_of = |path: &str| {
        files
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| f["kind"].clone())
    };
    assert_eq!(kind_of("rubrics/values.toml"), Some(json!("rubric")));
    assert_eq!(
        kind_of("prompts/questions/coding.toml"),
        Some(json!("question_bank"))
    );
    assert_eq!(
        kind_of("prompts/loops/quick-practice.toml"),
        Some(json!("loop"))
    );
    assert!(
        files
            .iter()
            .all(|f| !f["path"].as_str().unwrap().starts_with("prompts/grader")),
        "templates are not editable here"
    );
    // One rubric per round kind.
    assert_eq!(
        listing["rubrics"].as_array().unwrap().len(),
        mockloop::content::RoundKind::ALL.len()
    );
    assert!(listing["questions"].as_array().unwrap().len() > 6);

    let text = file_text(&app, "rubrics/values.toml").await;
    let on_disk = std::fs::read_to_string(dir.join("rubrics/values.toml")).unwrap();
    assert_eq!(text, on_disk);
}

#[tokio::test]
async fn an_edit_that_fails_validation_names_file_line_and_field_and_writes_nothing() {
    let (app, dir, _guard) = spawn_on_content_dir().await;
    let hash = operator_get(&app, "/api/operator/content/files").await["hash"].clone();
    let original = file_text(&app, "rubrics/values.toml").await;
    let bad_weight = replace_once(&original, "weight = 0.30", "weight = 0.90");
    let check = |text: String| {
        operator_send(
            &app,
            Method::POST,
            "/api/operator/content/check",
            json!({ "path": "rubrics/values.toml", "text": text }),
        )
    };
    let (status, report) = check(bad_weight.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(report["ok"], false);
    let problem = &report["diagnostics"][0];
    assert_eq!(problem["file"], "rubrics/values.toml");
    assert_eq!(problem["field"], "dimensions.weight");
    assert_eq!(problem["line"], 16, "{problem}");
    assert!(problem["message"].as_str().unwrap().contains("sum to 1.0"));

    // The whole catalog is checked: renaming a signal breaks the bank
    // whose follow-up probes it.
    let renamed = replace_once(&original, "id = \"situation\"", "id = \"setting\"");
    let (_, report) = check(renamed).await;
    let files: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"prompts/questions/values.toml"), "{report}");

    let url = "/api/operator/content/file/rubrics/values.toml";
    let (status, refused) =
        operator_send(&app, Method::PUT, url, json!({ "text": bad_weight })).await;
    assert_eq!(status, 422);
    assert_eq!(refused["error"]["code"], "invalid_content");
    assert_eq!(refused["diagnostics"][0]["field"], "dimensions.weight");
    let on_disk = std::fs::read_to_string(dir.join("rubrics/values.toml")).unwrap();
    assert_eq!(on_disk, original, "the file is unchanged");
    let after = operator_get(&app, "/api/operator/content/files").await;
    assert_eq!(after["hash"], hash, "the catalog is unchanged");

    let (_, report) = check(original).await;
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(
        report["hash"], hash,
        "the unedited text is the current content"
    );
}

/// Answers `prompt` and those after it until one from a round of `kind`;
/// returns that prompt.
async fn prompt_of_round(candidate: &mut Candidate, mut prompt: Value, kind: &str) -> Value {
    while prompt["round"]["kind"] != kind {
        let text = answer_for(
            prompt["round"]["kind"].as_str().unwrap(),
            prompt["kind"].as_str().unwrap(),
        );
        candidate.answer(text).await;
        prompt = candidate.recv_until("prompt").await;
    }
    prompt
}

#[tokio::test]
async fn a_saved_edit_reaches_new_sessions_while_one_in_flight_keeps_its_plan() {
    let (app, dir, _guard) = spawn_on_content_dir().await;
    let (early, early_token, mut candidate) = app.start("quick-practice").await;
    let first = candidate.recv_until("prompt").await;

    let path = "prompts/loops/quick-practice.toml";
    let (edited, saved) = edit_and_save(
        &app,
        path,
        "title = \"Coding\"",
        "title = \"Coding, edited\"",
    )
    .await;
    assert_ne!(saved["hash"], saved["previous_hash"]);
    assert_eq!(saved["copied_embedded"], false);
    assert_eq!(std::fs::read_to_string(dir.join(path)).unwrap(), edited);
    let listing = operator_get(&app, "/api/operator/content/files").await;
    assert_eq!(listing["hash"], saved["hash"], "the catalog was swapped");

    let (_, _, late) = app.start("quick-practice").await;
    assert_eq!(late.welcome["loop"]["rounds"][1]["title"], "Coding, edited");

    // The session started before the save keeps its pinned plan, on the
    // socket it had and on a new one.
    let coding = prompt_of_round(&mut candidate, first, "coding").await;
    assert_eq!(coding["round"]["title"], "Coding");
    drop(candidate);
    let again = app.connect(&early, &early_token).await;
    assert_eq!(again.welcome["loop"]["rounds"][1]["title"], "Coding");
}

#[tokio::test]
async fn the_first_save_on_the_embedded_content_copies_it_to_the_data_directory() {
    let app = TestApp::builder().config(operator_config()).spawn().await;
    let listing = operator_get(&app, "/api/operator/content/files").await;
    assert_eq!(listing["on_disk"], false);
    let path = "prompts/loops/quick-practice.toml";
    let (edited, saved) = edit_and_save(
        &app,
        path,
        "title = \"Quick practice\"",
        "title = \"Quick practice, edited\"",
    )
    .await;
    assert_eq!(saved["copied_embedded"], true);
    let copy = app.data_dir.join("content");
    assert_eq!(std::fs::read_to_string(copy.join(path)).unwrap(), edited);
    assert!(copy.join("rubrics/values.toml").is_file());
    assert!(copy.join("prompts/grader/system.j2").is_file());
    let again = save(&app, path, &edited).await;
    assert_eq!(again["copied_embedded"], false, "later saves edit the copy");

    // A restart over the same data directory runs on the copy.
    let data_dir = app.stop().await.unwrap();
    let restarted = TestApp::builder().in_dir(data_dir.path()).spawn().await;
    let loops: Value = restarted.get("/api/loops").await.json().await.unwrap();
    let titles: Vec<&str> = loops
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    assert!(titles.contains(&"Quick practice, edited"), "{titles:?}");
}
