//! Encoder sizing, word timings and loop trimming, without a model.

use super::*;
use crate::speech::decode::{end_aligned_words, max_tokens};

#[test]
fn aligned_words_end_a_little_after_their_last_token_and_before_the_next_word() {
    let word = |start_ms, end_ms| Word {
        text: "w".into(),
        start_ms,
        end_ms,
        probability: 1.0,
    };
    let mut words = vec![word(0, 100), word(200, 200), word(3_000, 3_100)];
    end_aligned_words(&mut words, 3_200);
    let ends: Vec<u64> = words.iter().map(|w| w.end_ms).collect();
    // Cut at the next word's start; a long pause stays a gap; the last
    // word ends with the clip.
    assert_eq!(ends, vec![200, 450, 3_200]);
}

#[test]
fn the_alignment_preset_follows_the_model_shape_or_is_none() {
    let hp = |audio_layers, text_layers, vocab| Hparams {
        n_vocab: vocab,
        n_audio_ctx: 1500,
        n_audio_state: 384,
        n_audio_head: 6,
        n_audio_layer: audio_layers,
        n_text_ctx: 448,
        n_text_state: 384,
        n_text_head: 6,
        n_text_layer: text_layers,
        n_mels: 80,
        ftype: 1,
    };
    assert!(matches!(
        dtw_preset(&hp(4, 4, 51_864)),
        Some(DtwModelPreset::TinyEn)
    ));
    assert!(matches!(
        dtw_preset(&hp(4, 4, 51_865)),
        Some(DtwModelPreset::Tiny)
    ));
    assert!(matches!(
        dtw_preset(&hp(32, 4, 51_866)),
        Some(DtwModelPreset::LargeV3Turbo)
    ));
    // Large v1 and v2 share a shape but not their heads.
    assert!(dtw_preset(&hp(32, 32, 51_865)).is_none());
}

#[test]
fn the_encoder_window_follows_the_clip_within_bounds() {
    assert_eq!(audio_ctx(16_000), MIN_AUDIO_CTX);
    // 10 s: 500 frames + 64 padding, rounded up to 576.
    assert_eq!(audio_ctx(16_000 * 10), 576);
    assert_eq!(audio_ctx(16_000 * 30), MAX_AUDIO_CTX);
    assert_eq!(audio_ctx(16_000 * 90), MAX_AUDIO_CTX);
}

fn words(text: &str) -> Vec<Word> {
    text.split_whitespace()
        .map(|w| Word {
            text: w.into(),
            start_ms: 0,
            end_ms: 0,
            probability: 0.9,
        })
        .collect()
}

fn text(words: &[Word]) -> String {
    words
        .iter()
        .map(|w| w.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_repetition_loop_at_the_end_is_cut_back_to_one_saying() {
    // What tiny.en gave for a 2.4 s segment, token budget and all.
    let mut heard = words(
        "The trade off is the memory for the map. The trade off is the memory \
         for the map. The trade off",
    );
    assert!(drop_repeated_tail(&mut heard));
    assert_eq!(text(&heard), "The trade off is the memory for the map.");
    assert!(!drop_repeated_tail(&mut heard), "nothing more to drop");
}

#[test]
fn a_repetition_loop_cut_off_mid_word_is_cut_back_too() {
    // tiny.en on a 2.7 s segment, the budget running out inside a word.
    let mut heard = words(
        "I will start by clarifying the requirements? I will start by clarifying \
         the requirements? I will start by clarifying the requirements? I will start by clar",
    );
    assert!(drop_repeated_tail(&mut heard));
    assert_eq!(text(&heard), "I will start by clarifying the requirements?");
}

#[test]
fn ordinary_repeats_in_speech_are_kept() {
    for said in [
        "it is very very very fast",
        "we cache it, we cache it and then we measure",
        "I would use a queue. A queue keeps the order.",
    ] {
        let mut heard = words(said);
        assert!(!drop_repeated_tail(&mut heard), "{said}");
        assert_eq!(text(&heard), said);
    }
}

#[test]
fn a_clip_allows_a_bounded_number_of_tokens() {
    assert_eq!(max_tokens(16_000 * 2 + 1), 16 + 8 * 3);
    assert!(
        max_tokens(16_000 * 30) >= 224,
        "never below the decoder's own cap"
    );
}
