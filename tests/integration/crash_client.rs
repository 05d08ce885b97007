//! A candidate that survives its server being killed: it remembers what it
//! was told across connections, resumes from the last sequence number it
//! saw, and re-sends an answer the server never acknowledged (as docs/protocol.md
//! tells clients to).

use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

use crate::app::answer_for;

/// A live server answers within milliseconds; this long with no message
/// means a session is stuck (only reached when no kill is coming).
const STALL: Duration = Duration::from_secs(20);

/// One interview as its client knows it, carried from one server to the next.
#[derive(Clone, Debug)]
pub struct Tracked {
    pub id: String,
    token: String,
    last_seq: u64,
    /// (seq, message type) of every message that reported a stored event.
    pub seen: Vec<(u64, String)>,
    /// Error messages, and anything else a correct server never sends.
    pub errors: Vec<Value>,
    pub finished: bool,
    /// (round kind, prompt kind) of the last prompt, while it has no ack.
    open_prompt: Option<(String, String)>,
}

impl Tracked {
    pub fn new(id: String, token: String) -> Tracked {
        Tracked {
            id,
            token,
            last_seq: 0,
            seen: Vec::new(),
            errors: Vec::new(),
            finished: false,
            open_prompt: None,
        }
    }
}

pub struct Drive {
    pub session: Tracked,
    /// The state the welcome reported, if the socket got that far.
    pub welcome: Option<String>,
}

/// Drives the interview until its debrief or until the server goes away.
pub async fn drive(addr: SocketAddr, mut session: Tracked) -> Drive {
    let url = format!(
        "ws://{addr}/api/sessions/{}/ws?token={}",
        session.id, session.token
    );
    let Ok((mut ws, _)) = connect_async(url).await else {
        return Drive {
            session,
            welcome: None,
        };
    };
    let mut welcome = None;
    // Events up to the welcome's seq are history (the replay): a replayed
    // prompt or `resumed` may long since have been answered or paused again.
    let mut history_until = u64::MAX;
    loop {
        let frame = match tokio::time::timeout(STALL, ws.next()).await {
            Err(_) => {
                session
                    .errors
                    .push(json!({ "stalled_after": session.last_seq }));
                break;
            }
            Ok(Some(Ok(frame))) => frame,
            Ok(None | Some(Err(_))) => break,
        };
        let Message::Text(text) = frame else { continue };
        let Ok(msg) = serde_json::from_str::<Value>(text.as_str()) else {
            session.errors.push(json!({ "not_json": text.as_str() }));
            break;
        };
        let kind = msg["type"].as_str().unwrap_or_default().to_owned();
        if kind == "welcome" {
            history_until = msg["seq"].as_u64().unwrap_or(u64::MAX);
            welcome = Some(msg["state"].as_str().unwrap_or_default().to_owned());
            let resume = json!({ "type": "resume", "last_seq": session.last_seq });
            if ws
                .send(Message::Text(resume.to_string().into()))
                .await
                .is_err()
            {
                break;
            }
            continue;
        }
        if kind == "error" {
            session.errors.push(msg);
            break;
        }
        if let Some(seq) = msg["seq"].as_u64() {
            if seq <= session.last_seq {
                session
                    .errors
                    .push(json!({ "repeated_seq": seq, "msg": msg }));
            }
            session.last_seq = seq;
            session.seen.push((seq, kind.clone()));
        }
        match kind.as_str() {
            "prompt" => {
                session.open_prompt = Some((
                    msg["round"]["kind"].as_str().unwrap_or_default().to_owned(),
                    msg["kind"].as_str().unwrap_or_default().to_owned(),
                ));
            }
            "ack" | "round_ended" | "interview_ended" => session.open_prompt = None,
            "debrief" => {
                session.finished = true;
                break;
            }
            _ => {}
        }
        let live = msg["seq"].as_u64().is_some_and(|seq| seq > history_until);
        if live
            && matches!(kind.as_str(), "prompt" | "resumed")
            && let Some((round, prompt)) = &session.open_prompt
        {
            let answer = json!({ "type": "answer", "text": answer_for(round, prompt) });
            if ws
                .send(Message::Text(answer.to_string().into()))
                .await
                .is_err()
            {
                break;
            }
        }
    }
    Drive { session, welcome }
}
