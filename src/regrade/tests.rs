use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;

use super::*;
use crate::content::Catalog;
use crate::engine::{Answer, Event, PauseReason, Plan, StoredEvent};
use crate::grading::{GradeError, OfflineGrader};
use crate::outcome::speech::SpeechAnalytics;
use crate::store::{SessionRow, SqliteStore};

const T0: EpochMs = 1_700_000_000_000;
const ANSWER: &str = "First I would clarify the constraints and the scale. The trade-off is latency \
    versus cost, because a cache helps reads but goes stale. In my last project I built the \
    service myself and cut p99 latency from 800 ms to 120 ms.";

async fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_in(dir.path()).await.unwrap();
    (dir, store)
}

/// Decides, stores and applies, as the live session driver does.
async fn step(store: &SqliteStore, id: &str, session: &mut Session, now: EpochMs, input: Input) {
    let events = session.handle(now, input).unwrap();
    for stored in store.append(id, session.seq(), &events).await.unwrap() {
        session.apply(&stored.event).unwrap();
    }
}

enum Stage {
    Lobby,
    OneClosed,
    /// One question closed on a spoken answer too unclear to judge, scored
    /// (as a session stored before "could not assess" existed would be).
    OneClosedUnclear,
    Finished,
}

/// A quick-practice interview stored up to `stage`, graded by the offline grader.
async fn interview(store: &SqliteStore, id: &str, stage: Stage) -> Session {
    let plan = Plan::build(
        &Catalog::embedded().unwrap(),
        "quick-practice",
        Default::default(),
        7,
    )
    .unwrap();
    let first = Session::create(T0, plan);
    let row = SessionRow {
        id: id.into(),
        token_hash: "h".into(),
        loop_id: "quick-practice".into(),
        content_hash: "c".into(),
        created_at: T0,
    };
    store.create_session(&row, &first).await.unwrap();
    let mut session = Session::replay(&[StoredEvent {
        seq: 1,
        event: first,
    }])
    .unwrap();
    if matches!(stage, Stage::Lobby) {
        return session;
    }
    step(store, id, &mut session, T0, Input::Begin).await;
    let mut now = T0;
    let one = matches!(stage, Stage::OneClosed | Stage::OneClosedUnclear);
    while session.is_active() {
        now += 1_000;
        let mut answer = Answer::typed(ANSWER);
        if matches!(stage, Stage::OneClosedUnclear) {
            answer.speech = Some(Box::new(SpeechAnalytics {
                words: 40,
                confidence: Some(0.2),
                unclear: true,
                ..SpeechAnalytics::default()
            }));
        }
        step(store, id, &mut session, now, Input::Answer(answer)).await;
        if one && session.records().iter().any(|r| r.closed.is_some()) {
            break;
        }
    }
    let ungraded: Vec<(usize, usize)> = session.ungraded().map(|r| (r.round, r.question)).collect();
    for (round, question) in ungraded {
        let planned = &session.plan().rounds[round];
        let answers = session.record(round, question).unwrap().answers();
        let score = OfflineGrader.score(GradeRequest {
            rubric: &planned.rubric,
            question: &planned.questions[question],
            answers: &answers,
            hints: &[],
        });
        let input = Input::Graded {
            round,
            question,
            score: Box::new(score),
        };
        step(store, id, &mut session, now, input).await;
    }
    session
}

async fn reload(store: &SqliteStore, id: &str) -> Session {
    Session::replay(&store.events(id, 0).await.unwrap()).unwrap()
}

/// The screen rubric with different weights and a new version.
fn edited_screen_rubric() -> Rubric {
    let mut rubric = Catalog::embedded()
        .unwrap()
        .rubric("screen")
        .unwrap()
        .clone();
    rubric.version = "99".into();
    let weights = [0.7, 0.1, 0.1, 0.1];
    for (dimension, weight) in rubric.dimensions.iter_mut().zip(weights) {
        dimension.weight = weight;
    }
    rubric
}

#[tokio::test]
async fn a_finished_session_gets_new_scores_and_keeps_the_old_ones() {
    let (_dir, store) = store().await;
    let before = interview(&store, "s", Stage::Finished).await;
    assert!(before.is_finished());
    let overrides = RubricOverrides {
        source: "edited".into(),
        rubrics: vec![edited_screen_rubric()],
    };
    let regrader = Regrader {
        store: &store,
        grader: &OfflineGrader,
        rubrics: Some(&overrides),
        finished_only: false,
    };
    let report = regrader.run(&["s".into()], || T0 + 60_000, |_| {}).await;
    assert_eq!(report.summary.regraded, 1, "{report:?}");
    let closed = before.records().len();
    assert_eq!(report.summary.answers, closed);
    assert_eq!(report.summary.first_scores, 0);

    let after = reload(&store, "s").await;
    assert_eq!(
        after.seq(),
        before.seq() + closed as u64,
        "one scored event per answer"
    );
    assert!(after.is_finished());
    for (old, new) in before.records().iter().zip(after.records()) {
        assert_eq!(new.scores.len(), 2);
        assert_eq!(new.scores[0], old.scores[0], "the old score is kept");
    }
    let screen = &report.sessions[0].answers[0];
    assert_eq!(screen.kind, RoundKind::Screen);
    let (old, new) = (screen.old.as_ref().unwrap(), &screen.new);
    assert_eq!(
        (old.rubric_version.as_str(), new.rubric_version.as_str()),
        ("2", "99")
    );
    assert_ne!(old.rubric_hash, new.rubric_hash);
    assert_eq!(after.records()[0].score().unwrap().rubric_version, "99");
    assert_eq!(
        screen.change,
        Some(crate::grading::round2(
            new.overall.unwrap() - old.overall.unwrap()
        ))
    );
    // Rounds without an edited rubric keep their pinned one.
    let coding = &report.sessions[0].answers[1];
    assert_eq!(
        coding.new.rubric_hash,
        coding.old.as_ref().unwrap().rubric_hash
    );
    assert!(
        !coding.changed(),
        "the same grader and rubric give the same score"
    );
    let text = report.render_text();
    assert!(text.contains("rubric screen v2"), "{text}");
    assert!(text.contains("rubric screen v99"), "{text}");
}

