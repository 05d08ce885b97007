//! Feedback a candidate can act on: per dimension, what this answer showed
//! (quoting it) and what it missed, phrased from the question's own key
//! points. Never a rubric level description pasted back.

use crate::content::{Dimension, Question, RoundKind};
use crate::grading::code_reading::Reading;
use crate::grading::{Coverage, DimensionScore, KeyPointResult};

use super::features::{Features, ReadsAs};
use super::story::Story;
use super::{Cap, clip};

/// Points named per dimension: enough to act on, few enough to read.
const MAX_NAMED: usize = 2;

/// The short name of a key point: its text before the colon ("Estimates
/// with numbers: 100M links…" → "estimates with numbers"), or its first words,
/// read as a topic (see [`topic`]).
pub fn head(point: &str) -> String {
    match point.split_once(':') {
        // Read with its colon: a lone plural noun before one is a title.
        Some((head, _)) if head.split_whitespace().count() <= 8 => {
            topic(&format!("{head}:")).trim_end_matches(':').to_owned()
        }
        _ => {
            let words: Vec<&str> = point.split_whitespace().collect();
            let cut = if words.len() > 8 { "…" } else { "" };
            topic(&words[..words.len().min(8)].join(" ")) + cut
        }
    }
}

/// A key point's text as a topic to name in a sentence. Many key points open
/// with a verb ("Clarifies scope", "Knows a lease can expire"), which reads
/// as broken English after "You touched on" or "A strong answer also
/// covers"; the verb becomes its -ing form ("clarifying scope"). Plural
/// nouns stay as they are: a one-word head before a colon ("Estimates: …")
/// or one followed by "and" ("Labels and features").
/// Verbs ending in "ies" outside the -ify family that key points open with.
const IES_VERBS: [&str; 6] = [
    "applies",
    "carries",
    "denies",
    "inventories",
    "relies",
    "tries",
];

fn topic(text: &str) -> String {
    let text = lower_first(text.trim());
    let (first, rest) = text.split_once(' ').unwrap_or((&text, ""));
    let (word, colon) = match first.strip_suffix(':') {
        Some(word) => (word, ":"),
        None => (first, ""),
    };
    // Most words ending in "ies" that open a key point are plural nouns
    // ("Dependencies", "Boundaries", "Retries"); the verbs are the -ify
    // family ("Clarifies", "Quantifies") and a few others.
    let ies_verb = word.ends_with("ifies") || IES_VERBS.contains(&word);
    let verb = word.len() > 3
        && word.ends_with('s')
        && !word.ends_with("ss")
        && word.chars().all(|c| c.is_ascii_lowercase())
        && rest.split_whitespace().next() != Some("and")
        && if word.ends_with("ies") {
            ies_verb
        } else {
            colon.is_empty()
        };
    if !verb {
        return text;
    }
    let spaced = if rest.is_empty() { "" } else { " " };
    format!("{}{colon}{spaced}{rest}", gerund(word))
}

/// The -ing form of a verb in the third person singular ("clarifies" →
/// "clarifying", "gets" → "getting", "models" → "modelling").
fn gerund(verb: &str) -> String {
    if let Some(stem) = verb.strip_suffix("ies") {
        return format!("{stem}ying");
    }
    if let Some(stem) = verb.strip_suffix("oes") {
        return format!("{stem}oing");
    }
    if ["ches", "shes", "sses", "xes", "zes"]
        .iter()
        .any(|end| verb.ends_with(end))
    {
        return format!("{}ing", &verb[..verb.len() - 2]);
    }
    let base = &verb[..verb.len() - 1];
    if let Some(stem) = base.strip_suffix('e')
        && !stem.ends_with('e')
    {
        return format!("{stem}ing");
    }
    let letters: Vec<char> = base.chars().collect();
    let vowel = |c: char| "aeiou".contains(c);
    // A short word ending consonant, vowel, consonant doubles its last
    // letter (pin → pinning), as does one ending in a vowel and "l" in
    // British spelling (model → modelling), which the banks use.
    if let [.., a, b, c] = letters[..]
        && !vowel(a)
        && vowel(b)
        && !vowel(c)
        && ((letters.len() <= 4 && !"wxy".contains(c)) || c == 'l')
    {
        return format!("{base}{c}ing");
    }
    format!("{base}ing")
}

