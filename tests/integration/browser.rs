//! The browser app in a real browser: each test starts a real server and
//! runs one scenario from `tests/browser/` with node, playwright-core and
//! Debian's chromium, then checks what the scenario did against the
//! server's own exports. Screenshots land in `target/browser-artifacts/`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use mockloop::clock::Clock;
use mockloop::config::Bounded;
use mockloop::grading::OfflineGrader;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::Command;

use crate::access::OPERATOR;
use crate::app::{TestApp, spawn_app};
use crate::code_runs::{coding_app, coding_config};
use crate::fake_openai::{FakeOpenAi, Step};
use crate::operator_console::spawn_on_content_dir;
use crate::operator_regrade::{INCIDENT_ANSWER, finished_session};
use crate::speech_support::speak;
use crate::voice_session::recogniser;

/// A whole scenario's bound; each step inside has its own, shorter one.
/// Voice shares two cores with every other speech test, hence the margin.
const SCENARIO_LIMIT: Duration = Duration::from_secs(420);

const INSTALL_HINT: &str = "run `cargo xtask setup test`, or install what it installs:\n  \
     apt-get install -y chromium nodejs npm\n  (cd tests/browser && npm ci)";

fn browser_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser")
}

/// Missing tools fail the test with the way to get them; a browser test
/// that quietly passes without a browser would prove nothing.
fn require_tools() {
    let node = std::process::Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "the browser tests need node; {INSTALL_HINT}"
    );
    let chromium = std::env::var_os("MOCKLOOP_CHROMIUM")
        .map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    assert!(
        chromium.exists(),
        "the browser tests need chromium at {}; {INSTALL_HINT}",
        chromium.display()
    );
    assert!(
        browser_dir().join("node_modules/playwright-core").is_dir(),
        "the browser tests need the npm package playwright-core in tests/browser/node_modules; {INSTALL_HINT}"
    );
}

/// Runs `tests/browser/<name>.mjs` against `app`; returns the JSON line it
/// prints last. A failed scenario fails the test with its output.
async fn run_scenario(app: &TestApp, name: &str, extra: &[&Path]) -> Value {
    run_scenario_on(app, name, extra, None).await
}

/// A scenario's line asking to move the server's (manual) clock on by
/// some milliseconds: time passes on the server when the scenario says.
const ADVANCE: &str = "ADVANCE_SERVER_CLOCK ";

/// `run_scenario`, with the server's clock in the scenario's hands: each
/// `ADVANCE_SERVER_CLOCK <ms>` line it prints moves `clock` on.
async fn run_scenario_on(
    app: &TestApp,
    name: &str,
    extra: &[&Path],
    clock: Option<&Clock>,
) -> Value {
    require_tools();
    let artifacts = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/browser-artifacts")
        .join(name);
    let mut child = Command::new("node")
        .arg(browser_dir().join(format!("{name}.mjs")))
        .arg(app.url("/"))
        .arg(&artifacts)
        .args(extra)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node starts");
    let mut stderr = child.stderr.take().unwrap();
    let stderr = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let run = async {
        let mut stdout = Vec::new();
        while let Some(line) = lines.next_line().await.expect("the scenario's output") {
            if let Some(ms) = line.strip_prefix(ADVANCE) {
                let clock = clock.expect("a scenario that moves the clock runs on one");
                clock.advance(ms.trim().parse().expect("milliseconds"));
            }
            stdout.push(line);
        }
        (stdout, child.wait().await.expect("node runs"))
    };
    let (stdout, status) = tokio::time::timeout(SCENARIO_LIMIT, run)
        .await
        .unwrap_or_else(|_| panic!("the {name} scenario did not finish in {SCENARIO_LIMIT:?}"));
    let stderr = stderr.await.unwrap();
    assert!(
        status.success(),
        "the {name} scenario failed (screenshots in {}):\n{stderr}\n{}",
        artifacts.display(),
        stdout.join("\n")
    );
    let last = stdout.last().map(String::as_str).unwrap_or_default();
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("the {name} scenario printed {last:?}, not JSON: {e}"))
}

/// What the fake microphone says in the voice scenarios.
const SAID: &str = "I would count each value in a hash map, which makes every lookup constant time. \
                    The trade off is the extra memory for the map.";