#[tokio::test]
async fn an_answer_too_unclear_to_judge_regrades_to_could_not_assess_not_to_zero() {
    let (_dir, store) = store().await;
    interview(&store, "s", Stage::OneClosedUnclear).await;
    let regrader = Regrader {
        store: &store,
        grader: &OfflineGrader,
        rubrics: None,
        finished_only: false,
    };
    let report = regrader.run(&["s".into()], || T0 + 60_000, |_| {}).await;
    let answer = &report.sessions[0].answers[0];
    assert!(answer.old.as_ref().unwrap().overall.is_some());
    assert_eq!(answer.new.overall, None, "{answer:?}");
    assert!(answer.new.not_assessed.is_some());
    assert_eq!(answer.change, None, "no level to compare");
    assert!(answer.changed());
    assert_eq!(report.summary.mean_change, None);
    let text = report.render_text();
    assert!(text.contains("→ could not assess ("), "{text}");
    assert!(!text.contains("→ 0.00"), "{text}");
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["sessions"][0]["answers"][0]["new"]["overall"].is_null());
}

#[tokio::test]
async fn an_interview_in_progress_is_regraded_only_where_a_question_closed() {
    let (_dir, store) = store().await;
    let before = interview(&store, "s", Stage::OneClosed).await;
    let regrader = Regrader {
        store: &store,
        grader: &OfflineGrader,
        rubrics: None,
        finished_only: false,
    };
    let result = regrader.session("s", T0 + 60_000).await;
    assert_eq!(result.status, Status::Regraded);
    assert_eq!(result.answers.len(), 1);
    let after = reload(&store, "s").await;
    assert!(after.is_active());
    assert_eq!(after.records()[0].scores.len(), 2);
    assert!(after.records()[1].scores.is_empty());
    assert_eq!(after.seq(), before.seq() + 1);
}

#[tokio::test]
async fn sessions_with_nothing_to_regrade_or_missing_are_reported_and_untouched() {
    let (_dir, store) = store().await;
    interview(&store, "lobby", Stage::Lobby).await;
    let regrader = Regrader {
        store: &store,
        grader: &OfflineGrader,
        rubrics: None,
        finished_only: false,
    };
    let report = regrader
        .run(&["lobby".into(), "ghost".into()], || T0, |_| {})
        .await;
    assert!(matches!(report.sessions[0].status, Status::Skipped { .. }));
    assert!(
        matches!(&report.sessions[1].status, Status::Failed { reason } if reason.contains("no session")),
        "{report:?}"
    );
    assert_eq!((report.summary.skipped, report.summary.failed), (1, 1));
    assert_eq!(store.events("lobby", 0).await.unwrap().len(), 1);
}

/// A grader that, while grading, lets the live interview move on: the
/// candidate pauses, so the log grows under the regrade.
struct LiveMeanwhile {
    store: SqliteStore,
    done: AtomicBool,
}

#[async_trait]
impl Grader for LiveMeanwhile {
    fn id(&self) -> &str {
        "meanwhile"
    }
    async fn grade(&self, request: GradeRequest<'_>) -> Result<AnswerScore, GradeError> {
        if !self.done.swap(true, Ordering::SeqCst) {
            let mut live = reload(&self.store, "s").await;
            step(
                &self.store,
                "s",
                &mut live,
                T0 + 5_000,
                Input::Pause(PauseReason::Candidate),
            )
            .await;
        }
        Ok(OfflineGrader.score(request))
    }
}

#[tokio::test]
async fn a_session_that_changes_during_the_regrade_is_left_as_the_live_side_wrote_it() {
    let (_dir, store) = store().await;
    let before = interview(&store, "s", Stage::OneClosed).await;
    let grader = LiveMeanwhile {
        store: store.clone(),
        done: AtomicBool::new(false),
    };
    let regrader = Regrader {
        store: &store,
        grader: &grader,
        rubrics: None,
        finished_only: false,
    };
    let result = regrader.session("s", T0 + 60_000).await;
    assert!(
        matches!(&result.status, Status::Failed { reason } if reason.contains("expected to append after event")),
        "{result:?}"
    );
    let events = store.events("s", 0).await.unwrap();
    assert_eq!(events.len() as u64, before.seq() + 1);
    assert!(matches!(events.last().unwrap().event, Event::Paused { .. }));
}

#[test]
fn an_edited_rubric_is_matched_by_id_then_by_kind() {
    let catalog = Catalog::embedded().unwrap();
    let screen = catalog.rubric("screen").unwrap();
    let mut renamed = edited_screen_rubric();
    renamed.id = "screen-strict".into();
    let by_kind = RubricOverrides {
        source: "d".into(),
        rubrics: vec![renamed.clone()],
    };
    assert_eq!(by_kind.counterpart(screen).unwrap().id, "screen-strict");
    let by_id = RubricOverrides {
        source: "d".into(),
        rubrics: vec![renamed, edited_screen_rubric()],
    };
    assert_eq!(by_id.counterpart(screen).unwrap().id, "screen");
    assert!(
        by_id
            .counterpart(catalog.rubric("values").unwrap())
            .is_none()
    );
}
