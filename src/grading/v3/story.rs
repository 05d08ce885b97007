//! A behavioural story's shape, found in the candidate's own sentences:
//! a specific situation, what *I* did, a result with a before and after, and
//! what changed afterwards. Values answers are judged on this rather than on
//! their likeness to abstract key points, which real stories do not resemble.

use super::super::signals::Analysis;

/// Words that place a story at a specific time or place.
const WHEN: &[&str] = &[
    "last",
    "ago",
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "quarter",
    "night",
    "morning",
    "friday",
    "monday",
    "launch",
    "release",
    "previous",
    "former",
    "once",
    "during",
    "team",
    "company",
    "job",
    "project",
    "incident",
    "outage",
    "customer",
    "deploy",
    "migration",
];

/// Words that mark a change between a before and an after.
const CHANGE: &[&str] = &[
    "from",
    "dropped",
    "drop",
    "fell",
    "reduced",
    "cut",
    "down",
    "rose",
    "grew",
    "increased",
    "improved",
    "went",
    "halved",
    "doubled",
    "saved",
    "back",
    "zero",
    "fewer",
    "faster",
    "slower",
    "recovered",
    "restored",
    "resolved",
    "shipped",
    "launched",
    "stopped",
    "fixed",
    "within",
];

/// Words that say what the candidate does differently since.
const AFTERWARDS: &[&str] = &[
    "since",
    "afterwards",
    "afterward",
    "now",
    "learned",
    "learnt",
    "lesson",
    "taught",
    "next",
    "anymore",
    "ever",
    "habit",
    "changed",
    "differently",
    "today",
    "still",
    "always",
    "added",
    "wrote",
    "started",
];

/// Counts of the story's parts: each is a number of sentences showing it.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Story {
    /// Past-tense sentences with a specific time, place or quantity.
    pub situation: usize,
    /// Real first-person statements: what *I* did or decided.
    pub actions: usize,
    /// Sentences stating a result with a quantity or a before and after.
    pub results: usize,
    /// Sentences, in the last third of the story, on what changed since.
    pub afterwards: usize,
    /// Statements in all.
    pub statements: usize,
    /// The first sentence showing each of situation, action, result and
    /// afterwards, for quotes.
    pub examples: [Option<usize>; 4],
}

impl Story {
    /// 0 to 1 for each of situation, action, result and afterwards.
    pub fn parts(&self) -> [f64; 4] {
        let part = |n: usize, full: usize| (n as f64 / full as f64).min(1.0);
        [
            part(self.situation, 2),
            part(self.actions, 3),
            part(self.results, 2),
            part(self.afterwards, 1),
        ]
    }
}

pub fn story(analysis: &Analysis<'_>, prose: &[usize]) -> Story {
    let mut out = Story {
        statements: prose.len(),
        ..Story::default()
    };
    let last_third = prose.len().saturating_sub(prose.len().div_ceil(3));
    for (position, &i) in prose.iter().enumerate() {
        let sentence = &analysis.sentences[i];
        let words: Vec<&str> = analysis
            .sentence_tokens(i)
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
        let past = words
            .iter()
            .any(|w| (w.len() > 4 && w.ends_with("ed")) || IRREGULAR_PAST.contains(w));
        let shown = [
            past && (sentence.has_number || has(WHEN)),
            sentence.first_person && past,
            has(CHANGE) && (sentence.has_number || words.contains(&"to")) && past,
            position >= last_third && has(AFTERWARDS),
        ];
        let counts = [
            &mut out.situation,
            &mut out.actions,
            &mut out.results,
            &mut out.afterwards,
        ];
        for ((shown, count), example) in shown.into_iter().zip(counts).zip(&mut out.examples) {
            if shown {
                *count += 1;
                example.get_or_insert(i);
            }
        }
    }
    out
}

/// Past forms that do not end in "-ed".
const IRREGULAR_PAST: &[&str] = &[
    "was",
    "were",
    "had",
    "did",
    "made",
    "took",
    "went",
    "saw",
    "ran",
    "gave",
    "got",
    "led",
    "kept",
    "found",
    "chose",
    "thought",
    "told",
    "knew",
    "sent",
    "spent",
    "met",
    "wrote",
    "built",
    "brought",
    "caught",
    "felt",
    "held",
    "heard",
    "left",
    "lost",
    "paid",
    "put",
    "said",
    "set",
    "sat",
    "stood",
    "taught",
    "understood",
    "won",
    "broke",
    "began",
    "came",
    "fell",
    "grew",
    "rose",
    "cut",
    "shut",
    "hit",
    "quit",
    "spoke",
    "drove",
    "rewrote",
    "rolled",
];
