//! The offline grader: deterministic, no network, microseconds per answer.
//!
//! How a level is earned, per rubric dimension:
//!
//! 1. The answer is normalised, split into sentences and tokenised once.
//! 2. Each of the dimension's signals is looked for sentence by sentence: a
//!    phrase from the rubric, not negated, in a sentence that meets the
//!    signal's requirements (a number, "I" not "we", content on both sides of
//!    a reasoning marker). A sentence that only lists terms earns nothing.
//! 3. Credit: one sentence can give [`Params::sentence_credit`] in all,
//!    shared among the signals it shows, so one stuffed sentence cannot
//!    light up a rubric. A signal's second and later sentences add less and
//!    less (`repeat_decay`), up to 1 per signal. Saying "trade-off" ten times
//!    is one trade-off.
//! 4. Gaming cuts credit: keyword density and repeated phrases above their
//!    limits scale it down towards nothing.
//! 5. The dimension's credit is compared with the rubric's thresholds, scaled
//!    by `threshold_scale`, to give levels 1–4.
//! 6. Caps: too few words, an answer off the question, and answers that try
//!    to instruct the grader (those earn nothing at all).
//!
//! The numbers in [`Params::FITTED`] were fitted on the labelled calibration
//! set in `tests/fixtures/calibration/shipped.toml` (see `mockloop calibrate --fit`).

pub(super) mod gaming;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::injection;
use super::normalize::normalize;
use super::quote::clip;
use super::{
    AnswerScore, DimensionScore, GradeError, GradeRequest, Grader, Provenance, rubric_hash,
};
use crate::content::{Dimension, Requirement};
use crate::text::signals::Analysis;

/// Quotes per dimension: enough to justify a level, few enough to read.
const MAX_QUOTES: usize = 3;

/// The tunable numbers of the offline grader.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Multiplies every rubric threshold (the credit needed per level).
    pub threshold_scale: f64,
    /// Credit one sentence can give, shared among the signals it shows.
    pub sentence_credit: f64,
    /// Each further sentence showing a signal adds this fraction of the one
    /// before it.
    pub repeat_decay: f64,
    /// Below this share of the question's vocabulary the answer is taken not
    /// to address the question and is capped at level 1.
    pub min_relevance: f64,
    /// Keyword density above this scales credit down, reaching zero at twice it.
    pub max_density: f64,
    /// Repeated-trigram share above this scales credit down the same way.
    pub max_repetition: f64,
    /// Fewer words than this: level 1 everywhere.
    pub min_words: usize,
    /// Fewer words than this: at most level 2.
    pub short_words: usize,
}

impl Params {
    /// Fitted on the shipped calibration set; see the module docs.
    /// `mockloop calibrate --set tests/fixtures/calibration/shipped.toml --fit`
    /// chose these (quadratic weighted kappa 0.842, Spearman 0.854, no
    /// adversarial item above level 1). The density and repetition limits
    /// and `min_words` are not fitted: they are set above what the set's
    /// genuine answers show and below what its stuffed ones do.
    pub const FITTED: Params = Params {
        threshold_scale: 0.3,
        sentence_credit: 2.0,
        repeat_decay: 0.25,
        min_relevance: 0.12,
        max_density: 0.3,
        max_repetition: 0.25,
        min_words: 12,
        short_words: 60,
    };
}

impl Default for Params {
    fn default() -> Self {
        Params::FITTED
    }
}

#[derive(Clone, Copy, Debug, Default)]
pub struct OfflineGrader;

impl OfflineGrader {
    pub const ID: &'static str = "offline-v2";

    pub fn score(&self, request: GradeRequest<'_>) -> AnswerScore {
        score_with(&Params::FITTED, request)
    }
}

/// What the whole answer earned before dimensions are scored.
struct AnswerFacts {
    words: usize,
    /// Multiplies all credit: 1 for a natural answer, towards 0 when gamed.
    gaming_factor: f64,
    relevance: f64,
    /// More than twice as many "we" as "I".
    we_dominates: bool,
    suspects: Vec<usize>,
}

