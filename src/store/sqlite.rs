//! The SQLite store: one file in the data directory, WAL journal.
//!
//! `synchronous = FULL` makes every committed transaction durable on power
//! loss, not only on a process crash (WAL's NORMAL can lose the last commits
//! when the machine loses power). Writes go through one writer task that
//! commits every write waiting in one transaction (`sqlite_writer.rs`), so
//! sessions writing at once share that fsync.

use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use sqlx::Row;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::sqlite_checkpoint::{self, Checkpoints};
use super::sqlite_writer::{EventRow, Write, Writer};
use super::{SessionRow, Store, StoreError};
use crate::engine::{Event, StoredEvent};

/// The database file's name in the data directory.
pub(super) const FILE: &str = "mockloop.db";

/// Creates `dir` (and missing parents) readable by this user only; an
/// existing directory keeps the permissions its owner gave it.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[derive(Clone, Debug)]
pub struct SqliteStore {
    /// Reads, and the rare writes outside an interview (deletes).
    pub(super) pool: SqlitePool,
    /// Session creation and appends.
    writer: Writer,
}

impl SqliteStore {
    /// Opens (creating if needed) `DIR/mockloop.db` and brings its schema up to date.
    /// The directory is created 0700 and the database 0600: they hold
    /// every candidate's answers.
    pub async fn open_in(dir: &Path) -> Result<SqliteStore, StoreError> {
        let io = |e| StoreError::Database(sqlx::Error::Io(e));
        private_dir(dir).map_err(io)?;
        let path = dir.join(FILE);
        // Created here, empty (which SQLite reads as a new database), so it
        // is private from its first byte; SQLite gives its -wal and -shm
        // files the database file's permissions.
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(io(e)),
        }
        SqliteStore::open(&path).await
    }

    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_checkpointing(path, sqlite_checkpoint::EVERY).await
    }

    async fn open_checkpointing(
        path: &Path,
        checkpoint_every: Duration,
    ) -> Result<SqliteStore, StoreError> {
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // The writer and a delete (the one write made on a pooled
            // connection) wait for each other up to this long instead of
            // failing at once with SQLITE_BUSY.
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            // Readers (resumes, exports) beside the writer's own connection.
            .max_connections(4)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("src/store/migrations").run(&pool).await?;
        let checkpoints = Checkpoints::new(pool.clone(), checkpoint_every);
        let writer = Writer::start(&options, checkpoints).await?;
        Ok(SqliteStore { pool, writer })
    }

    /// Runs `PRAGMA integrity_check`, for crash tests and operators.
    pub async fn integrity_check(&self) -> Result<String, StoreError> {
        let row = sqlx::query("PRAGMA integrity_check")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<String, _>(0)?)
    }
}

/// An event as the writer stores it.
fn event_row(event: &Event) -> EventRow {
    EventRow {
        name: event.name(),
        at: event.at(),
        body: super::encode(event),
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_session(&self, row: &SessionRow, first: &Event) -> Result<(), StoreError> {
        self.writer
            .write(Write::Create {
                row: row.clone(),
                first: event_row(first),
            })
            .await
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query("SELECT * FROM sessions WHERE id = ?")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(super::session_row).transpose()?)
    }

    async fn sessions(&self) -> Result<Vec<SessionRow>, StoreError> {
        let rows = sqlx::query("SELECT * FROM sessions ORDER BY created_at DESC, id")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(super::session_row)
            .collect::<Result<_, _>>()?)
    }

    async fn append(
        &self,
        session: &str,
        after: u64,
        events: &[Event],
    ) -> Result<Vec<StoredEvent>, StoreError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        self.writer
            .write(Write::Append {
                session: session.to_owned(),
                after,
                events: events.iter().map(event_row).collect(),
            })
            .await?;
        // The writer checked that the log ended at `after`.
        Ok(super::numbered(after, events))
    }

    async fn events(&self, session: &str, after: u64) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, body FROM events WHERE session_id = ? AND seq > ? ORDER BY seq",
        )
        .bind(session)
        .bind(after as i64)
        .fetch_all(&self.pool)
        .await?;
        super::decode_rows(session, &rows)
    }

    async fn delete_session(&self, id: &str) -> Result<bool, StoreError> {
        let result = sqlx::query("DELETE FROM sessions WHERE id = ?")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() > 0)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

