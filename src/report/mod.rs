//! The debrief: scores aggregated in code from the session's graded answers.
//! No model decides the verdict; the thresholds below do, and they are
//! documented in docs/grading.md. `export` renders it, and the transcript,
//! for reviewers.

pub mod corrections;
pub mod export;

use crate::speech::analytics::SpeechAnalytics;
use corrections::{Corrections, corrections};
use serde::Serialize;

use crate::content::{Band, CodeLanguage, RoundKind};
use crate::engine::{CloseReason, PromptKind, Session};
use crate::grading::{DimensionScore, KeyPointResult, round2};
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
        Verdict::at_band(overall, Band::Mid, false)
    }

    /// The verdict at a band: every threshold rises by as much as the
    /// band's hire bar does over mid's, and a missed dimension bar (say,
    /// trade-offs below 3 for a Senior) is below the bar whatever the
    /// overall.
    pub fn at_band(overall: f64, band: Band, missed_a_bar: bool) -> Verdict {
        let shift = band.hire_bar() - Band::Mid.hire_bar();
        match overall {
            x if x < 1.75 + shift => Verdict::StrongNoHire,
            _ if missed_a_bar => Verdict::NoHire,
            x if x < 2.5 + shift => Verdict::NoHire,
            x if x < 3.25 + shift => Verdict::Hire,
            _ => Verdict::StrongHire,
        }
    }

    /// "Hire at SDE II", "Below the bar for Senior SE": what the debrief says.
    pub fn at_level(self, level: &str) -> String {
        let level = level.trim();
        if level.is_empty() || level.eq_ignore_ascii_case("any") {
            return self.label().to_owned();
        }
        match self {
            Verdict::StrongNoHire | Verdict::NoHire => format!("Below the bar for {level}"),
            Verdict::Hire => format!("Hire at {level}"),
            Verdict::StrongHire => format!("Strong hire at {level}"),
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
    /// Judged at the loop's level: its band's bar, overall and per dimension.
    pub verdict: Verdict,
    /// The level the verdict was judged at (the loop's), e.g. "SDE II".
    pub level: String,
    /// The level's id in its loop ("Try this question again" asks at it).
    pub level_id: String,
    pub band: Band,
    /// The overall a hire needs at this band.
    pub hire_bar: f64,
    /// What the debrief says: "Hire at SDE II", "Below the bar for Senior".
    pub verdict_at_level: String,
    /// The band's dimension bars that a round's average did not reach.
    pub bars_missed: Vec<BarMiss>,
    /// Three things to work on, ranked by the dimension's weight times its
    /// gap to the bar, each with the answers that show it.
    pub work_on: Vec<WorkOn>,
    /// Answers whose score is only an estimate (the grader's signals
    /// disagreed).
    pub estimates: usize,
    pub rounds: Vec<RoundReport>,
    pub answers: Vec<AnswerReport>,
}

/// A dimension bar of the loop's band that a round did not reach.
#[derive(Clone, Debug, Serialize)]
pub struct BarMiss {
    pub round: usize,
    pub dimension: String,
    pub name: String,
    pub needed: f64,
    pub average: f64,
}

/// One thing to work on.
#[derive(Clone, Debug, Serialize)]
pub struct WorkOn {
    pub round_kind: RoundKind,
    pub dimension: String,
    pub name: String,
    /// The dimension's average level over the answers scored on it.
    pub average: f64,
    /// Weight times the gap to the level a hire needs: the ranking key.
    pub priority: f64,
    /// The feedback on the weakest answer for this dimension: what it
    /// missed, from that question's key points.
    pub advice: String,
    /// Titles of the questions whose answers fell short on it.
    pub questions: Vec<String>,
    /// Their indices in `answers`.
    pub answers: Vec<usize>,
}

impl WorkOn {
    /// The questions it was seen in, as a sentence: "Caching; Threads or an
    /// event loop?" ends with the title's own question mark, not "?.".
    pub fn seen_in(&self) -> String {
        let list = self.questions.join("; ");
        if list.ends_with(['.', '?', '!', '…']) {
            list
        } else {
            format!("{list}.")
        }
    }
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
    pub question_title: String,
    pub question: String,
    /// Everything the candidate said for this question, turns joined by a blank line.
    pub answer: String,
    pub turns: Vec<TurnReport>,
    /// Hints the candidate asked for (also among `turns`, kind `hint`).
    pub hints: usize,
    pub skipped: bool,
    pub closed: Option<CloseReason>,
    /// The current (last) score's overall; `None` until scored, and when
    /// the answer could not be assessed.
    pub overall: Option<f64>,
    /// Why the answer could not be assessed (spoken, and too unclear to
    /// judge): it counts toward no average.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_assessed: Option<String>,
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
    /// What a strong answer covers, each point marked covered, mentioned or
    /// missed (empty for graders that do not judge key points).
    pub key_points: Vec<KeyPointResult>,
    /// How a strong answer could go, step by step (the question's outline).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outline: Vec<String>,
    /// The grader's signals disagreed: the score is an estimate.
    pub estimate: bool,
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
    /// The words the candidate corrected in what the recogniser heard
    /// (`speech.heard`) before submitting it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub corrections: Option<Corrections>,
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
                    question_title: question.title.clone(),
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
                            corrections: t
                                .speech
                                .as_ref()
                                .and_then(|s| s.heard.as_deref())
                                .zip(t.answer.as_deref())
                                .and_then(|(heard, wrote)| corrections(heard, wrote)),
                        })
                        .collect(),
                    hints: record.hints().len(),
                    skipped: record.closed == Some(CloseReason::Skipped),
                    closed: record.closed,
                    overall: score
                        .filter(|s| s.not_assessed.is_none())
                        .map(|s| s.overall),
                    not_assessed: score.and_then(|s| s.not_assessed.clone()),
                    grader: score.map(|s| s.grader.clone()),
                    model: score.and_then(|s| s.provenance.model.clone()),
                    fallback: score.is_some_and(|s| s.fallback),
                    fallback_reason: score.and_then(|s| s.fallback_reason.clone()),
                    injection_suspected: score.is_some_and(|s| s.injection_suspected),
                    suspect_quotes: score.map(|s| s.suspect_quotes.clone()).unwrap_or_default(),
                    strengths: score.map(|s| s.strengths.clone()).unwrap_or_default(),
                    improvements: score.map(|s| s.improvements.clone()).unwrap_or_default(),
                    key_points: score.map(|s| s.key_points.clone()).unwrap_or_default(),
                    outline: question.outline.clone(),
                    estimate: score.is_some_and(|s| s.estimate),
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
        let bars_missed = bars_missed(plan, &rounds);
        let verdict = Verdict::at_band(overall, plan.band, !bars_missed.is_empty());
        Report {
            session_id: session_id.to_owned(),
            loop_ref: LoopRef {
                id: plan.loop_id.clone(),
                title: plan.title.clone(),
            },
            content_hash: plan.content_hash.clone(),
            complete: session.is_finished(),
            state: session.state(),
            overall,
            verdict,
            level: plan.level.clone(),
            level_id: plan.level_id.clone(),
            band: plan.band,
            hire_bar: plan.band.hire_bar(),
            verdict_at_level: verdict.at_level(&plan.level),
            work_on: work_on(plan, &answers),
            estimates: answers.iter().filter(|a| a.estimate).count(),
            bars_missed,
            rounds,
            answers,
        }
    }
}