/// What the key point asks for in detail: its text after the colon.
fn detail(point: &str) -> &str {
    point
        .split_once(':')
        .map(|(_, rest)| rest.trim())
        .unwrap_or(point)
        .trim_end_matches('.')
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        // Keep acronyms ("SLO", "API") as they are.
        Some(c) if chars.clone().next().is_some_and(char::is_lowercase) => {
            c.to_lowercase().chain(chars).collect()
        }
        Some(c) => std::iter::once(c).chain(chars).collect(),
        None => String::new(),
    }
}

/// Why an off-topic answer earns nothing, in terms of what it reads as: a
/// generic answer is told it could be given anywhere, not that it answers
/// some other question it never mentions.
fn off_topic(question: &Question, reads_as: &ReadsAs) -> String {
    match reads_as {
        ReadsAs::AnyQuestion => format!(
            "This answer could be given to almost any {} question: nothing in it is about \
             “{}” in particular, so it earns nothing here. Answer this question in its own \
             terms.",
            kind_words(question.kind),
            question.title
        ),
        ReadsAs::Another(title) => format!(
            "This answer reads as an answer to another question (“{title}”); whatever its \
             quality, it earns nothing here. Answer the question in front of you."
        ),
        ReadsAs::Unknown => "This answer reads as an answer to a different question; whatever \
                             its quality, it earns nothing here. Answer the question in front \
                             of you."
            .to_owned(),
    }
}

fn kind_words(kind: RoundKind) -> &'static str {
    match kind {
        RoundKind::Screen => "screening",
        RoundKind::Coding => "coding",
        RoundKind::MlCoding => "ML coding",
        RoundKind::Design => "system design",
        RoundKind::MlDesign => "ML system design",
        RoundKind::Values => "values",
        RoundKind::Incident => "incident response",
        RoundKind::ThreatModel => "threat modelling",
        RoundKind::Product => "product sense",
        RoundKind::Program => "program management",
        RoundKind::CustomerArchitecture => "customer architecture",
        RoundKind::DataDesign => "data design",
    }
}

/// A key point the answer mentioned without its substance. A point with a
/// short head ("Failure modes: …") names the head and asks for the rest;
/// one without (a whole sentence) would say itself twice, so the answer's
/// own words stand for what was shown and the point for what was missing.
fn touched_on(text: &str, f: &Features, i: usize) -> String {
    if has_short_head(text) {
        return format!(
            "You touched on {} but not the substance: {}.",
            head(text),
            lower_first(detail(text))
        );
    }
    let missing = topic(text.trim_end_matches('.'));
    match f.points[i].sentence.map(|s| clip(f.sentence(s))) {
        Some(said) => format!(
            "You touched on this (\"{said}\") but not the substance a strong answer gives: \
             {missing}."
        ),
        None => format!("A strong answer goes past a mention to the substance: {missing}."),
    }
}

/// Whether a key point opens with a short name before a colon ("Failure
/// modes: …"), which feedback can name apart from what it asks for.
fn has_short_head(text: &str) -> bool {
    text.split_once(':')
        .is_some_and(|(head, _)| head.split_whitespace().count() <= 8)
}

/// The improvement for a key point only mentioned: its name and what it
/// asks for, or (a point with no short name) the point once.
fn past_a_mention(text: &str) -> String {
    if has_short_head(text) {
        format!("Go past naming {}: {}.", head(text), detail(text))
    } else {
        format!(
            "Go past a mention to the substance: {}.",
            topic(text.trim_end_matches('.'))
        )
    }
}

