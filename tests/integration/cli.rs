//! The command line, run as a user would run it.

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::app::{TestApp, fails, mockloop, spawn_app, succeed};

/// `mockloop content check`, with the offline grader's embedding model
/// (the tests' copy) so near-duplicate questions are looked for too.
fn content_check(dir: &std::path::Path) -> std::process::Command {
    mockloop::embed::test_model();
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-models")
        .join(mockloop::embed::install::DEFAULT_DIR);
    let mut command = mockloop();
    command
        .env("MOCKLOOP__GRADER__EMBEDDING_MODEL", model)
        .args(["content", "check"])
        .arg(dir);
    command
}

/// A copy of the shipped questions, loops and rubrics to break.
fn shipped_content() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in ["prompts/loops", "prompts/questions", "rubrics"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.path().join(sub).join(entry.file_name())).unwrap();
        }
    }
    dir
}

#[test]
fn content_check_passes_on_the_shipped_content() {
    let out = succeed(&mut content_check(env!("CARGO_MANIFEST_DIR").as_ref()));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.starts_with("ok: "), "{said}");
    assert!(said.contains("no near-duplicate questions"), "{said}");
}

#[test]
fn content_check_fails_on_a_question_asked_twice_in_other_words() {
    let dir = shipped_content();
    let bank = dir.path().join("prompts/questions/screen.toml");
    let mut text = std::fs::read_to_string(&bank).unwrap();
    let original = text.find("id = \"screen-slow-query-indexing\"").unwrap();
    let block_end = text[original..]
        .find("\n[[questions]]")
        .map_or(text.len(), |end| original + end);
    // The same question under a second id (the unit test rewords one).
    let copy = text[original..block_end].replace(
        "screen-slow-query-indexing",
        "screen-slow-query-indexing-again",
    );
    text.push_str(&format!("\n[[questions]]\n{copy}\n"));
    std::fs::write(&bank, text).unwrap();

    let stderr = fails(&mut content_check(dir.path()));
    assert!(
        stderr.contains(
            "questions \"screen-slow-query-indexing\" and \"screen-slow-query-indexing-again\" ask nearly the same thing"
        ),
        "{stderr}"
    );
}

#[test]
fn content_check_names_file_line_and_field_and_fails() {
    let dir = shipped_content();
    let loop_file = dir.path().join("prompts/loops/quick-practice.toml");
    let text = std::fs::read_to_string(&loop_file).unwrap();
    let broken = text.replacen("minutes = 3", "minutes = 0", 1);
    assert_ne!(text, broken, "the quick-practice loop has 3-minute rounds");
    std::fs::write(&loop_file, broken).unwrap();
    let line = std::fs::read_to_string(&loop_file)
        .unwrap()
        .lines()
        .position(|l| l.contains("minutes = 0"))
        .unwrap()
        + 1;

    let stderr = crate::app::fails(mockloop().args(["content", "check"]).arg(dir.path()));
    assert!(
        stderr.contains(&format!(
            "prompts/loops/quick-practice.toml:{line}: rounds[0].minutes: must be from 1 to 180"
        )),
        "{stderr}"
    );
}

