//! The debrief: scores aggregated in code from the session's graded answers.
//! No model decides the verdict; the thresholds below do, and they are
//! documented in the README.

use crate::speech::analytics::SpeechAnalytics;
use serde::Serialize;

use crate::content::{CodeLanguage, RoundKind};
use crate::grading::{DimensionScore, round2};
use crate::interview::{CloseReason, Phase, PromptKind, Session};
use crate::sandbox::RunStatus;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    StrongNoHire,
    NoHire,
    Hire,
    StrongHire,
}

impl Verdict {
    /// Overall score to verdict: below 1.75 strong no hire, below 2.5 no
    /// hire, below 3.25 hire, else strong hire (the midpoints between the
    /// rubric's anchored levels, with "hire" needing more 3s than 2s).
    pub fn from_overall(overall: f64) -> Verdict {
        match overall {
            x if x < 1.75 => Verdict::StrongNoHire,
            x if x < 2.5 => Verdict::NoHire,
            x if x < 3.25 => Verdict::Hire,
            _ => Verdict::StrongHire,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Verdict::StrongNoHire => "Strong no hire",
            Verdict::NoHire => "No hire",
            Verdict::Hire => "Hire",
            Verdict::StrongHire => "Strong hire",
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub session_id: String,
    #[serde(rename = "loop")]
    pub loop_ref: LoopRef,
    pub content_hash: String,
    /// True once every question asked has been scored and the interview is over.
    pub complete: bool,
    pub state: &'static str,
    pub overall: f64,
    pub verdict: Verdict,
    pub rounds: Vec<RoundReport>,
    pub answers: Vec<AnswerReport>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LoopRef {
    pub id: String,
    pub title: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct RoundReport {
    pub index: usize,
    pub kind: RoundKind,
    pub title: String,
    /// Mean of the round's scored answers; absent when none was scored.
    pub overall: Option<f64>,
    pub dimensions: Vec<DimensionAverage>,
}

#[derive(Clone, Debug, Serialize)]
pub struct DimensionAverage {
    pub id: String,
    pub name: String,
    pub average: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct AnswerReport {
    pub round: usize,
    pub round_kind: RoundKind,
    pub question_id: String,
    pub question: String,
    /// Everything the candidate said for this question, turns joined by a blank line.
    pub answer: String,
    pub turns: Vec<TurnReport>,
    /// Hints the candidate asked for (also among `turns`, kind `hint`).
    pub hints: usize,
    pub skipped: bool,
    pub closed: Option<CloseReason>,
    /// The current (last) score's overall.
    pub overall: Option<f64>,
    /// Which grader produced the current score (after a fallback, the one
    /// that stood in).
    pub grader: Option<String>,
    /// The model behind an LLM grader's score.
    pub model: Option<String>,
    /// The configured grader failed and the offline grader stood in.
    pub fallback: bool,
    pub fallback_reason: Option<String>,
    /// The answer addressed the grader; the passages are for reviewers.
    pub injection_suspected: bool,
    pub suspect_quotes: Vec<String>,
    pub strengths: Vec<String>,
    pub improvements: Vec<String>,
    /// The rubric the current score was judged against.
    pub rubric: Option<RubricRef>,
    /// How many scores the answer has; more than one means it was regraded
    /// and every figure here is from the last.
    pub scores: usize,
    pub regraded: bool,
    pub dimensions: Vec<DimensionScore>,
    /// The last code run before the question closed (what grading saw).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tests: Option<TestsReport>,
}

/// A question's final code run, as reports show it.
#[derive(Clone, Debug, Serialize)]
pub struct TestsReport {
    pub language: CodeLanguage,
    pub status: RunStatus,
    pub passed: usize,
    pub total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// How many times the candidate ran the tests on this question.
    pub runs: usize,
    pub code: String,
}

impl TestsReport {
    /// `5 of 7 tests passed (python)`, with why a run stopped early.
    pub fn summary(&self) -> String {
        let why = self
            .message
            .as_deref()
            .map(|m| format!("; {m}"))
            .unwrap_or_default();
        let runs = if self.runs == 1 {
            "1 run".to_owned()
        } else {
            format!("{} runs", self.runs)
        };
        format!(
            "{} of {} tests passed ({}, {runs}){why}",
            self.passed, self.total, self.language
        )
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RubricRef {
    pub id: String,
    pub version: String,
    pub hash: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TurnReport {
    pub kind: PromptKind,
    pub prompt: String,
    pub answer: Option<String>,
    /// Pace, fillers, pauses and recogniser confidence, when the answer was spoken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speech: Option<SpeechAnalytics>,
}

impl Report {
    pub fn build(session_id: &str, session: &Session) -> Report {
        let plan = session.plan();
        let answers: Vec<AnswerReport> = session
            .records()
            .iter()
            .map(|record| {
                let round = &plan.rounds[record.round];
                let question = &round.questions[record.question];
                let score = record.score();
                AnswerReport {
                    round: record.round,
                    round_kind: round.kind,
                    question_id: question.id.clone(),
                    question: question.text.clone(),
                    answer: record.answers().join("\n\n"),
                    turns: record
                        .turns
                        .iter()
                        .map(|t| TurnReport {
                            kind: t.kind,
                            prompt: t.prompt.clone(),
                            answer: t.answer.clone(),
                            speech: t.speech.clone(),
                        })
                        .collect(),
                    hints: record.hints().len(),
                    skipped: record.closed == Some(CloseReason::Skipped),
                    closed: record.closed,
                    overall: score.map(|s| s.overall),
                    grader: score.map(|s| s.grader.clone()),
                    model: score.and_then(|s| s.provenance.model.clone()),
                    fallback: score.is_some_and(|s| s.fallback),
                    fallback_reason: score.and_then(|s| s.fallback_reason.clone()),
                    injection_suspected: score.is_some_and(|s| s.injection_suspected),
                    suspect_quotes: score.map(|s| s.suspect_quotes.clone()).unwrap_or_default(),
                    strengths: score.map(|s| s.strengths.clone()).unwrap_or_default(),
                    improvements: score.map(|s| s.improvements.clone()).unwrap_or_default(),
                    rubric: score.map(|s| RubricRef {
                        id: s.rubric_id.clone(),
                        version: s.rubric_version.clone(),
                        hash: s.provenance.rubric_hash.clone(),
                    }),
                    scores: record.scores.len(),
                    regraded: record.scores.len() > 1,
                    dimensions: score.map(|s| s.dimensions.clone()).unwrap_or_default(),
                    tests: record.test_runs.last().map(|run| TestsReport {
                        language: run.language,
                        status: run.status,
                        passed: run.passed,
                        total: run.total,
                        message: run.message.clone(),
                        runs: record.test_runs.len(),
                        code: run.code.clone(),
                    }),
                }
            })
            .collect();
        let rounds: Vec<RoundReport> = plan
            .rounds
            .iter()
            .enumerate()
            .map(|(index, round)| {
                let scored: Vec<&AnswerReport> = answers
                    .iter()
                    .filter(|a| a.round == index && a.overall.is_some())
                    .collect();
                let dimensions = round
                    .rubric
                    .dimensions
                    .iter()
                    .filter_map(|d| {
                        let levels: Vec<f64> = scored
                            .iter()
                            .filter_map(|a| a.dimensions.iter().find(|s| s.id == d.id))
                            .map(|s| f64::from(s.level))
                            .collect();
                        mean(&levels).map(|average| DimensionAverage {
                            id: d.id.clone(),
                            name: d.name.clone(),
                            average,
                        })
                    })
                    .collect();
                let overalls: Vec<f64> = scored.iter().filter_map(|a| a.overall).collect();
                RoundReport {
                    index,
                    kind: round.kind,
                    title: round.title.clone(),
                    overall: mean(&overalls),
                    dimensions,
                }
            })
            .collect();
        let round_overalls: Vec<f64> = rounds.iter().filter_map(|r| r.overall).collect();
        let overall = mean(&round_overalls).unwrap_or(1.0);
        Report {
            session_id: session_id.to_owned(),
            loop_ref: LoopRef {
                id: plan.loop_id.clone(),
                title: plan.title.clone(),
            },
            content_hash: plan.content_hash.clone(),
            complete: *session.phase() == Phase::Finished,
            state: session.phase().name(),
            overall,
            verdict: Verdict::from_overall(overall),
            rounds,
            answers,
        }
    }
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| round2(values.iter().sum::<f64>() / values.len() as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_the_documented_thresholds() {
        let cases = [
            (1.0, Verdict::StrongNoHire),
            (1.74, Verdict::StrongNoHire),
            (1.75, Verdict::NoHire),
            (2.49, Verdict::NoHire),
            (2.5, Verdict::Hire),
            (3.24, Verdict::Hire),
            (3.25, Verdict::StrongHire),
            (4.0, Verdict::StrongHire),
        ];
        for (overall, verdict) in cases {
            assert_eq!(Verdict::from_overall(overall), verdict, "{overall}");
        }
    }
}
