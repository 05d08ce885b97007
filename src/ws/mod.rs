//! Live interviews over WebSocket: the hub that finds or starts each
//! session's task, the per-socket loop, and the protocol types.

mod connection;
mod lease;
pub mod protocol;
mod session;
mod voice;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc, oneshot};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::clock::Clock;
use crate::engine::{InterviewError, Session};
use crate::grading::Grader;
use crate::interviewer::Interviewer;
use crate::metrics::Metrics;
use crate::sandbox::Sandbox;
use crate::store::{Claim, Store, StoreError};

pub use connection::{SocketLimits, SocketSlot, run_connection};
use session::{Actor, Command};
pub use voice::{VoiceSetup, VoiceTuning};

pub(crate) struct Shared {
    /// Live sessions by id. Held only while finding, starting or unloading a
    /// session, so two tasks never drive the same session in this process.
    sessions: Mutex<HashMap<String, session::Inbox>>,
    store: Arc<dyn Store>,
    grader: Arc<dyn Grader>,
    tracker: TaskTracker,
    cancel: CancellationToken,
    /// How long a session with no socket and no grading stays in memory.
    idle_unload: Duration,
    /// How long the interviewer waits for the grader's reading of an
    /// answer (`[grader] reading_wait_ms`).
    reading_wait: Duration,
    /// Set when the server takes spoken answers.
    voice: Option<VoiceSetup>,
    /// Set when an LLM words follow-ups and hints (`[interviewer] mode = "llm"`).
    interviewer: Option<Arc<Interviewer>>,
    /// Set when prompts are spoken by the server, told to clients in `welcome`.
    server_tts: bool,
    /// Runs candidates' code for "Run tests"; shared by every session.
    sandbox: Arc<Sandbox>,
    /// Sessions being deleted: `attach` refuses them (checked under the
    /// `sessions` lock) so a reconnect cannot revive one mid-delete.
    deleting: std::sync::Mutex<HashSet<String>>,
    pub(crate) metrics: Arc<Metrics>,
    /// Session time: the system's clock, or a test's.
    clock: Clock,
}

impl Shared {
    /// Removes the session from the map unless a command arrived meanwhile
    /// (checked under the lock that senders hold, so none is lost).
    async fn try_unload(&self, id: &str, rx: &mpsc::Receiver<Box<Command>>) -> bool {
        let mut sessions = self.sessions.lock().await;
        if !rx.is_empty() {
            return false;
        }
        sessions.remove(id);
        true
    }

    async fn forget(&self, id: &str) {
        self.sessions.lock().await.remove(id);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("session {0} does not exist")]
    NoSession(String),
    #[error("the server is shutting down")]
    ShuttingDown,
    #[error("the session is busy; try again")]
    Busy,
    #[error("session {0} is being deleted")]
    Deleted(String),
    #[error("session {0} is driven by another node that has not let go")]
    Elsewhere(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("session log is unreadable: {0}")]
    Corrupt(#[from] InterviewError),
}

/// A socket's handle on its session.
pub struct Attachment {
    pub conn: u64,
    commands: session::Inbox,
}

/// Finds or starts session tasks; cheap to clone.
#[derive(Clone)]
pub struct Hub {
    shared: Arc<Shared>,
}

impl Hub {
    pub fn new(
        store: Arc<dyn Store>,
        grader: Arc<dyn Grader>,
        idle_unload: Duration,
        voice: Option<VoiceSetup>,
        server_tts: bool,
    ) -> Hub {
        Hub {
            shared: Arc::new(Shared {
                sessions: Mutex::new(HashMap::new()),
                store,
                grader,
                tracker: TaskTracker::new(),
                cancel: CancellationToken::new(),
                idle_unload,
                // `[grader] reading_wait_ms`'s default until `with_reading_wait`.
                reading_wait: crate::config::GraderConfig::default().reading_wait(),
                voice,
                interviewer: None,
                server_tts,
                // Default limits until `with_sandbox`; it probes only when used.
                sandbox: Arc::new(Sandbox::new(crate::config::SandboxConfig::default())),
                deleting: std::sync::Mutex::new(HashSet::new()),
                metrics: Arc::new(Metrics::new()),
                clock: Clock::System,
            }),
        }
    }

    /// Sessions read their time from `clock`. Called while building the
    /// server, before any session runs.
    pub fn with_clock(mut self, clock: Clock) -> Hub {
        match Arc::get_mut(&mut self.shared) {
            Some(shared) => shared.clock = clock,
            None => {
                tracing::error!("the clock was set after the hub started; it stays the system's")
            }
        }
        self
    }

