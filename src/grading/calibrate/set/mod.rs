//! The calibration set file: answers with human labels, parsed at the edge
//! into typed items. Every problem is reported with the file, the line, the
//! item id and the field, and all problems are collected so an operator fixes
//! the file in one pass.
//!
//! ```toml
//! [[items]]
//! id = "values-failure-strong"
//! question = "values-failure-growth-mindset"   # a question id from the banks
//! label = 4                                      # human overall level, 1 to 4
//! style = "terse"                                # optional voice; see STYLES
//! tags = ["adversarial", "stuffed"]              # optional
//! answers = ["main answer", "follow-up answer"]  # [] or [""] for an empty answer
//! [items.dimensions]                             # optional per-dimension levels
//! star_structure = 4
//! ```

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::content::{Catalog, Question, RoundKind, Rubric};

/// Tags that mark an answer built to fool a grader, or one that says nothing;
/// the report lists these items separately.
pub const ADVERSARIAL_TAGS: [&str; 11] = [
    "adversarial",
    "stuffed",
    "off-topic",
    "injected",
    "empty",
    "gibberish",
    "rambling",
    "buzzwords",
    "fine",
    "generic",
    "restated",
];

/// The voices answers are written in. Leave-one-style-out fits without a
/// style and measures on it: the honest test of a voice the grader has not met.
pub const STYLES: [&str; 11] = [
    "standard",
    "plain",
    "terse",
    "verbose",
    "spoken",
    "non-native",
    "generic",
    "wrong-question",
    "stuffed",
    "restated",
    "injected",
];

/// The style of an item that names none: the adversarial tag it carries, or
/// a standard answer.
fn default_style(tags: &[String]) -> &'static str {
    for (tag, style) in [
        ("stuffed", "stuffed"),
        ("buzzwords", "generic"),
        ("generic", "generic"),
        ("off-topic", "wrong-question"),
        ("injected", "injected"),
        ("restated", "restated"),
    ] {
        if tags.iter().any(|t| t == tag) {
            return style;
        }
    }
    "standard"
}

/// Which part of the set an item belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// Parameters may be fitted on it.
    Fit,
    /// Never seen by fitting: the honest measure.
    Holdout,
}

/// A parsed calibration set.
#[derive(Clone, Debug)]
pub struct CalibrationSet {
    /// Where it was read from, for reports.
    pub source: String,
    pub items: Vec<CalibrationItem>,
}

/// One labelled answer, with the question and rubric it is graded against.
#[derive(Clone, Debug)]
pub struct CalibrationItem {
    pub id: String,
    pub kind: RoundKind,
    pub question: Question,
    pub rubric: Arc<Rubric>,
    /// The human's overall level, 1 to 4.
    pub label: u8,
    pub tags: Vec<String>,
    /// The voice it is written in (one of [`STYLES`]).
    pub style: String,
    pub split: Split,
    /// One or more turns (the answer, then answers to follow-ups).
    pub answers: Vec<String>,
    /// Optional human levels per rubric dimension, by dimension id.
    pub dimensions: BTreeMap<String, u8>,
}

impl CalibrationItem {
    pub fn is_adversarial(&self) -> bool {
        self.tags
            .iter()
            .any(|t| ADVERSARIAL_TAGS.contains(&t.as_str()))
    }
}

/// One problem in a calibration file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct SetError {
    pub file: String,
    pub line: usize,
    /// The item's id when the problem is inside an item.
    pub item: Option<String>,
    pub field: String,
    pub message: String,
}

impl fmt::Display for SetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.file, self.line)?;
        if let Some(item) = &self.item {
            write!(f, "item {item:?}: ")?;
        }
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Every problem found in a calibration file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct SetErrors(pub Vec<SetError>);

impl fmt::Display for SetErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::content::write_lines(f, &self.0)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetFile {
    items: Vec<ItemFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemFile {
    id: Spanned<String>,
    question: Spanned<String>,
    label: Spanned<i64>,
    #[serde(default)]
    style: Option<Spanned<String>>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    answers: Spanned<Vec<String>>,
    #[serde(default)]
    dimensions: BTreeMap<Spanned<String>, Spanned<i64>>,
}

/// Collects problems against one file, turning byte spans into line numbers.
struct Problems<'a> {
    file: &'a str,
    text: &'a str,
    errors: Vec<SetError>,
}

impl Problems<'_> {
    fn push(&mut self, span: Range<usize>, item: Option<&str>, field: &str, message: String) {
        let offset = span.start.min(self.text.len());
        self.errors.push(SetError {
            file: self.file.to_owned(),
            line: self.text.as_bytes()[..offset]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1,
            item: item.map(str::to_owned),
            field: field.to_owned(),
            message,
        });
    }
}