/// `spoken` with 2.5 s of silence after it: Chromium loops the file with
/// no gap, and trailing silence longer than the server's silence hold lets
/// each pass end as an utterance.
fn padded(spoken: &Path, dir: &Path) -> PathBuf {
    let wav = dir.join("answer-padded.wav");
    let status = std::process::Command::new("sox")
        .arg(spoken)
        .arg(&wav)
        .args(["pad", "0", "2.5"])
        .status()
        .expect("sox runs (apt-get install sox)");
    assert!(status.success());
    wav
}

/// The stored report of the session a scenario ran, read with its token
/// as the browser stored it.
async fn report(app: &TestApp, result: &Value) -> Value {
    let id = result["session_id"]
        .as_str()
        .expect("the scenario names its session");
    let token = result["token"]
        .as_str()
        .expect("the scenario passes the token on");
    let text = app.export_text(id, token, "report.json").await;
    serde_json::from_str(&text).expect("report.json is JSON")
}

#[tokio::test]
async fn a_candidate_types_the_quick_practice_loop_to_a_debrief_with_highlighted_evidence() {
    let grader = mockloop::grading::SubstanceGrader::new(crate::grading_v3::shared_model());
    let app = TestApp::builder()
        .grader(std::sync::Arc::new(grader))
        .spawn()
        .await;
    let result = run_scenario(&app, "text-loop", &[]).await;

    let report = report(&app, &result).await;
    assert_eq!(report["complete"], true, "{report}");
    assert_eq!(report["answers"].as_array().unwrap().len(), 6);
    assert!(result["marks"].as_u64().unwrap() > 0);
    // The page shows each key point with the status the grader gave it.
    for status in ["covered", "mentioned", "missed"] {
        let stored = report["answers"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|a| a["key_points"].as_array().unwrap())
            .filter(|k| k["status"] == status)
            .count() as u64;
        assert_eq!(result["keyPoints"][status], stored, "{status}: {report}");
    }
    assert!(result["keyPoints"]["missed"].as_u64().unwrap() > 0);
    for answer in report["answers"].as_array().unwrap() {
        assert_eq!(answer["grader"], "offline-v3", "{answer}");
    }
    // The chart the page showed (chart.svg) is the one the HTML report inlines.
    let id = result["session_id"].as_str().unwrap();
    let token = result["token"].as_str().unwrap();
    let chart = app.export_text(id, token, "chart.svg").await;
    assert!(chart.starts_with("<svg"), "{chart}");
    let html = app.export_text(id, token, "report.html").await;
    assert!(html.contains(&chart), "report.html inlines the chart");
}

#[tokio::test]
async fn a_streamed_follow_up_shows_as_it_is_written_and_is_spoken_from_its_first_sentence() {
    let (first, second) = (
        "Interesting choice.",
        "What made you pick it over the alternatives?",
    );
    // A pause before each piece, so the page sees (and speaks) the first
    // sentence well before the rest arrives.
    let fake = FakeOpenAi::start(vec![Step::StreamSlowly(
        vec![
            format!("{first} "),
            "What made you ".into(),
            "pick it over the alternatives?".into(),
        ],
        Duration::from_millis(700),
    )])
    .await;
    let mut config = crate::interviewer::config(&fake);
    config.interviewer.first_token_timeout_ms = Bounded::new(30_000).unwrap();
    config.interviewer.total_timeout_ms = Bounded::new(60_000).unwrap();
    let app = TestApp::builder().config(config).spawn().await;
    let result = run_scenario(&app, "llm-turn", &[Path::new(first), Path::new(second)]).await;

    let report = report(&app, &result).await;
    let turns = &report["answers"][0]["turns"];
    assert_eq!(turns[1]["kind"], "follow_up", "{report}");
    assert_eq!(turns[1]["prompt"], format!("{first} {second}"));
}

#[tokio::test]
async fn a_dropped_connection_mid_answer_resumes_without_losing_the_draft() {
    let app = spawn_app().await;
    let result = run_scenario(&app, "reconnect", &[]).await;

    // The answer typed across the outage was stored whole, exactly once.
    let report = report(&app, &result).await;
    let draft = result["draft"].as_str().unwrap();
    let first = report["answers"][0]["answer"].as_str().unwrap();
    assert_eq!(first.matches(draft).count(), 1, "{first}");
}