pub(super) fn dimension(
    dimension: &Dimension,
    question: &Question,
    f: &Features,
    own: &[usize],
    points: &[(f64, Coverage)],
    values: bool,
    cap: Option<Cap>,
) -> String {
    match cap {
        Some(Cap::Empty) => return "No answer was given.".to_owned(),
        Some(Cap::Injection) => {
            return "The answer addressed the grader instead of the question, so it earns \
                    no credit; a reviewer can see the flagged sentences."
                .to_owned();
        }
        Some(Cap::OffTopic) => return off_topic(question, &f.reads_as),
        Some(Cap::Restated) => {
            return "This answer mostly says the question back in its own words; say how you \
                    would do it and why."
                .to_owned();
        }
        Some(Cap::Gaming) => {
            return "Repeated phrases, stacked keywords or one sentence template over and over \
                    earn nothing: explain how and why, in your own words."
                .to_owned();
        }
        Some(Cap::Listed) => {
            return "This names the right things under headings but never says what any of \
                    them does here: for the few that matter most, say how it works in this \
                    situation and why you would choose it."
                .to_owned();
        }
        Some(Cap::Recited) => {
            return "This lists what a good story contains instead of telling one: tell what \
                    actually happened, with the system, the people, the steps you took and what \
                    changed."
                .to_owned();
        }
        Some(Cap::TooShort) => {
            return format!(
                "Too short to judge ({} words): give the reasoning and specifics behind it.",
                f.words
            );
        }
        Some(Cap::WeNotI) | None => {}
    }
    let mut parts = Vec::new();
    if values {
        parts.extend(story_feedback(&dimension.id, f));
        if cap == Some(Cap::WeNotI) {
            parts.push(
                "Most of the story is \"we\": say what you yourself did and decided.".to_owned(),
            );
        }
    }
    // A story is judged and coached on its parts above; its key points are
    // the STAR anchors themselves and would only say the same again.
    let own: &[usize] = if values { &[] } else { own };
    let mut shown: Vec<usize> = own
        .iter()
        .copied()
        .filter(|&i| points[i].1 == Coverage::Covered)
        .collect();
    shown.sort_by(|&a, &b| points[b].0.total_cmp(&points[a].0));
    for &i in shown.iter().take(MAX_NAMED) {
        let quote = f.points[i].sentence.map(|s| clip(f.sentence(s)));
        parts.push(match quote {
            Some(q) => format!(
                "You covered {}: \"{}\"",
                head(&question.key_points[i].text),
                q
            ),
            None => format!("You covered {}.", head(&question.key_points[i].text)),
        });
    }
    let mentioned: Vec<usize> = own
        .iter()
        .copied()
        .filter(|&i| points[i].1 == Coverage::Mentioned)
        .collect();
    for &i in mentioned.iter().take(MAX_NAMED) {
        parts.push(touched_on(&question.key_points[i].text, f, i));
    }
    let missed: Vec<usize> = own
        .iter()
        .copied()
        .filter(|&i| points[i].1 == Coverage::Missed)
        .collect();
    if let Some(&i) = missed.first() {
        parts.push(format!(
            "A strong answer also covers {}.",
            topic(question.key_points[i].text.trim_end_matches('.'))
        ));
    }
    if parts.is_empty() && !own.is_empty() {
        parts.push(format!(
            "Nothing in this answer spoke to {} for this question.",
            lower_first(&dimension.name)
        ));
    } else if parts.is_empty() {
        // No key point of this question is about the dimension, so there is
        // nothing to have missed: the level follows the answer as a whole.
        parts.push(format!(
            "This question's key points do not single out {}; its level follows the answer \
             as a whole.",
            lower_first(&dimension.name)
        ));
    }
    parts.join(" ")
}

/// Code-quality feedback: what was said, then what reading the code found
/// (its problems first, each naming the line and identifier), or that
/// there was no code to read.
pub(super) fn code(said: &str, reading: Option<&Reading>) -> String {
    let read = match reading {
        None => "No code was found in the answer to read: write the solution out.".to_owned(),
        Some(r) if r.findings.is_empty() => format!(
            "Reading your code: {}",
            r.strengths
                .first()
                .map_or("clean, nothing to flag.", String::as_str)
        ),
        Some(r) => format!(
            "Reading your code: {}",
            r.findings
                .iter()
                .take(MAX_NAMED)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ")
        ),
    };
    format!("{} {read}", said.trim_end())
        .trim_start()
        .to_owned()
}

/// The values dimensions, in the order of [`Story::parts`].
const STORY_DIMENSIONS: [&str; 4] = ["star_structure", "ownership", "impact", "reflection_growth"];

