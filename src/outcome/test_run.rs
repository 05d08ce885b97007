//! One run of the candidate's code against a question's tests, as the
//! sandbox reports it and the session records it. Defined here, below the
//! sandbox, so the interview engine can hold a run without depending on
//! the sandbox; `crate::sandbox` re-exports it and builds it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::content::CodeLanguage;

/// One run of the candidate's code against a question's tests; stored in
/// the session's `tests_run` event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TestRun {
    pub language: CodeLanguage,
    pub code: String,
    pub status: RunStatus,
    pub passed: usize,
    pub total: usize,
    pub cases: Vec<CaseResult>,
    /// Why the run stopped early or the code did not load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Output that bypassed the per-case capture, and the interpreter's
    /// own errors, truncated.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
    pub duration_ms: u64,
}

impl TestRun {
    pub fn pass_ratio(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.passed as f64 / self.total as f64
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Every case ran (each passed or failed on its own).
    Completed,
    /// The code did not load: a syntax error, an exception at import, or no
    /// function of the expected name.
    LoadError,
    /// Over the CPU or wall-time limit.
    TimedOut,
    /// Printed more than the output limit.
    OutputLimit,
    /// Ended without reporting every case: out of memory, out of processes,
    /// killed by a signal, or exited from inside the function.
    Crashed,
    /// The result lines did not follow the harness's protocol.
    Tampered,
}

impl RunStatus {
    pub fn label(self) -> &'static str {
        match self {
            RunStatus::Completed => "completed",
            RunStatus::LoadError => "did not load",
            RunStatus::TimedOut => "timed out",
            RunStatus::OutputLimit => "too much output",
            RunStatus::Crashed => "crashed",
            RunStatus::Tampered => "results tampered with",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub index: usize,
    pub hidden: bool,
    pub passed: bool,
    /// Arguments, expected and actual values: absent for hidden cases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub args: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub output: String,
}
