//! What one run produced, and how the harness's output becomes it. The
//! harness only reports values; the server compares them with the expected
//! ones (which never enter the sandbox), so printing a result line cannot
//! pass a test the code does not pass.

use serde::Deserialize;
use serde_json::Value;

use super::command::CODE_DIR;
use crate::content::{CodeLanguage, CodeTests};

/// Bounds on what a stored run keeps: enough to see what went wrong.
const CASE_OUTPUT_CHARS: usize = 2_000;
const ERROR_CHARS: usize = 1_000;
const STRAY_OUTPUT_CHARS: usize = 4_000;

pub use crate::outcome::test_run::{CaseResult, RunStatus, TestRun};

/// One line the harness writes after the run's nonce.
#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum Line {
    Loaded {
        output: String,
    },
    LoadError {
        error: String,
        output: String,
    },
    Case {
        index: usize,
        ok: bool,
        #[serde(default)]
        value: Option<Value>,
        #[serde(default)]
        error: Option<String>,
        output: String,
    },
    /// Java or C++ did not compile; the compiler's messages are on stderr.
    CompileError,
    Done,
}

/// How the process ended, as the runner saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Exited by itself; `signal` when bubblewrap reports its child killed.
    Exited {
        code: Option<i32>,
    },
    TimedOut,
    OutputLimit,
}

pub struct Raw<'a> {
    pub language: CodeLanguage,
    pub code: &'a str,
    pub tests: &'a CodeTests,
    pub nonce: &'a str,
    pub stdout: &'a [u8],
    pub stderr: &'a [u8],
    pub ending: Ending,
    pub duration_ms: u64,
}

/// Reads the harness's lines strictly: `loaded`, then one `case` per test in
/// order, then `done` (or a single `load_error`). Anything else marks the
/// run as tampered with and passes nothing.
pub fn build(raw: Raw<'_>) -> TestRun {
    let stdout = String::from_utf8_lossy(raw.stdout);
    let prefix = format!("{} ", raw.nonce);
    let mut stray = String::new();
    let mut lines = Vec::new();
    let mut tampered = false;
    for line in stdout.lines() {
        match line.strip_prefix(&prefix) {
            Some(json) => match serde_json::from_str::<Line>(json) {
                Ok(parsed) => lines.push(parsed),
                Err(_) => tampered = true,
            },
            None => {
                stray.push_str(line);
                stray.push('\n');
            }
        }
    }
    let stderr = String::from_utf8_lossy(raw.stderr).replace(&format!("{CODE_DIR}/"), "");
    stray.push_str(&stderr);
    let total = raw.tests.cases.len();
    let mut cases: Vec<CaseResult> = Vec::new();
    let mut loaded = false;
    let mut done = false;
    let mut load_error = None;
    for line in lines {
        match line {
            Line::Loaded { output } if !loaded && load_error.is_none() => {
                loaded = true;
                if !output.is_empty() {
                    stray.insert_str(0, &output);
                }
            }
            Line::LoadError { error, output } if !loaded && load_error.is_none() => {
                load_error = Some(error);
                stray.insert_str(0, &output);
            }
            Line::CompileError if !loaded && load_error.is_none() => {
                let function = raw
                    .tests
                    .signature(raw.language)
                    .map(|s| s.function.as_str());
                load_error = Some(compile_message(&stderr, function.unwrap_or("?")));
            }
            Line::Case {
                index,
                ok,
                value,
                error,
                output,
            } if loaded && !done && index == cases.len() && index < total => {
                let case = &raw.tests.cases[index];
                let actual = if ok { value } else { None };
                let passed = ok
                    && actual.as_ref().is_some_and(|a| {
                        if raw.tests.any_order {
                            matches(&sorted(&case.expected), &sorted(a), raw.tests.tolerance)
                        } else {
                            matches(&case.expected, a, raw.tests.tolerance)
                        }
                    });
                cases.push(CaseResult {
                    index,
                    hidden: case.hidden,
                    passed,
                    args: (!case.hidden).then(|| case.args.clone()),
                    expected: (!case.hidden).then(|| case.expected.clone()),
                    actual: actual.filter(|_| !case.hidden),
                    error: error.map(|e| truncate(&e, ERROR_CHARS)),
                    output: if case.hidden {
                        String::new()
                    } else {
                        truncate(&output, CASE_OUTPUT_CHARS)
                    },
                });
            }
            Line::Done if loaded && !done && cases.len() == total => done = true,
            _ => tampered = true,
        }
    }
    let (status, message) = if tampered {
        cases.clear();
        (
            RunStatus::Tampered,
            Some("the output posed as the test harness's results, so no test counts".to_owned()),
        )
    } else if let Some(error) = load_error {
        (RunStatus::LoadError, Some(truncate(&error, ERROR_CHARS)))
    } else {
        match (&raw.ending, done) {
            (Ending::TimedOut, _) => (
                RunStatus::TimedOut,
                Some("stopped: over the time limit (an infinite loop?)".to_owned()),
            ),
            (Ending::OutputLimit, _) => (
                RunStatus::OutputLimit,
                Some("stopped: printed more than the output limit".to_owned()),
            ),
            (Ending::Exited { code: Some(0) }, true) => (RunStatus::Completed, None),
            (Ending::Exited { code }, _) => (
                RunStatus::Crashed,
                Some(crash_message(raw.language, *code, &stray)),
            ),
        }
    };
    let ran = cases.len();
    if status != RunStatus::Tampered {
        let reason = message.clone().unwrap_or_else(|| "not run".to_owned());
        for case in &raw.tests.cases[ran.min(total)..] {
            let index = cases.len();
            cases.push(CaseResult {
                index,
                hidden: case.hidden,
                passed: false,
                args: (!case.hidden).then(|| case.args.clone()),
                expected: (!case.hidden).then(|| case.expected.clone()),
                actual: None,
                error: Some(if index == ran && status != RunStatus::LoadError {
                    reason.clone()
                } else {
                    "not run".to_owned()
                }),
                output: String::new(),
            });
        }
    }
    TestRun {
        language: raw.language,
        code: raw.code.to_owned(),
        status,
        passed: cases.iter().filter(|c| c.passed).count(),
        total,
        cases,
        message,
        output: truncate(&stray, STRAY_OUTPUT_CHARS),
        duration_ms: raw.duration_ms,
    }
}

