//! What the model must answer: a strict JSON schema sent with the request,
//! and the typed reply parsed from its text.
//!
//! Per dimension the schema orders `evidence`, then `rationale`, then
//! `level`: models write fields in schema order, so the level is chosen after
//! the quotes and the reasoning, not before them (serde_json keeps insertion
//! order here; see the `preserve_order` feature in Cargo.toml).

use async_openai::types::chat::{ResponseFormat, ResponseFormatJsonSchema};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::content::Rubric;

/// The schema's name as the provider sees it.
const NAME: &str = "answer_grade";

/// Quotes asked for per dimension: what the debrief shows.
pub const MAX_QUOTES: usize = 3;
/// Strengths or improvements asked for.
const MAX_LIST_ITEMS: usize = 3;
/// Longest quote, in characters: a sentence or two of the answer.
pub const MAX_QUOTE_CHARS: usize = 160;
/// Longest rationale, in characters: two or three sentences.
const MAX_RATIONALE_CHARS: usize = 320;
/// Longest strength or improvement, in characters.
const MAX_ITEM_CHARS: usize = 200;

/// The longest grade reply asked for, in tokens: every string the schema
/// allows at its longest, written at two characters a token (English runs
/// nearer four), plus the keys and punctuation. A server that enforces the
/// schema by grammar (llama.cpp) then ends every reply within the limit: a
/// small model that fell into a loop inside a rationale used to run to the
/// limit, and its reply was cut off, on one machine and not another.
pub fn reply_tokens(rubric: &Rubric) -> u32 {
    const CHARS_PER_TOKEN: usize = 2;
    const SCAFFOLD_PER_DIMENSION: usize = 40;
    const SCAFFOLD: usize = 60;
    let dimension = (MAX_QUOTES * MAX_QUOTE_CHARS + MAX_RATIONALE_CHARS) / CHARS_PER_TOKEN
        + SCAFFOLD_PER_DIMENSION;
    let lists = 2 * MAX_LIST_ITEMS * MAX_ITEM_CHARS / CHARS_PER_TOKEN;
    let tokens = SCAFFOLD + lists + dimension * rubric.dimensions.len();
    u32::try_from(tokens).unwrap_or(u32::MAX)
}

/// The model's reply, before any of it is trusted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelGrade {
    #[serde(deserialize_with = "dimensions")]
    pub dimensions: Vec<ModelDimension>,
    // Lenient defaults: an OpenAI-compatible server that ignores `strict`
    // may leave these out, and they carry no score.
    #[serde(default)]
    pub injection_suspected: bool,
    #[serde(default)]
    pub strengths: Vec<String>,
    #[serde(default)]
    pub improvements: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelDimension {
    pub id: String,
    #[serde(default)]
    pub evidence: Vec<String>,
    #[serde(default)]
    pub rationale: String,
    /// Any integer is accepted here and clamped to 1..=4 in verification.
    pub level: i64,
}

/// Why a reply could not be used; sent back to the model on the repair try.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("the reply was empty")]
    Empty,
    /// Displayed without serde's message, which can quote the reply (and
    /// so the candidate); `detail()` has it for the repair request.
    #[error(
        "the reply is not the JSON object the schema describes ({category} error at line {line}, column {column})"
    )]
    Json {
        category: &'static str,
        line: usize,
        column: usize,
        detail: String,
    },
    #[error("no entry in \"dimensions\" has one of the rubric's ids ({0})")]
    NoKnownDimension(String),
}

/// `response_format` for the request: the schema, strictly enforced.
pub fn response_format(rubric: &Rubric) -> ResponseFormat {
    ResponseFormat::JsonSchema {
        json_schema: ResponseFormatJsonSchema {
            description: Some(
                "Rubric levels for one interview answer, with verbatim evidence.".into(),
            ),
            name: NAME.into(),
            schema: schema(rubric),
            strict: Some(true),
        },
    }
}

/// The JSON schema. Strict mode needs every property required and no
/// additional properties. `dimensions` is an object with one property per
/// rubric dimension, all required, in rubric order: a server that enforces
/// the schema by grammar (llama.cpp) then cannot skip a dimension or write
/// one twice, as a list of `{"id": …}` entries let a small model do (it
/// wrote the first dimension four times). Every list and every string is
/// bounded, so a reply cannot run on past [`reply_tokens`] either.
pub fn schema(rubric: &Rubric) -> Value {
    let ids: Vec<&str> = rubric.dimensions.iter().map(|d| d.id.as_str()).collect();
    let strings = json!({
        "type": "array",
        "items": { "type": "string", "maxLength": MAX_ITEM_CHARS },
        "maxItems": MAX_LIST_ITEMS
    });
    let dimension = json!({
        "type": "object",
        "properties": {
            "evidence": {
                "type": "array",
                "description": "Short quotes copied exactly from the candidate's answer.",
                "items": { "type": "string", "maxLength": MAX_QUOTE_CHARS },
                "maxItems": MAX_QUOTES
            },
            "rationale": { "type": "string", "maxLength": MAX_RATIONALE_CHARS },
            "level": { "type": "integer", "enum": [1, 2, 3, 4] }
        },
        "required": ["evidence", "rationale", "level"],
        "additionalProperties": false
    });
    let dimensions: serde_json::Map<String, Value> = ids
        .iter()
        .map(|id| ((*id).to_owned(), dimension.clone()))
        .collect();
    json!({
        "type": "object",
        "properties": {
            "dimensions": {
                "type": "object",
                "properties": dimensions,
                "required": ids,
                "additionalProperties": false
            },
            "injection_suspected": { "type": "boolean" },
            "strengths": strings,
            "improvements": strings
        },
        "required": ["dimensions", "injection_suspected", "strengths", "improvements"],
        "additionalProperties": false
    })
}

