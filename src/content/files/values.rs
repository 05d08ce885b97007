//! `prompts/core-values.toml`: the company's core values, each tied to the
//! values questions' topic that asks about it.

use serde::Deserialize;
use toml::Spanned;

use super::Diagnostics;
use crate::content::model::{CoreValue, Question};
use crate::content::{ContentError, SourceFile};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValuesFile {
    values: Vec<ValueFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueFile {
    topic: Spanned<String>,
    name: String,
    looks_for: String,
}

/// The values in `file`; each topic must be one that a values question
/// carries (so a value can be practised) and appear once.
pub(in crate::content) fn parse_core_values(
    file: &SourceFile,
    values_questions: &[Question],
    errors: &mut Vec<ContentError>,
) -> Vec<CoreValue> {
    let mut diagnostics = Diagnostics { file, errors };
    let Some(parsed) = diagnostics.parse::<ValuesFile>() else {
        return Vec::new();
    };
    let mut values: Vec<CoreValue> = Vec::new();
    for value in parsed.values {
        let topic = value.topic.get_ref().trim();
        if values.iter().any(|v| v.topic == topic) {
            diagnostics.error(
                value.topic.span(),
                "topic",
                format!("{topic:?} is listed twice"),
            );
            continue;
        }
        if !values_questions
            .iter()
            .any(|q| q.topics.iter().any(|t| t == topic))
        {
            diagnostics.error(
                value.topic.span(),
                "topic",
                format!("no values question has the topic {topic:?}, so it could not be practised"),
            );
            continue;
        }
        if value.name.trim().is_empty() || value.looks_for.trim().is_empty() {
            diagnostics.error(
                value.topic.span(),
                "name",
                "a value needs a name and what an interviewer looks for",
            );
            continue;
        }
        values.push(CoreValue {
            topic: topic.to_owned(),
            name: value.name.trim().to_owned(),
            looks_for: value.looks_for.trim().to_owned(),
        });
    }
    values
}
