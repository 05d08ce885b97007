//! The store contract, run against SQLite and a real PostgreSQL: ordered
//! durable appends, the expected-sequence check, deletes, and (PostgreSQL)
//! the leases that let one node at a time drive a session.

use std::sync::Arc;
use std::time::Duration;

use mockloop::engine::Event;
use mockloop::store::{
    Claim, DocumentKind, DocumentRow, PostgresStore, ProfileRow, Renewal, SessionRow, SqliteStore,
    Store, StoreError,
};

use crate::postgres;

/// Long enough that no lease in these tests lapses unless the test waits.
const LEASE: Duration = Duration::from_secs(30);

fn row(id: &str) -> SessionRow {
    SessionRow {
        id: id.into(),
        token_hash: "h".into(),
        loop_id: "l".into(),
        content_hash: "c".into(),
        created_at: 1,
    }
}

/// A store of each backend (none for PostgreSQL when opted out), with what
/// keeps it alive.
async fn stores() -> Vec<(Arc<dyn Store>, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().unwrap();
    let sqlite: Arc<dyn Store> = Arc::new(SqliteStore::open_in(dir.path()).await.unwrap());
    let mut stores = vec![(sqlite, Some(dir))];
    let url = postgres::fresh_database().await;
    let pg = PostgresStore::connect(&url, LEASE).await.unwrap();
    stores.push((Arc::new(pg), None));
    stores
}

#[tokio::test]
async fn appended_events_come_back_in_order_on_every_backend() {
    for (store, _dir) in stores().await {
        store
            .create_session(&row("s"), &Event::Completed { at: 1 })
            .await
            .unwrap();
        let stored = store
            .append(
                "s",
                1,
                &[Event::InterviewEnded { at: 2 }, Event::Completed { at: 3 }],
            )
            .await
            .unwrap();
        assert_eq!(stored.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 3]);
        assert_eq!(store.events("s", 1).await.unwrap(), stored);
        assert_eq!(store.events("s", 0).await.unwrap().len(), 3);
        assert_eq!(store.sessions().await.unwrap(), vec![row("s")]);
    }
}

#[tokio::test]
async fn a_reviewed_spoken_answer_keeps_what_was_heard_and_whether_it_was_unclear_on_every_backend()
{
    use mockloop::speech::analytics::SpeechAnalytics;
    let spoken = |text: &str, heard: &str, unclear: bool| Event::Answered {
        at: 2,
        text: text.into(),
        speech: Some(Box::new(SpeechAnalytics {
            words: 4,
            confidence: Some(0.42),
            heard: Some(heard.into()),
            unclear,
            ..SpeechAnalytics::default()
        })),
        timed_out: false,
    };
    let answers = [
        spoken("the cache is warm", "the cash is warm", false),
        spoken("the same thing", "the same thing", true),
    ];
    for (store, _dir) in stores().await {
        store
            .create_session(&row("s"), &Event::Completed { at: 1 })
            .await
            .unwrap();
        store.append("s", 1, &answers).await.unwrap();
        let back: Vec<Event> = store
            .events("s", 1)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.event)
            .collect();
        assert_eq!(back, answers);
    }
}

