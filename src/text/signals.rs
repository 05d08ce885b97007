//! Finding a rubric's signals in an answer, sentence by sentence.
//!
//! An answer (all turns of one question) is split into sentences and
//! tokenised once into an [`Analysis`]: one flat token list plus an index
//! sorted by token text, so finding a pattern costs a binary search rather
//! than a scan of every sentence. Each found signal is a [`Hit`] naming the
//! sentence that shows it, which is what evidence quotes are cut from.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::content::pattern::{NUMBER_TOKEN, Pattern, QUESTION_TOKEN, is_number};
use crate::content::{Requirement, Rubric, Signal};

use std::collections::HashMap;
use std::hash::BuildHasher;

use super::lexicon::{Class, FnvBuild};
use super::sentences::sentences;

/// A question must have this many words before its `?` reads as a question
/// to the interviewer rather than a fragment ("Why?").
const MIN_QUESTION_WORDS: usize = 4;
/// A phrase preceded this closely by a negation does not count.
const NEGATION_WINDOW: usize = 2;
/// Content words needed on each side of a reasoning marker.
const SIDE_WORDS: usize = 2;

pub struct Token {
    pub text: String,
    pub class: Class,
    sentence: u32,
    /// Byte offset of the token in its sentence.
    offset: u32,
}

/// One sentence of an answer, with what the grader needs to know about it.
pub struct Sentence<'a> {
    /// Which turn (main answer or follow-up) it comes from.
    pub answer: usize,
    /// The sentence, verbatim.
    pub text: &'a str,
    /// Its tokens within [`Analysis::tokens`].
    pub tokens: Range<usize>,
    /// It contains a clause marker (pronoun, auxiliary, verb): it says
    /// something rather than listing terms.
    pub prose: bool,
    /// List separators: commas, semicolons, slashes and "and"/"or".
    pub separators: usize,
    /// Reads as a run of terms even with a clause word in it: see
    /// [`reads_as_list`].
    pub listed: bool,
    /// The speaker is "I" in a real (not hypothetical) statement.
    pub first_person: bool,
    pub has_number: bool,
}

impl Sentence<'_> {
    /// A run of terms with no clause: "Sharding, caching, Kafka, CAP." Such
    /// a sentence names topics without saying anything about them.
    pub fn is_term_list(&self) -> bool {
        !self.prose && self.separators >= 3
    }

    /// Names terms without saying anything of them: a term list, one
    /// dressed with a heading and participles ([`reads_as_list`]), or a
    /// bare term on a line of its own ("- receipt verification"). A terse
    /// answer has some such sentences among its reasoning; an answer made
    /// of nothing else is keyword stuffing however it is laid out.
    pub fn names_terms_only(&self) -> bool {
        self.is_term_list() || self.listed || (!self.prose && self.tokens.len() <= MAX_TERM_WORDS)
    }
}

/// Where a signal was found: the sentence and the tokens of the phrase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    pub sentence: usize,
    pub tokens: Range<usize>,
}

pub struct Analysis<'a> {
    pub sentences: Vec<Sentence<'a>>,
    pub tokens: Vec<Token>,
    /// Token indices sorted by token text, for prefix lookups.
    sorted: Vec<u32>,
    /// Hash of a token text to its run in `sorted`, for exact lookups.
    runs: HashMap<u64, Range<u32>, FnvBuild>,
    numbers: Vec<u32>,
}

