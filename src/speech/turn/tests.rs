//! The model as run here, against onnxruntime's answer from Python on the
//! same input (tools/turn_reference.py). Its verdicts on real speech are tested
//! in tests/integration/turn.rs, where espeak-ng speaks.

use std::sync::{Arc, OnceLock};

use super::features::tests::signal;
use super::*;

/// The model `cargo xtask setup test` fetched, loaded once per run.
pub(crate) fn model() -> Arc<SmartTurn> {
    static MODEL: OnceLock<Arc<SmartTurn>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let (model, runtime) = install::test_files();
            Arc::new(SmartTurn::load(&model, &runtime).unwrap_or_else(|e| panic!("{e}")))
        })
        .clone()
}

#[test]
fn the_model_agrees_with_pipecats_onnxruntime_on_the_reference_signal() {
    let p = model().probability(&signal()).unwrap();
    assert!(
        (p - reference::PROBABILITY).abs() < 0.01,
        "{p} vs onnxruntime's {}",
        reference::PROBABILITY
    );
}

#[tokio::test]
async fn the_shared_detector_answers_as_the_model_does() {
    let (model, runtime) = install::test_files();
    let model = SmartTurn::load(&model, &runtime).unwrap();
    let detector = TurnDetector::start(model, 2);
    let audio: Samples = signal().into();
    let p = detector.probability(audio.clone()).await.unwrap();
    assert_eq!(p, self::model().probability(&audio).unwrap());
    assert_eq!(detector.queue_depth(), 0);
}
