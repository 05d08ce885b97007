//! Regrading stored interviews: rescore every closed question of a session
//! with another grader, or against an edited rubric, and store the results as
//! new `scored` events. Old scores stay in the log; the last one is current,
//! so a report shows the regrade and how many scores exist.
//!
//! The decision goes through the engine (`Session::handle` with
//! `Input::Graded`), and the append carries the sequence number the session
//! was read at: if anything else wrote to the session in between (a live
//! interview), the append is refused and the session is reported as not
//! regraded, never half-written.

mod render;

use std::path::Path;

use futures_util::StreamExt;
use serde::Serialize;

use crate::content::{ContentErrors, RoundKind, Rubric, load_rubrics};
use crate::engine::{EpochMs, Input, InterviewError, Session};
use crate::grading::{AnswerScore, GradeRequest, Grader, Observed, grade_answer};
use crate::store::{Store, StoreError};

/// Answers of one session graded at once: enough to overlap an LLM grader's
/// network waits, few enough not to flood its provider.
const CONCURRENCY: usize = 4;

/// Overall scores closer than this are the same score (they are rounded to
/// two decimals when made).
const SAME: f64 = 0.005;

/// Rubrics loaded from a directory to regrade against instead of the ones
/// each session pinned.
#[derive(Clone, Debug)]
pub struct RubricOverrides {
    pub source: String,
    pub rubrics: Vec<Rubric>,
}

impl RubricOverrides {
    pub fn load(dir: &Path) -> Result<RubricOverrides, ContentErrors> {
        Ok(RubricOverrides {
            source: dir.display().to_string(),
            rubrics: load_rubrics(dir)?,
        })
    }

    /// The edited counterpart of a pinned rubric: the one with the same id
    /// (and kind), else the first of the same kind.
    pub fn counterpart(&self, pinned: &Rubric) -> Option<&Rubric> {
        self.rubrics
            .iter()
            .find(|r| r.id == pinned.id && r.kind == pinned.kind)
            .or_else(|| self.rubrics.iter().find(|r| r.kind == pinned.kind))
    }
}

/// What to regrade with.
pub struct Regrader<'a> {
    pub store: &'a dyn Store,
    pub grader: &'a dyn Grader,
    /// `None`: each session's pinned rubrics.
    pub rubrics: Option<&'a RubricOverrides>,
    /// Skip sessions that have not finished. The server sets it: a session
    /// in progress there holds its state in memory, and a score appended
    /// behind its back would make its next action fail.
    pub finished_only: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct RegradeReport {
    pub grader: String,
    /// `pinned`, or the directory the rubrics came from.
    pub rubrics: String,
    pub sessions: Vec<SessionRegrade>,
    pub summary: Summary,
}

#[derive(Clone, Debug, Serialize)]
pub struct SessionRegrade {
    pub session_id: String,
    #[serde(flatten)]
    pub status: Status,
    pub answers: Vec<AnswerChange>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// New scores were stored.
    Regraded,
    /// Nothing to regrade (no closed question).
    Skipped { reason: String },
    /// Nothing was stored: the session is missing, unreadable, or changed
    /// while it was being regraded.
    Failed { reason: String },
}

/// One answer's old and new score.
#[derive(Clone, Debug, Serialize)]
pub struct AnswerChange {
    pub round: usize,
    pub question: usize,
    pub question_id: String,
    pub kind: RoundKind,
    /// The current score before the regrade; `None` if it had none yet.
    pub old: Option<ScoreSummary>,
    pub new: ScoreSummary,
    /// New overall minus old, when both were assessed.
    pub change: Option<f64>,
    pub dimensions: Vec<DimensionChange>,
}

