//! The typed catalog: what loops, question banks and rubrics mean once their
//! files have been parsed and validated. These values are also what a session
//! pins in its first event, so they serialize to JSON and back unchanged.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, OnceLock};

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
    /// Troubleshooting a live outage from its symptoms (site reliability).
    Incident,
    /// Threat modelling a system (security engineering).
    ThreatModel,
    /// Product sense, for product managers.
    Product,
    /// Technical program management.
    Program,
    /// Architecting a solution with a customer (solutions architects).
    CustomerArchitecture,
    /// Data pipeline and data model design (data engineering).
    DataDesign,
}

impl RoundKind {
    pub const ALL: [RoundKind; 12] = [
        RoundKind::Screen,
        RoundKind::Coding,
        RoundKind::MlCoding,
        RoundKind::Design,
        RoundKind::MlDesign,
        RoundKind::Values,
        RoundKind::Incident,
        RoundKind::ThreatModel,
        RoundKind::Product,
        RoundKind::Program,
        RoundKind::CustomerArchitecture,
        RoundKind::DataDesign,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RoundKind::Screen => "screen",
            RoundKind::Coding => "coding",
            RoundKind::MlCoding => "ml-coding",
            RoundKind::Design => "design",
            RoundKind::MlDesign => "ml-design",
            RoundKind::Values => "values",
            RoundKind::Incident => "incident",
            RoundKind::ThreatModel => "threat-model",
            RoundKind::Product => "product",
            RoundKind::Program => "program",
            RoundKind::CustomerArchitecture => "customer-architecture",
            RoundKind::DataDesign => "data-design",
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
    /// Per level band above the default, the average level some dimensions
    /// must reach for a hire at that band ("trade-off articulation
    /// differentiates Senior from Mid").
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bars: BTreeMap<Band, BTreeMap<String, f64>>,
    /// The rubric's content hash, computed on first use (grading records it
    /// with every score).
    #[serde(skip)]
    pub hash: Memo<String>,
}

/// Where a loop's level sits on the ladder: what "hire" means depends on it.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Band {
    /// Up to a mid-level engineer (SDE II, MLE 60-62): the default.
    #[default]
    Mid,
    Senior,
    Principal,
}

impl Band {
    pub const ALL: [Band; 3] = [Band::Mid, Band::Senior, Band::Principal];

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Mid => "mid",
            Band::Senior => "senior",
            Band::Principal => "principal",
        }
    }

    /// The overall score a hire needs at this band: between the rubric's
    /// "no hire" and "hire" anchors for mid, higher as the band rises.
    pub fn hire_bar(self) -> f64 {
        match self {
            Band::Mid => 2.5,
            Band::Senior => 2.75,
            Band::Principal => 3.0,
        }
    }

    /// Follow-ups a round asks beyond its loop file's `max_follow_ups`: a
    /// senior candidate is pushed further on trade-offs and operations.
    pub fn extra_follow_ups(self) -> u32 {
        match self {
            Band::Mid => 0,
            Band::Senior => 1,
            Band::Principal => 2,
        }
    }

    /// Whether a question of `difficulty` is one to ask at this band first:
    /// easy and medium at mid, medium and hard at senior, hard at principal
    /// (then the rest, so a small bank still fills the round).
    pub fn suits(self, difficulty: Difficulty) -> bool {
        match self {
            Band::Mid => difficulty != Difficulty::Hard,
            Band::Senior => difficulty != Difficulty::Easy,
            Band::Principal => difficulty == Difficulty::Hard,
        }
    }
}

/// A level a loop can be run at: the name a candidate knows it by and the
/// band that sets its bar and the questions asked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Level {
    /// How `POST /api/sessions` names it (`"senior"`).
    pub id: String,
    /// How the lobby and the report say it ("Senior Software Engineer").
    pub name: String,
    pub band: Band,
}

impl Rubric {
    pub fn signals(&self) -> impl Iterator<Item = &Signal> {
        self.dimensions.iter().flat_map(|d| d.signals.iter())
    }

    pub fn has_signal(&self, id: &str) -> bool {
        self.signals().any(|s| s.id == id)
    }

