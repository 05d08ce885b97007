//! A tailored loop: each question's relevance to the posting and to the
//! fit map's risks, for the plan to choose by, and the reason the lobby
//! shows for each question chosen.

use std::collections::HashMap;

use super::fit::Reading;
use crate::content::{Catalog, Level, Loop};
use crate::embed::{EmbedError, Embedder};

/// What tailoring hands the plan and the lobby.
#[derive(Clone, Debug, Default)]
pub struct Tailoring {
    /// Question id → relevance (higher first).
    pub relevance: HashMap<String, f32>,
    /// Question id → why it suits this candidate, in a clause.
    pub why: HashMap<String, String>,
}

/// The relevance of every question `chosen` could ask at `level`.
pub fn tailor(
    embedder: &Embedder,
    catalog: &Catalog,
    chosen: &Loop,
    level: &Level,
    reading: &Reading<'_>,
) -> Result<Tailoring, EmbedError> {
    let ranked = reading.judge(embedder, catalog, chosen, level)?.ranked;
    let mut tailoring = Tailoring::default();
    for question in ranked {
        tailoring
            .relevance
            .insert(question.question_id.clone(), question.score as f32);
        tailoring.why.insert(question.question_id, question.why);
    }
    Ok(tailoring)
}
