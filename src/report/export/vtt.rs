//! The transcript as WebVTT: one cue per entry, from its time to the next
//! entry's, so a recording of the session can be captioned or skimmed.

use std::fmt::Write;

use super::{Speaker, Transcript};

/// The last cue has nothing after it to end at; it shows this long.
const LAST_CUE_SECONDS: f64 = 5.0;

pub fn transcript_vtt(t: &Transcript) -> String {
    let mut out = String::from("WEBVTT\n\n");
    for (i, e) in t.entries.iter().enumerate() {
        let end = t
            .entries
            .get(i + 1)
            .map_or(e.offset_seconds + LAST_CUE_SECONDS, |next| {
                next.offset_seconds.max(e.offset_seconds + 0.5)
            });
        let who = match e.speaker {
            Speaker::Interviewer => "Interviewer",
            Speaker::Candidate => "Candidate",
            Speaker::System => "System",
        };
        // A blank line ends a cue and "-->" starts a timing line, so neither
        // may appear inside the text.
        let text = e
            .text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
            .replace("-->", "->");
        let _ = write!(
            out,
            "{}\n{} --> {}\n<v {who}>{}\n\n",
            e.seq,
            timestamp(e.offset_seconds),
            timestamp(end),
            escape_cue(&text)
        );
    }
    out
}

fn timestamp(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// Cue text is markup: `<` and `&` must be escaped.
fn escape_cue(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
