//! Group commit for the SQLite store: one task owns the only connection that
//! writes, and commits every write waiting for it in one transaction, so
//! many sessions' appends share one fsync.
//!
//! With writers on several pooled connections, each answer was its own
//! `BEGIN IMMEDIATE` transaction, and the rest queued for the write lock in
//! SQLite's busy handler, which sleeps in steps of up to 100 ms: under 1,000
//! active interviews a turn's p99 was 400 ms with the server's CPU mostly
//! idle. One writer never waits for the lock, and a batch costs one fsync
//! however many sessions it carries. Each write is still acknowledged only
//! once its transaction is durable.

use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection};
use sqlx::{Connection, Row};
use tokio::sync::{mpsc, oneshot};

use super::sqlite_checkpoint::Checkpoints;
use super::{SessionRow, StoreError};

/// Writes waiting beyond this many are taken by the next batch.
const MAX_BATCH: usize = 256;

/// Writes queued before a caller waits to hand one over.
const QUEUE: usize = 4 * MAX_BATCH;

/// A batch takes the write lock when it begins. A deferred transaction that
/// reads first (each append checks the last sequence number) cannot upgrade
/// to a writer once a delete on a pooled connection has committed since its
/// read: SQLite answers SQLITE_BUSY at once, without the busy timeout.
const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// An event ready for its row: encoded by the caller, so the writer's task
/// spends its time on the database only.
pub(super) struct EventRow {
    pub name: &'static str,
    pub at: i64,
    pub body: String,
}

pub(super) enum Write {
    Create {
        row: SessionRow,
        first: EventRow,
    },
    /// `events` follow sequence `after`, if the log ends there.
    Append {
        session: String,
        after: u64,
        events: Vec<EventRow>,
    },
}

impl Write {
    /// The event bodies it stores, for pacing checkpoints.
    fn bytes(&self) -> u64 {
        match self {
            Write::Create { first, .. } => first.body.len() as u64,
            Write::Append { events, .. } => events.iter().map(|e| e.body.len() as u64).sum(),
        }
    }
}

struct Job {
    write: Write,
    done: oneshot::Sender<Result<(), StoreError>>,
}

#[derive(Clone, Debug)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Opens the writing connection and starts its task; the task ends once
    /// every handle to the writer is dropped and its queue is drained.
    ///
    /// SQLite's automatic checkpoints are off on this connection: the
    /// writer finishes each checkpoint that `checkpoints` starts beside it
    /// (see `sqlite_checkpoint.rs`).
    pub async fn start(
        options: &SqliteConnectOptions,
        checkpoints: Checkpoints,
    ) -> Result<Writer, StoreError> {
        let options = options.clone().pragma("wal_autocheckpoint", "0");
        let conn = SqliteConnection::connect_with(&options).await?;
        let (jobs, queue) = mpsc::channel(QUEUE);
        tokio::spawn(run(conn, queue, checkpoints));
        Ok(Writer { jobs })
    }

    /// Commits `write` with whatever else is waiting; returns once it is durable.
    pub async fn write(&self, write: Write) -> Result<(), StoreError> {
        let (done, result) = oneshot::channel();
        self.jobs
            .send(Job { write, done })
            .await
            .map_err(|_| stopped())?;
        result.await.map_err(|_| stopped())?
    }
}

fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

async fn run(
    mut conn: SqliteConnection,
    mut queue: mpsc::Receiver<Job>,
    mut checkpoints: Checkpoints,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let bytes = batch.iter().map(|job| job.write.bytes()).sum();
        match commit(&mut conn, &batch).await {
            Ok(results) => {
                for (job, result) in batch.drain(..).zip(results) {
                    let _ = job.done.send(result);
                }
            }
            // A failure that is not one write's own (the disk, the file):
            // nothing of the batch was stored. Each write is tried again in
            // a transaction of its own, so one bad write cannot fail the
            // others and each caller gets its own answer.
            Err(_) => {
                for job in batch.drain(..) {
                    let result = match commit(&mut conn, std::slice::from_ref(&job)).await {
                        Ok(mut results) => results.pop().unwrap_or(Ok(())),
                        Err(error) => Err(error.into()),
                    };
                    let _ = job.done.send(result);
                }
            }
        }
        checkpoints.after_commit(&mut conn, bytes).await;
    }
}

/// One transaction for `jobs`. A write refused by its own check (a stale
/// sequence, a missing session) writes nothing and is answered with why;
/// the others commit together.
async fn commit(
    conn: &mut SqliteConnection,
    jobs: &[Job],
) -> Result<Vec<Result<(), StoreError>>, sqlx::Error> {
    let mut tx = conn.begin_with(BEGIN_WRITE).await?;
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        results.push(match &job.write {
            Write::Create { row, first } => create(&mut tx, row, first).await?,
            Write::Append {
                session,
                after,
                events,
            } => append(&mut tx, session, *after, events).await?,
        });
    }
    tx.commit().await?;
    Ok(results)
}

type Tx<'c> = sqlx::Transaction<'c, sqlx::Sqlite>;

async fn create(
    tx: &mut Tx<'_>,
    row: &SessionRow,
    first: &EventRow,
) -> Result<Result<(), StoreError>, sqlx::Error> {
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, loop_id, content_hash, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&row.id)
    .bind(&row.token_hash)
    .bind(&row.loop_id)
    .bind(&row.content_hash)
    .bind(row.created_at)
    .execute(&mut **tx)
    .await?;
    insert(tx, &row.id, 1, first).await?;
    Ok(Ok(()))
}

async fn append(
    tx: &mut Tx<'_>,
    session: &str,
    after: u64,
    events: &[EventRow],
) -> Result<Result<(), StoreError>, sqlx::Error> {
    let last: Option<i64> = sqlx::query("SELECT MAX(seq) FROM events WHERE session_id = ?")
        .bind(session)
        .fetch_one(&mut **tx)
        .await?
        .try_get(0)?;
    let Some(last) = last else {
        return Ok(Err(StoreError::NoSession(session.to_owned())));
    };
    if let Err(conflict) = super::check_follows(session, after, last as u64) {
        return Ok(Err(conflict));
    }
    for (event, seq) in events.iter().zip(after + 1..) {
        insert(tx, session, seq, event).await?;
    }
    Ok(Ok(()))
}

async fn insert(
    tx: &mut Tx<'_>,
    session: &str,
    seq: u64,
    event: &EventRow,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO events (session_id, seq, type, at, body) VALUES (?, ?, ?, ?, ?)")
        .bind(session)
        .bind(seq as i64)
        .bind(event.name)
        .bind(event.at)
        .bind(&event.body)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
