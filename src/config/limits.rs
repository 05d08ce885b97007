//! `[limits]`: the bounds on what one client may send and store.

use serde::{Deserialize, Serialize};

use super::Bounded;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest WebSocket text message accepted, in bytes. A text frame must
    /// fit in one WebSocket message, and the socket's message bound is the
    /// larger of the two frame limits.
    pub max_text_frame_bytes: Bounded<usize, 1024, { 16 * 1024 * 1024 }>,
    /// Longest answer accepted, in characters (about 3,000 words).
    /// At least one character, or no answer could be given.
    pub max_answer_chars: Bounded<usize, 1, 1_000_000>,
    /// Largest WebSocket binary (audio) frame accepted, header included.
    /// Clients send 20 to 100 ms (640 to 3,200 bytes of PCM); 32 KiB is about
    /// one second, room for a client that batches after a stall. Below a
    /// header plus one sample no audio frame could be accepted; above 1 MiB
    /// a single frame would be minutes of audio.
    pub max_audio_frame_bytes: Bounded<usize, 16, { 1024 * 1024 }>,
    /// Hard cap on one utterance: the voice path ends it here even while the
    /// candidate is still speaking. 30 s is Whisper's whole window, so one
    /// utterance is always one recogniser pass.
    pub max_utterance_seconds: Bounded<u32, 1, 300>,
    /// All the audio one session may send, silence included, so a client left
    /// streaming (or a hostile one) cannot hold the recogniser forever. Two
    /// hours is longer than any loop.
    pub max_session_audio_seconds: Bounded<u32, 1, 86_400>,
    /// Audio frames one socket may send per second (a token bucket holding
    /// one second's worth). Clients send a frame every 20 to 100 ms; a flood
    /// of tiny frames would cost a session task wake-up each.
    pub max_audio_frames_per_second: Bounded<u32, 1, 10_000>,
    /// A socket that sends nothing (not even a pong) for this long is closed.
    /// The server pings every third of it, so a live browser always answers.
    pub idle_timeout_seconds: Bounded<u64, 1, 3_600>,
    /// One write to a socket may wait this long for the client to read;
    /// a client that stops reading is disconnected here, its task freed.
    pub write_timeout_seconds: Bounded<u64, 1, 600>,
    /// Per-socket read and write buffers. tungstenite's 128 KiB default costs
    /// 256 KiB per idle session. The read buffer is held for the socket's
    /// life, so it is much of an idle socket's cost. It bounds one read, not
    /// a frame: a longer frame (an audio frame is about 3 KiB, an answer up
    /// to 64 KiB) grows it as far as that frame needs.
    pub ws_buffer_bytes: Bounded<usize, 1024, { 1024 * 1024 }>,
    /// The operator console's "try" answers 503 after grading this long.
    /// The offline graders finish well inside it on any rubric the
    /// validator accepts; a slow LLM endpoint may not.
    pub try_seconds: Bounded<u64, 1, 600>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_text_frame_bytes: Bounded::default_of(64 * 1024),
            max_answer_chars: Bounded::default_of(20_000),
            max_audio_frame_bytes: Bounded::default_of(32 * 1024),
            max_utterance_seconds: Bounded::default_of(30),
            max_session_audio_seconds: Bounded::default_of(2 * 60 * 60),
            max_audio_frames_per_second: Bounded::default_of(100),
            idle_timeout_seconds: Bounded::default_of(60),
            write_timeout_seconds: Bounded::default_of(10),
            ws_buffer_bytes: Bounded::default_of(1024),
            try_seconds: Bounded::default_of(30),
        }
    }
}
