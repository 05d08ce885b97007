//! `[limits]`: the bounds on what one client may send and store.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest WebSocket text message accepted, in bytes.
    pub max_text_frame_bytes: usize,
    /// Longest answer accepted, in characters (about 3,000 words).
    pub max_answer_chars: usize,
    /// Largest WebSocket binary (audio) frame accepted, header included.
    /// Clients send 20 to 100 ms (640 to 3,200 bytes of PCM); 32 KiB is about
    /// one second, room for a client that batches after a stall.
    pub max_audio_frame_bytes: usize,
    /// Hard cap on one utterance: the voice path ends it here even while the
    /// candidate is still speaking. 30 s is Whisper's whole window, so one
    /// utterance is always one recogniser pass.
    pub max_utterance_seconds: u32,
    /// All the audio one session may send, silence included, so a client left
    /// streaming (or a hostile one) cannot hold the recogniser forever. Two
    /// hours is longer than any loop.
    pub max_session_audio_seconds: u32,
    /// Audio frames one socket may send per second (a token bucket holding
    /// one second's worth). Clients send a frame every 20 to 100 ms; a flood
    /// of tiny frames would cost a session task wake-up each.
    pub max_audio_frames_per_second: u32,
    /// A socket that sends nothing (not even a pong) for this long is closed.
    /// The server pings every third of it, so a live browser always answers.
    pub idle_timeout_seconds: u64,
    /// One write to a socket may wait this long for the client to read;
    /// a client that stops reading is disconnected here, its task freed.
    pub write_timeout_seconds: u64,
    /// Per-socket read and write buffers. tungstenite's 128 KiB default costs
    /// 256 KiB per idle session. The read buffer is held for the socket's
    /// life, so it is much of an idle socket's cost. It bounds one read, not
    /// a frame: a longer frame (an audio frame is about 3 KiB, an answer up
    /// to 64 KiB) grows it as far as that frame needs.
    pub ws_buffer_bytes: usize,
    /// The operator console's "try" answers 503 after grading this long.
    /// The offline graders finish well inside it on any rubric the
    /// validator accepts; a slow LLM endpoint may not.
    pub try_seconds: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_text_frame_bytes: 64 * 1024,
            max_answer_chars: 20_000,
            max_audio_frame_bytes: 32 * 1024,
            max_utterance_seconds: 30,
            max_session_audio_seconds: 2 * 60 * 60,
            max_audio_frames_per_second: 100,
            idle_timeout_seconds: 60,
            write_timeout_seconds: 10,
            ws_buffer_bytes: 1024,
            try_seconds: 30,
        }
    }
}

impl Limits {
    /// The audio limits, checked at load so a bad value fails start-up.
    pub fn check(&self) -> Result<(), String> {
        let mut problems = Vec::new();
        // Below a header plus one sample no audio frame could be accepted;
        // above 1 MiB a single frame would be minutes of audio.
        if !(16..=1024 * 1024).contains(&self.max_audio_frame_bytes) {
            problems.push("max_audio_frame_bytes must be from 16 to 1048576");
        }
        if !(1..=300).contains(&self.max_utterance_seconds) {
            problems.push("max_utterance_seconds must be from 1 to 300");
        }
        if !(1..=86_400).contains(&self.max_session_audio_seconds) {
            problems.push("max_session_audio_seconds must be from 1 to 86400");
        }
        if !(1..=10_000).contains(&self.max_audio_frames_per_second) {
            problems.push("max_audio_frames_per_second must be from 1 to 10000");
        }
        if !(1..=3_600).contains(&self.idle_timeout_seconds) {
            problems.push("idle_timeout_seconds must be from 1 to 3600");
        }
        if !(1..=600).contains(&self.write_timeout_seconds) {
            problems.push("write_timeout_seconds must be from 1 to 600");
        }
        if !(1..=600).contains(&self.try_seconds) {
            problems.push("try_seconds must be from 1 to 600");
        }
        if !(1024..=1024 * 1024).contains(&self.ws_buffer_bytes) {
            problems.push("ws_buffer_bytes must be from 1024 to 1048576");
        }
        // A text frame must fit in one WebSocket message, and the socket's
        // message bound is the larger of the two frame limits.
        if !(1024..=16 * 1024 * 1024).contains(&self.max_text_frame_bytes) {
            problems.push("max_text_frame_bytes must be from 1024 to 16777216");
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(format!("[limits]: {}", problems.join("; ")))
        }
    }
}
