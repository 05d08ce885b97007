//! Guard rails on the model's words, in code rather than only in the
//! prompt: a turn that quotes a key point of the answer, runs long, says
//! nothing, or is not words for the candidate (markup, role tags, the
//! prompt's scaffolding, a note to itself, garble) is not used; the
//! scripted interviewer's turn stands in.

use std::collections::HashSet;

use crate::engine::Fallback;

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

    /// What can be judged before the reply is complete: a leak, length, or
    /// text that is not for the candidate.
    pub fn check_partial(&self, text: &str) -> Result<(), Fallback> {
        if text.chars().count() > self.max_chars {
            return Err(Fallback::TooLong);
        }
        if self.leaks(text) {
            return Err(Fallback::Leak);
        }
        if not_for_the_candidate(text) {
            return Err(Fallback::Unsayable);
        }
        Ok(())
    }

    /// The whole reply.
    pub fn check(&self, text: &str) -> Result<(), Fallback> {
        if words(text).is_empty() {
            return Err(Fallback::Empty);
        }
        self.check_partial(text)?;
        if garbled(text) {
            return Err(Fallback::Unsayable);
        }
        Ok(())
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

/// Phrases of the interviewer's prompt (`prompts/interviewer/`) that have
/// no place in a turn: a model that says them is reading its instructions
/// back.
const SCAFFOLDING: &[&str] = &[
    "key points of a strong answer",
    "a scripted interviewer would",
    "the candidate asked for a hint",
    "has not shown yet",
    "reply with only the words",
    "the conversation on this question so far",
    "for you only",
    "the question you asked",
];

/// Words a model writes to itself or about the candidate, never to them.
const ASIDES: &[&str] = &[
    "the candidate",
    "as an ai",
    "language model",
    "let me think",
    "i should ask",
    "i need to ask",
    "i will ask",
];

/// Role labels a chat transcript uses, at the start of a line (after "the",
/// as a small model writes them).
const ROLES: &[&str] = &[
    "interviewer:",
    "candidate:",
    "assistant:",
    "user:",
    "system:",
];

/// Markup, a role tag, the prompt's scaffolding or an aside: the turn is
/// spoken aloud and shown as plain text, so none of it can be used.
fn not_for_the_candidate(text: &str) -> bool {
    let lower = text.to_lowercase();
    let tag = lower
        .match_indices('<')
        .any(|(i, _)| lower[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/'));
    let markdown = text.contains("```")
        || text.contains("**")
        || text.lines().any(|line| {
            let line = line.trim_start();
            line.starts_with('#') || line.starts_with("- ") || line.starts_with("* ")
        });
    let role = lower.lines().any(|line| {
        let line = line.trim_start();
        let line = line.strip_prefix("the ").unwrap_or(line);
        ROLES.iter().any(|r| line.starts_with(r))
    });
    tag || markdown
        || role
        || lower.contains("&lt;")
        || SCAFFOLDING.iter().chain(ASIDES).any(|p| lower.contains(p))
}

/// Not readable as words: too few letters among the characters, or a
/// "word" longer than any real one.
fn garbled(text: &str) -> bool {
    let visible: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    let letters = visible.iter().filter(|c| c.is_alphabetic()).count();
    let longest = text
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .chars()
                .count()
        })
        .max()
        .unwrap_or(0);
    letters * 10 < visible.len() * 7 || longest > 30
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
    fn markup_role_tags_scaffolding_asides_and_garble_are_not_said() {
        let g = guard();
        for turn in [
            // Seen from a small model: tags, HTML and a closing answer tag.
            "<candidate>I think a hash map</candidate> What would you store?",
            "Good point.<br>What would you store?</answer_3f9a>",
            "Interviewer: What would you store in the map?",
            // Seen from SmolLM2 through llama.cpp, before the question's text.
            "The interviewer: What would you store in the map?",
            "**Follow-up:** what would you store in the map?",
            "- What would you store in the map?",
            "A scripted interviewer would ask about memory. What would you store?",
            "I should ask the candidate about memory. What would you store?",
            "What would you store? &lt;end&gt;",
        ] {
            assert_eq!(g.check(turn), Err(Fallback::Unsayable), "{turn}");
        }
        for turn in [
            "ssss ,,,, ;;;; ---- ==== ???? !!!! ####",
            "What would youstoreinthemapwhenthearrayisverylongindeed?",
        ] {
            assert_eq!(g.check(turn), Err(Fallback::Unsayable), "{turn}");
        }
        // Plain speech with a number, a comparison and a contraction is fine.
        for turn in [
            "You said the map holds counts. What happens when k is 0, and why?",
            "If the array had 10 million items, would memory be < 1 GB?",
            "Let's say the input is empty: what does your code return?",
        ] {
            assert_eq!(g.check(turn), Ok(()), "{turn}");
        }
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
