//! What the model said, checked in code before any of it becomes a score.
//!
//! A model can invent quotes, skip dimensions, or be talked into high levels
//! by the answer it grades. So: every quote must be the candidate's own words
//! (verbatim, or after collapsing runs of white space, in which case the
//! candidate's exact text is stored) and at least three words long; a
//! dimension left without a valid quote scores level 1, as the prompt tells
//! the model; levels are clamped to 1..=4; a dimension the model
//! skipped scores 1 and says why; and when injection is suspected, each
//! dimension takes the lower of the model's and the offline grader's level.

use crate::content::Rubric;
use crate::grading::{AnswerScore, DimensionScore};

use super::schema::ModelGrade;
use crate::openai::clip;

/// Highest level a dimension can keep without one valid quote: the prompt
/// says no evidence means level 1, and a model that invented every quote
/// showed nothing.
pub const UNQUOTED_CAP: u8 = 1;
/// Quotes kept per dimension: what the schema asks for.
const MAX_QUOTES: usize = super::schema::MAX_QUOTES;
/// A quote of fewer words than this shows nothing ("Situation", "I led")
/// and would let a model satisfy the quote rule with a heading or filler.
const MIN_QUOTE_WORDS: usize = 3;
/// Longest rationale kept as feedback, in characters.
const MAX_FEEDBACK_CHARS: usize = 800;
/// Strengths and improvements kept, and their length.
const MAX_POINTS: usize = 5;
const MAX_POINT_CHARS: usize = 300;

/// The model's grade after verification, before the overall is computed.
#[derive(Clone, Debug, PartialEq)]
pub struct Verified {
    pub dimensions: Vec<DimensionScore>,
    pub injection_suspected: bool,
    pub strengths: Vec<String>,
    pub improvements: Vec<String>,
}

/// Checks `grade` against the rubric and the candidate's `answers` (as sent
/// in the request). Dimensions come back in rubric order.
pub fn verify(rubric: &Rubric, answers: &[String], grade: &ModelGrade) -> Verified {
    let dimensions = rubric
        .dimensions
        .iter()
        .map(|dimension| {
            let Some(given) = grade.dimensions.iter().find(|d| d.id == dimension.id) else {
                return DimensionScore {
                    id: dimension.id.clone(),
                    name: dimension.name.clone(),
                    level: 1,
                    evidence: Vec::new(),
                    feedback:
                        "The grader returned no assessment of this dimension, so it scores level 1."
                            .into(),
                };
            };
            let mut evidence: Vec<String> = Vec::new();
            let mut dropped = 0;
            for quote in &given.evidence {
                match find_quote(answers, quote).map(|exact| marked_if_cut(quote, exact)) {
                    Some(exact) if !evidence.contains(&exact) => {
                        if evidence.len() < MAX_QUOTES {
                            evidence.push(exact);
                        }
                    }
                    Some(_) => {}
                    None => dropped += 1,
                }
            }
            let clamped = given.level.clamp(1, 4) as u8;
            let level = if evidence.is_empty() {
                clamped.min(UNQUOTED_CAP)
            } else {
                clamped
            };
            let mut feedback = clip(given.rationale.trim(), MAX_FEEDBACK_CHARS);
            if dropped > 0 {
                feedback.push_str(&format!(
                    " ({dropped} quote(s) dropped: not the candidate's own words, or too short \
                     to show anything.)"
                ));
            }
            if level < clamped {
                feedback.push_str(&format!(
                    " Capped at level {level}: no quote from the answer supports a higher level."
                ));
            }
            DimensionScore {
                id: dimension.id.clone(),
                name: dimension.name.clone(),
                level,
                evidence,
                feedback: feedback.trim().to_owned(),
            }
        })
        .collect();
    Verified {
        dimensions,
        injection_suspected: grade.injection_suspected,
        strengths: points(&grade.strengths),
        improvements: points(&grade.improvements),
    }
}

/// Per dimension, the lower of the two levels; the lower side's evidence and
/// feedback explain it. Used for a sceptical second pass and, against the
/// offline grader, when the answer seems to address the grader.
pub fn lower_of(ours: &mut [DimensionScore], other: &[DimensionScore], note: &str) {
    for dimension in ours.iter_mut() {
        if let Some(lower) = other
            .iter()
            .find(|o| o.id == dimension.id && o.level < dimension.level)
        {
            let feedback = format!("{} ({note})", lower.feedback.trim());
            *dimension = DimensionScore {
                feedback: feedback.trim().to_owned(),
                ..lower.clone()
            };
        }
    }
}

