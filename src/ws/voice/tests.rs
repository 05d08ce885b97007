use super::*;
use crate::config::{Bounded, Limits, VoiceConfig};

pub(super) fn voice() -> Voice {
    voice_with(&VoiceConfig::default())
}

pub(super) fn voice_with(config: &VoiceConfig) -> Voice {
    let mut voice = Voice::new(VoiceTuning {
        utterance: UtteranceConfig::new(config, &Limits::default()),
        max_frame_bytes: 32 * 1024,
        max_session_audio_seconds: 60,
        analytics: AnalyticsConfig::default(),
        min_assess_confidence: config.min_assess_confidence.get(),
        turn_threshold: 0.5,
    });
    voice.new_prompt("Tell me about a project.");
    voice
}

pub(super) fn job(voice: &Voice, partial: bool) -> Job {
    Job {
        epoch: voice.epoch,
        utterance: voice.utterance,
        partial,
        early: None,
        offset_ms: 0,
        request: crate::speech::Request::default(),
    }
}

/// The jobs of the current unit's final and the next one's.
pub(super) fn two_units(voice: &Voice) -> (Job, Job) {
    (
        job(voice, false),
        Job {
            utterance: voice.utterance + 1,
            ..job(voice, false)
        },
    )
}

/// As if `n` units from the current one had been sent for a final.
pub(super) fn expect_finals(voice: &mut Voice, n: u64) {
    for id in voice.utterance..voice.utterance + n {
        voice.units.insert(id, Unit::Pending);
    }
}

pub(super) fn heard(text: &str) -> Result<Transcript, SpeechError> {
    Ok(Transcript {
        text: text.into(),
        words: vec![],
        confidence: 0.9,
        audio_ms: 2_000,
    })
}

/// The text of the review among `actions`: what "done" ends in.
pub(super) fn reviewed(actions: &[Action]) -> Option<&str> {
    actions.iter().find_map(|a| match a {
        Action::Send(ServerMsg::Review { text, .. }) => Some(text.as_str()),
        _ => None,
    })
}

#[test]
fn done_waits_for_the_last_final_then_shows_every_utterance_in_order_for_review() {
    let mut v = voice();
    expect_finals(&mut v, 2);
    let (first, second) = two_units(&v);
    assert!(reviewed(&v.transcribed(&first, heard("I built the importer."))).is_none());
    assert!(reviewed(&v.finish()).is_none(), "one final is still out");
    let actions = v.transcribed(&second, heard("It cut failures by half."));
    assert_eq!(
        reviewed(&actions),
        Some("I built the importer. It cut failures by half.")
    );
}

#[test]
fn a_transcript_of_audio_for_an_earlier_prompt_is_dropped() {
    let mut v = voice();
    expect_finals(&mut v, 1);
    let stale = job(&v, false);
    v.new_prompt("A follow-up question.");
    assert!(v.transcribed(&stale, heard("old words")).is_empty());
    let actions = v.finish();
    assert!(
        actions.iter().any(|a| matches!(
            a,
            Action::Send(ServerMsg::Error {
                code: "no_speech",
                ..
            })
        )),
        "nothing was said for the new prompt: {actions:?}"
    );
}

#[test]
fn only_one_partial_pass_runs_at_a_time() {
    let mut v = voice();
    let partial = |start| UtteranceEvent::Partial {
        start,
        audio: Arc::from(vec![0.0f32; 16]),
    };
    assert_eq!(v.event(partial(0)).len(), 1);
    assert!(
        v.event(partial(0)).is_empty(),
        "coalesced while one is in flight"
    );
    let running = job(&v, true);
    v.transcribed(&running, heard("so far"));
    assert_eq!(v.event(partial(0)).len(), 1, "the next pass may start");
}

pub(super) fn finals(actions: &[Action]) -> Vec<&str> {
    final_messages(actions)
        .into_iter()
        .map(|(text, _)| text)
        .collect()
}

