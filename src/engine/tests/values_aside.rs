//! The ML engineer loop's technical rounds each close with a values
//! question, as the seed's loop does: asked by the same interviewer, in the
//! round's own minutes, and never the same question twice in one plan.

use std::collections::HashSet;

use crate::content::{Catalog, RoundKind};
use crate::engine::plan::{Ask, Plan};

#[test]
fn each_technical_round_closes_with_its_own_values_question() {
    let catalog = Catalog::embedded().unwrap();
    let mle = catalog.find_loop("microsoft-mle").unwrap();
    let loop_minutes: u32 = mle.rounds.iter().map(|r| r.minutes).sum();
    for seed in 0..20 {
        let plan = Plan::build(&catalog, "microsoft-mle", Ask::default(), seed).unwrap();
        let kinds: Vec<RoundKind> = plan.rounds.iter().map(|r| r.kind).collect();
        use RoundKind::{Coding, MlCoding, MlDesign, Screen, Values};
        assert_eq!(
            kinds,
            [
                Screen, Coding, Values, MlCoding, Values, MlDesign, Values, Values
            ]
        );
        let planned: u32 = plan.rounds.iter().map(|r| r.minutes).sum();
        assert_eq!(planned, loop_minutes, "each slot keeps its length");
        for pair in plan.rounds.windows(2) {
            let [technical, closing] = pair else { continue };
            if technical.kind == Values || closing.kind != Values {
                continue;
            }
            assert_eq!(closing.persona, technical.persona, "the same interviewer");
            assert_eq!(closing.rubric.id, "values");
            assert_eq!(closing.questions.len(), 1);
            assert_eq!(closing.title, format!("{}: core values", technical.title));
        }
        let values: Vec<&str> = plan
            .rounds
            .iter()
            .filter(|r| r.kind == Values)
            .flat_map(|r| r.questions.iter().map(|q| q.id.as_str()))
            .collect();
        let distinct: HashSet<&str> = values.iter().copied().collect();
        assert_eq!(distinct.len(), values.len(), "asked twice: {values:?}");
        // After the ML design round, a responsible AI question first.
        let after_design = &plan.rounds[6].questions[0];
        assert!(
            after_design.topics.iter().any(|t| t == "responsible-ai")
                || after_design
                    .topics
                    .iter()
                    .any(|t| t == "customer-obsession"),
            "{}",
            after_design.id
        );
    }
}

#[test]
fn a_closing_values_question_this_browser_has_had_comes_last() {
    let catalog = Catalog::embedded().unwrap();
    let first = Plan::build(&catalog, "microsoft-mle", Ask::default(), 1).unwrap();
    let seen: Vec<String> = first.rounds[6]
        .questions
        .iter()
        .map(|q| q.id.clone())
        .collect();
    let ask = Ask {
        seen: &seen,
        ..Ask::default()
    };
    for seed in 0..20 {
        let plan = Plan::build(&catalog, "microsoft-mle", ask, seed).unwrap();
        assert_ne!(plan.rounds[6].questions[0].id, seen[0]);
    }
}