/// bubblewrap exits 128 + the signal when its child is killed by one.
fn crash_message(language: CodeLanguage, code: Option<i32>, stderr: &str) -> String {
    let out_of_memory = ["MemoryError", "heap out of memory", "std::bad_alloc"]
        .iter()
        .any(|sign| stderr.contains(sign));
    match code {
        _ if out_of_memory => "stopped: over the memory limit".to_owned(),
        Some(139) if language == CodeLanguage::Cpp => {
            "crashed: a segmentation fault (an index out of bounds, or a bad pointer?)".to_owned()
        }
        Some(137) => "stopped: killed (over the CPU-time or memory limit)".to_owned(),
        Some(152) => "stopped: over the CPU-time limit".to_owned(),
        Some(134) | Some(139) => "crashed (over the memory limit?)".to_owned(),
        Some(code) => format!("ended (exit status {code}) before every test had run"),
        None => "ended by a signal before every test had run".to_owned(),
    }
}

/// The compiler's first error, said against the candidate's own lines,
/// with how many more there are (all of them are in the run's output).
/// An error inside the harness means the function is missing or cannot
/// be called the way the tests call it.
fn compile_message(stderr: &str, function: &str) -> String {
    // g++ and javac say `file:line[:column]: error: …`; Mono's mcs says
    // `file(line,column): error CS1525: …`.
    let errors: Vec<(&str, &str)> = stderr
        .lines()
        .filter_map(|line| {
            line.split_once(": fatal error: ")
                .or_else(|| line.split_once(": error: "))
                .or_else(|| {
                    let (place, rest) = line.split_once(": error CS")?;
                    Some((place, rest.split_once(": ").map_or(rest, |(_, m)| m)))
                })
        })
        .collect();
    let Some((place, error)) = errors.first() else {
        return "did not compile".to_owned();
    };
    let mut parts = place.split([':', '(', ',']);
    let file = parts.next().unwrap_or_default();
    let line = parts.next().and_then(|l| l.parse::<u32>().ok());
    let first = match (file, line) {
        ("solution.cpp" | "Solution.java" | "Solution.cs", Some(line)) => {
            format!("line {line}: {error}")
        }
        ("harness.cpp", _) if error.contains("cannot pass this parameter type") => format!(
            "the tests cannot pass one of {function}'s parameter types; \
             use the types in the question's signature"
        ),
        // The function's name reaches the harness from the command line.
        ("harness.cpp" | "<command-line>", _)
            if error.contains("MOCKLOOP_FUNCTION") || error.contains(function) =>
        {
            format!(
                "there is no function named {function} that the tests can call \
                 (a free function, as in the question's signature): {error}"
            )
        }
        _ => error.to_string(),
    };
    match errors.len() {
        1 => format!("did not compile: {first}"),
        2 => format!("did not compile: {first} (and 1 more error)"),
        n => format!("did not compile: {first} (and {} more errors)", n - 1),
    }
}