impl<'a> Analysis<'a> {
    pub fn new<S: AsRef<str>>(answers: &'a [S]) -> Analysis<'a> {
        let mut sentences_out = Vec::new();
        let mut tokens = Vec::new();
        for (answer, text) in answers.iter().enumerate() {
            let text = text.as_ref();
            for range in sentences(text) {
                let text = &text[range];
                let index = sentences_out.len() as u32;
                let start = tokens.len();
                let separators = tokenise(text, index, &mut tokens);
                let words = &tokens[start..];
                let listed = reads_as_list(text, words);
                let first_person = is_first_person(words);
                let prose = words.iter().any(|t| t.class.prose());
                let has_number = words.iter().any(|t| is_number(&t.text));
                if words.len() >= MIN_QUESTION_WORDS && is_question(text) {
                    tokens.push(Token {
                        text: QUESTION_TOKEN.to_owned(),
                        class: Class::default(),
                        sentence: index,
                        offset: text.len() as u32,
                    });
                }
                sentences_out.push(Sentence {
                    answer,
                    text,
                    tokens: start..tokens.len(),
                    prose,
                    separators,
                    listed,
                    first_person,
                    has_number,
                });
            }
        }
        let mut sorted: Vec<u32> = (0..tokens.len() as u32).collect();
        sorted.sort_unstable_by(|&a, &b| tokens[a as usize].text.cmp(&tokens[b as usize].text));
        let mut runs: HashMap<u64, Range<u32>, FnvBuild> = HashMap::default();
        let mut start = 0;
        for end in 1..=sorted.len() {
            let text = |i: usize| tokens[sorted[i] as usize].text.as_str();
            if end == sorted.len() || text(end) != text(start) {
                runs.insert(hash(text(start)), start as u32..end as u32);
                start = end;
            }
        }
        let numbers = (0..tokens.len() as u32)
            .filter(|&i| is_number(&tokens[i as usize].text))
            .collect();
        Analysis {
            sentences: sentences_out,
            tokens,
            sorted,
            runs,
            numbers,
        }
    }

    /// Words in the answer (the question marks the tokeniser adds are not words).
    pub fn word_count(&self) -> usize {
        self.tokens
            .iter()
            .filter(|t| t.text != QUESTION_TOKEN)
            .count()
    }

    /// The sentence token `token` belongs to.
    pub fn sentence_of(&self, token: usize) -> usize {
        self.tokens[token].sentence as usize
    }

    /// Whether token `token` sits inside double quotes in its sentence.
    pub fn quoted(&self, token: usize) -> bool {
        let t = &self.tokens[token];
        let before = &self.sentences[t.sentence as usize].text[..t.offset as usize];
        let (mut depth, mut straight) = (0i32, 0);
        for c in before.chars() {
            match c {
                '"' => straight += 1,
                '\u{201C}' => depth += 1,
                '\u{201D}' => depth -= 1,
                _ => {}
            }
        }
        depth > 0 || straight % 2 == 1
    }

    pub fn sentence_tokens(&self, sentence: usize) -> &[Token] {
        &self.tokens[self.sentences[sentence].tokens.clone()]
    }

    /// Every place `pattern` occurs, as token ranges, in no particular order.
    pub fn occurrences(&self, pattern: &Pattern) -> Vec<Range<usize>> {
        let Some(first) = pattern.tokens().first() else {
            return Vec::new();
        };
        let text = |i: &u32| self.tokens[*i as usize].text.as_str();
        let candidates: &[u32] = if first.text == NUMBER_TOKEN {
            &self.numbers
        } else if first.prefix {
            let from = self
                .sorted
                .partition_point(|i| text(i) < first.text.as_str());
            let len = self.sorted[from..]
                .iter()
                .take_while(|i| text(i).starts_with(&first.text))
                .count();
            &self.sorted[from..from + len]
        } else {
            match self.runs.get(&hash(&first.text)) {
                Some(run) if text(&self.sorted[run.start as usize]) == first.text => {
                    &self.sorted[run.start as usize..run.end as usize]
                }
                _ => &[],
            }
        };
        let n = pattern.len();
        candidates
            .iter()
            .map(|&i| i as usize)
            .filter(|&i| {
                let end = self.sentences[self.tokens[i].sentence as usize].tokens.end;
                i + n <= end
                    && pattern.tokens()[1..]
                        .iter()
                        .zip(&self.tokens[i + 1..i + n])
                        .all(|(p, t)| p.matches(&t.text))
            })
            .map(|i| i..i + n)
            .collect()
    }

    /// The sentences that show `signal`, in order, each once: a phrase that
    /// is not negated, in a sentence that meets the signal's requirements.
    pub fn hits(&self, signal: &Signal) -> Vec<Hit> {
        self.find(signal, &mut vec![false; self.tokens.len()])
    }

    /// As [`Analysis::hits`], also marking in `covered` every token any of
    /// the signal's phrases occupies (counted or not), to measure density.
    pub fn find(&self, signal: &Signal, covered: &mut [bool]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for pattern in &signal.patterns {
            for tokens in self.occurrences(pattern) {
                covered[tokens.clone()].fill(true);
                let hit = Hit {
                    sentence: self.sentence_of(tokens.start),
                    tokens,
                };
                if !self.negated(&hit) && self.meets(&hit, &signal.requires) {
                    hits.push(hit);
                }
            }
        }
        hits.sort_by_key(|h| (h.sentence, h.tokens.start));
        hits.dedup_by_key(|h| h.sentence);
        hits
    }

    fn negated(&self, hit: &Hit) -> bool {
        let from = self.sentences[hit.sentence].tokens.start;
        let window = hit.tokens.start.saturating_sub(NEGATION_WINDOW).max(from);
        self.tokens[window..hit.tokens.start]
            .iter()
            .any(|t| t.class.negation())
    }

    fn meets(&self, hit: &Hit, requires: &[Requirement]) -> bool {
        let sentence = &self.sentences[hit.sentence];
        requires.iter().all(|r| match r {
            Requirement::FirstPerson => sentence.first_person,
            Requirement::Number => sentence.has_number,
            Requirement::BothSides => self.both_sides(hit),
        })
    }

    /// Content before and after the phrase. A sentence that opens with the
    /// marker ("That's why...", "The downside is...") takes its left side
    /// from the sentence before it in the same turn.
    fn both_sides(&self, hit: &Hit) -> bool {
        let sentence = &self.sentences[hit.sentence];
        let content = |range: Range<usize>| {
            self.tokens[range]
                .iter()
                .filter(|t| t.text != QUESTION_TOKEN && !t.class.stopword())
                .count()
        };
        let after = content(hit.tokens.end..sentence.tokens.end) >= SIDE_WORDS;
        let before = content(sentence.tokens.start..hit.tokens.start) >= SIDE_WORDS
            || (hit.sentence > 0 && {
                let previous = &self.sentences[hit.sentence - 1];
                previous.answer == sentence.answer && content(previous.tokens.clone()) > SIDE_WORDS
            });
        before && after
    }
}

/// Appends the lower-cased words of `text` (`%` reads as `percent`) and
/// returns how many list separators it has.
fn tokenise(text: &str, sentence: u32, tokens: &mut Vec<Token>) -> usize {
    let mut separators = 0;
    let mut word = String::new();
    let mut word_start = 0;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_alphanumeric() {
            if word.is_empty() {
                word_start = i;
            }
            word.extend(c.to_lowercase());
            continue;
        }
        if !word.is_empty() {
            if word == "and" || word == "or" {
                separators += 1;
            }
            tokens.push(Token {
                class: Class::of(&word),
                text: std::mem::take(&mut word),
                sentence,
                offset: word_start as u32,
            });
        }
        match c {
            '%' => tokens.push(Token {
                text: "percent".to_owned(),
                class: Class::default(),
                sentence,
                offset: i as u32,
            }),
            ',' | ';' | '/' | '|' => separators += 1,
            _ => {}
        }
    }
    separators
}

