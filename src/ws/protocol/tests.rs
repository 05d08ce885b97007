use super::*;

const LIMITS: MessageLimits = MessageLimits {
    max_frame_bytes: 200,
    max_answer_chars: 10,
};

fn code(frame: &str) -> &'static str {
    ClientMsg::parse(frame, LIMITS).unwrap_err().code()
}

#[test]
fn every_client_message_parses() {
    assert_eq!(
        ClientMsg::parse(r#"{"type":"answer","text":"hi"}"#, LIMITS),
        Ok(ClientMsg::Answer { text: "hi".into() })
    );
    assert_eq!(
        ClientMsg::parse(r#"{"type":"draft","text":"I would"}"#, LIMITS),
        Ok(ClientMsg::Draft {
            text: "I would".into()
        })
    );
    // A draft is bounded as the answer it may become.
    assert_eq!(
        code(r#"{"type":"draft","text":"more than ten characters"}"#),
        "too_large"
    );
    assert_eq!(
        ClientMsg::parse(r#"{"type":"skip"}"#, LIMITS),
        Ok(ClientMsg::Skip)
    );
    assert_eq!(
        ClientMsg::parse(r#"{"type":"repeat"}"#, LIMITS),
        Ok(ClientMsg::Repeat)
    );
    assert_eq!(
        ClientMsg::parse(r#"{"type":"pause"}"#, LIMITS),
        Ok(ClientMsg::Pause)
    );
    assert_eq!(
        ClientMsg::parse(r#"{"type":"hint"}"#, LIMITS),
        Ok(ClientMsg::Hint)
    );
    assert_eq!(
        ClientMsg::parse(r#"{"type":"resume","last_seq":7}"#, LIMITS),
        Ok(ClientMsg::Resume { last_seq: 7 })
    );
    assert_eq!(
        ClientMsg::parse(
            r#"{"type":"run_tests","language":"python","code":"x"}"#,
            LIMITS
        ),
        Ok(ClientMsg::RunTests {
            language: CodeLanguage::Python,
            code: "x".into()
        })
    );
}

#[test]
fn the_answer_limit_counts_the_normalised_text_that_is_stored() {
    // One character on the wire, 18 after NFKC: over the limit of 10.
    let err = ClientMsg::parse(r#"{"type":"answer","text":"\ufdfa"}"#, LIMITS).unwrap_err();
    assert_eq!(
        err,
        ProtocolError::AnswerTooLong {
            chars: 18,
            limit: 10
        }
    );
    // Invisible characters removed by normalisation do not count.
    assert_eq!(
        ClientMsg::parse(
            r#"{"type":"answer","text":"ten chars!\u200b\u200b"}"#,
            LIMITS
        ),
        Ok(ClientMsg::Answer {
            text: "ten chars!".into()
        })
    );
}

#[test]
fn run_tests_needs_a_known_language_and_code() {
    assert_eq!(
        code(r#"{"type":"run_tests","language":"cobol","code":"x"}"#),
        "bad_message"
    );
    assert_eq!(
        code(r#"{"type":"run_tests","language":"python"}"#),
        "bad_message"
    );
}

#[test]
fn run_input_reads_the_arguments_as_json_values_separated_by_commas() {
    let parsed = ClientMsg::parse(
        r#"{"type":"run_input","language":"python","code":"x","input":"[1, 2, 3], 3, \"a,b\""}"#,
        LIMITS,
    )
    .unwrap();
    assert_eq!(
        parsed,
        ClientMsg::RunInput {
            language: CodeLanguage::Python,
            code: "x".into(),
            args: vec![serde_json::json!([1, 2, 3]), 3.into(), "a,b".into()],
        }
    );
    let error = ClientMsg::parse(
        r#"{"type":"run_input","language":"python","code":"x","input":"[1, 2"}"#,
        LIMITS,
    )
    .unwrap_err();
    assert_eq!(error.code(), "bad_message");
    assert!(
        error
            .to_string()
            .contains("JSON values separated by commas"),
        "{error}"
    );
    let long = format!(
        r#"{{"type":"run_input","language":"python","code":"x","input":"{}"}}"#,
        "1,".repeat(MAX_INPUT_CHARS)
    );
    let roomy = MessageLimits {
        max_frame_bytes: 100_000,
        ..LIMITS
    };
    let error = ClientMsg::parse(&long, roomy).unwrap_err();
    assert_eq!(error.code(), "bad_message");
    assert!(
        error.to_string().contains("characters; the limit is 4000"),
        "{error}"
    );
}

#[test]
fn bad_frames_get_distinct_error_codes() {
    assert_eq!(code("{nope"), "bad_json");
    assert_eq!(code(r#"{"type":"dance"}"#), "unknown_type");
    assert_eq!(code(r#"{"text":"x"}"#), "unknown_type");
    assert_eq!(code(r#"{"type":"answer"}"#), "bad_message");
    assert_eq!(code(r#"{"type":"resume","last_seq":-1}"#), "bad_message");
    assert_eq!(
        code(r#"{"type":"answer","text":"more than ten chars"}"#),
        "too_large"
    );
    assert_eq!(
        code(&format!(
            r#"{{"type":"answer","text":"{}"}}"#,
            "x".repeat(300)
        )),
        "too_large"
    );
}

#[test]
fn answer_length_counts_characters_not_bytes() {
    assert!(ClientMsg::parse(r#"{"type":"answer","text":"éééééééééé"}"#, LIMITS).is_ok());
}

#[test]
fn answers_are_normalised_as_they_arrive() {
    assert_eq!(
        ClientMsg::parse("{\"type\":\"answer\",\"text\":\"ｈｉ\u{200B}!\"}", LIMITS),
        Ok(ClientMsg::Answer { text: "hi!".into() })
    );
}

#[test]
fn a_reviewed_spoken_answer_is_bounded_and_normalised_as_a_typed_one() {
    assert_eq!(
        ClientMsg::parse(
            "{\"type\":\"submit_spoken\",\"text\":\"ｃａｃｈｅ\u{200B}\"}",
            LIMITS
        ),
        Ok(ClientMsg::SubmitSpoken {
            text: "cache".into()
        })
    );
    // The limit counts what is stored: one character that NFKC makes 18.
    assert_eq!(
        code(r#"{"type":"submit_spoken","text":"\ufdfa"}"#),
        "too_large"
    );
    assert_eq!(code(r#"{"type":"submit_spoken"}"#), "bad_message");
    assert_eq!(
        ClientMsg::parse(r#"{"type":"discard_review"}"#, LIMITS),
        Ok(ClientMsg::DiscardReview)
    );
}

#[test]
fn the_review_and_transcripts_say_what_the_client_needs_to_decide_by() {
    let review = ServerMsg::Review {
        text: "the cash".into(),
        confidence: Some(0.38),
        low_confidence: true,
        unclear: true,
    };
    // As sent: text, where an f32 is written in its shortest form.
    let sent: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&review).unwrap()).unwrap();
    assert_eq!(
        sent,
        serde_json::json!({"type": "review", "text": "the cash", "confidence": 0.38,
                           "low_confidence": true, "unclear": true})
    );
    let partial = ServerMsg::Transcript {
        is_final: false,
        stable: "Mm-hmm".into(),
        tentative: String::new(),
        low_confidence: false,
        backchannel: true,
    };
    assert_eq!(serde_json::to_value(&partial).unwrap()["backchannel"], true);
}
