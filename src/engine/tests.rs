//! Given events, when an input arrives, then these events (or this error).

use super::*;
use crate::content::{Difficulty, Dimension, Probe, Question, RoundKind, Rubric, Signal};
use crate::grading::{GradeRequest, OfflineGrader};

const MIN: i64 = 60_000;
const T0: EpochMs = 1_700_000_000_000;

fn signal(id: &str, patterns: &[&str]) -> Signal {
    Signal {
        id: id.into(),
        description: format!("shows {id}"),
        patterns: patterns.iter().map(|p| p.parse().unwrap()).collect(),
        requires: vec![],
    }
}

fn rubric() -> Rubric {
    Rubric {
        id: "coding".into(),
        kind: RoundKind::Coding,
        version: "1".into(),
        title: "Coding".into(),
        description: String::new(),
        dimensions: vec![Dimension {
            id: "analysis".into(),
            name: "Analysis".into(),
            weight: 1.0,
            thresholds: [1, 1, 2],
            levels: ["1".into(), "2".into(), "3".into(), "4".into()],
            signals: vec![
                signal("complexity", &["complexity", "o n"]),
                signal("edge_cases", &["edge case*", "empty"]),
            ],
        }],
        bars: Default::default(),
        hash: Default::default(),
    }
}

fn question(id: &str) -> Question {
    Question {
        id: id.into(),
        kind: RoundKind::Coding,
        title: id.into(),
        text: format!("Question {id}?"),
        topics: vec![],
        difficulty: Difficulty::Medium,
        key_points: vec![],
        outline: vec![],
        examples: vec![],
        probes: vec![
            Probe {
                signal: "complexity".into(),
                text: "What is the complexity?".into(),
            },
            Probe {
                signal: "edge_cases".into(),
                text: "Which edge cases?".into(),
            },
        ],
        tests: None,
        vocabulary: Default::default(),
        bank: Default::default(),
    }
}

fn round(title: &str, questions: &[&str], max_follow_ups: u32) -> PlannedRound {
    PlannedRound {
        kind: RoundKind::Coding,
        title: title.into(),
        minutes: 10,
        max_follow_ups,
        intro: String::new(),
        persona: String::new(),
        rubric: rubric().into(),
        questions: questions.iter().map(|q| question(q).into()).collect(),
    }
}

fn plan() -> Plan {
    Plan {
        loop_id: "test".into(),
        title: "Test".into(),
        company: "Co".into(),
        role: "Eng".into(),
        level: "II".into(),
        level_id: "ii".into(),
        band: Default::default(),
        content_hash: "abc".into(),
        rounds: vec![round("One", &["q1", "q2"], 1), round("Two", &["q3"], 0)],
        llm_turns: false,
    }
}

/// Applies `given` to a fresh session and returns it.
fn given(inputs: &[(EpochMs, Input)]) -> Session {
    given_plan(plan(), inputs)
}

/// As [`given`], for a session of `plan`.
fn given_plan(plan: Plan, inputs: &[(EpochMs, Input)]) -> Session {
    let created = StoredEvent {
        seq: 1,
        event: Session::create(T0, plan),
    };
    let mut session = Session::replay([&created]).unwrap();
    for (at, input) in inputs {
        for event in session.handle(*at, input.clone()).unwrap() {
            session.apply(&event).unwrap();
        }
    }
    session
}

fn when(session: &Session, at: EpochMs, input: Input) -> Vec<Event> {
    session.handle(at, input).unwrap()
}

fn names(events: &[Event]) -> Vec<&'static str> {
    events.iter().map(Event::name).collect()
}

fn answer(text: &str) -> Input {
    Input::Answer(Answer::typed(text))
}

#[test]
fn begin_starts_the_first_round_and_asks_its_first_question() {
    let events = when(&given(&[]), T0, Input::Begin);
    assert_eq!(
        events,
        vec![
            Event::RoundStarted {
                at: T0,
                round: 0,
                deadline: T0 + 10 * MIN
            },
            Event::Prompted {
                at: T0,
                round: 0,
                question: 0,
                kind: PromptKind::Question,
                text: "Question q1?".into(),
                signal: None,
                repeat: false,
                source: None,
                lead: None,
            },
        ]
    );
}

