//! Who may do what: deleting sessions, the operator endpoints, and the
//! Origin check on WebSocket upgrades.

use futures_util::StreamExt;
use mockloop::config::{Config, OperatorToken, Origin};
use serde_json::Value;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::app::{TestApp, refused_upgrade, spawn_app};

pub const OPERATOR: &str = "operator-token-for-tests-0123";

/// The default configuration with the operator endpoints on.
pub fn operator_config() -> Config {
    let mut config = Config::default();
    config.server.operator_token = Some(OperatorToken::new(OPERATOR).unwrap());
    config
}

async fn spawn_with_operator() -> TestApp {
    TestApp::builder().config(operator_config()).spawn().await
}

/// A request carrying the operator token.
pub async fn as_operator(app: &TestApp, method: reqwest::Method, path: &str) -> reqwest::Response {
    app.http
        .request(method, app.url(path))
        .bearer_auth(OPERATOR)
        .send()
        .await
        .unwrap()
}

/// An operator GET, answered with JSON.
pub async fn operator_get(app: &TestApp, path: &str) -> Value {
    let response = as_operator(app, reqwest::Method::GET, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// Rows left for `id` in each table, read straight from the database file.
async fn rows_left(app: &TestApp, id: &str) -> (i64, i64) {
    let url = format!("sqlite:{}", app.data_dir.join("mockloop.db").display());
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let count = |table: &str, column: &str| {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?");
        let pool = pool.clone();
        let id = id.to_owned();
        async move {
            sqlx::query_scalar::<_, i64>(&sql)
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let sessions = count("sessions", "id").await;
    let events = count("events", "session_id").await;
    pool.close().await;
    (sessions, events)
}

#[tokio::test]
async fn a_candidate_deletes_a_live_session_and_nothing_of_it_is_left_in_the_database() {
    let app = spawn_app().await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    candidate.recv_until("prompt").await;
    candidate
        .answer("I would clarify the requirements, then sketch a hash map solution.")
        .await;
    let (sessions, events) = rows_left(&app, &id).await;
    assert_eq!(sessions, 1);
    assert!(events > 2, "the answer is stored before the delete");

    let wrong = app
        .http
        .delete(app.url(&format!("/api/sessions/{id}")))
        .bearer_auth("0".repeat(token.len()))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let response = app
        .http
        .delete(app.url(&format!("/api/sessions/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);

    // The live socket is told, and the session is not re-created by it.
    let closed = loop {
        let msg = candidate.recv().await;
        if msg["type"] == "error" && msg["fatal"] == true {
            break msg;
        }
    };
    assert_eq!(closed["code"], "deleted", "{closed}");
    assert_eq!(rows_left(&app, &id).await, (0, 0));
    let again = connect_async(app.ws_url(&id, &token)).await;
    assert!(again.is_err(), "a deleted session cannot be reopened");
    let export = app
        .get(&format!("/api/sessions/{id}/transcript.json?token={token}"))
        .await;
    assert_eq!(export.status(), 401);
    assert_eq!(rows_left(&app, &id).await, (0, 0));
}

#[tokio::test]
async fn operator_endpoints_are_disabled_without_a_token_and_closed_to_a_wrong_one() {
    let app = spawn_app().await;
    for path in ["/api/operator/sessions", "/api/operator/content"] {
        let response = as_operator(&app, reqwest::Method::GET, path).await;
        assert_eq!(response.status(), 403, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "operator_disabled");
    }

    let app = spawn_with_operator().await;
    let (id, token) = app.create_session("quick-practice").await;
    for bearer in [
        None,
        Some("wrong-token-wrong-token-0123"),
        Some(token.as_str()),
    ] {
        let mut request = app.http.get(app.url("/api/operator/sessions"));
        if let Some(bearer) = bearer {
            request = request.bearer_auth(bearer);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{bearer:?}");
        let body: Value = response.json().await.unwrap();
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("operator token"),
            "the refusal says which token is wanted: {body}"
        );
    }
    let response = app
        .http
        .delete(app.url(&format!("/api/operator/sessions/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        401,
        "a candidate token is not an operator's"
    );
}

#[tokio::test]
async fn the_operator_lists_sessions_reads_the_content_and_deletes_any_session() {
    let app = spawn_with_operator().await;
    let (finished, finished_token, mut candidate) = app.start("quick-practice").await;
    candidate.answer_until_debrief().await;
    let (waiting, _) = app.create_session("quick-practice").await;

    let list = operator_get(&app, "/api/operator/sessions").await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let entry = |id: &str| list.iter().find(|s| s["id"] == id).unwrap().clone();
    let done = entry(&finished);
    assert_eq!(done["loop"], "quick-practice");
    assert_eq!(done["state"], "finished");
    assert_eq!(done["complete"], true);
    assert!(done["overall"].as_f64().unwrap() >= 1.0, "{done}");
    assert!(done["created_at"].as_i64().unwrap() > 0);
    let lobby = entry(&waiting);
    assert_eq!(lobby["state"], "lobby");
    assert!(lobby["overall"].is_null());

    let content = operator_get(&app, "/api/operator/content").await;
    let paths = |group: &str| -> Vec<String> {
        content[group]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(
        paths("loops").iter().any(|p| p.contains("quick-practice")),
        "{:?}",
        paths("loops")
    );
    assert!(
        paths("questions")
            .iter()
            .all(|p| p.starts_with("prompts/questions/"))
    );
    assert!(!paths("rubrics").is_empty());
    let quick = content["loops"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("quick-practice.toml"))
        .unwrap();
    assert!(
        quick["text"]
            .as_str()
            .unwrap()
            .contains("id = \"quick-practice\"")
    );
    assert!(!content["hash"].as_str().unwrap().is_empty());

    let path = format!("/api/operator/sessions/{finished}");
    let response = as_operator(&app, reqwest::Method::DELETE, &path).await;
    assert_eq!(response.status(), 204);
    assert_eq!(rows_left(&app, &finished).await, (0, 0));

    // The candidate route takes the operator token as the candidate's
    // token is taken: in the query as well as in a Bearer header.
    let (other, _) = app.create_session("quick-practice").await;
    let response = app
        .http
        .delete(app.url(&format!("/api/sessions/{other}?token={OPERATOR}")))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(rows_left(&app, &other).await, (0, 0));
    let export = app
        .get(&format!(
            "/api/sessions/{finished}/report.json?token={finished_token}"
        ))
        .await;
    assert_eq!(export.status(), 401);
    assert_eq!(
        rows_left(&app, &waiting).await.0,
        1,
        "the other session stays"
    );
}

#[tokio::test]
async fn a_websocket_upgrade_from_a_foreign_origin_is_refused_with_403() {
    let app = spawn_app().await;
    let (id, token) = app.create_session("quick-practice").await;
    let upgrade = |origin: Option<String>| {
        let mut request = app.ws_url(&id, &token).into_client_request().unwrap();
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", origin.parse().unwrap());
        }
        connect_async(request)
    };

    let mut foreign = app.ws_url(&id, &token).into_client_request().unwrap();
    foreign
        .headers_mut()
        .insert("origin", "https://evil.example".parse().unwrap());
    assert_eq!(refused_upgrade(foreign).await.status(), 403);

    // The server's own origin, and a client that sends none, are let in.
    let (mut own, _) = upgrade(Some(format!("http://{}", app.addr))).await.unwrap();
    assert!(own.next().await.unwrap().is_ok());
    drop(own);
    let (mut bare, _) = upgrade(None).await.unwrap();
    assert!(bare.next().await.unwrap().is_ok());

    // An allowlist replaces the own-origin rule.
    let mut config = Config::default();
    config.server.allowed_origins = vec![Origin::parse("https://interview.example.com").unwrap()];
    let listed = TestApp::builder().config(config).spawn().await;
    let (id, token) = listed.create_session("quick-practice").await;
    let mut request = listed.ws_url(&id, &token).into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", format!("http://{}", listed.addr).parse().unwrap());
    assert!(connect_async(request).await.is_err());
    let mut request = listed.ws_url(&id, &token).into_client_request().unwrap();
    request
        .headers_mut()
        .insert("origin", "https://interview.example.com".parse().unwrap());
    assert!(connect_async(request).await.is_ok());
}