/// What a values story showed for one dimension (the quote that shows the
/// part), then the step that would take it up the rubric's anchors.
fn story_feedback(dimension: &str, f: &Features) -> Vec<String> {
    let story = &f.story;
    if !story.is_a_story() {
        return vec![NOT_A_STORY.to_owned()];
    }
    let [situation, action, result, afterwards] = story.examples;
    let (example, lead) = match dimension {
        "star_structure" => (situation, "You set the scene"),
        "ownership" => (action, "You said what you did"),
        "impact" => (result, "You gave the result"),
        "reflection_growth" => (afterwards, "You said what changed afterwards"),
        _ => return Vec::new(),
    };
    example
        .map(|s| format!("{lead}: \"{}\"", clip(f.sentence(s))))
        .into_iter()
        .chain(next_step(dimension, story).map(str::to_owned))
        .collect()
}

const NOT_A_STORY: &str = "This reads as what you generally do or would do, not as something \
    that happened: tell one real time, what you did and how it ended.";

/// The step that takes a story's part to the next of the rubric's anchors,
/// or none at the top.
fn next_step(dimension: &str, story: &Story) -> Option<&'static str> {
    match dimension {
        "star_structure" if story.actions == 0 || story.results == 0 => {
            Some("Carry the story through: the steps you took, in order, and how it ended.")
        }
        "star_structure" if story.situation > 3 => {
            Some("Keep the set-up to two or three sentences, so most of the story is what you did.")
        }
        "star_structure" if story.actions < 3 || story.measured == 0 => Some(
            "Walk through your steps in order, and tie the result back to the goal with a number.",
        ),
        "ownership" if story.actions <= story.vague => Some(
            "\"I helped\" or \"I was involved\" hides your part: say what you yourself did and decided.",
        ),
        "ownership" if story.judgements == 0 => {
            Some("Name a judgement call you made yourself, and what you weighed.")
        }
        "impact" if story.results == 0 => {
            Some("Say what changed because of what you did: before and after.")
        }
        "impact" if story.measured == 0 => {
            Some("Put a number on the result: how much, how fast, for how many.")
        }
        "reflection_growth" if story.afterwards == 0 => Some(
            "End with what you do differently since, or what changed so it cannot happen again.",
        ),
        "reflection_growth" if story.lessons == 0 => {
            Some("Make the lesson your own: what you, not people in general, now do differently.")
        }
        "reflection_growth" if story.applied == 0 => {
            Some("Show the lesson stuck: a later time you did it differently, and how it went.")
        }
        _ => None,
    }
}

/// What a story did well and what to work on, weakest part first, with
/// what this question looks for in the weakest part. A part is praised only
/// where its dimension's level (after the whole answer's quality) is a hire.
fn story_summary(
    question: &Question,
    f: &Features,
    dimensions: &[DimensionScore],
) -> (Vec<String>, Vec<String>) {
    let story = &f.story;
    if !story.is_a_story() {
        return (Vec::new(), vec![NOT_A_STORY.to_owned()]);
    }
    let parts = story.parts();
    let level = |id: &str| {
        dimensions
            .iter()
            .find(|d| d.id == id)
            .map_or(1, |d| d.level)
    };
    let mut strengths = Vec::new();
    for ((part, id), praise) in parts.iter().zip(STORY_DIMENSIONS).zip([
        "A clear story, from the situation through your steps to the result.",
        "Your own actions and decisions, in the first person.",
        "A concrete result of what you did.",
        "A lesson in your own habits, not a platitude.",
    ]) {
        if *part >= 2.0 / 3.0 && level(id) >= 3 {
            strengths.push(praise.to_owned());
        }
    }
    if strengths.is_empty() && story.actions > 0 {
        strengths.push("A real story, told as what you did.".to_owned());
    }
    let mut order: Vec<usize> = (0..4).collect();
    order.sort_by(|&a, &b| parts[a].total_cmp(&parts[b]).then(a.cmp(&b)));
    let mut improvements: Vec<String> = order
        .iter()
        .filter_map(|&i| next_step(STORY_DIMENSIONS[i], story))
        .take(MAX_NAMED)
        .map(str::to_owned)
        .collect();
    let weakest = STORY_DIMENSIONS[order[0]];
    if parts[order[0]] < 1.0
        && let Some(point) = question.key_points.iter().find(|k| k.dimension == weakest)
        && let Some(dimension) = dimensions.iter().find(|d| d.id == weakest)
    {
        improvements.push(format!(
            "What this question looks for in {}: {}.",
            lower_first(&dimension.name),
            lower_first(detail(&point.text))
        ));
    }
    (strengths, improvements)
}

