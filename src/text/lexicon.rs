//! Small closed word lists the offline grader reads sentences with. They are
//! deliberately short: each list answers one question ("is this prose?", "is
//! this negated?") that patterns alone cannot.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// Function words: they carry no topic, so they are left out when measuring
/// how much content a sentence or an answer has.
const STOPWORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
    "can", "could", "d", "did", "do", "does", "doing", "down", "during", "each", "else", "etc",
    "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers",
    "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "ll", "m", "may",
    "me", "might", "more", "most", "much", "must", "my", "no", "nor", "not", "now", "of", "off",
    "on", "once", "one", "only", "or", "other", "our", "out", "over", "own", "re", "s", "same",
    "she", "should", "so", "some", "such", "t", "than", "that", "the", "their", "them", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up",
    "us", "ve", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
    "whom", "why", "will", "with", "would", "you", "your",
];

/// Words that make a run of nouns into a statement: pronouns, auxiliaries and
/// modals here, and the verbs in [`VERBS`]. A sentence with none of them (and
/// no past-tense verb) is a list of terms, not reasoning.
const CLAUSE_HEADS: &[&str] = &[
    // pronouns and determiners that head a clause
    "i", "we", "you", "he", "she", "it", "they", "this", "that", "there", "which", "who",
    // auxiliaries and modals, including the halves of contractions
    "am", "is", "are", "was", "were", "be", "been", "being", "do", "does", "did", "have", "has",
    "had", "will", "would", "can", "could", "should", "shall", "may", "might", "must", "s", "re",
    "ve", "ll", "d", "m", "let", "lets",
];

/// The verbs interview answers use most. Many double as plural nouns
/// ("builds", "changes", "costs"), so in a list they mark a clause only
/// where an item starts with one.
const VERBS: &[&str] = &[
    "add", "adds", "allow", "allows", "ask", "asks", "avoid", "avoids", "become", "becomes",
    "break", "breaks", "bring", "brings", "build", "builds", "call", "calls", "change", "changes",
    "check", "checks", "choose", "chooses", "compute", "computes", "cost", "costs", "cover",
    "covers", "cut", "cuts", "depend", "depends", "drop", "drops", "fail", "fails", "find",
    "finds", "fix", "fixes", "get", "gets", "give", "gives", "go", "goes", "grow", "grows",
    "handle", "handles", "help", "helps", "hit", "hits", "keep", "keeps", "know", "lead", "leads",
    "look", "looks", "lose", "loses", "make", "makes", "mean", "means", "measure", "measures",
    "move", "moves", "need", "needs", "pick", "picks", "put", "puts", "read", "reads", "reduce",
    "reduces", "return", "returns", "run", "runs", "say", "says", "see", "sees", "send", "sends",
    "set", "sets", "show", "shows", "split", "splits", "start", "starts", "stay", "stays", "stop",
    "stops", "store", "stores", "take", "takes", "tell", "tells", "think", "try", "tries", "use",
    "uses", "want", "wants", "work", "works", "write", "writes", "wrote", "built", "made", "took",
    "went", "saw", "ran", "gave", "got", "led", "kept", "found", "chose", "thought", "told",
    "knew", "sent", "spent", "met",
];

/// Words that turn a following phrase into its opposite: "I didn't test it",
/// "no edge cases", "without retries".
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "without", "t", "nothing", "none", "neither", "nor", "hardly",
];

/// Modals after "I" that make a statement hypothetical ("I would", "I'd").
const HYPOTHETICAL: &[&str] = &[
    "would", "d", "could", "might", "should", "will", "ll", "may",
];

/// What the lists say about one word, looked up once per token.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Class(u8);

impl Class {
    const STOPWORD: u8 = 1;
    const PROSE: u8 = 2;
    const NEGATION: u8 = 4;
    const HYPOTHETICAL: u8 = 8;
    /// Prose only by the regular past-tense rule ("reviewed", "flagged"),
    /// which a term list uses as an adjective as readily as a clause does.
    const REGULAR_PAST: u8 = 16;
    const CLAUSE_HEAD: u8 = 32;

