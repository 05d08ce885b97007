//! Profiles through the real server: a résumé and a posting in, a fit map
//! whose requirements are known, a tailored loop, a prep plan that brings a
//! weak dimension back, deletion down to the rows, and the refusals.

use std::collections::HashMap;

use mockloop::clock::Clock;
use mockloop::config::Config;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app::TestApp;

pub const RESUME: &str = "Alex Rivera\n\
alex.rivera@example.com | Seattle, WA\n\
Experience\n\
Senior Software Engineer, Northwind Payments, 2019 – Present\n\
- Designed and built the REST API for merchant payouts, serving 3,000 requests per second\n\
- Added a Redis read-through cache in front of PostgreSQL that cut p99 latency from 800 ms to 90 ms\n\
- Led the migration of the ledger from MySQL to PostgreSQL with zero downtime\n\
- Joined the on-call rotation and wrote the runbooks for payment incidents\n\
Software Engineer, Contoso Retail, 2016 – 2019\n\
- Wrote Java services for inventory and order tracking\n\
- Mentored two junior engineers through their first production launches\n\
Education\n\
B.S. Computer Science, State University, 2012 – 2016\n\
Skills\n\
Java, Go, PostgreSQL, Redis, Docker\n";

pub const POSTING: &str = "Backend Engineer II, Cloud Storage\n\
About the team\n\
We are building the storage layer that millions of developers rely on.\n\
What you'll do\n\
- Design and build REST APIs for storage accounts used by thousands of customers\n\
- Improve latency with caching in front of our databases\n\
- Take part in the on-call rotation for the services you own\n\
Requirements\n\
- 5+ years of professional software development in Java or Go\n\
- Experience with relational databases such as PostgreSQL\n\
- Experience operating services on Kubernetes\n\
Nice to have\n\
- Experience with Kafka or another event streaming platform\n\
- Experience building machine learning training pipelines\n";

/// The posting's requirements and how the résumé above meets each: what
/// a recruiter reading both would mark.
const KNOWN: [(&str, &str); 8] = [
    ("Design and build REST APIs", "evidenced"),
    ("Improve latency with caching", "evidenced"),
    ("Take part in the on-call rotation", "evidenced"),
    ("5+ years of professional software development", "evidenced"),
    ("Experience with relational databases", "evidenced"),
    ("Experience operating services on Kubernetes", "missing"),
    ("Experience with Kafka", "missing"),
    ("Experience building machine learning", "missing"),
];

/// A server whose offline grader (and so the fit map) has the embedding model.
pub fn config() -> Config {
    mockloop::embed::test_model();
    let mut config = Config::default();
    config.grader.embedding_model = Some(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("target/test-models/all-minilm-l6-v2"),
    );
    config
}

pub struct Profile {
    pub id: String,
    pub token: String,
}

pub async fn create_profile(app: &TestApp) -> Profile {
    let created: Value = app
        .http
        .post(app.url("/api/profiles"))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap();
    Profile {
        id: created["profile_id"].as_str().unwrap().to_owned(),
        token: created["token"].as_str().unwrap().to_owned(),
    }
}

