//! Plans: levels, drills, screens and each track's own round.

use super::*;

#[test]
fn a_drill_asks_one_question_as_its_loop_s_round_of_that_kind_would() {
    let catalog = Catalog::embedded().unwrap();
    let plan = Plan::drill(
        &catalog,
        "microsoft-backend-sde2",
        None,
        "coding-top-k-frequent-words",
    )
    .unwrap();
    let [round] = plan.rounds.as_slice() else {
        panic!("one round: {plan:?}")
    };
    assert_eq!(round.kind, crate::content::RoundKind::Coding);
    assert_eq!(round.questions.len(), 1);
    assert_eq!(round.questions[0].id, "coding-top-k-frequent-words");
    assert_eq!(round.rubric.id, "coding");
    assert_eq!(
        round.minutes, 22,
        "the coding round's 45 minutes over two questions"
    );
    assert_eq!(plan.title, "Again: Top k most frequent words");
    assert!(matches!(
        Plan::drill(&catalog, "microsoft-backend-sde2", None, "ml-coding-kmeans"),
        Err(PlanError::UnknownQuestion(..))
    ));
    assert!(matches!(
        Plan::drill(&catalog, "microsoft-backend-sde2", None, "no-such-question"),
        Err(PlanError::UnknownQuestion(..))
    ));
}

#[test]
fn a_level_sets_the_bar_the_follow_ups_and_which_questions_come_first() {
    use crate::content::{Band, Difficulty, RoundKind};
    let catalog = Catalog::embedded().unwrap();
    let design = |plan: &Plan| {
        let round = plan.rounds.iter().find(|r| r.kind == RoundKind::Design);
        round.unwrap().questions[0].difficulty
    };
    let at = |level| Ask {
        level: Some(level),
        ..Ask::default()
    };
    for seed in 0..20 {
        let mid = Plan::build(&catalog, "microsoft-backend-sde2", Ask::default(), seed).unwrap();
        assert_eq!((mid.level_id.as_str(), mid.band), ("sde2", Band::Mid));
        assert_ne!(design(&mid), Difficulty::Hard, "seed {seed}");
        let principal =
            Plan::build(&catalog, "microsoft-backend-sde2", at("principal"), seed).unwrap();
        assert_eq!(principal.level, "Principal SDE");
        assert_eq!(principal.band, Band::Principal);
        assert_eq!(design(&principal), Difficulty::Hard, "seed {seed}");
        for (m, p) in mid.rounds.iter().zip(&principal.rounds) {
            // A technical round's closing values question is a five-minute
            // aside at every level.
            let extra = if m.title.ends_with(": core values") {
                0
            } else {
                2
            };
            assert_eq!(p.max_follow_ups, m.max_follow_ups + extra, "{}", m.title);
        }
    }
    let drill = Plan::drill(
        &catalog,
        "microsoft-mle",
        Some("62"),
        "coding-top-k-frequent-words",
    )
    .unwrap();
    assert_eq!((drill.level_id.as_str(), drill.band), ("62", Band::Senior));
    assert_eq!(
        Plan::build(&catalog, "microsoft-mle", at("61"), 0),
        Err(PlanError::UnknownLevel {
            loop_id: "microsoft-mle".into(),
            level: "61".into(),
            allowed: vec!["60".into(), "62".into(), "63".into()],
        })
    );
}

#[test]
fn a_principal_gets_a_hard_question_of_the_track_s_own_kind_and_the_mid_level_does_not() {
    use crate::content::{Difficulty, RoundKind};
    let catalog = Catalog::embedded().unwrap();
    for (loop_id, kind, mid) in [
        ("microsoft-sre", RoundKind::Incident, "se2"),
        ("microsoft-security", RoundKind::ThreatModel, "se2"),
        (
            "microsoft-solutions-architect",
            RoundKind::CustomerArchitecture,
            "sa2",
        ),
    ] {
        for seed in 0..20 {
            let asked = |level| {
                let ask = Ask {
                    level: Some(level),
                    ..Ask::default()
                };
                let plan = Plan::build(&catalog, loop_id, ask, seed).unwrap();
                let round = plan.rounds.iter().find(|r| r.kind == kind).unwrap();
                assert_eq!(round.rubric.kind, kind);
                round.questions[0].difficulty
            };
            assert_eq!(asked("principal"), Difficulty::Hard, "{loop_id} {seed}");
            assert_ne!(asked(mid), Difficulty::Hard, "{loop_id} {seed}");
        }
    }
}

