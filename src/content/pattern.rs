//! Signal patterns: the small phrase language rubrics use to say what evidence
//! looks like. Parsed once at load so grading never re-reads a string.
//!
//! Text is lower-cased and split into tokens, the maximal runs of letters and
//! digits. A pattern is a sequence of tokens that must appear consecutively; a
//! token ending in `*` matches any token with that prefix.

use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternToken {
    pub text: String,
    pub prefix: bool,
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
        let n = self.tokens.len();
        if n == 0 || tokens.len() < n {
            return false;
        }
        tokens.windows(n).any(|window| {
            window.iter().zip(&self.tokens).all(|(word, pat)| {
                let word = word.as_ref();
                if pat.prefix {
                    word.starts_with(&pat.text)
                } else {
                    word == pat.text
                }
            })
        })
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
                    "pattern {source:?}: token {word:?} must be lowercase letters/digits, optionally ending in *"
                ));
            }
            tokens.push(PatternToken {
                text: text.to_owned(),
                prefix,
            });
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
    fn malformed_patterns_are_rejected_with_the_reason() {
        for bad in ["", " x", "Hash map", "o(n)", "a**", "*"] {
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
