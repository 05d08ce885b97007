//! Evidence quotes: the candidate's own words, a long sentence cut at a word
//! and marked with an ellipsis so a reader knows it goes on. Every grader
//! quotes this way, and whoever looks a quote up in the answer (to mark it)
//! takes the ellipsis off first.

/// A quote longer than this is cut at a word and marked with an ellipsis.
pub const MAX_QUOTE_CHARS: usize = 320;

use crate::text::sentences::{ELLIPSIS, clip_at_word};

/// A whole sentence, or its start cut at a word and marked with an ellipsis:
/// every quote is still the candidate's own words.
pub fn clip(sentence: &str) -> String {
    clip_at_word(sentence, MAX_QUOTE_CHARS)
}

/// The words of a quote as they stand in the answer: without the ellipsis
/// `clip` marks a cut with.
pub fn verbatim(quote: &str) -> &str {
    quote.strip_suffix(ELLIPSIS).unwrap_or(quote)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_sentence_is_cut_at_a_word_and_says_so() {
        let long = format!("In my last role {}.", "the service was slow ".repeat(30));
        let quote = clip(&long);
        assert!(quote.ends_with('…'), "{quote}");
        assert!(quote.chars().count() <= MAX_QUOTE_CHARS + 1);
        assert!(long.starts_with(verbatim(&quote)));
        let rest = &long[verbatim(&quote).len()..];
        assert!(rest.starts_with(' '), "cut at a word: {quote}");
        assert_eq!(clip("A short one."), "A short one.");
        assert_eq!(verbatim("A short one."), "A short one.");
    }
}
