//! What the lobby offers: the loops (`GET /api/loops`) and the topics a
//! drill can practise (`GET /api/topics`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::content::RoundKind;

#[derive(Serialize)]
pub struct LoopSummary {
    id: String,
    title: String,
    company: String,
    role: String,
    /// The default level's name.
    level: String,
    /// Every level it can be run at, the default first.
    levels: Vec<crate::content::Level>,
    description: String,
    rounds: Vec<RoundSummary>,
}

#[derive(Serialize)]
pub struct RoundSummary {
    index: usize,
    kind: RoundKind,
    title: String,
    minutes: u32,
    questions: u32,
    /// The minutes of the round's closing values question, when it has one
    /// (included in `minutes`).
    #[serde(skip_serializing_if = "Option::is_none")]
    values_minutes: Option<u32>,
}

pub async fn loops(State(state): State<AppState>) -> Json<Vec<LoopSummary>> {
    let catalog = state.catalog();
    Json(
        catalog
            .loops()
            .iter()
            .map(|l| LoopSummary {
                id: l.id.clone(),
                title: l.title.clone(),
                company: l.company.clone(),
                role: l.role.clone(),
                level: l.levels.first().map(|d| d.name.clone()).unwrap_or_default(),
                levels: l.levels.clone(),
                description: l.description.clone(),
                rounds: l
                    .rounds
                    .iter()
                    .enumerate()
                    .map(|(index, r)| RoundSummary {
                        index,
                        kind: r.kind,
                        title: r.title.clone(),
                        minutes: r.minutes,
                        questions: r.questions,
                        values_minutes: r.values.as_ref().map(|v| v.minutes),
                    })
                    .collect(),
            })
            .collect(),
    )
}

#[derive(Deserialize)]
pub struct TopicsQuery {
    /// Only the topics this loop's rounds ask about.
    loop_id: Option<String>,
}

#[derive(Serialize)]
pub struct TopicSummary {
    topic: String,
    /// Questions on it (in the loop's round kinds, when one is named).
    questions: usize,
    kinds: Vec<RoundKind>,
}

/// Every topic questions are tagged with, by name, with how many questions
/// cover it; an unknown `loop_id` lists none.
pub async fn topics(
    State(state): State<AppState>,
    Query(query): Query<TopicsQuery>,
) -> Json<Vec<TopicSummary>> {
    let catalog = state.catalog();
    let kinds: Vec<RoundKind> = match query.loop_id.as_deref() {
        None => RoundKind::ALL.to_vec(),
        Some(id) => catalog
            .find_loop(id)
            .map(|l| l.rounds.iter().map(|r| r.kind).collect())
            .unwrap_or_default(),
    };
    let mut by_topic: BTreeMap<&str, TopicSummary> = BTreeMap::new();
    for kind in RoundKind::ALL.into_iter().filter(|k| kinds.contains(k)) {
        for question in catalog.questions(kind) {
            for topic in &question.topics {
                let entry = by_topic.entry(topic).or_insert_with(|| TopicSummary {
                    topic: topic.clone(),
                    questions: 0,
                    kinds: Vec::new(),
                });
                entry.questions += 1;
                if !entry.kinds.contains(&kind) {
                    entry.kinds.push(kind);
                }
            }
        }
    }
    Json(by_topic.into_values().collect())
}
