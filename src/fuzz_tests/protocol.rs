//! `ClientMsg::parse`: every WebSocket text frame a client sends.

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::ws::protocol::{ClientMsg, MessageLimits};

const LIMITS: MessageLimits = MessageLimits {
    max_frame_bytes: 4096,
    max_answer_chars: 300,
};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,400}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A message shaped like a client's: a known or unknown `type`, and the
/// fields the known ones take, holding any JSON at all.
fn message() -> impl Strategy<Value = String> {
    let kind = prop_oneof![
        prop::sample::select(vec!["answer", "skip", "repeat", "pause", "resume", "done"])
            .prop_map(Value::from),
        json_value(),
    ];
    (
        kind,
        prop::option::of(json_value()),
        prop::option::of(json_value()),
    )
        .prop_map(|(kind, text, last_seq)| {
            let mut msg = serde_json::Map::new();
            msg.insert("type".into(), kind);
            if let Some(text) = text {
                msg.insert("text".into(), text);
            }
            if let Some(seq) = last_seq {
                msg.insert("last_seq".into(), seq);
            }
            Value::Object(msg).to_string()
        })
}

fn frame() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,200}",
        any::<String>(),
        message(),
        // A valid message cut short or with junk after it.
        (message(), any::<prop::sample::Index>())
            .prop_map(|(m, i)| m.chars().take(i.index(m.chars().count() + 1)).collect()),
        (message(), "\\PC{1,10}").prop_map(|(m, junk)| m + &junk),
    ]
}

proptest! {
    #![proptest_config(super::config())]

    #[test]
    fn any_frame_parses_to_a_bounded_message_or_a_coded_error(frame in frame()) {
        match ClientMsg::parse(&frame, LIMITS) {
            Ok(ClientMsg::Answer { text }) => {
                prop_assert!(text.chars().count() <= LIMITS.max_answer_chars);
                prop_assert!(frame.len() <= LIMITS.max_frame_bytes);
            }
            Ok(_) => prop_assert!(frame.len() <= LIMITS.max_frame_bytes),
            Err(error) => {
                let code = error.code();
                prop_assert!(["too_large", "bad_json", "unknown_type", "bad_message"].contains(&code));
                prop_assert!(!error.to_string().is_empty());
            }
        }
    }
}