pub async fn put(
    app: &TestApp,
    profile: &Profile,
    what: &str,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    app.http
        .put(app.url(&format!("/api/profiles/{}/{what}", profile.id)))
        .bearer_auth(&profile.token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

pub async fn get(app: &TestApp, profile: &Profile, path: &str) -> reqwest::Response {
    app.http
        .get(app.url(&format!("/api/profiles/{}{path}", profile.id)))
        .bearer_auth(&profile.token)
        .send()
        .await
        .unwrap()
}

async fn with_documents(app: &TestApp) -> Profile {
    let profile = create_profile(app).await;
    for (what, text) in [("resume", RESUME), ("job", POSTING)] {
        let stored = put(app, &profile, what, "text/plain; charset=utf-8", text).await;
        assert_eq!(stored.status(), StatusCode::OK, "{what}");
    }
    profile
}

#[tokio::test]
async fn the_fit_map_marks_each_known_requirement_and_quotes_the_resume_verbatim() {
    let app = TestApp::builder().config(config()).spawn().await;
    let profile = with_documents(&app).await;
    let fit: Value = get(&app, &profile, "/fit?loop_id=microsoft-backend-sde2")
        .await
        .json()
        .await
        .unwrap();
    let requirements = fit["requirements"].as_array().expect("requirements");
    assert_eq!(requirements.len(), KNOWN.len(), "{fit:#}");
    for ((start, status), found) in KNOWN.iter().zip(requirements) {
        let text = found["text"].as_str().unwrap();
        assert!(text.starts_with(start), "{text} (expected {start})");
        assert_eq!(found["status"], *status, "{text}: {found:#}");
        for quote in found["evidence"].as_array().unwrap() {
            let quote = quote.as_str().unwrap();
            assert!(RESUME.contains(quote), "quoted verbatim: {quote}");
        }
        if *status == "evidenced" {
            assert!(
                !found["evidence"].as_array().unwrap().is_empty(),
                "{found:#}"
            );
        }
    }
    assert_eq!(requirements[5]["kind"], "required");
    assert_eq!(requirements[6]["kind"], "preferred");
    // 2016 – present, the degree's years not counted.
    let years = fit["years_of_experience"].as_f64().unwrap();
    assert!((9.0..=11.5).contains(&years), "{years}");

    let risks = fit["risks"].as_array().unwrap();
    assert_eq!(risks.len(), 3, "{risks:#?}");
    assert!(
        risks[0]["title"].as_str().unwrap().contains("Kubernetes"),
        "the one required thing missing comes first: {risks:#?}"
    );
    let values = fit["values"].as_array().unwrap();
    assert_eq!(values.len(), 5, "the five core values: {values:#?}");
    for value in values {
        for bullet in value["bullets"].as_array().unwrap() {
            assert!(RESUME.contains(bullet.as_str().unwrap()), "{bullet}");
        }
        assert_eq!(
            value["gap"],
            value["bullets"].as_array().unwrap().is_empty(),
            "{value}"
        );
    }
    let questions = fit["questions"].as_array().unwrap();
    assert!(!questions.is_empty() && questions.len() <= 12);
    assert!(
        questions
            .iter()
            .all(|q| !q["why"].as_str().unwrap().is_empty())
    );
    let scores = &fit["scores"];
    assert!(scores["skills"].as_f64().unwrap() > 0.3, "{scores}");
    assert!(scores["overall"].as_f64().unwrap() < 1.0, "{scores}");
}

#[tokio::test]
async fn fewer_years_than_asked_is_partial_and_a_missing_document_is_a_clear_409() {
    let app = TestApp::builder().config(config()).spawn().await;
    let profile = create_profile(&app).await;
    let fit = get(&app, &profile, "/fit?loop_id=microsoft-backend-sde2").await;
    assert_eq!(fit.status(), StatusCode::CONFLICT);
    let body: Value = fit.json().await.unwrap();
    assert_eq!(body["error"]["code"], "missing_documents");

    put(&app, &profile, "resume", "text/plain", RESUME).await;
    let senior = "Requirements\n- 12+ years of professional software development in Java\n";
    put(&app, &profile, "job", "text/plain", senior).await;
    let fit: Value = get(
        &app,
        &profile,
        "/fit?loop_id=microsoft-backend-sde2&level=senior",
    )
    .await
    .json()
    .await
    .unwrap();
    let only = &fit["requirements"][0];
    assert_eq!(only["status"], "partial", "{only:#}");
    assert!(
        only["note"].as_str().unwrap().contains("12 asked"),
        "{only:#}"
    );
    assert_eq!(fit["level"], "Senior SDE", "{fit:#}");
}

#[tokio::test]
async fn a_tailored_loop_asks_the_most_relevant_questions_first_and_says_why() {
    let app = TestApp::builder().config(config()).spawn().await;
    let profile = with_documents(&app).await;
    let created: Value = app
        .http
        .post(app.url("/api/sessions"))
        .json(&json!({
            "loop_id": "microsoft-backend-sde2",
            "profile_id": profile.id,
            "profile_token": profile.token,
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let tailored = created["tailored"].as_array().expect("reasons");
    assert!(!tailored.is_empty(), "{created:#}");
    let id = created["session_id"].as_str().unwrap();
    let fit: Value = get(&app, &profile, "/fit?loop_id=microsoft-backend-sde2")
        .await
        .json()
        .await
        .unwrap();
    // The design round asks the design question the fit map ranks highest
    // among those its round could ask (no seen ids, no preferred topics).
    let design_questions: Vec<&Value> = fit["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["round_kind"] == "design")
        .collect();
    assert!(!design_questions.is_empty(), "{fit:#}");
    let asked = planned(&app, id).await;
    let design = &asked["design"];
    // Relevance counts in steps of a twentieth; within a step the level's
    // band decides (0.57 against 0.56 has gone either way).
    let best = design_questions[0]["score"].as_f64().unwrap();
    let first = design_questions
        .iter()
        .find(|q| q["question_id"] == design[0].as_str())
        .unwrap_or_else(|| panic!("asked {design:?}, ranked {design_questions:#?}"));
    assert!(
        first["score"].as_f64().unwrap() >= best - 0.05,
        "one of the most relevant design questions first: asked {design:?}, ranked {design_questions:#?}"
    );
    for reason in tailored {
        assert!(!reason["why"].as_str().unwrap().is_empty(), "{reason}");
    }
}

/// The question ids the session's plan asks, by round kind, as its first
/// stored event holds them.
async fn planned(app: &TestApp, id: &str) -> HashMap<String, Vec<String>> {
    let pool = sqlite(app).await;
    let body: String =
        sqlx::query_scalar("SELECT body FROM events WHERE session_id = ? AND seq = 1")
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;
    let created: Value = serde_json::from_str(&body).unwrap();
    let mut asked: HashMap<String, Vec<String>> = HashMap::new();
    for round in created["plan"]["rounds"].as_array().expect("rounds") {
        let kind = round["kind"].as_str().unwrap().to_owned();
        for question in round["questions"].as_array().unwrap() {
            asked
                .entry(kind.clone())
                .or_default()
                .push(question["id"].as_str().unwrap().to_owned());
        }
    }
    asked
}

async fn sqlite(app: &TestApp) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(&format!(
        "sqlite://{}",
        app.data_dir.join("mockloop.db").display()
    ))
    .await
    .unwrap()
}

#[tokio::test]
async fn a_weak_dimension_comes_back_in_the_next_drill_from_the_plan() {
    let app = TestApp::builder().config(config()).spawn().await;
    let profile = create_profile(&app).await;
    let nothing = start(&app, &profile, json!({"practise": "plan"})).await;
    assert_eq!(nothing.status(), StatusCode::BAD_REQUEST);
    let body: Value = nothing.json().await.unwrap();
    assert_eq!(body["error"]["code"], "nothing_due");

    // A quick practice loop answered thinly: weak dimensions.
    let mut candidate = app
        .start_with(json!({
            "loop_id": "quick-practice",
            "profile_id": profile.id,
            "profile_token": profile.token,
        }))
        .await;
    answer_all(&mut candidate, "I would use a map and return the answer.").await;
    let plan: Value = get(&app, &profile, "/plan").await.json().await.unwrap();
    assert_eq!(plan["sessions"], 1, "{plan:#}");
    let due: Vec<&Value> = plan["due"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["due_now"] == true)
        .collect();
    assert!(
        !due.is_empty(),
        "thin answers leave something due: {plan:#}"
    );
    let next = plan["next_questions"].as_array().unwrap();
    assert!(!next.is_empty(), "{plan:#}");

    // "Practise these": the drill asks the plan's next questions.
    let drill: Value = start(&app, &profile, json!({"practise": "plan"}))
        .await
        .json()
        .await
        .unwrap();
    let asked = planned(&app, drill["session_id"].as_str().unwrap()).await;
    let asked: Vec<&String> = asked.values().flatten().collect();
    for question in next {
        let id = question["question_id"].as_str().unwrap().to_owned();
        assert!(asked.contains(&&id), "{id} in the drill {asked:?}");
        assert!(
            due.iter().any(|d| d["dimension"] == question["dimension"]),
            "it practises a due dimension: {question}"
        );
    }
    let plan: Value = get(&app, &profile, "/plan").await.json().await.unwrap();
    assert_eq!(plan["sessions"], 2, "the drill is linked too");
}

async fn start(app: &TestApp, profile: &Profile, mut body: Value) -> reqwest::Response {
    body["profile_id"] = json!(profile.id);
    body["profile_token"] = json!(profile.token);
    app.http
        .post(app.url("/api/sessions"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Answers every prompt with `text` until the debrief.
async fn answer_all(candidate: &mut crate::app::Candidate, text: &str) -> Value {
    loop {
        let msg = candidate
            .recv_within(std::time::Duration::from_secs(60))
            .await;
        match msg["type"].as_str().unwrap() {
            "prompt" => {
                candidate.answer(text).await;
            }
            "debrief" => return msg,
            "error" => panic!("unexpected error: {msg}"),
            _ => {}
        }
    }
}

#[tokio::test]
async fn deleting_a_profile_removes_its_rows_and_keeps_the_session() {
    let app = TestApp::builder().config(config()).spawn().await;
    let profile = with_documents(&app).await;
    let created: Value = start(&app, &profile, json!({"loop_id": "quick-practice"}))
        .await
        .json()
        .await
        .unwrap();
    let counts = || async {
        let pool = sqlite(&app).await;
        let mut counts = Vec::new();
        for table in [
            "profiles",
            "profile_documents",
            "profile_sessions",
            "sessions",
        ] {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&pool)
                .await
                .unwrap();
            counts.push(n);
        }
        pool.close().await;
        counts
    };
    assert_eq!(counts().await, [1, 2, 1, 1]);
    let wrong = app
        .http
        .delete(app.url(&format!("/api/profiles/{}", profile.id)))
        .bearer_auth("not-the-token")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let deleted = app
        .http
        .delete(app.url(&format!("/api/profiles/{}", profile.id)))
        .bearer_auth(&profile.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        counts().await,
        [0, 0, 0, 1],
        "the session is the candidate's to delete"
    );
    assert_eq!(
        get(&app, &profile, "").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let session = app
        .get(&format!(
            "/api/sessions/{}?token={}",
            created["session_id"].as_str().unwrap(),
            created["token"].as_str().unwrap()
        ))
        .await;
    assert_eq!(session.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_refused_document_stores_nothing_and_keeps_the_one_before() {
    let mut config = config();
    config.profiles.max_upload_bytes = mockloop::config::Bounded::new(4096).unwrap();
    let app = TestApp::builder().config(config).spawn().await;
    let profile = create_profile(&app).await;
    assert_eq!(
        put(&app, &profile, "resume", "text/plain", RESUME)
            .await
            .status(),
        StatusCode::OK
    );
    let before: Value = get(&app, &profile, "").await.json().await.unwrap();
    let refusals = [
        (
            "image/png",
            b"\x89PNG\r\n".to_vec(),
            StatusCode::BAD_REQUEST,
            "unsupported_type",
        ),
        (
            "text/plain",
            b"caf\xe9 au lait".to_vec(),
            StatusCode::BAD_REQUEST,
            "not_utf8",
        ),
        (
            "text/plain",
            b"   \n\n ".to_vec(),
            StatusCode::BAD_REQUEST,
            "empty",
        ),
        (
            "application/pdf",
            b"%PDF-1.7 not really".to_vec(),
            StatusCode::BAD_REQUEST,
            "corrupt",
        ),
        (
            "text/plain",
            vec![b'a'; 10_000],
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
        ),
    ];
    for (content_type, body, status, code) in refusals {
        let refused = put(&app, &profile, "resume", content_type, body).await;
        assert_eq!(refused.status(), status, "{content_type} {code}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["error"]["code"], code, "{body}");
    }
    let after: Value = get(&app, &profile, "").await.json().await.unwrap();
    assert_eq!(
        after["resume"], before["resume"],
        "the résumé before is kept"
    );
    let pdf_job = put(&app, &profile, "job", "application/pdf", b"%PDF".to_vec()).await;
    assert_eq!(pdf_job.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_profile_unused_past_its_days_is_gone_and_one_in_use_is_kept() {
    let clock = Clock::manual(1_800_000_000_000);
    let app = TestApp::builder()
        .config(config())
        .clock(clock.clone())
        .spawn()
        .await;
    let old = create_profile(&app).await;
    let kept = create_profile(&app).await;
    let day = 24 * 60 * 60 * 1000;
    clock.advance(20 * day);
    assert_eq!(get(&app, &kept, "").await.status(), StatusCode::OK);
    clock.advance(11 * day);
    assert_eq!(get(&app, &old, "").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(get(&app, &kept, "").await.status(), StatusCode::OK);
    let pool = sqlite(&app).await;
    let left: Vec<String> = sqlx::query_scalar("SELECT id FROM profiles")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(
        left,
        std::slice::from_ref(&kept.id),
        "the unused one is deleted, not only refused"
    );
}

#[tokio::test]
async fn a_pdf_and_a_docx_resume_are_read_into_the_lines_the_fit_map_quotes() {
    let app = TestApp::builder().config(config()).spawn().await;
    let profile = create_profile(&app).await;
    put(&app, &profile, "job", "text/plain", POSTING).await;
    let lines: Vec<&str> = RESUME.lines().collect();
    let files = [
        ("application/pdf", crate::documents::resume_pdf(&lines)),
        (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            crate::documents::resume_docx(&lines),
        ),
    ];
    for (content_type, file) in files {
        let stored = put(&app, &profile, "resume", content_type, file).await;
        assert_eq!(stored.status(), StatusCode::OK, "{content_type}");
        let stored: Value = stored.json().await.unwrap();
        assert_eq!(stored["media_type"], content_type);
        assert_eq!(stored["lines"], lines.len(), "{content_type}: {stored}");
        let fit: Value = get(&app, &profile, "/fit?loop_id=microsoft-backend-sde2")
            .await
            .json()
            .await
            .unwrap();
        let caching = &fit["requirements"][1];
        assert_eq!(
            caching["status"], "evidenced",
            "{content_type}: {caching:#}"
        );
        let quote = caching["evidence"][0].as_str().unwrap();
        assert!(RESUME.contains(quote), "{content_type}: {quote}");
    }
}

/// A second pair, written after the thresholds were set and never used to
/// set them: a data engineer's résumé against a data platform posting.
const HELD_OUT_RESUME: &str = "Priya Natarajan\n\
priya.n@example.org\n\
Data Engineer, Fabrikam Health, 2020 - Present\n\
- Built Airflow pipelines that load 2 TB of claims data a day into Snowflake\n\
- Added data quality checks with dbt tests that caught schema drift before it reached dashboards\n\
- Cut the nightly batch from 6 hours to 90 minutes by partitioning tables by date\n\
- Worked with the privacy team to mask patient identifiers in every analytics table\n\
Analyst, Tailspin Retail, 2017 - 2020\n\
- Wrote SQL reports on weekly sales for the merchandising team\n\
Skills\n\
Python, SQL, Airflow, dbt, Snowflake\n";

const HELD_OUT_POSTING: &str = "Data Engineer II\n\
Responsibilities\n\
- Build and operate batch pipelines with Airflow\n\
- Own data quality and freshness for the datasets your team publishes\n\
- Protect personal data in analytics datasets\n\
Qualifications\n\
- 3+ years of data engineering experience with Python and SQL\n\
- Experience with stream processing in Kafka or Flink\n\
- Experience with Terraform for cloud infrastructure\n";

const HELD_OUT_KNOWN: [&str; 6] = [
    "evidenced",
    "evidenced",
    "evidenced",
    "evidenced",
    "missing",
    "missing",
];

#[tokio::test]
async fn a_held_out_resume_and_posting_are_marked_as_a_recruiter_would() {
    let app = TestApp::builder().config(config()).spawn().await;
    let profile = create_profile(&app).await;
    put(&app, &profile, "resume", "text/plain", HELD_OUT_RESUME).await;
    put(&app, &profile, "job", "text/plain", HELD_OUT_POSTING).await;
    let fit: Value = get(&app, &profile, "/fit?loop_id=microsoft-data")
        .await
        .json()
        .await
        .unwrap();
    let found: Vec<&str> = fit["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    // Measured when first run: 5 of 6 as labelled; "Own data quality and
    // freshness" came out partial (the résumé shows quality checks, not
    // freshness). The test holds that level: at most one off by one step,
    // and never evidenced for missing or the other way round.
    let rank = |s: &str| {
        ["missing", "partial", "evidenced"]
            .iter()
            .position(|x| *x == s)
    };
    let off: Vec<(usize, &str, &str)> = found
        .iter()
        .zip(HELD_OUT_KNOWN)
        .enumerate()
        .filter(|(_, (got, want))| got != &want)
        .map(|(i, (got, want))| (i, *got, want))
        .collect();
    assert!(off.len() <= 1, "{off:?}: {fit:#}");
    for (_, got, want) in &off {
        assert_eq!(
            rank(got).unwrap().abs_diff(rank(want).unwrap()),
            1,
            "{off:?}"
        );
    }
}
