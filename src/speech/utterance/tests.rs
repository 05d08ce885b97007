//! The cutting rules, driven frame by frame with hand-made speech/silence
//! decisions (the VAD itself is exercised on real speech in the integration
//! tests).

use super::*;

const F: usize = FRAME_SAMPLES;

/// Small numbers so a pattern string reads as a timeline: one character per
/// 16 ms frame, `v` speech and `.` silence.
fn config() -> UtteranceConfig {
    UtteranceConfig {
        vad_threshold: 0.5,
        onset_frames: 4,
        silence_hold: 5 * F,
        partial_every: 8 * F,
        pre_roll: 2 * F,
        min_speech: 6 * F,
        max_utterance: 40 * F,
        tail: F,
        segment_pause: 0,
        min_segment: 0,
        early_pass: 0,
        turn_pause: 0,
        turn_max_hold: 0,
        turn_window: 0,
    }
}

/// Runs a pattern; every sample of frame `i` has the value `i`, so audio
/// shows exactly which frames an utterance kept.
fn run(assembler: &mut Assembler, pattern: &str) -> Vec<UtteranceEvent> {
    let first = assembler.position() / F as u64;
    pattern
        .chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let frame = [(first + i as u64) as i16; F];
            assembler.push_decided(&frame, c == 'v')
        })
        .collect()
}

fn frames_of(audio: &Samples) -> Vec<i16> {
    let mut frames: Vec<i16> = audio
        .iter()
        .map(|s| (s * 32_768.0).round() as i16)
        .collect();
    frames.dedup();
    frames
}

fn ended(events: &[UtteranceEvent]) -> Vec<&Utterance> {
    events
        .iter()
        .filter_map(|e| match e {
            UtteranceEvent::Ended(u) => Some(u),
            _ => None,
        })
        .collect()
}

#[test]
fn speech_then_a_silence_hold_is_one_utterance_with_pre_roll_and_a_short_tail() {
    let mut assembler = Assembler::new(config());
    //           0123456789012345678901234
    let events = run(&mut assembler, "....vvvvvvvvv.....");
    assert_eq!(
        events[0],
        UtteranceEvent::Started {
            start: 2 * F as u64
        }
    );
    let utterances = ended(&events);
    assert_eq!(utterances.len(), 1);
    let u = utterances[0];
    assert_eq!(u.reason, EndReason::Silence);
    // Two frames of pre-roll (2, 3), speech 4..=12, one frame of tail (13).
    assert_eq!(frames_of(&u.audio), (2..=13).collect::<Vec<i16>>());
    assert_eq!(u.start, 2 * F as u64);
    assert_eq!(u.speech_end, 13 * F as u64);
    assert_eq!(u.end, 14 * F as u64);
    assert_eq!(u.voiced, 9 * F as u64);
    assert!(!assembler.is_speaking());
}

#[test]
fn a_pause_shorter_than_the_hold_does_not_end_the_utterance() {
    let mut assembler = Assembler::new(config());
    let events = run(&mut assembler, "vvvvvv....vvvvvv....vvvv.....");
    let utterances = ended(&events);
    assert_eq!(utterances.len(), 1);
    assert_eq!(utterances[0].voiced, 16 * F as u64);
}

#[test]
fn isolated_voiced_frames_do_not_start_an_utterance() {
    let mut assembler = Assembler::new(config());
    let events = run(&mut assembler, "v..vv..vvv...v.vvv......");
    assert!(events.is_empty(), "{events:?}");
}

#[test]
fn too_little_speech_is_dropped_not_transcribed() {
    let mut assembler = Assembler::new(config());
    let events = run(&mut assembler, "..vvvvv.....");
    assert_eq!(events.len(), 2, "{events:?}");
    assert!(matches!(events[0], UtteranceEvent::Started { .. }));
    assert_eq!(
        events[1],
        UtteranceEvent::Dropped {
            start: 0,
            end: 12 * F as u64
        }
    );
}

#[test]
fn partials_come_after_each_stretch_of_new_speech_not_during_pauses() {
    let mut assembler = Assembler::new(config());
    let events = run(&mut assembler, "vvvvvvvv....vvvvvvvv.....");
    let partials: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            UtteranceEvent::Partial { audio, .. } => Some(audio.len() / F),
            _ => None,
        })
        .collect();
    // After 8 voiced frames (frames 0..8), then after 8 more (through frame 20).
    assert_eq!(partials, vec![8, 20]);
}

