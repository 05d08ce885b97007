//! Partial passes on the finals' own context (DTW word timings computed
//! and thrown away) against a context of their own without DTW, with and
//! without flash attention: the memory the second context costs and the
//! time a partial pass takes on each clip.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mockloop::speech::whisper::{PartialContext, WhisperOptions, WhisperTranscriber};
use mockloop::speech::{Request, Samples, Transcriber};

use crate::{RUNS, median};

pub struct Figures {
    pub context: PartialContext,
    /// Resident memory the transcriber added, in MB.
    pub rss_mb: f64,
    /// Median partial pass on each clip.
    pub passes: Vec<Duration>,
    /// What the last pass on each clip heard.
    pub texts: Vec<String>,
}

pub fn measure(
    runtime: &tokio::runtime::Runtime,
    model: &Path,
    options: WhisperOptions,
    clips: &[Samples],
) -> Vec<Figures> {
    [
        PartialContext::Shared,
        PartialContext::NoDtw,
        PartialContext::NoDtwFlashAttention,
    ]
    .into_iter()
    .map(|context| {
        let before = rss_mb();
        let transcriber = Arc::new(
            WhisperTranscriber::load(
                model,
                WhisperOptions {
                    partials: context,
                    ..options
                },
            )
            .expect("load"),
        );
        let mut passes = Vec::new();
        let mut texts = Vec::new();
        for audio in clips {
            let once = || {
                let t = Instant::now();
                let heard = runtime
                    .block_on(transcriber.transcribe(Request {
                        audio: audio.clone(),
                        initial_prompt: Some(crate::accuracy::prompt()),
                        partial: true,
                        owner: None,
                    }))
                    .expect("a partial pass with nothing else queued");
                (t.elapsed(), heard.text)
            };
            once();
            let runs: Vec<(Duration, String)> = (0..RUNS).map(|_| once()).collect();
            texts.push(runs.last().map(|r| r.1.clone()).unwrap_or_default());
            passes.push(median(runs.into_iter().map(|r| r.0).collect()));
        }
        // After the passes: whisper.cpp allocates some buffers on first use.
        let rss_mb = rss_mb() - before;
        drop(transcriber);
        Figures {
            context,
            rss_mb,
            passes,
            texts,
        }
    })
    .collect()
}

/// This process's resident memory, in MB (Linux).
pub fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}
