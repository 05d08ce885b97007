//! The code sandbox against the real bubblewrap: correct and wrong code in
//! both languages, and every limit the issue names, each stopped or denied.
//! bubblewrap, python3 and node must be installed (CI installs them); a
//! missing one fails these tests rather than skipping them.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use mockloop::config::{Bounded, SandboxConfig};
use mockloop::content::Catalog;
use mockloop::content::{CodeLanguage, CodeTests, ContentSource};
use mockloop::sandbox::{RunStatus, Sandbox, TestRun};

pub fn shipped_tests(question_id: &str) -> CodeTests {
    let catalog = Catalog::build(&ContentSource::embedded()).expect("shipped content");
    catalog
        .questions(mockloop::content::RoundKind::Coding)
        .iter()
        .chain(catalog.questions(mockloop::content::RoundKind::MlCoding))
        .find(|q| q.id == question_id)
        .and_then(|q| q.tests.clone())
        .unwrap_or_else(|| panic!("{question_id} has tests"))
}

/// Each sandbox in this test binary gets users of its own, as separate
/// servers would: tests run at once, and the process limit is per user.
static NEXT_UID: AtomicU32 = AtomicU32::new(1_500_000);

/// Users no other sandbox in this test binary runs as.
pub fn next_uid() -> u32 {
    NEXT_UID.fetch_add(10, Ordering::Relaxed)
}

/// Tight limits so the limit tests finish quickly.
pub fn sandbox() -> Sandbox {
    Sandbox::new(sandbox_config())
}

/// The limits of [`sandbox`], with users of its own, for a test to vary.
pub fn sandbox_config() -> SandboxConfig {
    SandboxConfig {
        uid: Bounded::new(next_uid()).unwrap(),
        cpu_seconds: Bounded::new(2).unwrap(),
        wall_seconds: Bounded::new(6).unwrap(),
        memory_mb: Bounded::new(1024).unwrap(),
        max_output_bytes: Bounded::new(64 * 1024).unwrap(),
        ..SandboxConfig::default()
    }
}

async fn run(language: CodeLanguage, code: &str) -> TestRun {
    run_in(&sandbox(), language, code).await
}

pub async fn run_in(sandbox: &Sandbox, language: CodeLanguage, code: &str) -> TestRun {
    let status = sandbox.status().await;
    assert!(
        status.enabled && status.languages.contains(&language),
        "the sandbox must work here (install bubblewrap, python3, nodejs): {status:?}"
    );
    sandbox
        .run(
            "test",
            language,
            code,
            &shipped_tests("coding-subarray-sum-equals-k"),
        )
        .await
        .expect("the run happens")
}

/// The reference solutions of the subarray-sum question.
pub const PY_CORRECT: &str = include_str!("../fixtures/solutions/coding-subarray-sum-equals-k.py");
pub const JS_CORRECT: &str = include_str!("../fixtures/solutions/coding-subarray-sum-equals-k.js");

/// Calls the function once so its cases fail or pass by themselves, then
/// does `body` (the hostile part) on the first call.
fn py_hostile(body: &str) -> String {
    format!(
        "def count_subarrays(nums, k):\n{}\n    return 0\n",
        indent(body)
    )
}

fn indent(body: &str) -> String {
    body.lines().map(|l| format!("    {l}\n")).collect()
}

