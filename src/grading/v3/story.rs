//! A behavioural story's shape, found in the candidate's own sentences:
//! a specific situation, what *I* did, a result with a before and after, and
//! what changed afterwards. Values answers are judged on this rather than on
//! their likeness to abstract key points, which real stories do not resemble.
//! The parts are found without the rubric's phrases ("as a result", "I
//! learned"), which a plain story may never say; the story's quality weighs
//! those phrases separately (see `judge.rs`).
//!
//! Each part is read the way the rubric's level anchors describe it (see
//! `rubrics/values.toml`): a hypothetical or general answer has no story; a
//! vague "I helped" is a passive role; a result with a number is a measured
//! one; a lesson backed by a later time it was applied is growth shown.

use crate::text::signals::Analysis;

/// Words that mark a change between a before and an after.
/// "From" alone is not one ("an alert from the pager"): "from … to" is.
const CHANGE: &[&str] = &[
    "again",
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
    "result",
    "ended",
    "outcome",
    "normal",
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

/// Words that tell what the speaker generally does or would do, not what
/// happened ("I always…", "I would…"): the rubric's level 1.
const GENERAL: &[&str] = &[
    "always",
    "usually",
    "generally",
    "typically",
    "tend",
    "often",
];

/// A passive role ("I was involved", "I helped"): the rubric's level 2.
const VAGUE: &[&str] = &[
    "involved",
    "helped",
    "supported",
    "assisted",
    "participated",
    "contributed",
];

/// A judgement call of one's own, or its reason: the rubric's level 4.
const JUDGEMENT: &[&str] = &[
    "decided",
    "chose",
    "pushed",
    "argued",
    "proposed",
    "escalated",
    "weighed",
    "insisted",
    "refused",
    "recommended",
    "convinced",
    "flagged",
    "raised",
    "traded",
    "prioritised",
    "prioritized",
    "declined",
    "because",
    "instead",
    "rather",
];

/// What follows "I" in a filler or a hedge rather than an act.
const NOT_AN_ACT: &[&str] = &[
    "mean", "think", "guess", "suppose", "believe", "want", "feel", "know", "don", "m",
];

/// A lesson that is only a platitude ("communication is important").
const PLATITUDE: &[&str] = &["important", "key", "essential", "crucial"];

/// Marks a later time the lesson was used ("since then", "six months later").
const SINCE: &[&str] = &["since", "later", "recently"];

/// What the story's sentences show: each count is a number of statements.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Story {
    /// Statements in all.
    pub statements: usize,
    /// Statements about what the speaker does in general or would do.
    pub general: usize,
    /// Past-tense statements before the first action: the situation.
    pub situation: usize,
    /// What *I* did, in the past tense, not a passive role.
    pub actions: usize,
    /// "I helped", "I was involved".
    pub vague: usize,
    /// Actions that are a judgement call or give its reason.
    pub judgements: usize,
    /// Past-tense statements, after the opening one and from the first
    /// action on, stating a change.
    pub results: usize,
    /// Results with a number.
    pub measured: usize,
    /// Statements in the second half on what changed since.
    pub afterwards: usize,
    /// Of those, lessons in the speaker's own habits, not platitudes.
    pub lessons: usize,
    /// Of those, a later time the lesson was applied, told in the past.
    pub applied: usize,
    /// Statements with a number anywhere: sizes, durations, counts.
    pub quantified: usize,
    /// The sentence that best shows each of situation, action, result and
    /// afterwards, for quotes: a judgement over a plain action, a measured
    /// result over an unmeasured one, a lesson applied over a bare lesson.
    pub examples: [Option<usize>; 4],
}

