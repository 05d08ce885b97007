//! Two `mockloop serve` processes sharing one PostgreSQL database, as two
//! nodes behind a load balancer: a session moves between them when its
//! socket does, and only one of them drives it at a time.

use futures_util::StreamExt;
use mockloop::config::Bounded;
use mockloop::engine::{Event, Session};
use mockloop::store::{PostgresStore, Store};
use serde_json::Value;
use tokio_tungstenite::tungstenite::Message;

use crate::app::{Candidate, TestApp, answer_for};
use crate::postgres;
use crate::process::ServerProcess;

/// Short, so a killed node's sessions free up within a couple of seconds;
/// its holder renews every third of it.
const LEASE_SECONDS: &str = "2";

struct Nodes {
    a: ServerProcess,
    b: ServerProcess,
    url: String,
    // Each node has a data directory of its own: nothing is shared but the
    // database.
    _dirs: [tempfile::TempDir; 2],
}

/// Two nodes, and a candidate on node A who has their first prompt.
struct Started {
    nodes: Nodes,
    /// A client of node B.
    on_b: TestApp,
    id: String,
    token: String,
    first: Candidate,
    prompt: Value,
}

async fn started_on_a(lease_seconds: &str) -> Started {
    let nodes = two_nodes(lease_seconds).await;
    let (id, token, mut first) = nodes.a.app().start("quick-practice").await;
    let prompt = first.recv_until("prompt").await;
    Started {
        on_b: nodes.b.app(),
        nodes,
        id,
        token,
        first,
        prompt,
    }
}

async fn two_nodes(lease_seconds: &str) -> Nodes {
    let url = postgres::fresh_database().await;
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let env = [
        ("MOCKLOOP_DATABASE_URL", url.as_str()),
        ("MOCKLOOP__STORAGE__LEASE_SECONDS", lease_seconds),
    ];
    let a = ServerProcess::start_with(dirs[0].path(), &env);
    let b = ServerProcess::start_with(dirs[1].path(), &env);
    Nodes {
        a,
        b,
        url,
        _dirs: dirs,
    }
}

async fn answer_prompt(candidate: &mut Candidate, prompt: &Value) {
    candidate
        .answer(answer_for(
            prompt["round"]["kind"].as_str().unwrap(),
            prompt["kind"].as_str().unwrap(),
        ))
        .await;
}

/// The candidate who last saw `last_seq` carries on with `prompt` on
/// `node`: the replay brings `missed` (what the old node stored unseen),
/// the session resumes, and the interview finishes there with one clean log.
async fn finish_on(
    node: &TestApp,
    database_url: &str,
    (id, token): (&str, &str),
    last_seq: u64,
    missed: &[&str],
    prompt: &Value,
) {
    let mut again = node.connect(id, token).await;
    again.last_seq = last_seq;
    again.resume().await;
    for kind in missed {
        assert_eq!(again.recv().await["type"], *kind);
    }
    assert_eq!(again.recv().await["type"], "resumed");
    answer_prompt(&mut again, prompt).await;
    // Every later answer is stored by this node alone: a write from the
    // other would make its next append conflict, an error the candidate
    // would see.
    let debrief = again.answer_until_debrief().await;
    assert_eq!(debrief["report"]["complete"], true);
    assert_one_clean_log(database_url, id).await;
}

/// The stored log is one unbroken sequence that replays to a finished
/// interview: no node wrote over another's events.
async fn assert_one_clean_log(url: &str, id: &str) {
    let store = PostgresStore::connect(url, std::time::Duration::from_secs(2))
        .await
        .unwrap();
    let events = store.events(id, 0).await.unwrap();
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=events.len() as u64).collect::<Vec<_>>());
    let _session = Session::replay(&events).expect("the log replays");
    assert!(matches!(
        events.last().map(|e| &e.event),
        Some(Event::Completed { .. })
    ));
}

#[tokio::test]
async fn a_session_started_on_one_node_resumes_on_the_other_after_its_socket_drops() {
    let Started {
        nodes,
        on_b,
        id,
        token,
        mut first,
        prompt,
    } = started_on_a(LEASE_SECONDS).await;
    answer_prompt(&mut first, &prompt).await;
    let next = first.recv_until("prompt").await;
    let last_seq = first.last_seq;
    drop(first);

    // Node A paused the session when its socket dropped, and lets go when
    // B asks for it.
    finish_on(
        &on_b,
        &nodes.url,
        (&id, &token),
        last_seq,
        &["paused"],
        &next,
    )
    .await;
}