#[test]
fn the_solutions_architect_loop_meets_a_customer_after_a_screen_on_its_intro_s_topics() {
    use crate::content::RoundKind;
    let catalog = Catalog::embedded().unwrap();
    let loop_id = "microsoft-solutions-architect";
    for seed in 0..20 {
        let plan = Plan::build(&catalog, loop_id, Ask::default(), seed).unwrap();
        let kinds: Vec<RoundKind> = plan.rounds.iter().map(|r| r.kind).collect();
        assert_eq!(
            kinds,
            [
                RoundKind::Screen,
                RoundKind::CustomerArchitecture,
                RoundKind::Values,
                RoundKind::Design,
                RoundKind::Values,
                RoundKind::Values
            ]
        );
        let meeting = &plan.rounds[1];
        assert_eq!(meeting.rubric.id, "customer-architecture");
        assert_eq!(meeting.questions.len(), 1, "one customer, one hour");
        // The screen asks what its intro promises: the candidate's own
        // work and a data store choice, not the rest of the backend bank.
        let mut screen: Vec<&str> = plan.rounds[0]
            .questions
            .iter()
            .map(|q| q.id.as_str())
            .collect();
        screen.sort_unstable();
        assert_eq!(
            screen,
            ["screen-choosing-a-datastore", "screen-project-deep-dive"],
            "seed {seed}"
        );
    }
}

#[test]
fn a_phone_screen_asks_about_the_candidate_s_own_work_as_its_intro_promises() {
    let catalog = Catalog::embedded().unwrap();
    for loop_id in [
        "microsoft-backend-sde2",
        "microsoft-mle",
        "microsoft-sre",
        "microsoft-security",
        "microsoft-solutions-architect",
        "microsoft-data",
    ] {
        for seed in 0..20 {
            let plan = Plan::build(&catalog, loop_id, Ask::default(), seed).unwrap();
            let screen = &plan.rounds[0];
            let own_work = |q: &Arc<Question>| q.topics.iter().any(|t| t == "past-work");
            assert!(screen.intro.contains("built") || screen.intro.contains("past work"));
            assert_eq!(
                screen.questions.iter().filter(|q| own_work(q)).count(),
                1,
                "{loop_id}, seed {seed}: one question on the candidate's own work"
            );
            assert!(
                screen.questions.iter().any(|q| !own_work(q)),
                "{loop_id}, seed {seed}: and one on fundamentals"
            );
        }
    }
}

#[test]
fn the_data_loop_plans_a_data_design_round_hard_at_principal_and_not_at_de2() {
    use crate::content::{Difficulty, RoundKind};
    let catalog = Catalog::embedded().unwrap();
    for seed in 0..20 {
        let asked = |level| {
            let ask = Ask {
                level: Some(level),
                ..Ask::default()
            };
            let plan = Plan::build(&catalog, "microsoft-data", ask, seed).unwrap();
            let kinds: Vec<RoundKind> = plan.rounds.iter().map(|r| r.kind).collect();
            assert_eq!(
                kinds,
                [
                    RoundKind::Screen,
                    RoundKind::Coding,
                    RoundKind::Values,
                    RoundKind::DataDesign,
                    RoundKind::Values,
                    RoundKind::Design,
                    RoundKind::Values,
                    RoundKind::Values
                ]
            );
            let round = &plan.rounds[3];
            assert_eq!(round.rubric.id, "data-design");
            assert_eq!(
                round.minutes, 55,
                "the hour less the closing values question's five"
            );
            let [question] = round.questions.as_slice() else {
                panic!("one data design question: {round:?}")
            };
            assert!(question.id.starts_with("data-design-"), "{}", question.id);
            question.difficulty
        };
        assert_eq!(asked("principal"), Difficulty::Hard, "seed {seed}");
        assert_ne!(asked("de2"), Difficulty::Hard, "seed {seed}");
    }
}