impl Story {
    /// How far each of star structure, ownership, impact and reflection
    /// reaches up the rubric's anchors, 0 (level 1) to 1 (level 4).
    pub fn parts(&self) -> [f64; 4] {
        if !self.is_a_story() {
            return [0.0; 4];
        }
        let level = |l: u8| f64::from(l - 1) / 3.0;
        let star = if self.actions == 0 || self.results == 0 {
            2
        } else if self.actions >= 3 && self.measured > 0 && self.situation <= 3 {
            4
        } else {
            3
        };
        let ownership = if self.actions == 0 && self.vague == 0 {
            1
        } else if self.actions <= self.vague {
            2
        } else if self.judgements > 0 && self.actions >= 2 {
            4
        } else {
            3
        };
        let impact = match (self.results, self.measured) {
            (0, _) => 1,
            (_, 0) => 3,
            _ => 4,
        };
        let reflection = if self.afterwards == 0 {
            1
        } else if self.lessons == 0 {
            2
        } else if self.applied == 0 {
            3
        } else {
            4
        };
        [
            level(star),
            level(ownership),
            level(impact),
            level(reflection),
        ]
    }

    /// Mostly told as what happened: under a third general or hypothetical.
    pub fn is_a_story(&self) -> bool {
        self.statements > 0 && self.general * 3 < self.statements
    }
}