/// Each final transcript sent, and whether it was marked a backchannel.
pub(super) fn final_messages(actions: &[Action]) -> Vec<(&str, bool)> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(ServerMsg::Transcript {
                is_final: true,
                stable,
                backchannel,
                ..
            }) => Some((stable.as_str(), *backchannel)),
            _ => None,
        })
        .collect()
}

#[test]
fn finals_that_come_back_out_of_order_are_sent_in_speaking_order() {
    let mut v = voice();
    expect_finals(&mut v, 3);
    let unit = |n: u64| Job {
        utterance: v.utterance + n,
        ..job(&v, false)
    };
    let (first, second, third) = (unit(0), unit(1), unit(2));
    assert!(finals(&v.transcribed(&third, heard("and it shipped."))).is_empty());
    assert!(finals(&v.transcribed(&second, heard("   "))).is_empty());
    assert_eq!(
        finals(&v.transcribed(&first, heard("I led the migration"))),
        vec!["I led the migration", "and it shipped."],
        "the empty unit adds nothing and holds nothing up"
    );
}

#[test]
fn a_segment_is_transcribed_as_final_at_once_and_stale_partials_of_it_are_dropped() {
    let mut v = voice();
    let partial = UtteranceEvent::Partial {
        start: 0,
        audio: Arc::from(vec![0.0f32; 16]),
    };
    v.event(partial);
    let running = job(&v, true);
    let segment = crate::speech::utterance::Utterance {
        start: 0,
        speech_end: 16_000,
        end: 16_000,
        reason: crate::speech::utterance::EndReason::Pause,
        voiced: 16_000,
        audio: Arc::from(vec![0.0f32; 16_000]),
    };
    let actions = v.event(UtteranceEvent::Segment(segment));
    let [Action::Transcribe(cut)] = actions.as_slice() else {
        panic!("one final job, and the client is still listening: {actions:?}");
    };
    assert!(!cut.partial);
    assert!(
        v.transcribed(&running, heard("I led the")).is_empty(),
        "a partial of the settled segment is stale"
    );
    let actions = v.transcribed(cut, heard("I led the migration."));
    assert_eq!(finals(&actions), vec!["I led the migration."]);
    let Action::Transcribe(next) = v.job(Pass::Partial, 1_000, Arc::from(vec![0.0f32; 16])) else {
        panic!("a job");
    };
    assert_ne!(next.utterance, cut.utterance, "what follows is a new unit");
}

/// Frames of silence or speech, as the detector would judge them, through
/// the same path as audio from the client.
pub(super) fn feed(v: &mut Voice, frames: usize, voiced: bool) -> Vec<Action> {
    let frame = [0i16; crate::speech::vad::FRAME_SAMPLES];
    let mut actions = Vec::new();
    for _ in 0..frames {
        let events = v.assembler.push_decided(&frame, voiced);
        actions.extend(v.assembled(events));
    }
    actions
}

/// Speech, then the pause that starts an early pass: that pass.
pub(super) fn speak_then_pause(v: &mut Voice) -> Job {
    feed(v, SPEECH, true);
    let [early] = passes(feed(v, early_frames(), false))
        .try_into()
        .expect("one early pass");
    early
}

/// The final-class jobs among `actions` (partials left out).
pub(super) fn passes(actions: Vec<Action>) -> Vec<Job> {
    actions
        .into_iter()
        .filter_map(|a| match a {
            Action::Transcribe(job) if !job.partial => Some(job),
            _ => None,
        })
        .collect()
}

/// 1.3 s of speech at 16 ms a frame: past the 1 s a segment needs.
pub(super) const SPEECH: usize = 80;

/// Frames of silence that start an early pass (by default).
pub(super) fn early_frames() -> usize {
    (VoiceConfig::default().early_pass_ms.get() as usize).div_ceil(16)
}