#[test]
fn an_answer_missing_a_probed_signal_gets_that_follow_up() {
    let session = given(&[(T0, Input::Begin)]);
    let events = when(
        &session,
        T0 + 1,
        answer("I handle the empty edge case first."),
    );
    assert_eq!(names(&events), vec!["answered", "prompted"]);
    let Event::Prompted {
        kind, signal, text, ..
    } = &events[1]
    else {
        unreachable!()
    };
    assert_eq!(*kind, PromptKind::FollowUp);
    assert_eq!(signal.as_deref(), Some("complexity"));
    assert_eq!(text, "What is the complexity?");
}

#[test]
fn an_answer_showing_every_probed_signal_moves_straight_on() {
    let session = given(&[(T0, Input::Begin)]);
    let events = when(
        &session,
        T0 + 1,
        answer("It is O(n) and handles the empty edge case."),
    );
    assert_eq!(
        names(&events),
        vec!["answered", "question_closed", "prompted"]
    );
    assert!(matches!(
        &events[2],
        Event::Prompted {
            question: 1,
            kind: PromptKind::Question,
            ..
        }
    ));
}

#[test]
fn follow_ups_stop_at_the_round_budget() {
    let session = given(&[(T0, Input::Begin), (T0 + 1, answer("Loop over it."))]);
    let events = when(&session, T0 + 2, answer("Not sure."));
    assert_eq!(
        names(&events),
        vec!["answered", "question_closed", "prompted"]
    );
}

#[test]
fn the_last_question_of_a_round_starts_the_next_round() {
    let session = given(&[(T0, Input::Begin), (T0 + 1, Input::Skip)]);
    let events = when(&session, T0 + 2, Input::Skip);
    assert_eq!(
        names(&events),
        vec![
            "question_closed",
            "round_ended",
            "round_started",
            "prompted"
        ]
    );
}

#[test]
fn the_last_round_ends_the_interview_and_waits_for_grades() {
    let session = given(&[(T0, Input::Begin), (T0, Input::Skip), (T0, Input::Skip)]);
    let events = when(&session, T0 + 5, Input::Skip);
    assert_eq!(
        names(&events),
        vec!["question_closed", "round_ended", "interview_ended"]
    );
    let mut session = session;
    events.iter().for_each(|e| session.apply(e).unwrap());
    assert_eq!(session.phase(), &Phase::Grading);
    assert_eq!(session.ungraded().count(), 3);
}

#[test]
fn the_final_grade_completes_the_session() {
    let mut session = given(&[
        (T0, Input::Begin),
        (T0, Input::Skip),
        (T0, Input::Skip),
        (T0, Input::Skip),
    ]);
    let pending: Vec<(usize, usize)> = session.ungraded().map(|r| (r.round, r.question)).collect();
    for (i, (round, question)) in pending.iter().copied().enumerate() {
        let q = &session.plan().rounds[round].questions[question];
        let score = OfflineGrader.score(GradeRequest {
            rubric: &rubric(),
            question: q,
            answers: &[],
            hints: &[],
        });
        let events = when(
            &session,
            T0 + 10,
            Input::Graded {
                round,
                question,
                score: Box::new(score),
            },
        );
        let last = i == pending.len() - 1;
        assert_eq!(
            names(&events),
            if last {
                vec!["scored", "completed"]
            } else {
                vec!["scored"]
            }
        );
        events.iter().for_each(|e| session.apply(e).unwrap());
    }
    assert_eq!(session.phase(), &Phase::Finished);
}

#[test]
fn a_question_still_open_cannot_be_graded() {
    let session = given(&[(T0, Input::Begin)]);
    let score = OfflineGrader.score(GradeRequest {
        rubric: &rubric(),
        question: &question("q1"),
        answers: &[],
        hints: &[],
    });
    assert_eq!(
        session.handle(
            T0,
            Input::Graded {
                round: 0,
                question: 0,
                score: Box::new(score)
            }
        ),
        Err(InterviewError::NotGradable {
            round: 0,
            question: 0
        })
    );
}

