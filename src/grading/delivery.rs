//! How a spoken answer's delivery moves its Communication level. The words
//! earn the level (structure, substance); the recogniser's measured figures
//! (pace, fillers, long pauses: see [`crate::speech::analytics`]) can only
//! hold it down, never raise it, and the feedback names the figures. Never
//! from catchphrases: saying "firstly" earns nothing here.
//!
//! Applied in code after grading, like code-test results, so every grader
//! and a regrade treat the same recording the same way (an LLM grader sees
//! only the transcript, not the pauses in it).

use crate::content::Rubric;
use crate::speech::analytics::SpeechAnalytics;

use super::AnswerScore;

/// The dimension delivery qualifies, in rubrics that have it.
const DIMENSION: &str = "communication";

/// Too little speech to judge delivery: a short clarification is not a pace.
const MIN_WORDS: usize = 40;
/// Fillers per 100 words above this distract a listener. Conversational
/// speech runs at 1–4 per 100; at 8 about one word in twelve is padding.
const MAX_FILLERS_PER_100: f64 = 8.0;
/// A pace outside this range, in words a minute, is hard to follow: under
/// 100 reads as lost, over 190 as rushed (interview speech runs 120–160).
const PACE: std::ops::RangeInclusive<f64> = 100.0..=190.0;
/// Pauses over two seconds (the analytics' long pause) per answer; a few
/// are thinking, more lose the listener.
const MAX_LONG_PAUSES: usize = 3;

/// Delivery figures over all of an answer's spoken turns.
#[derive(Debug, PartialEq)]
struct Delivery {
    words: usize,
    fillers: usize,
    top_filler: Option<(String, usize)>,
    pace: Option<f64>,
    long_pauses: usize,
    low_confidence: bool,
}

impl Delivery {
    fn of(speech: &[SpeechAnalytics]) -> Delivery {
        let words = speech.iter().map(|s| s.words).sum();
        let fillers = speech.iter().map(|s| s.fillers).sum();
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        for s in speech {
            for (filler, n) in &s.filler_counts {
                *counts.entry(filler).or_default() += n;
            }
        }
        let top_filler = counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
            .map(|(f, n)| (f.to_owned(), n));
        // Pace over the turns that have one, weighted by speaking time.
        let (paced_words, paced_ms) = speech
            .iter()
            .filter(|s| s.words_per_minute.is_some())
            .fold((0usize, 0u64), |(w, ms), s| {
                (w + s.words, ms + s.speaking_ms)
            });
        let pace = (paced_ms > 0).then(|| paced_words as f64 * 60_000.0 / paced_ms as f64);
        Delivery {
            words,
            fillers,
            top_filler,
            pace,
            long_pauses: speech.iter().map(|s| s.long_pauses).sum(),
            low_confidence: speech.iter().any(|s| s.low_confidence),
        }
    }

    /// What a listener would notice, each as a sentence to the candidate.
    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let per_100 = self.fillers as f64 * 100.0 / self.words as f64;
        if per_100 > MAX_FILLERS_PER_100 {
            let top = self
                .top_filler
                .as_ref()
                .map(|(f, n)| format!(", \"{f}\" {n} times"))
                .unwrap_or_default();
            out.push(format!(
                "{} fillers in {} words{top}: pause silently instead.",
                self.fillers, self.words
            ));
        }
        if let Some(pace) = self.pace.filter(|p| !PACE.contains(p)) {
            out.push(if pace < *PACE.start() {
                format!(
                    "{pace:.0} words a minute is slow to follow: say the point, then the detail."
                )
            } else {
                format!("{pace:.0} words a minute is rushed: slow down at the key decisions.")
            });
        }
        if self.long_pauses > MAX_LONG_PAUSES {
            out.push(format!(
                "{} pauses over two seconds: when you need time, say what you are weighing.",
                self.long_pauses
            ));
        }
        out
    }
}