    /// The interviewer waits at most `wait` for the grader's reading of an
    /// answer. Called while building the server, before any session runs.
    pub fn with_reading_wait(mut self, wait: Duration) -> Hub {
        match Arc::get_mut(&mut self.shared) {
            Some(shared) => shared.reading_wait = wait,
            None => tracing::error!("the reading wait was set after the hub started; it stays"),
        }
        self
    }

    /// Follow-ups and hints of sessions created from now on are worded by
    /// `interviewer`. Called while building the server, before any session runs.
    pub fn with_interviewer(mut self, interviewer: Option<Arc<Interviewer>>) -> Hub {
        match Arc::get_mut(&mut self.shared) {
            Some(shared) => shared.interviewer = interviewer,
            None => tracing::error!(
                "the LLM interviewer was set after the hub started; it stays scripted"
            ),
        }
        self
    }

    /// Whether new sessions get LLM-worded follow-ups and hints.
    pub fn llm_turns(&self) -> bool {
        self.shared.interviewer.is_some()
    }

    /// Turns of spoken answers end as `turn` judges, with the settings
    /// in `voice`; `None` (or a text-only server) keeps the fixed hold.
    /// Called while building the server, before any session runs.
    pub fn with_end_of_turn(
        mut self,
        turn: Option<Arc<dyn crate::speech::turn::EndOfTurn>>,
        voice: &crate::config::VoiceConfig,
    ) -> Hub {
        let Some(turn) = turn else {
            return self;
        };
        match Arc::get_mut(&mut self.shared).and_then(|s| s.voice.as_mut()) {
            Some(setup) => {
                setup.tuning.utterance = setup.tuning.utterance.clone().with_end_of_turn(voice);
                setup.turn = Some(turn);
            }
            None => tracing::warn!(
                "the end-of-turn model was given to a server without voice, or after the hub \
                 started; turns end after the fixed hold"
            ),
        }
        self
    }

    /// Candidates' code runs in `sandbox`. Called while building the
    /// server, before any session runs.
    pub fn with_sandbox(mut self, sandbox: Arc<Sandbox>) -> Hub {
        match Arc::get_mut(&mut self.shared) {
            Some(shared) => shared.sandbox = sandbox,
            None => tracing::error!(
                "the sandbox was set after the hub started; it keeps the default limits"
            ),
        }
        self
    }

    /// Starts the sandbox's probe in the background, so the log says at
    /// start-up whether code can run and welcomes soon say so too. Without
    /// it the first "Run tests" probes (servers in tests skip the cost).
    pub fn check_sandbox(&self) {
        let sandbox = Arc::clone(&self.shared.sandbox);
        tokio::spawn(async move {
            sandbox.status().await;
        });
    }

    /// Attaches a socket's outbound queue to the session, starting the
    /// session's task from its stored events if it is not running. A
    /// session another node drives is asked for and waited for (up to one
    /// lease duration, by which time its holder has let go or died).
    pub async fn attach(
        &self,
        session_id: &str,
        out: session::Outbound,
    ) -> Result<Attachment, HubError> {
        // One lease duration covers both ways the holder lets go (its next
        // renewal, or its lease lapsing); two polls more for the last claim.
        let wait = self
            .shared
            .store
            .lease_duration()
            .map_or(Duration::ZERO, |d| d + lease::CLAIM_POLL * 2);
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            if self.shared.cancel.is_cancelled() {
                return Err(HubError::ShuttingDown);
            }
            match self.try_attach(session_id, out.clone()).await? {
                Some(attachment) => return Ok(attachment),
                None if tokio::time::Instant::now() >= deadline => {
                    return Err(HubError::Elsewhere(session_id.to_owned()));
                }
                None => tokio::time::sleep(lease::CLAIM_POLL).await,
            }
        }
    }

