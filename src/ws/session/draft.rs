//! The candidate's unsent answer. The browser sends the text of the answer
//! box, or of a spoken answer's review box, as it changes (`draft`), and the
//! session keeps the latest in memory only, so that when a round's time runs
//! out the engine can take it as the question's answer: an interviewer
//! hears what you were saying when time ran out. A spoken answer still in
//! review is taken the same way, with how it was spoken and what was heard.

use crate::engine::{Answer, Input, Session};
use crate::ws::voice::Voice;

pub(super) struct Draft {
    /// The round and question it was typed under.
    position: (usize, usize),
    text: String,
    /// Typed into a spoken answer's review box (a review was open): it is
    /// that answer's correction, and goes with the review.
    reviewing: bool,
}

impl Draft {
    /// The draft `text` for the question on screen; `None` when the text is
    /// blank or no question is (it would answer nothing).
    pub fn new(session: &Session, text: String, voice: Option<&Voice>) -> Option<Draft> {
        let position = session.position()?;
        let reviewing = voice.is_some_and(Voice::in_review);
        (!text.trim().is_empty()).then_some(Draft {
            position,
            text,
            reviewing,
        })
    }

    /// Whether it was typed into a review box (see [`Draft::reviewing`]):
    /// such a draft goes when its review does.
    pub fn reviewing(&self) -> bool {
        self.reviewing
    }

    /// The tick to give the engine: with the open review (as the candidate
    /// left it in the box, or as heard), else with the typed draft while its
    /// question is still the one on screen.
    pub fn tick(draft: Option<&Draft>, session: &Session, voice: Option<&Voice>) -> Input {
        let current = draft.filter(|d| session.position() == Some(d.position));
        if let Some(review) = voice.filter(|v| v.in_review()) {
            let edited = current.filter(|d| d.reviewing).map(|d| d.text.as_str());
            if let Some(answer) = review.unsent_review(edited) {
                return Input::TickWithDraft(answer);
            }
        }
        match current {
            Some(d) if !d.reviewing => Input::TickWithDraft(Answer::typed(d.text.clone())),
            _ => Input::Tick,
        }
    }
}
