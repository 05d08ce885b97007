//! The three risks a fit map names first: what the posting requires and
//! the résumé does not show, core values with no story, and scope the
//! level expects; each with what to prepare and questions to practise.

use serde::Serialize;

use super::fit::{Reading, RequirementFit, Status, ValueFit};
use super::likely::Bank;
use super::text::Need;
use crate::content::{Catalog, Level};

#[derive(Clone, Debug, Serialize)]
pub struct Risk {
    pub title: String,
    pub why: String,
    pub prepare: String,
    pub question_ids: Vec<String>,
}

/// The three things to prepare first: required things missing, then
/// values with no story, then things only partly shown, then what the
/// posting would like; the most serious first.
pub(super) fn risks(
    bank: &Bank<'_>,
    catalog: &Catalog,
    requirements: &[RequirementFit],
    values: &[ValueFit],
    level: &Level,
    reading: &Reading<'_>,
) -> Vec<Risk> {
    let mut found: Vec<(u8, Risk)> = Vec::new();
    for (fit, vector) in requirements.iter().zip(&reading.requirement_vectors) {
        let severity = match (fit.status, fit.need) {
            (Status::Missing, Need::Required) => 5,
            (Status::Partial, Need::Required) => 3,
            (Status::Missing, Need::Preferred) => 2,
            _ => continue,
        };
        let question_ids = bank.closest(vector, 2);
        let practise = titles(catalog, &question_ids);
        let (title, why) = match fit.status {
            Status::Missing => (
                format!("Not shown: {}", fit.text),
                format!(
                    "The posting {} it and no line of your résumé shows it.",
                    if fit.need == Need::Required {
                        "requires"
                    } else {
                        "would like"
                    }
                ),
            ),
            _ => (
                format!("Only partly shown: {}", fit.text),
                format!(
                    "{} (\u{201c}{}\u{201d}).",
                    capitalised(&fit.note),
                    fit.evidence.join("\u{201d}, \u{201c}")
                ),
            ),
        };
        found.push((
            severity,
            Risk {
                title,
                why,
                prepare: format!(
                    "Prepare one concrete example where you did this, or say honestly how you would \
                     learn it and what you have done nearest to it; then practise {practise}."
                ),
                question_ids,
            },
        ));
    }
    for value in values.iter().filter(|v| v.gap) {
        let question_ids: Vec<String> = catalog
            .questions(crate::content::RoundKind::Values)
            .iter()
            .filter(|q| q.topics.contains(&value.topic))
            .take(2)
            .map(|q| q.id.clone())
            .collect();
        let looks_for = catalog
            .core_values()
            .iter()
            .find(|v| v.topic == value.topic)
            .map(|v| first_clause(&v.looks_for))
            .unwrap_or_default();
        found.push((
            4,
            Risk {
                title: format!("No story yet for {}", value.name),
                why: format!(
                    "Every interviewer listens for {}, and no line of your résumé could carry a story for it.",
                    value.name
                ),
                prepare: format!(
                    "Find a real example of {looks_for}, and tell it as a story; then practise {}.",
                    titles(catalog, &question_ids)
                ),
                question_ids,
            },
        ));
    }
    if level.band != crate::content::Band::Mid
        && !reading.resume_lines.iter().any(|l| {
            let lower = l.to_lowercase();
            [
                "led ",
                "lead ",
                "mentor",
                "architect",
                "owned",
                "drove",
                "set the",
            ]
            .iter()
            .any(|w| lower.contains(w))
        })
    {
        found.push((
            4,
            Risk {
                title: format!("Scope at {}", level.name),
                why: format!(
                    "At {} interviewers look for work you led beyond your own tasks; no line of your \
                     résumé says you led, owned or mentored.",
                    level.name
                ),
                prepare: "Prepare two stories where you set the direction for others: a design you \
                          drove across teams, and someone you helped grow."
                    .to_owned(),
                question_ids: Vec::new(),
            },
        ));
    }
    // A stable sort: equally serious risks keep the posting's order.
    found.sort_by_key(|(severity, _)| std::cmp::Reverse(*severity));
    found.into_iter().take(3).map(|(_, risk)| risk).collect()
}

fn titles(catalog: &Catalog, ids: &[String]) -> String {
    let titles: Vec<String> = ids
        .iter()
        .filter_map(|id| catalog.question(id))
        .map(|q| format!("\u{201c}{}\u{201d}", q.title))
        .collect();
    if titles.is_empty() {
        "a question on it".to_owned()
    } else {
        titles.join(" and ")
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "A failure … owned without deflecting: a root cause …" → its first
/// clause, lowercased at the start, for a sentence of our own.
fn first_clause(text: &str) -> String {
    let clause = text.split([':', ';']).next().unwrap_or(text).trim();
    let mut chars = clause.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}
