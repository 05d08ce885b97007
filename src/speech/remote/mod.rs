//! Remote speech recognition: each clip is sent as a 16 kHz mono PCM16 WAV
//! to an OpenAI-compatible `/audio/transcriptions` endpoint (a GPU worker
//! running a faster-whisper server or vLLM, or OpenAI itself).
//!
//! async-openai builds the multipart request, but its typed verbose-JSON
//! response requires a `usage` field many servers omit, so the raw call is
//! used and the JSON parsed here (`parse`). Error messages never carry the
//! response body: it may quote the candidate.

use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::ReqwestService;
use async_openai::types::audio::{
    AudioInput, AudioResponseFormat, CreateTranscriptionRequest, TimestampGranularity,
};
use async_trait::async_trait;
use serde::Deserialize;
use tokio::sync::Semaphore;

use super::{Request, SAMPLE_RATE, SpeechError, Transcriber, Transcript, Word};
use crate::config::SpeechRemoteConfig;
use crate::openai::{http_client, openai_endpoint};

pub struct RemoteTranscriber {
    client: Client<OpenAIConfig>,
    model: String,
    name: String,
    timeout: Duration,
    /// At most `max_concurrency` clips in flight across all sessions.
    permits: Semaphore,
    /// Clips waiting for a permit, reported as the queue depth.
    waiting: AtomicUsize,
}

impl RemoteTranscriber {
    pub fn new(config: &SpeechRemoteConfig) -> Result<RemoteTranscriber, String> {
        config.check_endpoint()?;
        let base_url = config.base_url.as_deref().unwrap_or_default().trim();
        let model = config
            .model
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let key = config
            .api_key
            .as_ref()
            .map(|k| k.expose().to_owned())
            .unwrap_or_default();
        let endpoint = openai_endpoint(base_url, key);
        let timeout = Duration::from_secs(config.timeout_seconds.get());
        // The bare reqwest service: `Client::build` would wrap it in
        // async-openai's retry layer, and a failing worker should cost one
        // request, not a backoff series.
        let http = http_client(timeout)?;
        Ok(RemoteTranscriber {
            client: Client::with_config(endpoint).with_http_service(ReqwestService::new(http)),
            name: format!("remote {model}"),
            model,
            timeout,
            permits: Semaphore::new(config.max_concurrency.get()),
            waiting: AtomicUsize::new(0),
        })
    }

    async fn send(&self, request: &Request) -> Result<Transcript, SpeechError> {
        let wav = encode_wav(&request.audio)?;
        let form = CreateTranscriptionRequest {
            file: AudioInput::from_vec_u8("clip.wav".into(), wav),
            model: self.model.clone(),
            prompt: request.initial_prompt.clone().filter(|p| !p.is_empty()),
            response_format: Some(AudioResponseFormat::VerboseJson),
            timestamp_granularities: Some(vec![
                TimestampGranularity::Word,
                TimestampGranularity::Segment,
            ]),
            temperature: Some(0.0),
            ..Default::default()
        };
        // reqwest's timeout covers the request; this one also covers form
        // building and anything async-openai does around it.
        let audio = self.client.audio();
        let transcriptions = audio.transcription();
        let call = transcriptions.create_raw(form);
        let body = tokio::time::timeout(self.timeout + Duration::from_secs(1), call)
            .await
            .map_err(|_| self.timed_out())?
            .map_err(|e| self.classify(e))?;
        parse(&body, audio_ms(request.audio.len()))
    }

    fn timed_out(&self) -> SpeechError {
        SpeechError::Failed(format!(
            "the transcription endpoint timed out after {}s",
            self.timeout.as_secs()
        ))
    }

    fn classify(&self, error: OpenAIError) -> SpeechError {
        let reason = match error {
            OpenAIError::Reqwest(e) if e.is_timeout() => return self.timed_out(),
            OpenAIError::Reqwest(e) if e.is_connect() => {
                "the transcription endpoint could not be reached".to_owned()
            }
            OpenAIError::Reqwest(_) => "the request to the transcription endpoint failed".into(),
            OpenAIError::ApiError(e) => format!(
                "the transcription endpoint answered HTTP {}",
                e.status_code.as_u16()
            ),
            _ => "the transcription request failed".into(),
        };
        SpeechError::Failed(reason)
    }
}

#[async_trait]
impl Transcriber for RemoteTranscriber {
    fn name(&self) -> &str {
        &self.name
    }

