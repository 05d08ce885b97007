//! Pipecat's Smart Turn v3.2 (an 8 M-parameter Whisper-encoder classifier,
//! int8, ONNX) run by ONNX Runtime, loaded at run time from the shared
//! library its PyPI wheel ships (see `install`).
//!
//! Why not tract (pure Rust): tract 0.22 loads the graph but applies only
//! the first scale of each per-channel `DequantizeLinear`, so its answers
//! were wrong (0.73 where onnxruntime says 0.007 on the reference signal),
//! and it took about 310 ms a decision against 45 to 55 ms here; tract 0.23
//! handles per-channel scales but needs Rust 1.91, above this crate's 1.88.

use std::path::Path;
use std::sync::Mutex;

use ort::session::Session;
use ort::session::builder::GraphOptimizationLevel;
use ort::value::Tensor;

use super::TurnError;
use super::features::{N_FRAMES, N_MELS, log_mel};

/// The loaded model. ONNX Runtime runs a session through `&mut`; the lock
/// is for tests and benches sharing one copy, as the server's single
/// worker thread never waits on it.
pub struct SmartTurn {
    session: Mutex<Session>,
}

impl std::fmt::Debug for SmartTurn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SmartTurn")
    }
}

impl SmartTurn {
    /// Loads ONNX Runtime from `runtime` (once per process: a later call's
    /// path is ignored) and the model from `model`.
    pub fn load(model: &Path, runtime: &Path) -> Result<SmartTurn, TurnError> {
        let load = |e: ort::Error| TurnError::Load(format!("{}: {e}", model.display()));
        ort::init_from(runtime)
            .map_err(|e| TurnError::Load(format!("{}: {e}", runtime.display())))?
            .commit();
        let session = Session::builder()
            .map_err(load)?
            // One thread: decisions are short, and the recogniser's
            // workers need the other cores (their threads spin).
            .with_intra_threads(1)
            .map_err(|e| load(e.into()))?
            .with_inter_threads(1)
            .map_err(|e| load(e.into()))?
            .with_optimization_level(GraphOptimizationLevel::Level3)
            .map_err(|e| load(e.into()))?
            .commit_from_file(model)
            .map_err(load)?;
        Ok(SmartTurn {
            session: Mutex::new(session),
        })
    }

    /// How likely it is that the speaker has finished their turn, 0 to 1,
    /// judged on the last 8 s of `audio` (16 kHz, [-1, 1]), which should
    /// end in the pause being judged.
    pub fn probability(&self, audio: &[f32]) -> Result<f32, TurnError> {
        self.probability_of_features(log_mel(audio))
    }

    /// The model on ready-made features (`N_MELS` × `N_FRAMES`).
    pub fn probability_of_features(&self, features: Vec<f32>) -> Result<f32, TurnError> {
        let failed = |e: ort::Error| TurnError::Failed(e.to_string());
        let input = Tensor::from_array(([1usize, N_MELS, N_FRAMES], features)).map_err(failed)?;
        let mut session = self.session.lock().unwrap_or_else(|e| e.into_inner());
        let outputs = session
            .run(ort::inputs!["input_features" => input])
            .map_err(failed)?;
        // The graph ends in a sigmoid: the output is already a probability.
        let (_, probability) = outputs["logits"]
            .try_extract_tensor::<f32>()
            .map_err(failed)?;
        probability
            .first()
            .copied()
            .filter(|p| p.is_finite())
            .ok_or_else(|| TurnError::Failed("the model gave no probability".into()))
    }
}
