//! `[server]`: where to listen, who may connect, and how many.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Bounded, OperatorToken};

/// The variable read for the operator token (it wins over the file).
pub const OPERATOR_TOKEN_ENV: &str = "MOCKLOOP_OPERATOR_TOKEN";

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    pub addr: String,
    /// Bearer token for `/api/operator/...` (and `/metrics`). Unset: the
    /// operator endpoints are disabled. A secret: `Debug` prints `[redacted]`.
    pub operator_token: Option<OperatorToken>,
    /// Origins (`scheme://host[:port]`) whose pages may open interview
    /// sockets: scheme, host and port must match. Empty: only pages served by
    /// this server at an IP address or `localhost` (`http://`, the Origin
    /// equal to the Host header); a server reached by name, or behind a TLS
    /// proxy, lists its public origin here. Clients that send no Origin are
    /// not browsers and are let through; the session token still guards them.
    pub allowed_origins: Vec<Origin>,
    /// Live WebSocket connections at once, across all sessions; one more is
    /// refused with 503. Each holds buffers and a task, so this bounds memory.
    pub max_connections: Bounded<usize, 1, 100_000>,
    /// Sessions one client address may create per minute (a token bucket that
    /// also allows this many at once); more get 429 with Retry-After. Behind a
    /// reverse proxy every client shares the proxy's address.
    pub session_creates_per_minute: Bounded<u32, 1, 100_000>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            addr: "127.0.0.1:8080".into(),
            operator_token: None,
            allowed_origins: Vec::new(),
            max_connections: Bounded::default_of(1_000),
            session_creates_per_minute: Bounded::default_of(20),
        }
    }
}

/// A browser origin as the WHATWG URL parser reads it: scheme, host and
/// port (the scheme's default when none is written), case-folded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: url::Host<String>,
    port: u16,
}

impl Origin {
    /// `scheme://host[:port]`, http or https, with nothing after the host
    /// but an optional `/`; `None` otherwise (`null` included).
    pub fn parse(text: &str) -> Option<Origin> {
        let url = url::Url::parse(text.trim()).ok()?;
        let bare = url.path() == "/"
            && url.query().is_none()
            && url.fragment().is_none()
            && url.username().is_empty()
            && url.password().is_none();
        if !bare || !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        Some(Origin {
            scheme: url.scheme().to_owned(),
            host: url.host()?.to_owned(),
            port: url.port_or_known_default()?,
        })
    }

    /// Addressed by IP or as `localhost`, not by a DNS name.
    pub fn by_address(&self) -> bool {
        match &self.host {
            url::Host::Domain(name) => name == "localhost",
            url::Host::Ipv4(_) | url::Host::Ipv6(_) => true,
        }
    }
}

/// With the port spelt out (`https://example.com:443`); parsing it gives
/// the same origin back.
impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Origin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Origin::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!("{text:?} must look like https://host[:port]"))
        })
    }
}
