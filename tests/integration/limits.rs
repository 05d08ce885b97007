//! The edge's bounds, each with the answer a client gets when it crosses
//! one, and each shown not to hurt other sessions.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mockloop::config::{Bounded, Config};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::Frame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};

use crate::app::{Candidate, TestApp, refused_upgrade, spawn_app};

/// Reads until the server's close frame and returns its code.
async fn close_code(candidate: &mut Candidate) -> u16 {
    tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            match candidate.ws.next().await {
                Some(Ok(Message::Close(frame))) => {
                    return frame.map(|f| u16::from(f.code)).unwrap_or(0);
                }
                Some(Ok(_)) => {}
                other => panic!("the socket ended without a close frame: {other:?}"),
            }
        }
    })
    .await
    .expect("a close frame")
}

#[tokio::test]
async fn a_frame_over_the_limit_is_closed_with_1009_and_the_bystander_carries_on() {
    let app = spawn_app().await;
    let (_, _, mut bystander) = app.start("quick-practice").await;
    bystander.recv_until("prompt").await;
    let (id, token) = app.create_session("quick-practice").await;
    let mut candidate = app.connect(&id, &token).await;

    candidate.send_raw(&"x".repeat(70 * 1024)).await;
    assert_eq!(close_code(&mut candidate).await, 1009);
    bystander.send(json!({ "type": "skip" })).await;
    bystander.recv_until("prompt").await;
}

#[tokio::test]
async fn a_text_frame_that_is_not_utf8_is_closed_with_1007_and_a_reason() {
    let app = spawn_app().await;
    let (id, token) = app.create_session("quick-practice").await;
    let mut candidate = app.connect(&id, &token).await;
    let frame = Frame::message(vec![b'{', 0xff, 0xfe, b'}'], OpCode::Data(Data::Text), true);
    candidate.ws.send(Message::Frame(frame)).await.unwrap();
    let reason = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            if let Some(Ok(Message::Close(Some(frame)))) = candidate.ws.next().await {
                return (u16::from(frame.code), frame.reason.to_string());
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(reason.0, 1007);
    assert!(reason.1.contains("UTF-8"), "{reason:?}");
}

#[tokio::test]
async fn a_request_with_too_many_header_fields_gets_431() {
    let app = spawn_app().await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let mut request = String::from("GET /healthz HTTP/1.1\r\nHost: x\r\n");
    for i in 0..200 {
        request.push_str(&format!("X-Filler-{i}: {}\r\n", "y".repeat(16)));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut response)).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 431"), "{response}");
    // The server is unharmed.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn past_the_connection_cap_an_upgrade_gets_503_until_a_socket_closes() {
    let mut config = Config::default();
    config.server.max_connections = Bounded::new(1).unwrap();
    let app = TestApp::builder().config(config).spawn().await;
    let (first, first_token) = app.create_session("quick-practice").await;
    let (second, second_token) = app.create_session("quick-practice").await;
    let open = app.connect(&first, &first_token).await;

    let response = refused_upgrade(app.ws_url(&second, &second_token)).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));

    drop(open);
    // The slot frees once the server sees the socket go.
    let mut connected = false;
    for _ in 0..100 {
        if connect_async(app.ws_url(&second, &second_token))
            .await
            .is_ok()
        {
            connected = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(connected, "a closed socket gives its place back");
}

#[tokio::test]
async fn creating_sessions_too_fast_from_one_address_gets_429_with_retry_after() {
    let mut config = Config::default();
    config.server.session_creates_per_minute = Bounded::new(2).unwrap();
    let app = TestApp::builder().config(config).spawn().await;
    app.create_session("quick-practice").await;
    app.create_session("quick-practice").await;
    let response = app
        .http
        .post(app.url("/api/sessions"))
        .json(&json!({ "loop_id": "quick-practice" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
}

#[tokio::test]
async fn audio_frames_faster_than_the_rate_are_slowed_down_not_dropped() {
    let mut config = Config::default();
    config.limits.max_audio_frames_per_second = Bounded::new(4).unwrap();
    let app = TestApp::builder().config(config).spawn().await;
    let (_, _, mut candidate) = app.start("quick-practice").await;
    candidate.recv_until("prompt").await;
    // Voice is off here, so the session answers every frame that reaches it.
    for _ in 0..10 {
        candidate.send_binary(vec![0u8; 64]).await;
    }
    let mut answered = 0;
    while answered < 10 {
        let msg = candidate.recv().await;
        if msg["type"] == "error" {
            assert_eq!(msg["code"], "unsupported", "{msg}");
            answered += 1;
        }
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let throttled = metrics
        .lines()
        .find_map(|l| l.strip_prefix(r#"mockloop_rejected_requests_total{reason="audio_rate"} "#))
        .expect("frames over the rate are counted");
    assert!(throttled.parse::<u32>().unwrap() >= 5, "{throttled}");
    candidate.send(json!({ "type": "skip" })).await;
    candidate.recv_until("prompt").await;
}

#[tokio::test]
async fn a_silent_socket_is_closed_after_the_idle_timeout_but_a_reading_one_stays() {
    let mut config = Config::default();
    config.limits.idle_timeout_seconds = Bounded::new(1).unwrap();
    let app = TestApp::builder().config(config).spawn().await;
    let (quiet_id, quiet_token) = app.create_session("quick-practice").await;
    let mut quiet = app.connect(&quiet_id, &quiet_token).await;
    let (_, _, mut lively) = app.start("quick-practice").await;

    // The lively client keeps reading (tungstenite answers each ping) for
    // three idle periods while the quiet one reads nothing.
    let until = tokio::time::Instant::now() + Duration::from_secs(3);
    let mut pings = 0;
    while let Ok(frame) = tokio::time::timeout_at(until, lively.ws.next()).await {
        match frame {
            Some(Ok(Message::Ping(_))) => pings += 1,
            Some(Ok(Message::Close(frame))) => panic!("a live client was closed: {frame:?}"),
            Some(Ok(_)) => {}
            other => panic!("the socket ended: {other:?}"),
        }
    }
    assert!(pings >= 2, "the server pings: {pings}");
    assert_eq!(close_code(&mut quiet).await, 1001);
    lively.send(json!({ "type": "skip" })).await;
    lively.recv_until("prompt").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_is_disconnected_while_another_completes_its_interview() {
    let mut config = Config::default();
    config.limits.write_timeout_seconds = Bounded::new(1).unwrap();
    let app = TestApp::builder().config(config).spawn().await;
    let (id, token) = app.create_session("quick-practice").await;
    let mut stalled = app.connect(&id, &token).await;

    // Every bad frame earns a reply the stalled client never reads; once the
    // buffers between them are full, the server's writes stop finishing.
    let flood = async move {
        for _ in 0..5_000_000 {
            if stalled.ws.send(Message::Text("x".into())).await.is_err() {
                return true;
            }
        }
        false
    };
    let interview = async {
        let (_, _, mut candidate) = app.start("quick-practice").await;
        candidate.answer_until_debrief().await
    };
    let (cut_off, debrief) = tokio::join!(
        tokio::time::timeout(Duration::from_secs(120), flood),
        interview
    );
    assert_eq!(debrief["type"], "debrief");
    assert_eq!(cut_off, Ok(true), "the stalled client was disconnected");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"mockloop_rejected_requests_total{reason="slow_reader"} 1"#),
        "{metrics}"
    );
}
