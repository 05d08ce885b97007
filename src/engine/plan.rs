//! A session's plan: the loop, with the questions chosen for each round and a
//! copy of each round's rubric. The plan is stored in the session's first
//! event, so the interview and its grading never depend on content files
//! changing afterwards.

use std::sync::Arc;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::content::{Catalog, Level, Loop, LoopRound, Question, RoundKind, Rubric, ValuesAside};

/// How a technical round's interviewer turns to its closing values question.
const CLOSING_VALUES_INTRO: &str = "Before we finish, one question about how you work, the kind every interviewer here asks. Please pick one real example.";

/// Enough to ask what the candidate did themselves and what they learned.
const CLOSING_VALUES_FOLLOW_UPS: u32 = 2;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub loop_id: String,
    pub title: String,
    pub company: String,
    pub role: String,
    /// The level's name, as the debrief says it ("Senior SDE").
    pub level: String,
    /// The level's id in its loop, which a drill of one of its questions
    /// is asked at (empty in plans stored before loops had levels).
    #[serde(default)]
    pub level_id: String,
    /// The band the level sits in (older stored plans: the default).
    #[serde(default)]
    pub band: crate::content::Band,
    /// Hash of the content the plan was made from.
    pub content_hash: String,
    pub rounds: Vec<PlannedRound>,
    /// Follow-ups and hints are worded by an LLM (`[interviewer] mode =
    /// "llm"` when the session began); the engine still chooses them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub llm_turns: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlannedRound {
    pub kind: RoundKind,
    pub title: String,
    pub minutes: u32,
    pub max_follow_ups: u32,
    pub intro: String,
    pub persona: String,
    /// Shared by the sessions that hold an equal copy (see [`super::shared`]).
    pub rubric: Arc<Rubric>,
    pub questions: Vec<Arc<Question>>,
}

impl PlannedRound {
    pub fn budget_ms(&self) -> i64 {
        i64::from(self.minutes) * 60_000
    }

    /// When the time warning fires: a sixth of the round, between 30 seconds
    /// and 5 minutes before the end, as a human interviewer would say it.
    pub fn warn_before_ms(&self) -> i64 {
        (self.budget_ms() / 6).clamp(30_000, 300_000)
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("no loop with id {0:?}")]
    UnknownLoop(String),
    #[error("the content for loop {0:?} is inconsistent: {1}")]
    Inconsistent(String, String),
    #[error("loop {0:?} asks no question {1:?}")]
    UnknownQuestion(String, String),
    /// A topic drill that no question of the loop's rounds covers.
    #[error("{0}")]
    NothingToAsk(String),
    #[error("loop {loop_id:?} has no level {level:?}; it can be run at {}", allowed.join(", "))]
    UnknownLevel {
        loop_id: String,
        level: String,
        allowed: Vec<String>,
    },
}

impl Plan {
    /// Swaps each question and rubric for an equal one other sessions
    /// already hold, so a loaded session adds no copy of its own.
    pub fn share(mut self) -> Plan {
        for round in &mut self.rounds {
            round.rubric = super::shared::rubric(Arc::clone(&round.rubric));
            for question in &mut round.questions {
                *question = super::shared::question(Arc::clone(question));
            }
        }
        self
    }

