//! What v3 measures in an answer, before any parameter turns it into levels.
//! Extraction runs the embedding model (the only costly step); scoring from
//! [`Features`] is arithmetic, so fitting can try thousands of parameter
//! sets on features extracted once.

use std::collections::HashSet;

use crate::content::pattern::is_number;
use crate::content::{BankEntry, Question, Rubric};
use crate::embed::{EmbedError, Embedder, centroid, cosine};

use super::super::code_reading::{self, Reading};
use super::super::injection;
use super::super::normalize::normalize;
use super::super::offline::gaming;
use super::story::{Story, story};
use crate::text::lexicon::stem;
use crate::text::signals::Analysis;

/// The rubric dimension the candidate's code itself is read for.
pub const CODE_QUALITY: &str = "code_quality";

/// Sentences with fewer words than this ("Why?", "Yes.") carry no claim of
/// their own and are not embedded or matched with key points.
const MIN_SENTENCE_WORDS: usize = 4;
/// Sentences an answer needs before its share of term lists is judged.
const MIN_LISTED_SENTENCES: usize = 3;
/// A question (its own or a sibling) is read as its text and the mean of
/// this many of its key points closest to the answer: an answer covers a few
/// points well, not all of them.
const TOP_POINTS: usize = 3;

/// One key point and the sentence that best shows it.
#[derive(Clone, Debug)]
pub struct PointFinding {
    /// The key point's index in the question.
    pub index: usize,
    /// Cosine between the key point and its closest sentence: topic only.
    pub topic: f32,
    /// The closest sentence, if any sentence could carry a claim.
    pub sentence: Option<usize>,
    /// How many of the key point's own specific words (not the question's)
    /// that sentence and the next one say.
    pub anchors: usize,
    /// How many the key point has.
    pub anchor_total: usize,
    /// The sentence states a reason, condition, consequence or quantity.
    pub claim: bool,
    /// The best cosine of any sentence with the point's detail (its text
    /// after the colon: the mechanism, numbers and consequences it names).
    pub detail: f32,
}

/// Everything v3 needs from one answer to one question.
#[derive(Clone, Debug)]
pub struct Features {
    /// The normalised answers; sentence indices refer to these.
    pub answers: Vec<String>,
    pub words: usize,
    /// Sentences that read as statements (not term lists, not grader text).
    pub prose: Vec<usize>,
    pub points: Vec<PointFinding>,
    /// Closeness to the question asked minus closeness to the nearest
    /// sibling in its bank; positive when the answer is about this question.
    pub margin: f32,
    /// Closeness to the question asked.
    pub relevance: f32,
    /// Which question the answer reads as, for feedback on one that earns
    /// nothing for being off-topic.
    pub reads_as: ReadsAs,
    /// 1 for a natural answer, towards 0 when keyword-dense or repetitive.
    pub gaming: f64,
    /// Share of statements that open with the same three words as another
    /// ("I would use X here because…" eighteen times).
    pub template_share: f64,
    /// Share of the answer's sentences that only name terms (see
    /// `Sentence::names_terms_only`).
    pub listed_share: f64,
    /// Share of the answer's content words the question itself does not use.
    pub novelty: f64,
    /// Quantities the answer states that the question does not give
    /// (digits, number words), per 100 words: sizes, latencies, rates,
    /// costs. Restating the question's own numbers earns nothing here.
    pub quantities: f64,
    /// Per rubric dimension, the v2 signal credit relative to level 4.
    pub signals: Vec<f64>,
    pub story: Story,
    /// Sentences that addressed the grader.
    pub suspects: Vec<usize>,
    /// More than twice as many "we" as "I".
    pub we_dominates: bool,
    /// Sentence texts, for quotes.
    pub sentences: Vec<SentenceInfo>,
    /// Per statement (in `prose` order): its best cosine with any key point
    /// (or the question, when there are none), and whether it states a claim.
    pub statements: Vec<(f32, bool)>,
    /// The candidate's code as a reviewer reads it, for rubrics that judge
    /// code quality: the last turn that holds code (a follow-up may revise
    /// it).
    pub code: Option<Reading>,
}

#[derive(Clone, Debug)]
pub struct SentenceInfo {
    pub answer: usize,
    pub range: std::ops::Range<usize>,
}

impl Features {
    pub fn sentence(&self, i: usize) -> &str {
        let s = &self.sentences[i];
        &self.answers[s.answer][s.range.clone()]
    }
}

