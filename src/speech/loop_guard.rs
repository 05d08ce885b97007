//! Stops a decoder that has started to loop, while it decodes.
//!
//! With a prompt, tiny.en often says a short clip's sentence again, and
//! again, until its token budget runs out ("and then how I would test it.
//! And then how I would test it. And then …"). The words are trimmed
//! afterwards (`drop_repeated_tail` in the whisper module), but each extra
//! token costs a decoder step: on a 1.7 s clip, 32 tokens where 8 were
//! said, about 195 ms where 130 would do. Ending the pass as soon as the
//! first repeat is complete keeps what the trim keeps and saves the rest.

use whisper_rs::{
    FullParams, WhisperContext, WhisperSysContext, WhisperSysState, WhisperTokenData,
};

/// Fewest words in a repeated sentence before the pass is ended. People
/// restart a phrase ("I think the, I think the best way"), but not a
/// whole sentence of four words or more, word for word, right after
/// finishing it.
const MIN_WORDS: usize = 4;

/// One decoded token, as the loop check sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    /// Lower-case letters and digits only, so "And" repeats "and".
    key: String,
    /// Begins with a space: the first token of a word.
    word_start: bool,
    /// Ends with sentence-final punctuation.
    ends_sentence: bool,
}

impl Token {
    pub(crate) fn new(text: &[u8]) -> Token {
        let text = String::from_utf8_lossy(text);
        Token {
            key: text
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect(),
            word_start: text.starts_with(' '),
            ends_sentence: text.trim_end().ends_with(['.', '?', '!']),
        }
    }
}

/// Whether the tokens end with a sentence of at least [`MIN_WORDS`] words
/// said twice in a row: the second copy starts a word right after the
/// first copy's sentence-final punctuation, and matches it token for
/// token. `drop_repeated_tail` drops such a second copy, so stopping here
/// changes no word of the result.
pub(crate) fn sentence_repeated(tokens: &[Token]) -> bool {
    let n = tokens.len();
    (1..=n / 2).any(|period| {
        let (first, second) = (&tokens[n - 2 * period..n - period], &tokens[n - period..]);
        second[0].word_start
            && first[period - 1].ends_sentence
            && second.iter().filter(|t| t.word_start).count() >= MIN_WORDS
            && first.iter().zip(second).all(|(a, b)| a.key == b.key)
    })
}

/// What the callback needs: the context, to read token text.
pub(crate) struct LoopGuard<'a> {
    context: &'a WhisperContext,
}

impl<'a> LoopGuard<'a> {
    pub(crate) fn new(context: &'a WhisperContext) -> Self {
        LoopGuard { context }
    }

    /// Ends the pass (only end-of-text may follow) once a sentence repeats.
    /// whisper.cpp calls the filter before choosing each token, with the
    /// text tokens and timestamps chosen so far in this segment.
    #[allow(unsafe_code)]
    pub(crate) fn install(&'a self, params: &mut FullParams<'_, '_>) {
        unsafe extern "C" fn filter(
            _ctx: *mut WhisperSysContext,
            _state: *mut WhisperSysState,
            tokens: *const WhisperTokenData,
            n_tokens: std::os::raw::c_int,
            logits: *mut f32,
            data: *mut std::ffi::c_void,
        ) {
            if tokens.is_null() || logits.is_null() || data.is_null() || n_tokens < 2 {
                return;
            }
            // SAFETY: `data` is the `&LoopGuard` set below, which outlives
            // the pass; whisper.cpp passes `n_tokens` valid token records
            // and a logits row of the vocabulary's length, and reads them
            // back only after this returns.
            let guard = unsafe { &*(data as *const LoopGuard<'_>) };
            let tokens = unsafe { std::slice::from_raw_parts(tokens, n_tokens as usize) };
            let context = guard.context;
            let eot = context.token_eot();
            let text: Vec<Token> = tokens
                .iter()
                .filter(|t| t.id < eot)
                .filter_map(|t| context.token_to_bytes(t.id).ok().map(Token::new))
                .collect();
            if sentence_repeated(&text) {
                let n_vocab = context.n_vocab().max(0) as usize;
                let logits = unsafe { std::slice::from_raw_parts_mut(logits, n_vocab) };
                for (id, logit) in logits.iter_mut().enumerate() {
                    if id != eot as usize {
                        *logit = f32::NEG_INFINITY;
                    }
                }
            }
        }
        // SAFETY: the callback reads the guard through the pointer only
        // during the one `state.full` call `params` is made for, and the
        // guard lives until that call returns.
        unsafe {
            params.set_filter_logits_callback(Some(filter));
            params.set_filter_logits_callback_user_data(
                self as *const LoopGuard<'_> as *mut std::ffi::c_void,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(text: &[&str]) -> Vec<Token> {
        text.iter().map(|t| Token::new(t.as_bytes())).collect()
    }

    const SENTENCE: [&str; 8] = [" and", " then", " how", " I", " would", " test", " it", "."];

    #[test]
    fn a_sentence_said_again_in_full_ends_the_pass() {
        let mut said: Vec<&str> = SENTENCE.to_vec();
        assert!(!sentence_repeated(&tokens(&said)));
        said.extend([" And", " then", " how", " I", " would", " test", " it"]);
        // Not yet: the copy is one token short.
        assert!(!sentence_repeated(&tokens(&said)));
        said.push(".");
        assert!(sentence_repeated(&tokens(&said)));
    }

    #[test]
    fn a_restarted_phrase_or_a_short_sentence_goes_on() {
        // A phrase restarted without a sentence end between the copies.
        let phrase = [" I", " think", " the", " best", " way"];
        let said: Vec<&str> = phrase.iter().chain(&phrase).copied().collect();
        assert!(!sentence_repeated(&tokens(&said)));
        // A three-word sentence said twice is something people say.
        let short = [" Let", " me", " think", "."];
        let said: Vec<&str> = short.iter().chain(&short).copied().collect();
        assert!(!sentence_repeated(&tokens(&said)));
    }

    #[test]
    fn a_copy_that_differs_or_starts_mid_word_goes_on() {
        let mut said: Vec<&str> = SENTENCE.to_vec();
        said.extend([" And", " then", " how", " I", " could", " test", " it", "."]);
        assert!(!sentence_repeated(&tokens(&said)));
        // The copy's first token does not begin a word ("it.and then …").
        let mut said: Vec<&str> = SENTENCE.to_vec();
        said.extend(["and", " then", " how", " I", " would", " test", " it", "."]);
        assert!(!sentence_repeated(&tokens(&said)));
    }
}