    /// Chooses each round's questions for the loop at the level asked for
    /// (its default when `None`). Named `question_ids` are taken as listed;
    /// otherwise in the order of [`in_order`]: a preferred topic first (a
    /// round's intro may promise it), then questions this candidate has not
    /// been asked, then those whose difficulty suits the level's band. A deep
    /// dive into another role's work ([`another_roles_work`]) is asked only
    /// by a round that prefers it.
    pub fn build(
        catalog: &Catalog,
        loop_id: &str,
        ask: Ask<'_>,
        seed: u64,
    ) -> Result<Plan, PlanError> {
        let chosen = catalog
            .find_loop(loop_id)
            .ok_or_else(|| PlanError::UnknownLoop(loop_id.to_owned()))?;
        let at = level_of(chosen, ask.level)?;
        let inconsistent = |what: String| PlanError::Inconsistent(loop_id.to_owned(), what);
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut rounds = Vec::new();
        // What this candidate has been asked, and what this plan asks already:
        // a values round and the values questions closing technical rounds
        // draw on one bank and never ask the same question twice.
        let mut seen = ask.seen.to_vec();
        for round in &chosen.rounds {
            let bank = catalog.questions(round.kind);
            let questions: Vec<Arc<Question>> = if round.question_ids.is_empty() {
                let preferred = |q: &Question| q.topics.iter().any(|t| round.topics.contains(t));
                let asked_here = |&q: &&Question| preferred(q) || !another_roles_work(q);
                in_order(
                    bank.iter().filter(asked_here),
                    preferred,
                    at,
                    Seen {
                        ids: &seen,
                        relevance: ask.relevance,
                    },
                    &mut rng,
                )
                .into_iter()
                .take(round.questions as usize)
                .map(|q| Arc::new(q.clone()))
                .collect()
            } else {
                round
                    .question_ids
                    .iter()
                    .take(round.questions as usize)
                    .map(|id| {
                        bank.iter()
                            .find(|q| &q.id == id)
                            .map(|q| Arc::new(q.clone()))
                            .ok_or_else(|| inconsistent(format!("question {id:?} is missing")))
                    })
                    .collect::<Result<_, _>>()?
            };
            if questions.is_empty() {
                return Err(inconsistent(format!("no {} questions", round.kind)));
            }
            seen.extend(questions.iter().map(|q| q.id.clone()));
            let mut planned = PlannedRound::asked_as(catalog, chosen, at, round, questions)?;
            let Some(aside) = &round.values else {
                rounds.push(planned);
                continue;
            };
            let preferred = |q: &Question| q.topics.iter().any(|t| aside.topics.contains(t));
            let values = catalog.questions(RoundKind::Values);
            let seen_here = Seen {
                ids: &seen,
                relevance: ask.relevance,
            };
            let question = in_order(values.iter(), preferred, at, seen_here, &mut rng)
                .into_iter()
                .next()
                .ok_or_else(|| inconsistent("no values questions".to_owned()))?;
            seen.push(question.id.clone());
            planned.minutes -= aside.minutes.min(planned.minutes - 1);
            let closing = PlannedRound::closing_values(catalog, chosen, round, aside, question)?;
            rounds.extend([planned, closing]);
        }
        Ok(Plan::of_loop(
            catalog,
            chosen,
            at,
            chosen.title.clone(),
            rounds,
        ))
    }

    /// "Try this question again": a one-question drill on `question_id`,
    /// asked as `loop_id`'s round of that kind asks it (its rubric, persona
    /// and follow-ups), with that round's time per question.
    pub fn drill(
        catalog: &Catalog,
        loop_id: &str,
        level: Option<&str>,
        question_id: &str,
    ) -> Result<Plan, PlanError> {
        let chosen = catalog
            .find_loop(loop_id)
            .ok_or_else(|| PlanError::UnknownLoop(loop_id.to_owned()))?;
        let at = level_of(chosen, level)?;
        let unknown = || PlanError::UnknownQuestion(loop_id.to_owned(), question_id.to_owned());
        let question = crate::content::RoundKind::ALL
            .into_iter()
            .flat_map(|kind| catalog.questions(kind))
            .find(|q| q.id == question_id)
            .ok_or_else(unknown)?;
        let round = chosen
            .rounds
            .iter()
            .find(|r| r.kind == question.kind)
            .ok_or_else(unknown)?;
        let again = PlannedRound {
            minutes: (round.minutes / round.questions.max(1)).max(5),
            intro: "Let's try this one again.".to_owned(),
            ..PlannedRound::asked_as(catalog, chosen, at, round, vec![Arc::new(question.clone())])?
        };
        let title = format!("Again: {}", question.title);
        Ok(Plan::of_loop(catalog, chosen, at, title, vec![again]))
    }

    /// A plan for `chosen` (its company and role) at `level`, with these
    /// rounds.
    pub(super) fn of_loop(
        catalog: &Catalog,
        chosen: &Loop,
        level: &Level,
        title: String,
        rounds: Vec<PlannedRound>,
    ) -> Plan {
        Plan {
            loop_id: chosen.id.clone(),
            title,
            company: chosen.company.clone(),
            role: chosen.role.clone(),
            level: level.name.clone(),
            level_id: level.id.clone(),
            band: level.band,
            content_hash: catalog.hash().to_owned(),
            rounds,
            llm_turns: false,
        }
        .share()
    }
}

/// What a candidate asks of a loop beyond its id.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ask<'a> {
    /// One of the loop's level ids; its default when `None`.
    pub level: Option<&'a str>,
    /// Ids of questions this candidate's browser has been asked before:
    /// asked again only once the bank has no others to offer.
    pub seen: &'a [String],
    /// A tailored loop: each question's relevance to the candidate's
    /// posting and risks (by id); among questions equally preferred and
    /// unseen, the more relevant go first.
    pub relevance: Option<&'a std::collections::HashMap<String, f32>>,
}

