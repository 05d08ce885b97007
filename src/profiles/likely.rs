//! Which of the bank's questions this posting and this background make
//! likely, and why: a technical question by the requirement it is closest
//! to (more so when the résumé does not show that requirement yet), a
//! values question by the résumé bullet that could carry its story.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use super::fit::{Reading, RequirementFit, Status, ValueFit};
use super::text::Need;
use crate::content::{Catalog, Level, Loop, Question, RoundKind};
use crate::embed::{EmbedError, Embedder, cosine};

/// Questions a fit map lists.
const LISTED: usize = 12;
/// At most this many of one round kind among them, so every round shows.
const PER_KIND: usize = 4;
/// What probing a requirement the résumé does not show yet adds.
const RISK_BONUS: f32 = 0.08;
/// What suiting the level's band adds.
const LEVEL_BONUS: f32 = 0.03;

#[derive(Clone, Debug, Serialize)]
pub struct LikelyQuestion {
    pub question_id: String,
    pub title: String,
    pub round_kind: RoundKind,
    pub score: f64,
    pub why: String,
}

/// The text a question is matched by.
fn said(question: &Question) -> String {
    format!("{}. {}", question.title, question.text)
}

/// The round kinds `chosen` asks, values included where a round closes
/// with a values question.
fn kinds(chosen: &Loop) -> Vec<RoundKind> {
    let mut kinds = Vec::new();
    for round in &chosen.rounds {
        for kind in [
            Some(round.kind),
            round.values.as_ref().map(|_| RoundKind::Values),
        ]
        .into_iter()
        .flatten()
        {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    kinds
}

/// The questions a loop could ask, each with its vector: embedded once per
/// fit map or tailored loop, and read by the ranking and the risks alike.
pub struct Bank<'c> {
    questions: Vec<&'c Question>,
    vectors: Vec<Arc<[f32]>>,
}

impl<'c> Bank<'c> {
    pub fn of(
        embedder: &Embedder,
        catalog: &'c Catalog,
        chosen: &Loop,
    ) -> Result<Bank<'c>, EmbedError> {
        let questions: Vec<&Question> = kinds(chosen)
            .into_iter()
            .flat_map(|k| catalog.questions(k))
            .collect();
        let texts: Vec<String> = questions.iter().map(|q| said(q)).collect();
        let vectors = embedder.references(&texts.iter().map(String::as_str).collect::<Vec<_>>())?;
        Ok(Bank { questions, vectors })
    }

    /// The ids of the `n` technical (not values) questions closest to `vector`.
    pub fn closest(&self, vector: &[f32], n: usize) -> Vec<String> {
        let mut scored: Vec<(f32, &str)> = self
            .questions
            .iter()
            .zip(&self.vectors)
            .filter(|(q, _)| q.kind != RoundKind::Values)
            .map(|(q, v)| (cosine(v, vector), q.id.as_str()))
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        scored
            .into_iter()
            .take(n)
            .map(|(_, id)| id.to_owned())
            .collect()
    }
}

/// Every question in `bank`, with its relevance to this reading and why,
/// best first.
pub fn relevance(
    bank: &Bank<'_>,
    level: &Level,
    reading: &Reading<'_>,
    requirements: &[RequirementFit],
    values: &[ValueFit],
) -> Vec<LikelyQuestion> {
    let (questions, vectors) = (&bank.questions, &bank.vectors);
    let gaps: Vec<&ValueFit> = values.iter().filter(|v| v.gap).collect();
    let mut ranked = Vec::new();
    for (question, vector) in questions.iter().zip(vectors) {
        let gap = gaps.iter().find(|v| question.topics.contains(&v.topic));
        let (mut score, why) = if let (RoundKind::Values, Some(gap)) = (question.kind, gap) {
            let (score, _) = story_for(reading, vector);
            (
                score + RISK_BONUS,
                format!(
                    "no line of your résumé carries a story for {} yet",
                    gap.name
                ),
            )
        } else if question.kind == RoundKind::Values {
            story_for(reading, vector)
        } else {
            asked_for(reading, requirements, vector)
        };
        if level.band.suits(question.difficulty) {
            score += LEVEL_BONUS;
        }
        ranked.push(LikelyQuestion {
            question_id: question.id.clone(),
            title: question.title.clone(),
            round_kind: question.kind,
            score: f64::from((score * 100.0).round() / 100.0),
            why,
        });
    }
    ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
    ranked
}

/// A technical question's relevance: its closest requirement, weighted by
/// need, and more when the résumé does not show that requirement yet.
fn asked_for(
    reading: &Reading<'_>,
    requirements: &[RequirementFit],
    vector: &[f32],
) -> (f32, String) {
    let best = requirements
        .iter()
        .zip(&reading.requirement_vectors)
        .map(|(fit, v)| {
            let weight = if fit.need == Need::Required {
                1.0
            } else {
                0.85
            };
            let risk = if fit.status == Status::Evidenced {
                0.0
            } else {
                RISK_BONUS
            };
            (cosine(v, vector) * weight + risk, fit)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((score, fit)) => {
            let why = match fit.status {
                Status::Evidenced => format!("the posting asks for \u{201c}{}\u{201d}", fit.text),
                _ => format!(
                    "the posting asks for \u{201c}{}\u{201d}, which your résumé does not show yet",
                    fit.text
                ),
            };
            (score, why)
        }
        None => (0.0, "asked in this loop".to_owned()),
    }
}

/// A values question's relevance: the résumé bullet closest to it, which
/// could carry the story.
fn story_for(reading: &Reading<'_>, vector: &[f32]) -> (f32, String) {
    let best = reading
        .resume_vectors
        .iter()
        .zip(&reading.resume_lines)
        .map(|(v, line)| (cosine(v, vector), *line))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((score, line)) => (
            score,
            format!("your résumé\u{2019}s \u{201c}{line}\u{201d} could carry this story"),
        ),
        None => (
            0.0,
            "every interviewer asks about the core values".to_owned(),
        ),
    }
}

/// The fit map's list from [`relevance`]'s: the best, at most
/// [`PER_KIND`] of one kind.
pub fn rank(ranked: Vec<LikelyQuestion>) -> Vec<LikelyQuestion> {
    let mut per_kind: HashMap<RoundKind, usize> = HashMap::new();
    ranked
        .into_iter()
        .filter(|q| {
            let n = per_kind.entry(q.round_kind).or_default();
            *n += 1;
            *n <= PER_KIND
        })
        .take(LISTED)
        .collect()
}
