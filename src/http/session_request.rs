//! `POST /api/sessions`'s body, parsed at the edge into what the candidate
//! asked for: a loop, a one-question drill, or a topic drill.

use std::collections::HashMap;

use serde::Deserialize;

use super::error::AppError;
use crate::content::{Catalog, RoundKind};
use crate::engine::{Ask, Plan, PlanError, TopicDrill};

/// Topics one drill may name.
const MAX_TOPICS: usize = 10;
/// Questions one topic drill may ask.
const MAX_QUESTIONS: u32 = 10;
/// Question ids a browser may say it has seen: it sends its latest.
pub const MAX_SEEN: usize = 1_000;
/// The longest id or topic a request may name (the bank's are far shorter).
const MAX_NAME: usize = 100;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateSession {
    #[serde(default)]
    loop_id: Option<String>,
    /// "Try this question again": a one-question drill on this question,
    /// as the loop asks it.
    #[serde(default)]
    question_id: Option<String>,
    /// One of the loop's levels (`GET /api/loops` lists them); its default
    /// when absent.
    #[serde(default)]
    level: Option<String>,
    /// "Practise topics": questions on these topics (`GET /api/topics`).
    #[serde(default)]
    topics: Option<Vec<String>>,
    /// How many questions a topic drill asks (default 3).
    #[serde(default)]
    questions: Option<u32>,
    /// A topic drill of one round kind only.
    #[serde(default)]
    kind: Option<String>,
    /// Question ids this browser has been asked: others go first.
    #[serde(default)]
    seen: Vec<String>,
    /// A profile (docs/profiles.md) with its token: the session is linked
    /// to it, and a loop is tailored to its résumé and posting.
    #[serde(default)]
    profile_id: Option<String>,
    #[serde(default)]
    profile_token: Option<String>,
    /// `"plan"`: a drill of what the profile's prep plan says is due.
    #[serde(default)]
    practise: Option<String>,
}

/// What a valid body asks for.
pub enum SessionRequest {
    Loop {
        loop_id: String,
    },
    Question {
        loop_id: String,
        question_id: String,
    },
    Topics {
        loop_id: Option<String>,
        topics: Vec<String>,
        kind: Option<RoundKind>,
        count: u32,
    },
    /// What the profile's prep plan says is due.
    Plan,
}

/// The profile a request names, with the token that proves it.
pub struct ProfileClaim {
    pub id: String,
    pub token: String,
}

/// A parsed body: the request, with the level and seen ids every kind of
/// session takes.
pub struct Parsed {
    pub request: SessionRequest,
    level: Option<String>,
    seen: Vec<String>,
    pub profile: Option<ProfileClaim>,
}

fn bad(message: impl Into<String>) -> AppError {
    AppError::bad_request("bad_request", message)
}

fn name_ok(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_NAME
}

impl CreateSession {
    pub fn parse(self) -> Result<Parsed, AppError> {
        if self.seen.len() > MAX_SEEN {
            return Err(bad(format!(
                "seen: at most {MAX_SEEN} ids; send the latest"
            )));
        }
        if let Some(bad_id) = self.seen.iter().find(|s| !name_ok(s)) {
            return Err(bad(format!(
                "seen: {:?} is not a question id (1 to {MAX_NAME} characters)",
                bad_id.chars().take(MAX_NAME).collect::<String>()
            )));
        }
        let drill_only =
            |field: &str| bad(format!("{field} is for a topic drill: send topics with it"));
        let profile = match (self.profile_id, self.profile_token) {
            (Some(id), Some(token)) if name_ok(&id) && name_ok(&token) => {
                Some(ProfileClaim { id, token })
            }
            (None, None) => None,
            _ => return Err(bad("send profile_id with its profile_token")),
        };
        let request = match (self.topics, self.question_id) {
            _ if self.practise.is_some() => {
                if self.practise.as_deref() != Some("plan") {
                    return Err(bad("practise: the only kind is \"plan\""));
                }
                if profile.is_none() {
                    return Err(bad("practise: \"plan\" needs profile_id and profile_token"));
                }
                SessionRequest::Plan
            }
            (Some(_), Some(_)) => {
                return Err(bad("send topics or question_id, not both"));
            }
            (Some(topics), None) => {
                if topics.is_empty() || topics.len() > MAX_TOPICS {
                    return Err(bad(format!("topics: 1 to {MAX_TOPICS} topics")));
                }
                if let Some(t) = topics.iter().find(|t| !name_ok(t)) {
                    return Err(bad(format!("topics: {t:?} is not a topic")));
                }
                let count = self.questions.unwrap_or(3);
                if !(1..=MAX_QUESTIONS).contains(&count) {
                    return Err(bad(format!("questions: 1 to {MAX_QUESTIONS}")));
                }
                let kind = match self.kind.as_deref() {
                    None => None,
                    Some(k) => Some(RoundKind::parse(k).ok_or_else(|| {
                        let known: Vec<_> = RoundKind::ALL.iter().map(|k| k.as_str()).collect();
                        bad(format!("kind: {k:?} is not one of {}", known.join(", ")))
                    })?),
                };
                SessionRequest::Topics {
                    loop_id: self.loop_id,
                    topics,
                    kind,
                    count,
                }
            }
            (None, question_id) => {
                if self.questions.is_some() {
                    return Err(drill_only("questions"));
                }
                if self.kind.is_some() {
                    return Err(drill_only("kind"));
                }
                let loop_id = self
                    .loop_id
                    .ok_or_else(|| bad("loop_id is required (or topics, for a topic drill)"))?;
                match question_id {
                    Some(question_id) => SessionRequest::Question {
                        loop_id,
                        question_id,
                    },
                    None => SessionRequest::Loop { loop_id },
                }
            }
        };
        Ok(Parsed {
            request,
            level: self.level,
            seen: self.seen,
            profile,
        })
    }
}

impl Parsed {
    /// The level asked for (the loop's default when `None`).
    pub fn level(&self) -> Option<&str> {
        self.level.as_deref()
    }

    /// The plan asked for; a loop is tailored when `relevance` is given.
    /// A drill from the prep plan is built by the caller, who reads it.
    pub fn plan(
        &self,
        catalog: &Catalog,
        seed: u64,
        relevance: Option<&HashMap<String, f32>>,
    ) -> Result<Plan, PlanError> {
        let ask = Ask {
            level: self.level.as_deref(),
            seen: &self.seen,
            relevance,
        };
        match &self.request {
            SessionRequest::Loop { loop_id } => Plan::build(catalog, loop_id, ask, seed),
            SessionRequest::Question {
                loop_id,
                question_id,
            } => Plan::drill(catalog, loop_id, ask.level, question_id),
            SessionRequest::Topics {
                loop_id,
                topics,
                kind,
                count,
            } => {
                let drill = TopicDrill {
                    loop_id: loop_id.as_deref(),
                    topics,
                    kind: *kind,
                    count: *count as usize,
                };
                Plan::topics(catalog, drill, ask, seed)
            }
            SessionRequest::Plan => Err(PlanError::NothingToAsk(
                "a drill from the prep plan is built from the plan".into(),
            )),
        }
    }
}
