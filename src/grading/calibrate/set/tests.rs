use super::*;

fn catalog() -> Catalog {
    Catalog::embedded().unwrap()
}

fn parse(text: &str) -> Result<CalibrationSet, SetErrors> {
    CalibrationSet::parse("set.toml", text, &catalog())
}

const GOOD: &str = r#"
[[items]]
id = "a"
question = "values-failure-growth-mindset"
label = 4
tags = ["plain"]
answers = ["I shipped late.", "I learned to plan."]
[items.dimensions]
star_structure = 3

[[items]]
id = "b"
question = "coding-three-sum"
label = 1
tags = ["adversarial", "empty"]
answers = []
"#;

#[test]
fn a_valid_set_parses_into_typed_items_with_their_rubric() {
    let set = parse(GOOD).unwrap();
    assert_eq!(set.items.len(), 2);
    let a = &set.items[0];
    assert_eq!(a.kind, RoundKind::Values);
    assert_eq!(a.rubric.kind, RoundKind::Values);
    assert_eq!(a.question.id, "values-failure-growth-mindset");
    assert_eq!(a.label, 4);
    assert_eq!(a.answers.len(), 2);
    assert_eq!(a.dimensions.get("star_structure"), Some(&3));
    assert!(!a.is_adversarial());
    let b = &set.items[1];
    assert_eq!(b.kind, RoundKind::Coding);
    assert!(b.answers.is_empty());
    assert!(b.is_adversarial());
}

#[test]
fn every_problem_names_the_line_the_item_and_the_field() {
    let text = r#"
[[items]]
id = "a"
question = "no-such-question"
label = 5
answers = ["x"]

[[items]]
id = "a"
question = "values-hard-feedback"
label = 2
tags = ["Bad Tag"]
answers = ["x"]
[items.dimensions]
star_structure = 0
vibes = 2
"#;
    let errors = parse(text).unwrap_err().to_string();
    for expected in [
        r#"set.toml:4: item "a": question: no question with id "no-such-question""#,
        r#"set.toml:5: item "a": label: must be a level from 1 to 4, not 5"#,
        r#"set.toml:9: item "a": id: duplicate item id "a""#,
        r#"set.toml:12: item "a": tags: "Bad Tag" is not a tag"#,
        r#"item "a": dimensions.star_structure: must be a level from 1 to 4, not 0"#,
        r#"item "a": dimensions.vibes: rubric "values" has no dimension "vibes""#,
    ] {
        assert!(
            errors.contains(expected),
            "missing {expected:?} in:\n{errors}"
        );
    }
}

#[test]
fn unknown_fields_and_bad_toml_are_errors_with_a_line() {
    let errors = parse("[[items]]\nid = \"a\"\nquestion = \"values-hard-feedback\"\nlabel = 2\nanswers = []\nscore = 3\n")
        .unwrap_err();
    let text = errors.to_string();
    assert!(text.contains("unknown field `score`"), "{text}");
    assert!(text.starts_with("set.toml:"), "{text}");
    let errors = parse("[[items]\n").unwrap_err();
    assert_eq!(errors.0[0].line, 1, "{errors}");
    let errors = parse("items = []\n").unwrap_err();
    assert!(errors.to_string().contains("the set has no items"));
}
