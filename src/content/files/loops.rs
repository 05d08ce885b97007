//! Loop files: the rounds of an interview loop and the bar each must clear.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Diagnostics, file_stem};
use crate::content::model::{
    Band, Level, Loop, LoopRound, Question, RoundKind, Rubric, ValuesAside,
};
use crate::content::{ContentError, SourceFile};

use crate::content::MAX_FOLLOW_UPS;

/// The most levels one loop offers: a ladder, not a catalogue.
const MAX_LEVELS: usize = 6;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoopFile {
    id: Spanned<String>,
    title: String,
    company: String,
    role: String,
    /// A loop run at one level names it here (with its band)...
    level: Option<String>,
    band: Option<Band>,
    /// ...or lists the levels it can be run at, the first the default.
    levels: Option<Spanned<Vec<LevelFile>>>,
    description: String,
    rounds: Spanned<Vec<RoundFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelFile {
    id: Spanned<String>,
    name: String,
    #[serde(default)]
    band: Band,
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
    values: Option<Spanned<ValuesFile>>,
}

/// `[rounds.values]`: the round closes with one core-values question.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValuesFile {
    minutes: Spanned<i64>,
    #[serde(default = "values_rubric")]
    rubric: Spanned<String>,
    #[serde(default)]
    topics: Vec<String>,
}

fn values_rubric() -> Spanned<String> {
    Spanned::new(0..0, "values".to_owned())
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
    let levels = parse_levels(&mut r, raw.level, raw.band, raw.levels, raw.id.span());
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
            && !(0..=i64::from(MAX_FOLLOW_UPS)).contains(m.get_ref())
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
        let values = round
            .values
            .and_then(|aside| parse_values_aside(&mut r, &at, kind, minutes, aside, rubrics));
        rounds.push(LoopRound {
            kind,
            title: round.title,
            minutes: minutes.clamp(1, 180) as u32,
            questions: count.clamp(1, 10) as u32,
            max_follow_ups: max_follow_ups.clamp(0, i64::from(MAX_FOLLOW_UPS)) as u32,
            rubric: round.rubric.into_inner(),
            persona: round.persona,
            intro: round.intro,
            topics: round.topics,
            question_ids: round
                .question_ids
                .into_iter()
                .map(Spanned::into_inner)
                .collect(),
            values,
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
        levels,
        description: raw.description,
        rounds,
    })
}

/// A technical round's closing values question: a share of the round's own
/// minutes (so the slot keeps its length), scored on a values rubric.
fn parse_values_aside(
    r: &mut Diagnostics<'_>,
    at: &str,
    kind: RoundKind,
    round_minutes: i64,
    aside: Spanned<ValuesFile>,
    rubrics: &BTreeMap<String, Rubric>,
) -> Option<ValuesAside> {
    let span = aside.span();
    let aside = aside.into_inner();
    let before = r.errors.len();
    if kind == RoundKind::Values {
        r.error(
            span.clone(),
            format!("{at}.values"),
            "a values round asks values questions already",
        );
    }
    let minutes = *aside.minutes.get_ref();
    if minutes < 1 || minutes >= round_minutes {
        r.error(
            aside.minutes.span(),
            format!("{at}.values.minutes"),
            format!("must be at least 1 and less than the round's {round_minutes}"),
        );
    }
    // The default rubric's span is empty: point at the table instead.
    let rubric_span = Some(aside.rubric.span())
        .filter(|s| !s.is_empty())
        .unwrap_or(span);
    match rubrics.get(aside.rubric.get_ref()) {
        Some(rubric) if rubric.kind == RoundKind::Values => {}
        _ => r.error(
            rubric_span,
            format!("{at}.values.rubric"),
            format!("no values rubric with id {:?}", aside.rubric.get_ref()),
        ),
    }
    (r.errors.len() == before).then(|| ValuesAside {
        minutes: minutes as u32,
        rubric: aside.rubric.into_inner(),
        topics: aside.topics,
    })
}

/// The loop's levels: `levels`, or the one that `level` and `band` name.
fn parse_levels(
    r: &mut Diagnostics<'_>,
    level: Option<String>,
    band: Option<Band>,
    listed: Option<Spanned<Vec<LevelFile>>>,
    id_span: std::ops::Range<usize>,
) -> Vec<Level> {
    let span = listed.as_ref().map_or(id_span, Spanned::span);
    let listed = listed.map(Spanned::into_inner).unwrap_or_default();
    match (level, listed.is_empty()) {
        (Some(name), true) => {
            let id = slug(&name);
            return vec![Level {
                id,
                name,
                band: band.unwrap_or_default(),
            }];
        }
        (None, true) => {
            r.error(span.clone(), "levels", "a loop needs `level` or `levels`");
            return Vec::new();
        }
        (Some(_), false) => r.error(
            span.clone(),
            "level",
            "give either `level` (with `band`) or `levels`, not both",
        ),
        (None, false) if band.is_some() => r.error(
            span.clone(),
            "band",
            "with `levels`, each level has its own `band`",
        ),
        (None, false) => {}
    }
    if listed.len() > MAX_LEVELS {
        r.error(span, "levels", format!("at most {MAX_LEVELS} levels"));
    }
    let mut levels: Vec<Level> = Vec::new();
    for (i, level) in listed.into_iter().enumerate() {
        let id = level.id.get_ref();
        let valid = !id.is_empty()
            && id.len() <= 32
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            r.error(
                level.id.span(),
                format!("levels[{i}].id"),
                "must be 1 to 32 lowercase letters, digits or '-'",
            );
        } else if levels.iter().any(|l| &l.id == id) {
            r.error(
                level.id.span(),
                format!("levels[{i}].id"),
                format!("{id:?} is listed twice"),
            );
        }
        levels.push(Level {
            id: level.id.into_inner(),
            name: level.name,
            band: level.band,
        });
    }
    levels
}

/// `"SDE II"` → `"sde-ii"`: an id for a loop's one named level.
fn slug(name: &str) -> String {
    let mut id = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-');
    if id.is_empty() {
        "default".to_owned()
    } else {
        id.to_owned()
    }
}
