//! The LLM grader's reply: parsed against the schema, then every quote
//! checked against the candidate's words. A model may send anything.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::content::{Catalog, RoundKind, Rubric};
use crate::grading::llm::{schema, verify};

fn rubric() -> Rubric {
    Catalog::embedded()
        .expect("shipped content is valid")
        .rubric_for_kind(RoundKind::Coding)
        .expect("a coding rubric ships")
        .clone()
}

const ANSWER: &str = "I would use a hash map: O(n) time. Edge cases — empty input, \
                      duplicates, naïve ünïcödé 🦀 and \u{200b}zero-width text.";

/// Quotes cut from the answer at any character positions, changed a little,
/// or made up.
fn quote() -> impl Strategy<Value = String> {
    let chars: Vec<char> = ANSWER.chars().collect();
    let n = chars.len();
    prop_oneof![
        (0..=n, 0..=n).prop_map(move |(a, b)| {
            let (a, b) = (a.min(b), a.max(b));
            chars[a..b].iter().collect()
        }),
        "\\PC{0,40}",
        Just("…".to_owned()),
        Just(ANSWER.to_uppercase()),
    ]
}

fn dimension(ids: Vec<String>) -> impl Strategy<Value = Value> {
    (
        prop_oneof![prop::sample::select(ids), "\\PC{0,10}"],
        prop::collection::vec(quote(), 0..4),
        "\\PC{0,40}",
        prop_oneof![1i64..=4, any::<i64>()],
    )
        .prop_map(|(id, evidence, rationale, level)| {
            json!({ "id": id, "evidence": evidence, "rationale": rationale, "level": level })
        })
}

fn grade(ids: Vec<String>) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(dimension(ids), 0..6),
        any::<bool>(),
        prop::collection::vec("\\PC{0,30}", 0..3),
    )
        .prop_map(|(dimensions, injection, notes)| {
            json!({
                "dimensions": dimensions,
                "injection_suspected": injection,
                "strengths": notes,
                "improvements": [],
            })
            .to_string()
        })
}

fn reply(ids: Vec<String>) -> impl Strategy<Value = String> {
    prop_oneof![
        4 => grade(ids.clone()),
        1 => grade(ids.clone()).prop_map(|g| format!("```json\n{g}\n```")),
        1 => (grade(ids), any::<prop::sample::Index>())
            .prop_map(|(g, i)| g.chars().take(i.index(g.chars().count() + 1)).collect()),
        1 => "\\PC{0,200}",
        1 => Just("```".to_owned()),
    ]
}

proptest! {
    #![proptest_config(super::config())]

    #[test]
    fn any_reply_is_refused_or_verified_to_levels_one_to_four_with_real_quotes(
        reply in reply(rubric().dimensions.iter().map(|d| d.id.clone()).collect())
    ) {
        let rubric = rubric();
        let answers = vec![ANSWER.to_owned()];
        let Ok(grade) = schema::parse(&reply, &rubric) else {
            return Ok(());
        };
        let verified = verify::verify(&rubric, &answers, &grade);
        prop_assert_eq!(verified.dimensions.len(), rubric.dimensions.len());
        for d in &verified.dimensions {
            prop_assert!((1..=4).contains(&d.level), "level {}", d.level);
            for quote in &d.evidence {
                prop_assert!(ANSWER.contains(quote.as_str()), "{:?} is not in the answer", quote);
            }
        }
    }
}
