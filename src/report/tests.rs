use super::*;

#[test]
fn verdicts_follow_the_documented_thresholds() {
    let cases = [
        (1.0, Verdict::StrongNoHire),
        (1.74, Verdict::StrongNoHire),
        (1.75, Verdict::NoHire),
        (2.49, Verdict::NoHire),
        (2.5, Verdict::Hire),
        (3.24, Verdict::Hire),
        (3.25, Verdict::StrongHire),
        (4.0, Verdict::StrongHire),
    ];
    for (overall, verdict) in cases {
        assert_eq!(Verdict::from_overall(overall), verdict, "{overall}");
    }
}

#[test]
fn the_verdict_is_judged_at_the_loops_band_and_says_its_level() {
    let mid = Verdict::at_band(2.6, Band::Mid, false);
    assert_eq!(mid.at_level("SDE II"), "Hire at SDE II");
    let senior = Verdict::at_band(2.6, Band::Senior, false);
    assert_eq!(senior.at_level("Senior SE"), "Below the bar for Senior SE");
    assert_eq!(
        Verdict::at_band(3.0, Band::Principal, false).at_level("Principal"),
        "Hire at Principal"
    );
    // A missed dimension bar is below the bar whatever the overall.
    assert_eq!(Verdict::at_band(3.6, Band::Senior, true), Verdict::NoHire);
    assert_eq!(
        Verdict::at_band(3.6, Band::Mid, false).at_level("Any"),
        "Strong hire"
    );
}

fn answer(kind: RoundKind, title: &str, levels: &[(&str, u8)]) -> AnswerReport {
    AnswerReport {
        round: 0,
        round_kind: kind,
        question_id: title.to_lowercase(),
        question_title: title.into(),
        question: title.into(),
        answer: String::new(),
        turns: vec![],
        hints: 0,
        skipped: false,
        closed: None,
        overall: Some(2.0),
        not_assessed: None,
        grader: None,
        model: None,
        fallback: false,
        fallback_reason: None,
        injection_suspected: false,
        suspect_quotes: vec![],
        strengths: vec![],
        improvements: vec![],
        key_points: vec![],
        outline: vec![],
        estimate: false,
        rubric: None,
        scores: 1,
        regraded: false,
        dimensions: levels
            .iter()
            .map(|(id, level)| DimensionScore {
                id: (*id).into(),
                name: (*id).into(),
                level: *level,
                evidence: vec![],
                feedback: format!("{id} at {level}"),
            })
            .collect(),
        tests: None,
    }
}

#[test]
fn three_things_to_work_on_are_ranked_by_weight_times_gap_and_point_at_answers() {
    let catalog = crate::content::Catalog::embedded().unwrap();
    let mut plan =
        crate::engine::Plan::build(&catalog, "microsoft-backend-sde2", Default::default(), 1)
            .unwrap();
    plan.band = Band::Senior;
    let design = plan
        .rounds
        .iter()
        .find(|r| r.kind == RoundKind::Design)
        .unwrap();
    let weight = |id: &str| {
        design
            .rubric
            .dimensions
            .iter()
            .find(|d| d.id == id)
            .unwrap()
            .weight
    };
    let answers = vec![
        answer(
            RoundKind::Design,
            "Rate limiter",
            &[("tradeoffs", 2), ("reliability", 1), ("requirements", 3)],
        ),
        answer(
            RoundKind::Design,
            "Payments",
            &[("tradeoffs", 3), ("reliability", 2), ("requirements", 4)],
        ),
    ];
    let work = work_on(&plan, &answers);
    assert!(work.len() <= 3);
    let reliability = work.iter().find(|w| w.dimension == "reliability").unwrap();
    assert_eq!(reliability.average, 1.5);
    assert!((reliability.priority - round2(weight("reliability") * 1.5)).abs() < 1e-9);
    assert_eq!(reliability.answers, vec![0, 1]);
    assert_eq!(
        reliability.advice, "reliability at 1",
        "the weakest answer's feedback"
    );
    // Senior's bar for trade-offs is 3: the answer at 2 falls short.
    let tradeoffs = work.iter().find(|w| w.dimension == "tradeoffs").unwrap();
    assert_eq!(tradeoffs.questions, vec!["Rate limiter".to_owned()]);
    assert!(work.iter().all(|w| w.dimension != "requirements"));
    assert!(
        work.windows(2).all(|w| w[0].priority >= w[1].priority),
        "ranked"
    );
}

#[test]
fn the_questions_a_weakness_was_seen_in_end_as_one_sentence() {
    let work_on = |questions: &[&str]| WorkOn {
        round_kind: RoundKind::Screen,
        dimension: "depth".into(),
        name: "Depth".into(),
        average: 1.0,
        priority: 1.0,
        advice: String::new(),
        questions: questions.iter().map(|q| (*q).to_owned()).collect(),
        answers: vec![],
    };
    assert_eq!(work_on(&["Caching"]).seen_in(), "Caching.");
    assert_eq!(
        work_on(&["Caching", "Threads or an event loop?"]).seen_in(),
        "Caching; Threads or an event loop?"
    );
}
