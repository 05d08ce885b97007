//! Grading a closed question beside the session: the next prompt never
//! waits for a score.

use std::sync::Arc;

use tokio::time::Instant;
use tracing::Instrument;

use super::{Actor, Command};
use crate::grading::{GradeRequest, Observed, grade_answer};

impl Actor {
    /// Grading runs beside the interview: the next prompt never waits for it.
    pub(super) fn spawn_grading(&mut self, round: usize, question: usize) {
        let Some(record) = self.session.record(round, question) else {
            return;
        };
        let answers = record.answers();
        let hints = record.hints();
        let tests_run = record.test_runs.last().cloned();
        let speech = record.speech();
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
                    answers: &answers,
                    hints: &hints,
                };
                let started = Instant::now();
                let observed = Observed {
                    run: tests_run.as_ref(),
                    speech: &speech,
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
