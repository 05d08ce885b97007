//! One task per live session. It owns the engine state, appends events to the
//! store before anyone hears of them, sends each stored event's message to
//! the attached socket, runs the round clock and collects grades.
//!
//! A socket attaches and detaches; the session outlives it. When the socket
//! drops mid-round the session pauses itself, so a lost connection never
//! costs the candidate interview time.

mod code_runs;
mod compose;
mod draft;
mod grading;
mod speech;

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tracing::{Instrument, debug, info, warn};

use super::Shared;
use super::lease::{Keeper, Next};
use super::protocol::{ClientMsg, ServerMsg};
use super::voice::{Job, TurnJob, Voice};
use crate::engine::{EpochMs, Event, Input, PauseReason, Session, StoredEvent};
use crate::grading::AnswerScore;
use crate::speech::turn::TurnError;
use crate::speech::{SpeechError, Transcript};

/// A socket's queue of messages to write. Boxed: the channel allocates its
/// slots 32 at a time up front, and at a message's full size that was 8 KB
/// per held socket.
pub(super) type Outbound = mpsc::Sender<Box<ServerMsg>>;

/// A session task's inbox. Commands travel boxed: the channel allocates its
/// slots 32 at a time when it is made, so at a command's full size every
/// held session paid about 1 KB for an empty queue.
#[derive(Clone)]
pub(super) struct Inbox(mpsc::Sender<Box<Command>>);

impl Inbox {
    pub fn send(
        &self,
        command: Command,
    ) -> impl std::future::Future<Output = Result<(), mpsc::error::SendError<Box<Command>>>> + '_
    {
        self.0.send(Box::new(command))
    }

    pub fn try_send(
        &self,
        command: Command,
    ) -> Result<(), mpsc::error::TrySendError<Box<Command>>> {
        self.0.try_send(Box::new(command))
    }
}

pub(super) enum Command {
    Attach {
        out: Outbound,
        reply: oneshot::Sender<u64>,
    },
    Client {
        conn: u64,
        msg: ClientMsg,
    },
    Detach {
        conn: u64,
    },
    Graded {
        round: usize,
        question: usize,
        score: Box<AnswerScore>,
    },
    /// A binary (audio) frame from the socket.
    Audio {
        conn: u64,
        bytes: Vec<u8>,
    },
    Transcribed {
        job: Box<Job>,
        result: Box<Result<Transcript, SpeechError>>,
    },
    /// The end-of-turn model's answer about a pause.
    TurnJudged {
        job: Box<TurnJob>,
        result: Result<f32, TurnError>,
    },
    /// A piece of the LLM interviewer's streaming turn for the `composing`
    /// event `id`.
    PromptDelta {
        id: u64,
        text: String,
    },
    /// The LLM interviewer's turn for `id` is worded (or the scripted one
    /// stands in).
    Composed {
        id: u64,
        composed: Box<crate::interviewer::Composed>,
    },
    /// The sandbox finished (or failed to start) a "Run tests".
    TestsRun(Box<code_runs::Finished>),
    /// The session is being deleted: tell the socket, then stop for good.
    Close {
        reply: oneshot::Sender<()>,
    },
}

struct Conn {
    id: u64,
    out: Outbound,
    /// The first sequence number sent live on this socket; a resume replays
    /// only what came before it, so nothing is delivered twice.
    live_from: Option<u64>,
    /// Set by the client's first `resume`. Until then events are not sent
    /// live: one stored between the welcome and the resume (a grade, a
    /// timer) would arrive ahead of the older events the replay then sends,
    /// and a client dropping seq numbers it has passed would lose those.
    /// The replay delivers it instead, in order.
    resumed: bool,
}