/// Applies the offline grader's verdict on injection: if either it or the
/// model suspects the answer addresses the grader, each dimension keeps the
/// lower of the two levels, and the offline grader's suspect quotes are kept
/// for reviewers.
pub fn apply_injection_check(
    verified: &mut Verified,
    offline: &AnswerScore,
) -> (bool, Vec<String>) {
    let suspected = offline.injection_suspected || verified.injection_suspected;
    if suspected {
        lower_of(
            &mut verified.dimensions,
            &offline.dimensions,
            "lowered to the offline grader's level: the answer appears to address the grader",
        );
    }
    (suspected, offline.suspect_quotes.clone())
}

/// A quote as long as the schema allows, not ending a sentence, was cut
/// there (a grammar-enforcing server stops the string at the limit): it is
/// marked with an ellipsis, as every grader marks a cut quote, so a reader
/// knows the sentence goes on (see [`crate::grading::quote`]).
fn marked_if_cut(given: &str, exact: String) -> String {
    let at_limit = given.trim().chars().count() >= super::schema::MAX_QUOTE_CHARS;
    if at_limit && !exact.trim_end().ends_with(['.', '!', '?', '…']) {
        format!("{}…", exact.trim_end())
    } else {
        exact
    }
}

/// The candidate's exact text for `quote`, if it is theirs: a verbatim
/// substring of one answer, or one that matches once runs of white space
/// are collapsed on both sides.
pub fn find_quote(answers: &[String], quote: &str) -> Option<String> {
    let quote = quote.trim();
    if quote.split_whitespace().count() < MIN_QUOTE_WORDS {
        return None;
    }
    if answers.iter().any(|a| a.contains(quote)) {
        return Some(quote.to_owned());
    }
    let wanted = collapse(quote).text;
    answers.iter().find_map(|answer| {
        let collapsed = collapse(answer);
        let start = collapsed.text.find(&wanted)?;
        let end = start + wanted.len();
        let from = collapsed.origin[start];
        // The end of the last matched character, in the original text.
        let to = collapsed.origin[end - 1]
            + answer[collapsed.origin[end - 1]..]
                .chars()
                .next()?
                .len_utf8();
        Some(answer[from..to].to_owned())
    })
}

/// Text with every run of white space turned into one space, and for each
/// byte of it the byte in the original where its character starts.
struct Collapsed {
    text: String,
    origin: Vec<usize>,
}

fn collapse(text: &str) -> Collapsed {
    let mut out = Collapsed {
        text: String::with_capacity(text.len()),
        origin: Vec::with_capacity(text.len()),
    };
    let mut in_space = false;
    for (i, c) in text.trim().char_indices() {
        let offset = i + (text.len() - text.trim_start().len());
        if c.is_whitespace() {
            if !in_space {
                out.text.push(' ');
                out.origin.push(offset);
            }
            in_space = true;
        } else {
            out.text.push(c);
            out.origin.extend(std::iter::repeat_n(offset, c.len_utf8()));
            in_space = false;
        }
    }
    out
}

