//! The per-socket loop: parse client frames at the edge, forward them to the
//! session task, and write what the session sends back. Generic over the
//! socket's `Stream` and `Sink`, so it can be driven without a network.
//!
//! Everything here protects other sessions from this socket: frames over the
//! size limit close it with 1009, invalid UTF-8 with 1007, an audio flood is
//! slowed to the frame rate, a silent client is closed after the idle timeout,
//! and a client that stops reading is cut off after the write timeout.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio::time::Instant;
use tracing::{debug, info};

use super::protocol::{ClientMsg, MessageLimits, ServerMsg};
use super::session::Command;
use super::{Attachment, Hub, HubError};
use crate::metrics::{Metrics, Rejection};
use crate::rate::TokenBucket;
use crate::speech::SAMPLE_RATE;
use crate::speech::frame::HEADER_BYTES;

/// Seconds of audio a socket may send ahead of real time.
const AUDIO_BURST_SECONDS: u32 = 3;

/// Outbound messages a socket may have queued before it counts as too slow.
const OUTBOUND_QUEUE: usize = 256;

/// Close codes from RFC 6455 section 7.4.1.
const CLOSE_NORMAL: u16 = 1000;
const CLOSE_GOING_AWAY: u16 = 1001;
const CLOSE_INVALID_PAYLOAD: u16 = 1007;
const CLOSE_TOO_BIG: u16 = 1009;

/// The bounds one socket lives under.
#[derive(Clone, Copy, Debug)]
pub struct SocketLimits {
    pub messages: MessageLimits,
    pub audio_frames_per_second: u32,
    pub idle_timeout: Duration,
    pub write_timeout: Duration,
}

/// Held for the socket's life: frees its place under `max_connections` and
/// keeps the open-sockets gauge true however the socket ends.
pub struct SocketSlot {
    _permit: OwnedSemaphorePermit,
    metrics: Arc<Metrics>,
}

impl SocketSlot {
    pub fn new(permit: OwnedSemaphorePermit, metrics: Arc<Metrics>) -> SocketSlot {
        metrics.sockets_active.inc();
        SocketSlot {
            _permit: permit,
            metrics,
        }
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        self.metrics.sockets_active.dec();
    }
}