pub(super) struct Actor {
    pub id: String,
    pub session: Session,
    pub shared: Arc<Shared>,
    pub rx: mpsc::Receiver<Box<Command>>,
    pub tx: Inbox,
    conn: Option<Conn>,
    next_conn: u64,
    pending_grades: usize,
    /// Made on the session's first audio frame or `done` (see
    /// [`Actor::voice`]); `None` until then, and always on a text-only server.
    voice: Option<Box<Voice>>,
    /// Transcriptions in flight; the session stays loaded until they return.
    pending_speech: usize,
    speech_passes: speech::SpeechPasses,
    /// When the last answer arrived, for the turn-latency metric.
    answered_at: Option<Instant>,
    /// This node's right to drive the session; released when the task ends.
    lease: Keeper,
    /// An LLM interviewer turn is being worded; the session stays loaded.
    composing: bool,
    /// A code run in flight (one per session at a time).
    pending_run: bool,
    /// What the candidate has typed and not sent, for when time runs out.
    draft: Option<draft::Draft>,
}

impl Actor {
    pub fn new(id: String, session: Session, shared: Arc<Shared>, lease: Keeper) -> (Actor, Inbox) {
        // Commands are small and processed quickly; the bound keeps a flood
        // from one socket from growing memory without limit.
        let (tx, rx) = mpsc::channel(64);
        let tx = Inbox(tx);
        let actor = Actor {
            id,
            session,
            shared,
            rx,
            tx: tx.clone(),
            conn: None,
            next_conn: 1,
            pending_grades: 0,
            voice: None,
            pending_speech: 0,
            speech_passes: speech::SpeechPasses::default(),
            answered_at: None,
            lease,
            composing: false,
            pending_run: false,
            draft: None,
        };
        (actor, tx)
    }

    /// Every handler below is awaited boxed: the task's future is then the
    /// size of its waiting `select!`, not of the largest handler's state
    /// machine, which a held idle session would carry for nothing (about 6 KB
    /// each, heaptrack on 1,000 idle sessions).
    pub fn run(self) -> impl std::future::Future<Output = ()> + Send {
        let span = tracing::info_span!("session", session_id = %self.id);
        // A plain function, not an `async` one moving `self` into an inner
        // block: that future would hold the actor twice.
        self.drive().instrument(span)
    }

    async fn drive(mut self) {
        // A restart can leave closed questions without scores: grade them now.
        let ungraded: Vec<(usize, usize)> = self
            .session
            .ungraded()
            .map(|r| (r.round, r.question))
            .collect();
        for (round, question) in ungraded {
            self.spawn_grading(round, question);
        }
        Box::pin(self.pause_after_crash()).await;
        Box::pin(self.settle_interrupted_turn()).await;
        let mut idle_since = Instant::now();
        loop {
            let timer = self.session.poll_timeout();
            let clock = self.shared.clock.clone();
            let idle = self.conn.is_none()
                && self.pending_grades == 0
                && self.pending_speech == 0
                && !self.composing
                && !self.pending_run;
            let unload_at = idle_since + self.shared.idle_unload;
            let renew_at = self.lease.renew_at();
            tokio::select! {
                command = self.rx.recv() => {
                    let Some(command) = command.map(|c| *c) else { break };
                    if let Command::Close { reply } = command {
                        self.send(ServerMsg::fatal("deleted", "This interview was deleted."));
                        let _ = reply.send(());
                        info!("session deleted");
                        break;
                    }
                    Box::pin(self.command(command)).await;
                    if self.conn.is_some() || self.pending_grades > 0 {
                        idle_since = Instant::now();
                    }
                }
                _ = clock.sleep_until(timer.unwrap_or_default()), if timer.is_some() => {
                    let tick = draft::Draft::tick(
                        self.draft.as_ref(),
                        &self.session,
                        self.voice.as_deref(),
                    );
                    Box::pin(self.input(tick)).await;
                }
                _ = tokio::time::sleep_until(unload_at), if idle => {
                    if Box::pin(self.shared.try_unload(&self.id, &self.rx)).await {
                        debug!("unloaded idle session");
                        break;
                    }
                    idle_since = Instant::now();
                }
                _ = self.shared.cancel.cancelled() => {
                    Box::pin(self.shut_down()).await;
                    break;
                }
                _ = tokio::time::sleep_until(renew_at.unwrap_or_else(Instant::now)), if renew_at.is_some() => {
                    match Box::pin(self.lease.renew(self.shared.store.as_ref())).await {
                        Next::Drive => {}
                        Next::HandOver => {
                            Box::pin(self.hand_over()).await;
                            break;
                        }
                        Next::Stop => {
                            Box::pin(self.lease_lost()).await;
                            break;
                        }
                    }
                }
            }
        }
        // Last, once this task will write nothing more.
        if let Err(error) = self.shared.store.release(self.lease.lease()).await {
            // It lapses on its own within one lease duration.
            warn!(%error, "could not release the session's lease");
        }
    }