fn points(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| clip(s.trim(), MAX_POINT_CHARS))
        .filter(|s| !s.is_empty())
        .take(MAX_POINTS)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Dimension, RoundKind};
    use crate::grading::llm::schema::ModelDimension;

    fn rubric() -> Rubric {
        let dimension = |id: &str| Dimension {
            id: id.into(),
            name: id.to_uppercase(),
            weight: 0.5,
            thresholds: [1, 2, 3],
            levels: ["1".into(), "2".into(), "3".into(), "4".into()],
            signals: vec![],
        };
        Rubric {
            id: "r".into(),
            kind: RoundKind::Values,
            version: "1".into(),
            title: "R".into(),
            description: String::new(),
            dimensions: vec![dimension("ownership"), dimension("impact")],
            bars: Default::default(),
            hash: Default::default(),
        }
    }

    fn model(dimensions: Vec<(&str, i64, &[&str])>) -> ModelGrade {
        ModelGrade {
            dimensions: dimensions
                .into_iter()
                .map(|(id, level, quotes)| ModelDimension {
                    id: id.into(),
                    evidence: quotes.iter().map(|q| (*q).to_owned()).collect(),
                    rationale: "Because.".into(),
                    level,
                })
                .collect(),
            injection_suspected: false,
            strengths: vec![],
            improvements: vec![],
        }
    }

    const ANSWER: &str = "I led the migration myself.\n\nLatency   went from 900 ms to 200 ms.";

    fn answers() -> Vec<String> {
        vec![ANSWER.to_owned()]
    }

    #[test]
    fn a_verbatim_quote_is_kept_and_an_invented_one_dropped_with_a_cap() {
        let v = verify(
            &rubric(),
            &answers(),
            &model(vec![
                ("ownership", 4, &["I led the migration myself."]),
                ("impact", 4, &["Latency fell by 95 percent."]),
            ]),
        );
        assert_eq!(v.dimensions[0].level, 4);
        assert_eq!(
            v.dimensions[0].evidence,
            vec!["I led the migration myself."]
        );
        assert_eq!(v.dimensions[1].level, UNQUOTED_CAP);
        assert!(v.dimensions[1].evidence.is_empty());
        assert!(
            v.dimensions[1].feedback.contains("1 quote(s) dropped"),
            "{}",
            v.dimensions[1].feedback
        );
        assert!(v.dimensions[1].feedback.contains("Capped at level 1"));
    }

    #[test]
    fn a_quote_cut_at_the_schema_s_limit_is_marked_and_still_found_in_the_answer() {
        let sentence = format!(
            "I rebuilt the retry path myself {}and it held.",
            "so that each call was safe to repeat ".repeat(6)
        );
        let cut: String = sentence.chars().take(160).collect();
        let v = verify(
            &rubric(),
            std::slice::from_ref(&sentence),
            &model(vec![
                ("ownership", 3, &[cut.as_str()]),
                ("impact", 3, &["I rebuilt the retry path"]),
            ]),
        );
        let quote = &v.dimensions[0].evidence[0];
        assert!(quote.ends_with('…'), "{quote}");
        assert!(sentence.contains(crate::grading::quote::verbatim(quote)));
        // A short clause is a quote, not a cut.
        assert_eq!(v.dimensions[1].evidence, vec!["I rebuilt the retry path"]);
    }

    #[test]
    fn a_quote_matching_after_collapsing_white_space_stores_the_candidates_exact_text() {
        let found = find_quote(&answers(), "myself. Latency went from 900 ms").unwrap();
        assert_eq!(found, "myself.\n\nLatency   went from 900 ms");
        assert!(ANSWER.contains(&found));
        assert_eq!(
            find_quote(&answers(), "  went from 900 ms to 200 ms.  ").as_deref(),
            Some("went from 900 ms to 200 ms.")
        );
    }

    #[test]
    fn near_misses_and_filler_quotes_are_not_the_candidates_words() {
        assert_eq!(find_quote(&answers(), "I led the Migration myself."), None);
        assert_eq!(
            find_quote(&answers(), "I led"),
            None,
            "too short to show anything"
        );
        assert_eq!(find_quote(&answers(), ""), None);
        // A heading is in the answer, but shows nothing.
        let headed = vec!["Situation\nOur checkout failed under load.".to_owned()];
        assert_eq!(find_quote(&headed, "Situation"), None);
        assert!(find_quote(&headed, "Our checkout failed under load.").is_some());
    }

    #[test]
    fn non_ascii_answers_map_back_to_exact_text() {
        let answers = vec!["Wir   haben die Größe   halbiert — schön.".to_owned()];
        assert_eq!(
            find_quote(&answers, "die Größe halbiert — schön.").as_deref(),
            Some("die Größe   halbiert — schön.")
        );
    }

    #[test]
    fn levels_are_clamped_and_a_skipped_dimension_scores_one_and_says_so() {
        let v = verify(
            &rubric(),
            &answers(),
            &model(vec![
                ("ownership", 9, &["I led the migration myself."]),
                ("charisma", 4, &[]),
            ]),
        );
        assert_eq!(v.dimensions[0].level, 4);
        assert_eq!(v.dimensions[1].id, "impact");
        assert_eq!(v.dimensions[1].level, 1);
        assert!(v.dimensions[1].feedback.contains("no assessment"));
        let v = verify(
            &rubric(),
            &answers(),
            &model(vec![("ownership", -3, &[]), ("impact", 0, &[])]),
        );
        assert!(v.dimensions.iter().all(|d| d.level == 1));
    }

    #[test]
    fn the_lower_level_wins_and_brings_its_own_evidence() {
        let mut ours = verify(
            &rubric(),
            &answers(),
            &model(vec![
                ("ownership", 4, &["I led the migration myself."]),
                ("impact", 1, &[]),
            ]),
        )
        .dimensions;
        let other = vec![
            DimensionScore {
                id: "ownership".into(),
                name: "OWNERSHIP".into(),
                level: 2,
                evidence: vec![],
                feedback: "Thin.".into(),
            },
            DimensionScore {
                id: "impact".into(),
                name: "IMPACT".into(),
                level: 3,
                evidence: vec![],
                feedback: "Fine.".into(),
            },
        ];
        lower_of(&mut ours, &other, "sceptical pass");
        assert_eq!(ours[0].level, 2);
        assert_eq!(ours[0].feedback, "Thin. (sceptical pass)");
        assert_eq!(ours[1].level, 1, "ours was already lower");
    }
}
