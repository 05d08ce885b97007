//! Signal patterns: the small phrase language rubrics use to say what evidence
//! looks like. Parsed once at load so grading never re-reads a string.
//!
//! Text is lower-cased and split into tokens, the maximal runs of letters and
//! digits (`%` reads as `percent`). A pattern is a sequence of tokens that must
//! appear consecutively; a token ending in `*` matches any token with that
//! prefix; `#` matches any number (`40`, `2x`, `p99`, `ten`); `?` matches the
//! end of a sentence that is a question.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternToken {
    pub text: String,
    pub prefix: bool,
}

/// Tokens in one pattern, and `*` tokens among them. Matching costs the
/// answer's length times these, for every pattern of every signal; the
/// shipped rubrics use at most 5 and 2. The bounds keep an operator's edit
/// (or "try") from making one grading take seconds.
pub const MAX_TOKENS: usize = 8;
pub const MAX_WILDCARDS: usize = 2;

/// The token the tokeniser appends to a sentence that ends in `?`.
pub const QUESTION_TOKEN: &str = "?";
/// The pattern token that stands for any number.
pub const NUMBER_TOKEN: &str = "#";

impl PatternToken {
    pub fn matches(&self, word: &str) -> bool {
        if self.prefix {
            word.starts_with(&self.text)
        } else if self.text == NUMBER_TOKEN {
            is_number(word)
        } else {
            word == self.text
        }
    }
}

/// Words that carry a quantity: digits anywhere (`40`, `2x`, `p99`, `10k`) or
/// a number word.
pub fn is_number(word: &str) -> bool {
    const WORDS: &[&str] = &[
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "fifteen",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "hundred",
        "hundreds",
        "thousand",
        "thousands",
        "million",
        "millions",
        "billion",
        "billions",
        "half",
        "double",
        "doubled",
        "twice",
        "triple",
        "tripled",
        "tenfold",
        "dozen",
        "dozens",
    ];
    word.bytes().any(|b| b.is_ascii_digit()) || WORDS.contains(&word)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pattern {
    tokens: Vec<PatternToken>,
}

impl Pattern {
    pub fn tokens(&self) -> &[PatternToken] {
        &self.tokens
    }

    /// Whether the pattern occurs in `tokens` (already lower-cased words).
    pub fn occurs_in<S: AsRef<str>>(&self, tokens: &[S]) -> bool {
        self.find_in(tokens).is_some()
    }

    /// The token index of the pattern's first occurrence in `tokens`.
    pub fn find_in<S: AsRef<str>>(&self, tokens: &[S]) -> Option<usize> {
        let n = self.tokens.len();
        if n == 0 || tokens.len() < n {
            return None;
        }
        let first = &self.tokens[0];
        (0..=tokens.len() - n).find(|&i| {
            first.matches(tokens[i].as_ref())
                && tokens[i + 1..i + n]
                    .iter()
                    .zip(&self.tokens[1..])
                    .all(|(word, pat)| pat.matches(word.as_ref()))
        })
    }

    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }
}

impl TryFrom<String> for Pattern {
    type Error = String;

    fn try_from(source: String) -> Result<Self, Self::Error> {
        source.parse()
    }
}

impl std::str::FromStr for Pattern {
    type Err = String;

    fn from_str(source: &str) -> Result<Self, Self::Err> {
        if source.trim() != source || source.is_empty() {
            return Err(format!(
                "pattern {source:?} is empty or has leading/trailing spaces"
            ));
        }
        let mut tokens = Vec::new();
        for word in source.split(' ') {
            if word == NUMBER_TOKEN || word == QUESTION_TOKEN {
                tokens.push(PatternToken {
                    text: word.to_owned(),
                    prefix: false,
                });
                continue;
            }
            let (text, prefix) = match word.strip_suffix('*') {
                Some(stem) => (stem, true),
                None => (word, false),
            };
            let valid = !text.is_empty()
                && text
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
            if !valid {
                return Err(format!(
                    "pattern {source:?}: token {word:?} must be lowercase letters/digits, optionally ending in *, or # or ?"
                ));
            }
            tokens.push(PatternToken {
                text: text.to_owned(),
                prefix,
            });
        }
        if tokens.len() > MAX_TOKENS {
            return Err(format!(
                "pattern {source:?} has {} tokens; at most {MAX_TOKENS}",
                tokens.len()
            ));
        }
        let wildcards = tokens.iter().filter(|t| t.prefix).count();
        if wildcards > MAX_WILDCARDS {
            return Err(format!(
                "pattern {source:?} has {wildcards} wildcard tokens; at most {MAX_WILDCARDS}"
            ));
        }
        Ok(Pattern { tokens })
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.tokens.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            f.write_str(&t.text)?;
            if t.prefix {
                f.write_str("*")?;
            }
        }
        Ok(())
    }
}

impl From<Pattern> for String {
    fn from(p: Pattern) -> String {
        p.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Pattern {
        s.parse().unwrap()
    }

    #[test]
    fn a_phrase_matches_consecutive_tokens_only() {
        let words = ["i", "would", "walk", "through", "an", "example"];
        assert!(p("walk through").occurs_in(&words));
        assert!(!p("walk example").occurs_in(&words));
    }

    #[test]
    fn a_star_matches_any_token_with_that_prefix() {
        assert!(p("clarif*").occurs_in(&["to", "clarify"]));
        assert!(!p("clarif*").occurs_in(&["clar"]));
    }

    #[test]
    fn hash_matches_any_number_and_question_mark_the_end_of_a_question() {
        assert!(p("# percent").occurs_in(&["by", "40", "percent"]));
        assert!(p("# percent").occurs_in(&["by", "forty", "percent"]));
        assert!(!p("# percent").occurs_in(&["by", "many", "percent"]));
        assert!(p("# ms").occurs_in(&["p99", "under", "200", "ms"]));
        assert_eq!(p("sorted ?").find_in(&["is", "it", "sorted", "?"]), Some(2));
    }

    #[test]
    fn malformed_patterns_are_rejected_with_the_reason() {
        for bad in [
            "",
            " x",
            "Hash map",
            "o(n)",
            "a**",
            "*",
            "#*",
            "a?",
            "a b c d e f g h i",
            "a* b* c*",
        ] {
            assert!(
                bad.parse::<Pattern>().is_err(),
                "{bad:?} should be rejected"
            );
        }
    }

    #[test]
    fn a_pattern_round_trips_through_its_string_form() {
        let pattern = p("big o n*");
        assert_eq!(pattern.to_string(), "big o n*");
        let json = serde_json::to_string(&pattern).unwrap();
        assert_eq!(serde_json::from_str::<Pattern>(&json).unwrap(), pattern);
    }
}
