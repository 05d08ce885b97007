//! Question bank files: questions, key points, examples and probes.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::{Diagnostics, is_kebab_id};
use crate::content::model::{Difficulty, Example, KeyPoint, Probe, Question, RoundKind, Rubric};
use crate::content::{ContentError, SourceFile};

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
    outline: Vec<Spanned<String>>,
    #[serde(default)]
    examples: Vec<ExampleFile>,
    #[serde(default)]
    probes: Vec<ProbeFile>,
    tests: Option<Spanned<crate::content::cases::TestsFile>>,
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

/// A model answer outline is a few steps a candidate can hold in mind.
const MAX_OUTLINE_STEPS: usize = 8;
const MAX_OUTLINE_STEP_CHARS: usize = 400;

/// A bank's kind and its questions, each with the span of its id for
/// errors found later (duplicates across banks).
pub(crate) type ParsedBank = (RoundKind, Vec<(Question, Range<usize>)>);

pub(crate) fn parse_bank(
    file: &SourceFile,
    rubrics: &BTreeMap<String, Rubric>,
    errors: &mut Vec<ContentError>,
) -> Option<ParsedBank> {
    let mut r = Diagnostics { file, errors };
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
        if q.outline.len() > MAX_OUTLINE_STEPS {
            r.error(
                q.id.span(),
                format!("{at}.outline"),
                format!("has {} steps; at most {MAX_OUTLINE_STEPS}", q.outline.len()),
            );
        }
        for (j, step) in q.outline.iter().enumerate() {
            let chars = step.get_ref().trim().chars().count();
            if chars == 0 || chars > MAX_OUTLINE_STEP_CHARS {
                r.error(
                    step.span(),
                    format!("{at}.outline[{j}]"),
                    format!("must be 1 to {MAX_OUTLINE_STEP_CHARS} characters"),
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
            .and_then(|t| crate::content::cases::parse(t, kind, &at, &mut r));
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
                outline: q
                    .outline
                    .into_iter()
                    .map(|s| s.into_inner().trim().to_owned())
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