// The backend-independent contract (conflicts, deletes, concurrent
// appends) runs against SQLite and PostgreSQL in tests/integration/store.rs.
#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: &str) -> SessionRow {
        SessionRow {
            id: id.into(),
            token_hash: "h".into(),
            loop_id: "l".into(),
            content_hash: "c".into(),
            created_at: 1,
        }
    }

    async fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open_in(dir.path()).await.unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn the_data_directory_and_database_are_private_to_the_server_user() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("data");
        let store = SqliteStore::open_in(&dir).await.unwrap();
        store
            .create_session(&row("a"), &Event::Completed { at: 1 })
            .await
            .unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        for file in [FILE, "mockloop.db-wal"] {
            assert_eq!(mode(&dir.join(file)), 0o600, "{file}");
        }
    }

    #[tokio::test]
    async fn a_write_that_fails_inside_a_batch_fails_alone() {
        let (_dir, store) = store().await;
        let first = Event::Completed { at: 1 };
        store.create_session(&row("s"), &first).await.unwrap();
        // Handed over together, before the writer's task runs (one thread):
        // one batch, in which the duplicate session breaks the transaction.
        let again = row("s");
        let duplicate = store.create_session(&again, &first);
        let others = futures_util::future::join_all((0..20).map(|i| {
            let store = store.clone();
            let first = first.clone();
            async move { store.create_session(&row(&format!("t{i}")), &first).await }
        }));
        let ended = [Event::InterviewEnded { at: 2 }];
        let stale = store.append("s", 5, &ended);
        let (duplicate, others, stale) = tokio::join!(duplicate, others, stale);
        assert!(
            matches!(duplicate, Err(StoreError::Database(_))),
            "{duplicate:?}"
        );
        assert!(
            matches!(stale, Err(StoreError::Conflict { actual: 1, .. })),
            "{stale:?}"
        );
        assert!(others.iter().all(Result::is_ok), "{others:?}");
        assert_eq!(store.sessions().await.unwrap().len(), 21);
        assert_eq!(store.events("s", 0).await.unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_database_from_before_the_arrival_order_table_keeps_its_events() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        {
            // The schema as the first release made it, with a session in it.
            let options = SqliteConnectOptions::new()
                .filename(&path)
                .create_if_missing(true);
            let pool = SqlitePool::connect_with(options).await.unwrap();
            let mut first = sqlx::migrate!("src/store/migrations");
            first.migrations = first.migrations[..1].to_vec().into();
            first.run(&pool).await.unwrap();
            sqlx::query("INSERT INTO sessions VALUES ('s', 'h', 'l', 'c', 1)")
                .execute(&pool)
                .await
                .unwrap();
            for (seq, event) in [
                (2, Event::InterviewEnded { at: 3 }),
                (1, Event::Completed { at: 2 }),
            ] {
                sqlx::query("INSERT INTO events VALUES ('s', ?, ?, ?, ?)")
                    .bind(seq)
                    .bind(event.name())
                    .bind(event.at())
                    .bind(super::super::encode(&event))
                    .execute(&pool)
                    .await
                    .unwrap();
            }
            pool.close().await;
        }
        let store = SqliteStore::open(&path).await.unwrap();
        let events = store.events("s", 0).await.unwrap();
        assert_eq!(
            events
                .iter()
                .map(|e| (e.seq, e.event.at()))
                .collect::<Vec<_>>(),
            [(1, 2), (2, 3)]
        );
        store
            .append("s", 2, &[Event::InterviewEnded { at: 4 }])
            .await
            .unwrap();
        assert!(matches!(
            store
                .append("s", 2, &[Event::InterviewEnded { at: 5 }])
                .await,
            Err(StoreError::Conflict { actual: 3, .. })
        ));
        assert_eq!(store.integrity_check().await.unwrap(), "ok");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn under_steady_writes_the_log_is_checkpointed_and_starts_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let store = SqliteStore::open_checkpointing(&path, Duration::from_millis(20))
            .await
            .unwrap();
        let (writers, appends, answer) = (8, 400, "x".repeat(4000));
        let tasks = (0..writers).map(|w| {
            let (store, answer) = (store.clone(), answer.clone());
            tokio::spawn(async move {
                let id = format!("s{w}");
                store
                    .create_session(&row(&id), &Event::Completed { at: 1 })
                    .await
                    .unwrap();
                for after in 1..=appends {
                    let text = answer.clone();
                    let event = Event::Answered {
                        at: 2,
                        text,
                        speech: None,
                        timed_out: false,
                    };
                    store.append(&id, after, &[event]).await.unwrap();
                }
            })
        });
        for task in futures_util::future::join_all(tasks).await {
            task.unwrap();
        }
        // 12.8 MB of answers went through the log without a pause in the
        // writing; the log file is as long as it ever got, so it shows
        // that the log started over along the way.
        let written = (writers * appends) * answer.len() as u64;
        let log = std::fs::metadata(dir.path().join(format!("{FILE}-wal")))
            .unwrap()
            .len();
        assert!(
            log < written / 2,
            "the log grew to {log} bytes for {written} written"
        );
        assert_eq!(
            store.events("s3", 0).await.unwrap().len(),
            appends as usize + 1
        );
    }

    #[tokio::test]
    async fn a_reopened_database_holds_what_was_appended_and_passes_its_integrity_check() {
        let (dir, store) = store().await;
        store
            .create_session(&row("s"), &Event::Completed { at: 1 })
            .await
            .unwrap();
        store
            .append("s", 1, &[Event::InterviewEnded { at: 2 }])
            .await
            .unwrap();
        drop(store);
        let reopened = SqliteStore::open_in(dir.path()).await.unwrap();
        assert_eq!(reopened.events("s", 0).await.unwrap().len(), 2);
        assert_eq!(reopened.integrity_check().await.unwrap(), "ok");
    }
}