#[test]
fn the_hard_cap_ends_a_long_utterance_and_the_next_one_loses_no_audio() {
    let mut assembler = Assembler::new(config());
    let events = run(&mut assembler, &"v".repeat(60));
    let utterances = ended(&events);
    assert_eq!(utterances.len(), 1, "{events:?}");
    let first = utterances[0];
    assert_eq!(first.reason, EndReason::HardCap);
    assert_eq!(first.audio.len(), 40 * F);
    assert_eq!(frames_of(&first.audio), (0..40).collect::<Vec<i16>>());
    // Speech went on: the next utterance starts with frame 40.
    let rest = assembler.finish().unwrap();
    let UtteranceEvent::Ended(second) = rest else {
        panic!("expected an utterance, got {rest:?}");
    };
    assert_eq!(second.reason, EndReason::Finished);
    assert_eq!(second.start, 40 * F as u64);
    assert_eq!(frames_of(&second.audio), (40..60).collect::<Vec<i16>>());
}

#[test]
fn finish_ends_the_utterance_now_and_is_nothing_when_idle() {
    let mut assembler = Assembler::new(config());
    assert!(assembler.finish().is_none());
    run(&mut assembler, "vvvvvvvvvv..");
    let Some(UtteranceEvent::Ended(u)) = assembler.finish() else {
        panic!("expected an utterance");
    };
    assert_eq!(u.reason, EndReason::Finished);
    assert_eq!(u.speech_end, 10 * F as u64);
    // The tail is one frame: frame 10 is kept, frame 11 is not.
    assert_eq!(u.end, 11 * F as u64);
    assert!(assembler.finish().is_none());
}

#[test]
fn the_default_config_follows_the_settings() {
    let config = UtteranceConfig::default();
    assert_eq!(config.silence_hold, 24_000);
    assert_eq!(config.partial_every, 11_200);
    assert_eq!(config.max_utterance, 30 * 16_000);
    assert_eq!(ms_for_samples(config.pre_roll as u64), 300);
}

/// `config()` with segments on: a pause of 2 frames after 6 voiced frames.
fn segmenting() -> UtteranceConfig {
    UtteranceConfig {
        segment_pause: 2 * F,
        min_segment: 6 * F,
        ..config()
    }
}

fn segments(events: &[UtteranceEvent]) -> Vec<&Utterance> {
    events
        .iter()
        .filter_map(|e| match e {
            UtteranceEvent::Segment(u) => Some(u),
            _ => None,
        })
        .collect()
}

#[test]
fn a_short_pause_after_enough_speech_settles_a_segment_and_the_utterance_goes_on() {
    let mut assembler = Assembler::new(segmenting());
    //                               0         1         2
    //                               012345678901234567890123456789
    let events = run(&mut assembler, "vvvvvvvv..vvvvvvv.....");
    let cut = segments(&events);
    assert_eq!(cut.len(), 2, "{events:?}");
    // Speech 0..=7, one frame of tail (8); cut when frame 9 made the pause.
    assert_eq!(frames_of(&cut[0].audio), (0..=8).collect::<Vec<i16>>());
    assert_eq!(cut[0].reason, EndReason::Pause);
    assert_eq!((cut[0].start, cut[0].speech_end), (0, 8 * F as u64));
    // The next segment starts where the cut was: nothing lost, nothing twice.
    assert_eq!(frames_of(&cut[1].audio), (10..=17).collect::<Vec<i16>>());
    assert_eq!(cut[1].start, 10 * F as u64);
    // The silence hold then ends the utterance with nothing left to say.
    assert_eq!(
        events.last(),
        Some(&UtteranceEvent::Dropped {
            start: 19 * F as u64,
            end: 22 * F as u64
        })
    );
    assert!(ended(&events).is_empty());
    assert!(!assembler.is_speaking());
}

#[test]
fn no_cut_before_enough_speech_or_in_a_gap_shorter_than_the_pause() {
    let mut assembler = Assembler::new(segmenting());
    let events = run(&mut assembler, "vvvv..vvvvvv.vvvvv");
    assert!(segments(&events).is_empty(), "{events:?}");
    let Some(UtteranceEvent::Ended(whole)) = assembler.finish() else {
        panic!("expected one utterance");
    };
    assert_eq!(frames_of(&whole.audio), (0..18).collect::<Vec<i16>>());
}