/// Strengths and things to improve for the whole answer, from its key points
/// (and, for a story, its shape). Both are filled on every graded answer.
pub(super) fn summary(
    question: &Question,
    key_points: &[KeyPointResult],
    f: &Features,
    values: bool,
    dimensions: &[DimensionScore],
) -> (Vec<String>, Vec<String>) {
    if values {
        let (strengths, mut improvements) = story_summary(question, f, dimensions);
        if improvements.is_empty() {
            improvements.push(
                "Little to add: keep it this tight, and have a second story ready for the \
                 follow-ups."
                    .to_owned(),
            );
        }
        return filled(question, key_points, f, strengths, improvements);
    }
    let strengths: Vec<String> = key_points
        .iter()
        .filter(|k| k.status == Coverage::Covered)
        .take(MAX_NAMED)
        .map(|k| format!("Covered {}.", head(&k.text)))
        .collect();
    let improvements: Vec<String> = key_points
        .iter()
        .filter(|k| k.status == Coverage::Mentioned)
        .take(1)
        .map(|k| past_a_mention(&k.text))
        .chain(
            key_points
                .iter()
                .filter(|k| k.status == Coverage::Missed)
                .take(MAX_NAMED)
                .map(|k| format!("Cover {}.", topic(k.text.trim_end_matches('.')))),
        )
        .collect();
    filled(question, key_points, f, strengths, improvements)
}

/// Strengths and improvements, each with something in it.
fn filled(
    question: &Question,
    key_points: &[KeyPointResult],
    f: &Features,
    mut strengths: Vec<String>,
    mut improvements: Vec<String>,
) -> (Vec<String>, Vec<String>) {
    if strengths.is_empty() {
        strengths.push(if f.words == 0 {
            "Nothing yet: the question was not answered.".to_owned()
        } else if key_points.iter().any(|k| k.status == Coverage::Mentioned) {
            "You were on the topic of the question.".to_owned()
        } else {
            format!(
                "Little of what a strong answer to \"{}\" covers came through.",
                question.title
            )
        });
    }
    if improvements.is_empty() {
        improvements.push(
            "Little to add on the key points: go deeper on trade-offs and what you would measure."
                .to_owned(),
        );
    }
    (strengths, improvements)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_point_that_opens_with_a_verb_is_named_as_a_topic() {
        for (point, named) in [
            (
                "Clarifies scope: custom aliases, expiry",
                "clarifying scope",
            ),
            (
                "Knows a lease can expire while the holder is paused",
                "knowing a lease can expire while the holder…",
            ),
            (
                "Gets the half-open boundary right",
                "getting the half-open boundary right",
            ),
            (
                "Models courses as a directed graph",
                "modelling courses as a directed graph",
            ),
            (
                "Pushes back on scope: employment decisions",
                "pushing back on scope",
            ),
            (
                "Separates metadata from content: metadata service",
                "separating metadata from content",
            ),
            (
                "Goes deep on at least one hard technical part",
                "going deep on at least one hard technical…",
            ),
            (
                "Estimates with numbers: 100M links a month",
                "estimating with numbers",
            ),
            ("Clarifies: limit per user or per key", "clarifying"),
            (
                "Quantifies the blast radius before acting",
                "quantifying the blast radius before acting",
            ),
            (
                "Tries the brute force first",
                "trying the brute force first",
            ),
            // Plural nouns and other heads stay as written.
            ("Estimates: millions of events", "estimates"),
            ("Boundaries: the browser, the API", "boundaries"),
            (
                "Dependencies on the identity team, with dates",
                "dependencies on the identity team, with dates",
            ),
            (
                "Retries with jitter and a budget",
                "retries with jitter and a budget",
            ),
            (
                "Labels and features: implicit feedback",
                "labels and features",
            ),
            (
                "Blameless ownership: owns their part",
                "blameless ownership",
            ),
            (
                "O(n) time with a hash map: one pass",
                "O(n) time with a hash map",
            ),
        ] {
            assert_eq!(head(point), named, "{point}");
        }
        assert_eq!(
            topic("Counts frequencies with a hash map in O(n)"),
            "counting frequencies with a hash map in O(n)"
        );
    }
}