    /// A session is loaded active only when the server stopped without
    /// pausing it (killed, or the machine lost power): no task has driven it
    /// since its last event, so it is recorded as paused from then and the
    /// round clock does not run on through the outage. A session is loaded
    /// only under its lease, so no other live task, here or on another
    /// node, drives it.
    async fn pause_after_crash(&mut self) {
        let (since, seq) = (self.session.last_event_at(), self.session.seq());
        self.input_at(since, Input::Disconnected).await;
        if self.session.seq() > seq {
            info!("session was active with no task (server crash): paused from its last event");
        }
    }

    /// A socket on another node asked for the session: this one's socket is
    /// told it was replaced (as by a second window here), the session pauses
    /// and the task ends, releasing the lease. Grades in flight are dropped;
    /// the next driver grades what is left ungraded when it loads.
    async fn hand_over(&mut self) {
        if self.conn.is_some() {
            self.send(ServerMsg::fatal(
                "replaced",
                "This interview was opened in another window.",
            ));
        }
        self.input(Input::Disconnected).await;
        // After the pause: a socket attaching here meanwhile would start a
        // task that never saw it, and that task's appends would conflict.
        self.shared.forget(&self.id).await;
        info!("session handed over to another node");
    }

    /// The lease lapsed (this node stalled or lost the database) and another
    /// node may drive the session now, so nothing more is written here.
    async fn lease_lost(&mut self) {
        self.shared.forget(&self.id).await;
        // Deleting a session (on any node) deletes its lease with it.
        if let Ok(None) = self.shared.store.session(&self.id).await {
            self.send(ServerMsg::fatal("deleted", "This interview was deleted."));
            info!("session deleted on another node");
            return;
        }
        self.send(ServerMsg::fatal(
            "session_moved",
            "This interview continues on another connection; reconnect to carry on.",
        ));
        warn!("lease lost; stopped driving the session");
    }

    async fn shut_down(&mut self) {
        self.input(Input::Disconnected).await;
        self.send(ServerMsg::fatal(
            "server_shutdown",
            "The server is restarting; reconnect to resume where you left off.",
        ));
        self.shared.forget(&self.id).await;
    }

