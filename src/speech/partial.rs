//! Stabilising partial transcripts.
//!
//! While the candidate speaks, the growing utterance is re-transcribed every
//! ~700 ms. Whisper revises its last few words as more audio arrives, so
//! showing each pass raw makes the text flicker. A word is shown as stable
//! once two consecutive passes agree on it and on every word before it
//! ("local agreement"); the rest is shown as tentative. The final transcript
//! replaces both.

use serde::Serialize;

/// A partial transcript split for display.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StablePartial {
    /// Words two consecutive passes agreed on; only ever grows.
    pub stable: String,
    /// The latest pass's words after the stable ones.
    pub tentative: String,
}

/// How many leading words `previous` and `current` share. Case and
/// punctuation are ignored: Whisper often turns "so" into "So," once the
/// next sentence arrives, and that is not a disagreement.
pub fn agreed_words(previous: &str, current: &str) -> usize {
    previous
        .split_whitespace()
        .zip(current.split_whitespace())
        .take_while(|(a, b)| same_word(a, b))
        .count()
}

/// The stable prefix of `current` given the pass before it (pure).
pub fn stable_prefix(previous: &str, current: &str) -> StablePartial {
    let words: Vec<&str> = current.split_whitespace().collect();
    let agreed = agreed_words(previous, current);
    StablePartial {
        stable: words[..agreed].join(" "),
        tentative: words[agreed..].join(" "),
    }
}

/// Stabilises the passes of one utterance: what was once stable stays shown
/// even if a later pass revises it (the final transcript settles it), so the
/// candidate never sees confirmed words disappear.
#[derive(Clone, Debug, Default)]
pub struct Stabiliser {
    previous: Option<String>,
    stable: Vec<String>,
}

impl Stabiliser {
    pub fn update(&mut self, current: &str) -> StablePartial {
        let words: Vec<&str> = current.split_whitespace().collect();
        let agreed = self
            .previous
            .as_deref()
            .map_or(0, |previous| agreed_words(previous, current));
        let extends_stable = words.len() >= self.stable.len()
            && self
                .stable
                .iter()
                .zip(&words)
                .all(|(stable, word)| same_word(stable, word));
        if agreed > self.stable.len() && extends_stable {
            self.stable = words[..agreed].iter().map(|w| (*w).to_owned()).collect();
        }
        self.previous = Some(current.to_owned());
        let shown = self.stable.len().min(words.len());
        StablePartial {
            stable: self.stable.join(" "),
            tentative: words[shown..].join(" "),
        }
    }

    /// For the next utterance.
    pub fn reset(&mut self) {
        *self = Stabiliser::default();
    }
}

fn same_word(a: &str, b: &str) -> bool {
    let key = |w: &str| {
        w.chars()
            .filter(|c| c.is_alphanumeric() || *c == '\'')
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    key(a) == key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stable_prefix_is_the_words_both_passes_agree_on() {
        let partial = stable_prefix(
            "I would start with a cash",
            "I would start with a cache layer",
        );
        assert_eq!(partial.stable, "I would start with a");
        assert_eq!(partial.tentative, "cache layer");
    }

    #[test]
    fn case_and_punctuation_do_not_count_as_disagreement() {
        assert_eq!(agreed_words("so the queue", "So, the queue is"), 3);
        assert_eq!(agreed_words("don't know", "dont know"), 0);
    }

    #[test]
    fn the_first_pass_has_nothing_stable() {
        let partial = stable_prefix("", "hello there");
        assert_eq!(partial.stable, "");
        assert_eq!(partial.tentative, "hello there");
        assert_eq!(Stabiliser::default().update("hello there"), partial);
    }

    #[test]
    fn stable_words_only_grow_across_passes() {
        let mut stabiliser = Stabiliser::default();
        stabiliser.update("we shard by user");
        let second = stabiliser.update("we shard by user id and");
        assert_eq!(second.stable, "we shard by user");
        assert_eq!(second.tentative, "id and");
        // A pass that revises a stable word does not take it back.
        let third = stabiliser.update("we shared by user id and then");
        assert_eq!(third.stable, "we shard by user");
        assert_eq!(third.tentative, "id and then");
        let fourth = stabiliser.update("we shard by user id and then hash");
        assert_eq!(fourth.stable, "we shard by user");
        let fifth = stabiliser.update("we shard by user id and then hash it");
        assert_eq!(fifth.stable, "we shard by user id and then hash");
        assert_eq!(fifth.tentative, "it");
        stabiliser.reset();
        assert_eq!(stabiliser.update("next").stable, "");
    }
}