    pub fn has_dimension(&self, id: &str) -> bool {
        self.dimensions.iter().any(|d| d.id == id)
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
    /// What a sentence must also carry for a pattern match to count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Requirement>,
}

/// A condition on the sentence a signal is found in, beyond its words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Requirement {
    /// The speaker is "I", in a real (not hypothetical "I would") statement.
    FirstPerson,
    /// The sentence states a quantity.
    Number,
    /// Content on both sides of the matched phrase: a reason needs a claim
    /// and a why, a trade-off a gain and a cost.
    BothSides,
}

impl Requirement {
    pub const ALL: [(&'static str, Requirement); 3] = [
        ("first_person", Requirement::FirstPerson),
        ("number", Requirement::Number),
        ("both_sides", Requirement::BothSides),
    ];
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Question {
    pub id: String,
    pub kind: RoundKind,
    pub title: String,
    pub text: String,
    pub topics: Vec<String>,
    pub difficulty: Difficulty,
    /// What a strong answer covers: for graders, shown to a candidate only
    /// in the debrief, after the question is graded.
    pub key_points: Vec<KeyPoint>,
    /// How a strong answer could go, step by step, in the question's own
    /// terms: shown in the debrief beside what it covers, so a candidate
    /// sees a shape to practise. Never read by a grader.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outline: Vec<String>,
    pub examples: Vec<Example>,
    pub probes: Vec<Probe>,
    /// For coding questions: the tests a candidate's function runs against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tests: Option<CodeTests>,
    /// The question's vocabulary as the offline grader measures relevance by,
    /// computed on first use.
    #[serde(skip)]
    pub vocabulary: Memo<Vec<String>>,
    /// Every question of the same round kind in the catalog this one was
    /// loaded with (itself included), one allocation shared by the bank: the
    /// offline grader tells an answer to this question from an answer to a
    /// sibling. A plan's questions carry the bank they were pinned with.
    #[serde(skip)]
    pub bank: Arc<[BankEntry]>,
}

impl Question {
    /// The key points' texts, in bank order.
    pub fn key_point_texts(&self) -> impl Iterator<Item = &str> {
        self.key_points.iter().map(|k| k.text.as_str())
    }
}

/// One thing a strong answer covers, and the rubric dimension it evidences:
/// evidence for it is filed under that dimension.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyPoint {
    pub dimension: String,
    pub text: String,
}

/// What the grader compares an answer with: a question's id, its text and
/// its key points' texts.
#[derive(Clone, Debug, PartialEq)]
pub struct BankEntry {
    pub id: String,
    pub title: String,
    pub text: String,
    pub key_points: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Example {
    pub input: String,
    pub output: String,
}

/// The languages the sandbox runs a candidate's code in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodeLanguage {
    Python,
    Javascript,
    Java,
    Cpp,
    Csharp,
}

impl CodeLanguage {
    pub const ALL: [CodeLanguage; 5] = [
        CodeLanguage::Python,
        CodeLanguage::Javascript,
        CodeLanguage::Java,
        CodeLanguage::Cpp,
        CodeLanguage::Csharp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CodeLanguage::Python => "python",
            CodeLanguage::Javascript => "javascript",
            CodeLanguage::Java => "java",
            CodeLanguage::Cpp => "cpp",
            CodeLanguage::Csharp => "csharp",
        }
    }

    /// The name a candidate picks from.
    pub fn name(self) -> &'static str {
        match self {
            CodeLanguage::Python => "Python 3",
            CodeLanguage::Javascript => "JavaScript (Node)",
            CodeLanguage::Java => "Java",
            CodeLanguage::Cpp => "C++17",
            CodeLanguage::Csharp => "C#",
        }
    }

    /// What the editor starts from: the question's one-line signature with
    /// the body (and for Java, the class the tests load) around it.
    pub fn starter(self, signature: &str) -> String {
        match self {
            CodeLanguage::Python => format!("{signature}\n    "),
            CodeLanguage::Javascript | CodeLanguage::Cpp => format!("{signature}\n    \n}}\n"),
            CodeLanguage::Java => format!(
                "import java.util.*;\n\nclass Solution {{\n    {signature}\n        \n    }}\n}}\n"
            ),
            CodeLanguage::Csharp => format!(
                "using System;\nusing System.Collections.Generic;\nusing System.Linq;\n\n\
                 public class Solution {{\n    {signature}\n        \n    }}\n}}\n"
            ),
        }
    }
}