    async fn command(&mut self, command: Command) {
        match command {
            Command::Attach { out, reply } => {
                if self.conn.is_some() {
                    self.send(ServerMsg::fatal(
                        "replaced",
                        "This interview was opened in another window.",
                    ));
                }
                let id = self.next_conn;
                self.next_conn += 1;
                self.conn = Some(Conn {
                    id,
                    out,
                    live_from: None,
                    resumed: false,
                });
                let _ = reply.send(id);
                let code_execution = self.shared.sandbox.status_now();
                self.send(ServerMsg::welcome(
                    &self.id,
                    &self.session,
                    self.shared.server_tts,
                    code_execution,
                ));
                info!(conn = id, "socket attached");
            }
            Command::Detach { conn } => {
                if self.conn.as_ref().is_some_and(|c| c.id == conn) {
                    self.conn = None;
                    info!(conn, "socket detached");
                    self.input(Input::Disconnected).await;
                }
            }
            Command::Client { conn, msg } => {
                if self.conn.as_ref().is_some_and(|c| c.id == conn) {
                    self.client(msg).await;
                }
            }
            Command::Graded {
                round,
                question,
                score,
            } => {
                self.pending_grades = self.pending_grades.saturating_sub(1);
                self.input(Input::Graded {
                    round,
                    question,
                    score,
                })
                .await;
            }
            Command::Audio { conn, bytes } => {
                if self.conn.as_ref().is_none_or(|c| c.id != conn) {
                    return;
                }
                // Audio outside a question (lobby, pause, between rounds) is
                // not part of any answer.
                let active = self.session.is_active();
                let Some(voice) = self.voice() else {
                    self.send(ServerMsg::error(
                        "unsupported",
                        "Binary frames are audio, and voice is not enabled on this server; send text answers.",
                    ));
                    return;
                };
                if active {
                    let actions = voice.audio(&bytes);
                    self.perform(actions).await;
                }
            }
            Command::TestsRun(finished) => self.tests_run(*finished).await,
            // Handled by the run loop, which ends the task.
            Command::Close { reply } => {
                let _ = reply.send(());
            }
            Command::PromptDelta { id, text } => self.prompt_delta(id, text),
            Command::Composed { id, composed } => self.composed(id, *composed).await,
            Command::Transcribed { job, result } => {
                self.pending_speech = self.pending_speech.saturating_sub(1);
                self.speech_passes.returned(&job);
                if let Some(voice) = &mut self.voice {
                    let actions = voice.transcribed(&job, *result);
                    self.perform(actions).await;
                }
            }
            Command::TurnJudged { job, result } => {
                self.pending_speech = self.pending_speech.saturating_sub(1);
                if let Some(voice) = &mut self.voice {
                    let actions = voice.turn_judged(&job, result);
                    self.perform(actions).await;
                }
            }
        }
    }

    async fn client(&mut self, msg: ClientMsg) {
        match msg {
            ClientMsg::Answer { text } => {
                self.draft = None;
                self.answered_at = Some(Instant::now());
                self.answer(text, None).await
            }
            ClientMsg::Done => match (self.session.is_active(), self.voice()) {
                (true, Some(voice)) => {
                    let actions = voice.finish();
                    self.perform(actions).await;
                }
                (false, Some(_)) => self.send(ServerMsg::error(
                    "not_allowed",
                    "There is no question to answer right now.",
                )),
                (_, None) => self.send(ServerMsg::error(
                    "unsupported",
                    "Voice is not enabled on this server; send text answers.",
                )),
            },
            ClientMsg::SubmitSpoken { text } => self.submit_spoken(text).await,
            ClientMsg::DiscardReview => {
                if let Some(voice) = &mut self.voice {
                    voice.discard_review();
                }
                // What was typed into the review box went with it.
                if self.draft.as_ref().is_some_and(draft::Draft::reviewing) {
                    self.draft = None;
                }
            }
            ClientMsg::Hint => {
                self.answered_at = Some(Instant::now());
                self.input(Input::Hint).await
            }
            ClientMsg::RunTests { language, code } => self.run_code(language, code, None).await,
            ClientMsg::RunInput {
                language,
                code,
                args,
            } => self.run_code(language, code, Some(args)).await,
            ClientMsg::Skip => {
                self.draft = None;
                self.input(Input::Skip).await
            }
            ClientMsg::Draft { text } => {
                self.draft = draft::Draft::new(&self.session, text, self.voice.as_deref());
            }
            ClientMsg::Repeat => self.input(Input::Repeat).await,
            ClientMsg::Pause => self.input(Input::Pause(PauseReason::Candidate)).await,
            ClientMsg::Resume { last_seq } => {
                if last_seq > self.session.seq() {
                    self.send(ServerMsg::error(
                        "unknown_seq",
                        format!(
                            "last_seq {last_seq} is ahead of this session ({})",
                            self.session.seq()
                        ),
                    ));
                    return;
                }
                self.replay_after(last_seq).await;
                if let Some(conn) = &mut self.conn {
                    conn.resumed = true;
                }
                self.input(Input::Ready).await;
                // A review open when the last socket dropped is still open.
                if let Some(review) = self.voice.as_ref().and_then(|v| v.review_message()) {
                    self.send(review);
                }
            }
        }
    }

