//! The per-socket loop: parse client frames at the edge, forward them to the
//! session task, and write what the session sends back. Generic over the
//! socket's `Stream` and `Sink`, so it can be driven without a network.

use futures_util::{Sink, SinkExt, Stream, StreamExt};
use tokio::sync::mpsc;
use tracing::debug;

use super::protocol::{ClientMsg, MessageLimits, ServerMsg};
use super::session::Command;
use super::{Attachment, Hub, HubError};
use axum::extract::ws::{CloseFrame, Message};

/// Outbound messages a socket may have queued before it counts as too slow.
const OUTBOUND_QUEUE: usize = 256;

fn text(msg: &ServerMsg) -> Message {
    Message::Text(
        serde_json::to_string(msg)
            .expect("server messages serialize")
            .into(),
    )
}

/// Runs one socket until it closes or the session drops it.
pub async fn run_connection<S, E>(socket: S, hub: Hub, session_id: String, limits: MessageLimits)
where
    S: Stream<Item = Result<Message, E>> + Sink<Message> + Unpin,
{
    let (mut sink, mut stream) = socket.split();
    let (out_tx, mut out_rx) = mpsc::channel(OUTBOUND_QUEUE);
    let Attachment { conn, commands } = match hub.attach(&session_id, out_tx).await {
        Ok(attachment) => attachment,
        Err(error) => {
            let (code, message) = match &error {
                HubError::NoSession(_) => ("unknown_session", error.to_string()),
                HubError::ShuttingDown => ("server_shutdown", error.to_string()),
                _ => (
                    "session_unavailable",
                    "This session could not be loaded.".to_owned(),
                ),
            };
            tracing::warn!(session_id, %error, "attach failed");
            let _ = sink.send(text(&ServerMsg::fatal(code, message))).await;
            let _ = sink.close().await;
            return;
        }
    };
    loop {
        tokio::select! {
            outbound = out_rx.recv() => {
                let Some(msg) = outbound else { break };
                let fatal = msg.is_fatal();
                if sink.send(text(&msg)).await.is_err() {
                    break;
                }
                if fatal {
                    let _ = sink.send(Message::Close(Some(CloseFrame { code: 1000, reason: "".into() }))).await;
                    break;
                }
            }
            inbound = stream.next() => {
                let reply = match inbound {
                    Some(Ok(Message::Text(frame))) => match ClientMsg::parse(frame.as_str(), limits) {
                        Ok(msg) => {
                            if commands.send(Command::Client { conn, msg }).await.is_err() {
                                break;
                            }
                            None
                        }
                        Err(error) => Some(ServerMsg::error(error.code(), error.to_string())),
                    },
                    Some(Ok(Message::Binary(bytes))) => {
                        if commands.send(Command::Audio { conn, bytes: bytes.to_vec() }).await.is_err() {
                            break;
                        }
                        None
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => None,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                };
                if let Some(reply) = reply
                    && sink.send(text(&reply)).await.is_err()
                {
                    break;
                }
            }
        }
    }
    debug!(session_id, conn, "socket closed");
    let _ = commands.send(Command::Detach { conn }).await;
}