/// Frames of silence after those until the segment is cut.
pub(super) fn frames_to_cut() -> usize {
    (VoiceConfig::default().segment_pause_ms.get() as usize).div_ceil(16) - early_frames()
}

#[test]
fn an_early_pass_in_a_pause_is_the_final_when_no_speech_follows() {
    let mut v = voice();
    assert!(passes(feed(&mut v, SPEECH, true)).is_empty());
    assert!(passes(feed(&mut v, early_frames() - 1, false)).is_empty());
    let [early] = passes(feed(&mut v, 1, false)).try_into().unwrap();
    assert!(early.early.is_some() && !early.request.partial);
    assert!(
        v.transcribed(&early, heard("I led the migration."))
            .is_empty()
    );
    // The cut comes with no speech since: no second pass, the final at once.
    let actions = feed(&mut v, frames_to_cut(), false);
    assert_eq!(finals(&actions), vec!["I led the migration."]);
    assert!(passes(actions).is_empty(), "the early pass was adopted");
}

#[test]
fn speech_after_an_early_pass_drops_it() {
    let mut v = voice();
    let stale = speak_then_pause(&mut v);
    // The candidate goes on: that pass no longer covers the segment.
    feed(&mut v, 20, true);
    assert!(v.transcribed(&stale, heard("I led the")).is_empty());
    let [fresh] = passes(feed(&mut v, early_frames(), false))
        .try_into()
        .unwrap();
    assert_ne!(fresh.early, stale.early);
    let actions = feed(&mut v, frames_to_cut(), false);
    assert!(
        passes(actions).is_empty(),
        "the new pause's pass is adopted"
    );
    let actions = v.transcribed(&fresh, heard("I led the migration."));
    assert_eq!(finals(&actions), vec!["I led the migration."]);
}

/// The early passes `actions` withdraw.
fn withdrawn(actions: &[Action]) -> Vec<u64> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Withdraw(id) => Some(*id),
            _ => None,
        })
        .collect()
}

#[test]
fn a_running_early_pass_the_candidate_spoke_over_is_withdrawn_and_an_adopted_one_is_not() {
    let mut v = voice();
    let stale = speak_then_pause(&mut v);
    let spoke_on = feed(&mut v, 20, true);
    let next_pause = feed(&mut v, early_frames(), false);
    let withdrawn_ids: Vec<u64> = [spoke_on, next_pause]
        .iter()
        .flat_map(|a| withdrawn(a))
        .collect();
    assert_eq!(withdrawn_ids, vec![stale.early.unwrap()]);

    // One that came back before the candidate spoke on has nothing to
    // withdraw; one a cut adopted is the unit's final, and is kept.
    let mut v = voice();
    let done = speak_then_pause(&mut v);
    assert!(v.transcribed(&done, heard("I led the")).is_empty());
    feed(&mut v, 20, true);
    assert!(withdrawn(&feed(&mut v, early_frames(), false)).is_empty());
    let mut v = voice();
    speak_then_pause(&mut v);
    let mut actions = feed(&mut v, frames_to_cut(), false);
    feed(&mut v, SPEECH, true);
    actions.extend(feed(&mut v, early_frames() + frames_to_cut(), false));
    assert!(withdrawn(&actions).is_empty());
}

#[test]
fn done_during_a_pause_adopts_the_running_early_pass_and_reviews_with_it() {
    let mut v = voice();
    let early = speak_then_pause(&mut v);
    let actions = v.finish();
    assert!(
        passes(actions).is_empty(),
        "no second pass over the same speech"
    );
    let actions = v.transcribed(&early, heard("I led the migration."));
    assert_eq!(finals(&actions), vec!["I led the migration."]);
    assert_eq!(reviewed(&actions), Some("I led the migration."));
}

