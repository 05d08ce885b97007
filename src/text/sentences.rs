//! Splitting answers into sentences and words. Sentences are byte ranges into
//! the original text, so every quote taken from them is, by construction, a
//! verbatim substring of what the candidate said.

use std::ops::Range;

/// Marks where a quote was cut: the words go on in the answer.
pub const ELLIPSIS: char = '…';

/// `text` whole if it has at most `max_chars` characters, else its start cut
/// at a word (in the second half, so a long word does not leave a stub) and
/// marked with an ellipsis.
pub fn clip_at_word(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max_chars).collect();
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(i) if i > max_chars / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!(
        "{}{ELLIPSIS}",
        at_word.trim_end_matches([',', ';', ':', ' '])
    )
}

/// Byte ranges of the sentences in `text`, trimmed of surrounding white space.
/// A sentence ends at `.`, `!` or `?` followed by white space, or at a line
/// break; code in a coding answer therefore splits by line.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = match c {
            '\n' => Some(i),
            '.' | '!' | '?' => match chars.peek() {
                Some((_, next)) if next.is_whitespace() => Some(i + c.len_utf8()),
                None => Some(i + c.len_utf8()),
                _ => None,
            },
            _ => None,
        };
        if let Some(end) = end {
            push_trimmed(text, start..end, &mut out);
            start = end;
        }
    }
    push_trimmed(text, start..text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, range: Range<usize>, out: &mut Vec<Range<usize>>) {
    let slice = &text[range.clone()];
    let lead = slice.len() - slice.trim_start().len();
    let trimmed = slice.trim();
    if trimmed.chars().any(char::is_alphanumeric) {
        let start = range.start + lead;
        out.push(start..start + trimmed.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn sentences_split_on_terminal_punctuation_and_lines() {
        assert_eq!(
            split("First I clarify. Then O(n log n)? Yes!\nfor x in xs: pass"),
            vec![
                "First I clarify.",
                "Then O(n log n)?",
                "Yes!",
                "for x in xs: pass"
            ]
        );
    }

    #[test]
    fn decimals_and_dotted_names_do_not_split_a_sentence() {
        assert_eq!(
            split("Latency fell 2.5x via os.path use."),
            vec!["Latency fell 2.5x via os.path use."]
        );
    }

    #[test]
    fn punctuation_only_fragments_are_not_sentences() {
        assert!(split(" ... \n -- ").is_empty());
    }
}
