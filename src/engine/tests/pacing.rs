//! Pacing: follow-ups chosen by the grader's reading of the answers, and
//! the words the interviewer says before the next prompt.

use super::*;
use crate::content::KeyPoint;
use crate::outcome::{Coverage, KeyPointResult};

/// A rubric of two dimensions, each with one signal the question probes.
fn two_dimensions() -> Rubric {
    let mut rubric = rubric();
    let edge_cases = rubric.dimensions[0].signals.pop().unwrap();
    rubric.dimensions.push(Dimension {
        id: "testing".into(),
        name: "Testing".into(),
        signals: vec![edge_cases],
        ..rubric.dimensions[0].clone()
    });
    rubric
}

fn paced_plan(max_follow_ups: u32, questions: &[&str]) -> Plan {
    let mut round = round("One", questions, max_follow_ups);
    round.rubric = two_dimensions().into();
    round.questions = questions
        .iter()
        .map(|id| {
            let mut q = question(id);
            q.key_points = vec![
                KeyPoint {
                    dimension: "analysis".into(),
                    text: "A hash map gives O(n) time".into(),
                },
                KeyPoint {
                    dimension: "testing".into(),
                    text: "Tests cover the empty input and duplicates".into(),
                },
            ];
            q.into()
        })
        .collect();
    Plan {
        rounds: vec![round],
        ..plan()
    }
}

fn point(dimension: &str, status: Coverage, quote: Option<&str>) -> KeyPointResult {
    KeyPointResult {
        text: format!("{dimension} point"),
        dimension: dimension.into(),
        status,
        quote: quote.map(str::to_owned),
    }
}

fn read(text: &str, coverage: Vec<KeyPointResult>) -> Input {
    Input::Answer(Answer {
        text: text.into(),
        speech: None,
        coverage: Some(coverage),
    })
}

fn prompted(events: &[Event]) -> (&PromptKind, &str, Option<&str>) {
    events
        .iter()
        .find_map(|e| match e {
            Event::Prompted {
                kind, text, lead, ..
            } => Some((kind, text.as_str(), lead.as_deref())),
            _ => None,
        })
        .expect("a prompt")
}

#[test]
fn a_follow_up_never_asks_for_what_the_reading_says_is_covered() {
    let session = given_plan(paced_plan(3, &["q1"]), &[(T0, Input::Begin)]);
    // No signal phrase for complexity, but the grader read it as covered:
    // asking "What is the complexity?" now would ask for what was just said.
    let events = when(
        &session,
        T0 + 1,
        read(
            "A map from value to count makes it a single linear pass.",
            vec![
                point("analysis", Coverage::Covered, Some("a single linear pass")),
                point("testing", Coverage::Missed, None),
            ],
        ),
    );
    let (kind, text, lead) = prompted(&events);
    assert_eq!(*kind, PromptKind::FollowUp);
    assert_eq!(text, "Which edge cases?");
    assert!(
        lead.is_some_and(|l| !l.is_empty()),
        "an acknowledgement first"
    );
}

#[test]
fn a_point_only_mentioned_is_pressed_in_the_candidates_own_words() {
    let session = given_plan(
        paced_plan(3, &["q1"]),
        &[
            (T0, Input::Begin),
            (
                T0 + 1,
                read(
                    "It runs in O(n).",
                    vec![
                        point("analysis", Coverage::Covered, Some("It runs in O(n).")),
                        point("testing", Coverage::Missed, None),
                    ],
                ),
            ),
        ],
    );
    // The edge-case probe was asked; the answer names an edge case (its
    // signal phrase) without saying what the code does about it.
    let events = when(
        &session,
        T0 + 2,
        read(
            "I would add some tests for the empty edge case.",
            vec![
                point("analysis", Coverage::Covered, Some("It runs in O(n).")),
                point(
                    "testing",
                    Coverage::Mentioned,
                    Some("I would add some tests for the empty edge case."),
                ),
            ],
        ),
    );
    let (kind, text, _) = prompted(&events);
    assert_eq!(*kind, PromptKind::FollowUp);
    assert!(
        text.starts_with(
            "You mentioned \u{201c}I would add some tests for the empty edge case\u{201d}."
        ),
        "{text}"
    );
}

