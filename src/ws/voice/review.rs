//! The spoken answer as heard, held for the candidate to read and correct
//! before it is submitted. A recogniser gets words wrong ("cash" for
//! "cache"), and a candidate graded on words they never said stops trusting
//! the score; so "done" ends in a review, not an answer.
//!
//! ```text
//! done ─▶ every final in ─▶ Review ─▶ "review" to the client
//!   submit_spoken(text) ─▶ SpokenAnswer (heard and submitted text both kept)
//!   discard_review      ─▶ back to listening, nothing kept
//! ```

use crate::engine::Answer;
use crate::grading::normalize::normalize;
use crate::speech::analytics::SpeechAnalytics;

use super::super::protocol::ServerMsg;
use super::{Action, Voice};
use crate::speech::utterance::UtteranceEvent;

#[derive(Debug)]
pub(super) struct Review {
    /// The finals joined, normalised as a typed answer is, so an unedited
    /// submit compares equal to it.
    heard: String,
    speech: SpeechAnalytics,
    /// The recogniser's confidence is below `min_assess_confidence`.
    unclear: bool,
}

impl Review {
    pub(super) fn new(heard: &str, speech: SpeechAnalytics, min_assess_confidence: f32) -> Review {
        Review {
            heard: normalize(heard.trim()).into_owned(),
            unclear: speech.confidence.is_some_and(|c| c < min_assess_confidence),
            speech,
        }
    }

    pub(super) fn message(&self) -> ServerMsg {
        ServerMsg::Review {
            text: self.heard.clone(),
            // Two decimals: the client shows a percentage, and f32 noise
            // (0.7234000086784363) says nothing.
            confidence: self.speech.confidence.map(|c| (c * 100.0).round() / 100.0),
            low_confidence: self.speech.low_confidence,
            unclear: self.unclear,
        }
    }

    /// The answer to submit for `text`, the candidate's version of what was
    /// heard: both are kept. Unclear only when the words are the ones heard
    /// (white space aside): a corrected answer is the candidate's own text.
    pub(super) fn answer(&self, text: &str) -> SpeechAnalytics {
        let unchanged = text.split_whitespace().eq(self.heard.split_whitespace());
        SpeechAnalytics {
            heard: Some(self.heard.clone()),
            unclear: self.unclear && unchanged,
            ..self.speech.clone()
        }
    }
}

impl Voice {
    /// The review, to show a client that reconnected while it was open.
    pub fn review_message(&self) -> Option<ServerMsg> {
        self.review.as_ref().map(Review::message)
    }

    /// The candidate submitted the reviewed answer as `text` (normalised and
    /// bounded at the edge). The review stays open until the answer is
    /// stored ([`Voice::answered`]): if the interview refuses it (paused,
    /// the interviewer still wording a turn), it can be submitted again.
    pub fn submit_reviewed(&mut self, text: String) -> Vec<Action> {
        let Some(review) = &self.review else {
            return vec![Action::Send(ServerMsg::error(
                "no_review",
                "There is no spoken answer to submit: speak, then choose Done speaking.",
            ))];
        };
        let speech = review.answer(&text);
        vec![Action::Submit {
            text,
            speech: Box::new(speech),
        }]
    }

    /// A review is open: the candidate has not yet submitted or set aside
    /// what was heard.
    pub fn in_review(&self) -> bool {
        self.review.is_some()
    }

    /// The open review as the answer to take when the round's time runs
    /// out: `edited`, the text the candidate left in the review box, or
    /// else what was heard; both kept, as [`Voice::submit_reviewed`] does.
    pub fn unsent_review(&self, edited: Option<&str>) -> Option<Answer> {
        let review = self.review.as_ref()?;
        let text = edited.unwrap_or(&review.heard).to_owned();
        let speech = review.answer(&text);
        Some(Answer {
            text,
            speech: Some(Box::new(speech)),
            coverage: None,
        })
    }

    /// The candidate will say it again (or type it): what was heard is
    /// dropped, and speech from now on is the answer.
    pub fn discard_review(&mut self) {
        if self.review.is_some() {
            self.restart();
        }
    }

    /// An answer to the current prompt was stored, spoken or typed: the
    /// review, if one was open, is over.
    pub fn answered(&mut self) {
        self.review = None;
    }
}

/// What a client hears of the candidate's audio while a review is open.
pub(super) fn listening(event: UtteranceEvent) -> Option<Action> {
    let speaking = match event {
        UtteranceEvent::Started { .. } => true,
        UtteranceEvent::Ended(_) | UtteranceEvent::Dropped { .. } => false,
        // Nothing is added to the answer, so the end-of-turn model is not
        // asked: a pending verdict ends the pause after the fixed hold.
        UtteranceEvent::Partial { .. }
        | UtteranceEvent::Segment(_)
        | UtteranceEvent::TurnQuery { .. } => return None,
    };
    Some(Action::Send(ServerMsg::Listening { speaking }))
}
