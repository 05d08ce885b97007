//! The local recogniser: whisper.cpp through whisper-rs.
//!
//! One `WhisperContext` (the weights, read-only) is shared by every worker;
//! each worker thread owns its decoder state and takes clips from a bounded
//! [`Queue`]. Inference never runs on the async executor: a 10 s clip keeps
//! a core busy for most of a second, which would stall every socket.

use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use async_trait::async_trait;
use tokio::sync::oneshot;
use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters, WhisperState,
};

use super::loop_guard::LoopGuard;
use super::model::{Hparams, expected_count, inspect};
use super::queue::{Grant, Job, Queue};
use super::{Request, SAMPLE_RATE, SpeechError, Transcriber, Transcript, Word};

/// Encoder frames per second of audio (10 ms mel hop, then a stride-2 conv).
const FRAMES_PER_SECOND: usize = 50;
/// The encoder's full window: 30 s.
const MAX_AUDIO_CTX: usize = 1500;
/// Frames of (silent) padding encoded after the clip. With the window cut
/// tight to the speech, tiny.en decoded a 3 s espeak-ng clip twice over
/// (WER 1.23 at 8 frames of padding, 0.23 from 37 frames on, as with the
/// full 30 s window); 64 frames (1.3 s) keeps a safe margin.
const AUDIO_CTX_PAD: usize = 64;
/// Fewest frames to encode (about 4 s), below which the saving is small.
const MIN_AUDIO_CTX: usize = 192;
/// Context is rounded up to a multiple of this many frames.
const AUDIO_CTX_STEP: usize = 64;
/// Shorter clips are padded with silence to this length. whisper.cpp's
/// alignment median-filters each word's attention over the clip's encoder
/// frames and aborts the whole process (an assertion, not an error) when a
/// clip of 100 to about 160 ms has fewer frames than the filter is wide and
/// a word was heard: `mockloop transcribe` died on 150 ms of speech.
/// Trailing silence changes no word, and the encoder window is never below
/// [`MIN_AUDIO_CTX`] (about 4 s) anyway.
const MIN_CLIP_SAMPLES: usize = SAMPLE_RATE as usize;

/// How the workers run.
#[derive(Clone, Copy, Debug)]
pub struct WhisperOptions {
    pub threads: usize,
    pub workers: usize,
    pub queue: usize,
}

impl From<&crate::config::SpeechConfig> for WhisperOptions {
    fn from(c: &crate::config::SpeechConfig) -> Self {
        WhisperOptions {
            threads: c.threads,
            workers: c.workers,
            queue: c.queue,
        }
    }
}

pub struct WhisperTranscriber {
    name: String,
    queue: Arc<Queue>,
    workers: Vec<JoinHandle<()>>,
}

/// The encoder window for `samples` of audio: the clip plus padding,
/// rounded up, never below [`MIN_AUDIO_CTX`] nor above the model's 30 s.
/// Measured on 10 s of speech: 549 ms at 512 frames against 1,975 ms for
/// the default 1500, and the word error rate fell (0.04 against 0.25).
pub fn audio_ctx(samples: usize) -> usize {
    let frames = (samples * FRAMES_PER_SECOND).div_ceil(SAMPLE_RATE as usize) + AUDIO_CTX_PAD;
    (frames.div_ceil(AUDIO_CTX_STEP) * AUDIO_CTX_STEP).clamp(MIN_AUDIO_CTX, MAX_AUDIO_CTX)
}

impl WhisperTranscriber {
    /// Loads the model and starts the workers. The file is checked first
    /// (structure and tensor count), so a bad file is a clear error here
    /// rather than whatever the C++ loader does with it.
    pub fn load(path: &Path, options: WhisperOptions) -> Result<WhisperTranscriber, SpeechError> {
        let (hp, names) =
            inspect(path).map_err(|e| SpeechError::NoModel(format!("{}: {e}", path.display())))?;
        if names.len() != expected_count(&hp) {
            return Err(SpeechError::NoModel(format!(
                "{}: {} tensors, whisper.cpp expects {}",
                path.display(),
                names.len(),
                expected_count(&hp)
            )));
        }
        whisper_rs::install_logging_hooks();
        let mut params = WhisperContextParameters::default();
        params.use_gpu(false);
        // Word timings come from the cross-attention alignment (DTW) where
        // the model's alignment heads are known: whisper.cpp's own token
        // timestamps fall apart when the decoder is primed with a prompt,
        // as every live answer is (measured: "will" from 0.5 to 2.7 s and
        // the next seven words at the clip's end, where DTW put each word
        // within about 0.2 s of where it is spoken).
        let preset = dtw_preset(&hp);
        let dtw = preset.is_some();
        if let Some(model_preset) = preset {
            params.dtw_parameters(DtwParameters {
                mode: DtwMode::ModelPreset { model_preset },
                ..DtwParameters::default()
            });
        }
        let context = WhisperContext::new_with_params(path, params)
            .map_err(|e| SpeechError::NoModel(format!("{}: {e}", path.display())))?;
        let context = Arc::new(context);
        let name = format!(
            "whisper {}",
            path.file_stem()
                .and_then(|s| s.to_str())
                .map(|s| s.trim_start_matches("ggml-"))
                .unwrap_or("model")
        );
        let queue = Arc::new(Queue::new(options.queue, options.workers, options.threads));
        let mut workers = Vec::new();
        for i in 0..options.workers.max(1) {
            let state = context
                .create_state()
                .map_err(|e| SpeechError::Failed(format!("creating decoder state: {e}")))?;
            let queue = Arc::clone(&queue);
            let context = Arc::clone(&context);
            let handle = std::thread::Builder::new()
                .name(format!("whisper-{i}"))
                .spawn(move || worker(&context, state, &queue, dtw))
                .map_err(|e| SpeechError::Failed(format!("starting a worker: {e}")))?;
            workers.push(handle);
        }
        Ok(WhisperTranscriber {
            name,
            queue,
            workers,
        })
    }
}