/// Holds the Communication level down by what the recording shows: at most
/// 3 with one problem, at most 2 with more; says so either way. Nothing
/// happens without a `communication` dimension, with too little speech, or
/// when the recogniser flagged its own transcript as unreliable (the fault
/// may be the microphone's, not the candidate's).
pub fn apply(score: &mut AnswerScore, rubric: &Rubric, speech: &[SpeechAnalytics]) {
    if !rubric.dimensions.iter().any(|d| d.id == DIMENSION) {
        return;
    }
    let Some(dimension) = score.dimensions.iter_mut().find(|d| d.id == DIMENSION) else {
        return;
    };
    let delivery = Delivery::of(speech);
    if delivery.words < MIN_WORDS {
        return;
    }
    if delivery.low_confidence {
        dimension.feedback = format!(
            "{} Delivery was not judged: the recogniser was unsure of the transcript.",
            dimension.feedback.trim_end()
        )
        .trim_start()
        .to_owned();
        return;
    }
    let problems = delivery.problems();
    let ceiling = match problems.len() {
        0 => 4,
        1 => 3,
        _ => 2,
    };
    dimension.level = dimension.level.min(ceiling);
    let said = if problems.is_empty() {
        let pace = delivery
            .pace
            .map(|p| format!("{p:.0} words a minute, "))
            .unwrap_or_default();
        let note = format!(
            "Delivery was easy to follow: {pace}{} fillers in {} words.",
            delivery.fillers, delivery.words
        );
        score.strengths.push(note.clone());
        note
    } else {
        let note = format!("Delivery: {}", problems.join(" "));
        score.improvements.push(note.clone());
        note
    };
    dimension.feedback = format!("{} {said}", dimension.feedback.trim_end())
        .trim_start()
        .to_owned();
    score.overall = AnswerScore::weighted_overall(rubric, &score.dimensions);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Catalog;
    use crate::grading::DimensionScore;

    fn rubric_named(id: &str) -> Rubric {
        Catalog::embedded().unwrap().rubric(id).unwrap().clone()
    }

    fn screen() -> Rubric {
        rubric_named("screen")
    }

    /// A score with every dimension at `level` and neutral feedback.
    fn scored(rubric: &Rubric, level: u8) -> AnswerScore {
        let catalog = Catalog::embedded().unwrap();
        let question = &catalog.questions(crate::content::RoundKind::Screen)[0];
        let mut score = crate::grading::OfflineGrader.score(crate::grading::GradeRequest {
            rubric,
            question,
            answers: &["An answer.".to_owned()],
            hints: &[],
        });
        for d in &mut score.dimensions {
            d.level = level;
            d.feedback = "Words.".to_owned();
        }
        score.strengths.clear();
        score.improvements.clear();
        score.overall = AnswerScore::weighted_overall(rubric, &score.dimensions);
        score
    }

    fn spoken(words: usize, fillers: usize, wpm: f64, long_pauses: usize) -> SpeechAnalytics {
        SpeechAnalytics {
            words,
            speaking_ms: (words as f64 * 60_000.0 / wpm) as u64,
            words_per_minute: Some(wpm),
            fillers,
            filler_counts: [("um".to_owned(), fillers)].into_iter().collect(),
            long_pauses,
            ..SpeechAnalytics::default()
        }
    }

    fn communication(score: &AnswerScore) -> &DimensionScore {
        score.dimensions.iter().find(|d| d.id == DIMENSION).unwrap()
    }

    #[test]
    fn clean_delivery_keeps_the_level_and_says_why() {
        let rubric = screen();
        let mut score = scored(&rubric, 4);
        apply(&mut score, &rubric, &[spoken(200, 3, 140.0, 1)]);
        assert_eq!(communication(&score).level, 4);
        assert!(
            communication(&score)
                .feedback
                .contains("140 words a minute, 3 fillers in 200 words")
        );
        assert!(score.strengths.iter().any(|s| s.starts_with("Delivery")));
    }

    #[test]
    fn fillers_pace_and_pauses_hold_the_level_down_and_are_named() {
        let rubric = screen();
        let mut one = scored(&rubric, 4);
        apply(&mut one, &rubric, &[spoken(200, 30, 140.0, 0)]);
        assert_eq!(communication(&one).level, 3);
        assert!(communication(&one).feedback.contains("\"um\" 30 times"));
        assert!(one.overall < 4.0, "the overall follows the dimension");

        let mut many = scored(&rubric, 4);
        apply(&mut many, &rubric, &[spoken(200, 30, 80.0, 6)]);
        assert_eq!(communication(&many).level, 2);
        let feedback = &communication(&many).feedback;
        assert!(feedback.contains("80 words a minute is slow"), "{feedback}");
        assert!(feedback.contains("6 pauses over two seconds"), "{feedback}");

        // Never raised: a level the words did not earn stays.
        let mut low = scored(&rubric, 1);
        apply(&mut low, &rubric, &[spoken(200, 2, 140.0, 0)]);
        assert_eq!(communication(&low).level, 1);
    }

    #[test]
    fn turns_add_up_and_pace_is_weighted_by_speaking_time() {
        let d = Delivery::of(&[spoken(100, 5, 120.0, 1), spoken(300, 5, 180.0, 2)]);
        assert_eq!((d.words, d.fillers, d.long_pauses), (400, 10, 3));
        let pace = d.pace.unwrap();
        assert!((pace - 400.0 * 60.0 / (50.0 + 100.0)).abs() < 0.5, "{pace}");
    }

    #[test]
    fn no_judgement_without_enough_trusted_speech_or_the_dimension() {
        let rubric = screen();
        let mut short = scored(&rubric, 4);
        apply(&mut short, &rubric, &[spoken(20, 10, 60.0, 5)]);
        assert_eq!(communication(&short).level, 4);
        assert_eq!(communication(&short).feedback, "Words.");

        let mut unsure = scored(&rubric, 4);
        let mut speech = spoken(200, 40, 60.0, 5);
        speech.low_confidence = true;
        apply(&mut unsure, &rubric, &[speech]);
        assert_eq!(communication(&unsure).level, 4);
        assert!(communication(&unsure).feedback.contains("not judged"));

        let mut typed = scored(&rubric, 4);
        apply(&mut typed, &rubric, &[]);
        assert_eq!(communication(&typed).feedback, "Words.");

        let coding = rubric_named("coding");
        let mut other = scored(&coding, 4);
        let before = other.clone();
        apply(&mut other, &coding, &[spoken(200, 40, 60.0, 5)]);
        assert_eq!(other, before);
    }
}
