//! Secrets in the configuration: redacted wherever they could be printed,
//! and read from the environment rather than the file.

use serde::{Deserialize, Serialize};

/// An API key. Its `Debug` and `Serialize` print `[redacted]`, so a logged or
/// dumped configuration never carries it. Only header-safe characters are
/// accepted: the HTTP client would otherwise fail on the first request.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: &str) -> Result<ApiKey, String> {
        let key = key.trim();
        if key.is_empty() {
            return Err("the API key is empty".into());
        }
        if !key.chars().all(|c| c.is_ascii_graphic()) {
            return Err("the API key holds characters not allowed in an HTTP header".into());
        }
        Ok(ApiKey(key.to_owned()))
    }

    /// The key itself, for the HTTP client only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for ApiKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("[redacted]")
    }
}

impl<'de> Deserialize<'de> for ApiKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        ApiKey::new(&raw).map_err(serde::de::Error::custom)
    }
}