    pub fn of(word: &str) -> Class {
        static TABLE: OnceLock<HashMap<&'static str, u8, FnvBuild>> = OnceLock::new();
        let table = TABLE.get_or_init(|| {
            let mut table = HashMap::default();
            for (list, bit) in [
                (STOPWORDS, Class::STOPWORD),
                (CLAUSE_HEADS, Class::PROSE | Class::CLAUSE_HEAD),
                (VERBS, Class::PROSE),
                (NEGATIONS, Class::NEGATION),
                (HYPOTHETICAL, Class::HYPOTHETICAL),
            ] {
                for word in list {
                    *table.entry(*word).or_insert(0) |= bit;
                }
            }
            table
        });
        let mut bits = table.get(word).copied().unwrap_or(0);
        // A regular past tense ("reduced", "migrated") also marks a clause.
        if bits & Class::PROSE == 0
            && word.len() >= 5
            && word.ends_with("ed")
            && !word.bytes().any(|b| b.is_ascii_digit())
        {
            bits |= Class::PROSE | Class::REGULAR_PAST;
        }
        Class(bits)
    }

    pub fn stopword(self) -> bool {
        self.0 & Class::STOPWORD != 0
    }

    /// A pronoun, auxiliary or verb: the word makes a clause.
    pub fn prose(self) -> bool {
        self.0 & Class::PROSE != 0
    }

    /// A pronoun, auxiliary or modal: a clause for certain, where a verb
    /// may be a plural noun ("builds") and a regular past tense may only
    /// qualify one ("logs reviewed").
    pub fn clause_head(self) -> bool {
        self.0 & Class::CLAUSE_HEAD != 0
    }

    /// A listed verb (not a regular past tense), or a clause head.
    pub fn verb(self) -> bool {
        self.prose() && self.0 & Class::REGULAR_PAST == 0
    }

    pub fn negation(self) -> bool {
        self.0 & Class::NEGATION != 0
    }

    pub fn hypothetical(self) -> bool {
        self.0 & Class::HYPOTHETICAL != 0
    }
}

/// FNV-1a: a fast hash for short words. The keys hashed are the fixed lists
/// above and the words of one answer, which is bounded in length, so a
/// crafted answer can slow its own grading only a little.
#[derive(Clone, Copy, Debug)]
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

pub type FnvBuild = BuildHasherDefault<Fnv>;

/// A rough stem so "caches", "caching" and "cached" meet: common suffixes
/// off, then at most six letters. Used only to compare vocabularies.
pub fn stem(word: &str) -> &str {
    let mut w = word;
    for suffix in ["ing", "ies", "ed", "es", "s", "ly"] {
        if w.len() > suffix.len() + 3
            && let Some(stripped) = w.strip_suffix(suffix)
        {
            w = stripped;
            break;
        }
    }
    match w.char_indices().nth(6) {
        Some((i, _)) => &w[..i],
        None => w,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_classified_by_every_list_they_are_on() {
        assert!(Class::of("not").negation() && Class::of("would").hypothetical());
        assert!(Class::of("would").stopword() && Class::of("would").prose());
        assert!(Class::of("the").stopword() && Class::of("your").stopword());
        assert!(!Class::of("cache").stopword());
    }

    #[test]
    fn stems_meet_across_inflections() {
        assert_eq!(stem("caches"), stem("caching"));
        assert_eq!(stem("partitioned"), stem("partitioning"));
        assert_eq!(stem("api"), "api");
    }

    #[test]
    fn past_tense_verbs_mark_prose_but_numbers_do_not() {
        assert!(Class::of("migrated").prose() && Class::of("we").prose());
        assert!(!Class::of("sharding").prose());
        assert!(!Class::of("100ed").prose());
    }
}
