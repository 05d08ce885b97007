//! Backchannels: the "mm-hm"s and "right"s a listener says to show they are
//! following, which are not a turn. A transcription unit whose whole text is
//! backchannels is not part of the answer, does not stop the interviewer's
//! voice, and does not end anything (see `ws::voice`).
//!
//! The list is small on purpose: every entry is a word that, said alone,
//! is never an answer. "Yes" and "no" are left out (they answer "have you
//! used Kafka?"); "yeah" is in, because an interviewer asks open questions
//! and a lone "yeah" while they talk is agreement, not an answer. A
//! backchannel said with anything else ("Right, so I would…") is speech.

use super::analytics::collapse;

/// Words that, alone, acknowledge: compared lowercased, letters only.
const WORDS: [&str; 6] = ["right", "yeah", "yep", "okay", "ok", "sure"];

/// Hums, compared with runs of a letter collapsed, so the spellings Whisper
/// uses ("Mm-hmm.", "Mhm", "Hmmm…", "Uh-huh") meet.
const HUMS: [&str; 4] = ["mhm", "hm", "m", "uhuh"];

/// Two-word backchannels, compared word by word.
const PAIRS: [[&str; 2]; 3] = [["i", "see"], ["got", "it"], ["oh", "okay"]];

/// Is every word of `text` a backchannel? Empty text is not one: nothing
/// was said.
pub fn is_backchannel(text: &str) -> bool {
    let words: Vec<String> = text
        .split_whitespace()
        .map(letters)
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        return false;
    }
    let mut i = 0;
    while i < words.len() {
        if let Some(pair) = words.get(i..i + 2)
            && PAIRS.iter().any(|p| p[0] == pair[0] && p[1] == pair[1])
        {
            i += 2;
        } else if WORDS.contains(&words[i].as_str()) || HUMS.contains(&collapse(&words[i]).as_str())
        {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// Letters only, lowercase: "Mm-hmm." → "mmhmm".
fn letters(word: &str) -> String {
    word.chars()
        .filter(|c| c.is_alphabetic())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::is_backchannel;

    #[test]
    fn hums_and_short_acknowledgements_in_whisper_s_spellings_are_backchannels() {
        for said in [
            "Mm-hmm.",
            "Mhm",
            "mm",
            "Hmm…",
            "Uh-huh.",
            "Right.",
            "Yeah, yeah.",
            "Okay.",
            "OK",
            "I see.",
            "Got it.",
            "Sure.",
            "Oh, okay. Right.",
        ] {
            assert!(is_backchannel(said), "{said:?}");
        }
    }

    #[test]
    fn anything_said_with_them_or_an_answer_on_its_own_is_speech() {
        for said in [
            "",
            "  ",
            "Right, so I would start with the cache.",
            "Yes.",
            "No.",
            "I see two options.",
            "Sure thing, the queue.",
            "It",
            "Got",
        ] {
            assert!(!is_backchannel(said), "{said:?}");
        }
    }
}
