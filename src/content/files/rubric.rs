//! Rubric files: dimensions, their level descriptions and signals.

use std::collections::{BTreeMap, HashSet};

use serde::Deserialize;
use toml::Spanned;

use super::{Diagnostics, is_kebab_id, is_snake_id};
use crate::content::model::{Band, Dimension, Requirement, Rubric, Signal};
use crate::content::pattern::Pattern;
use crate::content::{ContentError, SourceFile};

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

pub(crate) fn parse_rubric(file: &SourceFile, errors: &mut Vec<ContentError>) -> Option<Rubric> {
    let mut r = Diagnostics { file, errors };
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
