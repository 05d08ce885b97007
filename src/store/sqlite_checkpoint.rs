//! Checkpoints for the SQLite writer: copying the write-ahead log back into
//! the database file, so the log can start over.
//!
//! SQLite would checkpoint inside whichever commit crosses 1,000 pages, and
//! that commit, with every write queued behind it, would wait for the copy
//! and its fsyncs. A checkpoint on another connection runs beside the
//! writer, but while writes keep coming it never catches up with the end of
//! the log, and the log only starts over once a checkpoint has copied all
//! of it: under steady load it grew without bound (320 MB in a 15 s bench).
//! So the copying happens beside the writer, pass after pass, until what is
//! left is small; then the writer copies that remainder itself between two
//! batches (a short pause), and its next transaction starts the log over.

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use sqlx::sqlite::{SqliteConnection, SqlitePool};

/// How often, while writes come, a checkpoint begins. Each one costs the
/// disk a burst of writes and two fsyncs that commits then queue behind, so
/// not too often; the log grows by this much writing between them.
pub(super) const EVERY: Duration = Duration::from_secs(5);

/// Event bytes committed that start a checkpoint sooner, so a burst (a
/// thousand sessions created at once store 170 MB of plans) does not grow
/// the log by all of it.
const EVERY_BYTES: u64 = 32 << 20;

/// Log pages left uncopied at which the writer finishes the job itself.
const FINISH_AT_PAGES: i64 = 512;

/// Passes beside the writer before it finishes however much is left.
const MAX_PASSES: usize = 8;

const IDLE: u8 = 0;
const COPYING: u8 = 1;
const COPIED: u8 = 2;

pub(super) struct Checkpoints {
    pool: SqlitePool,
    every: Duration,
    last: Instant,
    /// Event bytes committed since the last checkpoint began.
    written: u64,
    state: Arc<AtomicU8>,
}

impl Checkpoints {
    /// `pool`: the reading connections, one of which copies beside the writer.
    pub fn new(pool: SqlitePool, every: Duration) -> Checkpoints {
        Checkpoints {
            pool,
            every,
            last: Instant::now(),
            written: 0,
            state: Arc::new(AtomicU8::new(IDLE)),
        }
    }

    /// Called by the writer between batches, on its own connection, with
    /// the bytes of event bodies the batch stored.
    pub async fn after_commit(&mut self, writer: &mut SqliteConnection, bytes: u64) {
        self.written += bytes;
        match self.state.load(Ordering::Acquire) {
            IDLE if self.last.elapsed() >= self.every || self.written >= EVERY_BYTES => {
                self.written = 0;
                self.last = Instant::now();
                self.state.store(COPYING, Ordering::Release);
                tokio::spawn(copy_beside(self.pool.clone(), Arc::clone(&self.state)));
            }
            COPIED => {
                if let Err(error) = checkpoint(writer).await {
                    tracing::warn!(%error, "checkpointing the database's write-ahead log failed");
                }
                self.state.store(IDLE, Ordering::Release);
            }
            _ => {}
        }
    }
}

/// Copies the log beside the writer until little is left, then hands over.
async fn copy_beside(pool: SqlitePool, state: Arc<AtomicU8>) {
    for _ in 0..MAX_PASSES {
        match pool.acquire().await {
            Ok(mut conn) => match checkpoint(&mut conn).await {
                Ok(left) if left <= FINISH_AT_PAGES => break,
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(%error, "checkpointing the database's write-ahead log failed");
                    break;
                }
            },
            Err(_) => break,
        }
    }
    state.store(COPIED, Ordering::Release);
}

/// A passive checkpoint (it never waits for, or blocks, a writer); returns
/// the log pages it could not copy yet.
async fn checkpoint(conn: &mut SqliteConnection) -> Result<i64, sqlx::Error> {
    let (_busy, log, copied): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(conn)
        .await?;
    Ok((log - copied).max(0))
}
