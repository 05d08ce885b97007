//! The round clock: the time warning, time up, pauses and what a lost or
//! ready connection means in each phase.

use super::*;

#[test]
fn the_time_warning_fires_once_before_the_deadline() {
    let session = given(&[(T0, Input::Begin)]);
    // A 10-minute round warns 100 seconds (a sixth) before the end.
    assert_eq!(session.poll_timeout(), Some(T0 + 10 * MIN - 100_000));
    assert!(when(&session, T0 + 5 * MIN, Input::Tick).is_empty());
    let events = when(&session, T0 + 10 * MIN - 90_000, Input::Tick);
    assert_eq!(
        events,
        vec![Event::TimeWarning {
            at: T0 + 10 * MIN - 90_000,
            round: 0,
            remaining_ms: 90_000
        }]
    );
    let session = given(&[(T0, Input::Begin), (T0 + 10 * MIN - 90_000, Input::Tick)]);
    assert_eq!(session.poll_timeout(), Some(T0 + 10 * MIN));
    assert!(when(&session, T0 + 10 * MIN - 1, Input::Tick).is_empty());
}

#[test]
fn when_time_runs_out_the_unsent_draft_is_the_answer_and_says_so() {
    let session = given(&[(T0, Input::Begin)]);
    let draft = || Input::TickWithDraft(Answer::typed("  I would shard by user id and  "));
    // Before the deadline a draft changes nothing.
    assert!(when(&session, T0 + 5 * MIN, draft()).is_empty());
    let events = when(&session, T0 + 10 * MIN, draft());
    assert_eq!(
        events[0],
        Event::Answered {
            at: T0 + 10 * MIN,
            text: "I would shard by user id and".into(),
            speech: None,
            timed_out: true,
        }
    );
    assert_eq!(
        names(&events[1..3]),
        vec!["question_closed", "round_ended"],
        "no follow-up: the round is over"
    );
    // Nothing typed: the question closes unanswered, as before.
    let blank = when(
        &session,
        T0 + 10 * MIN,
        Input::TickWithDraft(Answer::typed(" ")),
    );
    assert_eq!(names(&blank)[0], "question_closed");
    // Replayed, the answer is the question's.
    let mut replayed = session.clone();
    for event in &events {
        replayed.apply(event).unwrap();
    }
    let turn = replayed.records()[0].turns.last().unwrap();
    assert_eq!(turn.answer.as_deref(), Some("I would shard by user id and"));
}

#[test]
fn time_up_wraps_up_the_round_and_moves_to_the_next() {
    let session = given(&[(T0, Input::Begin), (T0 + 1, answer("Partial."))]);
    let events = when(&session, T0 + 10 * MIN, Input::Tick);
    assert_eq!(
        names(&events),
        vec![
            "question_closed",
            "round_ended",
            "round_started",
            "prompted"
        ]
    );
    assert!(matches!(
        events[0],
        Event::QuestionClosed {
            reason: CloseReason::TimeUp,
            ..
        }
    ));
    assert!(matches!(
        events[1],
        Event::RoundEnded {
            reason: RoundEndReason::TimeUp,
            ..
        }
    ));
}

#[test]
fn a_pause_stops_the_clock_and_resume_restores_the_remaining_time() {
    let session = given(&[
        (T0, Input::Begin),
        (T0 + 4 * MIN, Input::Pause(PauseReason::Candidate)),
    ]);
    assert!(
        matches!(session.phase(), Phase::Paused { remaining_ms, .. } if *remaining_ms == 6 * MIN)
    );
    assert_eq!(session.poll_timeout(), None);
    assert!(when(&session, T0 + 60 * MIN, Input::Tick).is_empty());
    let events = when(&session, T0 + 60 * MIN, Input::Resume);
    assert_eq!(
        events,
        vec![Event::Resumed {
            at: T0 + 60 * MIN,
            deadline: T0 + 66 * MIN
        }]
    );
}

#[test]
fn a_lost_connection_pauses_an_active_round_and_nothing_else() {
    let active = given(&[(T0, Input::Begin)]);
    assert_eq!(
        when(&active, T0 + MIN, Input::Disconnected),
        vec![Event::Paused {
            at: T0 + MIN,
            reason: PauseReason::Disconnected,
            remaining_ms: 9 * MIN,
        }]
    );
    assert_eq!(active.remaining_ms(T0 + MIN), Some(9 * MIN));
    // Not an error anywhere else: the driver reports every lost socket.
    let lobby = given(&[]);
    assert_eq!(lobby.handle(T0, Input::Disconnected), Ok(vec![]));
    let paused = given(&[
        (T0, Input::Begin),
        (T0 + MIN, Input::Pause(PauseReason::Candidate)),
    ]);
    assert_eq!(paused.handle(T0 + 2 * MIN, Input::Disconnected), Ok(vec![]));
    assert_eq!(paused.remaining_ms(T0 + 5 * MIN), Some(9 * MIN));
    assert_eq!(lobby.remaining_ms(T0), None);
}

#[test]
fn a_ready_client_starts_the_lobby_resumes_a_pause_and_changes_nothing_else() {
    let lobby = given(&[]);
    assert_eq!(
        lobby.handle(T0, Input::Ready),
        lobby.handle(T0, Input::Begin)
    );
    let paused = given(&[(T0, Input::Begin), (T0 + MIN, Input::Disconnected)]);
    assert_eq!(
        when(&paused, T0 + 5 * MIN, Input::Ready),
        vec![Event::Resumed {
            at: T0 + 5 * MIN,
            deadline: T0 + 14 * MIN
        }]
    );
    let active = given(&[(T0, Input::Begin)]);
    assert_eq!(active.handle(T0 + MIN, Input::Ready), Ok(vec![]));
    assert_eq!(active.position(), Some((0, 0)));
}

#[test]
fn a_spoken_answer_still_in_review_at_time_up_is_taken_with_how_it_was_spoken() {
    let session = given(&[(T0, Input::Begin)]);
    let speech = crate::outcome::SpeechAnalytics {
        words: 7,
        heard: Some("I would shard by user cash".into()),
        ..Default::default()
    };
    let draft = Input::TickWithDraft(Answer {
        text: "I would shard by user cache".into(),
        speech: Some(Box::new(speech.clone())),
        coverage: None,
    });
    let events = when(&session, T0 + 10 * MIN, draft);
    assert_eq!(
        events[0],
        Event::Answered {
            at: T0 + 10 * MIN,
            text: "I would shard by user cache".into(),
            speech: Some(Box::new(speech)),
            timed_out: true,
        }
    );
}