#[tokio::test]
async fn a_deleted_interview_says_it_is_gone_and_offers_the_lobby_instead_of_retrying() {
    let app = spawn_app().await;
    let result = run_scenario(&app, "session-gone", &[]).await;
    // Two interviews, each deleted: one with its room open, one closed.
    assert_ne!(result["open"], result["closed"], "{result}");
}

#[tokio::test]
async fn a_quote_cut_from_a_long_sentence_ends_with_an_ellipsis_and_is_marked() {
    // The lexical fallback grader: it cut quotes without saying so.
    let (config, _content) = coding_config(|_| {});
    let app = TestApp::builder()
        .config(config)
        .grader(Arc::new(OfflineGrader))
        .spawn()
        .await;
    let result = run_scenario(&app, "long-quote", &[]).await;
    let report = report(&app, &result).await;
    assert_eq!(
        report["answers"][0]["grader"],
        OfflineGrader::ID,
        "{report}"
    );
}

#[tokio::test]
async fn a_broken_report_link_and_an_unknown_address_get_pages_that_lead_back() {
    let app = spawn_app().await;
    let result = run_scenario(&app, "pages", &[]).await;
    assert!(
        result["report"].is_string() && result["nowhere"].is_string(),
        "{result}"
    );
    // API clients still get JSON for the same refusal.
    let refused = app
        .get("/api/sessions/no-such-session/report.json?token=not-the-token")
        .await;
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized", "{body}");
}

#[tokio::test]
async fn the_time_warning_stays_true_while_the_countdown_runs() {
    let clock = Clock::manual(mockloop::clock::now_ms());
    let app = TestApp::builder().clock(clock.clone()).spawn().await;
    let result = run_scenario_on(&app, "time-warning", &[], Some(&clock)).await;
    assert!(result["warning"].is_string(), "{result}");
}

