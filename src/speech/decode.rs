//! One decoder pass of whisper.cpp over a clip: its settings, the words
//! it heard with their times, and the callbacks that stop it early.

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperState};

use super::loop_guard::LoopGuard;
use super::queue::Queue;
use super::whisper::audio_ctx;
use super::{SAMPLE_RATE, SpeechError, Word};

/// Shorter clips are padded with silence to this length. whisper.cpp's
/// alignment median-filters each word's attention over the clip's encoder
/// frames and aborts the whole process (an assertion, not an error) when a
/// clip of 100 to about 160 ms has fewer frames than the filter is wide and
/// a word was heard: `mockloop transcribe` died on 150 ms of speech.
/// Trailing silence changes no word, and the encoder window is at least
/// about 4 s anyway, so the padding costs nothing.
const MIN_CLIP_SAMPLES: usize = SAMPLE_RATE as usize;

/// Stops a partial pass as soon as a final one is waiting (whisper.cpp
/// polls this between steps). whisper-rs's safe `set_abort_callback_safe`
/// leaks its boxed closure on every call, which adds up at several partial
/// passes a second; this raw callback borrows the queue and allocates
/// nothing.
#[allow(unsafe_code)]
fn give_way_to_finals(params: &mut FullParams<'_, '_>, queue: &Queue) {
    unsafe extern "C" fn final_waiting(data: *mut std::ffi::c_void) -> bool {
        // SAFETY: `data` is the `&Queue` set below; it outlives the pass.
        let queue = unsafe { &*(data as *const Queue) };
        queue.final_waiting()
    }
    // SAFETY: the callback only reads through the pointer, and `params` is
    // used by one `state.full` call in `Pass::decode`, which returns before
    // the worker's borrow of the queue ends.
    unsafe {
        params.set_abort_callback(Some(final_waiting));
        params.set_abort_callback_user_data(queue as *const Queue as *mut std::ffi::c_void);
    }
}

/// Time a word is taken to last past the onset of its last token, when
/// timings come from DTW (which places tokens, not their ends).
const DTW_TOKEN_MS: u64 = 250;

/// With DTW a word's times are the onsets of its first and last tokens:
/// its end is taken a little after the last, never past the next word's
/// start (nor the clip's end), so gaps between words are the pauses.
pub(crate) fn end_aligned_words(words: &mut [Word], audio_ms: u64) {
    let starts: Vec<u64> = words.iter().skip(1).map(|w| w.start_ms).collect();
    for (i, word) in words.iter_mut().enumerate() {
        let limit = starts.get(i).copied().unwrap_or(audio_ms);
        word.end_ms = (word.end_ms + DTW_TOKEN_MS).min(limit).max(word.start_ms);
    }
}

/// What one decoder pass heard.
pub(crate) struct Heard {
    pub text: String,
    pub words: Vec<Word>,
    pub probabilities: Vec<f32>,
}

/// How passes run: the settings one transcription's passes share.
pub(crate) struct Pass<'a> {
    pub context: &'a WhisperContext,
    pub threads: usize,
    pub dtw: bool,
    /// Words are timed (whisper.cpp's token timestamps, or DTW's).
    pub timings: bool,
    pub give_way: Option<&'a Queue>,
}

