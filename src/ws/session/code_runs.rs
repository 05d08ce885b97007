//! "Run tests" and "Run": the candidate's code runs in the sandbox beside
//! the session, like grading, so the interview (timers, other messages)
//! never waits on it. A test run is recorded as a `tests_run` event on the
//! question that was open when the run started, if it still is when the run
//! ends; a run on the candidate's own input is only sent back.

use std::sync::Arc;

use tracing::{Instrument, info, warn};

use super::{Actor, Command};
use serde_json::Value;

use crate::content::{CodeLanguage, TestCase};
use crate::engine::Input;
use crate::sandbox::{SandboxError, TestRun};
use crate::ws::protocol::ServerMsg;

/// Runs recorded per question. Each stores its code (up to a frame) and
/// bounded output, so this bounds what one question can add to the log.
const MAX_RUNS_PER_QUESTION: usize = 100;

pub(crate) struct Finished {
    round: usize,
    question: usize,
    /// The candidate's own arguments: scratch work, not a test run.
    custom: bool,
    result: Result<TestRun, SandboxError>,
}

impl Actor {
    /// Runs `code` against the question's tests, or once on `input` (the
    /// candidate's own arguments) when given.
    pub(super) async fn run_code(
        &mut self,
        language: CodeLanguage,
        code: String,
        input: Option<Vec<Value>>,
    ) {
        let Some((round, question)) = self.session.asking() else {
            return self.send(ServerMsg::error(
                "not_allowed",
                "There is no question to run code for right now.",
            ));
        };
        let planned = &self.session.plan().rounds[round];
        let tests = planned.questions[question]
            .tests
            .clone()
            .filter(|t| planned.kind.is_coding() && t.signature(language).is_some());
        let Some(mut tests) = tests else {
            return self.send(ServerMsg::error(
                "no_tests",
                format!("This question has no {language} tests to run."),
            ));
        };
        if code.trim().is_empty() {
            return self.send(ServerMsg::error("empty_code", "There is no code to run."));
        }
        let runs = self
            .session
            .record(round, question)
            .map_or(0, |r| r.test_runs.len());
        if input.is_none() && runs >= MAX_RUNS_PER_QUESTION {
            return self.send(ServerMsg::error(
                "too_many_runs",
                format!("This question's tests have been run {runs} times, the most allowed."),
            ));
        }
        if self.pending_run {
            return self.send(ServerMsg::error(
                "busy",
                "Your previous run is still going; wait for its results.",
            ));
        }
        let status = self.shared.sandbox.status().await;
        if !status.enabled {
            let reason = status.reason.clone().unwrap_or_default();
            return self.send(ServerMsg::error(
                "code_execution_disabled",
                format!("Running code is disabled on this server: {reason}"),
            ));
        }
        let custom = input.is_some();
        if let Some(args) = input {
            tests.cases = vec![TestCase {
                args,
                expected: Value::Null,
                hidden: false,
            }];
        }
        self.pending_run = true;
        let sandbox = Arc::clone(&self.shared.sandbox);
        let cancel = self.shared.cancel.clone();
        let tx = self.tx.clone();
        let span = tracing::Span::current();
        let owner = self.id.clone();
        self.shared.tracker.spawn(
            async move {
                let result = tokio::select! {
                    result = sandbox.run(&owner, language, &code, &tests) => result,
                    // Dropping the run kills its process; shutdown need not wait.
                    _ = cancel.cancelled() => Err(SandboxError::ShuttingDown),
                };
                let finished = Finished {
                    round,
                    question,
                    custom,
                    result,
                };
                let _ = tx.send(Command::TestsRun(Box::new(finished))).await;
            }
            .instrument(span),
        );
    }

    pub(super) async fn tests_run(&mut self, finished: Finished) {
        self.pending_run = false;
        match finished.result {
            Ok(mut run) if finished.custom => {
                info!(language = %run.language, status = run.status.label(), "custom run finished");
                // No expected value: what came back is the answer.
                for case in &mut run.cases {
                    case.expected = None;
                    case.passed = false;
                }
                run.passed = 0;
                self.send(ServerMsg::RunOutput { run: Box::new(run) });
            }
            Ok(run) => {
                info!(
                    round = finished.round,
                    question = finished.question,
                    language = %run.language,
                    status = run.status.label(),
                    passed = run.passed,
                    total = run.total,
                    "code run finished"
                );
                self.input(Input::TestsRun {
                    round: finished.round,
                    question: finished.question,
                    run: Box::new(run),
                })
                .await;
            }
            Err(busy @ SandboxError::Busy { retry_after, .. }) => {
                info!(%busy, "code run refused");
                self.send(ServerMsg::busy(busy.to_string(), retry_after));
            }
            Err(error) => {
                warn!(%error, "code run failed");
                self.send(ServerMsg::error("run_failed", error.to_string()));
            }
        }
    }
}