pub fn case_errors(run: &TestRun) -> String {
    run.cases
        .iter()
        .filter_map(|c| c.error.clone())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[tokio::test]
async fn a_correct_python_solution_passes_every_case_hidden_ones_included() {
    let run = run(CodeLanguage::Python, PY_CORRECT).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!((run.passed, run.total), (7, 7), "{run:?}");
    let hidden = run.cases.iter().find(|c| c.hidden).unwrap();
    assert!(hidden.args.is_none() && hidden.expected.is_none() && hidden.actual.is_none());
}

#[tokio::test]
async fn a_correct_javascript_solution_passes_every_case() {
    let run = run(CodeLanguage::Javascript, JS_CORRECT).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!((run.passed, run.total), (7, 7), "{run:?}");
}

#[tokio::test]
async fn a_wrong_solution_fails_the_cases_it_gets_wrong_and_shows_why() {
    let code = "def count_subarrays(nums, k):\n    print('debug', len(nums))\n    return sum(1 for x in nums if x == k)\n";
    let run = run(CodeLanguage::Python, code).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert!(run.passed < run.total, "{run:?}");
    let first = &run.cases[0];
    assert!(!first.passed);
    assert_eq!(first.expected, Some(serde_json::json!(2)));
    assert_eq!(first.actual, Some(serde_json::json!(0)));
    assert!(first.output.contains("debug 3"), "{first:?}");

    let js = "function countSubarrays(nums, k) { if (nums.length > 3) throw new Error('boom'); return 2; }";
    let run = self::run(CodeLanguage::Javascript, js).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert!(
        case_errors(&run).contains("Error: boom (line 1)"),
        "{run:?}"
    );
}

#[tokio::test]
async fn a_syntax_error_is_reported_with_its_line() {
    let run = run(
        CodeLanguage::Python,
        "def count_subarrays(nums, k)\n    return 0\n",
    )
    .await;
    assert_eq!(run.status, RunStatus::LoadError, "{run:?}");
    assert_eq!(run.passed, 0);
    let message = run.message.clone().unwrap_or_default();
    assert!(
        message.contains("SyntaxError") && message.contains("line 1"),
        "{message}"
    );

    let run = self::run(
        CodeLanguage::Javascript,
        "function countSubarrays(nums, k) {\n  return (;\n}",
    )
    .await;
    assert_eq!(run.status, RunStatus::LoadError, "{run:?}");
    assert!(
        run.message
            .clone()
            .unwrap_or_default()
            .contains("SyntaxError"),
        "{run:?}"
    );
}

#[tokio::test]
async fn printing_a_result_line_cannot_forge_a_pass() {
    // Prints what a naive parser would take for results, including one in
    // the harness's own shape, then returns a wrong answer.
    let forged = r#"{"kind": "case", "index": 0, "ok": true, "value": 2, "output": ""}"#;
    let code = format!(
        "import os\ndef count_subarrays(nums, k):\n    print('PASS all tests')\n    os.write(1, b'0' * 32 + b' {forged}\\n')\n    os.write(1, b'{{\"passed\": 7, \"total\": 7}}\\n')\n    return -1\n"
    );
    let run = run(CodeLanguage::Python, &code).await;
    assert_eq!(run.passed, 0, "{run:?}");
}

#[tokio::test]
async fn an_infinite_loop_is_stopped_at_the_cpu_limit() {
    let run = run(CodeLanguage::Python, &py_hostile("while True:\n    pass")).await;
    assert!(
        matches!(run.status, RunStatus::TimedOut | RunStatus::Crashed),
        "{run:?}"
    );
    assert_eq!(run.passed, 0);
    assert!(
        run.message.clone().unwrap_or_default().contains("limit"),
        "{run:?}"
    );

    let run = self::run(
        CodeLanguage::Javascript,
        "function countSubarrays() { for (;;) {} }",
    )
    .await;
    assert!(
        matches!(run.status, RunStatus::TimedOut | RunStatus::Crashed),
        "{run:?}"
    );
}

#[tokio::test]
async fn sleeping_past_the_wall_clock_limit_is_stopped() {
    let run = run(
        CodeLanguage::Python,
        &py_hostile("import time\ntime.sleep(600)"),
    )
    .await;
    assert_eq!(run.status, RunStatus::TimedOut, "{run:?}");
}

#[tokio::test]
async fn a_fork_bomb_is_contained_by_the_process_limit() {
    let bomb =
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass";
    let uid = next_uid();
    let sandbox = Sandbox::new(SandboxConfig {
        uid: Bounded::new(uid).unwrap(),
        concurrency: Bounded::new(1).unwrap(),
        cpu_seconds: Bounded::new(2).unwrap(),
        wall_seconds: Bounded::new(6).unwrap(),
        ..SandboxConfig::default()
    });
    let run = run_in(&sandbox, CodeLanguage::Python, &py_hostile(bomb)).await;
    assert_ne!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!(run.passed, 0);
    // Every process of the run goes with it: the run's own user (the one
    // slot's) is left with none, once the kernel has reaped them.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let left = std::process::Command::new("pgrep")
            .args(["-u", &uid.to_string()])
            .output()
            .expect("pgrep (procps) runs");
        if left.stdout.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "left behind: {}",
            String::from_utf8_lossy(&left.stdout)
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_memory_hog_is_stopped_at_the_memory_limit() {
    let run = run(
        CodeLanguage::Python,
        &py_hostile("x = bytearray(4 * 1024 * 1024 * 1024)"),
    )
    .await;
    assert_eq!(run.passed, 0, "{run:?}");
    assert!(case_errors(&run).contains("MemoryError"), "{run:?}");

    let js = "function countSubarrays() { const a = []; for (;;) a.push(new Array(1e6).fill(1)); }";
    let run = self::run(CodeLanguage::Javascript, js).await;
    assert_ne!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!(run.passed, 0);
}

/// Four processes of 100 MB each: each fits a 256 MB per-process limit,
/// together they do not fit a 256 MB run.
const PY_FOUR_HUNDRED_MB: &str = "import os, time
kids = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        block = bytearray(b'\\x01') * (100 * 1024 * 1024)
        time.sleep(1)
        os._exit(0)
    kids.append(pid)
block = bytearray(b'\\x01') * (100 * 1024 * 1024)
codes = [os.waitpid(k, 0)[1] for k in kids]
raise RuntimeError('ALL_FIT' if all(c == 0 for c in codes) else f'KILLED {codes}')";

#[tokio::test]
async fn a_runs_processes_together_are_held_to_its_memory_limit_where_a_cgroup_allows() {
    let sandbox = Sandbox::new(SandboxConfig {
        uid: Bounded::new(next_uid()).unwrap(),
        memory_mb: Bounded::new(256).unwrap(),
        wall_seconds: Bounded::new(20).unwrap(),
        ..SandboxConfig::default()
    });
    let run = run_in(
        &sandbox,
        CodeLanguage::Python,
        &py_hostile(PY_FOUR_HUNDRED_MB),
    )
    .await;
    assert_eq!(run.passed, 0, "{run:?}");
    let errors = case_errors(&run);
    if sandbox.memory_per_run() {
        assert!(
            !errors.contains("ALL_FIT"),
            "400 MB fitted a 256 MB run: {run:?}"
        );
    } else {
        // What docs/sandbox.md says holds without a cgroup: each process
        // is limited, not their sum.
        assert!(errors.contains("ALL_FIT"), "{run:?}");
        eprintln!("no writable memory cgroup here: memory was limited per process only");
    }
}

#[tokio::test]
async fn files_outside_the_run_cannot_be_read_or_written() {
    let probe = "
import os
def count_subarrays(nums, k):
    found = []
    for path in ['/etc/passwd', '/etc/shadow', '/root', '/home', '/work']:
        try:
            with open(path) as f:
                found.append('read ' + path + ' ' + f.read(20))
        except OSError as e:
            pass
    for path in ['/usr/x', '/sandbox/solution.py', '/x', '/etc/x']:
        try:
            with open(path, 'w') as f:
                f.write('x')
            found.append('wrote ' + path)
        except OSError:
            pass
    with open('/tmp/scratch', 'w') as f:
        f.write('ok')
    return found
";
    let run = run(CodeLanguage::Python, probe).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!(run.cases[0].actual, Some(serde_json::json!([])), "{run:?}");
    assert!(!std::path::Path::new("/x").exists());
}

#[tokio::test]
async fn dev_and_dev_shm_hold_no_more_than_a_megabyte() {
    let probe = "
def count_subarrays(nums, k):
    found = []
    # Files of 4 MB each, under the per-file limit: only the place's own
    # size can stop them.
    written = 0
    try:
        for i in range(16):
            with open('/dev/shm/fill%d' % i, 'wb') as f:
                f.write(b'x' * (4 * 1024 * 1024))
            written += 4
    except OSError:
        pass
    if written > 1:
        found.append('wrote %d MB to /dev/shm' % written)
    try:
        with open('/dev/fill', 'wb') as f:
            f.write(b'x')
        found.append('created /dev/fill')
    except OSError:
        pass
    with open('/dev/null', 'wb') as f:
        f.write(b'device nodes still work')
    return found
";
    let run = run(CodeLanguage::Python, probe).await;
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!(run.cases[0].actual, Some(serde_json::json!([])), "{run:?}");
}

#[tokio::test]
async fn a_socket_cannot_reach_anything() {
    let code = "
import socket
def count_subarrays(nums, k):
    out = []
    for host in [('127.0.0.1', 80), ('1.1.1.1', 53)]:
        try:
            socket.create_connection(host, timeout=1)
            out.append('connected')
        except OSError as e:
            out.append(type(e).__name__)
    return out
";
    let run = run(CodeLanguage::Python, code).await;
    let actual = run.cases[0].actual.clone().unwrap_or_default();
    assert!(!actual.to_string().contains("connected"), "{run:?}");
    assert_eq!(actual.as_array().map(Vec::len), Some(2), "{run:?}");
}

#[tokio::test]
async fn printing_a_hundred_megabytes_is_cut_off() {
    // Through print (captured per case, bounded) and straight to the
    // stdout file descriptor (the runner stops reading and kills it).
    let run = run(
        CodeLanguage::Python,
        &py_hostile("for _ in range(100):\n    print('x' * 1_000_000)"),
    )
    .await;
    assert!(
        run.cases[0].output.len() < 10_000,
        "{}",
        run.cases[0].output.len()
    );
    let run = self::run(
        CodeLanguage::Python,
        &py_hostile("import os\nfor _ in range(100):\n    os.write(1, b'x' * 1_000_000)"),
    )
    .await;
    assert_eq!(
        run.status,
        RunStatus::OutputLimit,
        "{}",
        run.message.clone().unwrap_or_default()
    );
    assert!(run.output.len() < 10_000);
    let js = "function countSubarrays() { for (let i = 0; i < 100; i++) process.stdout.write('x'.repeat(1e6)); const y = 'y'.repeat(1e6); for (let i = 0; i < 100; i++) require('fs').writeSync(1, y); return 0; }";
    let run = self::run(CodeLanguage::Javascript, js).await;
    assert_eq!(run.status, RunStatus::OutputLimit, "{run:?}");
}

#[tokio::test]
async fn a_disabled_sandbox_runs_nothing_and_says_why() {
    let sandbox = Sandbox::new(SandboxConfig {
        bwrap: "/nonexistent/bwrap".into(),
        ..SandboxConfig::default()
    });
    let status = sandbox.status().await;
    assert!(!status.enabled);
    assert!(
        status
            .reason
            .clone()
            .unwrap_or_default()
            .contains("bubblewrap"),
        "{status:?}"
    );
    let error = sandbox
        .run(
            "test",
            CodeLanguage::Python,
            PY_CORRECT,
            &shipped_tests("coding-subarray-sum-equals-k"),
        )
        .await
        .unwrap_err();
    assert!(error.to_string().contains("disabled"), "{error}");
}

/// Every coding and ML-coding question runs tests, in Python and
/// JavaScript, and coding questions also in Java, C++ and C#; its cases agree
/// with a known-good solution in each language it offers
/// (`tests/fixtures/solutions/<question>.<py|js|java|cpp|cs>`): a wrong
/// expected value, or a signature the tests cannot call, would fail every
/// candidate.
#[tokio::test]
async fn every_shipped_coding_question_has_tests_its_reference_solutions_pass() {
    use mockloop::content::RoundKind;
    let catalog = Catalog::build(&ContentSource::embedded()).expect("shipped content");
    let solutions =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/solutions");
    // The server's own limits: a compiler's start is part of a Java or C++
    // run, and this test checks the content, not the limits.
    let sandbox = Sandbox::new(SandboxConfig {
        uid: Bounded::new(next_uid()).unwrap(),
        ..SandboxConfig::default()
    });
    let mut runs = Vec::new();
    for kind in [RoundKind::Coding, RoundKind::MlCoding] {
        let offered: &[CodeLanguage] = match kind {
            RoundKind::Coding => &CodeLanguage::ALL,
            _ => &[CodeLanguage::Python, CodeLanguage::Javascript],
        };
        for question in catalog.questions(kind) {
            let id = &question.id;
            let tests = question
                .tests
                .as_ref()
                .unwrap_or_else(|| panic!("{id} has no tests, so no Run button"));
            for &language in offered {
                assert!(
                    tests.signature(language).is_some(),
                    "{id} offers no {language}"
                );
            }
            for language in tests.languages() {
                let extension = match language {
                    CodeLanguage::Python => "py",
                    CodeLanguage::Javascript => "js",
                    CodeLanguage::Java => "java",
                    CodeLanguage::Cpp => "cpp",
                    CodeLanguage::Csharp => "cs",
                };
                let path = solutions.join(format!("{id}.{extension}"));
                let code = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                runs.push((id.clone(), language, code, tests));
            }
        }
    }
    // One owner per language, so the sandbox's slots run them side by side.
    let by_language = CodeLanguage::ALL.map(|language| {
        let runs: Vec<_> = runs.iter().filter(|r| r.1 == language).collect();
        let sandbox = &sandbox;
        async move {
            for (id, language, code, tests) in runs {
                let run = sandbox
                    .run(language.as_str(), *language, code, tests)
                    .await
                    .expect("the run happens");
                assert_eq!(run.passed, run.total, "{id} in {language}: {run:?}");
            }
        }
    });
    futures_util::future::join_all(by_language).await;
    let checked = runs.len();
    assert!(checked >= 70, "only {checked} solutions ran");
}

/// ML-coding questions are asked "with NumPy": a candidate's NumPy code runs,
/// and its arrays and scalars are read as plain values.
#[tokio::test]
async fn a_numpy_solution_runs_and_its_values_are_read() {
    let code = "import numpy as np
def softmax_cross_entropy(logits, labels):
    z = np.asarray(logits, dtype=float)
    z = z - z.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(labels)), labels].mean()
";
    let run = sandbox()
        .run(
            "test",
            CodeLanguage::Python,
            code,
            &shipped_tests("ml-coding-softmax-cross-entropy"),
        )
        .await
        .expect("the run happens");
    assert_eq!(run.status, RunStatus::Completed, "{run:?}");
    assert_eq!(run.passed, run.total, "{run:?}");
}
