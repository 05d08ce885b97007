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
    v.pending_finals = 2;
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
    v.pending_finals = 1;
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
