//! "Run tests" over the WebSocket, against the real sandbox: results per
//! case in a coding round, hostile code stopped while the server stays
//! healthy, and the final run moving the grade and showing in the report.

use std::time::Duration;

use mockloop::config::{Bounded, Config};
use mockloop::content::ContentSource;
use mockloop::content::edit::export_to;
use serde_json::{Value, json};

use crate::app::{Candidate, TestApp, answer_for, mockloop, succeed};
use crate::sandbox::{JS_CORRECT, next_uid};

/// A loop of one coding question, `minutes` long with at most
/// `max_follow_ups`, then one values question (whose prompt says why the
/// coding question ended): a content file for tests of a coding round.
pub fn coding_loop(
    id: &str,
    title: &str,
    question: &str,
    minutes: u32,
    max_follow_ups: u32,
) -> String {
    format!(
        r#"
id = "{id}"
title = "{title}"
company = "Test"
role = "Engineer"
level = "Any"
description = "One coding question, then one values question."

[[rounds]]
kind = "coding"
title = "Coding"
minutes = {minutes}
questions = 1
max_follow_ups = {max_follow_ups}
rubric = "coding"
persona = "An interviewer."
intro = ""
question_ids = ["{question}"]

[[rounds]]
kind = "values"
title = "Values"
minutes = 10
questions = 1
max_follow_ups = 0
rubric = "values"
persona = "An interviewer."
intro = ""
"#
    )
}

/// The shipped content plus one more loop file, in a folder that must
/// outlive the server reading it.
pub fn content_with_loop(id: &str, toml: &str) -> tempfile::TempDir {
    let content = tempfile::tempdir().expect("temp dir");
    export_to(&ContentSource::embedded(), content.path()).unwrap();
    std::fs::write(
        content.path().join(format!("prompts/loops/{id}.toml")),
        toml,
    )
    .unwrap();
    content
}

const PY_WRONG: &str = "def count_subarrays(nums, k):\n    return 1\n";

/// The shipped content plus a coding loop on subarray sum (`tests-practice`),
/// served from a directory.
pub async fn coding_app(edit: impl FnOnce(&mut Config)) -> (TestApp, tempfile::TempDir) {
    let (config, content) = coding_config(edit);
    (TestApp::builder().config(config).spawn().await, content)
}

/// The configuration `coding_app` serves, for a test that builds its app
/// with more (a grader of its own); the folder must outlive the app.
pub fn coding_config(edit: impl FnOnce(&mut Config)) -> (Config, tempfile::TempDir) {
    let content = content_with_loop(
        "tests-practice",
        &coding_loop(
            "tests-practice",
            "Tests practice",
            "coding-subarray-sum-equals-k",
            30,
            0,
        ),
    );
    let mut config = Config::default();
    config.content.dir = Some(content.path().to_owned());
    config.sandbox.uid = Bounded::new(next_uid()).unwrap();
    config.sandbox.cpu_seconds = Bounded::new(2).unwrap();
    config.sandbox.wall_seconds = Bounded::new(6).unwrap();
    edit(&mut config);
    (config, content)
}

/// A run can take the sandbox's wall limit, plus the wait for a killed
/// run's processes to be reaped, plus a loaded machine's slowness.
const RUN_WAIT: Duration = Duration::from_secs(60);

async fn run_tests(candidate: &mut Candidate, language: &str, code: &str) -> Value {
    candidate
        .send(json!({ "type": "run_tests", "language": language, "code": code }))
        .await;
    loop {
        let msg = candidate.recv_within(RUN_WAIT).await;
        assert_ne!(msg["type"], "error", "{msg}");
        if msg["type"] == "test_results" {
            return msg["run"].clone();
        }
    }
}

/// Runs `code` in the coding round, answers both questions the same way,
/// and returns the debrief's report.
async fn interview_with(app: &TestApp, language: &str, code: &str) -> (String, String, Value) {
    let (id, token, mut candidate) = app.start("tests-practice").await;
    candidate.recv_until("prompt").await;
    let run = run_tests(&mut candidate, language, code).await;
    assert_eq!(run["total"], 7, "{run}");
    candidate.answer(answer_for("coding", "question")).await;
    candidate.recv_until("prompt").await;
    candidate.answer(answer_for("values", "question")).await;
    let debrief = candidate.recv_until("debrief").await;
    (id, token, debrief["report"].clone())
}

