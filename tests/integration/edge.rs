use serde_json::{Value, json};
use tokio_tungstenite::connect_async;

use crate::app::{refused_upgrade, spawn_app};

#[tokio::test]
async fn a_wrong_token_is_rejected_for_the_socket_and_every_export() {
    let app = spawn_app().await;
    let (id, token) = app.create_session("quick-practice").await;
    let wrong = "0".repeat(token.len());

    assert_eq!(refused_upgrade(app.ws_url(&id, &wrong)).await.status(), 401);
    assert!(
        connect_async(format!("ws://{}/api/sessions/{id}/ws", app.addr))
            .await
            .is_err(),
        "no token, no socket"
    );

    for export in [
        "report.json",
        "report.md",
        "transcript.json",
        "transcript.md",
    ] {
        let response = app
            .get(&format!("/api/sessions/{id}/{export}?token={wrong}"))
            .await;
        assert_eq!(response.status(), 401, "{export}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
    }
    // An unknown session looks exactly like a wrong token.
    let response = app
        .get(&format!("/api/sessions/nope/report.json?token={token}"))
        .await;
    assert_eq!(response.status(), 401);
    // The right token works, also as a bearer header.
    let response = app
        .http
        .get(app.url(&format!("/api/sessions/{id}/report.json")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn creating_a_session_for_an_unknown_loop_or_with_a_bad_body_is_a_clear_error() {
    let app = spawn_app().await;
    let response = app
        .http
        .post(app.url("/api/sessions"))
        .json(&json!({ "loop_id": "nope" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unknown_loop");
    assert!(body["error"]["message"].as_str().unwrap().contains("nope"));

    let response = app
        .http
        .post(app.url("/api/sessions"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "bad_request");
}

#[tokio::test]
async fn bad_frames_get_clear_errors_and_lose_nothing_already_stored() {
    let app = spawn_app().await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    let prompt = candidate.recv_until("prompt").await;
    let ack = candidate
        .answer("I would start by clarifying the requirements and the constraints.")
        .await;
    let before: Value = app
        .get(&format!("/api/sessions/{id}/transcript.json?token={token}"))
        .await
        .json()
        .await
        .unwrap();

    let too_long = json!({ "type": "answer", "text": "x".repeat(20_001) }).to_string();
    for (frame, code) in [
        ("{not json", "bad_json"),
        (r#"{"type":"shout"}"#, "unknown_type"),
        (r#"{"type":"answer"}"#, "bad_message"),
        (too_long.as_str(), "too_large"),
        (r#"{"type":"answer","text":"   "}"#, "empty_answer"),
        (r#"{"type":"resume","last_seq":99999}"#, "unknown_seq"),
    ] {
        candidate.send_raw(frame).await;
        let error = loop {
            let msg = candidate.recv().await;
            if msg["type"] == "error" {
                break msg;
            }
        };
        assert_eq!(error["code"], code, "{frame:.40}: {error}");
        assert_eq!(error["fatal"], false);
    }
    let after: Value = app
        .get(&format!("/api/sessions/{id}/transcript.json?token={token}"))
        .await
        .json()
        .await
        .unwrap();
    let count = |t: &Value| t["entries"].as_array().unwrap().len();
    assert!(count(&after) >= count(&before), "nothing stored was lost");
    assert_eq!(
        after["entries"].as_array().unwrap()[..count(&before)],
        before["entries"].as_array().unwrap()[..]
    );

    // The session still works after all that.
    assert!(ack["seq"].as_u64().unwrap() > prompt["seq"].as_u64().unwrap());
    candidate.send(json!({ "type": "skip" })).await;
    candidate.recv_until("prompt").await;
}

#[tokio::test]
async fn every_response_carries_the_browser_policy_and_exports_a_stricter_one() {
    let app = spawn_app().await;
    let (id, token) = app.create_session("quick-practice").await;
    for path in ["/", "/app.js", "/api/loops", "/healthz", "/no-such-page"] {
        let response = app.get(path).await;
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        // No inline script or style sheet; only style attributes (which
        // the code editor's typing needs) may be inline.
        let inline: Vec<&str> = csp
            .split(';')
            .filter(|d| d.contains("unsafe-inline"))
            .map(str::trim)
            .collect();
        assert_eq!(inline, ["style-src-attr 'unsafe-inline'"], "{path}: {csp}");
        assert!(csp.contains("script-src 'self';"), "{path}: {csp}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
    }
    let export = app
        .get(&format!("/api/sessions/{id}/report.html?token={token}"))
        .await;
    let csp = export.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        csp.starts_with("default-src 'none'") && csp.contains("sandbox"),
        "an exported page runs nothing: {csp}"
    );
}
