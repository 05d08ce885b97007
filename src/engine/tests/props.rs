//! Property tests: any sequence of inputs, at any times, keeps the engine's
//! promises. Decisions never panic, the log stays gapless, and replaying the
//! stored log (through JSON, as the store keeps it) rebuilds the same state.

use proptest::prelude::*;

use crate::outcome::AnswerScore;

use super::*;

/// What the outside world may do next, including what a buggy or hostile
/// driver might (grade a question that was never asked, resume twice).
#[derive(Clone, Debug)]
enum Step {
    Input(Input),
    /// Grade the first closed question with no score yet, as the driver does.
    GradeNext,
    /// Grade any (round, question), closed or not, known or not.
    GradeAny(usize, usize),
}

fn answers() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("   \n\t".to_owned()),
        "\\PC{0,80}",
        // Answers that show the rubric's signals, so follow-ups are skipped.
        Just("The complexity is O(n) and the edge cases are empty input.".to_owned()),
    ]
}

fn steps() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => Just(Step::Input(Input::Begin)),
        6 => answers().prop_map(|a| Step::Input(Input::Answer(Answer::typed(a)))),
        2 => Just(Step::Input(Input::Skip)),
        1 => Just(Step::Input(Input::Repeat)),
        1 => prop_oneof![Just(PauseReason::Candidate), Just(PauseReason::Disconnected)]
            .prop_map(|r| Step::Input(Input::Pause(r))),
        1 => Just(Step::Input(Input::Resume)),
        1 => Just(Step::Input(Input::Disconnected)),
        1 => Just(Step::Input(Input::Ready)),
        3 => Just(Step::Input(Input::Tick)),
        1 => Just(Step::Input(Input::Hint)),
        // The words for an LLM turn, whether or not one is pending.
        2 => "\\PC{0,40}".prop_map(|text| Step::Input(Input::Composed {
            text,
            source: Box::new(TurnSource {
                by: Author::Llm,
                fallback: None,
                model: None,
                usage: None,
                first_token_ms: Some(5),
                full_ms: 9,
            }),
        })),
        3 => Just(Step::GradeNext),
        1 => (0usize..4, 0usize..4).prop_map(|(r, q)| Step::GradeAny(r, q)),
    ]
}

/// Time moves forward by up to 12 minutes a step: rounds last 10, so some
/// steps cross a warning or a deadline.
fn timed_steps() -> impl Strategy<Value = Vec<(EpochMs, Step)>> {
    proptest::collection::vec((0..12 * MIN, steps()), 0..60)
}

fn score_for(session: &Session, round: usize, question: usize) -> Box<AnswerScore> {
    let plan = session.plan();
    let q = plan
        .rounds
        .get(round)
        .and_then(|r| r.questions.get(question))
        .cloned()
        .unwrap_or_else(|| super::question("unknown").into());
    Box::new(OfflineGrader.score(GradeRequest {
        rubric: &rubric(),
        question: &q,
        answers: &[],
        hints: &[],
    }))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn any_input_sequence_keeps_the_log_gapless_and_replayable(steps in timed_steps(), llm_turns in any::<bool>()) {
        let mut plan = plan();
        plan.llm_turns = llm_turns;
        let mut log = vec![StoredEvent { seq: 1, event: Session::create(T0, plan) }];
        let mut session = Session::replay(&log).unwrap();
        let mut now = T0;
        for (elapsed, step) in steps {
            now += elapsed;
            let input = match step {
                Step::Input(input) => input,
                Step::GradeNext => {
                    let Some((round, question)) =
                        session.ungraded().next().map(|r| (r.round, r.question))
                    else {
                        continue;
                    };
                    let score = score_for(&session, round, question);
                    Input::Graded { round, question, score }
                }
                Step::GradeAny(round, question) => {
                    let score = score_for(&session, round, question);
                    Input::Graded { round, question, score }
                }
            };
            // A refused input is an error (the driver tells the client).
            let Ok(events) = session.handle(now, input) else {
                continue;
            };
            for event in events {
                prop_assert!(session.apply(&event).is_ok(), "{:?} did not apply", event);
                prop_assert_eq!(session.seq(), log.len() as u64 + 1);
                log.push(StoredEvent { seq: session.seq(), event });
            }
        }
        let seqs: Vec<u64> = log.iter().map(|e| e.seq).collect();
        prop_assert_eq!(seqs, (1..=log.len() as u64).collect::<Vec<_>>());

        let json = serde_json::to_string(&log).unwrap();
        let stored: Vec<StoredEvent> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(Session::replay(&stored).unwrap(), session);
    }
}
