//! The candidate's typed, unsent text. The browser sends it as it changes
//! (`draft`), and the session keeps the latest in memory only, so that when
//! a round's time runs out the engine can take it as the question's
//! answer: an interviewer hears what you were saying when time ran out.

use crate::engine::{Input, Session};

pub(super) struct Draft {
    /// The round and question it was typed under.
    position: (usize, usize),
    text: String,
}

impl Draft {
    /// The draft `text` for the question on screen; `None` when the text is
    /// blank or no question is (it would answer nothing).
    pub fn new(session: &Session, text: String) -> Option<Draft> {
        let position = session.position()?;
        (!text.trim().is_empty()).then_some(Draft { position, text })
    }

    /// The tick to give the engine: with the draft while its question is
    /// still the one on screen.
    pub fn tick(draft: Option<&Draft>, session: &Session) -> Input {
        match draft {
            Some(d) if session.position() == Some(d.position) => {
                Input::TickWithDraft(d.text.clone())
            }
            _ => Input::Tick,
        }
    }
}
