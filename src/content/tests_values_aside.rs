//! A technical round that closes with a values question: the table that
//! says so, and what is refused.

use super::tests::{BANK, RUBRIC, build_with, only_error, replace};
use super::{RoundKind, ValuesAside};

const LOOP: &str = "prompts/loops/mini.toml";
const ROUND_END: &str = "intro = \"i\"\n";

/// The mini catalog with a values rubric and bank beside its coding ones,
/// its one round 45 minutes long and followed by `aside`, then `edit`ed.
fn with_aside(
    aside: &str,
    edit: impl FnOnce(&mut Vec<(&'static str, String)>),
) -> Result<super::Catalog, super::ContentErrors> {
    let as_values = |text: &str| {
        text.replacen("id = \"coding\"", "id = \"values\"", 1)
            .replacen("kind = \"coding\"", "kind = \"values\"", 1)
            .replacen("coding-a", "values-a", 1)
    };
    build_with(|f| {
        f.push(("rubrics/values.toml", as_values(RUBRIC)));
        f.push(("prompts/questions/values.toml", as_values(BANK)));
        replace(f, LOOP, "minutes = 5", "minutes = 45");
        replace(f, LOOP, ROUND_END, &format!("{ROUND_END}{aside}"));
        edit(f);
    })
}

fn aside(lines: &str) -> Result<super::Catalog, super::ContentErrors> {
    with_aside(&format!("[rounds.values]\n{lines}\n"), |_| {})
}

#[test]
fn a_round_may_close_with_a_values_question_scored_on_the_values_rubric() {
    let catalog = aside("minutes = 5\ntopics = [\"integrity\"]").unwrap();
    let round = &catalog.loops()[0].rounds[0];
    assert_eq!(round.kind, RoundKind::Coding);
    assert_eq!(
        round.values,
        Some(ValuesAside {
            minutes: 5,
            rubric: "values".into(),
            topics: vec!["integrity".into()],
        })
    );
    let plain = with_aside("", |_| {}).unwrap();
    assert_eq!(plain.loops()[0].rounds[0].values, None);
}

#[test]
fn a_closing_values_question_that_cannot_be_asked_is_refused_with_its_field() {
    let too_long = only_error(aside("minutes = 45"));
    assert_eq!(too_long.field, "rounds[0].values.minutes");
    assert!(too_long.message.contains("45"), "{}", too_long.message);
    let no_rubric = only_error(aside("minutes = 5\nrubric = \"culture\""));
    assert_eq!(no_rubric.field, "rounds[0].values.rubric");
    // The coding rubric exists but scores coding, not values.
    let wrong_kind = only_error(aside("minutes = 5\nrubric = \"coding\""));
    assert_eq!(wrong_kind.field, "rounds[0].values.rubric");
    let stray = only_error(aside("minutes = 5\nquestions = 2"));
    assert!(stray.message.contains("questions"), "{}", stray.message);
}

#[test]
fn a_values_round_does_not_close_with_another_values_question() {
    let error = only_error(with_aside("[rounds.values]\nminutes = 5\n", |f| {
        replace(f, LOOP, "kind = \"coding\"", "kind = \"values\"");
        replace(f, LOOP, "rubric = \"coding\"", "rubric = \"values\"");
    }));
    assert_eq!(error.field, "rounds[0].values");
}