fn is_tag(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The file in a set directory that names the held-out questions.
pub const SPLIT_FILE: &str = "split.toml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SplitFile {
    holdout: Vec<String>,
}

fn read(path: &Path) -> Result<String, SetErrors> {
    std::fs::read_to_string(path).map_err(|e| {
        SetErrors(vec![SetError {
            file: path.display().to_string(),
            line: 0,
            item: None,
            field: "(file)".into(),
            message: e.to_string(),
        }])
    })
}

impl CalibrationSet {
    /// Every item's question as if typed in: no key points, no examples,
    /// no siblings. Measures how a grader does on `mockloop grade
    /// --question`, where that is all it has.
    pub fn as_free_text(&mut self) {
        for item in &mut self.items {
            item.question.key_points.clear();
            item.question.examples.clear();
            item.question.bank = Arc::from(Vec::new());
        }
    }

    /// Keeps `n` items spread evenly over the set ordered by label (every
    /// item when it has no more), so a slow grader can be measured on a
    /// sample whose levels come in the set's proportions and that still
    /// spans round kinds, voices and splits (taken in set order, a sample
    /// of 16 held 11 answers labelled 4). Deterministic; kept items stay in
    /// set order.
    pub fn sample(&mut self, n: usize) {
        let len = self.items.len();
        if n >= len {
            return;
        }
        let mut by_label: Vec<usize> = (0..len).collect();
        by_label.sort_by_key(|&i| self.items[i].label);
        // The middle of each of n equal stretches of that order.
        let keep: HashSet<usize> = (0..n)
            .map(|k| by_label[(2 * k + 1) * len / (2 * n)])
            .collect();
        let mut index = 0;
        self.items.retain(|_| {
            index += 1;
            keep.contains(&(index - 1))
        });
    }

    /// Reads and parses `path`: one set file, or a directory of them (every
    /// `*.toml` but [`SPLIT_FILE`], which names the held-out questions).
    /// Question ids are resolved against `catalog`.
    pub fn load(path: &Path, catalog: &Catalog) -> Result<CalibrationSet, SetErrors> {
        if !path.is_dir() {
            let text = read(path)?;
            return CalibrationSet::parse(&path.display().to_string(), &text, catalog);
        }
        let mut files: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| {
                SetErrors(vec![SetError {
                    file: path.display().to_string(),
                    line: 0,
                    item: None,
                    field: "(directory)".into(),
                    message: e.to_string(),
                }])
            })?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        let mut holdout = HashSet::new();
        let mut errors = Vec::new();
        if let Some(split) = files.iter().position(|f| f.ends_with(SPLIT_FILE)) {
            let split = files.remove(split);
            let text = read(&split)?;
            match toml::from_str::<SplitFile>(&text) {
                Ok(file) => holdout.extend(file.holdout),
                Err(e) => {
                    let mut p = Problems {
                        file: &split.display().to_string(),
                        text: &text,
                        errors: Vec::new(),
                    };
                    p.push(
                        e.span().unwrap_or(0..0),
                        None,
                        "holdout",
                        e.message().trim().to_owned(),
                    );
                    errors.extend(p.errors);
                }
            }
        }
        let mut seen = HashSet::new();
        let mut items = Vec::new();
        for file in &files {
            let text = read(file)?;
            match parse_into(
                &file.display().to_string(),
                &text,
                catalog,
                &holdout,
                &mut seen,
            ) {
                Ok(parsed) => items.extend(parsed),
                Err(e) => errors.extend(e.0),
            }
        }
        if items.is_empty() && errors.is_empty() {
            errors.push(SetError {
                file: path.display().to_string(),
                line: 0,
                item: None,
                field: "(directory)".into(),
                message: "no *.toml set files here".into(),
            });
        }
        if errors.is_empty() {
            Ok(CalibrationSet {
                source: path.display().to_string(),
                items,
            })
        } else {
            Err(SetErrors(errors))
        }
    }

    /// Parses a calibration file's text (every item in the fitting split);
    /// `name` is used in errors.
    pub fn parse(name: &str, text: &str, catalog: &Catalog) -> Result<CalibrationSet, SetErrors> {
        let items = parse_into(name, text, catalog, &HashSet::new(), &mut HashSet::new())?;
        Ok(CalibrationSet {
            source: name.to_owned(),
            items,
        })
    }

    /// The items of one split.
    pub fn split(&self, split: Split) -> impl Iterator<Item = &CalibrationItem> {
        self.items.iter().filter(move |i| i.split == split)
    }
}