pub fn story(analysis: &Analysis<'_>, prose: &[usize]) -> Story {
    let mut out = Story {
        statements: prose.len(),
        ..Story::default()
    };
    let second_half = prose.len() / 2;
    let mut acted = false;
    let mut best = [(0u8, None::<usize>); 4];
    let mut offer = |part: usize, rank: u8, sentence: usize| {
        if best[part].1.is_none() || rank > best[part].0 {
            best[part] = (rank, Some(sentence));
        }
    };
    for (position, &i) in prose.iter().enumerate() {
        let tokens = analysis.sentence_tokens(i);
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        let has = |list: &[&str]| words.iter().any(|w| list.contains(w));
        let past = words
            .iter()
            .any(|w| (w.len() > 4 && w.ends_with("ed")) || IRREGULAR_PAST.contains(w));
        let number = analysis.sentences[i].has_number;
        // "I" doing something: not "I mean", "I think", "I guess" (a
        // speaker's filler) and not "I would".
        let mine = tokens.windows(2).any(|pair| {
            pair[0].text == "i"
                && !NOT_AN_ACT.contains(&pair[1].text.as_str())
                && !pair[1].class.hypothetical()
        });
        out.quantified += usize::from(number);
        // "I would", "we should", or "I always" with nothing told in the past:
        // what the speaker does in general. A modal elsewhere ("it would have
        // taken a week") is part of a story.
        let supposes = tokens.windows(2).any(|pair| {
            matches!(pair[0].text.as_str(), "i" | "we" | "you") && pair[1].class.hypothetical()
        });
        if supposes || (has(GENERAL) && !past) {
            out.general += 1;
            continue;
        }
        if past && position < second_half.max(1) {
            // The first thing told as having happened sets the scene.
            offer(0, 0, i);
        }
        if mine && has(VAGUE) {
            out.vague += 1;
        } else if mine && past {
            acted = true;
            out.actions += 1;
            let judged = has(JUDGEMENT);
            out.judgements += usize::from(judged);
            offer(1, u8::from(judged), i);
        } else if past && !acted {
            out.situation += 1;
        }
        // The opening sentence sets the scene even when it holds an action
        // ("I shipped a change that…"); the result comes after.
        let from_to = has(&["from"]) && has(&["to"]);
        if acted && position > 0 && past && (has(CHANGE) || from_to) {
            out.results += 1;
            out.measured += usize::from(number);
            offer(2, u8::from(number), i);
        }
        if position >= second_half && has(AFTERWARDS) {
            out.afterwards += 1;
            let lesson = mine && !has(PLATITUDE);
            let applied = lesson && past && has(SINCE);
            out.lessons += usize::from(lesson);
            out.applied += usize::from(applied);
            offer(3, u8::from(lesson) + u8::from(applied), i);
        }
    }
    out.examples = best.map(|(_, s)| s);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The story of `text`, every sentence read as a statement.
    fn story_of(text: &str) -> (Story, Vec<String>) {
        let answers = [text.to_owned()];
        let analysis = Analysis::new(&answers);
        let prose: Vec<usize> = (0..analysis.sentences.len()).collect();
        let sentences = analysis
            .sentences
            .iter()
            .map(|s| s.text.to_owned())
            .collect();
        (story(&analysis, &prose), sentences)
    }

    #[test]
    fn a_plain_story_has_every_part_without_the_rubrics_words() {
        let (story, sentences) = story_of(
            "Last year I shipped a config change that set the database connection pool far too \
             low, and checkout requests started timing out. I noticed the error alerts a few \
             minutes after the deploy, told the on-call channel it was my change, and rolled it \
             back within the hour. Afterwards I added a check in CI that validates pool \
             settings against the database limits, so the same mistake cannot ship again.",
        );
        assert!(story.is_a_story(), "{story:?}");
        assert_eq!(story.actions, 3, "{story:?}");
        let [situation, action, result, afterwards] = story.examples.map(Option::unwrap);
        assert!(sentences[situation].starts_with("Last year"));
        assert!(sentences[action].starts_with("Last year"));
        assert!(sentences[result].contains("rolled it back"), "{story:?}");
        assert!(sentences[afterwards].starts_with("Afterwards"));
        let [star, ownership, impact, reflection] = story.parts();
        assert!(star >= 2.0 / 3.0 && ownership >= 2.0 / 3.0, "{story:?}");
        // Rolled back, but not measured; a lesson of its own, not yet used again.
        assert_eq!((impact, reflection), (2.0 / 3.0, 2.0 / 3.0));
    }

    #[test]
    fn what_one_would_do_or_always_does_is_not_a_story() {
        let (story, _) = story_of(
            "I always make sure to communicate openly with stakeholders. I would raise the \
             concern early and escalate if needed. I usually write things down so nothing is \
             lost. Customers come first for me.",
        );
        assert!(!story.is_a_story(), "{story:?}");
        assert_eq!(story.parts(), [0.0; 4]);
    }

    #[test]
    fn a_passive_role_is_not_ownership_and_a_measured_lesson_used_again_is_growth() {
        let (vague, _) = story_of(
            "Two years ago our payments team had a long outage during a launch. I was involved \
             in the response and I helped where I could. The service recovered after six hours.",
        );
        assert!(vague.parts()[1] <= 1.0 / 3.0, "{vague:?}");
        let (grown, sentences) = story_of(
            "Two years ago I led the response to a payments outage during a launch. I decided to \
             roll back instead of patching forward because the fix was untested. Errors fell \
             from 12 percent to zero within 20 minutes. I learned to keep a rollback plan in \
             every launch checklist. Since then I rolled back a bad release in under five \
             minutes using that plan.",
        );
        let parts = grown.parts();
        assert_eq!(parts[1], 1.0, "{grown:?}");
        assert_eq!(parts[2], 1.0, "{grown:?}");
        assert_eq!(parts[3], 1.0, "{grown:?}");
        let [_, action, result, afterwards] = grown.examples.map(Option::unwrap);
        assert!(sentences[action].starts_with("I decided"));
        assert!(sentences[result].starts_with("Errors fell"));
        assert!(sentences[afterwards].starts_with("Since then"));
    }

    #[test]
    fn a_problem_that_never_came_back_is_a_result_and_a_message_from_someone_is_not() {
        let (lasting, sentences) = story_of(
            "At my last job I shipped a flag change that broke login on the mobile app. I turned \
             the flag off and added mobile tests to the pipeline. We did not have that problem \
             again.",
        );
        assert_eq!(lasting.results, 1, "{lasting:?}");
        let result = lasting.examples[2].unwrap();
        assert!(sentences[result].ends_with("again."), "{lasting:?}");
        let (message, _) = story_of(
            "At my last job I shipped a flag change that broke login on the mobile app. I got a \
             message from the support lead about it. I turned the flag off.",
        );
        assert_eq!(message.results, 0, "{message:?}");
        let (moved, _) = story_of(
            "At my last job I shipped a slow query. I added an index on the two columns. The p99 \
             moved from two seconds to a tenth of that.",
        );
        assert_eq!(moved.results, 1, "{moved:?}");
    }
}