#[test]
fn repeat_re_sends_the_current_prompt_without_a_new_turn() {
    let session = given(&[(T0, Input::Begin), (T0 + 1, answer("I would loop."))]);
    let events = when(&session, T0 + 2, Input::Repeat);
    assert!(matches!(
        &events[..],
        [Event::Prompted { kind: PromptKind::FollowUp, repeat: true, text, .. }] if text == "What is the complexity?"
    ));
    let mut after = session.clone();
    after.apply(&events[0]).unwrap();
    assert_eq!(after.records()[0].turns.len(), 2);
}

#[test]
fn repeat_after_a_hint_says_the_question_again_not_the_hint() {
    let session = given(&[(T0, Input::Begin), (T0 + 1, Input::Hint)]);
    let question = session.records()[0].turns[0].prompt.clone();
    let events = when(&session, T0 + 2, Input::Repeat);
    assert!(
        matches!(
            &events[..],
            [Event::Prompted { kind: PromptKind::Question, repeat: true, text, .. }] if *text == question
        ),
        "{events:?}"
    );
}

#[test]
fn repeats_are_capped_per_question_and_the_count_starts_over_on_the_next() {
    let mut session = given(&[(T0, Input::Begin)]);
    let mut at = T0 + 1;
    for _ in 0..MAX_REPEATS {
        let events = when(&session, at, Input::Repeat);
        assert_eq!(events.len(), 1);
        session.apply(&events[0]).unwrap();
        at += 1;
    }
    assert_eq!(
        session.handle(at, Input::Repeat),
        Err(InterviewError::NoMoreRepeats)
    );
    // A new question may be repeated again.
    for event in session.handle(at, Input::Skip).unwrap() {
        session.apply(&event).unwrap();
    }
    if matches!(session.phase(), Phase::Active(_)) {
        assert_eq!(when(&session, at + 1, Input::Repeat).len(), 1);
    }
}

#[test]
fn an_event_copies_only_the_record_it_changes() {
    // q1 is answered and skipped; q2 is open.
    let mut session = given(&[
        (T0, Input::Begin),
        (T0 + 1, answer("A loop over the array.")),
        (T0 + 2, Input::Skip),
    ]);
    let before = session.clone();
    for event in when(&session, T0 + 3, answer("A hash map.")) {
        session.apply(&event).unwrap();
    }
    let (old, new) = (before.records(), session.records());
    assert!(Arc::ptr_eq(&old[0], &new[0]), "q1's transcript was copied");
    assert!(!Arc::ptr_eq(&old[1], &new[1]));
    assert_eq!(old[1].answers(), Vec::<String>::new());
    assert_eq!(new[1].answers(), vec!["A hash map.".to_owned()]);
}

#[test]
fn illegal_moves_are_typed_errors() {
    let lobby = given(&[]);
    assert_eq!(
        lobby.handle(T0, answer("hi")),
        Err(InterviewError::NotAllowed {
            input: "answer",
            phase: "lobby"
        })
    );
    let active = given(&[(T0, Input::Begin)]);
    assert_eq!(
        active.handle(T0, Input::Begin),
        Err(InterviewError::NotAllowed {
            input: "begin",
            phase: "active"
        })
    );
    assert_eq!(
        active.handle(T0, Input::Resume),
        Err(InterviewError::NotAllowed {
            input: "resume",
            phase: "active"
        })
    );
    assert_eq!(
        active.handle(T0, answer("   ")),
        Err(InterviewError::EmptyAnswer)
    );
    let paused = given(&[
        (T0, Input::Begin),
        (T0, Input::Pause(PauseReason::Candidate)),
    ]);
    assert_eq!(
        paused.handle(T0, answer("x")),
        Err(InterviewError::NotAllowed {
            input: "answer",
            phase: "paused"
        })
    );
}

