//! Grading a closed question beside the session (the next prompt never
//! waits for a score), and the quick reading of an answer the interviewer
//! chooses its follow-up by.

use std::sync::Arc;

use tokio::time::Instant;
use tracing::Instrument;

use super::{Actor, Command};
use crate::engine::{Answer, Input, is_hint_request};
use crate::grading::{GradeRequest, KeyPointResult, Observed, grade_answer};
use crate::speech::analytics::SpeechAnalytics;

impl Actor {
    /// Grading runs beside the interview: the next prompt never waits for it.
    pub(super) fn spawn_grading(&mut self, round: usize, question: usize) {
        let Some(record) = self.session.record(round, question) else {
            return;
        };
        let graded = record.for_grading();
        let hints = record.hints();
        let tests_run = record.test_runs.last().cloned();
        let plan = Arc::clone(self.session.plan());
        let grader = Arc::clone(&self.shared.grader);
        let metrics = Arc::clone(&self.shared.metrics);
        let tx = self.tx.clone();
        self.pending_grades += 1;
        let span = tracing::Span::current();
        self.shared.tracker.spawn(
            async move {
                let planned = &plan.rounds[round];
                let request = GradeRequest {
                    rubric: &planned.rubric,
                    question: &planned.questions[question],
                    answers: &graded.answers,
                    hints: &hints,
                };
                let started = Instant::now();
                let observed = Observed {
                    run: tests_run.as_ref(),
                    speech: &graded.speech,
                    unclear: &graded.unclear,
                };
                let score = grade_answer(grader.as_ref(), request, observed).await;
                metrics.graded(grader.id(), score.fallback, started.elapsed());
                let _ = tx
                    .send(Command::Graded {
                        round,
                        question,
                        score: Box::new(score),
                    })
                    .await;
            }
            .instrument(span),
        );
    }
}

impl Actor {
    /// An answer to the open question, with the quick grader's reading of
    /// every answer to it so far, so the interviewer follows up on what is
    /// still missing (see `engine::pacing`).
    pub(super) async fn answer(&mut self, text: String, speech: Option<Box<SpeechAnalytics>>) {
        // Words the recogniser could not make out are not read for what
        // they cover: the follow-up goes by signal phrases.
        let coverage = match &speech {
            Some(speech) if speech.unclear => None,
            _ => self.reading_with(&text).await,
        };
        self.input(Input::Answer(Answer {
            text,
            speech,
            coverage,
        }))
        .await
    }

    async fn reading_with(&self, text: &str) -> Option<Vec<KeyPointResult>> {
        let (round, question) = self.session.asking()?;
        let record = self.session.record(round, question)?;
        let plan = Arc::clone(self.session.plan());
        let planned = &plan.rounds[round];
        let question = &planned.questions[question];
        if question.key_points.is_empty() || text.trim().is_empty() || is_hint_request(text) {
            return None;
        }
        let reader = self.shared.grader.quick()?;
        let mut answers = record.for_grading().answers;
        answers.push(text.to_owned());
        let hints = record.hints();
        let request = GradeRequest {
            rubric: &planned.rubric,
            question,
            answers: &answers,
            hints: &hints,
        };
        match tokio::time::timeout(self.shared.reading_wait, reader.grade(request)).await {
            Ok(Ok(score)) => Some(score.key_points).filter(|k| !k.is_empty()),
            Ok(Err(error)) => {
                tracing::warn!(%error, "no reading of the answer; following up by signal phrases");
                None
            }
            Err(_) => {
                tracing::warn!("no reading of the answer in time; following up by signal phrases");
                None
            }
        }
    }
}