/// Words before a colon that make it a heading ("Mitigation:", "Risk
/// register:", "My answer covers:").
const MAX_HEADING_WORDS: usize = 4;
/// A list item this short names a term rather than saying something.
const MAX_TERM_WORDS: usize = 4;
/// Items a run of terms has at least.
const MIN_TERMS: usize = 4;

/// A sentence that only names terms, the shape keyword stuffing takes when
/// it is dressed as a structured answer: "Mitigations: server authority,
/// receipt verification, transaction id, redeemed once." After an optional
/// heading, at least [`MIN_TERMS`] items between separators, three in four
/// of them a few words long, no pronoun or auxiliary in them and no item
/// starting with a verb (a regular past tense may qualify a term: "alerts
/// tuned"; a verb may be a plural noun: "no broken builds"). A
/// structured answer that reasons says so in clauses ("Mitigation: I roll
/// back first, because the onset follows the deploy"); an enumeration
/// inside a clause ("We measured p50, p90, p99 and saturation") keeps its
/// pronoun and is prose.
///
/// Read from the sentence's `tokens` (as [`tokenise`] made them, classes
/// and all): an item ends where the text between two words holds a
/// separator.
fn reads_as_list(text: &str, tokens: &[Token]) -> bool {
    // The words as written: `tokenise` also spells "%" as a word.
    let words: Vec<&Token> = tokens
        .iter()
        .filter(|t| text.as_bytes().get(t.offset as usize) != Some(&b'%'))
        .collect();
    let heading = text.find(':').map_or(0, |colon| {
        let head = words
            .iter()
            .take_while(|t| (t.offset as usize) < colon)
            .count();
        let spaced = text[colon + 1..].starts_with(char::is_whitespace);
        if (1..=MAX_HEADING_WORDS).contains(&head) && spaced {
            head
        } else {
            0
        }
    });
    let mut items: Vec<usize> = vec![0];
    let mut previous: Option<&Token> = None;
    for word in &words[heading..] {
        let between = previous.map_or("", |p| &text[p.offset as usize..word.offset as usize]);
        if between.contains([',', ';', '/', '|']) {
            items.push(0);
        }
        previous = Some(word);
        let last = items.last_mut().expect("never empty");
        if word.text == "and" || word.text == "or" {
            items.push(0);
        } else if word.class.clause_head() || (*last == 0 && word.class.verb()) {
            return false;
        } else {
            *last += 1;
        }
    }
    items.retain(|&n| n > 0);
    let terms = items.iter().filter(|&&n| n <= MAX_TERM_WORDS).count();
    items.len() >= MIN_TERMS && 4 * terms >= 3 * items.len()
}