fn parse_into(
    name: &str,
    text: &str,
    catalog: &Catalog,
    holdout: &HashSet<String>,
    seen: &mut HashSet<String>,
) -> Result<Vec<CalibrationItem>, SetErrors> {
    let mut p = Problems {
        file: name,
        text,
        errors: Vec::new(),
    };
    let raw: SetFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            p.push(
                e.span().unwrap_or(0..0),
                None,
                "(file)",
                e.message().trim().to_owned(),
            );
            return Err(SetErrors(p.errors));
        }
    };
    if raw.items.is_empty() {
        p.push(0..0, None, "items", "the set has no items".into());
    }
    let mut items = Vec::new();
    for item in raw.items {
        if let Some(item) = parse_item(item, catalog, holdout, seen, &mut p) {
            items.push(item);
        }
    }
    if p.errors.is_empty() {
        Ok(items)
    } else {
        Err(SetErrors(p.errors))
    }
}

fn parse_item(
    raw: ItemFile,
    catalog: &Catalog,
    holdout: &HashSet<String>,
    seen: &mut HashSet<String>,
    p: &mut Problems<'_>,
) -> Option<CalibrationItem> {
    let before = p.errors.len();
    let id = raw.id.get_ref().trim().to_owned();
    let at = Some(id.as_str());
    if id.is_empty() {
        p.push(raw.id.span(), None, "id", "must not be empty".into());
    } else if !seen.insert(id.clone()) {
        p.push(raw.id.span(), at, "id", format!("duplicate item id {id:?}"));
    }
    let label = *raw.label.get_ref();
    if !(1..=4).contains(&label) {
        p.push(
            raw.label.span(),
            at,
            "label",
            format!("must be a level from 1 to 4, not {label}"),
        );
    }
    let question_id = raw.question.get_ref();
    let question = RoundKind::ALL
        .iter()
        .flat_map(|&kind| catalog.questions(kind))
        .find(|q| &q.id == question_id);
    let rubric = question.and_then(|q| catalog.rubric_for_kind(q.kind));
    match (question, rubric) {
        (None, _) => p.push(
            raw.question.span(),
            at,
            "question",
            format!("no question with id {question_id:?} in the question banks"),
        ),
        (Some(q), None) => p.push(
            raw.question.span(),
            at,
            "question",
            format!("no rubric scores {} questions", q.kind),
        ),
        (Some(_), Some(_)) => {}
    }
    let mut tags = Vec::new();
    for tag in &raw.tags {
        if is_tag(tag.get_ref()) {
            tags.push(tag.get_ref().clone());
        } else {
            p.push(
                tag.span(),
                at,
                "tags",
                format!(
                    "{:?} is not a tag: use lowercase letters, digits and -",
                    tag.get_ref()
                ),
            );
        }
    }
    let mut dimensions = BTreeMap::new();
    for (dimension, level) in &raw.dimensions {
        let name = dimension.get_ref();
        let field = format!("dimensions.{name}");
        if let Some(rubric) = rubric
            && !rubric.dimensions.iter().any(|d| &d.id == name)
        {
            let known: Vec<&str> = rubric.dimensions.iter().map(|d| d.id.as_str()).collect();
            p.push(
                dimension.span(),
                at,
                &field,
                format!(
                    "rubric {:?} has no dimension {name:?}; it has {}",
                    rubric.id,
                    known.join(", ")
                ),
            );
        }
        match u8::try_from(*level.get_ref()) {
            Ok(l @ 1..=4) => {
                dimensions.insert(name.clone(), l);
            }
            _ => p.push(
                level.span(),
                at,
                &field,
                format!("must be a level from 1 to 4, not {}", level.get_ref()),
            ),
        }
    }
    if p.errors.len() > before {
        return None;
    }
    let style = match &raw.style {
        Some(style) if STYLES.contains(&style.get_ref().as_str()) => style.get_ref().clone(),
        Some(style) => {
            p.push(
                style.span(),
                at,
                "style",
                format!("{:?} is not one of {}", style.get_ref(), STYLES.join(", ")),
            );
            return None;
        }
        None => default_style(&tags).to_owned(),
    };
    let (question, rubric) = (question?.clone(), rubric?.clone());
    let split = if holdout.contains(&question.id) {
        Split::Holdout
    } else {
        Split::Fit
    };
    Some(CalibrationItem {
        id,
        kind: question.kind,
        question,
        rubric: Arc::new(rubric),
        label: label as u8,
        tags,
        style,
        split,
        answers: raw.answers.into_inner(),
        dimensions,
    })
}

#[cfg(test)]
mod tests;
