//! The real binary under signals and `kill -9`: graceful shutdown pauses and
//! flushes every session, and a crash loses nothing a client was told about.

use std::time::Duration;

use mockloop::engine::{Event, Session, StoredEvent};
use rand::{Rng, SeedableRng};

use crate::crash_client::{Drive, Tracked, drive};
use crate::process::{ServerProcess, open_store, stored_events};

/// The server's own shutdown bound is 10 s; this is how long the test waits
/// before calling a server that has not exited stuck.
const EXIT_LIMIT: Duration = Duration::from_secs(30);

/// Kills per crash test run (the issue asks for at least 50 in CI).
const CRASHES: usize = 50;

/// Interviews in flight at each kill.
const SESSIONS: usize = 3;

/// A kill lands this long (at most) after the server says it listens: long
/// enough for several answers, rounds and debriefs to happen first.
const MAX_KILL_DELAY_MS: u64 = 400;

async fn wait_exit(server: ServerProcess) -> Option<std::process::ExitStatus> {
    tokio::task::spawn_blocking(move || server.wait_exit(EXIT_LIMIT))
        .await
        .unwrap()
}

fn last_event(events: &[StoredEvent]) -> &Event {
    &events.last().expect("a session has events").event
}

#[tokio::test]
async fn sigterm_and_sigint_pause_every_session_tell_the_client_and_exit_cleanly() {
    for signal in ["TERM", "INT"] {
        let dir = tempfile::tempdir().unwrap();
        let server = ServerProcess::start(dir.path());
        let app = server.app();
        let (id, _token, mut candidate) = app.start("quick-practice").await;
        candidate.recv_until("prompt").await;

        server.signal(signal);
        assert_eq!(candidate.recv().await["type"], "paused", "SIG{signal}");
        let goodbye = candidate.recv().await;
        assert_eq!(goodbye["code"], "server_shutdown", "SIG{signal}: {goodbye}");
        assert_eq!(goodbye["fatal"], true);
        let status = wait_exit(server).await;
        assert!(
            status.is_some_and(|s| s.success()),
            "SIG{signal}: the server exits 0 within its bound: {status:?}"
        );

        let store = open_store(dir.path()).await;
        let events = stored_events(&store, &id).await;
        assert!(
            matches!(last_event(&events), Event::Paused { .. }),
            "SIG{signal}: {:?}",
            last_event(&events)
        );
    }
}

#[tokio::test]
async fn a_session_killed_mid_round_is_paused_from_its_last_event_on_restart() {
    let dir = tempfile::tempdir().unwrap();
    let server = ServerProcess::start(dir.path());
    let app = server.app();
    let (id, token, mut candidate) = app.start("quick-practice").await;
    let prompt = candidate.recv_until("prompt").await;
    candidate
        .answer(crate::app::answer_for(
            prompt["round"]["kind"].as_str().unwrap(),
            "question",
        ))
        .await;
    server.kill_hard();

    let store = open_store(dir.path()).await;
    let before = stored_events(&store, &id).await;
    let session = Session::replay(&before).unwrap();
    assert_eq!(session.state(), "active", "kill -9 records no pause");
    let last_at = session.last_event_at();
    let deadline = last_at + session.remaining_ms(last_at).unwrap();
    drop(store);

    let server = ServerProcess::start(dir.path());
    let app = server.app();
    // The welcome comes after the session task has recorded the pause.
    let mut again = app.connect(&id, &token).await;
    let store = open_store(dir.path()).await;
    let after = stored_events(&store, &id).await;
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(
        last_event(&after),
        &Event::Paused {
            at: last_at,
            reason: mockloop::engine::PauseReason::Disconnected,
            remaining_ms: deadline - last_at,
        },
        "the outage does not count against the round"
    );

    // The client has seen everything stored before the kill.
    again.last_seq = before.len() as u64;
    again.resume().await;
    assert_eq!(again.recv().await["type"], "paused");
    let resumed = again.recv().await;
    assert_eq!(resumed["type"], "resumed");
    assert_eq!(
        resumed["remaining_seconds"].as_i64().unwrap(),
        (deadline - last_at) / 1000
    );
    server.signal("TERM");
    assert!(wait_exit(server).await.is_some_and(|s| s.success()));
}