fn hash(text: &str) -> u64 {
    FnvBuild::default().hash_one(text)
}

fn is_question(text: &str) -> bool {
    text.trim_end_matches(['"', '\'', ')', '”', '’'])
        .ends_with('?')
}

/// The speaker is "I", stating what happened rather than what they would do.
fn is_first_person(words: &[Token]) -> bool {
    let mut hypothetical = false;
    let mut real = false;
    for (i, t) in words.iter().enumerate() {
        if t.text == "i" {
            match words.get(i + 1) {
                Some(next) if next.class.hypothetical() => hypothetical = true,
                Some(_) => real = true,
                None => {}
            }
        }
    }
    real || (!hypothetical && words.iter().any(|t| t.text == "my" || t.text == "me"))
}

/// Every signal of every dimension of `rubric` found in `analysis` (per
/// dimension, per signal, its hits), and which tokens any rubric phrase
/// covers (for keyword density).
pub fn rubric_hits(analysis: &Analysis<'_>, rubric: &Rubric) -> (Vec<Vec<Vec<Hit>>>, Vec<bool>) {
    let mut covered = vec![false; analysis.tokens.len()];
    let hits = rubric
        .dimensions
        .iter()
        .map(|d| {
            d.signals
                .iter()
                .map(|s| analysis.find(s, &mut covered))
                .collect()
        })
        .collect();
    (hits, covered)
}

/// The ids of the rubric's signals found anywhere in `answers`.
pub fn detect<'r, S: AsRef<str>>(rubric: &'r Rubric, answers: &[S]) -> BTreeSet<&'r str> {
    let analysis = Analysis::new(answers);
    rubric
        .signals()
        .filter(|signal| !analysis.hits(signal).is_empty())
        .map(|signal| signal.id.as_str())
        .collect()
}

#[cfg(test)]
mod tests;