/// Runs the model over the answer and measures it against `question`.
pub fn extract(
    embedder: &Embedder,
    rubric: &Rubric,
    question: &Question,
    raw_answers: &[String],
) -> Result<Features, EmbedError> {
    // A turn that repeats an earlier one word for word (the same text sent
    // again to a follow-up) adds nothing and is not counted twice; it is not
    // gaming either, so it must not trip the repetition measures.
    let mut answers: Vec<String> = Vec::with_capacity(raw_answers.len());
    for answer in raw_answers {
        let answer = normalize(answer).into_owned();
        if !answers.iter().any(|a| a.trim() == answer.trim()) {
            answers.push(answer);
        }
    }
    let analysis = Analysis::new(&answers);
    let suspects = injection::suspects(&analysis);
    let sentences: Vec<SentenceInfo> = analysis
        .sentences
        .iter()
        .map(|s| {
            let base = answers[s.answer].as_ptr() as usize;
            let start = s.text.as_ptr() as usize - base;
            SentenceInfo {
                answer: s.answer,
                range: start..start + s.text.len(),
            }
        })
        .collect();
    let prose: Vec<usize> = (0..analysis.sentences.len())
        .filter(|&i| {
            let s = &analysis.sentences[i];
            s.prose
                && !s.is_term_list()
                && !suspects.contains(&i)
                && s.tokens.len() >= MIN_SENTENCE_WORDS
        })
        .collect();
    let texts: Vec<&str> = prose.iter().map(|&i| analysis.sentences[i].text).collect();
    let vectors = embedder.embed(&texts)?;

    embedder.references(&reference_texts(question))?;

    let question_words = content_stems(&question.text);
    let points = question
        .key_points
        .iter()
        .enumerate()
        .map(|(index, point)| {
            let reference = embedder.reference(&point.text)?;
            let detail_vector = embedder.reference(detail_of(&point.text))?;
            let detail = vectors
                .iter()
                .map(|v| cosine(v, &detail_vector))
                .fold(0.0f32, f32::max);
            let best = vectors
                .iter()
                .enumerate()
                .map(|(j, v)| (j, cosine(v, &reference)))
                .max_by(|a, b| a.1.total_cmp(&b.1));
            let anchors: HashSet<String> = content_stems(&point.text)
                .difference(&question_words)
                .cloned()
                .collect();
            Ok(match best {
                Some((j, topic)) => {
                    let sentence = prose[j];
                    let said = said_near(&analysis, sentence);
                    PointFinding {
                        index,
                        topic,
                        sentence: Some(sentence),
                        anchors: anchors.iter().filter(|a| said.contains(*a)).count(),
                        anchor_total: anchors.len(),
                        claim: states_claim(&analysis, sentence),
                        detail,
                    }
                }
                None => PointFinding {
                    index,
                    topic: 0.0,
                    sentence: None,
                    anchors: 0,
                    anchor_total: anchors.len(),
                    claim: false,
                    detail,
                },
            })
        })
        .collect::<Result<Vec<_>, EmbedError>>()?;

    let Relevance {
        own: relevance,
        margin,
        reads_as,
    } = relevance(embedder, question, &vectors)?;
    let references = question
        .key_point_texts()
        .map(|t| embedder.reference(t))
        .chain(
            question
                .key_points
                .is_empty()
                .then(|| embedder.reference(&question.text)),
        )
        .collect::<Result<Vec<_>, EmbedError>>()?;
    let statements = prose
        .iter()
        .zip(&vectors)
        .map(|(&i, v)| {
            let best = references
                .iter()
                .map(|r| cosine(v, r))
                .fold(0.0f32, f32::max);
            (best, states_claim(&analysis, i))
        })
        .collect();
    let (hits, covered) = crate::text::signals::rubric_hits(&analysis, rubric);
    let signals = rubric
        .dimensions
        .iter()
        .zip(&hits)
        .map(|(d, hits)| {
            let shown = hits.iter().filter(|h| !h.is_empty()).count() as f64;
            let needed = f64::from(d.thresholds[2]).max(1.0);
            (shown / needed).min(1.0)
        })
        .collect();
    let limit = |value: f64, max: f64| {
        if value <= max {
            1.0
        } else {
            (1.0 - (value - max) / max).max(0.0)
        }
    };
    let said_words: Vec<String> = analysis
        .tokens
        .iter()
        .filter(|t| t.text.len() >= 3 && !t.class.stopword())
        .map(|t| stem(&t.text).to_owned())
        .collect();
    let novelty = if said_words.is_empty() {
        0.0
    } else {
        said_words
            .iter()
            .filter(|w| !question_words.contains(*w))
            .count() as f64
            / said_words.len() as f64
    };
    let given: HashSet<String> = Analysis::new(std::slice::from_ref(&question.text))
        .tokens
        .iter()
        .filter(|t| is_number(&t.text))
        .map(|t| t.text.clone())
        .collect();
    let stated = analysis
        .tokens
        .iter()
        .filter(|t| is_number(&t.text) && !given.contains(&t.text))
        .count();
    let quantities = 100.0 * stated as f64 / analysis.word_count().max(1) as f64;
    let count = |w: &str| analysis.tokens.iter().filter(|t| t.text == w).count();
    let (i, we) = (count("i"), count("we"));
    let code = rubric
        .dimensions
        .iter()
        .any(|d| d.id == CODE_QUALITY)
        .then(|| {
            answers
                .iter()
                .rev()
                .find_map(|a| code_reading::extract(a))
                .map(|(lang, code)| code_reading::read(lang, &code))
        })
        .flatten();
    Ok(Features {
        words: analysis.word_count(),
        points,
        margin,
        relevance,
        reads_as,
        gaming: limit(gaming::density(&covered, &analysis), 0.3)
            * limit(gaming::repetition(&analysis), 0.25),
        template_share: template_share(&analysis, &prose),
        listed_share: listed_share(&analysis),
        novelty,
        quantities,
        signals,
        story: story(&analysis, &prose),
        we_dominates: we >= 4 && we > 2 * i,
        suspects,
        prose,
        sentences,
        answers,
        statements,
        code,
    })
}

