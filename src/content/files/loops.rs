//! Loop files: the rounds of an interview loop and the bar each must clear.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Diagnostics, file_stem};
use crate::content::model::{Band, Loop, LoopRound, Question, RoundKind, Rubric};
use crate::content::{ContentError, SourceFile};

/// The most follow-ups one question may have: an hour-long design round is
/// one question and a conversation about it.
const MAX_FOLLOW_UPS: i64 = 10;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoopFile {
    id: Spanned<String>,
    title: String,
    company: String,
    role: String,
    level: String,
    #[serde(default)]
    band: Band,
    description: String,
    rounds: Spanned<Vec<RoundFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundFile {
    kind: Spanned<String>,
    title: String,
    minutes: Spanned<i64>,
    questions: Spanned<i64>,
    max_follow_ups: Option<Spanned<i64>>,
    rubric: Spanned<String>,
    persona: String,
    intro: String,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    question_ids: Vec<Spanned<String>>,
}

pub(crate) fn parse_loop(
    file: &SourceFile,
    rubrics: &BTreeMap<String, Rubric>,
    questions: &BTreeMap<RoundKind, Vec<Question>>,
    errors: &mut Vec<ContentError>,
) -> Option<Loop> {
    let mut r = Diagnostics { file, errors };
    let raw: LoopFile = r.parse()?;
    let before = r.errors.len();
    if raw.id.get_ref() != file_stem(&file.path) {
        r.error(
            raw.id.span(),
            "id",
            format!("must equal the file name {:?}", file_stem(&file.path)),
        );
    }
    if raw.rounds.get_ref().is_empty() {
        r.error(
            raw.rounds.span(),
            "rounds",
            "a loop needs at least one round",
        );
    }
    let mut rounds = Vec::new();
    for (i, round) in raw.rounds.into_inner().into_iter().enumerate() {
        let at = format!("rounds[{i}]");
        let kind = r.kind(&round.kind, &format!("{at}.kind"));
        let minutes = *round.minutes.get_ref();
        if !(1..=180).contains(&minutes) {
            r.error(
                round.minutes.span(),
                format!("{at}.minutes"),
                "must be from 1 to 180",
            );
        }
        let count = *round.questions.get_ref();
        if !(1..=10).contains(&count) {
            r.error(
                round.questions.span(),
                format!("{at}.questions"),
                "must be from 1 to 10",
            );
        }
        let max_follow_ups = round.max_follow_ups.as_ref().map_or(2, |m| *m.get_ref());
        if let Some(m) = &round.max_follow_ups
            && !(0..=MAX_FOLLOW_UPS).contains(m.get_ref())
        {
            r.error(
                m.span(),
                format!("{at}.max_follow_ups"),
                format!("must be from 0 to {MAX_FOLLOW_UPS}"),
            );
        }
        match rubrics.get(round.rubric.get_ref()) {
            None => r.error(
                round.rubric.span(),
                format!("{at}.rubric"),
                format!("no rubric with id {:?}", round.rubric.get_ref()),
            ),
            Some(rubric) if Some(rubric.kind) != kind => r.error(
                round.rubric.span(),
                format!("{at}.rubric"),
                format!(
                    "rubric {:?} scores {} rounds, not {}",
                    rubric.id,
                    rubric.kind,
                    round.kind.get_ref()
                ),
            ),
            Some(_) => {}
        }
        let Some(kind) = kind else { continue };
        let bank = questions.get(&kind).map(Vec::as_slice).unwrap_or(&[]);
        for (j, id) in round.question_ids.iter().enumerate() {
            if !bank.iter().any(|q| &q.id == id.get_ref()) {
                r.error(
                    id.span(),
                    format!("{at}.question_ids[{j}]"),
                    format!("no {kind} question with id {:?}", id.get_ref()),
                );
            }
        }
        let available = if round.question_ids.is_empty() {
            bank.len()
        } else {
            round.question_ids.len()
        };
        if (available as i64) < count {
            r.error(
                round.questions.span(),
                format!("{at}.questions"),
                format!(
                    "asks for {count} questions but only {available} {kind} questions are available"
                ),
            );
        }
        rounds.push(LoopRound {
            kind,
            title: round.title,
            minutes: minutes.clamp(1, 180) as u32,
            questions: count.clamp(1, 10) as u32,
            max_follow_ups: max_follow_ups.clamp(0, MAX_FOLLOW_UPS) as u32,
            rubric: round.rubric.into_inner(),
            persona: round.persona,
            intro: round.intro,
            topics: round.topics,
            question_ids: round
                .question_ids
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
        });
    }
    if r.errors.len() > before {
        return None;
    }
    Some(Loop {
        id: raw.id.into_inner(),
        title: raw.title,
        company: raw.company,
        role: raw.role,
        level: raw.level,
        band: raw.band,
        description: raw.description,
        rounds,
    })
}
