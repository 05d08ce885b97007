//! Loops run at their levels: `GET /api/loops` lists them, a session names
//! one (or gets the default), an unknown one is a 400 naming the allowed,
//! and every loop runs to a debrief at each of its levels.

use serde_json::{Value, json};

use mockloop::config::{Bounded, Config};

use crate::app::{TestApp, spawn_app};

#[tokio::test]
async fn every_loop_runs_to_a_debrief_at_each_of_its_levels() {
    // One address starts a session per loop and level, more than the
    // default 20 a minute that guards a real server.
    let mut config = Config::default();
    config.server.session_creates_per_minute = Bounded::new(1000).unwrap();
    let app = TestApp::builder().config(config).spawn().await;
    let loops: Value = app.get("/api/loops").await.json().await.unwrap();
    let ids = |id: &str| -> Vec<String> {
        let found = loops.as_array().unwrap().iter().find(|l| l["id"] == id);
        found.unwrap()["levels"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids("microsoft-backend-sde2"),
        ["sde2", "senior", "principal"]
    );
    assert_eq!(ids("microsoft-mle"), ["60", "62", "63"]);
    assert_eq!(ids("microsoft-sre"), ["se2", "senior", "principal"]);
    assert_eq!(ids("microsoft-security"), ["se2", "senior", "principal"]);
    assert_eq!(ids("microsoft-pm"), ["pm2", "senior", "principal"]);
    assert_eq!(ids("microsoft-tpm"), ["tpm2", "senior", "principal"]);
    assert_eq!(ids("microsoft-platform"), ["se2", "senior", "principal"]);
    assert_eq!(
        ids("microsoft-solutions-architect"),
        ["sa2", "senior", "principal"]
    );
    assert_eq!(ids("microsoft-data"), ["de2", "senior", "principal"]);

    let mut runs = 0;
    for listed in loops.as_array().unwrap() {
        let levels = listed["levels"].as_array().unwrap();
        assert!(!levels.is_empty(), "{listed}");
        assert_eq!(listed["level"], levels[0]["name"], "the default's name");
        for level in levels {
            let mut candidate = app
                .start_with(json!({ "loop_id": listed["id"], "level": level["id"] }))
                .await;
            let report = candidate.answer_until_debrief().await["report"].clone();
            assert_eq!(report["complete"], true, "{level}");
            assert_eq!(report["level"], level["name"]);
            assert_eq!(report["level_id"], level["id"]);
            assert_eq!(report["band"], level["band"]);
            let bar = match level["band"].as_str().unwrap() {
                "mid" => 2.5,
                "senior" => 2.75,
                _ => 3.0,
            };
            assert_eq!(report["hire_bar"], bar, "{level}");
            // "Hire at Senior SDE"; a level called "Any" is not said.
            let said = report["verdict_at_level"].as_str().unwrap();
            let name = level["name"].as_str().unwrap();
            assert!(
                name == "Any" || said.ends_with(name),
                "{said} names {level}"
            );
            runs += 1;
        }
    }
    // Backend, ML, platform, SRE, security, PM, TPM, solutions architect
    // and data at three levels each, and quick practice.
    assert!(runs >= 28, "{runs} loop levels run");
}

#[tokio::test]
async fn an_unknown_level_is_refused_with_the_levels_the_loop_offers() {
    let app = spawn_app().await;
    for body in [
        json!({ "loop_id": "microsoft-backend-sde2", "level": "staff" }),
        json!({
            "loop_id": "microsoft-backend-sde2",
            "level": "staff",
            "question_id": "coding-top-k-frequent-words",
        }),
    ] {
        let response = app
            .http
            .post(app.url("/api/sessions"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], "unknown_level", "{error}");
        assert_eq!(
            error["error"]["allowed"],
            json!(["sde2", "senior", "principal"])
        );
        let message = error["error"]["message"].as_str().unwrap();
        assert!(message.contains("\"staff\""), "{message}");
        assert!(message.contains("sde2, senior, principal"), "{message}");
    }
}
