use super::*;

/// Words spoken back to back, `ms` each, starting at `start`; a `|` token
/// inserts a pause of `pause` ms instead of a word.
fn words(start: u64, ms: u64, pause: u64, text: &str, probability: f32) -> Vec<Word> {
    let mut at = start;
    let mut out = Vec::new();
    for token in text.split_whitespace() {
        if token == "|" {
            at += pause;
            continue;
        }
        out.push(Word {
            text: format!(" {token}"),
            start_ms: at,
            end_ms: at + ms,
            probability,
        });
        at += ms;
    }
    out
}

fn transcript(words: Vec<Word>, confidence: f32) -> Transcript {
    let audio_ms = words.last().map_or(1_000, |w| w.end_ms + 200);
    Transcript {
        text: words.iter().map(|w| w.text.as_str()).collect(),
        words,
        confidence,
        audio_ms,
    }
}

fn analyse_one(t: &Transcript) -> SpeechAnalytics {
    analyse(
        &[TimedTranscript {
            offset_ms: 0,
            transcript: t,
        }],
        &AnalyticsConfig::default(),
    )
}

fn fillers_in(text: &str) -> Vec<&'static str> {
    fillers(&text.split_whitespace().collect::<Vec<_>>())
}

#[test]
fn pace_is_words_over_speaking_time_without_the_long_pauses() {
    // 20 words of 300 ms (6 s), a 3 s pause after the tenth.
    let text = "a b c d e f g h i j | k l m n o p q r s t";
    let t = transcript(words(500, 300, 3_000, text, 0.9), 0.9);
    let a = analyse_one(&t);
    assert_eq!(a.words, 20);
    assert_eq!(a.speaking_ms, 6_000);
    assert_eq!(a.words_per_minute, Some(200.0));
    assert_eq!(a.long_pauses, 1);
    assert_eq!(a.longest_pause_ms, 3_000);
    assert!(!a.low_confidence);
}

#[test]
fn a_pause_under_the_threshold_is_speaking_time() {
    let t = transcript(words(0, 250, 1_500, "one two | three four", 0.9), 0.9);
    let a = analyse_one(&t);
    assert_eq!(a.long_pauses, 0);
    assert_eq!(a.speaking_ms, 2_500);
}

#[test]
fn utterances_are_placed_by_their_offsets_and_the_gap_between_them_is_a_pause() {
    let first = transcript(words(0, 500, 0, "we shard", 0.9), 0.9);
    let second = transcript(words(100, 500, 0, "by user", 0.9), 0.8);
    let a = analyse(
        &[
            TimedTranscript {
                offset_ms: 0,
                transcript: &first,
            },
            TimedTranscript {
                offset_ms: 4_000,
                transcript: &second,
            },
        ],
        &AnalyticsConfig::default(),
    );
    assert_eq!(a.words, 4);
    assert_eq!(a.long_pauses, 1);
    assert_eq!(a.longest_pause_ms, 3_100);
    assert_eq!(a.speaking_ms, 2_000);
    // Confidence is weighted by audio length (1,200 ms and 1,300 ms).
    let confidence = a.confidence.unwrap();
    assert!((confidence - 0.848).abs() < 1e-3, "{confidence}");
}

#[test]
fn hesitation_sounds_and_padding_words_always_count() {
    assert_eq!(
        fillers_in("Um, I think, uhh, it is basically erm Hmmm actually fine"),
        vec!["um", "uh", "basically", "erm", "hmm", "actually"]
    );
}

#[test]
fn like_counts_only_when_set_off_by_punctuation() {
    assert_eq!(fillers_in("it was, like, really slow"), vec!["like"]);
    assert_eq!(fillers_in("like, the cache"), vec!["like"]);
    assert!(fillers_in("I like Rust").is_empty());
    assert!(fillers_in("a queue like Kafka works").is_empty());
    assert!(fillers_in("it looks like, a tree").is_empty());
}

#[test]
fn you_know_counts_when_punctuation_or_the_end_follows() {
    assert_eq!(fillers_in("and, you know, the index"), vec!["you know"]);
    assert_eq!(fillers_in("it was slow you know"), vec!["you know"]);
    assert!(fillers_in("do you know what a B-tree is").is_empty());
}

#[test]
fn so_counts_at_the_start_of_a_sentence_only() {
    assert_eq!(
        fillers_in("So, first. So the design is so simple. So that it scales."),
        vec!["so", "so"]
    );
}

#[test]
fn filler_counts_go_into_the_analytics_by_kind() {
    let t = transcript(
        words(0, 300, 0, "Um, so, um I, like, cache it, you know.", 0.9),
        0.9,
    );
    let a = analyse_one(&t);
    assert_eq!(a.fillers, 4);
    assert_eq!(a.filler_counts["um"], 2);
    assert_eq!(a.filler_counts["like"], 1);
    assert_eq!(a.filler_counts["you know"], 1);
    assert!(
        !a.filler_counts.contains_key("so"),
        "so is not sentence-initial here"
    );
}

#[test]
fn low_mean_confidence_flags_the_transcript() {
    let t = transcript(words(0, 300, 0, "the load balancer", 0.7), 0.5);
    assert!(analyse_one(&t).low_confidence);
}

#[test]
fn many_low_probability_words_flag_it_even_when_the_mean_looks_fine() {
    let mut w = words(0, 300, 0, "a b c d e f g h i j", 0.95);
    for word in &mut w[..3] {
        word.probability = 0.2;
    }
    let a = analyse_one(&transcript(w, 0.85));
    assert_eq!(a.low_confidence_words, 3);
    assert!(a.low_confidence);

    let mut w = words(0, 300, 0, "a b c d e f g h i j", 0.95);
    w[0].probability = 0.2;
    assert!(!analyse_one(&transcript(w, 0.85)).low_confidence);
}

#[test]
fn too_little_speech_has_no_pace_and_no_audio_has_no_confidence() {
    let t = transcript(words(0, 200, 0, "yes", 0.9), 0.9);
    assert_eq!(analyse_one(&t).words_per_minute, None);
    let empty = analyse(&[], &AnalyticsConfig::default());
    assert_eq!(empty, SpeechAnalytics::default());
    assert!(!empty.low_confidence);
}

#[test]
fn a_transcript_without_word_timings_still_counts_words_and_fillers() {
    let t = Transcript {
        text: "Um, we would shard by tenant.".into(),
        words: Vec::new(),
        confidence: 0.9,
        audio_ms: 3_000,
    };
    let a = analyse_one(&t);
    assert_eq!(a.words, 6);
    assert_eq!(a.fillers, 1);
    assert_eq!(a.speaking_ms, 3_000);
    assert_eq!(a.words_per_minute, Some(120.0));
}

#[test]
fn the_analytics_serialize_for_the_report() {
    let t = transcript(words(0, 300, 0, "um hello there friend", 0.9), 0.9);
    let json = serde_json::to_value(analyse_one(&t)).unwrap();
    assert_eq!(json["filler_counts"]["um"], 1);
    assert_eq!(json["words"], 4);
    let back: SpeechAnalytics = serde_json::from_value(json).unwrap();
    assert_eq!(back, analyse_one(&t));
}
