//! The review before a spoken answer is submitted, and backchannels.

use super::tests::{
    SPEECH, early_frames, expect_finals, feed, final_messages, finals, heard, job, passes,
    reviewed, two_units, voice,
};
use super::*;

fn heard_with(text: &str, confidence: f32) -> Result<Transcript, SpeechError> {
    let mut transcript = heard(text)?;
    transcript.confidence = confidence;
    Ok(transcript)
}

/// Says `text` as the answer's one unit and presses done: the actions that
/// end in the review.
fn answer_heard(v: &mut Voice, result: Result<Transcript, SpeechError>) -> Vec<Action> {
    expect_finals(v, 1);
    let unit = job(v, false);
    assert!(reviewed(&v.finish()).is_none(), "the final is still out");
    v.transcribed(&unit, result)
}

fn submitted(actions: Vec<Action>) -> (String, SpeechAnalytics) {
    match <[Action; 1]>::try_from(actions) {
        Ok([Action::Submit { text, speech }]) => (text, *speech),
        other => panic!("one answer submitted: {other:?}"),
    }
}

fn error_code(actions: &[Action]) -> Option<&'static str> {
    actions.iter().find_map(|a| match a {
        Action::Send(ServerMsg::Error { code, .. }) => Some(*code),
        _ => None,
    })
}

fn review_flags(actions: &[Action]) -> (Option<f32>, bool) {
    actions
        .iter()
        .find_map(|a| match a {
            Action::Send(ServerMsg::Review {
                confidence,
                unclear,
                ..
            }) => Some((*confidence, *unclear)),
            _ => None,
        })
        .expect("a review")
}

#[test]
fn done_shows_what_was_heard_and_the_corrected_text_is_submitted_with_it() {
    let mut v = voice();
    let said = "The cash sits in front of the database.";
    let actions = answer_heard(&mut v, heard(said));
    assert_eq!(reviewed(&actions), Some(said));
    assert!(
        !actions.iter().any(|a| matches!(a, Action::Submit { .. })),
        "nothing is submitted before the candidate says so"
    );
    assert_eq!(
        reviewed(&v.finish()),
        Some(said),
        "done again shows it again"
    );

    let fixed = "The cache sits in front of the database.";
    let (text, speech) = submitted(v.submit_reviewed(fixed.into()));
    assert_eq!(text, fixed);
    assert_eq!(
        speech.heard.as_deref(),
        Some(said),
        "what was heard is kept"
    );
    assert!(!speech.unclear);
    // Until the answer is stored it can be sent again (a refusal while
    // paused must not lose it); once stored, the review is over.
    submitted(v.submit_reviewed(fixed.into()));
    v.answered();
    assert_eq!(
        error_code(&v.submit_reviewed(fixed.into())),
        Some("no_review")
    );
    assert!(v.review_message().is_none());
}

#[test]
fn an_answer_too_unclear_to_judge_is_unclear_only_if_submitted_as_heard() {
    let mut v = voice();
    let said = "the same thing the same";
    let actions = answer_heard(&mut v, heard_with(said, 0.3));
    assert_eq!(review_flags(&actions), (Some(0.3), true));
    let (_, speech) = submitted(v.submit_reviewed(" the same  thing the same ".into()));
    assert!(speech.unclear, "white space is not a correction");
    let (_, speech) = submitted(v.submit_reviewed("the same thing, the cache".into()));
    assert!(!speech.unclear, "a corrected answer is the candidate's own");

    let mut v = voice();
    let actions = answer_heard(&mut v, heard_with(said, 0.55));
    assert_eq!(review_flags(&actions), (Some(0.55), false));
    let (_, speech) = submitted(v.submit_reviewed(said.into()));
    assert!(!speech.unclear);
}

/// The finals among `actions` marked as backchannels.
fn backchannels(actions: &[Action]) -> Vec<&str> {
    final_messages(actions)
        .into_iter()
        .filter_map(|(text, backchannel)| backchannel.then_some(text))
        .collect()
}

