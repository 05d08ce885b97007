//! The content loader: loops, question banks and rubrics as an operator (or
//! a careless edit) may leave them. A broken file is an error naming it.

use proptest::prelude::*;

use crate::content::{Catalog, ContentSource, SourceFile};

/// Edits at character positions, so the text stays valid UTF-8 as a file
/// read by the loader always is.
#[derive(Clone, Debug)]
enum Edit {
    Truncate(prop::sample::Index),
    Insert(prop::sample::Index, String),
    DeleteLine(prop::sample::Index),
    DuplicateLine(prop::sample::Index),
}

fn edit() -> impl Strategy<Value = Edit> {
    let index = any::<prop::sample::Index>();
    let junk = prop_oneof![
        "\\PC{1,20}",
        prop::sample::select(vec![
            "\n[[rounds]]\n",
            "\n[[questions]]\n",
            "\n[[dimensions]]\n",
            " = ",
            "\"",
            "\"\"\"",
            "[",
            "]",
            "-1",
            "99999999999999999999",
            "1e309",
            "nan",
            "inf",
            "\u{0}",
            "weight = 1.0\n",
            "minutes = 0\n",
            "questions = 4294967296\n",
            "thresholds = [4, 3, 2]\n",
            "patterns = [\"\"]\n",
            "patterns = [\"* # ?\"]\n",
        ])
        .prop_map(str::to_owned),
    ];
    prop_oneof![
        index.clone().prop_map(Edit::Truncate),
        (index.clone(), junk).prop_map(|(i, s)| Edit::Insert(i, s)),
        index.clone().prop_map(Edit::DeleteLine),
        index.prop_map(Edit::DuplicateLine),
    ]
}

fn edited(text: &str, edit: &Edit) -> String {
    let chars: Vec<char> = text.chars().collect();
    let lines: Vec<&str> = text.lines().collect();
    match edit {
        Edit::Truncate(i) => chars[..i.index(chars.len() + 1)].iter().collect(),
        Edit::Insert(i, s) => {
            let at = i.index(chars.len() + 1);
            chars[..at]
                .iter()
                .chain(s.chars().collect::<Vec<_>>().iter())
                .chain(&chars[at..])
                .collect()
        }
        Edit::DeleteLine(i) if !lines.is_empty() => {
            let at = i.index(lines.len());
            let mut lines = lines;
            lines.remove(at);
            lines.join("\n")
        }
        Edit::DuplicateLine(i) if !lines.is_empty() => {
            let at = i.index(lines.len());
            let mut lines = lines;
            lines.insert(at, lines[at]);
            lines.join("\n")
        }
        _ => text.to_owned(),
    }
}

proptest! {
    #![proptest_config(super::config())]

    #[test]
    fn a_damaged_content_file_loads_or_is_an_error_naming_a_file(
        file in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let source = ContentSource::embedded();
        let mut files: Vec<SourceFile> = source.files().to_vec();
        let target = file.index(files.len());
        for e in &edits {
            files[target].text = edited(&files[target].text, e);
        }
        match Catalog::build(&ContentSource::new(files)) {
            Ok(_) => {}
            Err(errors) => {
                prop_assert!(!errors.0.is_empty());
                prop_assert!(
                    errors.0.iter().all(|e| !e.file.is_empty() && !e.message.is_empty()),
                    "{:?}",
                    errors
                );
            }
        }
    }
}

/// Found by the property above: a file cut off inside its first question
/// gave a parse error with an empty message.
#[test]
fn every_truncation_of_a_bank_is_an_error_with_a_message() {
    let source = ContentSource::embedded();
    let bank = source
        .file("prompts/questions/values.toml")
        .expect("the values bank ships");
    for cut in (0..400).filter(|&c| bank.text.is_char_boundary(c)) {
        let mut files = source.files().to_vec();
        for f in files.iter_mut().filter(|f| f.path == bank.path) {
            f.text.truncate(cut);
        }
        if let Err(errors) = Catalog::build(&ContentSource::new(files)) {
            for e in &errors.0 {
                assert!(!e.message.is_empty(), "cut at {cut}: {e:?}");
            }
        }
    }
}