/// Whether `question` is a deep dive into a product manager's or program
/// manager's own work (topic `past-work-product`, `past-work-program`): the
/// screen bank holds them beside an engineer's questions, and an engineer's
/// screen must not fall back to one when its own run out or suit no level.
fn another_roles_work(question: &Question) -> bool {
    question.topics.iter().any(|t| t.starts_with("past-work-"))
}

/// What a plan knows of the candidate when it orders questions.
#[derive(Clone, Copy)]
pub(super) struct Seen<'a> {
    /// Ids asked before.
    pub ids: &'a [String],
    /// Relevance by id, for a tailored loop.
    pub relevance: Option<&'a std::collections::HashMap<String, f32>>,
}

/// `questions` in the order to ask them, each group shuffled by `rng`: those
/// `preferred` first, then within that those not seen, then (in a tailored
/// loop) the more relevant, then those whose difficulty suits `level`'s
/// band ([`crate::content::Band::suits`]).
pub(super) fn in_order<'q>(
    questions: impl Iterator<Item = &'q Question>,
    preferred: impl Fn(&Question) -> bool,
    level: &Level,
    seen: Seen<'_>,
    rng: &mut rand::rngs::StdRng,
) -> Vec<&'q Question> {
    let asked: std::collections::HashSet<&str> = seen.ids.iter().map(String::as_str).collect();
    let mut ordered: Vec<&Question> = questions.collect();
    ordered.shuffle(rng);
    // Relevance in steps of a twentieth: closer than that is a tie, which
    // the level's band and the shuffle decide.
    let relevance = |q: &Question| {
        seen.relevance
            .and_then(|r| r.get(&q.id))
            .map_or(0, |r| (r * 20.0).round() as i64)
    };
    // A stable sort keeps the shuffled order within each group.
    ordered.sort_by_key(|q| {
        (
            !preferred(q),
            asked.contains(q.id.as_str()),
            std::cmp::Reverse(relevance(q)),
            !level.band.suits(q.difficulty),
        )
    });
    ordered
}

/// `chosen`'s level `id` (its default for `None`), or why not.
pub fn level_of<'a>(chosen: &'a Loop, id: Option<&str>) -> Result<&'a Level, PlanError> {
    chosen.level(id).ok_or_else(|| PlanError::UnknownLevel {
        loop_id: chosen.id.clone(),
        level: id.unwrap_or_default().to_owned(),
        allowed: chosen.levels.iter().map(|l| l.id.clone()).collect(),
    })
}

/// The rubric `id` that `chosen` names, which its catalog must hold.
fn rubric_of<'c>(catalog: &'c Catalog, chosen: &Loop, id: &str) -> Result<&'c Rubric, PlanError> {
    catalog.rubric(id).ok_or_else(|| {
        PlanError::Inconsistent(chosen.id.clone(), format!("rubric {id:?} is missing"))
    })
}

impl PlannedRound {
    /// The values question that closes `round`, asked by the same
    /// interviewer in the minutes `aside` keeps for it.
    fn closing_values(
        catalog: &Catalog,
        chosen: &Loop,
        round: &LoopRound,
        aside: &ValuesAside,
        question: &Question,
    ) -> Result<PlannedRound, PlanError> {
        let rubric = rubric_of(catalog, chosen, &aside.rubric)?;
        Ok(PlannedRound {
            kind: RoundKind::Values,
            title: format!("{}: core values", round.title),
            minutes: aside.minutes,
            max_follow_ups: CLOSING_VALUES_FOLLOW_UPS,
            intro: CLOSING_VALUES_INTRO.to_owned(),
            persona: round.persona.clone(),
            rubric: Arc::new(rubric.clone()),
            questions: vec![Arc::new(question.clone())],
        })
    }

    /// `questions`, asked as `chosen`'s `round` asks at `level`: its rubric,
    /// persona, time, and follow-ups (more at higher bands).
    pub(super) fn asked_as(
        catalog: &Catalog,
        chosen: &Loop,
        level: &Level,
        round: &LoopRound,
        questions: Vec<Arc<Question>>,
    ) -> Result<PlannedRound, PlanError> {
        let rubric = rubric_of(catalog, chosen, &round.rubric)?;
        Ok(PlannedRound {
            kind: round.kind,
            title: round.title.clone(),
            minutes: round.minutes,
            max_follow_ups: (round.max_follow_ups + level.band.extra_follow_ups())
                .min(crate::content::MAX_FOLLOW_UPS),
            intro: round.intro.clone(),
            persona: round.persona.clone(),
            rubric: Arc::new(rubric.clone()),
            questions,
        })
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
