use super::*;
use crate::config::{Limits, VoiceConfig};

fn voice() -> Voice {
    let mut voice = Voice::new(VoiceTuning {
        utterance: UtteranceConfig::new(&VoiceConfig::default(), &Limits::default()),
        max_frame_bytes: 32 * 1024,
        max_session_audio_seconds: 60,
        analytics: AnalyticsConfig::default(),
    });
    voice.new_prompt("Tell me about a project.");
    voice
}

fn job(voice: &Voice, partial: bool) -> Job {
    Job {
        epoch: voice.epoch,
        utterance: voice.utterance,
        partial,
        offset_ms: 0,
        request: crate::speech::Request::default(),
    }
}

/// As if `n` units from the current one had been sent for a final.
fn expect_finals(voice: &mut Voice, n: u64) {
    for id in voice.utterance..voice.utterance + n {
        voice.units.insert(id, Unit::Pending);
    }
}

fn heard(text: &str) -> Result<Transcript, SpeechError> {
    Ok(Transcript {
        text: text.into(),
        words: vec![],
        confidence: 0.9,
        audio_ms: 2_000,
    })
}

fn submitted(actions: &[Action]) -> Option<&str> {
    actions.iter().find_map(|a| match a {
        Action::Submit { text, .. } => Some(text.as_str()),
        _ => None,
    })
}

#[test]
fn done_waits_for_the_last_final_then_submits_every_utterance_in_order() {
    let mut v = voice();
    expect_finals(&mut v, 2);
    let (first, second) = (
        job(&v, false),
        Job {
            utterance: v.utterance + 1,
            ..job(&v, false)
        },
    );
    assert!(submitted(&v.transcribed(&first, heard("I built the importer."))).is_none());
    assert!(submitted(&v.finish()).is_none(), "one final is still out");
    let actions = v.transcribed(&second, heard("It cut failures by half."));
    assert_eq!(
        submitted(&actions),
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

fn finals(actions: &[Action]) -> Vec<&str> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::Send(ServerMsg::Transcript {
                is_final: true,
                stable,
                ..
            }) => Some(stable.as_str()),
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
    let Action::Transcribe(next) = v.job(true, 1_000, Arc::from(vec![0.0f32; 16])) else {
        panic!("a job");
    };
    assert_ne!(next.utterance, cut.utterance, "what follows is a new unit");
}
