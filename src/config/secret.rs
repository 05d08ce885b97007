//! Secrets in the configuration: redacted wherever they could be printed,
//! and read from the environment rather than the file.

use serde::{Deserialize, Serialize};

/// `Debug` and `Serialize` print `[redacted]`; `Deserialize` checks the
/// value as `new` does.
macro_rules! redacted {
    ($secret:ident) => {
        impl std::fmt::Debug for $secret {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl Serialize for $secret {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str("[redacted]")
            }
        }

        impl<'de> Deserialize<'de> for $secret {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                $secret::new(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

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

redacted!(ApiKey);

/// Variable `name`'s value in `env`, unless it is unset or blank.
pub(super) fn set_in<'a>(env: &'a [(String, String)], name: &str) -> Option<&'a str> {
    env.iter()
        .find(|(n, raw)| n == name && !raw.trim().is_empty())
        .map(|(_, raw)| raw.as_str())
}

/// The secret in variable `name`, if it is set; a malformed one is an error
/// that names the variable (and not its value).
pub(super) fn secret_from_env(
    env: &[(String, String)],
    name: &str,
) -> anyhow::Result<Option<ApiKey>> {
    set_in(env, name)
        .map(|raw| ApiKey::new(raw).map_err(|e| anyhow::anyhow!("{name}: {e}")))
        .transpose()
}

/// Shorter operator tokens are refused at load: the token guards every
/// stored interview, so it must not be guessable.
pub const MIN_OPERATOR_TOKEN_CHARS: usize = 16;

/// The operator's bearer token: redacted like an API key, and refused at
/// load when it is short enough to guess. A type of its own so a provider's
/// key can never be passed where the operator's token is checked, or the
/// other way round.
#[derive(Clone, PartialEq, Eq)]
pub struct OperatorToken(String);

impl OperatorToken {
    pub fn new(token: &str) -> Result<OperatorToken, String> {
        let token = token.trim();
        if token.chars().count() < MIN_OPERATOR_TOKEN_CHARS {
            return Err(format!(
                "the operator token must be at least {MIN_OPERATOR_TOKEN_CHARS} characters"
            ));
        }
        if !token.chars().all(|c| c.is_ascii_graphic()) {
            return Err("the operator token holds characters not allowed in an HTTP header".into());
        }
        Ok(OperatorToken(token.to_owned()))
    }

    /// The token itself, to compare a presented one with (in constant time).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

redacted!(OperatorToken);
