//! Configuration, layered: built-in defaults, then a TOML file, then
//! environment variables named `MOCKLOOP__SECTION__KEY` (for example
//! `MOCKLOOP__SERVER__ADDR=0.0.0.0:8080`). Command-line flags override last.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub storage: StorageConfig,
    pub content: ContentConfig,
    pub limits: Limits,
    pub sessions: SessionConfig,
    pub grader: GraderConfig,
}

/// Which grader scores answers. The offline grader needs nothing; the LLM
/// grader is configured in its own section.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GraderConfig {
    pub kind: GraderKind,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum GraderKind {
    #[default]
    Offline,
    Llm,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub addr: String,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: "127.0.0.1:8080".into(),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Holds `mockloop.db` (SQLite).
    pub data_dir: PathBuf,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            data_dir: default_data_dir(),
        }
    }
}

/// `$XDG_DATA_HOME/mockloop`, else `~/.local/share/mockloop`, else `./mockloop-data`.
fn default_data_dir() -> PathBuf {
    let env = |name| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("XDG_DATA_HOME")
        .or_else(|| env("HOME").map(|home| home.join(".local/share")))
        .map(|base| base.join("mockloop"))
        .unwrap_or_else(|| PathBuf::from("mockloop-data"))
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContentConfig {
    /// A directory holding `prompts/` and `rubrics/`; unset means the content
    /// built into the binary.
    pub dir: Option<PathBuf>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest WebSocket text message accepted, in bytes.
    pub max_text_frame_bytes: usize,
    /// Longest answer accepted, in characters (about 3,000 words).
    pub max_answer_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_text_frame_bytes: 64 * 1024,
            max_answer_chars: 20_000,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// Seconds a session with no socket stays loaded before it is unloaded
    /// (it reloads from the store on the next connection).
    pub idle_unload_seconds: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_unload_seconds: 300,
        }
    }
}

const ENV_PREFIX: &str = "MOCKLOOP__";

impl Config {
    /// Loads defaults, then `file` (or `./mockloop.toml` if it exists), then
    /// the environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        Config::load_from(file, std::env::vars())
    }

    pub fn load_from(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> anyhow::Result<Config> {
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
        for (name, raw) in env {
            let Some(path) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            let keys: Vec<String> = path.split("__").map(str::to_lowercase).collect();
            if keys.len() != 2 || keys.iter().any(String::is_empty) {
                bail!("{name}: expected {ENV_PREFIX}SECTION__KEY");
            }
            let value = parse_env_value(&raw);
            let section = merged
                .entry(keys[0].clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            let Some(section) = section.as_table_mut() else {
                bail!("{name}: {} is not a section", keys[0]);
            };
            section.insert(keys[1].clone(), value);
        }
        toml::Value::Table(merged)
            .try_into()
            .context("invalid configuration (check the file and MOCKLOOP__* variables)")
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
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    }

    #[test]
    fn the_file_overrides_defaults_and_the_environment_overrides_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("m.toml");
        std::fs::write(
            &file,
            "[server]\naddr = \"0.0.0.0:9000\"\n[limits]\nmax_answer_chars = 100\n",
        )
        .unwrap();
        let config = Config::load_from(
            Some(&file),
            env(&[("MOCKLOOP__LIMITS__MAX_ANSWER_CHARS", "50")]),
        )
        .unwrap();
        assert_eq!(config.server.addr, "0.0.0.0:9000");
        assert_eq!(config.limits.max_answer_chars, 50);
        assert_eq!(config.limits.max_text_frame_bytes, 64 * 1024);
    }

    #[test]
    fn an_unknown_setting_is_an_error() {
        let error = Config::load_from(None, env(&[("MOCKLOOP__SERVER__ADRESS", "x")])).unwrap_err();
        assert!(format!("{error:#}").contains("adress"), "{error:#}");
    }

    #[test]
    fn a_string_setting_stays_a_string() {
        let config =
            Config::load_from(None, env(&[("MOCKLOOP__STORAGE__DATA_DIR", "/tmp/x y")])).unwrap();
        assert_eq!(config.storage.data_dir, PathBuf::from("/tmp/x y"));
    }
}