/// The event a client message reports, by the message's `type`.
fn event_name(message_type: &str) -> &str {
    match message_type {
        "prompt" => "prompted",
        "ack" => "answered",
        "debrief" => "completed",
        other => other,
    }
}

/// Checks one session's log against what its client saw acknowledged.
fn check_log(session: &Tracked, events: &[StoredEvent], seed: u64) {
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let gapless: Vec<u64> = (1..=events.len() as u64).collect();
    assert_eq!(seqs, gapless, "seed {seed}: {} has gaps", session.id);
    Session::replay(events)
        .unwrap_or_else(|e| panic!("seed {seed}: {} does not replay: {e}", session.id));
    for (seq, kind) in &session.seen {
        let stored = events.get(*seq as usize - 1).unwrap_or_else(|| {
            panic!(
                "seed {seed}: {} acknowledged {kind} at {seq}, but the log ends at {}",
                session.id,
                events.len()
            )
        });
        assert_eq!(
            stored.event.name(),
            event_name(kind),
            "seed {seed}: {} event {seq}",
            session.id
        );
    }
}

#[tokio::test]
async fn kill_9_at_random_moments_loses_nothing_acknowledged() {
    let seed = std::env::var("MOCKLOOP_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| rand::rng().random());
    println!("crash test seed: {seed} (rerun with MOCKLOOP_CRASH_SEED={seed})");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let dir = tempfile::tempdir().unwrap();
    let mut sessions: Vec<Tracked> = Vec::new();
    let mut finished = 0;

    for crash in 0..CRASHES {
        let server = ServerProcess::start(dir.path());
        let app = server.app();
        while sessions.iter().filter(|s| !s.finished).count() < SESSIONS {
            let (id, token) = app.create_session("quick-practice").await;
            sessions.push(Tracked::new(id, token));
        }
        let drivers: Vec<_> = sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.finished)
            .map(|(i, s)| (i, tokio::spawn(drive(server.addr, s.clone()))))
            .collect();
        let delay = rng.random_range(0..MAX_KILL_DELAY_MS);
        tokio::time::sleep(Duration::from_millis(delay)).await;
        tokio::task::spawn_blocking(move || server.kill_hard())
            .await
            .unwrap();

        for (i, handle) in drivers {
            let Drive { session, welcome } = handle.await.expect("the client task ends");
            if let Some(state) = welcome {
                assert_ne!(
                    state, "active",
                    "seed {seed}, crash {crash}: {} came back active after a kill",
                    session.id
                );
            }
            assert!(
                session.errors.is_empty(),
                "seed {seed}, crash {crash}: {:?}",
                session.errors
            );
            finished += usize::from(session.finished && !sessions[i].finished);
            sessions[i] = session;
        }
        let store = open_store(dir.path()).await;
        assert_eq!(
            store.integrity_check().await.unwrap(),
            "ok",
            "seed {seed}, crash {crash}"
        );
        for session in &sessions {
            check_log(session, &stored_events(&store, &session.id).await, seed);
        }
    }

    // Every session, finished or not, resumes and runs to its debrief.
    let server = ServerProcess::start(dir.path());
    for session in sessions.iter_mut().filter(|s| !s.finished) {
        let Drive { session: done, .. } = drive(server.addr, session.clone()).await;
        assert!(done.finished, "seed {seed}: {} did not finish", done.id);
        assert!(done.errors.is_empty(), "seed {seed}: {:?}", done.errors);
        *session = done;
    }
    let store = open_store(dir.path()).await;
    for session in &sessions {
        check_log(session, &stored_events(&store, &session.id).await, seed);
    }
    println!(
        "{CRASHES} kills, {} interviews, {finished} finished between kills",
        sessions.len()
    );
    server.signal("TERM");
    assert!(wait_exit(server).await.is_some_and(|s| s.success()));
}
