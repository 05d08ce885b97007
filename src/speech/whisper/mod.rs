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
    DtwMode, DtwModelPreset, DtwParameters, WhisperContext, WhisperContextParameters, WhisperState,
};

use super::coverage;
use super::decode::{Heard, Pass};
use super::model::{Hparams, expected_count, inspect};
use super::queue::{Grant, Job, Queue};
use super::{Request, SAMPLE_RATE, SpeechError, Transcriber, Transcript, Word};
use prompt::{continued_prompt, prompt_tokens, tokenize};

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

/// How the workers run.
#[derive(Clone, Copy, Debug)]
pub struct WhisperOptions {
    pub threads: usize,
    pub workers: usize,
    pub queue: usize,
    /// What partial passes decode with.
    pub partials: PartialContext,
}

impl From<&crate::config::SpeechConfig> for WhisperOptions {
    fn from(c: &crate::config::SpeechConfig) -> Self {
        WhisperOptions {
            threads: c.threads.get(),
            workers: c.workers.get(),
            queue: c.queue.get(),
            partials: PartialContext::default(),
        }
    }
}

/// The whisper.cpp context partial passes run on. Partials show only
/// their text, never word timings, so DTW's extra decoder pass over every
/// token is wasted on them; but DTW is a setting of the whole context
/// (the loaded weights), so leaving it out means a second context and a
/// second copy of the weights.
///
/// Measured on tiny.en q8_0, one thread, on a busy 2-core machine: a
/// partial pass without DTW took 8 to 28% less time (472 against 652 ms
/// on 4.6 s of speech, 2,078 against 2,482 ms on 19 s) for the same
/// words, and the second context added about 65 MB (twice that for
/// base.en). Partial passes are the most frequent kind and hold cores a
/// final may need, so that pays. Flash attention on top made no
/// difference beyond the noise on this CPU, so it is not the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PartialContext {
    /// The finals' context, DTW and all: no second copy of the weights.
    Shared,
    /// A context of their own, without DTW.
    #[default]
    NoDtw,
    /// Without DTW and with whisper.cpp's flash attention (which DTW
    /// cannot use).
    NoDtwFlashAttention,
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
    /// A partial pass is running now (it gives way to a final one).
    pub fn partial_pass_running(&self) -> bool {
        self.queue.partial_running()
    }

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
        let finals = WhisperContext::new_with_params(path, params)
            .map_err(|e| SpeechError::NoModel(format!("{}: {e}", path.display())))?;
        // Without DTW there is nothing for a second context to leave out.
        let partials = match options.partials {
            _ if !dtw => None,
            PartialContext::Shared => None,
            PartialContext::NoDtw | PartialContext::NoDtwFlashAttention => {
                let mut params = WhisperContextParameters::default();
                params.use_gpu(false);
                params.flash_attn(options.partials == PartialContext::NoDtwFlashAttention);
                let context = WhisperContext::new_with_params(path, params)
                    .map_err(|e| SpeechError::NoModel(format!("{}: {e}", path.display())))?;
                Some(context)
            }
        };
        let contexts = Arc::new(Contexts {
            finals,
            dtw,
            partials,
        });
        let name = format!(
            "whisper {}",
            path.file_stem()
                .and_then(|s| s.to_str())
                .map(|s| s.trim_start_matches("ggml-"))
                .unwrap_or("model")
        );
        let queue = Arc::new(Queue::new(options.queue, options.workers, options.threads));
        let mut workers = Vec::new();
        let state = |context: &WhisperContext| {
            context
                .create_state()
                .map_err(|e| SpeechError::Failed(format!("creating decoder state: {e}")))
        };
        for i in 0..options.workers.max(1) {
            let states = States {
                finals: state(&contexts.finals)?,
                partials: contexts.partials.as_ref().map(state).transpose()?,
            };
            let queue = Arc::clone(&queue);
            let contexts = Arc::clone(&contexts);
            let handle = std::thread::Builder::new()
                .name(format!("whisper-{i}"))
                .spawn(move || worker(&contexts, states, &queue))
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

/// The loaded model, shared by the workers.
struct Contexts {
    /// Final passes, with word timings from DTW when `dtw`.
    finals: WhisperContext,
    dtw: bool,
    /// Partial passes, when they have a context of their own.
    partials: Option<WhisperContext>,
}

/// One worker's decoder states, one for each context.
struct States {
    finals: WhisperState,
    partials: Option<WhisperState>,
}

fn worker(contexts: &Contexts, mut states: States, queue: &Queue) {
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
            let (context, state, dtw) = match (&contexts.partials, &mut states.partials) {
                (Some(context), Some(state)) if partial => (context, state, false),
                _ => (&contexts.finals, &mut states.finals, contexts.dtw),
            };
            let mut result = run(context, state, &request, threads, dtw, give_way);
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
/// waits in that queue. A final pass whose decoder stopped while speech
/// went on is continued from its last word (see [`coverage`]).
fn run(
    context: &WhisperContext,
    state: &mut WhisperState,
    request: &Request,
    threads: usize,
    dtw: bool,
    give_way: Option<&Queue>,
) -> Result<Transcript, SpeechError> {
    let audio_ms = request.audio.len() as u64 * 1000 / u64::from(SAMPLE_RATE);
    if request.audio.is_empty() {
        return Ok(Transcript::default());
    }
    let prompt = request.initial_prompt.as_deref().unwrap_or_default();
    let pass = Pass {
        context,
        threads,
        dtw,
        // A partial pass shows only its text.
        timings: !request.partial,
        give_way,
    };
    let tokenize = |text: &str| tokenize(context, text);
    let mut heard = pass.decode(state, &request.audio, &prompt_tokens(&tokenize, prompt))?;
    let mut rewritten = false;
    if !request.partial
        && let Some(resume) = coverage::resume_at(&request.audio, &heard.words)
    {
        // Again from the start of the last word (it may be cut short too),
        // with what was heard before it as the prompt.
        let kept = heard.words.len() - 1;
        let said: Vec<&str> = heard.words[..kept]
            .iter()
            .map(|w| w.text.as_str())
            .collect();
        let prompt = continued_prompt(&tokenize, prompt, &said.join(" "));
        let rest = pass.decode(state, &request.audio[resume..], &prompt)?;
        let offset_ms = resume as u64 * 1000 / u64::from(SAMPLE_RATE);
        tracing::debug!(
            offset_ms,
            words = rest.words.len(),
            "continued a pass that stopped early"
        );
        heard.words.truncate(kept);
        heard.words.extend(rest.words.into_iter().map(|w| Word {
            start_ms: w.start_ms + offset_ms,
            end_ms: w.end_ms + offset_ms,
            ..w
        }));
        rewritten = true;
    }
    let Heard {
        mut text,
        mut words,
        probabilities,
    } = heard;
    rewritten |= drop_repeated_tail(&mut words);
    let confidence = if rewritten {
        text = words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        words.iter().map(|w| w.probability).sum::<f32>() / words.len().max(1) as f32
    } else if probabilities.is_empty() {
        0.0
    } else {
        probabilities.iter().sum::<f32>() / probabilities.len() as f32
    };
    Ok(Transcript {
        text: text.trim().to_owned(),
        words,
        confidence,
        audio_ms,
    })
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

mod prompt;
#[cfg(test)]
mod tests;
