//! The interviewer's pacing against a real server and the real offline
//! grader v3 (its embedding model): each follow-up asks for something the
//! grader read as still missing, never for what the candidate just covered,
//! and every prompt after an answer opens with a word from the interviewer.

use std::path::Path;
use std::sync::Arc;

use mockloop::content::Catalog;
use mockloop::grading::calibrate::CalibrationSet;
use mockloop::grading::{Coverage, GradeRequest, Grader, SubstanceGrader};

use crate::app::TestApp;
use crate::code_runs::{coding_loop, content_with_loop};

const QUESTION: &str = "coding-top-k-frequent-words";

#[tokio::test]
async fn each_follow_up_asks_for_what_the_grader_read_as_missing_with_a_word_first() {
    // One coding question with room for follow-ups, then a values question.
    let content = content_with_loop(
        "pacing-practice",
        &coding_loop("pacing-practice", "Pacing practice", QUESTION, 40, 8),
    );
    let mut config = mockloop::config::Config::default();
    config.content.dir = Some(content.path().to_owned());
    // What is tested is the follow-up chosen from the reading: a loaded
    // machine (the whole suite beside it) must not time the reading out.
    config.grader.reading_wait_ms = mockloop::config::Bounded::new(60_000).unwrap();
    let grader = Arc::new(SubstanceGrader::new(mockloop::embed::test_model()));
    let app = TestApp::builder()
        .config(config)
        .grader(grader.clone())
        .spawn()
        .await;

    let catalog = Catalog::embedded().unwrap();
    let set = CalibrationSet::load(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/calibration"),
        &catalog,
    )
    .unwrap();
    // A strong answer, written for the calibration set: it covers some
    // dimensions fully, so a probe chosen by phrases alone could ask for
    // what it just said.
    let item = set
        .items
        .iter()
        .find(|i| i.id == format!("{QUESTION}--standard-4"))
        .unwrap();
    let (question, rubric) = (&item.question, &item.rubric);

    let (id, token, mut candidate) = app.start("pacing-practice").await;
    candidate.recv_until("prompt").await;
    let mut said: Vec<String> = Vec::new();
    let mut follow_ups = 0;
    let mut pressed = 0;
    let mut leads = Vec::new();
    let next = loop {
        let text = item.answers.get(said.len()).cloned().unwrap_or_else(|| {
            "I'd test ties, k equal to the number of distinct words, and a single repeated word.".into()
        });
        candidate.answer(&text).await;
        said.push(text);
        let prompt = candidate.recv_until("prompt").await;
        let lead = prompt["lead"].as_str().unwrap_or_default().to_owned();
        assert!(!lead.is_empty(), "a word before the next prompt: {prompt}");
        leads.push(lead);
        if prompt["kind"] != "follow_up" {
            break prompt;
        }
        follow_ups += 1;
        // What the interviewer read when it chose: the same grader on the
        // same answers gives the same reading.
        let reading = grader
            .grade(GradeRequest {
                rubric,
                question,
                answers: &said,
                hints: &[],
            })
            .await
            .unwrap()
            .key_points;
        // A dimension with no key points here is not in the reading: its
        // probes go by signal phrases, as without one.
        let short = |dimension: &str| {
            let mut points = reading
                .iter()
                .filter(|p| p.dimension == dimension)
                .peekable();
            points.peek().is_none() || points.any(|p| p.status != Coverage::Covered)
        };
        let asked = prompt["text"].as_str().unwrap();
        if let Some(probe) = question.probes.iter().find(|p| p.text == asked) {
            let dimension = dimension_of(rubric, &probe.signal);
            assert!(
                short(dimension),
                "{asked:?} probes {dimension}, which the answers already cover: {reading:?}"
            );
        }
        // A point only mentioned is pressed in the candidate's own words.
        if let Some(quoted) = asked
            .strip_prefix("You mentioned \u{201c}")
            .and_then(|rest| rest.split_once('\u{201d}'))
            .map(|(quoted, _)| quoted.trim_end_matches('…'))
        {
            assert!(
                said.iter().any(|a| a.contains(quoted)),
                "{quoted:?} is not what the candidate said"
            );
            assert!(
                reading.iter().any(|p| p.status == Coverage::Mentioned
                    && p.quote.as_deref().is_some_and(|q| q.contains(quoted))),
                "{quoted:?} is no mentioned point's evidence: {reading:?}"
            );
            pressed += 1;
        }
    };
    assert!(follow_ups >= 1, "a strong answer still gets follow-ups");
    assert!(pressed >= 1, "a point only mentioned was pressed");
    // The transcript says them as they were said, before each prompt.
    let transcript = app.export_text(&id, &token, "transcript.md").await;
    for lead in &leads {
        assert!(
            transcript.contains(lead.as_str()),
            "{lead:?} in {transcript}"
        );
    }
    assert_eq!(next["round"]["kind"], "values", "{next}");
    assert!(
        next["lead"]
            .as_str()
            .is_some_and(|l| l.starts_with("Let's leave") || l.starts_with("Thanks")),
        "moving on says why: {next}"
    );
}

fn dimension_of<'r>(rubric: &'r mockloop::content::Rubric, signal: &str) -> &'r str {
    rubric
        .dimensions
        .iter()
        .find(|d| d.signals.iter().any(|s| s.id == signal))
        .map(|d| d.id.as_str())
        .unwrap_or_else(|| panic!("no dimension has signal {signal}"))
}

/// A grader whose quick reading never comes back, as a stalled one would,
/// and which otherwise scores like the vocabulary grader.
struct StalledReading;

#[async_trait::async_trait]
impl Grader for StalledReading {
    fn id(&self) -> &str {
        "stalled-reading"
    }

    async fn grade(
        &self,
        request: GradeRequest<'_>,
    ) -> Result<mockloop::grading::AnswerScore, mockloop::grading::GradeError> {
        Ok(mockloop::grading::OfflineGrader.score(request))
    }

    fn quick(&self) -> Option<&dyn Grader> {
        Some(&Never)
    }
}

struct Never;

#[async_trait::async_trait]
impl Grader for Never {
    fn id(&self) -> &str {
        "never"
    }

    async fn grade(
        &self,
        _request: GradeRequest<'_>,
    ) -> Result<mockloop::grading::AnswerScore, mockloop::grading::GradeError> {
        std::future::pending().await
    }
}

/// The interview does not wait on a reading that never comes: after
/// `[grader] reading_wait_ms` the follow-up is chosen by signal phrases.
#[tokio::test]
async fn a_reading_that_never_comes_holds_the_interview_only_for_the_reading_wait() {
    let mut config = mockloop::config::Config::default();
    config.grader.reading_wait_ms = mockloop::config::Bounded::new(10).unwrap();
    let app = TestApp::builder()
        .config(config)
        .grader(Arc::new(StalledReading))
        .spawn()
        .await;
    let (_, _, mut candidate) = app.start("quick-practice").await;
    let first = candidate.recv_until("prompt").await;
    candidate
        .answer("I would put a cache in front of the database and measure the hit rate.")
        .await;
    let next = candidate.recv_until("prompt").await;
    assert_ne!(next["text"], first["text"], "{next}");
    assert!(
        !next["lead"].as_str().unwrap_or_default().is_empty(),
        "{next}"
    );
}