#[tokio::test]
async fn a_socket_on_the_other_node_takes_the_session_over_and_the_first_node_stops_driving_it() {
    let Started {
        nodes,
        on_b,
        id,
        token,
        mut first,
        prompt,
    } = started_on_a(LEASE_SECONDS).await;

    // A second window, routed to the other node, while the first is open:
    // as on one node, the newer socket wins and the older one is told so.
    let last_seq = first.last_seq;
    finish_on(
        &on_b,
        &nodes.url,
        (&id, &token),
        last_seq,
        &["paused"],
        &prompt,
    )
    .await;
    // Told before node A let go, so waiting in its socket since.
    let replaced = first.recv().await;
    assert_eq!(
        (replaced["code"].as_str(), replaced["fatal"].as_bool()),
        (Some("replaced"), Some(true)),
        "{replaced}"
    );
}

#[tokio::test]
async fn a_session_on_a_killed_node_carries_on_on_the_other_once_its_lease_lapses() {
    let Started {
        nodes,
        on_b,
        id,
        token,
        first,
        prompt,
    } = started_on_a(LEASE_SECONDS).await;
    let last_seq = first.last_seq;
    nodes.a.kill_hard();

    // B waits for the dead node's lease to lapse, then records the pause
    // the dead node could not.
    finish_on(
        &on_b,
        &nodes.url,
        (&id, &token),
        last_seq,
        &["paused"],
        &prompt,
    )
    .await;
}

#[tokio::test]
async fn a_socket_is_refused_with_a_retryable_error_while_a_silent_holder_keeps_the_lease() {
    let url = postgres::fresh_database().await;
    let mut config = mockloop::config::Config::default();
    config.storage.database_url = Some(mockloop::config::DatabaseUrl::new(&url).unwrap());
    config.storage.lease_seconds = Bounded::new(2).unwrap();
    let app = TestApp::builder().config(config).spawn().await;
    let (id, token) = app.create_session("quick-practice").await;
    // A node that holds the lease for a long time and never renews, so it
    // never hears that it is wanted (one cut off from the database, say).
    let holder = PostgresStore::connect(&url, std::time::Duration::from_secs(300))
        .await
        .unwrap();
    assert!(matches!(
        holder.claim(&id).await.unwrap(),
        mockloop::store::Claim::Granted(_)
    ));

    let (mut ws, _) = tokio_tungstenite::connect_async(app.ws_url(&id, &token))
        .await
        .unwrap();
    let refusal = loop {
        let frame = tokio::time::timeout(std::time::Duration::from_secs(10), ws.next())
            .await
            .expect("an answer once the wait is over")
            .expect("a frame")
            .expect("a valid frame");
        if let Message::Text(text) = frame {
            break serde_json::from_str::<Value>(text.as_str()).unwrap();
        }
    };
    assert_eq!(refusal["code"], "session_elsewhere", "{refusal}");
    assert_eq!(
        refusal["fatal"], false,
        "the client should retry: {refusal}"
    );
}

#[tokio::test]
async fn deleting_a_session_on_one_node_stops_it_on_the_node_driving_it() {
    let Started {
        nodes: _running,
        on_b,
        id,
        token,
        first: mut candidate,
        ..
    } = started_on_a(LEASE_SECONDS).await;
    let deleted = on_b
        .http
        .delete(on_b.url(&format!("/api/sessions/{id}?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    // Node A hears of it at its next lease renewal.
    let told = loop {
        let msg = candidate.recv().await;
        if msg["type"] == "error" {
            break msg;
        }
    };
    assert_eq!(
        (told["code"].as_str(), told["fatal"].as_bool()),
        (Some("deleted"), Some(true)),
        "{told}"
    );
}

#[tokio::test]
async fn a_node_stopped_with_sigterm_lets_go_of_its_sessions_for_the_other_node() {
    // Leases far longer than the test's patience: the other node can only
    // get the session at once if the stopping node released it.
    let Started {
        nodes,
        on_b,
        id,
        token,
        mut first,
        prompt,
    } = started_on_a("300").await;
    nodes.a.signal("TERM");
    assert_eq!(first.recv().await["type"], "paused");
    assert_eq!(first.recv().await["code"], "server_shutdown");

    finish_on(
        &on_b,
        &nodes.url,
        (&id, &token),
        first.last_seq,
        &[],
        &prompt,
    )
    .await;
}