impl Pass<'_> {
    /// Decodes `audio` (not empty) after `prompt`: the words with their
    /// times within `audio`.
    pub(crate) fn decode(
        &self,
        state: &mut WhisperState,
        audio: &[f32],
        prompt: &[i32],
    ) -> Result<Heard, SpeechError> {
        let Pass {
            context,
            threads,
            dtw,
            timings,
            give_way,
        } = *self;
        let eot = context.token_eot();
        let samples = audio.len();
        let audio_ms = samples as u64 * 1000 / u64::from(SAMPLE_RATE);
        let padded: Vec<f32>;
        let audio: &[f32] = if audio.len() < MIN_CLIP_SAMPLES {
            padded = padded_to(audio, MIN_CLIP_SAMPLES);
            &padded
        } else {
            audio
        };
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(threads as i32);
        params.set_language(Some("en"));
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_token_timestamps(timings);
        // Each clip stands alone; context from a previous session's clip would
        // leak between candidates.
        params.set_no_context(true);
        // No non-speech tokens ("(", "[", "♪"), as OpenAI's Whisper decodes
        // by default: on fast speech tiny.en opened "(mumbling)" or just "("
        // and stopped, losing a whole 7 s answer. Same word error rate on
        // the bench's 36 answers.
        params.set_suppress_nst(true);
        // No temperature fallback: a retry at higher temperature doubles the
        // latency of exactly the clips that are already slow.
        params.set_temperature_inc(0.0);
        params.set_audio_ctx(audio_ctx(audio.len()) as i32);
        // Bounded work per clip. With the encoder window sized to the clip, the
        // decoder's timestamps can keep the seek loop stepping a few frames at a
        // time, each step a full decode: a 2.4 s segment ran for minutes. Clips
        // are at most 30 s (one window), so one segment per clip loses nothing,
        // and a token budget stops a repetition loop.
        params.set_single_segment(true);
        params.set_max_tokens(max_tokens(samples));
        // The prompt goes in as tokens: whisper-rs 0.16's set_initial_prompt
        // leaks its string on every call (and panics on a NUL), which adds up
        // with partial passes several times a second. whisper.cpp tokenizes an
        // initial prompt the same way.
        params.set_tokens(prompt);
        if let Some(queue) = give_way {
            give_way_to_finals(&mut params, queue);
        }
        let guard = LoopGuard::new(context);
        guard.install(&mut params);
        state
            .full(params, audio)
            .map_err(|e| SpeechError::Failed(e.to_string()))?;

        let mut text = String::new();
        let mut words: Vec<Word> = Vec::new();
        let mut probabilities = Vec::new();
        let mut current: Option<(Vec<u8>, u64, u64, Vec<f32>)> = None;
        let finish = |current: &mut Option<(Vec<u8>, u64, u64, Vec<f32>)>,
                      words: &mut Vec<Word>| {
            if let Some((bytes, start, end, ps)) = current.take() {
                let word = String::from_utf8_lossy(&bytes).trim().to_owned();
                if !word.is_empty() {
                    // Token timestamps can step back a little; keep words ordered.
                    let floor = words.last().map_or(0, |w| w.start_ms);
                    let start = start.max(floor);
                    words.push(Word {
                        text: word,
                        start_ms: start,
                        end_ms: end.max(start),
                        probability: ps.iter().sum::<f32>() / ps.len().max(1) as f32,
                    });
                }
            }
        };
        for segment in state.as_iter() {
            if let Ok(s) = segment.to_str_lossy() {
                text.push_str(&s);
            }
            for i in 0..segment.n_tokens() {
                let Some(token) = segment.get_token(i) else {
                    continue;
                };
                let data = token.token_data();
                if data.id >= eot {
                    continue; // timestamps and other special tokens
                }
                let Ok(bytes) = token.to_bytes() else {
                    continue;
                };
                probabilities.push(data.p);
                // Whisper timestamps are in 10 ms units. DTW gives each token
                // one time, where it is spoken.
                let (t0, t1) = if dtw && data.t_dtw >= 0 {
                    (data.t_dtw as u64 * 10, data.t_dtw as u64 * 10)
                } else {
                    (data.t0.max(0) as u64 * 10, data.t1.max(0) as u64 * 10)
                };
                let starts_word = bytes.first() == Some(&b' ') || current.is_none();
                if starts_word {
                    finish(&mut current, &mut words);
                    current = Some((bytes.to_vec(), t0, t1, vec![data.p]));
                } else if let Some((b, _, end, ps)) = current.as_mut() {
                    b.extend_from_slice(bytes);
                    *end = t1.max(*end);
                    ps.push(data.p);
                }
            }
        }
        finish(&mut current, &mut words);
        if dtw {
            end_aligned_words(&mut words, audio_ms);
        }
        // A padded clip's words stay within the audio given.
        for word in &mut words {
            word.start_ms = word.start_ms.min(audio_ms);
            word.end_ms = word.end_ms.clamp(word.start_ms, audio_ms);
        }
        Ok(Heard {
            text,
            words,
            probabilities,
        })
    }
}

/// `audio` followed by silence up to `len` samples.
fn padded_to(audio: &[f32], len: usize) -> Vec<f32> {
    let mut padded = Vec::with_capacity(len.max(audio.len()));
    padded.extend_from_slice(audio);
    padded.resize(len.max(audio.len()), 0.0);
    padded
}

/// Tokens allowed for a clip of `samples`: fast speech is about 4 words,
/// 5 to 6 tokens, a second; 8 a second and a few for punctuation is room
/// enough.
pub(crate) fn max_tokens(samples: usize) -> i32 {
    let seconds = samples.div_ceil(SAMPLE_RATE as usize);
    (16 + 8 * seconds).min(i32::MAX as usize) as i32
}