/// Runs `command` with `input` on its standard input.
pub fn with_stdin(mut command: std::process::Command, input: &str) -> std::process::Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn grade_prints_the_per_answer_score_object() {
    let mut command = mockloop();
    command.args([
        "grade",
        "--kind",
        "values",
        "--question",
        "Tell me about a failure.",
        "--answer-file",
        "-",
        "--json",
    ]);
    let out = with_stdin(command, crate::app::answer_for("values", "question"));
    assert!(out.status.success());
    let score: Value = serde_json::from_slice(&out.stdout).unwrap();
    let overall = score["overall"].as_f64().unwrap();
    assert!(
        overall > 2.0,
        "a STAR answer with numbers scores well: {score}"
    );
    assert_eq!(score["grader"], mockloop::grading::OfflineGrader::ID);
    assert!(!score["dimensions"].as_array().unwrap().is_empty());

    let out = mockloop()
        .args([
            "grade",
            "--kind",
            "vibes",
            "--question",
            "q",
            "--answer-file",
            "-",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown kind"));
}

#[test]
fn grade_judges_a_typed_in_question_with_v3_and_marks_it_an_estimate() {
    // The model the tests share, unpacked by the first call.
    mockloop::embed::test_model();
    let model = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-models/all-minilm-l6-v2");
    let grade = |question: &str, answer: &str| -> Value {
        let mut command = mockloop();
        command
            .args(["grade", "--kind", "screen", "--question", question])
            .args(["--answer-file", "-", "--json"])
            .env("MOCKLOOP__GRADER__EMBEDDING_MODEL", &model);
        let out = with_stdin(command, answer);
        assert!(out.status.success());
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let question = "How does a B-tree index make a database query faster, and what does it \
                    cost on writes?";
    let on_topic = grade(
        question,
        "A B-tree index keeps the key values sorted in a shallow balanced tree, so a lookup \
         reads three or four pages instead of scanning the whole table, which turns a full scan \
         of ten million rows into a few milliseconds. The cost is on writes: every insert or \
         update of an indexed column also has to update the tree, and page splits add write \
         amplification, so I only index the columns that the hot queries filter on.",
    );
    assert_eq!(on_topic["grader"], "offline-v3", "{on_topic}");
    assert_eq!(on_topic["estimate"], true, "no key points: an estimate");
    assert!(on_topic["key_points"].is_null(), "{on_topic}");
    let elsewhere = grade(
        question,
        "I would put a token bucket per API key in front of the service, refilled every \
         second, and return 429 with a Retry-After header when a caller runs out, syncing the \
         counts through Redis so every host sees the same limit.",
    );
    assert_eq!(elsewhere["overall"], 1.0, "{elsewhere}");
    assert!(on_topic["overall"].as_f64().unwrap() > 1.0, "{on_topic}");
}

#[tokio::test]
async fn export_prints_a_stored_sessions_report_and_transcript() {
    let app = spawn_app().await;
    let (id, token, mut candidate) = app.start("quick-practice").await;
    candidate.answer_until_debrief().await;
    let run = |args: &[&str]| {
        let out = succeed(
            mockloop()
                .arg("export")
                .arg(&id)
                .args(args)
                .arg("--data-dir")
                .arg(&app.data_dir),
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let report: Value = serde_json::from_str(&run(&["--format", "json"])).unwrap();
    assert_eq!(report["complete"], true);
    assert_eq!(report["session_id"], id.as_str());
    assert!(run(&["--format", "md"]).starts_with("# Interview report"));
    assert!(run(&["--format", "md", "--what", "transcript"]).starts_with("# Transcript"));
    // The same page and captions the browser's export buttons fetch.
    let html = run(&["--format", "html"]);
    assert_eq!(
        html,
        app.export_text(&id, &token, "report.html").await,
        "the CLI and the server render one report"
    );
    assert!(run(&["--format", "vtt", "--what", "transcript"]).starts_with("WEBVTT"));
    let wrong = fails(
        mockloop()
            .args(["export", &id, "--format", "vtt", "--data-dir"])
            .arg(&app.data_dir),
    );
    assert!(wrong.contains("--what transcript"), "{wrong}");

    let out = mockloop()
        .args(["export", "nope", "--data-dir"])
        .arg(&app.data_dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no session"));
}

#[test]
fn content_check_reports_a_broken_grader_template_by_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for sub in [
        "prompts/loops",
        "prompts/questions",
        "prompts/grader",
        "rubrics",
    ] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for entry in std::fs::read_dir(root.join(sub)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), dir.path().join(sub).join(entry.file_name())).unwrap();
        }
    }
    std::fs::write(
        dir.path().join("prompts/grader/sceptic.j2"),
        "Question: {{ question.text }}\n{% for answer in answers %}\n",
    )
    .unwrap();

    let stderr = crate::app::fails(mockloop().args(["content", "check"]).arg(dir.path()));
    assert!(
        stderr.contains("prompts/grader/sceptic.j2:2: (template): syntax error"),
        "{stderr}"
    );
}

#[test]
fn serve_with_the_llm_grader_but_no_model_fails_naming_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = mockloop()
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(dir.path())
        .current_dir(dir.path())
        .env("MOCKLOOP__GRADER__KIND", "llm")
        .env_remove("OPENAI_API_KEY")
        .env_remove("MOCKLOOP__LLM__MODEL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A server that started anyway would never exit: stop it and fail.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the server started without its [llm] settings");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("missing model, api_key (or set OPENAI_API_KEY)"),
        "{stderr}"
    );
}

#[tokio::test]
async fn export_and_regrade_read_the_postgres_database_the_server_wrote() {
    let app = TestApp::builder()
        .on(crate::app::Backend::Postgres)
        .spawn()
        .await;
    let (id, _token, mut candidate) = app.start("quick-practice").await;
    candidate.answer_until_debrief().await;
    let url = app.database_url.clone().expect("a PostgreSQL app");
    // No data directory: the URL alone says where the sessions are.
    let out = succeed(
        mockloop()
            .args(["export", &id, "--format", "json"])
            .env("MOCKLOOP_DATABASE_URL", &url),
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], true);
    let out = succeed(
        mockloop()
            .args(["regrade", "--session", &id])
            .env("MOCKLOOP_DATABASE_URL", &url),
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("1 regraded"), "{text}");
}