#[test]
fn a_pm_or_tpm_screen_is_one_deep_dive_into_that_role_s_own_work_at_every_level() {
    // The screen bank's other questions are an engineer's project deep
    // dive and backend fundamentals: wrong for a product or program
    // manager, whatever they have seen before.
    let catalog = Catalog::embedded().unwrap();
    for (loop_id, topic) in [
        ("microsoft-pm", "past-work-product"),
        ("microsoft-tpm", "past-work-program"),
    ] {
        let deep_dives: Vec<String> = catalog
            .questions(crate::content::RoundKind::Screen)
            .iter()
            .filter(|q| q.topics.iter().any(|t| t == topic))
            .map(|q| q.id.clone())
            .collect();
        assert!(deep_dives.len() >= 2, "{topic}: {deep_dives:?}");
        let levels = catalog.find_loop(loop_id).unwrap().levels.clone();
        for level in &levels {
            for (seed, seen) in [(0, &[][..]), (1, &deep_dives[..1]), (7, &deep_dives[..])] {
                let ask = Ask {
                    level: Some(&level.id),
                    seen,
                    relevance: None,
                };
                let plan = Plan::build(&catalog, loop_id, ask, seed).unwrap();
                let [asked] = plan.rounds[0].questions.as_slice() else {
                    panic!("{loop_id} at {}: one screen question", level.id)
                };
                let at = format!("{loop_id} at {}, seen {seen:?}", level.id);
                assert!(deep_dives.contains(&asked.id), "{at}: {}", asked.id);
                if seen.len() == 1 {
                    assert_ne!(asked.id, seen[0], "{at}: the one not yet seen");
                }
            }
        }
    }
}

#[test]
fn an_engineer_s_screen_never_asks_about_a_product_or_program_they_managed() {
    // Even once the candidate has seen every engineering screen question,
    // the fallback is a repeat, not a product or program manager's deep dive.
    fn managed(q: &Question) -> bool {
        q.topics.iter().any(|t| t.starts_with("past-work-"))
    }
    let catalog = Catalog::embedded().unwrap();
    let screens = catalog.questions(crate::content::RoundKind::Screen);
    assert!(screens.iter().any(managed), "the bank has such deep dives");
    let all_seen: Vec<String> = screens
        .iter()
        .filter(|&q| !managed(q))
        .map(|q| q.id.clone())
        .collect();
    for loop_id in [
        "microsoft-backend-sde2",
        "microsoft-mle",
        "microsoft-sre",
        "microsoft-security",
    ] {
        let levels = catalog.find_loop(loop_id).unwrap().levels.clone();
        for level in &levels {
            for seed in 0..10 {
                for seen in [&[][..], &all_seen[..]] {
                    let ask = Ask {
                        level: Some(&level.id),
                        seen,
                        relevance: None,
                    };
                    let plan = Plan::build(&catalog, loop_id, ask, seed).unwrap();
                    for q in &plan.rounds[0].questions {
                        assert!(
                            !managed(q),
                            "{loop_id} at {}, seed {seed}: {}",
                            level.id,
                            q.id
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn a_tailored_loop_asks_the_most_relevant_unseen_question_of_each_round_first() {
    let catalog = Catalog::embedded().unwrap();
    let loop_id = "microsoft-backend-sde2";
    let designs = catalog.questions(RoundKind::Design);
    // The least likely by the plain order: the last design question.
    let wanted = &designs[designs.len() - 1].id;
    let relevance: std::collections::HashMap<String, f32> = designs
        .iter()
        .map(|q| (q.id.clone(), if &q.id == wanted { 0.9 } else { 0.2 }))
        .collect();
    for seed in 0..5 {
        let ask = Ask {
            relevance: Some(&relevance),
            ..Ask::default()
        };
        let plan = Plan::build(&catalog, loop_id, ask, seed).unwrap();
        let design = plan
            .rounds
            .iter()
            .find(|r| r.kind == RoundKind::Design)
            .unwrap();
        assert_eq!(&design.questions[0].id, wanted, "seed {seed}");
        // Seen questions still go last, however relevant.
        let seen = [wanted.clone()];
        let ask = Ask {
            seen: &seen,
            relevance: Some(&relevance),
            ..Ask::default()
        };
        let plan = Plan::build(&catalog, loop_id, ask, seed).unwrap();
        let design = plan
            .rounds
            .iter()
            .find(|r| r.kind == RoundKind::Design)
            .unwrap();
        assert_ne!(&design.questions[0].id, wanted, "seed {seed}");
    }
}