    /// One attempt: `None` when another node holds the session's lease.
    async fn try_attach(
        &self,
        session_id: &str,
        out: session::Outbound,
    ) -> Result<Option<Attachment>, HubError> {
        let mut sessions = self.shared.sessions.lock().await;
        if self.is_deleting(session_id) {
            return Err(HubError::Deleted(session_id.to_owned()));
        }
        let (reply, replied) = oneshot::channel();
        let mut command = Command::Attach { out, reply };
        if let Some(tx) = sessions.get(session_id).cloned() {
            // Never wait on a session's queue while holding the map: an
            // unloading session takes this lock, and would never drain it.
            match tx.try_send(command) {
                Ok(()) => {
                    drop(sessions);
                    let conn = replied.await.map_err(|_| HubError::ShuttingDown)?;
                    return Ok(Some(Attachment { conn, commands: tx }));
                }
                Err(mpsc::error::TrySendError::Full(_)) => return Err(HubError::Busy),
                // The task ended without unloading (shutdown): start afresh.
                Err(mpsc::error::TrySendError::Closed(returned)) => command = *returned,
            }
        }
        // Claimed under the map's lock, like the task it guards: this
        // process starts at most one task per session.
        let asked = tokio::time::Instant::now();
        let lease = match self.shared.store.claim(session_id).await? {
            Claim::Granted(lease) => lease,
            Claim::Elsewhere => return Ok(None),
        };
        // Read after the claim: the previous holder wrote its last event
        // before it let go.
        let loaded = match self.shared.store.events(session_id, 0).await {
            Ok(events) if events.is_empty() => Err(HubError::NoSession(session_id.to_owned())),
            Ok(events) => Session::replay(&events).map_err(HubError::from),
            Err(error) => Err(error.into()),
        };
        let session = match loaded {
            Ok(session) => session,
            Err(error) => {
                let _ = self.shared.store.release(&lease).await;
                return Err(error);
            }
        };
        let keeper = lease::Keeper::new(lease, self.shared.store.lease_duration(), asked);
        let (actor, tx) = Actor::new(
            session_id.to_owned(),
            session,
            Arc::clone(&self.shared),
            keeper,
        );
        tx.try_send(command).map_err(|_| HubError::ShuttingDown)?;
        sessions.insert(session_id.to_owned(), tx.clone());
        drop(sessions);
        self.shared.tracker.spawn(actor.run());
        let conn = replied.await.map_err(|_| HubError::ShuttingDown)?;
        Ok(Some(Attachment { conn, commands: tx }))
    }

    /// Sessions with a running task.
    pub async fn live_sessions(&self) -> usize {
        self.shared.sessions.lock().await.len()
    }

    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.shared.metrics
    }

    /// Clips waiting for the recogniser, when voice is on.
    pub fn speech_queue_depth(&self) -> Option<usize> {
        self.shared
            .voice
            .as_ref()
            .map(|v| v.transcriber.queue_depth())
    }

    /// Code runs waiting for a sandbox slot.
    pub fn code_runs_waiting(&self) -> usize {
        self.shared.sandbox.waiting()
    }

    fn is_deleting(&self, id: &str) -> bool {
        self.shared
            .deleting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(id)
    }

    /// Deletes a session and everything stored for it. A live session is
    /// stopped first (its socket told why), and no socket can revive it
    /// while the rows go. Returns whether the session existed.
    pub async fn delete(&self, id: &str) -> Result<bool, HubError> {
        let live = {
            let mut sessions = self.shared.sessions.lock().await;
            self.shared
                .deleting
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(id.to_owned());
            sessions.remove(id)
        };
        if let Some(tx) = live {
            let (reply, stopped) = oneshot::channel();
            // The task finishes the command in hand (an append, say) first,
            // so nothing is written after the rows are gone.
            if tx.send(Command::Close { reply }).await.is_ok() {
                let _ = stopped.await;
            }
        }
        let result = self.shared.store.delete_session(id).await;
        self.shared
            .deleting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
        Ok(result?)
    }

    /// Counts a socket's task among those shutdown waits for. axum does not
    /// wait for upgraded connections, and a session's last words (its pause,
    /// `server_shutdown`) are written by the socket's task: a process that
    /// exited when the session task ended could reset the socket first.
    pub fn track<F: std::future::Future>(
        &self,
        connection: F,
    ) -> tokio_util::task::task_tracker::TrackedFuture<F> {
        self.shared.tracker.track_future(connection)
    }

    /// Tells every session to pause and close its socket, then waits (up to
    /// `bound`) for all session, grading and socket tasks to finish their writes.
    pub async fn shut_down(&self, bound: Duration) -> bool {
        self.shared.cancel.cancel();
        self.shared.tracker.close();
        tokio::time::timeout(bound, self.shared.tracker.wait())
            .await
            .is_ok()
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shared.cancel.is_cancelled()
    }
}