#[test]
fn with_early_passes_off_the_cut_starts_the_only_pass() {
    let mut v = voice_with(&VoiceConfig {
        early_pass_ms: Bounded::new(0).unwrap(),
        ..VoiceConfig::default()
    });
    feed(&mut v, SPEECH, true);
    let [cut] = passes(feed(&mut v, early_frames() + frames_to_cut(), false))
        .try_into()
        .unwrap();
    assert_eq!(cut.early, None);
}

#[test]
fn an_early_pass_that_fails_before_the_cut_leaves_the_cut_its_own_pass() {
    let mut v = voice();
    let early = speak_then_pause(&mut v);
    assert!(v.transcribed(&early, Err(SpeechError::Busy(8))).is_empty());
    let [cut] = passes(feed(&mut v, frames_to_cut(), false))
        .try_into()
        .unwrap();
    assert_eq!(cut.early, None, "a pass of its own, not the refused one");
    let actions = v.transcribed(&cut, heard("I led the migration."));
    assert_eq!(finals(&actions), vec!["I led the migration."]);
}

/// Found by the live tests: a cut adopts a running early pass, the
/// candidate goes on and pauses again before it returns. The first
/// segment's final must still come from it.
#[test]
fn an_adopted_early_pass_still_settles_its_unit_after_the_next_pause_starts_another() {
    let mut v = voice();
    let first = speak_then_pause(&mut v);
    assert!(passes(feed(&mut v, frames_to_cut(), false)).is_empty());
    let second = speak_then_pause(&mut v);
    assert!(passes(feed(&mut v, frames_to_cut(), false)).is_empty());
    let actions = v.transcribed(&first, heard("I led the migration."));
    assert_eq!(finals(&actions), vec!["I led the migration."]);
    let actions = v.transcribed(&second, heard("It cut failures by half."));
    assert_eq!(finals(&actions), vec!["It cut failures by half."]);
    let actions = v.finish();
    assert_eq!(
        reviewed(&actions),
        Some("I led the migration. It cut failures by half.")
    );
}

fn with_end_of_turn() -> Voice {
    let config = VoiceConfig::default();
    let mut v = voice_with(&config);
    v.setup.utterance = v.setup.utterance.clone().with_end_of_turn(&config);
    v.assembler = Assembler::new(v.setup.utterance.clone());
    v
}

/// Speech, then silence until the end-of-turn model is asked: that job.
fn pause_for_a_verdict(v: &mut Voice) -> TurnJob {
    feed(v, SPEECH, true);
    for _ in 0..100 {
        for action in feed(v, 1, false) {
            if let Action::JudgeTurn(job) = action {
                return job;
            }
        }
    }
    panic!("the model was never asked");
}

fn listening_off(actions: &[Action]) -> bool {
    actions
        .iter()
        .any(|a| matches!(a, Action::Send(ServerMsg::Listening { speaking: false })))
}

#[test]
fn a_finished_verdict_ends_the_turn_and_the_client_hears_listening_off() {
    let mut v = with_end_of_turn();
    let job = pause_for_a_verdict(&mut v);
    assert!(listening_off(&v.turn_judged(&job, Ok(0.9))));
}

#[test]
fn an_unfinished_verdict_or_none_leaves_the_turn_open_and_a_stale_one_is_dropped() {
    let mut v = with_end_of_turn();
    let job = pause_for_a_verdict(&mut v);
    assert!(v.turn_judged(&job, Ok(0.1)).is_empty());
    let mut v = with_end_of_turn();
    let job = pause_for_a_verdict(&mut v);
    let busy = Err(crate::speech::turn::TurnError::Busy(16));
    assert!(v.turn_judged(&job, busy).is_empty());
    assert!(v.turn_judged(&job, Ok(0.9)).is_empty(), "too late to count");
    let mut v = with_end_of_turn();
    let job = pause_for_a_verdict(&mut v);
    v.new_prompt("A follow-up question.");
    assert!(
        v.turn_judged(&job, Ok(0.9)).is_empty(),
        "for an earlier prompt"
    );
}