    async fn transcribe(&self, request: Request) -> Result<Transcript, SpeechError> {
        // Partials are refreshed on the next chunk anyway: when every permit
        // is taken one is refused at once rather than delaying a final clip.
        let _permit = if request.partial {
            match self.permits.try_acquire() {
                Ok(permit) => permit,
                Err(_) => return Err(SpeechError::Busy(self.queue_depth())),
            }
        } else {
            self.waiting.fetch_add(1, Ordering::Relaxed);
            let permit = self.permits.acquire().await;
            self.waiting.fetch_sub(1, Ordering::Relaxed);
            // Never closed; should it be, the endpoint's own limits apply.
            permit.map_err(|_| SpeechError::Failed("the transcriber is shutting down".into()))?
        };
        self.send(&request).await
    }

    fn queue_depth(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }
}

fn audio_ms(samples: usize) -> u64 {
    samples as u64 * 1_000 / u64::from(SAMPLE_RATE)
}

/// The clip as a 16-bit PCM WAV in memory: the one format every
/// transcription server accepts without ffmpeg.
pub fn encode_wav(samples: &[f32]) -> Result<Vec<u8>, SpeechError> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let failed = |e: hound::Error| SpeechError::Failed(format!("encoding the clip: {e}"));
    let mut out = Cursor::new(Vec::with_capacity(44 + samples.len() * 2));
    let mut writer = hound::WavWriter::new(&mut out, spec).map_err(failed)?;
    for &sample in samples {
        // NaN becomes 0 through the saturating cast.
        let value = (sample.clamp(-1.0, 1.0) * f32::from(i16::MAX)).round() as i16;
        writer.write_sample(value).map_err(failed)?;
    }
    writer.finalize().map_err(failed)?;
    Ok(out.into_inner())
}

/// `verbose_json` as servers actually send it: `usage`, `language`,
/// `duration` and the rest are ignored; `words` and `segments` may be
/// missing or null.
#[derive(Deserialize)]
struct VerboseJson {
    text: String,
    #[serde(default)]
    words: Option<Vec<RawWord>>,
    #[serde(default)]
    segments: Option<Vec<RawSegment>>,
}

#[derive(Deserialize)]
struct RawWord {
    word: String,
    start: f64,
    end: f64,
    /// faster-whisper servers send each word's probability; OpenAI does not.
    #[serde(default)]
    probability: Option<f32>,
}

#[derive(Deserialize)]
struct RawSegment {
    #[serde(default)]
    avg_logprob: Option<f64>,
}

/// A verbose-JSON body as a [`Transcript`]. Confidence is the mean of the
/// segments' `exp(avg_logprob)`, or 1 when the server gives none (nothing
/// says the transcript is doubtful). The error names only serde's category
/// and position: serde's own message can quote a value from the body.
pub fn parse(body: &[u8], audio_ms: u64) -> Result<Transcript, SpeechError> {
    let parsed: VerboseJson = serde_json::from_slice(body).map_err(|e| {
        SpeechError::Failed(format!(
            "the transcription endpoint's response is not verbose_json \
             ({:?} error at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    let logprobs: Vec<f64> = parsed
        .segments
        .unwrap_or_default()
        .iter()
        .filter_map(|s| s.avg_logprob)
        .filter(|p| p.is_finite())
        .collect();
    let confidence = if logprobs.is_empty() {
        1.0
    } else {
        let mean = logprobs.iter().map(|p| p.exp()).sum::<f64>() / logprobs.len() as f64;
        mean.clamp(0.0, 1.0) as f32
    };
    let words = parsed
        .words
        .unwrap_or_default()
        .into_iter()
        .filter_map(|w| {
            let text = w.word.trim().to_owned();
            (!text.is_empty()).then(|| Word {
                text,
                start_ms: seconds_to_ms(w.start),
                end_ms: seconds_to_ms(w.end).max(seconds_to_ms(w.start)),
                probability: w.probability.map_or(confidence, |p| p.clamp(0.0, 1.0)),
            })
        })
        .collect();
    Ok(Transcript {
        text: parsed.text.trim().to_owned(),
        words,
        confidence,
        audio_ms,
    })
}

/// Saturating: negative and NaN become 0.
fn seconds_to_ms(seconds: f64) -> u64 {
    (seconds * 1_000.0).round() as u64
}

#[cfg(test)]
mod tests;
