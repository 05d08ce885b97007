//! The interviewer's voice from the server: each prompt is synthesised by an
//! OpenAI-compatible `/audio/speech` endpoint (OpenAI, or a local server
//! such as Kokoro-FastAPI or openedai-speech) and kept in a small cache,
//! since a reconnect or "repeat" asks for the same prompt again.
//!
//! Error messages never carry the prompt text or the response body.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::middleware::ReqwestService;
use async_openai::types::audio::{CreateSpeechRequest, SpeechModel, SpeechResponseFormat, Voice};
use axum::body::Bytes;
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::config::{TtsConfig, TtsFormat};
use crate::openai::{http_client, openai_endpoint};

#[derive(Debug, thiserror::Error)]
pub enum TtsError {
    #[error("the speech endpoint timed out after {0}s")]
    TimedOut(u64),
    #[error("{0}")]
    Failed(String),
}

pub struct RemoteSpeaker {
    client: Client<OpenAIConfig>,
    model: String,
    voice: String,
    format: TtsFormat,
    timeout: Duration,
    /// At most `max_concurrency` syntheses in flight across all sessions.
    permits: Semaphore,
    cache: Mutex<Cache>,
}

impl RemoteSpeaker {
    pub fn new(config: &TtsConfig) -> Result<RemoteSpeaker, String> {
        config.check_endpoint()?;
        let base_url = config.base_url.as_deref().unwrap_or_default().trim();
        let key = config
            .api_key
            .as_ref()
            .map(|k| k.expose().to_owned())
            .unwrap_or_default();
        let timeout = Duration::from_secs(config.timeout_seconds.get());
        let http = http_client(timeout)?;
        // The bare reqwest service, without async-openai's default retry
        // layer (which `Client::build` installs): a failing server costs one
        // request, then the browser speaks instead.
        let client = Client::with_config(openai_endpoint(base_url, key))
            .with_http_service(ReqwestService::new(http));
        Ok(RemoteSpeaker {
            client,
            model: config
                .model
                .as_deref()
                .unwrap_or_default()
                .trim()
                .to_owned(),
            voice: config.voice.as_str().to_owned(),
            format: config.format,
            timeout,
            permits: Semaphore::new(config.max_concurrency.get()),
            cache: Mutex::new(Cache::new(config.cache_bytes.get())),
        })
    }

    pub fn content_type(&self) -> &'static str {
        self.format.content_type()
    }

    /// The audio for `text`, from the cache when it was spoken before.
    pub async fn speak(&self, text: &str) -> Result<Bytes, TtsError> {
        let key: [u8; 32] = Sha256::digest(text.as_bytes()).into();
        if let Some(audio) = self.cache().get(&key) {
            return Ok(audio);
        }
        let audio = tokio::time::timeout(self.timeout + Duration::from_secs(1), async {
            // Waiting for a permit counts against the timeout too: the
            // candidate is waiting either way.
            let _permit = self
                .permits
                .acquire()
                .await
                .map_err(|_| TtsError::Failed("the speech client is shutting down".into()))?;
            self.send(text).await
        })
        .await
        .map_err(|_| TtsError::TimedOut(self.timeout.as_secs()))??;
        self.cache().insert(key, audio.clone());
        Ok(audio)
    }

    async fn send(&self, text: &str) -> Result<Bytes, TtsError> {
        let request = CreateSpeechRequest {
            input: text.to_owned(),
            // `Other` serialises as the bare name, so any server's model
            // and voice names pass through unchanged.
            model: SpeechModel::Other(self.model.clone()),
            voice: Voice::Other(self.voice.clone()),
            response_format: Some(match self.format {
                TtsFormat::Mp3 => SpeechResponseFormat::Mp3,
                TtsFormat::Wav => SpeechResponseFormat::Wav,
                TtsFormat::Opus => SpeechResponseFormat::Opus,
            }),
            instructions: None,
            speed: None,
            stream_format: None,
        };
        let response = self
            .client
            .audio()
            .speech()
            .create(request)
            .await
            .map_err(|e| self.classify(e))?;
        if response.bytes.is_empty() {
            return Err(TtsError::Failed(
                "the speech endpoint returned no audio".into(),
            ));
        }
        Ok(response.bytes)
    }

    fn classify(&self, error: OpenAIError) -> TtsError {
        TtsError::Failed(match error {
            OpenAIError::Reqwest(e) if e.is_timeout() => {
                return TtsError::TimedOut(self.timeout.as_secs());
            }
            OpenAIError::Reqwest(e) if e.is_connect() => {
                "the speech endpoint could not be reached".into()
            }
            OpenAIError::ApiError(e) => format!(
                "the speech endpoint answered HTTP {}",
                e.status_code.as_u16()
            ),
            _ => "the request to the speech endpoint failed".into(),
        })
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, Cache> {
        // The cache holds only finished entries, so a poisoned lock still
        // guards consistent data.
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Audio by prompt-text hash, oldest evicted first once over `max_bytes`.
struct Cache {
    max_bytes: usize,
    bytes: usize,
    entries: HashMap<[u8; 32], Bytes>,
    order: VecDeque<[u8; 32]>,
}

impl Cache {
    fn new(max_bytes: usize) -> Cache {
        Cache {
            max_bytes,
            bytes: 0,
            entries: HashMap::new(),
            order: VecDeque::new(),
        }
    }

    fn get(&self, key: &[u8; 32]) -> Option<Bytes> {
        self.entries.get(key).cloned()
    }

    fn insert(&mut self, key: [u8; 32], audio: Bytes) {
        if audio.len() > self.max_bytes || self.entries.contains_key(&key) {
            return;
        }
        self.bytes += audio.len();
        self.entries.insert(key, audio);
        self.order.push_back(key);
        while self.bytes > self.max_bytes
            && let Some(oldest) = self.order.pop_front()
        {
            if let Some(evicted) = self.entries.remove(&oldest) {
                self.bytes -= evicted.len();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_evicts_the_oldest_audio_past_its_byte_bound() {
        let mut cache = Cache::new(10);
        cache.insert([1; 32], Bytes::from_static(b"aaaa"));
        cache.insert([2; 32], Bytes::from_static(b"bbbb"));
        cache.insert([3; 32], Bytes::from_static(b"cccc"));
        assert!(cache.get(&[1; 32]).is_none());
        assert_eq!(cache.get(&[3; 32]).unwrap(), Bytes::from_static(b"cccc"));
        assert!(cache.bytes <= 10);
        cache.insert([4; 32], Bytes::from(vec![0; 11]));
        assert!(cache.get(&[4; 32]).is_none(), "larger than the whole cache");
    }
}