#[tokio::test]
async fn an_append_after_a_stale_sequence_is_refused_and_writes_nothing_on_every_backend() {
    for (store, _dir) in stores().await {
        store
            .create_session(&row("s"), &Event::Completed { at: 1 })
            .await
            .unwrap();
        store
            .append("s", 1, &[Event::InterviewEnded { at: 2 }])
            .await
            .unwrap();
        let error = store
            .append("s", 1, &[Event::Completed { at: 3 }])
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                StoreError::Conflict {
                    expected: 1,
                    actual: 2,
                    ..
                }
            ),
            "{error}"
        );
        assert_eq!(store.events("s", 0).await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn of_two_appends_racing_after_one_sequence_exactly_one_is_stored_on_every_backend() {
    for (store, _dir) in stores().await {
        store
            .create_session(&row("s"), &Event::Completed { at: 1 })
            .await
            .unwrap();
        for after in 1..11u64 {
            let (a, b) = tokio::join!(
                store.append("s", after, &[Event::InterviewEnded { at: 2 }]),
                store.append("s", after, &[Event::Completed { at: 3 }]),
            );
            let won = [&a, &b].iter().filter(|r| r.is_ok()).count();
            assert_eq!(won, 1, "after {after}: {a:?} / {b:?}");
            for result in [a, b] {
                if let Err(error) = result {
                    assert!(matches!(error, StoreError::Conflict { .. }), "{error}");
                }
            }
        }
        let seqs: Vec<u64> = store
            .events("s", 0)
            .await
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(seqs, (1..=11).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn sessions_appending_at_the_same_moment_all_succeed_on_every_backend() {
    for (store, _dir) in stores().await {
        let ids: Vec<String> = (0..6).map(|i| format!("s{i}")).collect();
        for id in &ids {
            store
                .create_session(&row(id), &Event::Completed { at: 1 })
                .await
                .unwrap();
        }
        let appends = ids.iter().map(|id| {
            let store = Arc::clone(&store);
            async move {
                for after in 1..15u64 {
                    store
                        .append(id, after, &[Event::InterviewEnded { at: 2 }])
                        .await?;
                }
                Ok::<_, StoreError>(())
            }
        });
        for result in futures_util::future::join_all(appends).await {
            result.unwrap();
        }
        for id in &ids {
            assert_eq!(store.events(id, 0).await.unwrap().len(), 15);
        }
    }
}

#[tokio::test]
async fn appending_to_a_missing_session_is_an_error_on_every_backend() {
    for (store, _dir) in stores().await {
        let error = store
            .append("nope", 0, &[Event::Completed { at: 1 }])
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::NoSession(_)), "{error}");
    }
}

#[tokio::test]
async fn deleting_a_session_removes_its_events_on_every_backend() {
    for (store, _dir) in stores().await {
        store
            .create_session(&row("s"), &Event::Completed { at: 1 })
            .await
            .unwrap();
        assert!(store.delete_session("s").await.unwrap());
        assert!(store.session("s").await.unwrap().is_none());
        assert!(store.events("s", 0).await.unwrap().is_empty());
        assert!(!store.delete_session("s").await.unwrap());
    }
}

#[tokio::test]
async fn sqlite_grants_every_claim_and_never_needs_renewing() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_in(dir.path()).await.unwrap();
    assert_eq!(store.lease_duration(), None);
    assert!(matches!(store.claim("s").await.unwrap(), Claim::Granted(_)));
}

/// Two nodes' stores over one database.
async fn two_nodes(lease: Duration) -> (PostgresStore, PostgresStore) {
    let url = postgres::fresh_database().await;
    let a = PostgresStore::connect(&url, lease).await.unwrap();
    let b = PostgresStore::connect(&url, lease).await.unwrap();
    assert_ne!(a.node(), b.node());
    a.create_session(&row("s"), &Event::Completed { at: 1 })
        .await
        .unwrap();
    (a, b)
}

#[tokio::test]
async fn a_postgres_lease_is_one_nodes_until_it_hands_it_over() {
    let (a, b) = two_nodes(LEASE).await;
    let Claim::Granted(held) = a.claim("s").await.unwrap() else {
        panic!("a free session is granted");
    };
    assert_eq!(a.renew(&held).await.unwrap(), Renewal::Held);
    // B asks: refused, and A hears of it at its next renewal.
    assert_eq!(b.claim("s").await.unwrap(), Claim::Elsewhere);
    assert_eq!(a.renew(&held).await.unwrap(), Renewal::Wanted);
    assert_eq!(b.claim("s").await.unwrap(), Claim::Elsewhere);
    a.release(&held).await.unwrap();
    let Claim::Granted(taken) = b.claim("s").await.unwrap() else {
        panic!("a released session is granted");
    };
    // A's old grant is gone for good: renewing or releasing it does nothing.
    assert_eq!(a.renew(&held).await.unwrap(), Renewal::Lost);
    a.release(&held).await.unwrap();
    assert_eq!(b.renew(&taken).await.unwrap(), Renewal::Held);
    assert!(matches!(
        a.claim("nope").await.unwrap_err(),
        StoreError::NoSession(_)
    ));
}

#[tokio::test]
async fn a_postgres_lease_that_is_not_renewed_lapses_and_another_node_takes_it() {
    let lease = Duration::from_secs(1);
    let (a, b) = two_nodes(lease).await;
    let Claim::Granted(held) = a.claim("s").await.unwrap() else {
        panic!("a free session is granted");
    };
    // A stops renewing (as a dead node does); B's claims succeed once the
    // database's clock passes the expiry.
    let mut taken = None;
    for _ in 0..100 {
        if let Claim::Granted(lease) = b.claim("s").await.unwrap() {
            taken = Some(lease);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let taken = taken.expect("the lapsed lease is granted to B");
    assert_eq!(a.renew(&held).await.unwrap(), Renewal::Lost);
    assert_eq!(b.renew(&taken).await.unwrap(), Renewal::Held);
}

#[tokio::test]
async fn a_profile_keeps_one_document_of_each_kind_and_goes_with_its_links_on_every_backend() {
    for (store, _dir) in stores().await {
        let profile = |id: &str, used_at| ProfileRow {
            id: id.into(),
            token_hash: "h".into(),
            created_at: 1,
            used_at,
        };
        store.create_profile(&profile("p", 10)).await.unwrap();
        store.create_profile(&profile("idle", 5)).await.unwrap();
        for (text, at) in [("first résumé", 2), ("second résumé", 3)] {
            let document = DocumentRow {
                kind: DocumentKind::Resume,
                media_type: "text/plain".into(),
                text: text.into(),
                updated_at: at,
            };
            store.put_document("p", &document).await.unwrap();
        }
        let documents = store.documents("p").await.unwrap();
        assert_eq!(documents.len(), 1, "replaced, not added");
        assert_eq!(documents[0].text, "second résumé");
        assert!(
            !format!("{:?}", documents[0]).contains("résumé"),
            "Debug leaves the text out"
        );
        for id in ["s1", "s2"] {
            store
                .create_session(&row(id), &Event::Completed { at: 1 })
                .await
                .unwrap();
            store.link_session("p", id, 2).await.unwrap();
        }
        store.link_session("p", "s1", 3).await.unwrap();
        assert_eq!(store.profile_sessions("p").await.unwrap().len(), 2);
        // A deleted session leaves the profile's list.
        store.delete_session("s2").await.unwrap();
        assert_eq!(store.profile_sessions("p").await.unwrap().len(), 1);

        store.touch_profile("idle", 4).await.unwrap();
        assert_eq!(
            store.profile("idle").await.unwrap().unwrap().used_at,
            5,
            "never back in time"
        );
        assert_eq!(store.delete_profiles_unused_since(6).await.unwrap(), 1);
        assert!(store.profile("idle").await.unwrap().is_none());

        assert!(store.delete_profile("p").await.unwrap());
        assert!(store.documents("p").await.unwrap().is_empty());
        assert!(store.profile_sessions("p").await.unwrap().is_empty());
        assert!(
            store.session("s1").await.unwrap().is_some(),
            "the session stays"
        );
        assert!(!store.delete_profile("p").await.unwrap());
    }
}