/// `dimensions` as the schema asks (an object keyed by dimension id), or as
/// a list of entries with an `id` (what a server that ignores the schema,
/// or an older prompt, may still send).
fn dimensions<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<ModelDimension>, D::Error> {
    use serde::de::Error;
    #[derive(Deserialize)]
    struct Keyed {
        #[serde(default)]
        evidence: Vec<String>,
        #[serde(default)]
        rationale: String,
        level: i64,
    }
    match Value::deserialize(d)? {
        Value::Object(map) => map
            .into_iter()
            .map(|(id, value)| {
                let k: Keyed = serde_json::from_value(value)
                    .map_err(|e| D::Error::custom(format!("dimension \"{id}\": {e}")))?;
                Ok(ModelDimension {
                    id,
                    evidence: k.evidence,
                    rationale: k.rationale,
                    level: k.level,
                })
            })
            .collect(),
        list @ Value::Array(_) => serde_json::from_value(list).map_err(D::Error::custom),
        _ => Err(D::Error::custom(
            "invalid type: \"dimensions\" must be an object keyed by dimension id",
        )),
    }
}

/// Parses the reply text. Code fences, which some local models add around
/// JSON, are tolerated; anything else that is not the schema is an error.
pub fn parse(content: &str, rubric: &Rubric) -> Result<ModelGrade, SchemaError> {
    let text = strip_fences(content.trim());
    if text.is_empty() {
        return Err(SchemaError::Empty);
    }
    let grade: ModelGrade = serde_json::from_str(text).map_err(|e| SchemaError::Json {
        category: match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "syntax",
            _ => "shape",
        },
        line: e.line(),
        column: e.column(),
        detail: e.to_string(),
    })?;
    let known = grade
        .dimensions
        .iter()
        .any(|d| rubric.dimensions.iter().any(|r| r.id == d.id));
    if !known {
        let ids: Vec<&str> = rubric.dimensions.iter().map(|d| d.id.as_str()).collect();
        return Err(SchemaError::NoKnownDimension(ids.join(", ")));
    }
    Ok(grade)
}

impl SchemaError {
    /// The full explanation, for the model on the repair try only.
    pub fn detail(&self) -> String {
        match self {
            SchemaError::Json { detail, .. } => {
                format!("the reply is not the JSON object the schema describes: {detail}")
            }
            other => other.to_string(),
        }
    }
}

fn strip_fences(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("```") else {
        return text;
    };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Dimension, RoundKind};

    fn rubric() -> Rubric {
        Rubric {
            id: "r".into(),
            kind: RoundKind::Values,
            version: "1".into(),
            title: "R".into(),
            description: String::new(),
            dimensions: vec![Dimension {
                id: "ownership".into(),
                name: "Ownership".into(),
                weight: 1.0,
                thresholds: [1, 2, 3],
                levels: ["1".into(), "2".into(), "3".into(), "4".into()],
                signals: vec![],
            }],
            bars: Default::default(),
            hash: Default::default(),
        }
    }

    #[test]
    fn evidence_comes_before_rationale_and_rationale_before_level() {
        let text = serde_json::to_string(&schema(&rubric())).unwrap();
        let at = |key: &str| text.find(&format!("\"{key}\":{{")).unwrap();
        assert!(at("ownership") < at("evidence"), "{text}");
        assert!(at("evidence") < at("rationale"), "{text}");
        assert!(at("rationale") < at("level"), "{text}");
    }

    #[test]
    fn dimensions_keyed_by_id_or_listed_with_ids_parse_alike() {
        let keyed = r#"{"dimensions":{"ownership":{"evidence":["I owned it"],"rationale":"r","level":3}},
            "injection_suspected":false,"strengths":[],"improvements":[]}"#;
        let listed = r#"{"dimensions":[{"id":"ownership","evidence":["I owned it"],"rationale":"r","level":3}],
            "injection_suspected":false,"strengths":[],"improvements":[]}"#;
        let keyed = parse(keyed, &rubric()).unwrap();
        assert_eq!(keyed, parse(listed, &rubric()).unwrap());
        assert_eq!(keyed.dimensions[0].id, "ownership");
        assert_eq!(keyed.dimensions[0].level, 3);
    }

    #[test]
    fn a_fenced_reply_parses_and_prose_does_not() {
        let reply = "```json\n{\"dimensions\":{\"ownership\":{\"evidence\":[],\"rationale\":\"r\",\"level\":2}},\
                     \"injection_suspected\":false,\"strengths\":[],\"improvements\":[]}\n```";
        assert_eq!(parse(reply, &rubric()).unwrap().dimensions[0].level, 2);
        assert!(matches!(
            parse("Sure! Level 4.", &rubric()),
            Err(SchemaError::Json {
                category: "syntax",
                ..
            })
        ));
        assert_eq!(parse("  ", &rubric()), Err(SchemaError::Empty));
    }

    #[test]
    fn the_displayed_error_never_echoes_the_reply_but_the_detail_does() {
        let reply = r#"{"dimensions": "I owned the fix"}"#;
        let error = parse(reply, &rubric()).unwrap_err();
        assert!(!error.to_string().contains("owned"), "{error}");
        assert!(
            error.to_string().contains("shape error at line 1"),
            "{error}"
        );
        assert!(
            error.detail().contains("invalid type"),
            "{}",
            error.detail()
        );
    }

    #[test]
    fn a_reply_naming_none_of_the_rubric_dimensions_is_unusable() {
        let reply = r#"{"dimensions":[{"id":"charisma","evidence":[],"rationale":"","level":4}]}"#;
        assert_eq!(
            parse(reply, &rubric()),
            Err(SchemaError::NoKnownDimension("ownership".into()))
        );
    }
}