fn text(msg: &ServerMsg) -> Message {
    Message::Text(
        serde_json::to_string(msg)
            .expect("server messages serialize")
            .into(),
    )
}

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// What a read error means for the client, found through the error's
/// sources (axum wraps tungstenite's error).
fn read_failure(
    error: &(dyn std::error::Error + 'static),
) -> Option<(u16, &'static str, Rejection)> {
    let mut current = Some(error);
    while let Some(error) = current {
        match error.downcast_ref::<tungstenite::Error>() {
            Some(tungstenite::Error::Capacity(_)) => {
                return Some((CLOSE_TOO_BIG, "message too big", Rejection::FrameTooLarge));
            }
            Some(tungstenite::Error::Utf8(_)) => {
                return Some((
                    CLOSE_INVALID_PAYLOAD,
                    "text frames must be valid UTF-8",
                    Rejection::BadUtf8,
                ));
            }
            _ => {}
        }
        current = error.source();
    }
    None
}

/// Why the loop ended early, when the client gets told.
enum Ending {
    Done,
    Close(u16, &'static str),
}

/// How long a socket waits for the client's close reply while the server
/// shuts down.
const SHUTDOWN_CLOSE_GRACE: Duration = Duration::from_secs(1);

/// Runs one socket until it closes or the session drops it.
///
/// The socket is split here, outside the `async` part: an `async fn` keeps
/// its arguments in its future beside what they are moved into, so the
/// socket would be held twice by every connected client's task.
pub fn run_connection<S, E>(
    socket: S,
    hub: Hub,
    session_id: String,
    limits: SocketLimits,
    slot: SocketSlot,
) -> impl std::future::Future<Output = ()>
where
    S: Stream<Item = Result<Message, E>> + Sink<Message> + Unpin,
    E: std::error::Error + 'static,
{
    let (sink, stream) = socket.split();
    serve(sink, stream, hub, session_id, limits, slot)
}

async fn serve<S, E>(
    mut sink: SplitSink<S, Message>,
    mut stream: SplitStream<S>,
    hub: Hub,
    session_id: String,
    limits: SocketLimits,
    _slot: SocketSlot,
) where
    S: Stream<Item = Result<Message, E>> + Sink<Message> + Unpin,
    E: std::error::Error + 'static,
{
    let metrics = Arc::clone(hub.metrics());
    // A write that cannot finish in time means the client stopped reading.
    let write_timeout = limits.write_timeout;
    macro_rules! write {
        ($msg:expr) => {
            match tokio::time::timeout(write_timeout, sink.send($msg)).await {
                Ok(Ok(())) => true,
                Ok(Err(_)) => false,
                Err(_) => {
                    metrics.reject(Rejection::SlowReader);
                    info!(session_id, "socket not reading; disconnecting it");
                    false
                }
            }
        };
    }
    let (out_tx, mut out_rx) = mpsc::channel(OUTBOUND_QUEUE);
    // Boxed: attaching loads the session (store reads, replay, the lease),
    // and that state machine inline would stay in every held socket's task.
    let Attachment { conn, commands } = match Box::pin(hub.attach(&session_id, out_tx)).await {
        Ok(attachment) => attachment,
        Err(error) => {
            let msg = match &error {
                HubError::NoSession(_) | HubError::Deleted(_) => {
                    ServerMsg::fatal("unknown_session", error.to_string())
                }
                HubError::ShuttingDown => ServerMsg::fatal("server_shutdown", error.to_string()),
                // Not fatal: a client reconnects on its own, and by then the
                // other node has usually let go.
                HubError::Elsewhere(_) => ServerMsg::error(
                    "session_elsewhere",
                    "This interview is open on another server that has not let go yet; retry in a few seconds.",
                ),
                _ => ServerMsg::fatal("session_unavailable", "This session could not be loaded."),
            };
            tracing::warn!(session_id, %error, "attach failed");
            let _ = write!(text(&msg));
            let _ = tokio::time::timeout(write_timeout, sink.close()).await;
            return;
        }
    };
    let mut audio = TokenBucket::new(
        limits.audio_frames_per_second,
        f64::from(limits.audio_frames_per_second),
        std::time::Instant::now(),
    );
    // Audio time, in samples: at most as fast as it can be spoken, after a
    // burst (a client re-sending the tail it buffered through a reconnect).
    // A socket sending ten times real time would otherwise fill the shared
    // recogniser for everyone.
    let mut spoken = TokenBucket::new(
        AUDIO_BURST_SECONDS * SAMPLE_RATE,
        f64::from(SAMPLE_RATE),
        std::time::Instant::now(),
    );
    // Pings every third of the idle timeout: a live client's pong always
    // lands before the deadline, even if one ping is lost to a slow moment.
    let mut pings = tokio::time::interval(limits.idle_timeout / 3);
    pings.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    pings.reset();
    let mut heard = Instant::now();
    let ending = loop {
        tokio::select! {
            outbound = out_rx.recv() => {
                let Some(msg) = outbound else { break Ending::Done };
                let fatal = msg.is_fatal();
                if !write!(text(&msg)) {
                    break Ending::Done;
                }
                if fatal {
                    break Ending::Close(CLOSE_NORMAL, "");
                }
            }
            _ = pings.tick() => {
                if heard.elapsed() >= limits.idle_timeout {
                    metrics.reject(Rejection::IdleTimeout);
                    debug!(session_id, conn, "idle socket closed");
                    break Ending::Close(CLOSE_GOING_AWAY, "idle timeout");
                }
                if !write!(Message::Ping(Default::default())) {
                    break Ending::Done;
                }
            }
            inbound = stream.next() => {
                heard = Instant::now();
                let reply = match inbound {
                    Some(Ok(Message::Text(frame))) => match ClientMsg::parse(frame.as_str(), limits.messages) {
                        Ok(msg) => {
                            if commands.send(Command::Client { conn, msg }).await.is_err() {
                                break Ending::Done;
                            }
                            None
                        }
                        Err(error) => {
                            metrics.reject(Rejection::BadMessage);
                            Some(ServerMsg::error(error.code(), error.to_string()))
                        }
                    },
                    Some(Ok(Message::Binary(bytes))) => {
                        // Over the rate, the socket is read more slowly rather
                        // than audio dropped: a gap would cut words out of an
                        // answer, and TCP pushes the wait back to the client.
                        if let Err(wait) = audio.take(std::time::Instant::now()) {
                            metrics.reject(Rejection::AudioRate);
                            tokio::time::sleep(wait).await;
                            let _ = audio.take(std::time::Instant::now());
                        }
                        let samples = (bytes.len().saturating_sub(HEADER_BYTES) / 2) as f64;
                        if let Err(wait) = spoken.take_n(samples, std::time::Instant::now()) {
                            metrics.reject(Rejection::AudioRate);
                            tokio::time::sleep(wait).await;
                            let _ = spoken.take_n(samples, std::time::Instant::now());
                        }
                        if commands.send(Command::Audio { conn, bytes: bytes.to_vec() }).await.is_err() {
                            break Ending::Done;
                        }
                        None
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
                    Some(Err(error)) => match read_failure(&error) {
                        Some((code, reason, why)) => {
                            metrics.reject(why);
                            debug!(session_id, conn, %error, "refused a frame");
                            break Ending::Close(code, reason);
                        }
                        None => break Ending::Done,
                    },
                    Some(Ok(Message::Close(_))) | None => break Ending::Done,
                };
                if let Some(reply) = reply
                    && !write!(text(&reply))
                {
                    break Ending::Done;
                }
            }
        }
    };
    if let Ending::Close(code, reason) = ending
        && write!(close(code, reason))
    {
        // Wait (bounded) for the client's half of the closing handshake:
        // dropping the socket at once can reset the connection before a
        // client that still has frames to answer (pings) reads the code.
        // Shutdown waits for this task, so a client that never answers
        // holds it for a moment only.
        let grace = if hub.is_shutting_down() {
            write_timeout.min(SHUTDOWN_CLOSE_GRACE)
        } else {
            write_timeout
        };
        let _ = tokio::time::timeout(grace, async {
            while let Some(Ok(_)) = stream.next().await {}
        })
        .await;
    }
    debug!(session_id, conn, "socket closed");
    let _ = commands.send(Command::Detach { conn }).await;
}
