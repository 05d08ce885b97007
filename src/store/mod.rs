//! Durable storage: sessions and their append-only event logs.
//!
//! An append returns only once the events are durable, and the driver tells
//! the client about an event only after that, so nothing a client saw can be
//! lost. Appends carry the sequence number they expect to follow, so two
//! writers can never interleave one session's log.
//!
//! SQLite serves one node. PostgreSQL serves several, and adds leases: the
//! node driving a session holds its lease, so two nodes never both drive
//! it (see `lease.rs`).

mod lease;
mod postgres;
mod profiles;
mod sqlite;
mod sqlite_checkpoint;
mod sqlite_writer;

use std::sync::Arc;

use async_trait::async_trait;

use crate::config::StorageConfig;
use crate::engine::{EpochMs, Event, StoredEvent};

pub use lease::{Claim, Lease, Renewal};
pub use postgres::PostgresStore;
pub use profiles::{DocumentKind, DocumentRow, ProfileRow, ProfileStore};
pub use sqlite::SqliteStore;

/// The configured store: PostgreSQL when a database URL is set, else SQLite
/// in the data directory (created if missing).
pub async fn open(config: &StorageConfig) -> Result<Arc<dyn Store>, StoreError> {
    Ok(match &config.database_url {
        Some(url) => Arc::new(
            PostgresStore::connect(
                url.expose(),
                std::time::Duration::from_secs(config.lease_seconds.get()),
            )
            .await?,
        ),
        None => Arc::new(SqliteStore::open_in(&config.data_dir).await?),
    })
}

/// The configured store for a command that reads what a server stored: a
/// missing SQLite file is an error rather than a new empty database.
pub async fn open_existing(config: &StorageConfig) -> Result<Arc<dyn Store>, StoreError> {
    if config.database_url.is_none() && !config.data_dir.join(sqlite::FILE).exists() {
        return Err(StoreError::Missing(describe(config)));
    }
    open(config).await
}

/// An event as both backends store it: its JSON, beside columns for queries.
fn encode(event: &Event) -> String {
    serde_json::to_string(event).expect("events always serialize")
}

/// A stored row back into an event; one that no longer parses is `Corrupt`.
fn decode(session: &str, seq: i64, body: &str) -> Result<StoredEvent, StoreError> {
    let seq = seq as u64;
    let event = serde_json::from_str(body).map_err(|e| StoreError::Corrupt {
        session: session.to_owned(),
        seq,
        reason: e.to_string(),
    })?;
    Ok(StoredEvent { seq, event })
}

/// `seq, body` rows (either backend's) back into events, in row order.
fn decode_rows<R>(session: &str, rows: &[R]) -> Result<Vec<StoredEvent>, StoreError>
where
    R: sqlx::Row,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'static str: sqlx::ColumnIndex<R>,
{
    rows.iter()
        .map(|row| {
            let body: String = row.try_get("body")?;
            decode(session, row.try_get("seq")?, &body)
        })
        .collect()
}

/// A `sessions` row (either backend's).
fn session_row<R>(row: &R) -> Result<SessionRow, sqlx::Error>
where
    R: sqlx::Row,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    &'static str: sqlx::ColumnIndex<R>,
{
    Ok(SessionRow {
        id: row.try_get("id")?,
        token_hash: row.try_get("token_hash")?,
        loop_id: row.try_get("loop_id")?,
        content_hash: row.try_get("content_hash")?,
        created_at: row.try_get("created_at")?,
    })
}

/// The expected-sequence check: an append after `after` fits a log whose
/// last event is `last` only if they are the same.
fn check_follows(session: &str, after: u64, last: u64) -> Result<(), StoreError> {
    if last == after {
        return Ok(());
    }
    Err(StoreError::Conflict {
        session: session.to_owned(),
        expected: after,
        actual: last,
    })
}

/// `events` with the sequence numbers that follow `after`.
fn numbered(after: u64, events: &[Event]) -> Vec<StoredEvent> {
    events
        .iter()
        .zip(after + 1..)
        .map(|(event, seq)| StoredEvent {
            seq,
            event: event.clone(),
        })
        .collect()
}

/// Where the configured store lives, safe to log (no password).
pub fn describe(config: &StorageConfig) -> String {
    match &config.database_url {
        Some(url) => url.redacted(),
        None => config.data_dir.join(sqlite::FILE).display().to_string(),
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    pub token_hash: String,
    pub loop_id: String,
    pub content_hash: String,
    pub created_at: EpochMs,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("session {0} does not exist")]
    NoSession(String),
    #[error(
        "session {session}: expected to append after event {expected}, but the log is at {actual}"
    )]
    Conflict {
        session: String,
        expected: u64,
        actual: u64,
    },
    #[error("stored event {seq} of session {session} is unreadable: {reason}")]
    Corrupt {
        session: String,
        seq: u64,
        reason: String,
    },
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("no database at {0}")]
    Missing(String),
}

#[async_trait]
pub trait Store: ProfileStore + Send + Sync {
    /// Creates a session whose log starts with `first` (sequence 1).
    async fn create_session(&self, row: &SessionRow, first: &Event) -> Result<(), StoreError>;

    async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError>;

    /// Every session, newest first.
    async fn sessions(&self) -> Result<Vec<SessionRow>, StoreError>;

    /// Appends `events` after sequence `after`, all or none, and returns the
    /// stored events with their sequence numbers once they are durable.
    async fn append(
        &self,
        session: &str,
        after: u64,
        events: &[Event],
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// The events with sequence numbers greater than `after`, in order.
    async fn events(&self, session: &str, after: u64) -> Result<Vec<StoredEvent>, StoreError>;

    /// Removes a session with everything stored for it.
    async fn delete_session(&self, id: &str) -> Result<bool, StoreError>;

    /// Succeeds when the store answers a trivial query (for `/readyz`).
    async fn ping(&self) -> Result<(), StoreError>;

    /// How long a lease lasts unrenewed. `None`: the store serves one
    /// process (SQLite), whose hub is the only driver, so claims are always
    /// granted and never need renewing.
    fn lease_duration(&self) -> Option<std::time::Duration> {
        None
    }

    /// Claims the right to drive `session` from this node. When another
    /// node holds it, that node is asked to hand it over (it does at its
    /// next renewal), and the caller may claim again.
    async fn claim(&self, session: &str) -> Result<Claim, StoreError> {
        Ok(Claim::Granted(Lease::local(session)))
    }

    /// Extends a granted lease, saying whether another node asked for it.
    async fn renew(&self, _lease: &Lease) -> Result<Renewal, StoreError> {
        Ok(Renewal::Held)
    }

    /// Gives the lease up; a lease already lost is left alone.
    async fn release(&self, _lease: &Lease) -> Result<(), StoreError> {
        Ok(())
    }
}