/// The band's dimension bars each round's averages fall short of.
fn bars_missed(plan: &crate::engine::Plan, rounds: &[RoundReport]) -> Vec<BarMiss> {
    let mut out = Vec::new();
    for (planned, round) in plan.rounds.iter().zip(rounds) {
        let Some(bars) = planned.rubric.bars.get(&plan.band) else {
            continue;
        };
        for (dimension, &needed) in bars {
            let Some(scored) = round.dimensions.iter().find(|d| &d.id == dimension) else {
                continue;
            };
            if scored.average + 1e-9 < needed {
                out.push(BarMiss {
                    round: round.index,
                    dimension: dimension.clone(),
                    name: scored.name.clone(),
                    needed,
                    average: scored.average,
                });
            }
        }
    }
    out
}

/// How many things the debrief says to work on.
const WORK_ON: usize = 3;
/// The level a hire needs on a dimension, unless the band's bar says more.
const HIRE_LEVEL: f64 = 3.0;

/// The loop's things to work on: per round kind and dimension, the weight
/// times the gap between its average and the level a hire needs, largest
/// first, each pointing at the answers that fell short.
fn work_on(plan: &crate::engine::Plan, answers: &[AnswerReport]) -> Vec<WorkOn> {
    let mut out: Vec<WorkOn> = Vec::new();
    for planned in &plan.rounds {
        for dimension in &planned.rubric.dimensions {
            if out
                .iter()
                .any(|w| w.round_kind == planned.kind && w.dimension == dimension.id)
            {
                continue;
            }
            let scored: Vec<(usize, &DimensionScore)> = answers
                .iter()
                .enumerate()
                .filter(|(_, a)| a.round_kind == planned.kind)
                .filter_map(|(i, a)| {
                    a.dimensions
                        .iter()
                        .find(|d| d.id == dimension.id)
                        .map(|d| (i, d))
                })
                .collect();
            let levels: Vec<f64> = scored.iter().map(|(_, d)| f64::from(d.level)).collect();
            let Some(average) = mean(&levels) else {
                continue;
            };
            let needed = planned
                .rubric
                .bars
                .get(&plan.band)
                .and_then(|b| b.get(&dimension.id))
                .copied()
                .unwrap_or(HIRE_LEVEL)
                .max(HIRE_LEVEL);
            let gap = needed - average;
            if gap <= 0.0 {
                continue;
            }
            let short: Vec<&(usize, &DimensionScore)> = scored
                .iter()
                .filter(|(_, d)| f64::from(d.level) < needed)
                .collect();
            let weakest = short.iter().min_by_key(|(i, d)| (d.level, *i));
            out.push(WorkOn {
                round_kind: planned.kind,
                dimension: dimension.id.clone(),
                name: dimension.name.clone(),
                average,
                priority: round2(dimension.weight * gap),
                advice: weakest.map(|(_, d)| d.feedback.clone()).unwrap_or_default(),
                questions: short
                    .iter()
                    .map(|(i, _)| answers[*i].question_title.clone())
                    .collect(),
                answers: short.iter().map(|(i, _)| *i).collect(),
            });
        }
    }
    out.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then(a.average.total_cmp(&b.average))
    });
    out.truncate(WORK_ON);
    out
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| round2(values.iter().sum::<f64>() / values.len() as f64))
}

#[cfg(test)]
mod tests;
