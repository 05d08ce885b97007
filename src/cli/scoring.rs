//! `calibrate` and `regrade`: thin wrappers over `crate::grading::calibrate` and
//! `crate::regrade`, with the same configuration the server uses.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::config::{Config, GraderKind};
use crate::grading::calibrate::{self, CalibrationSet};
use crate::grading::offline::Params;
use crate::http::load_catalog;
use crate::regrade::{Regrader, RubricOverrides, Status};

pub struct CalibrateOptions {
    pub grader: Option<GraderKind>,
    /// Grade every item as if its question were typed in.
    pub free_text: bool,
    /// Grade only this many items, spread over the set.
    pub sample: Option<usize>,
    pub json: bool,
}

/// Grades the set at `set` and renders the report as a table or JSON. An
/// LLM grader's report carries the offline grader's figures on the same
/// items beside its own: the question an operator asks is which to trust.
pub async fn calibrate(
    config: &Config,
    set: &Path,
    options: CalibrateOptions,
) -> anyhow::Result<String> {
    let catalog = load_catalog(config)?;
    let mut set = CalibrationSet::load(set, &catalog)
        .map_err(|e| anyhow!("the calibration set has errors:\n{e}"))?;
    if options.free_text {
        set.as_free_text();
    }
    if let Some(n) = options.sample {
        set.sample(n);
    }
    let kind = options.grader.unwrap_or(config.grader.kind);
    let grader = crate::grading::build(config, Some(kind))?;
    let report = match kind {
        GraderKind::Offline => calibrate::run(&set, grader.as_ref()).await,
        GraderKind::Llm => {
            // As many at once as grading may have in flight to the endpoint
            // (all its lanes but the one kept for a candidate), so none
            // waits out its time in a queue.
            let lanes = crate::openai::lanes::background_width(config.llm.max_concurrency.get());
            let mut report = calibrate::run_with(&set, grader.as_ref(), lanes).await;
            // Beside it, the grader that scores when the model fails: what
            // the server would give these answers without the LLM.
            if let Some(stand_in) = grader.stand_in() {
                report.set_beside(calibrate::run(&set, stand_in).await);
            }
            report
        }
    };
    Ok(if options.json {
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        report.render_table()
    })
}

/// Fits the offline grader's parameters on a set and prints what was found:
/// v3's on the fitting split when the embedding model is installed, else v2's.
pub fn fit(config: &Config, set: &Path, json: bool) -> anyhow::Result<String> {
    let catalog = load_catalog(config)?;
    let set = CalibrationSet::load(set, &catalog)
        .map_err(|e| anyhow!("the calibration set has errors:\n{e}"))?;
    let model = config.grader.embedding_model_path(&config.storage.data_dir);
    if let Ok(embedder) = crate::embed::shared(&model) {
        let bar = progress_bar(set.items.len() as u64);
        bar.set_message("answers embedded");
        let features =
            calibrate::fit_v3::extract(&set, &embedder, |done| bar.set_position(done as u64))?;
        bar.finish_and_clear();
        let report = calibrate::fit_v3::fit_and_measure(
            &set,
            &features,
            &crate::grading::v3::Params::FITTED,
        );
        return Ok(if json {
            serde_json::to_string_pretty(&report)? + "\n"
        } else {
            report.render_text()
        });
    }
    eprintln!(
        "no embedding model at {}: fitting offline grader v2 (run `mockloop models install` for v3)",
        model.display()
    );
    let grid = calibrate::fit::Grid::default();
    let start = Params::FITTED;
    let bar = progress_bar(grid.combinations(&start).len() as u64);
    let report = calibrate::fit::fit(&set, &start, &grid, |done| bar.set_position(done as u64));
    bar.finish_and_clear();
    Ok(if json {
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        report.render_text()
    })
}

/// A bar on stderr, drawn only when stderr is a terminal (indicatif hides it
/// otherwise), so piped output stays clean.
fn progress_bar(len: u64) -> ProgressBar {
    ProgressBar::new(len).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    )
}

pub struct RegradeOptions {
    /// One session, or `None` for every stored session.
    pub session: Option<String>,
    pub grader: Option<GraderKind>,
    pub rubrics: Option<PathBuf>,
    pub json: bool,
}

/// Regrades and prints the report; fails (after printing) when a session
/// could not be regraded, so scripts notice.
pub async fn regrade(config: &Config, options: RegradeOptions) -> anyhow::Result<()> {
    let rubrics = options
        .rubrics
        .as_deref()
        .map(|dir| {
            RubricOverrides::load(dir)
                .map_err(|e| anyhow!("the rubrics in {} have errors:\n{e}", dir.display()))
        })
        .transpose()?;
    let grader = crate::grading::build(config, options.grader)?;
    let store = crate::store::open_existing(&config.storage)
        .await
        .with_context(|| {
            format!(
                "opening the database {}",
                crate::store::describe(&config.storage)
            )
        })?;
    let ids: Vec<String> = match options.session {
        Some(id) => vec![id],
        None => store.sessions().await?.into_iter().map(|s| s.id).collect(),
    };
    // Drawn on stderr, and only when stderr is a terminal (indicatif hides
    // it otherwise), so piped JSON output stays clean.
    let bar = if ids.len() > 1 {
        ProgressBar::new(ids.len() as u64).with_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} sessions {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
    } else {
        ProgressBar::hidden()
    };
    let regrader = Regrader {
        store: store.as_ref(),
        grader: grader.as_ref(),
        rubrics: rubrics.as_ref(),
        finished_only: false,
    };
    let report = regrader
        .run(&ids, crate::clock::now_ms, |done| {
            bar.set_message(done.session_id.clone());
            bar.inc(1);
        })
        .await;
    bar.finish_and_clear();
    let out = if options.json {
        serde_json::to_string_pretty(&report)? + "\n"
    } else {
        report.render_text()
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out.as_bytes())?;
    stdout.flush()?;
    let failed: Vec<&str> = report
        .sessions
        .iter()
        .filter(|s| matches!(s.status, Status::Failed { .. }))
        .map(|s| s.session_id.as_str())
        .collect();
    if !failed.is_empty() {
        bail!(
            "{} session(s) could not be regraded: {}",
            failed.len(),
            failed.join(", ")
        );
    }
    Ok(())
}
