//! The transcript as WebVTT, one cue per entry, so a recording of the
//! session can be captioned or skimmed. An entry is stamped when it
//! happened: a prompt when it was asked, an answer when it was sent. So a
//! prompt shows for about as long as it takes to say, and an answer from
//! then until it was sent: the time the candidate spent answering is theirs,
//! not the interviewer's.

use std::fmt::Write;

use super::{Entry, Speaker, Transcript};

/// The last cue has nothing after it to end at; it shows this long.
const LAST_CUE_SECONDS: f64 = 5.0;
/// No cue is shorter than this, so each can be read.
const MIN_CUE_SECONDS: f64 = 0.5;
/// Speech runs at about 150 words a minute; a short prompt still shows for
/// a couple of seconds.
const WORDS_PER_SECOND: f64 = 2.5;
const MIN_SPOKEN_SECONDS: f64 = 2.0;

pub fn transcript_vtt(t: &Transcript) -> String {
    let mut out = String::from("WEBVTT\n\n");
    let mut previous_end = 0.0_f64;
    for (i, e) in t.entries.iter().enumerate() {
        let next = t.entries.get(i + 1).map(|n| n.offset_seconds);
        let (start, end) = cue_span(e, previous_end, next);
        previous_end = end;
        let who = match e.speaker {
            Speaker::Interviewer => "Interviewer",
            Speaker::Candidate => "Candidate",
            Speaker::System => "System",
        };
        // A blank line ends a cue and "-->" starts a timing line, so neither
        // may appear inside the text.
        let text = e
            .said()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n")
            .replace("-->", "->");
        let _ = write!(
            out,
            "{}\n{} --> {}\n<v {who}>{}\n\n",
            e.seq,
            timestamp(start),
            timestamp(end),
            escape_cue(&text)
        );
    }
    out
}

/// When an entry's cue starts and ends. An answer runs from the end of the
/// cue before it (the prompt it answers) to when it was sent; anything else
/// from its own time for as long as it takes to say, cut short by the next
/// entry.
fn cue_span(e: &Entry, previous_end: f64, next: Option<f64>) -> (f64, f64) {
    let at = e.offset_seconds;
    if e.speaker == Speaker::Candidate {
        let start = previous_end.min(at);
        return (start, at.max(start + MIN_CUE_SECONDS));
    }
    let words = e.said().split_whitespace().count() as f64;
    let spoken = (words / WORDS_PER_SECOND).max(MIN_SPOKEN_SECONDS);
    let end = match next {
        Some(next) => (at + spoken).min(next),
        None => at + spoken.max(LAST_CUE_SECONDS),
    };
    (at, end.max(at + MIN_CUE_SECONDS))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: u64, speaker: Speaker, offset_seconds: f64, text: &str) -> Entry {
        Entry {
            seq,
            at: 0,
            offset_seconds,
            speaker,
            round: Some(0),
            kind: "question",
            text: text.into(),
            lead: None,
            note: None,
        }
    }

    #[test]
    fn an_answer_s_cue_covers_the_time_spent_answering_not_the_prompt_s() {
        let spans: Vec<(f64, f64)> = {
            let entries = [
                // Ten words: four seconds to say.
                entry(
                    1,
                    Speaker::Interviewer,
                    0.0,
                    "Tell me about a time you disagreed with your lead.",
                ),
                // Sent a minute later, and the follow-up straight after.
                entry(
                    2,
                    Speaker::Candidate,
                    60.0,
                    "In my last role I pushed back on a rollout.",
                ),
                entry(3, Speaker::Interviewer, 60.2, "What happened next?"),
            ];
            let mut end = 0.0;
            entries
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    let span = cue_span(e, end, entries.get(i + 1).map(|n| n.offset_seconds));
                    end = span.1;
                    span
                })
                .collect()
        };
        assert_eq!(spans, vec![(0.0, 4.0), (4.0, 60.0), (60.2, 65.2)]);
    }
}