/// Every text an answer to `question` is compared with: the question, its
/// key points and their details, and its bank. Embedded together once (the
/// first answer to a question would otherwise wait for each in turn).
pub fn reference_texts(question: &Question) -> Vec<&str> {
    let mut references: Vec<&str> = vec![question.text.as_str()];
    for point in &question.key_points {
        references.push(&point.text);
        references.push(detail_of(&point.text));
    }
    for entry in question.bank.iter() {
        references.push(&entry.text);
        references.extend(entry.key_points.iter().map(String::as_str));
    }
    references
}

/// How close the answer is to its question, and by how much it is closer to
/// it than to the nearest sibling question of the bank (each question read
/// as its text and its best-matching key points).
fn relevance(
    embedder: &Embedder,
    question: &Question,
    vectors: &[Vec<f32>],
) -> Result<Relevance, EmbedError> {
    if vectors.is_empty() {
        return Ok(Relevance {
            own: 0.0,
            margin: -1.0,
            reads_as: ReadsAs::Unknown,
        });
    }
    let answer = centroid(vectors.iter().map(Vec::as_slice));
    let closeness = |entry_text: &str, points: &[String]| -> Result<f32, EmbedError> {
        let text = cosine(&answer, &embedder.reference(entry_text)?);
        let mut sims = points
            .iter()
            .map(|p| Ok(cosine(&answer, &embedder.reference(p)?)))
            .collect::<Result<Vec<f32>, EmbedError>>()?;
        sims.sort_by(|a, b| b.total_cmp(a));
        let top: Vec<f32> = sims.into_iter().take(TOP_POINTS).collect();
        Ok(if top.is_empty() {
            text
        } else {
            0.5 * text + 0.5 * top.iter().sum::<f32>() / top.len() as f32
        })
    };
    let own_points: Vec<String> = question.key_point_texts().map(str::to_owned).collect();
    let own = closeness(&question.text, &own_points)?;
    let siblings = question
        .bank
        .iter()
        .filter(|b: &&BankEntry| b.id != question.id)
        .map(|b| closeness(&b.text, &b.key_points))
        .collect::<Result<Vec<f32>, EmbedError>>()?;
    // Without siblings (an ad-hoc question) only closeness can speak.
    let Some((at, &nearest)) = siblings
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
    else {
        return Ok(Relevance {
            own,
            margin: own,
            reads_as: ReadsAs::Unknown,
        });
    };
    let mut sorted = siblings.clone();
    sorted.sort_by(f32::total_cmp);
    let median = sorted[sorted.len() / 2];
    let others: Vec<&BankEntry> = question
        .bank
        .iter()
        .filter(|b| b.id != question.id)
        .collect();
    let reads_as = if nearest - median < SPECIFIC {
        ReadsAs::AnyQuestion
    } else {
        ReadsAs::Another(others[at].title.clone())
    };
    Ok(Relevance {
        own,
        margin: own - nearest,
        reads_as,
    })
}

