use super::*;

#[test]
fn words_become_milliseconds_and_segments_give_the_confidence() {
    let body = br#"{
        "task": "transcribe", "language": "english", "duration": 2.5,
        "text": " Um, I used a queue. ",
        "words": [
            {"word": " Um,", "start": 0.0, "end": 0.42},
            {"word": " I", "start": 0.5, "end": 0.6, "probability": 0.75},
            {"word": " used", "start": 0.6, "end": 0.91},
            {"word": " ", "start": 0.91, "end": 0.92},
            {"word": " a", "start": 0.95, "end": 1.0},
            {"word": " queue.", "start": 1.0, "end": 1.5}
        ],
        "segments": [{"avg_logprob": -0.2}, {"avg_logprob": -0.4}]
    }"#;
    let transcript = parse(body, 2_500).unwrap();
    assert_eq!(transcript.text, "Um, I used a queue.");
    assert_eq!(transcript.audio_ms, 2_500);
    let expected = (((-0.2f64).exp() + (-0.4f64).exp()) / 2.0) as f32;
    assert!((transcript.confidence - expected).abs() < 1e-6);
    let texts: Vec<&str> = transcript.words.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(texts, ["Um,", "I", "used", "a", "queue."]);
    assert_eq!(transcript.words[0].start_ms, 0);
    assert_eq!(transcript.words[0].end_ms, 420);
    assert_eq!(transcript.words[2].end_ms, 910);
    assert_eq!(transcript.words[1].probability, 0.75);
    assert_eq!(transcript.words[0].probability, transcript.confidence);
}

#[test]
fn missing_usage_words_and_segments_still_parse_with_full_confidence() {
    let transcript = parse(br#"{"text": "hello there", "words": null}"#, 900).unwrap();
    assert_eq!(transcript.text, "hello there");
    assert!(transcript.words.is_empty());
    assert_eq!(transcript.confidence, 1.0);
}

#[test]
fn odd_timings_are_clamped_not_trusted() {
    let body = br#"{"text": "x", "words": [{"word": "x", "start": -1.0, "end": -2.0}],
        "segments": [{"avg_logprob": 3.0}]}"#;
    let transcript = parse(body, 10).unwrap();
    assert_eq!(transcript.words[0].start_ms, 0);
    assert_eq!(transcript.words[0].end_ms, 0);
    assert_eq!(transcript.confidence, 1.0);
}

#[test]
fn a_malformed_body_is_an_error_that_does_not_quote_it() {
    for body in [
        &br#"{"text": "the candidate said secret-words"#[..],
        br#"{"text": 12, "words": "the candidate said secret-words"}"#,
        br#"<html>the candidate said secret-words</html>"#,
    ] {
        let error = parse(body, 0).unwrap_err().to_string();
        assert!(error.contains("not verbose_json"), "{error}");
        assert!(!error.contains("secret-words"), "{error}");
    }
}

#[test]
fn the_wav_is_16_khz_mono_pcm16_of_the_clip_length() {
    let samples = vec![0.5f32; 1_600];
    let wav = encode_wav(&samples).unwrap();
    let reader = hound::WavReader::new(Cursor::new(wav)).unwrap();
    let spec = reader.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (16_000, 1, 16)
    );
    assert_eq!(reader.duration(), 1_600);
}
