//! The on-disk shape of content files and their conversion into the typed
//! catalog. Every problem found becomes a [`ContentError`] naming the file,
//! the line and the field; all problems are collected, not just the first, so
//! an operator fixes a file in one pass.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::model::{
    Band, Difficulty, Dimension, Example, KeyPoint, Loop, LoopRound, Probe, Question, Requirement,
    RoundKind, Rubric, Signal,
};
use super::pattern::Pattern;
use super::{ContentError, SourceFile};

/// Patterns per signal and per rubric. Every pattern is matched against
/// every answer, so these bound one grading's work; the shipped rubrics use
/// at most 24 and 242.
const MAX_SIGNAL_PATTERNS: usize = 64;
const MAX_RUBRIC_PATTERNS: usize = 1_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RubricFile {
    id: Spanned<String>,
    kind: Spanned<String>,
    version: String,
    title: String,
    description: String,
    dimensions: Vec<DimensionFile>,
    #[serde(default)]
    bars: BTreeMap<Band, BTreeMap<Spanned<String>, Spanned<f64>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DimensionFile {
    id: Spanned<String>,
    name: String,
    weight: Spanned<f64>,
    thresholds: Option<Spanned<Vec<i64>>>,
    levels: LevelsFile,
    signals: Vec<SignalFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelsFile {
    #[serde(rename = "1")]
    one: String,
    #[serde(rename = "2")]
    two: String,
    #[serde(rename = "3")]
    three: String,
    #[serde(rename = "4")]
    four: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalFile {
    id: Spanned<String>,
    description: String,
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    requires: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BankFile {
    kind: Spanned<String>,
    questions: Vec<QuestionFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct QuestionFile {
    id: Spanned<String>,
    title: String,
    text: Spanned<String>,
    topics: Vec<String>,
    difficulty: Difficulty,
    key_points: Vec<KeyPointFile>,
    #[serde(default)]
    examples: Vec<ExampleFile>,
    #[serde(default)]
    probes: Vec<ProbeFile>,
    tests: Option<Spanned<super::code_tests::TestsFile>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyPointFile {
    dimension: Spanned<String>,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExampleFile {
    input: String,
    output: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProbeFile {
    signal: Spanned<String>,
    text: String,
}

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

/// Reports problems against one file, turning byte spans into line numbers.
pub(super) struct Report<'a> {
    file: &'a SourceFile,
    pub(super) errors: &'a mut Vec<ContentError>,
}

impl Report<'_> {
    pub(super) fn error(
        &mut self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.errors.push(ContentError {
            file: self.file.path.clone(),
            line: line_of(&self.file.text, span.start),
            field: field.into(),
            message: message.into(),
        });
    }

    /// Parses the whole file; a syntax or shape error is reported with the
    /// key found on the offending line.
    fn parse<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        match toml::from_str::<T>(&self.file.text) {
            Ok(value) => Some(value),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let field = key_at(&self.file.text, span.start);
                // toml leaves the message empty for some syntax errors (a
                // file cut off inside a string); never report a blank one.
                let message = match e.message().trim() {
                    "" => "not valid TOML here (an unclosed string, array or table?)",
                    message => message,
                };
                self.error(span, field, message.to_owned());
                None
            }
        }
    }

    fn kind(&mut self, kind: &Spanned<String>, field: &str) -> Option<RoundKind> {
        let parsed = RoundKind::parse(kind.get_ref());
        if parsed.is_none() {
            let known: Vec<_> = RoundKind::ALL.iter().map(|k| k.as_str()).collect();
            self.error(
                kind.span(),
                field,
                format!(
                    "unknown round kind {:?}; expected one of {}",
                    kind.get_ref(),
                    known.join(", ")
                ),
            );
        }
        parsed
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The key or table header on the line holding `offset`, for errors from the
/// TOML parser that carry a span but not a field name.
fn key_at(text: &str, offset: usize) -> String {
    let line = text[..offset.min(text.len())]
        .rsplit('\n')
        .next()
        .map(|start| {
            let from = offset.min(text.len()) - start.len();
            text[from..].lines().next().unwrap_or("")
        })
        .unwrap_or("")
        .trim();
    if line.starts_with('[') {
        line.trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_owned()
    } else if let Some((key, _)) = line.split_once('=') {
        key.trim().to_owned()
    } else {
        "(file)".to_owned()
    }
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".toml").unwrap_or(name)
}

fn is_snake_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_kebab_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub(super) fn parse_rubric(file: &SourceFile, errors: &mut Vec<ContentError>) -> Option<Rubric> {
    let mut r = Report { file, errors };
    let raw: RubricFile = r.parse()?;
    let kind = r.kind(&raw.kind, "kind");
    if !is_snake_id(raw.id.get_ref()) && !is_kebab_id(raw.id.get_ref()) {
        r.error(
            raw.id.span(),
            "id",
            "rubric id must be lowercase letters, digits, - or _",
        );
    }
    if raw.dimensions.is_empty() {
        r.error(
            raw.id.span(),
            "dimensions",
            "a rubric needs at least one dimension",
        );
    }
    let weight_sum: f64 = raw.dimensions.iter().map(|d| *d.weight.get_ref()).sum();
    if !raw.dimensions.is_empty() && (weight_sum - 1.0).abs() > 0.001 {
        let span = raw.dimensions[0].weight.span();
        r.error(
            span,
            "dimensions.weight",
            format!("weights must sum to 1.0, they sum to {weight_sum:.3}"),
        );
    }
    let mut dimension_ids = HashSet::new();
    let mut signal_ids = HashSet::new();
    let mut dimensions = Vec::new();
    let mut rubric_patterns = 0;
    let first_dimension = raw.dimensions.first().map(|d| d.id.span());
    for (i, d) in raw.dimensions.into_iter().enumerate() {
        let at = format!("dimensions[{i}]");
        if !is_snake_id(d.id.get_ref()) {
            r.error(d.id.span(), format!("{at}.id"), "must be snake_case");
        }
        if !dimension_ids.insert(d.id.get_ref().clone()) {
            r.error(
                d.id.span(),
                format!("{at}.id"),
                format!("duplicate dimension id {:?}", d.id.get_ref()),
            );
        }
        let weight = *d.weight.get_ref();
        if !(weight > 0.0 && weight <= 1.0) {
            r.error(
                d.weight.span(),
                format!("{at}.weight"),
                "must be greater than 0 and at most 1",
            );
        }
        if d.signals.is_empty() {
            r.error(
                d.id.span(),
                format!("{at}.signals"),
                "a dimension needs at least one signal",
            );
        }
        let mut signals = Vec::new();
        for (j, s) in d.signals.into_iter().enumerate() {
            let at = format!("{at}.signals[{j}]");
            if !is_snake_id(s.id.get_ref()) {
                r.error(s.id.span(), format!("{at}.id"), "must be snake_case");
            }
            if !signal_ids.insert(s.id.get_ref().clone()) {
                r.error(
                    s.id.span(),
                    format!("{at}.id"),
                    format!("duplicate signal id {:?} in this rubric", s.id.get_ref()),
                );
            }
            if s.patterns.is_empty() {
                r.error(
                    s.id.span(),
                    format!("{at}.patterns"),
                    "a signal needs at least one pattern",
                );
            }
            if s.patterns.len() > MAX_SIGNAL_PATTERNS {
                r.error(
                    s.id.span(),
                    format!("{at}.patterns"),
                    format!(
                        "{} patterns; a signal has at most {MAX_SIGNAL_PATTERNS}",
                        s.patterns.len()
                    ),
                );
            }
            rubric_patterns += s.patterns.len();
            let mut patterns = Vec::new();
            for (k, p) in s.patterns.iter().enumerate() {
                match p.get_ref().parse::<Pattern>() {
                    Ok(pattern) => patterns.push(pattern),
                    Err(message) => r.error(p.span(), format!("{at}.patterns[{k}]"), message),
                }
            }
            let mut requires = Vec::new();
            for (k, name) in s.requires.iter().enumerate() {
                match Requirement::ALL.iter().find(|(n, _)| n == name.get_ref()) {
                    Some((_, requirement)) => requires.push(*requirement),
                    None => r.error(
                        name.span(),
                        format!("{at}.requires[{k}]"),
                        format!(
                            "unknown requirement {:?}; expected one of first_person, number, both_sides",
                            name.get_ref()
                        ),
                    ),
                }
            }
            signals.push(Signal {
                id: s.id.into_inner(),
                description: s.description,
                patterns,
                requires,
            });
        }
        let thresholds = match &d.thresholds {
            None => [1, 2, 3],
            Some(t) => {
                let values = t.get_ref();
                let valid = values.len() == 3
                    && values
                        .iter()
                        .all(|&v| v >= 1 && v as usize <= signals.len().max(1))
                    && values.windows(2).all(|w| w[0] <= w[1]);
                if valid {
                    [values[0] as u8, values[1] as u8, values[2] as u8]
                } else {
                    r.error(
                        t.span(),
                        format!("{at}.thresholds"),
                        format!(
                            "must be three non-decreasing counts from 1 to the dimension's {} signals",
                            signals.len()
                        ),
                    );
                    [1, 1, 1]
                }
            }
        };
        if d.thresholds.is_none() && signals.len() < 3 {
            r.error(
                d.id.span(),
                format!("{at}.thresholds"),
                format!(
                    "the default [1, 2, 3] needs 3 signals, this dimension has {}: set thresholds",
                    signals.len()
                ),
            );
        }
        dimensions.push(Dimension {
            id: d.id.into_inner(),
            name: d.name,
            weight,
            thresholds,
            levels: [d.levels.one, d.levels.two, d.levels.three, d.levels.four],
            signals,
        });
    }
    if rubric_patterns > MAX_RUBRIC_PATTERNS {
        r.error(
            first_dimension.unwrap_or_default(),
            "dimensions",
            format!(
                "{rubric_patterns} patterns in all; a rubric has at most {MAX_RUBRIC_PATTERNS}"
            ),
        );
    }
    let mut bars = BTreeMap::new();
    for (band, minimums) in raw.bars {
        let mut out = BTreeMap::new();
        for (dimension, level) in minimums {
            let at = format!("bars.{}.{}", band.as_str(), dimension.get_ref());
            if !dimensions.iter().any(|d| &d.id == dimension.get_ref()) {
                r.error(
                    dimension.span(),
                    at.clone(),
                    "the rubric has no such dimension",
                );
            }
            if !(1.0..=4.0).contains(level.get_ref()) {
                r.error(level.span(), at, "must be an average level from 1 to 4");
            }
            out.insert(dimension.into_inner(), level.into_inner());
        }
        bars.insert(band, out);
    }
    // A rubric with problems is still returned, so files that refer to it are
    // checked against what it does define instead of failing in cascade; the
    // catalog build fails on the recorded errors either way.
    Some(Rubric {
        id: raw.id.into_inner(),
        kind: kind?,
        version: raw.version,
        title: raw.title,
        description: raw.description,
        dimensions,
        bars,
        hash: Default::default(),
    })
}

/// A bank's kind and its questions, each with the span of its id for
/// errors found later (duplicates across banks).
pub(super) type ParsedBank = (RoundKind, Vec<(Question, Range<usize>)>);

pub(super) fn parse_bank(
    file: &SourceFile,
    rubrics: &BTreeMap<String, Rubric>,
    errors: &mut Vec<ContentError>,
) -> Option<ParsedBank> {
    let mut r = Report { file, errors };
    let raw: BankFile = r.parse()?;
    let kind = r.kind(&raw.kind, "kind")?;
    let kind_rubrics: Vec<&Rubric> = rubrics.values().filter(|rb| rb.kind == kind).collect();
    let mut questions = Vec::new();
    for (i, q) in raw.questions.into_iter().enumerate() {
        let at = format!("questions[{i}]");
        if !is_kebab_id(q.id.get_ref()) {
            r.error(q.id.span(), format!("{at}.id"), "must be kebab-case");
        }
        if q.text.get_ref().trim().is_empty() {
            r.error(q.text.span(), format!("{at}.text"), "must not be empty");
        }
        for (j, k) in q.key_points.iter().enumerate() {
            let dimension = k.dimension.get_ref();
            if !kind_rubrics.iter().any(|rb| rb.has_dimension(dimension)) {
                r.error(
                    k.dimension.span(),
                    format!("{at}.key_points[{j}].dimension"),
                    format!("no {kind} rubric defines the dimension {dimension:?}"),
                );
            }
            if k.text.trim().is_empty() {
                r.error(
                    k.dimension.span(),
                    format!("{at}.key_points[{j}].text"),
                    "must not be empty",
                );
            }
        }
        for (j, p) in q.probes.iter().enumerate() {
            let signal = p.signal.get_ref();
            if !kind_rubrics.iter().any(|rb| rb.has_signal(signal)) {
                r.error(
                    p.signal.span(),
                    format!("{at}.probes[{j}].signal"),
                    format!("no {kind} rubric defines the signal {signal:?}"),
                );
            }
        }
        let tests = q
            .tests
            .and_then(|t| super::code_tests::parse(t, kind, &at, &mut r));
        let span = q.id.span();
        questions.push((
            Question {
                id: q.id.into_inner(),
                kind,
                title: q.title,
                text: q.text.into_inner().trim().to_owned(),
                topics: q.topics,
                difficulty: q.difficulty,
                key_points: q
                    .key_points
                    .into_iter()
                    .map(|k| KeyPoint {
                        dimension: k.dimension.into_inner(),
                        text: k.text.trim().to_owned(),
                    })
                    .collect(),
                examples: q
                    .examples
                    .into_iter()
                    .map(|e| Example {
                        input: e.input,
                        output: e.output,
                    })
                    .collect(),
                probes: q
                    .probes
                    .into_iter()
                    .map(|p| Probe {
                        signal: p.signal.into_inner(),
                        text: p.text.trim().to_owned(),
                    })
                    .collect(),
                tests,
                vocabulary: Default::default(),
                bank: Default::default(),
            },
            span,
        ));
    }
    Some((kind, questions))
}

pub(super) fn parse_loop(
    file: &SourceFile,
    rubrics: &BTreeMap<String, Rubric>,
    questions: &BTreeMap<RoundKind, Vec<Question>>,
    errors: &mut Vec<ContentError>,
) -> Option<Loop> {
    let mut r = Report { file, errors };
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
            && !(0..=5).contains(m.get_ref())
        {
            r.error(
                m.span(),
                format!("{at}.max_follow_ups"),
                "must be from 0 to 5",
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
            max_follow_ups: max_follow_ups.clamp(0, 5) as u32,
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

/// Reports a question id used twice across banks.
pub(super) fn duplicate_question(
    file: &SourceFile,
    span: Range<usize>,
    id: &str,
    errors: &mut Vec<ContentError>,
) {
    Report { file, errors }.error(
        span,
        "questions.id",
        format!("duplicate question id {id:?}"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_at_finds_the_key_or_header_of_a_line() {
        let text = "a = 1\n[[rounds]]\nminutes = \"x\"\n";
        assert_eq!(key_at(text, text.find("\"x\"").unwrap()), "minutes");
        assert_eq!(key_at(text, text.find("[[").unwrap() + 3), "rounds");
        assert_eq!(line_of(text, text.find("minutes").unwrap()), 3);
    }
}
