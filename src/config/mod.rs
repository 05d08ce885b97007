//! Configuration, layered: built-in defaults, then a TOML file, then
//! environment variables named `MOCKLOOP__SECTION__KEY` (for example
//! `MOCKLOOP__SERVER__ADDR=0.0.0.0:8080`). Command-line flags override last.

use std::path::Path;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

mod bounded;
mod content;
pub mod grader;
mod interviewer;
mod limits;
mod llm;
mod profiles;
mod sandbox;
mod secret;
mod server;
mod session;
pub mod speech;
mod storage;
mod tts;
pub mod voice;
pub use bounded::{Bounded, NonBlank, OpenFraction, OutOfRange, ScoreLevel};
pub use content::ContentConfig;
pub use grader::{GraderConfig, GraderKind};
pub use interviewer::{InterviewerConfig, InterviewerMode};
pub use limits::Limits;
pub use llm::{LlmConfig, LlmProvider};
pub use profiles::ProfilesConfig;
pub use sandbox::SandboxConfig;
pub use secret::{ApiKey, OperatorToken};
use secret::{secret_from_env, set_in};
pub use server::{OPERATOR_TOKEN_ENV, Origin, ServerConfig};
pub use session::SessionConfig;
pub use speech::{ModelSize, SpeechBackend, SpeechConfig, SpeechRemoteConfig};
pub use storage::{DATABASE_URL_ENV, DatabaseUrl, StorageConfig};
pub use tts::{TtsBackend, TtsConfig, TtsFormat};
pub use voice::{EndOfTurnMode, VoiceConfig};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub content: ContentConfig,
    pub limits: Limits,
    pub sessions: SessionConfig,
    pub grader: GraderConfig,
    pub llm: LlmConfig,
    pub interviewer: InterviewerConfig,
    pub voice: VoiceConfig,
    pub speech: SpeechConfig,
    pub speech_remote: SpeechRemoteConfig,
    pub tts: TtsConfig,
    pub sandbox: SandboxConfig,
    pub profiles: ProfilesConfig,
}

const ENV_PREFIX: &str = "MOCKLOOP__";

impl Config {
    /// Loads defaults, then `file` (or `./mockloop.toml` if it exists), then
    /// the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        Config::load_from(file, std::env::vars())
    }

    /// Also resolves the LLM API key from `[llm] api_key_env` and, when
    /// `[grader] kind = "llm"`, checks that `[llm]` is complete.
    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Config> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let mut merged =
            toml::Table::try_from(Config::default()).context("serializing defaults")?;
        let default_file = Path::new("mockloop.toml");
        let file = file.or_else(|| default_file.exists().then_some(default_file));
        if let Some(path) = file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            let table: toml::Table =
                toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
            merge(&mut merged, table);
        }
        for (name, raw) in &env {
            let Some(path) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let keys: Vec<String> = path.split("__").map(str::to_lowercase).collect();
            if keys.len() != 2 || keys.iter().any(String::is_empty) {
                bail!("{name}: expected {ENV_PREFIX}SECTION__KEY");
            }
            let value = parse_env_value(raw);
            let section = merged
                .entry(keys[0].clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let Some(section) = section.as_table_mut() else {
                bail!("{name}: {} is not a section", keys[0]);
            };
            section.insert(keys[1].clone(), value);
        }
        // Every value is parsed into its bounded type here, and the error
        // names the setting a refused value was given for.
        let mut config: Config = serde_path_to_error::deserialize(toml::Value::Table(merged))
            .map_err(|e| {
                let setting = match e.path().to_string() {
                    top if top == "." => String::new(),
                    path => format!("{path}: "),
                };
                anyhow::anyhow!(
                    "invalid configuration (check the file and MOCKLOOP__* variables): \
                     {setting}{}",
                    e.inner().message()
                )
            })?;
        if let Some(raw) = set_in(&env, OPERATOR_TOKEN_ENV) {
            config.server.operator_token = Some(
                OperatorToken::new(raw)
                    .map_err(|e| anyhow::anyhow!("{OPERATOR_TOKEN_ENV}: {e}"))?,
            );
        }
        if let Some(raw) = set_in(&env, DATABASE_URL_ENV) {
            config.storage.database_url = Some(
                DatabaseUrl::new(raw).map_err(|e| anyhow::anyhow!("{DATABASE_URL_ENV}: {e}"))?,
            );
        }
        config.resolve_endpoints(&env)?;
        Ok(config)
    }

    /// The endpoints the chosen backends call: each must be complete, and
    /// its key is read from the variable it names.
    fn resolve_endpoints(&mut self, env: &[(String, String)]) -> anyhow::Result<()> {
        let interviewer_llm = self.interviewer.mode == InterviewerMode::Llm;
        let llm = self.grader.kind == GraderKind::Llm || interviewer_llm;
        if self.llm.api_key.is_none() {
            // A malformed key only matters to the grader that would send it.
            match secret_from_env(env, &self.llm.api_key_env) {
                Ok(key) => self.llm.api_key = key,
                Err(e) if llm => return Err(e),
                Err(_) => {}
            }
        }
        if self.speech.backend == SpeechBackend::Remote {
            let remote = &mut self.speech_remote;
            remote.check_endpoint().map_err(anyhow::Error::msg)?;
            if let Some(key) = secret_from_env(env, &remote.api_key_env)? {
                remote.api_key = Some(key);
            }
        }
        if self.tts.backend == TtsBackend::Remote {
            let tts = &mut self.tts;
            tts.check_endpoint().map_err(anyhow::Error::msg)?;
            if let Some(key) = secret_from_env(env, &tts.api_key_env)? {
                tts.api_key = Some(key);
            }
        }
        if self.grader.kind == GraderKind::Llm {
            self.llm
                .check_endpoint()
                .map_err(|e| anyhow::anyhow!("[grader] kind = \"llm\" needs a complete {e}"))?;
        }
        if interviewer_llm {
            self.interviewer
                .llm(&self.llm)
                .check_endpoint()
                .map_err(|e| {
                    anyhow::anyhow!("[interviewer] mode = \"llm\" needs a complete {e}")
                })?;
        }
        Ok(())
    }
}

/// An optional text setting left out or left blank.
fn blank(value: &Option<String>) -> bool {
    value.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// The settings an endpoint needs that `fields` lacks, as one error naming
/// the section and each missing setting.
fn missing<const N: usize>(
    section: &str,
    fields: [(&str, &Option<String>); N],
) -> Result<(), String> {
    let problems: Vec<String> = fields
        .iter()
        .filter(|(_, value)| blank(value))
        .map(|(name, _)| format!("{name} is missing"))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("[{section}]: {}", problems.join("; ")))
    }
}

/// A variable's value as TOML when it parses as a scalar (numbers, booleans),
/// else as a plain string, so `MOCKLOOP__LIMITS__MAX_ANSWER_CHARS=5000` is a number.
fn parse_env_value(raw: &str) -> toml::Value {
    match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        Ok(mut table) => match table.remove("v") {
            Some(
                v @ (toml::Value::Integer(_) | toml::Value::Float(_) | toml::Value::Boolean(_)),
            ) => v,
            _ => toml::Value::String(raw.to_owned()),
        },
        Err(_) => toml::Value::String(raw.to_owned()),
    }
}

fn merge(base: &mut toml::Table, overlay: toml::Table) {
    for (key, value) in overlay {
        match (base.get_mut(&key), value) {
            (Some(toml::Value::Table(existing)), toml::Value::Table(table)) => {
                merge(existing, table)
            }
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests;