    /// Re-sends the stored events after `last_seq` that this socket has not
    /// already received live.
    async fn replay_after(&mut self, last_seq: u64) {
        let until = self
            .conn
            .as_ref()
            .and_then(|c| c.live_from)
            .unwrap_or(u64::MAX);
        if last_seq >= self.session.seq() {
            return;
        }
        match self.shared.store.events(&self.id, last_seq).await {
            Ok(events) => {
                let now = self.shared.clock.now_ms();
                for stored in events.iter().filter(|e| e.seq < until) {
                    if let Some(msg) = ServerMsg::from_event(&self.id, stored, &self.session, now) {
                        self.send(msg);
                    }
                }
            }
            Err(error) => {
                warn!(%error, "could not read the event log for a resume");
                self.send(ServerMsg::error(
                    "storage_unavailable",
                    "Could not load the missed messages; try again.",
                ));
            }
        }
    }

    /// Decides, stores, applies and announces. Nothing is sent before the
    /// events are durable; a refused input is answered with an error.
    async fn input(&mut self, input: Input) {
        self.input_at(self.shared.clock.now_ms(), input).await;
    }

    async fn input_at(&mut self, now: EpochMs, input: Input) {
        let events = match self.session.handle(now, input) {
            Ok(events) => events,
            Err(error) => {
                self.send(ServerMsg::refused(&error));
                return;
            }
        };
        if events.is_empty() {
            return;
        }
        let stored = match self
            .shared
            .store
            .append(&self.id, self.session.seq(), &events)
            .await
        {
            Ok(stored) => stored,
            Err(error) => {
                warn!(%error, "append failed");
                self.send(ServerMsg::error(
                    "storage_unavailable",
                    "Your last action could not be saved, so it did not happen; please try again.",
                ));
                return;
            }
        };
        for stored in stored {
            if let Err(error) = self.session.apply(&stored.event) {
                // The engine produced these events from this state, so this
                // is a bug; stop announcing rather than diverge further.
                warn!(%error, "stored event did not apply");
                break;
            }
            self.announce(&stored, now);
        }
    }

    fn announce(&mut self, stored: &StoredEvent, now: EpochMs) {
        if let Event::Answered { .. } = stored.event {
            // Whatever was unsent is moot once an answer is stored: a draft
            // kept past it would answer the follow-up at time-up.
            self.draft = None;
            if let Some(voice) = &mut self.voice {
                voice.answered();
            }
        }
        if let Event::Prompted { .. } = stored.event {
            self.shared.metrics.prompts_sent.inc();
            if let Some(answered) = self.answered_at.take() {
                self.shared.metrics.turn(answered.elapsed());
            }
        }
        if let Event::QuestionClosed {
            round, question, ..
        } = stored.event
        {
            self.spawn_grading(round, question);
        }
        if let Event::Composing { .. } = stored.event {
            self.start_composing(stored.seq);
        }
        if let (
            Event::Prompted {
                text,
                repeat: false,
                ..
            },
            Some(voice),
        ) = (&stored.event, &mut self.voice)
        {
            voice.new_prompt(text);
            self.speech_passes.new_prompt();
        }
        let Some(conn) = self.conn.as_mut().filter(|c| c.resumed) else {
            return;
        };
        if let Some(msg) = ServerMsg::from_event(&self.id, stored, &self.session, now) {
            conn.live_from.get_or_insert(stored.seq);
            self.send(msg);
        }
    }

    /// Queues a message for the socket. A socket whose queue is full is too
    /// slow to keep up: it is dropped (the client resumes on reconnect) rather
    /// than slowing the session.
    fn send(&mut self, msg: ServerMsg) {
        let Some(conn) = &self.conn else { return };
        let fatal = msg.is_fatal();
        match conn.out.try_send(Box::new(msg)) {
            Ok(()) if !fatal => {}
            Ok(()) => self.conn = None,
            Err(mpsc::error::TrySendError::Full(_)) => {
                warn!(conn = conn.id, "socket too slow; disconnecting it");
                self.shared
                    .metrics
                    .reject(crate::metrics::Rejection::SlowReader);
                self.conn = None;
            }
            Err(mpsc::error::TrySendError::Closed(_)) => self.conn = None,
        }
    }
}
