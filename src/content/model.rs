//! The typed catalog: what loops, question banks and rubrics mean once their
//! files have been parsed and validated. These values are also what a session
//! pins in its first event, so they serialize to JSON and back unchanged.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::pattern::Pattern;

/// The kinds of interview round. The names are the public spelling used in
/// content files, the protocol and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoundKind {
    Screen,
    Coding,
    MlCoding,
    Design,
    MlDesign,
    Values,
}

impl RoundKind {
    pub const ALL: [RoundKind; 6] = [
        RoundKind::Screen,
        RoundKind::Coding,
        RoundKind::MlCoding,
        RoundKind::Design,
        RoundKind::MlDesign,
        RoundKind::Values,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoundKind::Screen => "screen",
            RoundKind::Coding => "coding",
            RoundKind::MlCoding => "ml-coding",
            RoundKind::Design => "design",
            RoundKind::MlDesign => "ml-design",
            RoundKind::Values => "values",
        }
    }

    pub fn parse(s: &str) -> Option<RoundKind> {
        RoundKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Rounds where the candidate writes code; the browser shows an editor.
    pub fn is_coding(self) -> bool {
        matches!(self, RoundKind::Coding | RoundKind::MlCoding)
    }
}

impl fmt::Display for RoundKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Difficulty {
    Easy,
    Medium,
    Hard,
}

/// How answers to one round kind are scored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rubric {
    pub id: String,
    pub kind: RoundKind,
    pub version: String,
    pub title: String,
    pub description: String,
    pub dimensions: Vec<Dimension>,
}

impl Rubric {
    pub fn signals(&self) -> impl Iterator<Item = &Signal> {
        self.dimensions.iter().flat_map(|d| d.signals.iter())
    }

    pub fn has_signal(&self, id: &str) -> bool {
        self.signals().any(|s| s.id == id)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dimension {
    pub id: String,
    pub name: String,
    /// Share of the answer's overall score; a rubric's weights sum to 1.
    pub weight: f64,
    /// Distinct signals needed for levels 2, 3 and 4.
    pub thresholds: [u8; 3],
    /// Anchored descriptions of levels 1 (strong no hire) to 4 (strong hire).
    pub levels: [String; 4],
    pub signals: Vec<Signal>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Signal {
    pub id: String,
    /// What a strong answer does; shown as feedback when it is missing.
    pub description: String,
    pub patterns: Vec<Pattern>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub kind: RoundKind,
    pub title: String,
    pub text: String,
    pub topics: Vec<String>,
    pub difficulty: Difficulty,
    /// What a strong answer covers: for graders, never shown to candidates.
    pub key_points: Vec<String>,
    pub examples: Vec<Example>,
    pub probes: Vec<Probe>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub input: String,
    pub output: String,
}

/// A follow-up the scripted interviewer asks when `signal` is missing from
/// the answer so far.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    pub signal: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Loop {
    pub id: String,
    pub title: String,
    pub company: String,
    pub role: String,
    pub level: String,
    pub description: String,
    pub rounds: Vec<LoopRound>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoopRound {
    pub kind: RoundKind,
    pub title: String,
    pub minutes: u32,
    pub questions: u32,
    pub max_follow_ups: u32,
    pub rubric: String,
    pub persona: String,
    pub intro: String,
    pub topics: Vec<String>,
    pub question_ids: Vec<String>,
}