impl fmt::Display for CodeLanguage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What "Run tests" checks: a function the candidate writes, called with
/// each case's arguments; its JSON result must equal `expected`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodeTests {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<FunctionSignature>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub javascript: Option<FunctionSignature>,
    /// A method of `class Solution`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub java: Option<FunctionSignature>,
    /// A free function; the standard library is included and
    /// `using namespace std;` is in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpp: Option<FunctionSignature>,
    /// A method of `public class Solution` (C# 7, Mono).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csharp: Option<FunctionSignature>,
    /// Numbers that are not both integers match within this relative
    /// tolerance (floating-point answers differ in the last digits).
    pub tolerance: f64,
    /// The order of items in a returned list, at any depth, is not part of
    /// the answer (unique triplets "in any order"): lists are compared as
    /// sorted. Meant for results of integers and strings.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub any_order: bool,
    /// How the tests call the candidate's code, where the question's spoken
    /// text does not say (the LRU cache's driver function, the random draws
    /// a sampler is given): shown beside "Run tests", never graded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub cases: Vec<TestCase>,
}

impl CodeTests {
    pub fn signature(&self, language: CodeLanguage) -> Option<&FunctionSignature> {
        match language {
            CodeLanguage::Python => self.python.as_ref(),
            CodeLanguage::Javascript => self.javascript.as_ref(),
            CodeLanguage::Java => self.java.as_ref(),
            CodeLanguage::Cpp => self.cpp.as_ref(),
            CodeLanguage::Csharp => self.csharp.as_ref(),
        }
    }

    pub fn languages(&self) -> impl Iterator<Item = CodeLanguage> + '_ {
        CodeLanguage::ALL
            .into_iter()
            .filter(|l| self.signature(*l).is_some())
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FunctionSignature {
    /// The name the tests call.
    pub function: String,
    /// The first line(s) shown in the editor, e.g. `def f(nums, k):`.
    pub signature: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestCase {
    /// Positional arguments, as JSON values.
    pub args: Vec<serde_json::Value>,
    pub expected: serde_json::Value,
    /// Hidden cases count for the result, but the candidate never sees
    /// their arguments or expected value.
    #[serde(default)]
    pub hidden: bool,
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
    /// The levels it can be run at, never empty; the first is the default.
    pub levels: Vec<Level>,
    pub description: String,
    pub rounds: Vec<LoopRound>,
}

impl Loop {
    /// The level a session asked for, or the default when it named none;
    /// `None` for an id the loop does not offer.
    pub fn level(&self, id: Option<&str>) -> Option<&Level> {
        match id {
            None => self.levels.first(),
            Some(id) => self.levels.iter().find(|l| l.id == id),
        }
    }
}

/// One of the company's core values: the values questions' topic that asks
/// about it, and what an interviewer listens for in a story.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoreValue {
    pub topic: String,
    pub name: String,
    pub looks_for: String,
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
    /// A core-values question the same interviewer closes this round with,
    /// as every round of the seed's loop does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<ValuesAside>,
}

/// The closing values question of a technical round: its share of the
/// round's minutes, the values rubric it is scored on, and the topics
/// preferred for it (responsible AI after an ML design, say).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValuesAside {
    pub minutes: u32,
    pub rubric: String,
    pub topics: Vec<String>,
}

/// A value derived from the rest of a content struct and computed once, on
/// first use, because grading needs it on every answer. It is not content:
/// never serialised, ignored by equality, and not carried over by `clone`, so
/// a cloned struct that is then edited computes its own.
pub struct Memo<T>(OnceLock<T>);

impl<T> Memo<T> {
    pub fn get_or_init(&self, init: impl FnOnce() -> T) -> &T {
        self.0.get_or_init(init)
    }
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo(OnceLock::new())
    }
}

impl<T> Clone for Memo<T> {
    fn clone(&self) -> Self {
        Memo::default()
    }
}

impl<T> PartialEq for Memo<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> fmt::Debug for Memo<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Memo")
    }
}