/// The next error, skipping other messages (a grade arriving meanwhile).
async fn next_error(candidate: &mut Candidate) -> Value {
    loop {
        let msg = candidate.recv().await;
        if msg["type"] == "error" {
            return msg;
        }
    }
}

fn problem_solving(report: &Value) -> Value {
    report["answers"][0]["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "problem_solving")
        .cloned()
        .unwrap()
}

#[tokio::test]
async fn a_coding_round_runs_the_tests_and_hostile_code_leaves_the_server_healthy() {
    let (app, _content) = coding_app(|_| {}).await;
    let (_, _, mut candidate) = app.start("tests-practice").await;
    assert_eq!(
        candidate.welcome["code_execution"]["enabled"], true,
        "{}",
        candidate.welcome
    );
    let prompt = candidate.recv_until("prompt").await;
    let tests = &prompt["tests"];
    assert_eq!(tests["hidden"], 4, "{prompt}");
    assert_eq!(
        tests["examples"][0],
        json!({ "args": [[1, 1, 1], 2], "expected": 2 })
    );
    let functions = tests["functions"].as_array().unwrap();
    assert!(functions.iter().any(|f| f["function"] == "count_subarrays"));

    let bomb = "import os\ndef count_subarrays(nums, k):\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            pass\n";
    let run = run_tests(&mut candidate, "python", bomb).await;
    assert_ne!(run["status"], "completed", "{run}");
    assert_eq!(run["passed"], 0);
    let run = run_tests(
        &mut candidate,
        "python",
        "def count_subarrays(nums, k):\n    while True: pass\n",
    )
    .await;
    assert_eq!(run["passed"], 0, "{run}");
    assert_eq!(app.get("/readyz").await.status(), 200);

    let run = run_tests(&mut candidate, "javascript", JS_CORRECT).await;
    assert_eq!(
        (run["status"].as_str(), run["passed"].as_u64()),
        (Some("completed"), Some(7)),
        "{run}"
    );
    assert_eq!(run["cases"][0]["actual"], 2);
    assert!(
        run["cases"][3].get("args").is_none(),
        "hidden cases keep their inputs: {run}"
    );

    // Only one run at a time; and none outside a coding question.
    candidate
        .send(json!({ "type": "run_tests", "language": "python", "code": PY_WRONG }))
        .await;
    candidate
        .send(json!({ "type": "run_tests", "language": "python", "code": PY_WRONG }))
        .await;
    let busy = next_error(&mut candidate).await;
    assert_eq!(busy["code"], "busy", "{busy}");
    loop {
        if candidate.recv_within(RUN_WAIT).await["type"] == "test_results" {
            break;
        }
    }
    candidate.answer(answer_for("coding", "question")).await;
    candidate.recv_until("prompt").await;
    candidate
        .send(json!({ "type": "run_tests", "language": "python", "code": PY_WRONG }))
        .await;
    let refused = next_error(&mut candidate).await;
    assert_eq!(refused["code"], "no_tests", "{refused}");
}

#[tokio::test]
async fn the_final_run_moves_the_grade_and_shows_in_the_report() {
    let (app, _content) = coding_app(|_| {}).await;
    let (id, token, passing) = interview_with(&app, "javascript", JS_CORRECT).await;
    let (_, _, failing) = interview_with(&app, "python", PY_WRONG).await;

    let (pass_dim, fail_dim) = (problem_solving(&passing), problem_solving(&failing));
    assert!(pass_dim["level"].as_u64() >= Some(3), "{pass_dim}");
    assert!(fail_dim["level"].as_u64() <= Some(2), "{fail_dim}");
    assert!(
        pass_dim["feedback"]
            .as_str()
            .unwrap()
            .contains("7 of 7 tests passed"),
        "{pass_dim}"
    );
    let (pass_overall, fail_overall) = (
        passing["answers"][0]["overall"].as_f64().unwrap(),
        failing["answers"][0]["overall"].as_f64().unwrap(),
    );
    assert!(
        pass_overall > fail_overall,
        "{pass_overall} vs {fail_overall}"
    );

    let tests = &passing["answers"][0]["tests"];
    assert_eq!(
        (tests["passed"].as_u64(), tests["runs"].as_u64()),
        (Some(7), Some(1)),
        "{tests}"
    );
    // Returning 1 happens to be right for two cases.
    assert_eq!(failing["answers"][0]["tests"]["passed"], 2);

    let markdown = app.export_text(&id, &token, "report.md").await;
    assert!(
        markdown.contains("Tests: **7 of 7 tests passed (javascript, 1 run)**"),
        "{markdown}"
    );
    assert!(markdown.contains("function countSubarrays(nums, k) {"));
    let html = app.export_text(&id, &token, "report.html").await;
    assert!(html.contains("7 of 7 tests passed"));
    let transcript = app.export_text(&id, &token, "transcript.md").await;
    assert!(
        transcript.contains("Ran the tests (javascript): 7 of 7 passed"),
        "{transcript}"
    );

    // A resuming client is re-sent the run, code included.
    let mut again = app.connect(&id, &token).await;
    again.resume().await;
    let replayed = again.recv_until("test_results").await;
    assert_eq!(replayed["run"]["code"], JS_CORRECT);
}

#[tokio::test]
async fn a_server_without_a_working_sandbox_says_so_and_runs_nothing() {
    let (app, _content) = coding_app(|c| c.sandbox.bwrap = "/nonexistent/bwrap".into()).await;
    let (id, token, mut candidate) = app.start("tests-practice").await;
    candidate.recv_until("prompt").await;
    candidate
        .send(json!({ "type": "run_tests", "language": "python", "code": PY_WRONG }))
        .await;
    let refused = next_error(&mut candidate).await;
    assert_eq!(refused["code"], "code_execution_disabled", "{refused}");
    assert!(
        refused["message"].as_str().unwrap().contains("bubblewrap"),
        "{refused}"
    );
    // Once the probe has failed, every welcome says so.
    drop(candidate);
    let again = app.connect(&id, &token).await;
    let status = &again.welcome["code_execution"];
    assert_eq!(status["enabled"], false, "{status}");
    assert!(
        status["reason"].as_str().unwrap().contains("bubblewrap"),
        "{status}"
    );
}

#[tokio::test]
async fn a_regrade_keeps_what_the_final_run_showed() {
    let (app, _content) = coding_app(|_| {}).await;
    let (id, _, _) = interview_with(&app, "javascript", JS_CORRECT).await;
    succeed(
        mockloop()
            .args(["regrade", "--session", &id, "--data-dir"])
            .arg(&app.data_dir),
    );
    let out = succeed(
        mockloop()
            .args(["export", &id, "--format", "json", "--data-dir"])
            .arg(&app.data_dir),
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["answers"][0]["scores"], 2, "regraded");
    let dimension = problem_solving(&report);
    assert!(dimension["level"].as_u64() >= Some(3), "{dimension}");
    assert!(
        dimension["feedback"]
            .as_str()
            .unwrap()
            .contains("7 of 7 tests passed"),
        "{dimension}"
    );
}

/// Every language is offered with its name and the stub the editor starts
/// from; compiled languages run over the socket like the others, both the
/// tests and the candidate's own input.
#[tokio::test]
async fn java_cpp_and_csharp_are_offered_and_run_tests_and_own_input() {
    let (app, _content) = coding_app(|_| {}).await;
    let (_, _, mut candidate) = app.start("tests-practice").await;
    let prompt = candidate.recv_until("prompt").await;
    let functions = prompt["tests"]["functions"].as_array().unwrap();
    let names: Vec<&str> = functions
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Python 3", "JavaScript (Node)", "Java", "C++17", "C#"]
    );
    let java = functions.iter().find(|f| f["language"] == "java").unwrap();
    assert!(
        java["starter"]
            .as_str()
            .unwrap()
            .contains("class Solution {\n    public int countSubarrays(int[] nums, int k) {\n"),
        "{java}"
    );

    let run = run_tests(
        &mut candidate,
        "java",
        crate::sandbox_compiled::JAVA_CORRECT,
    )
    .await;
    assert_eq!(
        (run["passed"].as_u64(), run["total"].as_u64()),
        (Some(7), Some(7)),
        "{run}"
    );

    let cpp = "int countSubarrays(vector<int>& nums, int k) {\n    cout << \"k is \" << k << endl;\n    return nums.size() * 10 + k;\n}\n";
    candidate
        .send(
            json!({ "type": "run_input", "language": "cpp", "code": cpp, "input": "[4, 5, 6], 7" }),
        )
        .await;
    let output = loop {
        let msg = candidate.recv_within(RUN_WAIT).await;
        assert_ne!(msg["type"], "error", "{msg}");
        if msg["type"] == "run_output" {
            break msg["run"].clone();
        }
    };
    let case = &output["cases"][0];
    assert_eq!(case["actual"], 37, "{output}");
    assert_eq!(case["output"], "k is 7\n", "{output}");
}