#[test]
fn sessions_loaded_from_separately_stored_equal_plans_share_questions_and_rubrics() {
    // Decoded twice, as two sessions' `Created` events are from the store.
    let json = serde_json::to_string(&Session::create(T0, plan())).unwrap();
    let load = || {
        let event: Event = serde_json::from_str(&json).unwrap();
        Session::replay([&StoredEvent { seq: 1, event }]).unwrap()
    };
    let (a, b) = (load(), load());
    let (ra, rb) = (&a.plan().rounds[0], &b.plan().rounds[0]);
    assert!(Arc::ptr_eq(&ra.rubric, &rb.rubric), "one rubric in memory");
    for (qa, qb) in ra.questions.iter().zip(&rb.questions) {
        assert!(Arc::ptr_eq(qa, qb), "one copy of question {}", qa.id);
    }
    // An edited question (a new content version) is its own copy.
    let mut edited = plan();
    Arc::make_mut(&mut edited.rounds[0].questions[0])
        .text
        .push_str(" Edited.");
    let c = Session::replay([&StoredEvent {
        seq: 1,
        event: Session::create(T0, edited),
    }])
    .unwrap();
    assert!(!Arc::ptr_eq(
        &ra.questions[0],
        &c.plan().rounds[0].questions[0]
    ));
    assert!(c.plan().rounds[0].questions[0].text.ends_with(" Edited."));
}

#[test]
fn replaying_the_events_reproduces_the_state() {
    let inputs = [
        (T0, Input::Begin),
        (T0 + 1, answer("Loop.")),
        (T0 + 2, Input::Pause(PauseReason::Disconnected)),
        (T0 + 9, Input::Resume),
        (T0 + 10, answer("O(n).")),
    ];
    let created = StoredEvent {
        seq: 1,
        event: Session::create(T0, plan()),
    };
    let mut log = vec![created.clone()];
    let mut live = Session::replay([&created]).unwrap();
    for (at, input) in inputs {
        for event in live.handle(at, input).unwrap() {
            live.apply(&event).unwrap();
            log.push(StoredEvent {
                seq: live.seq(),
                event,
            });
        }
    }
    let replayed = Session::replay(&log).unwrap();
    assert_eq!(replayed, live);
    assert_eq!(replayed.seq(), log.len() as u64);
}

#[test]
fn a_log_that_does_not_start_with_created_is_rejected() {
    let stray = StoredEvent {
        seq: 1,
        event: Event::Completed { at: T0 },
    };
    assert_eq!(Session::replay([&stray]), Err(InterviewError::NotCreated));
}

mod llm_turns;
mod pacing;
mod props;
mod time;
mod values_aside;

fn test_run(passed: usize) -> Box<crate::outcome::TestRun> {
    Box::new(crate::outcome::TestRun {
        language: crate::content::CodeLanguage::Python,
        code: "def f(): pass".into(),
        status: crate::outcome::test_run::RunStatus::Completed,
        passed,
        total: 2,
        cases: vec![],
        message: None,
        output: String::new(),
        duration_ms: 5,
    })
}

#[test]
fn a_test_run_is_recorded_on_the_open_question_and_replays() {
    let session = given(&[(T0, Input::Begin)]);
    let ran = Input::TestsRun {
        round: 0,
        question: 0,
        run: test_run(1),
    };
    let events = when(&session, T0 + 1, ran);
    assert_eq!(names(&events), ["tests_run"]);
    let mut after = session.clone();
    after.apply(&events[0]).unwrap();
    assert_eq!(after.record(0, 0).unwrap().test_runs[0].passed, 1);
    // Still the same question: the run changes nothing else.
    assert_eq!(after.phase(), session.phase());
}

#[test]
fn a_test_run_for_a_closed_question_is_refused() {
    let session = given(&[(T0, Input::Begin), (T0 + 1, Input::Skip)]);
    let error = session
        .handle(
            T0 + 2,
            Input::TestsRun {
                round: 0,
                question: 0,
                run: test_run(2),
            },
        )
        .unwrap_err();
    assert_eq!(
        error,
        InterviewError::QuestionClosed {
            round: 0,
            question: 0
        }
    );
}
