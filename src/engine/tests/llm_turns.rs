//! Follow-ups and hints an LLM words: the engine still chooses them, the
//! words come back as an input, and a replay needs no model.

use super::*;

fn llm_given(inputs: &[(EpochMs, Input)]) -> Session {
    let mut plan = plan();
    plan.llm_turns = true;
    given_plan(plan, inputs)
}

fn llm_source() -> Box<TurnSource> {
    Box::new(TurnSource {
        by: Author::Llm,
        fallback: None,
        model: Some("m".into()),
        usage: None,
        first_token_ms: Some(120),
        full_ms: 900,
    })
}

fn composed(text: &str) -> Input {
    Input::Composed {
        text: text.into(),
        source: llm_source(),
    }
}

#[test]
fn with_llm_turns_a_follow_up_is_composed_with_the_scripted_probe_as_fallback() {
    let session = llm_given(&[(T0, Input::Begin)]);
    let events = when(
        &session,
        T0 + 1,
        answer("I handle the empty edge case first."),
    );
    assert_eq!(names(&events), vec!["answered", "composing"]);
    assert!(matches!(
        &events[1],
        Event::Composing { kind: PromptKind::FollowUp, signal: Some(s), scripted, .. }
            if s == "complexity" && scripted == "What is the complexity?"
    ));
}

#[test]
fn the_composed_words_become_the_follow_up_with_their_source() {
    let session = llm_given(&[
        (T0, Input::Begin),
        (T0 + 1, answer("I handle the empty edge case.")),
    ]);
    let events = when(
        &session,
        T0 + 2,
        composed("How fast is that, in big-O terms?"),
    );
    assert_eq!(
        events,
        vec![Event::Prompted {
            at: T0 + 2,
            round: 0,
            question: 0,
            kind: PromptKind::FollowUp,
            text: "How fast is that, in big-O terms?".into(),
            signal: Some("complexity".into()),
            repeat: false,
            source: Some(llm_source()),
            lead: None,
        }]
    );
}

#[test]
fn answers_wait_while_the_follow_up_is_composed() {
    let session = llm_given(&[
        (T0, Input::Begin),
        (T0 + 1, answer("I handle the empty edge case.")),
    ]);
    assert_eq!(
        session.handle(T0 + 2, answer("More words.")),
        Err(InterviewError::Composing)
    );
    assert_eq!(
        session.handle(T0 + 2, Input::Hint),
        Err(InterviewError::Composing)
    );
}

#[test]
fn words_arriving_after_the_question_closed_are_refused() {
    let session = llm_given(&[
        (T0, Input::Begin),
        (T0 + 1, answer("I handle the empty edge case.")),
        (T0 + 2, Input::Skip),
    ]);
    assert!(session.composing().is_none());
    assert!(session.handle(T0 + 3, composed("Late words")).is_err());
}

#[test]
fn words_arriving_while_paused_are_stored_for_the_resume() {
    let session = llm_given(&[
        (T0, Input::Begin),
        (T0 + 1, answer("I handle the empty edge case.")),
        (T0 + 2, Input::Pause(PauseReason::Candidate)),
    ]);
    let events = when(&session, T0 + 3, composed("How fast is it?"));
    assert_eq!(names(&events), vec!["prompted"]);
    let mut session = session;
    session.apply(&events[0]).unwrap();
    let Phase::Paused { active, .. } = session.phase() else {
        panic!("still paused")
    };
    assert_eq!(active.current.as_ref().unwrap().text, "How fast is it?");
}

#[test]
fn a_scripted_hint_nudges_toward_a_missing_signal_and_is_a_turn_of_its_own() {
    let session = given(&[(T0, Input::Begin)]);
    let events = when(&session, T0 + 1, Input::Hint);
    assert_eq!(names(&events), vec!["prompted"]);
    let Event::Prompted {
        kind, text, signal, ..
    } = &events[0]
    else {
        unreachable!()
    };
    assert_eq!(*kind, PromptKind::Hint);
    assert_eq!(signal.as_deref(), Some("complexity"));
    assert_eq!(text, "Here's a nudge: What is the complexity?");
    let mut session = session;
    session.apply(&events[0]).unwrap();
    assert_eq!(session.records()[0].hints(), vec![text.clone()]);
    // The hint is not a follow-up: the follow-up budget is untouched.
    let Phase::Active(active) = session.phase() else {
        panic!()
    };
    assert_eq!((active.follow_ups_asked, active.hints), (0, 1));
}

#[test]
fn asking_for_a_hint_in_words_is_a_hint_not_an_answer() {
    let session = given(&[(T0, Input::Begin)]);
    let events = when(&session, T0 + 1, answer("Could I get a hint, please?"));
    assert_eq!(names(&events), vec!["prompted"]);
    assert!(matches!(
        &events[0],
        Event::Prompted {
            kind: PromptKind::Hint,
            ..
        }
    ));
}

#[test]
fn hints_are_limited_per_question() {
    let session = given(&[
        (T0, Input::Begin),
        (T0 + 1, Input::Hint),
        (T0 + 2, Input::Hint),
    ]);
    assert_eq!(
        session.handle(T0 + 3, Input::Hint),
        Err(InterviewError::NoMoreHints)
    );
    // The next question has its own.
    let session = given(&[
        (T0, Input::Begin),
        (T0 + 1, Input::Hint),
        (T0 + 2, Input::Hint),
        (T0 + 3, Input::Skip),
    ]);
    assert!(session.handle(T0 + 4, Input::Hint).is_ok());
}

#[test]
fn the_grader_is_told_of_the_hint() {
    let session = given(&[
        (T0, Input::Begin),
        (T0 + 1, Input::Hint),
        (T0 + 2, answer("It is O(n) with an empty edge case.")),
    ]);
    let record = &session.records()[0];
    let hints = record.hints();
    let answers = record.answers();
    let score = OfflineGrader.score(GradeRequest {
        rubric: &rubric(),
        question: &question("q1"),
        answers: &answers,
        hints: &hints,
    });
    assert!(
        score.improvements.iter().any(|i| i.contains("hint")),
        "{:?}",
        score.improvements
    );
}

#[test]
fn with_llm_turns_a_hint_is_composed_too() {
    let session = llm_given(&[(T0, Input::Begin)]);
    let events = when(&session, T0 + 1, Input::Hint);
    assert!(matches!(
        &events[0],
        Event::Composing {
            kind: PromptKind::Hint,
            ..
        }
    ));
}

#[test]
fn replaying_llm_turns_rebuilds_the_state_without_the_model() {
    let inputs = [
        (T0, Input::Begin),
        (T0 + 1, answer("I handle the empty edge case.")),
        (T0 + 2, composed("How fast is it?")),
        (T0 + 3, answer("O(n).")),
    ];
    let live = llm_given(&inputs);
    // Rebuild from the log through JSON, as the store keeps it.
    let mut plan = plan();
    plan.llm_turns = true;
    let mut log = vec![StoredEvent {
        seq: 1,
        event: Session::create(T0, plan),
    }];
    let mut session = Session::replay(&log).unwrap();
    for (at, input) in inputs {
        for event in session.handle(at, input).unwrap() {
            session.apply(&event).unwrap();
            let json = serde_json::to_string(&event).unwrap();
            log.push(StoredEvent {
                seq: log.len() as u64 + 1,
                event: serde_json::from_str(&json).unwrap(),
            });
        }
    }
    assert_eq!(Session::replay(&log).unwrap(), live);
    assert_eq!(live.records()[0].turns[1].prompt, "How fast is it?");
}
