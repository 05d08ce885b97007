//! Durable storage: sessions and their append-only event logs.
//!
//! An append returns only once the events are durable, and the driver tells
//! the client about an event only after that, so nothing a client saw can be
//! lost. Appends carry the sequence number they expect to follow, so two
//! writers can never interleave one session's log.

mod sqlite;

use async_trait::async_trait;

use crate::interview::{Event, Millis, StoredEvent};

pub use sqlite::SqliteStore;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    pub id: String,
    pub token_hash: String,
    pub loop_id: String,
    pub content_hash: String,
    pub created_at: Millis,
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
}

#[async_trait]
pub trait Store: Send + Sync {
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
}
