//! Finding a rubric's signals in an answer, sentence by sentence.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::content::{Rubric, Signal};

use super::text::{sentences, words};

/// One sentence of an answer, tokenised once for every signal test.
pub struct Sentence<'a> {
    pub text: &'a str,
    pub range: Range<usize>,
    words: Vec<String>,
}

impl<'a> Sentence<'a> {
    pub fn split(answer: &'a str) -> Vec<Sentence<'a>> {
        sentences(answer)
            .into_iter()
            .map(|range| {
                let text = &answer[range.clone()];
                Sentence {
                    text,
                    range,
                    words: words(text),
                }
            })
            .collect()
    }

    pub fn shows(&self, signal: &Signal) -> bool {
        signal.patterns.iter().any(|p| p.occurs_in(&self.words))
    }

    pub fn word_count(&self) -> usize {
        self.words.len()
    }
}

/// The ids of the rubric's signals found anywhere in `answers`.
pub fn detect<'r, S: AsRef<str>>(rubric: &'r Rubric, answers: &[S]) -> BTreeSet<&'r str> {
    let split: Vec<Vec<Sentence<'_>>> = answers
        .iter()
        .map(|a| Sentence::split(a.as_ref()))
        .collect();
    rubric
        .signals()
        .filter(|signal| split.iter().flatten().any(|s| s.shows(signal)))
        .map(|signal| signal.id.as_str())
        .collect()
}