#[test]
fn a_backchannel_unit_is_sent_marked_and_is_not_part_of_the_answer() {
    let mut v = voice();
    expect_finals(&mut v, 2);
    let (first, second) = two_units(&v);
    v.finish();
    let actions = v.transcribed(&first, heard("Mm-hmm."));
    assert_eq!(backchannels(&actions), vec!["Mm-hmm."]);
    assert!(finals(&actions).contains(&"Mm-hmm."), "sent, in order");
    let actions = v.transcribed(&second, heard("I led the migration."));
    assert!(backchannels(&actions).is_empty());
    assert_eq!(reviewed(&actions), Some("I led the migration."));

    // Only a backchannel: nothing was answered.
    let mut v = voice();
    let actions = answer_heard(&mut v, heard("Right."));
    assert_eq!(error_code(&actions), Some("no_speech"));
}

#[test]
fn a_partial_says_whether_every_word_so_far_is_a_backchannel() {
    let partial = |v: &mut Voice, text: &str| -> bool {
        v.event(UtteranceEvent::Partial {
            start: 0,
            audio: Arc::from(vec![0.0f32; 16]),
        });
        let running = job(v, true);
        match v.transcribed(&running, heard(text)).as_slice() {
            [
                Action::Send(ServerMsg::Transcript {
                    is_final: false,
                    backchannel,
                    ..
                }),
            ] => *backchannel,
            other => panic!("one partial: {other:?}"),
        }
    };
    let mut v = voice();
    assert!(partial(&mut v, "Mm-hmm"));
    assert!(!partial(&mut v, "Mm-hmm, so the cache"));
}

#[test]
fn while_the_review_is_open_speech_is_heard_but_not_added_until_it_is_discarded() {
    let mut v = voice();
    feed(&mut v, SPEECH, true);
    let [cut] = passes(v.finish()).try_into().expect("the final pass");
    assert!(reviewed(&v.transcribed(&cut, heard("I led the migration."))).is_some());

    let mut during = feed(&mut v, SPEECH, true);
    during.extend(feed(&mut v, 200, false));
    let listening: Vec<bool> = during
        .iter()
        .filter_map(|a| match a {
            Action::Send(ServerMsg::Listening { speaking }) => Some(*speaking),
            _ => None,
        })
        .collect();
    assert_eq!(listening, vec![true, false], "the client still hears it");
    assert!(
        !during.iter().any(|a| matches!(a, Action::Transcribe(_))),
        "nothing is transcribed into a review: {during:?}"
    );

    v.discard_review();
    assert!(v.review_message().is_none());
    feed(&mut v, SPEECH, true);
    assert_eq!(
        passes(feed(&mut v, early_frames(), false)).len(),
        1,
        "speech counts again once the candidate chose to say it again"
    );
}

#[test]
fn an_open_review_is_the_answer_to_take_at_time_up_as_left_in_the_box_or_as_heard() {
    let mut v = voice();
    assert!(
        v.unsent_review(None).is_none(),
        "no review, nothing to take"
    );
    let said = "The cash sits in front of the database.";
    answer_heard(&mut v, heard(said));
    assert!(v.in_review());
    let as_heard = v.unsent_review(None).expect("the review");
    assert_eq!(as_heard.text, said);
    let speech = as_heard.speech.expect("spoken");
    assert_eq!(speech.heard.as_deref(), Some(said));
    let fixed = "The cache sits in front of the database.";
    let edited = v.unsent_review(Some(fixed)).expect("the review");
    assert_eq!(edited.text, fixed);
    assert_eq!(
        edited.speech.and_then(|s| s.heard).as_deref(),
        Some(said),
        "what was heard is kept beside the correction"
    );
    v.discard_review();
    assert!(!v.in_review());
    assert!(v.unsent_review(Some(fixed)).is_none());
}

#[test]
fn an_unclear_review_taken_at_time_up_unchanged_stays_unclear() {
    let mut v = voice();
    answer_heard(&mut v, heard_with("the same thing", 0.1));
    let taken = v.unsent_review(None).expect("the review");
    assert!(taken.speech.expect("spoken").unclear);
    let typed = v.unsent_review(Some("I would add a cache.")).unwrap();
    assert!(
        !typed.speech.expect("spoken").unclear,
        "the candidate's own words"
    );
}
