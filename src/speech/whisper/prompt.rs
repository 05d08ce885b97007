//! The decoder's prompt: the question and the filler primer, within a
//! budget of tokens, and what a continued pass is primed with.

use whisper_rs::WhisperContext;

use crate::speech::FILLER_PRIMER;

/// Longest prompt text tokenized, in bytes, from its end.
const MAX_PROMPT_BYTES: usize = 1024;
/// Room for the prompt's tokens. Every token covers at least one byte, so
/// this can never be too small; it must not be: whisper-rs 0.16 mishandles
/// whisper_tokenize's "buffer too small" answer (a negative count).
const MAX_PROMPT_TOKENS: usize = MAX_PROMPT_BYTES;
/// Prompt tokens given to the decoder, from the end (Whisper itself keeps
/// the end of a long prompt): the filler primer and the question's last
/// twenty-odd words, which are what the answer answers. Every pass pays
/// for each prompt token: on 2 cores a 70-token prompt added 57 ms to
/// passes over 3.8 s clips, for the same word error rate.
const PROMPT_TOKENS: usize = 48;

/// Text to tokens, as the prompt's tokenizer.
pub(super) type Tokenize<'a> = &'a dyn Fn(&str) -> Vec<i32>;

/// The model's tokens for the end of `text` (no tokens if it fails).
pub(super) fn tokenize(context: &WhisperContext, text: &str) -> Vec<i32> {
    let text = prompt_tail(text).replace('\0', " ");
    context
        .tokenize(&text, MAX_PROMPT_TOKENS)
        .unwrap_or_else(|e| {
            tracing::debug!("prompt not used: {e}");
            Vec::new()
        })
}

/// A first pass's prompt: the last [`PROMPT_TOKENS`] of `prompt`.
pub(super) fn prompt_tokens(tokenize: Tokenize<'_>, prompt: &str) -> Vec<i32> {
    let mut tokens = tokenize(prompt);
    tokens.drain(..tokens.len().saturating_sub(PROMPT_TOKENS));
    tokens
}

/// The prompt of a pass that continues one that stopped early: the end of
/// the first pass's prompt, as many tokens as the filler primer takes (the
/// primer itself when the prompt ends with it, as an answer's does), then
/// as much of the end of what was `said` as the budget leaves. Appending
/// what was said to the whole prompt and keeping the end would push the
/// primer out, and with it the continued pass's "um"s and "uh"s.
pub(super) fn continued_prompt(tokenize: Tokenize<'_>, prompt: &str, said: &str) -> Vec<i32> {
    let first = prompt_tokens(tokenize, prompt);
    let primer = tokenize(&format!(" {FILLER_PRIMER}")).len();
    let kept = &first[first.len().saturating_sub(primer)..];
    let said = tokenize(&format!(" {said}"));
    let room = PROMPT_TOKENS.saturating_sub(kept.len());
    let mut tokens = kept.to_vec();
    tokens.extend_from_slice(&said[said.len().saturating_sub(room)..]);
    tokens
}

/// The last [`MAX_PROMPT_BYTES`] of `prompt`, from a character boundary.
fn prompt_tail(prompt: &str) -> &str {
    let mut start = prompt.len().saturating_sub(MAX_PROMPT_BYTES);
    while !prompt.is_char_boundary(start) {
        start += 1;
    }
    &prompt[start..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::speech::answer_prompt;

    #[test]
    fn a_long_prompt_keeps_its_end_where_the_primer_is() {
        let question = "é".repeat(MAX_PROMPT_BYTES);
        let prompt = format!("{question} Um, uh, so.");
        let tail = prompt_tail(&prompt);
        assert!(tail.len() <= MAX_PROMPT_BYTES && tail.len() >= MAX_PROMPT_BYTES - 1);
        assert!(tail.ends_with(" Um, uh, so."), "{tail}");
        assert_eq!(prompt_tail("Um."), "Um.");
    }

    /// One token a word, numbered by a hash of the word: enough to follow
    /// which words a prompt keeps (Whisper's own tokenizer needs the model).
    fn word_tokens(text: &str) -> Vec<i32> {
        text.split_whitespace()
            .map(|w| {
                w.bytes().fold(0x811c_9dc5u32, |h, b| {
                    (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
                }) as i32
            })
            .collect()
    }

    #[test]
    fn a_continued_pass_keeps_the_filler_primer_and_the_end_of_what_was_said() {
        let prompt = answer_prompt("Describe how you would design it.");
        let said: Vec<String> = (0..60).map(|i| format!("word{i}")).collect();
        let tokens = continued_prompt(&word_tokens, &prompt, &said.join(" "));
        let primer = word_tokens(FILLER_PRIMER);
        assert_eq!(tokens.len(), PROMPT_TOKENS);
        assert_eq!(tokens[..primer.len()], primer[..], "the primer comes first");
        let said = word_tokens(&said.join(" "));
        let room = PROMPT_TOKENS - primer.len();
        assert_eq!(tokens[primer.len()..], said[said.len() - room..]);
    }

    #[test]
    fn a_short_continued_prompt_is_the_primer_and_all_that_was_said() {
        let prompt = answer_prompt("Why?");
        let tokens = continued_prompt(&word_tokens, &prompt, "I would cache it");
        let mut expected = word_tokens(FILLER_PRIMER);
        expected.extend(word_tokens("I would cache it"));
        assert_eq!(tokens, expected);
        // No prompt: only what was said.
        assert_eq!(
            continued_prompt(&word_tokens, "", "I would cache it"),
            word_tokens("I would cache it")
        );
    }
}