#[test]
fn a_thin_answer_that_covers_nothing_is_asked_to_go_deeper_once() {
    let mut plan = paced_plan(3, &["q1", "q2"]);
    Arc::make_mut(&mut plan.rounds[0].questions[0])
        .probes
        .clear();
    let session = given_plan(plan, &[(T0, Input::Begin)]);
    let nothing = || {
        vec![
            point("analysis", Coverage::Missed, None),
            point("testing", Coverage::Missed, None),
        ]
    };
    let events = when(&session, T0 + 1, read("Use a loop.", nothing()));
    let (kind, text, _) = prompted(&events);
    assert_eq!(*kind, PromptKind::FollowUp);
    assert!(text.starts_with("Can you go deeper"), "{text}");

    let mut session = session;
    for event in events {
        session.apply(&event).unwrap();
    }
    let events = when(&session, T0 + 2, read("A loop over it.", nothing()));
    let (kind, _, lead) = prompted(&events);
    assert_eq!(*kind, PromptKind::Question, "asked once, then it moves on");
    assert_eq!(
        lead,
        Some("Let's leave analysis there; I want to make sure we get to the next question.")
    );
}

#[test]
fn moving_on_says_why() {
    let covered = || {
        vec![
            point("analysis", Coverage::Covered, None),
            point("testing", Coverage::Covered, None),
        ]
    };
    let session = given_plan(paced_plan(3, &["q1", "q2"]), &[(T0, Input::Begin)]);
    let events = when(
        &session,
        T0 + 1,
        read("O(n), and the empty edge case.", covered()),
    );
    assert_eq!(
        prompted(&events),
        (
            &PromptKind::Question,
            "Question q2?",
            Some("Thanks, that covers what I wanted to ask about this one.")
        )
    );

    // Follow-ups spent with testing still missing.
    let session = given_plan(paced_plan(0, &["q1", "q2"]), &[(T0, Input::Begin)]);
    let gap = vec![
        point("analysis", Coverage::Covered, None),
        point("testing", Coverage::Missed, None),
    ];
    let events = when(&session, T0 + 1, read("It runs in O(n).", gap.clone()));
    assert_eq!(
        prompted(&events).2,
        Some("Let's leave testing there; I want to make sure we get to the next question.")
    );

    // Half of a two-question, ten-minute round gone on the first question:
    // the rest is the second one's.
    let events = when(&session, T0 + 5 * MIN, read("It runs in O(n).", gap));
    let session = given_plan(paced_plan(3, &["q1", "q2"]), &[(T0, Input::Begin)]);
    let late = when(
        &session,
        T0 + 5 * MIN,
        read(
            "It runs in O(n).",
            vec![
                point("analysis", Coverage::Covered, None),
                point("testing", Coverage::Missed, None),
            ],
        ),
    );
    assert_eq!(prompted(&events).0, &PromptKind::Question);
    assert_eq!(
        prompted(&late),
        (
            &PromptKind::Question,
            "Question q2?",
            Some("Let's leave testing there; we need the time for the next question.")
        )
    );
}

#[test]
fn a_story_is_asked_for_what_happened_and_an_acronym_keeps_its_capitals() {
    let mut plan = paced_plan(3, &["q1", "q2"]);
    let round = &mut plan.rounds[0];
    round.kind = RoundKind::Values;
    let rubric = Arc::make_mut(&mut round.rubric);
    rubric.dimensions[0].name = "STAR structure".into();
    Arc::make_mut(&mut round.questions[0]).probes.clear();
    let session = given_plan(plan.clone(), &[(T0, Input::Begin)]);
    let nothing = vec![
        point("analysis", Coverage::Missed, None),
        point("testing", Coverage::Missed, None),
    ];
    let events = when(&session, T0 + 1, read("We shipped it.", nothing.clone()));
    assert!(
        prompted(&events).1.contains("what happened as a result"),
        "{events:?}"
    );

    plan.rounds[0].max_follow_ups = 0;
    let session = given_plan(plan, &[(T0, Input::Begin)]);
    let events = when(&session, T0 + 1, read("We shipped it.", nothing));
    assert_eq!(
        prompted(&events).2,
        Some("Let's leave STAR structure there; I want to make sure we get to the next question.")
    );
}

#[test]
fn without_a_reading_moving_on_names_no_dimension() {
    let session = given_plan(paced_plan(0, &["q1", "q2"]), &[(T0, Input::Begin)]);
    let events = when(&session, T0 + 1, answer("It runs in O(n)."));
    assert_eq!(
        prompted(&events).2,
        Some("Let's leave it there; I want to make sure we get to the next question.")
    );
}