impl AnswerChange {
    /// The overall or any dimension level moved.
    pub fn changed(&self) -> bool {
        self.change.is_some_and(|c| c.abs() >= SAME)
            || self.dimensions.iter().any(|d| d.old != d.new)
            || self
                .old
                .as_ref()
                .is_some_and(|o| o.overall.is_some() != self.new.overall.is_some())
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ScoreSummary {
    /// `None` when the answer could not be assessed (see `not_assessed`):
    /// such a score has no level to compare.
    pub overall: Option<f64>,
    /// Why the question could not be assessed (an unclear spoken answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_assessed: Option<String>,
    pub grader: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub rubric_id: String,
    pub rubric_version: String,
    pub rubric_hash: String,
    pub fallback: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fallback_reason: Option<String>,
    pub injection_suspected: bool,
}

impl From<&AnswerScore> for ScoreSummary {
    fn from(s: &AnswerScore) -> ScoreSummary {
        ScoreSummary {
            overall: s.not_assessed.is_none().then_some(s.overall),
            not_assessed: s.not_assessed.clone(),
            grader: s.grader.clone(),
            model: s.provenance.model.clone(),
            rubric_id: s.rubric_id.clone(),
            rubric_version: s.rubric_version.clone(),
            rubric_hash: s.provenance.rubric_hash.clone(),
            fallback: s.fallback,
            fallback_reason: s.fallback_reason.clone(),
            injection_suspected: s.injection_suspected,
        }
    }
}

/// A dimension's level before and after; either side is `None` when the
/// rubric it was scored against has no such dimension.
#[derive(Clone, Debug, Serialize)]
pub struct DimensionChange {
    pub id: String,
    pub name: String,
    pub old: Option<u8>,
    pub new: Option<u8>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    pub sessions: usize,
    pub regraded: usize,
    pub skipped: usize,
    pub failed: usize,
    pub answers: usize,
    /// Answers whose overall or a dimension level moved.
    pub changed: usize,
    /// Answers scored for the first time (closed but never graded).
    pub first_scores: usize,
    /// Mean of new minus old overall, over answers that had a score.
    pub mean_change: Option<f64>,
}

#[derive(Debug, thiserror::Error)]
enum RegradeError {
    #[error("no session {0:?} in the store")]
    NoSession(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the stored log does not replay: {0}")]
    Replay(#[from] InterviewError),
}

impl Regrader<'_> {
    /// Regrades `sessions` one after another, calling `progress` after each.
    pub async fn run(
        &self,
        sessions: &[String],
        now: impl Fn() -> EpochMs,
        mut progress: impl FnMut(&SessionRegrade),
    ) -> RegradeReport {
        let mut results = Vec::with_capacity(sessions.len());
        for id in sessions {
            let result = self.session(id, now()).await;
            progress(&result);
            results.push(result);
        }
        RegradeReport {
            grader: self.grader.id().to_owned(),
            rubrics: self
                .rubrics
                .map_or_else(|| "pinned".to_owned(), |r| r.source.clone()),
            summary: summarise(&results),
            sessions: results,
        }
    }

    /// Regrades one session's closed questions and stores the new scores.
    pub async fn session(&self, id: &str, now: EpochMs) -> SessionRegrade {
        let (status, answers) = match self.try_session(id, now).await {
            Ok(Err(reason)) => (Status::Skipped { reason }, Vec::new()),
            Ok(Ok(answers)) => (Status::Regraded, answers),
            Err(error) => {
                tracing::warn!(session_id = id, %error, "regrade failed");
                (
                    Status::Failed {
                        reason: error.to_string(),
                    },
                    Vec::new(),
                )
            }
        };
        SessionRegrade {
            session_id: id.to_owned(),
            status,
            answers,
        }
    }

    /// The changes stored, or why the session was skipped.
    async fn try_session(
        &self,
        id: &str,
        now: EpochMs,
    ) -> Result<Result<Vec<AnswerChange>, String>, RegradeError> {
        let events = self.store.events(id, 0).await?;
        let Some(last) = events.last().map(|e| e.seq) else {
            return Err(RegradeError::NoSession(id.to_owned()));
        };
        let mut session = Session::replay(&events)?;
        let state = session.state();
        if self.finished_only && state != "finished" {
            return Ok(Err(format!(
                "the session is {state}, not finished: regrade it once it has finished"
            )));
        }
        let closed: Vec<(usize, usize)> = session
            .records()
            .iter()
            .filter(|r| r.closed.is_some())
            .map(|r| (r.round, r.question))
            .collect();
        if closed.is_empty() {
            return Ok(Err("no question has been closed yet".into()));
        }
        let scores: Vec<(usize, usize, AnswerScore)> = {
            let session = &session;
            futures_util::stream::iter(closed)
                .map(|(round, question)| async move {
                    let planned = &session.plan().rounds[round];
                    let rubric = self
                        .rubrics
                        .and_then(|r| r.counterpart(&planned.rubric))
                        .unwrap_or(&planned.rubric);
                    let record = session.record(round, question);
                    let graded = record.map(|r| r.for_grading()).unwrap_or_default();
                    let hints = record.map(|r| r.hints()).unwrap_or_default();
                    let request = GradeRequest {
                        rubric,
                        question: &planned.questions[question],
                        answers: &graded.answers,
                        hints: &hints,
                    };
                    let observed = Observed {
                        run: record.and_then(|r| r.test_runs.last()),
                        speech: &graded.speech,
                        unclear: &graded.unclear,
                    };
                    let score = grade_answer(self.grader, request, observed).await;
                    (round, question, score)
                })
                .buffered(CONCURRENCY)
                .collect()
                .await
        };
        let mut changes = Vec::with_capacity(scores.len());
        let mut new_events = Vec::new();
        for (round, question, score) in scores {
            let planned = &session.plan().rounds[round];
            let old = session.record(round, question).and_then(|r| r.score());
            changes.push(change(
                round,
                question,
                &planned.questions[question].id,
                planned.kind,
                old,
                &score,
            ));
            let events = session.handle(
                now,
                Input::Graded {
                    round,
                    question,
                    score: Box::new(score),
                },
            )?;
            for event in &events {
                session.apply(event)?;
            }
            new_events.extend(events);
        }
        self.store.append(id, last, &new_events).await?;
        Ok(Ok(changes))
    }
}

fn change(
    round: usize,
    question: usize,
    question_id: &str,
    kind: RoundKind,
    old: Option<&AnswerScore>,
    new: &AnswerScore,
) -> AnswerChange {
    let mut dimensions: Vec<DimensionChange> = new
        .dimensions
        .iter()
        .map(|d| DimensionChange {
            id: d.id.clone(),
            name: d.name.clone(),
            old: old
                .and_then(|o| o.dimensions.iter().find(|x| x.id == d.id))
                .map(|x| x.level),
            new: Some(d.level),
        })
        .collect();
    // Dimensions the new rubric dropped still show what they were.
    for d in old.map(|o| o.dimensions.as_slice()).unwrap_or_default() {
        if !new.dimensions.iter().any(|n| n.id == d.id) {
            dimensions.push(DimensionChange {
                id: d.id.clone(),
                name: d.name.clone(),
                old: Some(d.level),
                new: None,
            });
        }
    }
    AnswerChange {
        round,
        question,
        question_id: question_id.to_owned(),
        kind,
        old: old.map(ScoreSummary::from),
        new: ScoreSummary::from(new),
        change: old
            .filter(|o| o.not_assessed.is_none() && new.not_assessed.is_none())
            .map(|o| crate::grading::round2(new.overall - o.overall)),
        dimensions,
    }
}

fn summarise(sessions: &[SessionRegrade]) -> Summary {
    let answers: Vec<&AnswerChange> = sessions.iter().flat_map(|s| &s.answers).collect();
    let changes: Vec<f64> = answers.iter().filter_map(|a| a.change).collect();
    let count = |f: fn(&Status) -> bool| sessions.iter().filter(|s| f(&s.status)).count();
    Summary {
        sessions: sessions.len(),
        regraded: count(|s| matches!(s, Status::Regraded)),
        skipped: count(|s| matches!(s, Status::Skipped { .. })),
        failed: count(|s| matches!(s, Status::Failed { .. })),
        answers: answers.len(),
        changed: answers.iter().filter(|a| a.changed()).count(),
        first_scores: answers.iter().filter(|a| a.old.is_none()).count(),
        mean_change: (!changes.is_empty())
            .then(|| crate::grading::round2(changes.iter().sum::<f64>() / changes.len() as f64)),
    }
}

#[cfg(test)]
mod tests;