impl Drop for WhisperTranscriber {
    /// Lets the workers finish what is queued, then joins them so the model
    /// is freed before the process goes on.
    fn drop(&mut self) {
        self.queue.close();
        for handle in self.workers.drain(..) {
            let _ = handle.join();
        }
    }
}

fn worker(context: &WhisperContext, mut state: WhisperState, queue: &Queue, dtw: bool) {
    while let Some(Grant { job, threads }) = queue.pop() {
        let Job {
            request,
            span,
            reply,
        } = job;
        let _entered = span.enter();
        let partial = request.partial;
        if !reply.is_closed() {
            // (A closed reply: the caller gave up; skip the work.)
            let started = Instant::now();
            let give_way = partial.then_some(queue);
            let mut result = run(context, &mut state, &request, threads, dtw, give_way);
            let gave_way = partial && result.is_err() && queue.final_waiting();
            if gave_way {
                // Stopped for a final, as if displaced from the queue by one.
                result = Err(SpeechError::Busy(queue.len()));
            }
            tracing::debug!(
                audio_ms = request.audio.len() as u64 * 1000 / u64::from(SAMPLE_RATE),
                elapsed_ms = started.elapsed().as_millis() as u64,
                partial,
                threads,
                gave_way,
                "transcribed a clip"
            );
            let _ = reply.send(result);
        }
        queue.release(threads, partial);
    }
}

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
    // used by one `state.full` call in `run`, which returns before the
    // worker's borrow of the queue ends.
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
fn end_aligned_words(words: &mut [Word], audio_ms: u64) {
    let starts: Vec<u64> = words.iter().skip(1).map(|w| w.start_ms).collect();
    for (i, word) in words.iter_mut().enumerate() {
        let limit = starts.get(i).copied().unwrap_or(audio_ms);
        word.end_ms = (word.end_ms + DTW_TOKEN_MS).min(limit).max(word.start_ms);
    }
}

/// whisper.cpp's alignment-head preset for the model, known by its shape
/// (layers and vocabulary); `None` for shapes with no preset or more than
/// one (large v1 and v2 look alike), which keep the decoder's timestamps.
fn dtw_preset(hp: &Hparams) -> Option<DtwModelPreset> {
    use DtwModelPreset::*;
    Some(match (hp.n_audio_layer, hp.n_text_layer, hp.n_vocab) {
        (4, 4, 51_864) => TinyEn,
        (4, 4, 51_865) => Tiny,
        (6, 6, 51_864) => BaseEn,
        (6, 6, 51_865) => Base,
        (12, 12, 51_864) => SmallEn,
        (12, 12, 51_865) => Small,
        (24, 24, 51_864) => MediumEn,
        (24, 24, 51_865) => Medium,
        (32, 32, 51_866) => LargeV3,
        (32, 4, 51_866) => LargeV3Turbo,
        _ => return None,
    })
}

