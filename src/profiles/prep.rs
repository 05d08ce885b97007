//! The prep plan: from the debriefs of the sessions run with a profile, the
//! dimensions to work on (recent sessions weighing more), each brought back
//! at growing intervals until it is scored well twice in a row, and the
//! questions to practise them with.
//!
//! The plan is derived from the stored sessions every time it is read, so
//! it updates with each debrief (and with a regrade) and holds no state of
//! its own that could drift from the scores.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::clock::EpochMs;
use crate::content::{Catalog, Question, RoundKind};
use crate::report::Report;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// After the first good score a weak area comes back this much later; a
/// second good score in a row takes it off the plan.
const COME_BACK_AFTER_MS: i64 = 2 * DAY_MS;
/// Good scores in a row that take an area off the plan.
const MASTERED_AFTER: u32 = 2;
/// Each session back counts this much less than the one after it.
const RECENCY: f64 = 0.5;
/// Areas a drill from the plan practises at once.
pub const DRILL_AREAS: usize = 3;

#[derive(Clone, Debug, Serialize)]
pub struct Aim {
    pub level: String,
    pub bar: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Due {
    pub round_kind: RoundKind,
    pub dimension: String,
    pub name: String,
    /// The recency-weighted average level.
    pub average: f64,
    /// Good scores in a row since it was last weak.
    pub successes: u32,
    pub due_at: EpochMs,
    pub due_now: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct NextQuestion {
    pub question_id: String,
    pub title: String,
    pub round_kind: RoundKind,
    pub dimension: String,
    pub why: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Point {
    pub session_id: String,
    pub at: EpochMs,
    pub level: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct Progress {
    pub round_kind: RoundKind,
    pub dimension: String,
    pub name: String,
    pub points: Vec<Point>,
}

#[derive(Clone, Debug, Serialize)]
pub struct PrepPlan {
    pub sessions: usize,
    /// The loop and level of the latest session: what the drill is asked as.
    pub loop_id: Option<String>,
    pub level_id: Option<String>,
    pub aim: Option<Aim>,
    pub due: Vec<Due>,
    pub next_questions: Vec<NextQuestion>,
    pub progress: Vec<Progress>,
}

/// A session as the plan reads it.
pub struct Debriefed {
    pub at: EpochMs,
    pub report: Report,
}

/// The plan from `sessions` (oldest first) at `now`. Only answered and
/// scored rounds count; a session with none adds nothing but its count.
pub fn plan(catalog: &Catalog, sessions: &[Debriefed], now: EpochMs) -> PrepPlan {
    let latest = sessions.last().map(|s| &s.report);
    let bar = latest.map_or(crate::content::Band::Mid.hire_bar(), |r| r.hire_bar);
    let mut series: BTreeMap<(RoundKind, String), Progress> = BTreeMap::new();
    for session in sessions {
        for round in &session.report.rounds {
            for dimension in &round.dimensions {
                let key = (round.kind, dimension.id.clone());
                let entry = series.entry(key).or_insert_with(|| Progress {
                    round_kind: round.kind,
                    dimension: dimension.id.clone(),
                    name: dimension.name.clone(),
                    points: Vec::new(),
                });
                // Two rounds of one kind in a session: one point, their mean.
                match entry.points.last_mut() {
                    Some(last) if last.session_id == session.report.session_id => {
                        last.level = (last.level + dimension.average) / 2.0;
                    }
                    _ => entry.points.push(Point {
                        session_id: session.report.session_id.clone(),
                        at: session.at,
                        level: dimension.average,
                    }),
                }
            }
        }
    }
    let mut due: Vec<Due> = series
        .values()
        .filter_map(|progress| schedule(progress, bar, now))
        .collect();
    due.sort_by(|a, b| {
        (!a.due_now, a.due_at)
            .cmp(&(!b.due_now, b.due_at))
            .then(a.average.total_cmp(&b.average))
    });
    let asked: HashSet<&str> = sessions
        .iter()
        .flat_map(|s| s.report.answers.iter().map(|a| a.question_id.as_str()))
        .collect();
    let loop_id = latest.map(|r| r.loop_ref.id.clone());
    let chosen = loop_id.as_deref().and_then(|id| catalog.find_loop(id));
    let next_questions = due
        .iter()
        .filter(|d| d.due_now)
        .filter(|d| chosen.is_none_or(|l| l.rounds.iter().any(|r| r.kind == d.round_kind)))
        .filter_map(|d| practise(catalog, d, &asked, bar))
        .take(DRILL_AREAS)
        .collect();
    PrepPlan {
        sessions: sessions.len(),
        loop_id,
        level_id: latest.map(|r| r.level_id.clone()),
        aim: latest.map(|r| Aim {
            level: r.level.clone(),
            bar,
        }),
        due,
        next_questions,
        progress: series.into_values().collect(),
    }
}

/// When a dimension comes back, walking its scores in order: below the bar
/// it is due at once and its run of good scores starts over; at or above
/// it, it comes back later, and after [`MASTERED_AFTER`] in a row it is off
/// the plan. A dimension never below the bar is never on it.
fn schedule(progress: &Progress, bar: f64, now: EpochMs) -> Option<Due> {
    let mut successes = 0;
    let mut ever_weak = false;
    let mut due_at = 0;
    for point in &progress.points {
        if point.level < bar {
            ever_weak = true;
            successes = 0;
            due_at = point.at;
        } else if ever_weak {
            successes += 1;
            due_at = point.at + COME_BACK_AFTER_MS;
        }
    }
    if !ever_weak || successes >= MASTERED_AFTER {
        return None;
    }
    let (mut sum, mut weights, mut weight) = (0.0, 0.0, 1.0);
    for point in progress.points.iter().rev() {
        sum += weight * point.level;
        weights += weight;
        weight *= RECENCY;
    }
    Some(Due {
        round_kind: progress.round_kind,
        dimension: progress.dimension.clone(),
        name: progress.name.clone(),
        average: ((sum / weights) * 100.0).round() / 100.0,
        successes,
        due_at,
        due_now: due_at <= now,
    })
}

/// The question to practise `due` with: of its round kind, not asked in any
/// of the profile's sessions where the bank has another, with the most key
/// points on that dimension.
fn practise(catalog: &Catalog, due: &Due, asked: &HashSet<&str>, bar: f64) -> Option<NextQuestion> {
    let on_it = |q: &Question| {
        q.key_points
            .iter()
            .filter(|k| k.dimension == due.dimension)
            .count()
    };
    let question = catalog
        .questions(due.round_kind)
        .iter()
        .filter(|q| on_it(q) > 0)
        .max_by_key(|q| {
            (
                !asked.contains(q.id.as_str()),
                on_it(q),
                std::cmp::Reverse(&q.id),
            )
        })?;
    let point = question
        .key_points
        .iter()
        .find(|k| k.dimension == due.dimension)
        .map(|k| k.text.as_str())
        .unwrap_or_default();
    Some(NextQuestion {
        question_id: question.id.clone(),
        title: question.title.clone(),
        round_kind: question.kind,
        dimension: due.dimension.clone(),
        why: format!(
            "{} averaged {:.1} against the {bar} you are aiming for; this question asks for it: {}",
            due.name, due.average, point
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn progress(levels: &[(i64, f64)]) -> Progress {
        Progress {
            round_kind: RoundKind::Design,
            dimension: "trade-offs".into(),
            name: "Trade-offs".into(),
            points: levels
                .iter()
                .map(|&(day, level)| Point {
                    session_id: format!("s{day}"),
                    at: day * DAY_MS,
                    level,
                })
                .collect(),
        }
    }

    #[test]
    fn a_dimension_never_below_the_bar_is_not_on_the_plan() {
        assert!(schedule(&progress(&[(1, 3.0), (2, 3.5)]), 2.5, 3 * DAY_MS).is_none());
    }

    #[test]
    fn a_weak_dimension_is_due_at_once_and_comes_back_later_after_a_good_score() {
        let weak = schedule(&progress(&[(1, 1.5)]), 2.5, DAY_MS).unwrap();
        assert!(weak.due_now && weak.successes == 0, "{weak:?}");
        let once = schedule(&progress(&[(1, 1.5), (2, 3.0)]), 2.5, 2 * DAY_MS).unwrap();
        assert_eq!(once.successes, 1);
        assert_eq!(once.due_at, 4 * DAY_MS);
        assert!(!once.due_now, "{once:?}");
        let back = schedule(&progress(&[(1, 1.5), (2, 3.0)]), 2.5, 4 * DAY_MS).unwrap();
        assert!(back.due_now, "due again two days on: {back:?}");
    }

    #[test]
    fn two_good_scores_in_a_row_take_it_off_and_a_slip_starts_it_over() {
        assert!(schedule(&progress(&[(1, 1.5), (2, 3.0), (5, 3.0)]), 2.5, 6 * DAY_MS).is_none());
        let slipped =
            schedule(&progress(&[(1, 1.5), (2, 3.0), (5, 2.0)]), 2.5, 5 * DAY_MS).unwrap();
        assert_eq!(slipped.successes, 0);
        assert!(slipped.due_now);
    }

    #[test]
    fn recent_sessions_weigh_more_in_the_average() {
        let due = schedule(&progress(&[(1, 1.0), (2, 2.0)]), 2.5, 3 * DAY_MS).unwrap();
        // (2.0 × 1 + 1.0 × 0.5) / 1.5
        assert!((due.average - 1.67).abs() < 0.01, "{due:?}");
    }
}