/// Equal as JSON, except that two numbers which are not both integers may
/// differ by `tolerance` relative to the expected one.
pub fn matches(expected: &Value, actual: &Value, tolerance: f64) -> bool {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            if let (Some(e), Some(a)) = (e.as_i64(), a.as_i64()) {
                return e == a;
            }
            match (e.as_f64(), a.as_f64()) {
                (Some(e), Some(a)) => (e - a).abs() <= tolerance * e.abs().max(1.0),
                _ => false,
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            e.len() == a.len() && e.iter().zip(a).all(|(e, a)| matches(e, a, tolerance))
        }
        (Value::Object(e), Value::Object(a)) => {
            e.len() == a.len()
                && e.iter()
                    .all(|(k, e)| a.get(k).is_some_and(|a| matches(e, a, tolerance)))
        }
        (e, a) => e == a,
    }
}

/// `value` with every list, at any depth, in one canonical order (by its
/// items' JSON text, once they are sorted themselves).
fn sorted(value: &Value) -> Value {
    match value {
        Value::Array(items) => {
            let mut items: Vec<(String, Value)> = items
                .iter()
                .map(|item| {
                    let item = sorted(item);
                    (item.to_string(), item)
                })
                .collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Array(items.into_iter().map(|(_, item)| item).collect())
        }
        Value::Object(fields) => {
            Value::Object(fields.iter().map(|(k, v)| (k.clone(), sorted(v))).collect())
        }
        other => other.clone(),
    }
}

fn truncate(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}… (truncated)", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integers_match_exactly_and_floats_within_tolerance() {
        assert!(matches(&json!(2), &json!(2), 1e-6));
        assert!(!matches(&json!(2), &json!(3), 1e-6));
        assert!(matches(&json!(2), &json!(2.0), 1e-6));
        assert!(matches(&json!(0.1), &json!(0.1000000001), 1e-6));
        assert!(!matches(&json!(0.1), &json!(0.11), 1e-6));
        assert!(matches(&json!([1, [2.5]]), &json!([1, [2.5]]), 1e-6));
        assert!(!matches(&json!([1, 2]), &json!([1, 2, 3]), 1e-6));
        assert!(!matches(&json!("2"), &json!(2), 1e-6));
        assert!(matches(&json!({"a": 1}), &json!({"a": 1.0}), 1e-6));
    }

    #[test]
    fn in_any_order_lists_match_whatever_order_items_come_in_at_any_depth() {
        let expected = json!([[-1, -1, 2], [-1, 0, 1]]);
        let same = |a: Value| matches(&sorted(&expected), &sorted(&a), 1e-6);
        assert!(same(json!([[0, 1, -1], [2, -1, -1]])));
        assert!(!same(json!([[-1, 0, 1]])), "a triplet missing");
        assert!(!same(json!([[-1, 0, 1], [-1, 0, 1]])), "one twice");
        assert!(!same(json!([[-1, -1, 2], [-1, 0, 2]])), "a wrong triplet");
    }

    #[test]
    fn a_compile_error_names_the_candidates_line_and_counts_the_rest() {
        let gxx = "solution.cpp: In function 'int f(std::vector<int>&)':\n\
                   solution.cpp:3:5: error: expected ';' before '}' token\n\
                   solution.cpp:4:1: error: 'y' was not declared in this scope\n";
        assert_eq!(
            compile_message(gxx, "f"),
            "did not compile: line 3: expected ';' before '}' token (and 1 more error)"
        );
        let javac =
            "Solution.java:5: error: ';' expected\n        return x\n                ^\n1 error\n";
        assert_eq!(
            compile_message(javac, "f"),
            "did not compile: line 5: ';' expected"
        );
        let missing =
            "harness.cpp:412:19: error: 'countSubarrays' was not declared in this scope\n";
        assert!(
            compile_message(missing, "countSubarrays").contains("no function named countSubarrays"),
            "{}",
            compile_message(missing, "countSubarrays")
        );
        let mcs = "Solution.cs(4,4): error CS1525: Unexpected symbol `}', expecting `;'\n\
                   Compilation failed: 1 error(s), 0 warnings\n";
        assert_eq!(
            compile_message(mcs, "F"),
            "did not compile: line 4: Unexpected symbol `}', expecting `;'"
        );
        assert_eq!(compile_message("ld: cannot find", "f"), "did not compile");
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate("ééé", 2), "éé… (truncated)");
        assert_eq!(truncate("ab", 2), "ab");
    }
}