/// How much closer than the bank's median question an answer must be to
/// its nearest one to read as an answer to that question rather than to
/// none in particular. Measured on the calibration set's answers capped as
/// off-topic: answers to another question stood 0.12 to 0.41 above the
/// median, generic answers 0.04 to 0.09. It chooses feedback wording only.
const SPECIFIC: f32 = 0.10;

struct Relevance {
    own: f32,
    margin: f32,
    reads_as: ReadsAs,
}

/// What an answer reads as, among its question's bank.
#[derive(Clone, Debug, PartialEq)]
pub enum ReadsAs {
    /// No bank to compare with (a question typed in).
    Unknown,
    /// Close to no question in particular: it could be said of any.
    AnyQuestion,
    /// Closest to this other question of the bank (by title); this one's
    /// own question when the margin is positive.
    Another(String),
}

/// What a key point states in detail: its text after the colon (the
/// mechanisms, numbers and consequences), or all of it.
fn detail_of(point: &str) -> &str {
    point.split_once(':').map_or(point, |(_, rest)| rest.trim())
}

/// Content-word stems of `text`.
pub fn content_stems(text: &str) -> HashSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3)
        .map(str::to_lowercase)
        .filter(|w| !crate::text::lexicon::Class::of(w).stopword())
        .map(|w| stem(&w).to_owned())
        .collect()
}

/// The content stems of a sentence and the one after it in the same turn: a
/// mechanism is often a claim and its "because" in the next sentence.
fn said_near(analysis: &Analysis<'_>, sentence: usize) -> HashSet<String> {
    let mut out = HashSet::new();
    for i in [sentence, sentence + 1] {
        let Some(s) = analysis.sentences.get(i) else {
            continue;
        };
        if s.answer != analysis.sentences[sentence].answer {
            continue;
        }
        out.extend(
            analysis
                .sentence_tokens(i)
                .iter()
                .filter(|t| t.text.len() >= 3 && !t.class.stopword())
                .map(|t| stem(&t.text).to_owned()),
        );
    }
    out
}

/// Words that tie a claim to its reason, condition or consequence.
const CONNECTIVES: &[&str] = &[
    "because",
    "so",
    "since",
    "therefore",
    "which",
    "means",
    "otherwise",
    "unless",
    "until",
    "if",
    "when",
    "whenever",
    "then",
    "instead",
    "rather",
    "by",
    "via",
    "through",
    "per",
    "each",
    "every",
    "before",
    "after",
    "once",
    "without",
    "while",
    "whereas",
    "but",
    "though",
];

/// The sentence says something checkable: a quantity, or a link between two
/// things (a reason, condition or consequence), with content on both sides.
fn states_claim(analysis: &Analysis<'_>, sentence: usize) -> bool {
    let s = &analysis.sentences[sentence];
    if s.has_number {
        return true;
    }
    let tokens = analysis.sentence_tokens(sentence);
    tokens.iter().enumerate().any(|(i, t)| {
        CONNECTIVES.contains(&t.text.as_str()) && {
            let content = |ts: &[crate::text::signals::Token]| {
                ts.iter().filter(|t| !t.class.stopword()).count()
            };
            content(&tokens[..i]) >= 2 && content(&tokens[i + 1..]) >= 2
        }
    })
}

/// The share of `analysis`'s sentences that only name terms; 0 for an
/// answer of fewer than [`MIN_LISTED_SENTENCES`] sentences, too short to
/// tell a list from a terse answer.
fn listed_share(analysis: &Analysis<'_>) -> f64 {
    let sentences = &analysis.sentences;
    if sentences.len() < MIN_LISTED_SENTENCES {
        return 0.0;
    }
    let listed = sentences.iter().filter(|s| s.names_terms_only()).count();
    listed as f64 / sentences.len() as f64
}

/// The share of statements whose first three words open another statement
/// too. Natural answers vary their openings; templated stuffing does not.
fn template_share(analysis: &Analysis<'_>, prose: &[usize]) -> f64 {
    if prose.len() < 4 {
        return 0.0;
    }
    let openings: Vec<String> = prose
        .iter()
        .map(|&i| {
            analysis
                .sentence_tokens(i)
                .iter()
                .take(3)
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let repeated = openings
        .iter()
        .filter(|o| openings.iter().filter(|p| p == o).count() > 1)
        .count();
    repeated as f64 / openings.len() as f64
}
