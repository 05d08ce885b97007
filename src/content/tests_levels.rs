//! A loop's levels: the list form, the one-level shorthand, and what is
//! refused.

use super::tests::{build_with, only_error, replace};
use super::{Band, Level};

const LEVELS: &str = r#"levels = [
  { id = "mid", name = "Engineer II", band = "mid" },
  { id = "principal", name = "Principal Engineer", band = "principal" },
]"#;

fn with_levels(levels: &str) -> Result<super::Catalog, super::ContentErrors> {
    build_with(|f| replace(f, "prompts/loops/mini.toml", "level = \"II\"", levels))
}

#[test]
fn a_loop_lists_its_levels_and_the_first_is_its_default() {
    let catalog = with_levels(LEVELS).unwrap();
    let mini = &catalog.loops()[0];
    assert_eq!(mini.levels.len(), 2);
    assert_eq!(mini.level(None).unwrap().id, "mid");
    assert_eq!(
        mini.level(Some("principal")),
        Some(&Level {
            id: "principal".into(),
            name: "Principal Engineer".into(),
            band: Band::Principal,
        })
    );
    assert_eq!(mini.level(Some("staff")), None);
}

#[test]
fn a_loop_at_one_level_may_name_it_with_level_and_band() {
    let catalog = build_with(|f| {
        replace(
            f,
            "prompts/loops/mini.toml",
            "level = \"II\"",
            "level = \"SDE II\"\nband = \"senior\"",
        )
    })
    .unwrap();
    assert_eq!(
        catalog.loops()[0].levels,
        vec![Level {
            id: "sde-ii".into(),
            name: "SDE II".into(),
            band: Band::Senior,
        }]
    );
}

#[test]
fn bad_levels_are_refused_with_their_field() {
    let both = only_error(with_levels(&format!("level = \"II\"\n{LEVELS}")));
    assert_eq!(both.field, "level");
    let neither = only_error(with_levels(""));
    assert_eq!(neither.field, "levels");
    let twice = only_error(with_levels(
        r#"levels = [{ id = "mid", name = "A" }, { id = "mid", name = "B" }]"#,
    ));
    assert_eq!(twice.field, "levels[1].id");
    assert!(twice.message.contains("twice"), "{}", twice.message);
    let bad_id = only_error(with_levels(
        r#"levels = [{ id = "Senior SDE", name = "A" }]"#,
    ));
    assert_eq!(bad_id.field, "levels[0].id");
    let stray_band = only_error(with_levels(&format!("band = \"senior\"\n{LEVELS}")));
    assert_eq!(stray_band.field, "band");
}