/// Scores with explicit parameters; [`OfflineGrader::score`] uses the fitted ones.
pub fn score_with(params: &Params, request: GradeRequest<'_>) -> AnswerScore {
    let answers: Vec<_> = request.answers.iter().map(|a| normalize(a)).collect();
    let analysis = Analysis::new(&answers);
    let rubric = request.rubric;

    let (hits, covered) = crate::text::signals::rubric_hits(&analysis, rubric);
    let suspects = injection::suspects(&analysis);
    let facts = AnswerFacts {
        words: analysis.word_count(),
        gaming_factor: limit(gaming::density(&covered, &analysis), params.max_density)
            * limit(gaming::repetition(&analysis), params.max_repetition),
        relevance: gaming::relevance(request.question, &analysis),
        we_dominates: we_dominates(&analysis),
        suspects,
    };

    // How many signals each sentence shows, across the whole rubric, to
    // share that sentence's credit among them.
    let mut shown_in = vec![0usize; analysis.sentences.len()];
    for hit in hits.iter().flatten().flatten() {
        shown_in[hit.sentence] += 1;
    }
    let earning = |sentence: usize| {
        !analysis.sentences[sentence].is_term_list() && !facts.suspects.contains(&sentence)
    };

    let dimensions = rubric
        .dimensions
        .iter()
        .zip(&hits)
        .map(|(dimension, signal_hits)| {
            let mut credits = Vec::with_capacity(signal_hits.len());
            let mut quotes: Vec<(f64, usize)> = Vec::new();
            for hits in signal_hits {
                let mut shares: Vec<(f64, usize)> = hits
                    .iter()
                    .filter(|h| earning(h.sentence))
                    .map(|h| {
                        let share = (params.sentence_credit / shown_in[h.sentence] as f64).min(1.0);
                        (share, h.sentence)
                    })
                    .collect();
                shares.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let credit: f64 = shares
                    .iter()
                    .enumerate()
                    .map(|(i, (share, _))| share * params.repeat_decay.powi(i as i32))
                    .sum::<f64>()
                    .min(1.0);
                credits.push(credit);
                quotes.extend(shares.first().copied());
            }
            let total: f64 = credits.iter().sum::<f64>() * facts.gaming_factor;
            let earned = level_for(dimension, total, params);
            let (level, cap) = cap(dimension, earned, &facts, params);
            quotes.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut evidence: Vec<String> = Vec::new();
            if level > 1 || cap.is_none() {
                for (_, sentence) in quotes {
                    let quote = clip(analysis.sentences[sentence].text);
                    if evidence.len() < MAX_QUOTES && !evidence.contains(&quote) {
                        evidence.push(quote);
                    }
                }
            }
            DimensionScore {
                id: dimension.id.clone(),
                name: dimension.name.clone(),
                level,
                evidence,
                feedback: feedback(dimension, &credits, level, cap, &facts),
            }
        })
        .collect::<Vec<_>>();

    AnswerScore {
        grader: OfflineGrader::ID.to_owned(),
        rubric_id: rubric.id.clone(),
        rubric_version: rubric.version.clone(),
        overall: AnswerScore::weighted_overall(rubric, &dimensions),
        dimensions,
        fallback: false,
        fallback_reason: None,
        injection_suspected: !facts.suspects.is_empty(),
        suspect_quotes: facts
            .suspects
            .iter()
            .map(|&s| clip(analysis.sentences[s].text))
            .collect(),
        strengths: Vec::new(),
        improvements: hint_note(request.hints),
        key_points: Vec::new(),
        estimate: false,
        provenance: Provenance {
            rubric_hash: rubric_hash(rubric),
            ..Provenance::default()
        },
        not_assessed: None,
    }
}

/// The offline grader cannot tell which points a hint gave away, so it
/// scores the words as said and tells the candidate (and the report) that
/// help was asked for.
pub(super) fn hint_note(hints: &[String]) -> Vec<String> {
    match hints.len() {
        0 => Vec::new(),
        1 => vec![
            "You asked for a hint on this question; practise reaching that point without one."
                .into(),
        ],
        n => vec![format!(
            "You asked for {n} hints on this question; practise reaching those points without them."
        )],
    }
}

/// 1 up to `max`, then falling linearly to 0 at twice `max`.
fn limit(value: f64, max: f64) -> f64 {
    if value <= max {
        1.0
    } else {
        (1.0 - (value - max) / max).max(0.0)
    }
}

fn we_dominates(analysis: &Analysis<'_>) -> bool {
    let count = |w: &str| analysis.tokens.iter().filter(|t| t.text == w).count();
    let (i, we) = (count("i"), count("we"));
    we >= 4 && we > 2 * i
}

