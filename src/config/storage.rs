//! `[storage]`: where sessions and their event logs live. SQLite in the
//! data directory by default (one node); a `postgres://` database URL moves
//! them to PostgreSQL, which several server nodes can share.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::Bounded;

/// The variable read for the database URL (it wins over the file and over
/// `MOCKLOOP__STORAGE__DATABASE_URL`): the URL usually holds a password.
pub const DATABASE_URL_ENV: &str = "MOCKLOOP_DATABASE_URL";

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StorageConfig {
    /// Holds `mockloop.db` (SQLite) when no database URL is set, and the
    /// speech model either way.
    pub data_dir: PathBuf,
    /// `postgres://user:password@host:port/database`. Unset: SQLite in
    /// `data_dir`. A secret: `Debug` and logs show it without its password.
    pub database_url: Option<DatabaseUrl>,
    /// How long a node's claim to drive a session lasts without renewal
    /// (PostgreSQL only). The driving node renews it every third of this, so
    /// a node that dies or loses the database frees its sessions within this
    /// long, and a socket on another node takes a session over within about
    /// a third of it. Below 2 s a renewal every third of it would be a
    /// query every few hundred milliseconds per live session; above 5
    /// minutes a dead node's candidates would wait that long to carry on
    /// elsewhere.
    pub lease_seconds: Bounded<u64, 2, 300>,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            data_dir: default_data_dir(),
            database_url: None,
            lease_seconds: Bounded::default_of(10),
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

/// A PostgreSQL connection URL. Parsed at load, so a typo fails start-up
/// rather than the first session; `Debug` and [`DatabaseUrl::redacted`]
/// leave out the password and the query (which may carry one too).
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: &str) -> Result<DatabaseUrl, String> {
        let url = url.trim();
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err("the database URL must start with postgres:// (SQLite needs none: it lives in data_dir)".into());
        }
        if url.chars().any(char::is_control) {
            return Err("the database URL holds control characters".into());
        }
        Ok(DatabaseUrl(url.to_owned()))
    }

    /// The URL itself, for the database driver only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `postgres://user@host:port/database`: safe to log.
    pub fn redacted(&self) -> String {
        let (scheme, rest) = self.0.split_once("://").unwrap_or(("postgres", &self.0));
        let rest = rest.split('?').next().unwrap_or_default();
        let rest = match rest.rsplit_once('@') {
            Some((user, host)) => {
                let user = user.split(':').next().unwrap_or_default();
                format!("{user}@{host}")
            }
            None => rest.to_owned(),
        };
        format!("{scheme}://{rest}")
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl Serialize for DatabaseUrl {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.redacted())
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        DatabaseUrl::new(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_and_query_never_show_in_debug_output() {
        let url =
            DatabaseUrl::new("postgres://app:s3cret@db.internal:5432/mockloop?password=x").unwrap();
        let shown = format!("{url:?}");
        assert_eq!(shown, "postgres://app@db.internal:5432/mockloop");
        assert!(!shown.contains("s3cret"));
        assert_eq!(
            url.expose(),
            "postgres://app:s3cret@db.internal:5432/mockloop?password=x"
        );
    }

    #[test]
    fn only_postgres_urls_are_accepted() {
        assert!(DatabaseUrl::new("sqlite://x.db").is_err());
        assert!(DatabaseUrl::new("postgresql://localhost/m").is_ok());
    }

    #[test]
    fn the_url_comes_from_its_variable_and_the_lease_is_bounded() {
        let env = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        };
        let config = crate::config::Config::load_from(
            None,
            env(&[(DATABASE_URL_ENV, "postgres://u:pw@h/db")]),
        )
        .unwrap();
        assert_eq!(
            config
                .storage
                .database_url
                .as_ref()
                .map(DatabaseUrl::expose),
            Some("postgres://u:pw@h/db")
        );
        assert!(!format!("{config:?}").contains("pw"));
        let error = crate::config::Config::load_from(
            None,
            env(&[("MOCKLOOP__STORAGE__LEASE_SECONDS", "1")]),
        )
        .unwrap_err();
        assert!(format!("{error:#}").contains("lease_seconds"), "{error:#}");
    }
}
