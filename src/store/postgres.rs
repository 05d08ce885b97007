//! The PostgreSQL store: what several server nodes share.
//!
//! Durability: PostgreSQL's default `synchronous_commit = on` flushes the
//! commit's WAL record before the commit returns, so an append is on disk
//! before the session tells anyone about it, as with SQLite.
//!
//! Appends to one session serialise on its `sessions` row (`FOR UPDATE`):
//! the second of two concurrent appends waits for the first to commit,
//! then reads the log's new end and fails the expected-sequence check
//! rather than interleaving. The `(session_id, seq)` key backs that up.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

use super::{Claim, Lease, Renewal, SessionRow, Store, StoreError};
use crate::engine::{Event, StoredEvent};

/// PostgreSQL's code for a foreign-key violation: a lease or event for a
/// session that does not exist.
const FOREIGN_KEY_VIOLATION: &str = "23503";

#[derive(Clone, Debug)]
pub struct PostgresStore {
    pub(super) pool: PgPool,
    /// Names this process in lease rows, for operators reading them.
    node: String,
    lease: Duration,
}

impl PostgresStore {
    /// Connects to `url` and brings the schema up to date. Nodes starting
    /// together are safe: sqlx holds an advisory lock while it migrates.
    pub async fn connect(url: &str, lease: Duration) -> Result<PostgresStore, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            // Each live session's task holds a connection only for one
            // statement or one append at a time; sixteen keep a node's
            // hundreds of sessions moving without crowding the server's
            // default of 100 connections when several nodes share it.
            .max_connections(16)
            // A database that does not answer fails the request (the
            // client is told to retry) instead of hanging the session.
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options)
            .await?;
        sqlx::migrate!("src/store/pg_migrations").run(&pool).await?;
        let node = format!(
            "pid{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        Ok(PostgresStore { pool, node, lease })
    }

    /// This process's name in lease rows.
    pub fn node(&self) -> &str {
        &self.node
    }

    fn lease_seconds(&self) -> f64 {
        self.lease.as_secs_f64()
    }
}

fn is_missing_session(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.code().as_deref() == Some(FOREIGN_KEY_VIOLATION))
}

async fn insert_event(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    session: &str,
    stored: &StoredEvent,
) -> Result<(), sqlx::Error> {
    let StoredEvent { seq, event } = stored;
    let body = super::encode(event);
    sqlx::query("INSERT INTO events (session_id, seq, type, at, body) VALUES ($1, $2, $3, $4, $5)")
        .bind(session)
        .bind(*seq as i64)
        .bind(event.name())
        .bind(event.at())
        .bind(body)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[async_trait]
impl Store for PostgresStore {
    async fn create_session(&self, row: &SessionRow, first: &Event) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO sessions (id, token_hash, loop_id, content_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(&row.id)
            .bind(&row.token_hash)
            .bind(&row.loop_id)
            .bind(&row.content_hash)
            .bind(row.created_at)
            .execute(&mut *tx)
            .await?;
        insert_event(
            &mut tx,
            &row.id,
            &StoredEvent {
                seq: 1,
                event: first.clone(),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query("SELECT * FROM sessions WHERE id = $1")
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
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query("SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE")
            .bind(session)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NoSession(session.to_owned()));
        }
        // A new statement after the row lock: under READ COMMITTED it sees
        // every append committed before the lock was granted.
        let last: Option<i64> =
            sqlx::query_scalar("SELECT MAX(seq) FROM events WHERE session_id = $1")
                .bind(session)
                .fetch_one(&mut *tx)
                .await?;
        super::check_follows(session, after, last.unwrap_or(0) as u64)?;
        let stored = super::numbered(after, events);
        for event in &stored {
            insert_event(&mut tx, session, event).await?;
        }
        tx.commit().await?;
        Ok(stored)
    }

    async fn events(&self, session: &str, after: u64) -> Result<Vec<StoredEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, body FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq",
        )
        .bind(session)
        .bind(after as i64)
        .fetch_all(&self.pool)
        .await?;
        super::decode_rows(session, &rows)
    }

    async fn delete_session(&self, id: &str) -> Result<bool, StoreError> {
        let result = sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(result.rows_affected() > 0)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn lease_duration(&self) -> Option<Duration> {
        Some(self.lease)
    }

    async fn claim(&self, session: &str) -> Result<Claim, StoreError> {
        let token = uuid::Uuid::new_v4().to_string();
        // Taken when free, lapsed, or already this node's: the hub runs at
        // most one task per session in a process, and claims only when it
        // has none, so a row naming this node is a task that has unloaded.
        let granted = sqlx::query(
            "INSERT INTO leases (session_id, token, node, expires_at)
             VALUES ($1, $2, $3, clock_timestamp() + make_interval(secs => $4))
             ON CONFLICT (session_id) DO UPDATE
             SET token = EXCLUDED.token, node = EXCLUDED.node,
                 expires_at = EXCLUDED.expires_at, wanted = FALSE
             WHERE leases.expires_at < clock_timestamp() OR leases.node = EXCLUDED.node
             RETURNING token",
        )
        .bind(session)
        .bind(&token)
        .bind(&self.node)
        .bind(self.lease_seconds())
        .fetch_optional(&self.pool)
        .await;
        match granted {
            Ok(Some(_)) => Ok(Claim::Granted(Lease {
                session: session.to_owned(),
                token,
            })),
            Ok(None) => {
                sqlx::query("UPDATE leases SET wanted = TRUE WHERE session_id = $1")
                    .bind(session)
                    .execute(&self.pool)
                    .await?;
                Ok(Claim::Elsewhere)
            }
            Err(error) if is_missing_session(&error) => {
                Err(StoreError::NoSession(session.to_owned()))
            }
            Err(error) => Err(error.into()),
        }
    }

    async fn renew(&self, lease: &Lease) -> Result<Renewal, StoreError> {
        let wanted: Option<bool> = sqlx::query_scalar(
            "UPDATE leases SET expires_at = clock_timestamp() + make_interval(secs => $3)
             WHERE session_id = $1 AND token = $2
             RETURNING wanted",
        )
        .bind(&lease.session)
        .bind(&lease.token)
        .bind(self.lease_seconds())
        .fetch_optional(&self.pool)
        .await?;
        Ok(match wanted {
            None => Renewal::Lost,
            Some(true) => Renewal::Wanted,
            Some(false) => Renewal::Held,
        })
    }

    async fn release(&self, lease: &Lease) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM leases WHERE session_id = $1 AND token = $2")
            .bind(&lease.session)
            .bind(&lease.token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