fn level_for(dimension: &Dimension, credit: f64, params: &Params) -> u8 {
    // A hair of tolerance so a credit of exactly the threshold passes.
    1 + dimension
        .thresholds
        .iter()
        .filter(|&&t| credit + 1e-9 >= f64::from(t) * params.threshold_scale)
        .count() as u8
}

/// Why a level was held below what the signals earned.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Cap {
    Injection,
    OffTopic,
    TooShort { words: usize, max: u8 },
    WeNotI,
}

fn cap(
    dimension: &Dimension,
    earned: u8,
    facts: &AnswerFacts,
    params: &Params,
) -> (u8, Option<Cap>) {
    let ownership = dimension
        .signals
        .iter()
        .any(|s| s.requires.contains(&Requirement::FirstPerson));
    let caps = [
        (!facts.suspects.is_empty()).then_some((1, Cap::Injection)),
        (facts.words < params.min_words).then_some((
            1,
            Cap::TooShort {
                words: facts.words,
                max: 1,
            },
        )),
        (facts.relevance < params.min_relevance && facts.words > 0).then_some((1, Cap::OffTopic)),
        (facts.words < params.short_words).then_some((
            2,
            Cap::TooShort {
                words: facts.words,
                max: 2,
            },
        )),
        (ownership && facts.we_dominates).then_some((2, Cap::WeNotI)),
    ];
    match caps.into_iter().flatten().find(|(max, _)| earned > *max) {
        Some((max, why)) => (max, Some(why)),
        None => (earned, None),
    }
}

fn feedback(
    dimension: &Dimension,
    credits: &[f64],
    level: u8,
    cap: Option<Cap>,
    facts: &AnswerFacts,
) -> String {
    if facts.words == 0 {
        return "No answer was given.".to_owned();
    }
    if !facts.suspects.is_empty() {
        return "The answer addressed the grader instead of the question, so it earns no credit; \
                a reviewer can see the flagged sentences."
            .to_owned();
    }
    let mut parts = Vec::new();
    let shown: Vec<&str> = dimension
        .signals
        .iter()
        .zip(credits)
        .filter(|(_, c)| **c > 0.0)
        .map(|(s, _)| s.description.as_str())
        .collect();
    if !shown.is_empty() {
        parts.push(format!("Shown: {}.", shown.join("; ")));
    }
    match cap {
        Some(Cap::OffTopic) => parts.push(
            "The answer shares little with the question asked; answer the question in front of you."
                .to_owned(),
        ),
        Some(Cap::TooShort { words, max }) => parts.push(format!(
            "The answer was too short ({words} words) to earn more than level {max}; develop it with specifics."
        )),
        Some(Cap::WeNotI) => parts.push(
            "Mostly \"we\": say what you did yourself, in the first person.".to_owned(),
        ),
        Some(Cap::Injection) | None => {}
    }
    if facts.gaming_factor < 0.5 {
        parts.push(
            "Repeating phrases or stacking keywords earns nothing; explain instead.".to_owned(),
        );
    }
    if level < 4
        && let Some((signal, _)) = dimension
            .signals
            .iter()
            .zip(credits)
            .find(|(_, c)| **c == 0.0)
    {
        parts.push(format!("To improve: {}.", signal.description));
    }
    parts.join(" ")
}

#[async_trait]
impl Grader for OfflineGrader {
    fn id(&self) -> &str {
        Self::ID
    }

    fn quick(&self) -> Option<&dyn Grader> {
        Some(self)
    }

    async fn grade(&self, request: GradeRequest<'_>) -> Result<AnswerScore, GradeError> {
        // Usually well under a millisecond, but an operator's rubric (tried
        // in the console before it is saved) sets the work: run it on the
        // blocking pool so it never holds an executor thread.
        let rubric = request.rubric.clone();
        let question = request.question.clone();
        let answers = request.answers.to_vec();
        let hints = request.hints.to_vec();
        tokio::task::spawn_blocking(move || {
            OfflineGrader.score(GradeRequest {
                rubric: &rubric,
                question: &question,
                answers: &answers,
                hints: &hints,
            })
        })
        .await
        .map_err(|e| GradeError::Unavailable(format!("the grading task failed: {e}")))
    }
}
