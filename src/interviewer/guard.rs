//! Guard rails on the model's words, in code rather than only in the
//! prompt: a turn that quotes a key point of the answer, runs long, or says
//! nothing is not used (the scripted interviewer's turn stands in).

use std::collections::HashSet;

use crate::interview::Fallback;

/// Key points shorter than this many words are too generic to call a
/// quote ("use a heap" could be any hint); longer ones are checked whole
/// and by n-grams.
const MIN_WHOLE_POINT_WORDS: usize = 3;

pub struct Guard {
    /// Every run of `n` consecutive words in a key point, less those the
    /// question itself says (repeating the question is no leak).
    ngrams: HashSet<Vec<String>>,
    /// Key points shorter than `n` words, matched whole.
    short_points: Vec<Vec<String>>,
    n: usize,
    max_chars: usize,
}

impl Guard {
    pub fn new<'a>(
        key_points: impl IntoIterator<Item = &'a str>,
        question: &str,
        n: usize,
        max_chars: usize,
    ) -> Guard {
        let n = n.max(1);
        let question_words = words(question);
        let said: HashSet<&[String]> = question_words.windows(n).collect();
        let mut ngrams = HashSet::new();
        let mut short_points = Vec::new();
        for point in key_points {
            let point = words(point);
            if point.len() < n {
                if point.len() >= MIN_WHOLE_POINT_WORDS {
                    short_points.push(point);
                }
                continue;
            }
            for gram in point.windows(n) {
                if !said.contains(gram) {
                    ngrams.insert(gram.to_vec());
                }
            }
        }
        Guard {
            ngrams,
            short_points,
            n,
            max_chars,
        }
    }

    /// What can be judged before the reply is complete: a leak, or length.
    pub fn check_partial(&self, text: &str) -> Result<(), Fallback> {
        if text.chars().count() > self.max_chars {
            return Err(Fallback::TooLong);
        }
        if self.leaks(text) {
            return Err(Fallback::Leak);
        }
        Ok(())
    }

    /// The whole reply.
    pub fn check(&self, text: &str) -> Result<(), Fallback> {
        if words(text).is_empty() {
            return Err(Fallback::Empty);
        }
        self.check_partial(text)
    }

    fn leaks(&self, text: &str) -> bool {
        let said = words(text);
        said.windows(self.n).any(|gram| self.ngrams.contains(gram))
            || self.short_points.iter().any(|point| {
                said.windows(point.len())
                    .any(|gram| gram == point.as_slice())
            })
    }
}

/// Lower-case words, punctuation and spacing dropped, so "Prefix-sums," and
/// "prefix sums" compare equal.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        Guard::new(
            [
                "Prefix sums: count earlier prefixes equal to the current prefix minus k",
                "Seed the map with zero",
            ],
            "Count the subarrays that sum to k, for the current prefix of the array.",
            6,
            200,
        )
    }

    #[test]
    fn a_key_point_quoted_loosely_is_a_leak() {
        let g = guard();
        assert_eq!(
            g.check("Have you tried to COUNT earlier prefixes, equal to the current prefix?"),
            Err(Fallback::Leak)
        );
        assert_eq!(
            g.check("Did you seed the map with zero?"),
            Err(Fallback::Leak)
        );
    }

    #[test]
    fn a_probing_question_is_not_a_leak() {
        let g = guard();
        assert_eq!(
            g.check("What would you store in your map, and why?"),
            Ok(())
        );
        // Words from the question itself may be repeated.
        assert_eq!(
            g.check("So: count the subarrays that sum to k. Where would you start?"),
            Ok(())
        );
    }

    #[test]
    fn empty_and_long_replies_are_refused() {
        let g = guard();
        assert_eq!(g.check("  \n "), Err(Fallback::Empty));
        assert_eq!(g.check("..."), Err(Fallback::Empty));
        assert_eq!(g.check(&"Why? ".repeat(60)), Err(Fallback::TooLong));
        assert_eq!(g.check_partial(""), Ok(()));
    }
}