#[test]
fn a_short_last_word_after_a_segment_is_kept_and_partials_cover_only_the_new_segment() {
    let config = UtteranceConfig {
        partial_every: 4 * F,
        ..segmenting()
    };
    let mut assembler = Assembler::new(config);
    let events = run(&mut assembler, "vvvvvvv...vvvv");
    assert_eq!(segments(&events).len(), 1);
    let last_partial = events.iter().rev().find_map(|e| match e {
        UtteranceEvent::Partial { start, audio } => Some((*start, frames_of(audio))),
        _ => None,
    });
    assert_eq!(
        last_partial,
        Some((9 * F as u64, (9..14).collect::<Vec<i16>>())),
        "the partial after the cut re-transcribes only the new segment"
    );
    // Four voiced frames would be dropped as an utterance of their own
    // (min_speech is 6); after a segment they are the answer's last word.
    let Some(UtteranceEvent::Ended(rest)) = assembler.finish() else {
        panic!("the last word is transcribed");
    };
    assert_eq!(frames_of(&rest.audio), (9..14).collect::<Vec<i16>>());
}

#[test]
fn a_longer_pause_settles_a_short_last_phrase_before_the_hold() {
    let mut assembler = Assembler::new(segmenting());
    //                               0         1
    //                               0123456789012345678
    let events = run(&mut assembler, "vvvvvvvv..vvvv.....");
    let cut = segments(&events);
    // Four frames are under min_segment (6): the 2-frame pause leaves them,
    // twice that settles them, a frame before the silence hold would.
    assert_eq!(cut.len(), 2, "{events:?}");
    assert_eq!(frames_of(&cut[1].audio), (10..=14).collect::<Vec<i16>>());
    assert!(ended(&events).is_empty());
    // A first phrase with too little speech to be an utterance is not cut.
    let mut assembler = Assembler::new(segmenting());
    let events = run(&mut assembler, "vvvvv.....");
    assert!(segments(&events).is_empty(), "{events:?}");
}

#[test]
fn an_early_cut_is_offered_in_a_pause_with_the_bounds_the_real_cut_will_have() {
    let mut a = Assembler::new(UtteranceConfig {
        segment_pause: 4 * F,
        early_pass: 2 * F,
        ..config()
    });
    run(&mut a, "vvvvvvvv.");
    assert!(
        a.early_cut().is_none(),
        "one frame of silence is not a pause yet"
    );
    run(&mut a, ".");
    let early = a.early_cut().expect("two frames of silence");
    assert_eq!(
        early.audio.len(),
        early.speech_end as usize - early.start as usize + F
    );
    let events = run(&mut a, "..");
    let [UtteranceEvent::Segment(cut)] = events.as_slice() else {
        panic!("{events:?}");
    };
    assert_eq!((cut.start, cut.speech_end), (early.start, early.speech_end));
    assert!(a.early_cut().is_none(), "nothing spoken since the cut");
}

/// `config()` with an end-of-turn model to ask: after 3 frames of silence,
/// an unfinished thought waits up to 12 (the fixed hold is 5).
fn turn_taking() -> UtteranceConfig {
    UtteranceConfig {
        turn_pause: 3 * F,
        turn_max_hold: 12 * F,
        turn_window: 10 * F,
        ..config()
    }
}

fn query(events: &[UtteranceEvent]) -> Option<(SamplePos, &Samples)> {
    events.iter().find_map(|e| match e {
        UtteranceEvent::TurnQuery { pause, audio } => Some((*pause, audio)),
        _ => None,
    })
}

/// Frames of silence from the end of speech (`speech_end`) to where the
/// events' utterance ended.
fn wait_of(events: &[UtteranceEvent], a: &Assembler, speech_end: u64) -> u64 {
    assert!(!a.is_speaking(), "the utterance should be over: {events:?}");
    (a.position() - speech_end) / F as u64
}

#[test]
fn a_pause_asks_the_model_once_with_the_utterances_recent_audio() {
    let mut a = Assembler::new(turn_taking());
    let events = run(&mut a, "..vvvvvvvvvvvv..");
    assert!(query(&events).is_none(), "two frames are not a pause yet");
    let events = run(&mut a, ".");
    let (pause, audio) = query(&events).expect("asked at three frames of silence");
    assert_eq!(pause, 14 * F as u64, "named by where the speech ended");
    // The last 10 frames of the utterance, ending now: frames 7..=16.
    assert_eq!(frames_of(audio), (7..=16).collect::<Vec<i16>>());
    let events = run(&mut a, ".");
    assert!(query(&events).is_none(), "one question per pause");
}