#[tokio::test]
async fn when_time_runs_out_the_typed_answer_is_sent_and_not_carried_to_the_next_question() {
    let clock = Clock::manual(mockloop::clock::now_ms());
    let app = TestApp::builder().clock(clock.clone()).spawn().await;
    let result = run_scenario_on(&app, "time-up-draft", &[], Some(&clock)).await;
    let id = result["session_id"].as_str().unwrap();
    let token = result["token"].as_str().unwrap();
    let transcript = app.export_text(id, token, "transcript.json").await;
    let transcript: Value = serde_json::from_str(&transcript).unwrap();
    let answer = transcript["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "answer")
        .expect("an answer was stored");
    assert_eq!(answer["text"], result["draft"], "{transcript}");
    assert_eq!(answer["note"], "Sent when the round's time ran out.");
}

#[tokio::test]
async fn a_hint_shows_beside_the_question_and_repeat_says_the_question_again() {
    let app = spawn_app().await;
    run_scenario(&app, "hint-repeat", &[]).await;
}

#[tokio::test]
async fn the_lobby_and_room_behave_like_an_interview_not_a_form() {
    let app = spawn_app().await;
    let result = run_scenario(&app, "interview-not-form", &[]).await;
    assert_ne!(result["interview"], result["drill"], "{result}");
}

#[tokio::test]
async fn try_this_question_again_drills_it_and_shows_both_attempts() {
    let app = spawn_app().await;
    let result = run_scenario(&app, "try-again", &[]).await;
    let path = |session: &serde_json::Value| {
        format!(
            "/api/sessions/{}/report.json?token={}",
            session["session_id"].as_str().unwrap(),
            session["token"].as_str().unwrap()
        )
    };
    let first: serde_json::Value = app.get(&path(&result["first"])).await.json().await.unwrap();
    let again: serde_json::Value = app.get(&path(&result["again"])).await.json().await.unwrap();
    let answers = again["answers"].as_array().unwrap();
    assert_eq!(answers.len(), 1, "{again}");
    assert_eq!(
        answers[0]["question_id"], first["answers"][0]["question_id"],
        "the drill asked the question tried again"
    );
    assert_eq!(again["loop"]["id"], first["loop"]["id"]);
}

#[tokio::test]
async fn a_candidate_pastes_a_resume_and_a_posting_and_practises_a_tailored_loop_to_a_plan() {
    // The fit map and the tailoring need the embedding model.
    let app = TestApp::builder()
        .config(crate::profiles::config())
        .spawn()
        .await;
    let result = run_scenario(&app, "profile", &[]).await;

    let report = report(&app, &result).await;
    assert_eq!(report["complete"], true, "{report}");
    assert_eq!(report["loop"]["id"], "quick-practice", "{report}");
    // Every question the room said was chosen for the candidate was asked.
    let asked: Vec<&Value> = report["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["question_id"])
        .collect();
    let chosen = result["tailored"].as_array().expect("the chosen questions");
    assert!(!chosen.is_empty(), "{result}");
    for id in chosen {
        assert!(
            asked.contains(&id),
            "{id} was chosen but not asked: {asked:?}"
        );
    }

    // The server holds what the page showed: the profile, its one linked
    // session in the plan, and the fit map's statuses.
    let id = result["profile_id"]
        .as_str()
        .expect("the scenario names its profile");
    let token = result["profile_token"].as_str().expect("and its token");
    let plan: Value = app
        .get(&format!("/api/profiles/{id}/plan?token={token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(plan["sessions"], 1, "{plan}");
    let due = plan["due"].as_array().unwrap();
    assert_eq!(
        result["due"],
        due.len(),
        "the page listed what is due: {plan}"
    );
    assert!(!plan["progress"].as_array().unwrap().is_empty(), "{plan}");
    let fit: Value = app
        .get(&format!(
            "/api/profiles/{id}/fit?loop_id=quick-practice&token={token}"
        ))
        .await
        .json()
        .await
        .unwrap();
    for status in ["evidenced", "missing"] {
        let stored = fit["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == status)
            .count();
        assert_eq!(result[status], stored, "{status}: {fit}");
    }
}

#[tokio::test]
async fn a_spoken_answer_from_the_fake_microphone_barges_in_is_corrected_on_review_and_scored() {
    let dir = tempfile::tempdir().unwrap();
    let spoken = speak(SAID, dir.path(), "answer");
    let wav = padded(&spoken, dir.path());
    let app = TestApp::builder().speech(recogniser()).spawn().await;
    let result = run_scenario(&app, "voice", &[&wav]).await;

    let report = report(&app, &result).await;
    let first = &report["answers"][0];
    let turn = &first["turns"][0];
    assert!(turn["speech"].is_object(), "the answer was spoken: {first}");
    assert!(first["overall"].as_f64().is_some(), "and scored: {first}");
    // Stored as the candidate corrected it on review, with what was heard
    // beside it and the word they changed.
    assert_eq!(turn["answer"], result["corrected"], "{turn}");
    assert_eq!(turn["speech"]["heard"], result["review"], "{turn}");
    assert_eq!(
        turn["corrections"]["edits"],
        serde_json::json!([{"heard": result["misheard"], "wrote": result["wrote"]}]),
        "{turn}"
    );
    // The fake microphone starts wherever Chromium is in its loop of the
    // file, so the first utterance may begin mid-sentence: the answer holds
    // some run of what was said, not necessarily "hash map".
    let heard = turn["speech"]["heard"].as_str().unwrap().to_lowercase();
    let words_said = [
        "count", "value", "hash", "map", "lookup", "constant", "trade", "memory",
    ];
    let matched = words_said.iter().filter(|w| heard.contains(*w)).count();
    assert!(matched >= 2, "{heard}");
}

/// Time running out while the candidate corrects what was heard takes the
/// spoken answer as they left it in the review box, with what was heard
/// kept beside it.
#[tokio::test]
async fn when_time_runs_out_during_a_review_the_answer_is_taken_as_left_in_the_box() {
    let dir = tempfile::tempdir().unwrap();
    let spoken = speak(SAID, dir.path(), "answer");
    let wav = padded(&spoken, dir.path());
    let clock = Clock::manual(mockloop::clock::now_ms());
    let app = TestApp::builder()
        .speech(recogniser())
        .clock(clock.clone())
        .spawn()
        .await;
    let result = run_scenario_on(&app, "voice-time-up", &[&wav], Some(&clock)).await;
    let report = report(&app, &result).await;
    let turn = &report["answers"][0]["turns"][0];
    assert_eq!(turn["answer"], result["left"], "{turn}");
    assert_eq!(turn["speech"]["heard"], result["heard"], "{turn}");
}

#[tokio::test]
async fn an_operator_fixes_a_refused_rubric_edit_saves_it_and_regrades_to_changed_scores() {
    let (app, dir, _guard) = spawn_on_content_dir().await;
    let (id, token) = finished_session(&app).await;
    let before = app.export_text(&id, &token, "report.json").await;
    let args = [OPERATOR, id.as_str(), INCIDENT_ANSWER].map(Path::new);
    let result = run_scenario(&app, "operator", &args).await;

    assert!(result["changed"].as_u64().unwrap() >= 1, "{result}");
    let rubric = std::fs::read_to_string(dir.join("rubrics/values.toml")).unwrap();
    assert!(rubric.contains("zzqx never said"), "the fix was saved");
    assert!(rubric.contains("weight = 0.30"), "the refused edit was not");
    // The regrade is stored: the session's report now carries the new score.
    let after = app.export_text(&id, &token, "report.json").await;
    let overall = |text: &str| -> f64 {
        let report: Value = serde_json::from_str(text).unwrap();
        report["overall"].as_f64().unwrap()
    };
    assert!(overall(&after) < overall(&before), "{after}");
    // Every rendering says the answer was regraded, the HTML page too.
    for file in ["report.html", "report.md"] {
        let text = app.export_text(&id, &token, file).await;
        assert!(text.contains("Regraded: this answer has"), "{file}: {text}");
    }
}

#[tokio::test]
async fn the_operator_console_explains_a_wrong_token_and_leads_to_a_broken_line() {
    let (app, _dir, _guard) = spawn_on_content_dir().await;
    let result = run_scenario(&app, "operator-feedback", &[Path::new(OPERATOR)]).await;
    assert!(result["line"].as_u64().unwrap() > 100, "{result}");
}

#[tokio::test]
async fn a_draft_survives_a_reload_after_a_coding_question_with_a_stub() {
    let (app, _content) = coding_app(|_| {}).await;
    let result = run_scenario(&app, "draft-reload", &[]).await;
    // The coding answer was stored as sent; the draft never was.
    let report = report(&app, &result).await;
    let answers = report["answers"].as_array().unwrap();
    assert!(
        answers[0]["answer"].as_str().unwrap().contains("hash map"),
        "{report}"
    );
}

#[tokio::test]
async fn code_stays_in_the_editor_for_the_follow_ups_about_it() {
    let (config, content) = coding_config(|_| {});
    // The coding question of tests-practice, with follow-ups allowed.
    let dir = content.path().join("prompts/loops");
    let tests_practice = std::fs::read_to_string(dir.join("tests-practice.toml")).unwrap();
    let follow_ups = tests_practice
        .replacen("id = \"tests-practice\"", "id = \"follow-up-practice\"", 1)
        .replacen("max_follow_ups = 0", "max_follow_ups = 2", 1);
    std::fs::write(dir.join("follow-up-practice.toml"), follow_ups).unwrap();
    let app = TestApp::builder().config(config).spawn().await;
    let result = run_scenario(&app, "code-follow-up", &[]).await;
    let report = report(&app, &result).await;
    let turns = &report["answers"][0]["turns"];
    assert_eq!(turns[1]["kind"], "follow_up", "{report}");
}

#[tokio::test]
async fn a_candidate_runs_the_tests_from_the_code_editor() {
    let (app, content) = coding_app(|_| {}).await;
    let solution = content.path().join("solution.py");
    std::fs::write(&solution, crate::sandbox::PY_CORRECT).unwrap();
    let java = content.path().join("Solution.java");
    std::fs::write(&java, crate::sandbox_compiled::JAVA_CORRECT).unwrap();
    let result = run_scenario(&app, "run-tests", &[&solution, &java]).await;

    let report = report(&app, &result).await;
    let tests = &report["answers"][0]["tests"];
    assert_eq!(
        (tests["passed"].as_u64(), tests["runs"].as_u64()),
        (Some(7), Some(3)),
        "{tests}"
    );
}
