//! Answer-level measures that catch gaming: keyword density, repeated
//! phrases, and whether the answer is about the question at all.

use std::collections::HashSet;
use std::hash::BuildHasher;

use crate::content::Question;
use crate::content::pattern::QUESTION_TOKEN;

use crate::text::lexicon::{Class, FnvBuild, stem};
use crate::text::signals::{Analysis, Token};

/// The share of an answer's words that sit inside a rubric phrase.
pub fn density(covered: &[bool], analysis: &Analysis<'_>) -> f64 {
    let words = analysis.word_count();
    if words == 0 {
        return 0.0;
    }
    let hits = covered
        .iter()
        .zip(&analysis.tokens)
        .filter(|(c, t)| **c && t.text != QUESTION_TOKEN)
        .count();
    hits as f64 / words as f64
}

/// The share of word trigrams that repeat one seen earlier in the answer.
/// Natural speech repeats a few; pasting the same phrase again and again
/// repeats most.
pub fn repetition(analysis: &Analysis<'_>) -> f64 {
    let words: Vec<&str> = analysis
        .tokens
        .iter()
        .map(|t| t.text.as_str())
        .filter(|t| *t != QUESTION_TOKEN)
        .collect();
    if words.len() < 6 {
        return 0.0;
    }
    let hasher = FnvBuild::default();
    let mut seen: HashSet<u64, FnvBuild> =
        HashSet::with_capacity_and_hasher(words.len(), hasher.clone());
    let repeated = words
        .windows(3)
        .filter(|w| !seen.insert(hasher.hash_one((w[0], w[1], w[2]))))
        .count();
    repeated as f64 / (words.len() - 2) as f64
}

/// A question with fewer content stems than this (a bare ad-hoc question such
/// as "Tell me about a failure.") says too little to judge relevance by.
const MIN_VOCABULARY: usize = 8;

/// How much of the question's vocabulary the answer uses: the share of the
/// content stems of the question, its key points and its follow-up probes
/// that appear in the answer. A fluent answer to a different question shares
/// little of it.
pub fn relevance(question: &Question, analysis: &Analysis<'_>) -> f64 {
    let asked = question.vocabulary.get_or_init(|| {
        let texts = [question.title.as_str(), question.text.as_str()]
            .into_iter()
            .chain(question.key_point_texts())
            .chain(question.probes.iter().map(|p| p.text.as_str()));
        let mut stems: Vec<String> = texts
            .flat_map(content_words)
            .map(|w| stem(&w).to_owned())
            .collect();
        stems.sort_unstable();
        stems.dedup();
        stems
    });
    if asked.len() < MIN_VOCABULARY {
        return 1.0;
    }
    let said: HashSet<&str, FnvBuild> = analysis
        .tokens
        .iter()
        .filter(|t| is_content(t))
        .map(|t| stem(&t.text))
        .collect();
    let shared = asked.iter().filter(|w| said.contains(w.as_str())).count();
    shared as f64 / asked.len() as f64
}

fn is_content(token: &Token) -> bool {
    token.text.len() >= 3 && !token.class.stopword() && token.text.chars().all(char::is_alphabetic)
}

fn content_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3 && w.chars().all(char::is_alphabetic))
        .map(str::to_lowercase)
        .filter(|w| !Class::of(w).stopword())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Difficulty, RoundKind};

    fn analyse<'a>(answers: &'a [&'a str]) -> Analysis<'a> {
        Analysis::new(answers)
    }

    #[test]
    fn repeating_one_phrase_is_measured_as_repetition() {
        let pasted = ["I used a cache. I used a cache. I used a cache. I used a cache."];
        assert!(repetition(&analyse(&pasted)) > 0.6);
        let natural = ["I put a cache in front of the store, then measured hit rate for a week."];
        assert_eq!(repetition(&analyse(&natural)), 0.0);
    }

    #[test]
    fn an_answer_about_the_question_shares_its_vocabulary() {
        let question = Question {
            id: "q".into(),
            kind: RoundKind::Design,
            title: "URL shortener".into(),
            text: "Design a URL shortener that redirects short links.".into(),
            topics: vec![],
            difficulty: Difficulty::Medium,
            key_points: vec![crate::content::KeyPoint {
                dimension: "architecture".into(),
                text: "Generates unique short codes".into(),
            }],
            outline: vec![],
            examples: vec![],
            probes: vec![],
            tests: None,
            vocabulary: Default::default(),
            bank: Default::default(),
        };
        let on = ["Each short link maps to a unique code; the redirect looks the code up."];
        let off = ["For the chat app, messages fan out to each member's inbox."];
        assert!(relevance(&question, &analyse(&on)) > relevance(&question, &analyse(&off)));
        assert_eq!(relevance(&question, &analyse(&off)), 0.0);
    }
}