#[test]
fn a_finished_thought_ends_the_turn_sooner_than_the_hold() {
    let mut a = Assembler::new(turn_taking());
    let events = run(&mut a, "vvvvvvvvvv...");
    let (pause, _) = query(&events).expect("asked");
    let events = a.turn_verdict(pause, true);
    let [UtteranceEvent::Ended(turn)] = events.as_slice() else {
        panic!("{events:?}");
    };
    assert_eq!(turn.reason, EndReason::TurnComplete);
    assert_eq!(frames_of(&turn.audio), (0..=10).collect::<Vec<i16>>());
    assert_eq!(
        wait_of(&events, &a, 10 * F as u64),
        3,
        "3 frames, not the hold's 5"
    );
}

#[test]
fn an_unfinished_thought_waits_past_the_hold_up_to_the_maximum() {
    let mut a = Assembler::new(turn_taking());
    let events = run(&mut a, "vvvvvvvvvv...");
    let (pause, _) = query(&events).expect("asked");
    assert!(a.turn_verdict(pause, false).is_empty());
    let events = run(&mut a, "........");
    assert!(
        ended(&events).is_empty() && a.is_speaking(),
        "11 frames: still waiting"
    );
    let events = run(&mut a, ".");
    let utterances = ended(&events);
    assert_eq!(utterances.len(), 1, "{events:?}");
    assert_eq!(utterances[0].reason, EndReason::Silence);
    assert_eq!(wait_of(&events, &a, 10 * F as u64), 12);
}

#[test]
fn speech_after_an_unfinished_verdict_carries_the_turn_on_and_the_next_pause_asks_again() {
    let mut a = Assembler::new(turn_taking());
    let events = run(&mut a, "vvvvvvvvvv...");
    let (first, _) = query(&events).expect("asked");
    a.turn_verdict(first, false);
    // A thinking pause of 9 frames, longer than the fixed hold, then more.
    let events = run(&mut a, "......vvvvvv...");
    assert!(ended(&events).is_empty(), "{events:?}");
    let (second, _) = query(&events).expect("the next pause is asked about");
    assert_eq!(second, 25 * F as u64);
    assert!(
        a.turn_verdict(first, true).is_empty(),
        "a stale verdict is ignored"
    );
    let events = a.turn_verdict(second, true);
    let utterances = ended(&events);
    assert_eq!(utterances.len(), 1);
    assert_eq!(
        utterances[0].voiced,
        16 * F as u64,
        "one turn, both stretches of speech"
    );
}

#[test]
fn without_a_verdict_or_when_the_model_is_unavailable_the_fixed_hold_ends_the_turn() {
    for unavailable in [false, true] {
        let mut a = Assembler::new(turn_taking());
        let events = run(&mut a, "vvvvvvvvvv...");
        let (pause, _) = query(&events).expect("asked");
        if unavailable {
            a.turn_unavailable(pause);
        }
        let events = run(&mut a, "..");
        assert_eq!(ended(&events)[0].reason, EndReason::Silence);
        assert_eq!(wait_of(&events, &a, 10 * F as u64), 5, "the fixed hold");
        assert!(a.turn_verdict(pause, false).is_empty(), "too late");
    }
}

#[test]
fn without_a_model_nothing_is_asked_and_the_hold_ends_the_turn() {
    let mut a = Assembler::new(config());
    let events = run(&mut a, "vvvvvvvvvv.....");
    assert!(query(&events).is_none());
    assert_eq!(ended(&events)[0].reason, EndReason::Silence);
}

#[test]
fn too_little_speech_is_not_asked_about_and_is_dropped_by_the_hold() {
    let mut a = Assembler::new(turn_taking());
    let events = run(&mut a, "vvvvv.....");
    assert!(query(&events).is_none(), "{events:?}");
    assert!(matches!(
        events.last(),
        Some(UtteranceEvent::Dropped { .. })
    ));
}

#[test]
fn with_segments_the_turn_query_covers_the_whole_utterance_and_a_finished_one_ends_empty() {
    let mut a = Assembler::new(UtteranceConfig {
        turn_window: 40 * F,
        ..UtteranceConfig {
            segment_pause: 2 * F,
            min_segment: 6 * F,
            ..turn_taking()
        }
    });
    let events = run(&mut a, "vvvvvvvv..vvvvvvv...");
    assert_eq!(segments(&events).len(), 2, "{events:?}");
    let (pause, audio) = query(&events).expect("asked after the last segment");
    assert_eq!(
        frames_of(audio),
        (0..20).collect::<Vec<i16>>(),
        "both segments and the pause"
    );
    // Everything was settled as segments: the turn ends with nothing more.
    let events = a.turn_verdict(pause, true);
    assert!(
        matches!(events.as_slice(), [UtteranceEvent::Dropped { .. }]),
        "{events:?}"
    );
}