/// One transcription: greedy decoding, token timestamps, the encoder sized
/// to the clip. With `give_way`, the pass stops early when a final job
/// waits in that queue.
fn run(
    context: &WhisperContext,
    state: &mut WhisperState,
    request: &Request,
    threads: usize,
    dtw: bool,
    give_way: Option<&Queue>,
) -> Result<Transcript, SpeechError> {
    let eot = context.token_eot();
    let audio_ms = request.audio.len() as u64 * 1000 / u64::from(SAMPLE_RATE);
    if request.audio.is_empty() {
        return Ok(Transcript::default());
    }
    let padded: Vec<f32>;
    let audio: &[f32] = if request.audio.len() < MIN_CLIP_SAMPLES {
        padded = padded_to(&request.audio, MIN_CLIP_SAMPLES);
        &padded
    } else {
        &request.audio
    };
    let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
    params.set_n_threads(threads as i32);
    params.set_language(Some("en"));
    params.set_print_progress(false);
    params.set_print_realtime(false);
    params.set_print_special(false);
    params.set_print_timestamps(false);
    params.set_token_timestamps(true);
    // Each clip stands alone; context from a previous session's clip would
    // leak between candidates.
    params.set_no_context(true);
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
    params.set_max_tokens(max_tokens(request.audio.len()));
    // The prompt goes in as tokens: whisper-rs 0.16's set_initial_prompt
    // leaks its string on every call (and panics on a NUL), which adds up
    // with partial passes several times a second. whisper.cpp tokenizes an
    // initial prompt the same way.
    let prompt_tokens = request
        .initial_prompt
        .as_deref()
        .map(|p| prompt_tokens(context, p))
        .unwrap_or_default();
    params.set_tokens(&prompt_tokens);
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
    let finish = |current: &mut Option<(Vec<u8>, u64, u64, Vec<f32>)>, words: &mut Vec<Word>| {
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
    let mut confidence = if probabilities.is_empty() {
        0.0
    } else {
        probabilities.iter().sum::<f32>() / probabilities.len() as f32
    };
    if drop_repeated_tail(&mut words) {
        text = words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        confidence = words.iter().map(|w| w.probability).sum::<f32>() / words.len().max(1) as f32;
    }
    Ok(Transcript {
        text: text.trim().to_owned(),
        words,
        confidence,
        audio_ms,
    })
}

/// `audio` followed by silence up to `len` samples.
fn padded_to(audio: &[f32], len: usize) -> Vec<f32> {
    let mut padded = Vec::with_capacity(len.max(audio.len()));
    padded.extend_from_slice(audio);
    padded.resize(len.max(audio.len()), 0.0);
    padded
}

/// Drops a repetition loop at the end: on a short clip Whisper sometimes
/// says the whole clip again, and again, until its token budget runs out
/// ("… for the map. The trade off is … for the map. The trade"). A run of
/// three or more words immediately repeated is not something people say;
/// everything from its first repeat on goes. (Timestamps cannot be used to
/// spot it: with a prompt, whisper.cpp stamps many true words at the end.)
/// Returns whether anything was dropped.
fn drop_repeated_tail(words: &mut Vec<Word>) -> bool {
    let key = |w: &Word| {
        w.text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    let n = words.len();
    // The token budget usually runs out mid-word ("… I will start by
    // clar"): the last word need only begin like the one it repeats.
    let same = |i: usize, period: usize| {
        let (word, earlier) = (key(&words[i]), key(&words[i - period]));
        word == earlier || (i == n - 1 && !word.is_empty() && earlier.starts_with(&word))
    };
    for period in MIN_REPEAT..=n / 2 {
        // The longest tail in which each word equals the one `period` back.
        let tail = (period..n).rev().take_while(|&i| same(i, period)).count();
        if tail >= period {
            words.truncate(n - tail);
            return true;
        }
    }
    false
}

/// The shortest run of words whose immediate repeat counts as a loop.
const MIN_REPEAT: usize = 3;

/// Tokens allowed for a clip of `samples`: fast speech is about 4 words,
/// 5 to 6 tokens, a second; 8 a second and a few for punctuation is room
/// enough.
fn max_tokens(samples: usize) -> i32 {
    let seconds = samples.div_ceil(SAMPLE_RATE as usize);
    (16 + 8 * seconds).min(i32::MAX as usize) as i32
}

/// Longest prompt text tokenized, in bytes, from its end.
const MAX_PROMPT_BYTES: usize = 1024;
/// Room for the prompt's tokens. Every token covers at least one byte, so
/// this can never be too small; it must not be: whisper-rs 0.16 mishandles
/// whisper_tokenize's "buffer too small" answer (a negative count).
const MAX_PROMPT_TOKENS: usize = MAX_PROMPT_BYTES;
/// Prompt tokens given to the decoder, from the end (Whisper itself keeps
/// the end of a long prompt): the filler primer and the question's last
/// twenty-odd words, which are what the answer answers. Every pass pays
/// for each prompt token: on 2 cores a 70-token prompt added 57 ms to
/// passes over 3.8 s clips, for the same word error rate.
const PROMPT_TOKENS: usize = 48;

fn prompt_tokens(context: &WhisperContext, prompt: &str) -> Vec<i32> {
    let text = prompt_tail(prompt).replace('\0', " ");
    let mut tokens = context
        .tokenize(&text, MAX_PROMPT_TOKENS)
        .unwrap_or_else(|e| {
            tracing::debug!("prompt not used: {e}");
            Vec::new()
        });
    tokens.drain(..tokens.len().saturating_sub(PROMPT_TOKENS));
    tokens
}

/// The last [`MAX_PROMPT_BYTES`] of `prompt`, from a character boundary.
fn prompt_tail(prompt: &str) -> &str {
    let mut start = prompt.len().saturating_sub(MAX_PROMPT_BYTES);
    while !prompt.is_char_boundary(start) {
        start += 1;
    }
    &prompt[start..]
}

#[async_trait]
impl Transcriber for WhisperTranscriber {
    fn name(&self) -> &str {
        &self.name
    }

    async fn transcribe(&self, request: Request) -> Result<Transcript, SpeechError> {
        let (reply, answer) = oneshot::channel();
        self.queue.push(Job {
            request,
            span: tracing::Span::current(),
            reply,
        })?;
        answer
            .await
            .map_err(|_| SpeechError::Failed("the recogniser stopped".into()))?
    }

    fn queue_depth(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
#[path = "whisper_tests.rs"]
mod tests;
