//! Checks at the edge that are not about one session: the client's address,
//! the Origin of a WebSocket upgrade, and the operator's bearer token.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use super::AppState;
use super::error::AppError;
use crate::config::Origin;
use crate::metrics::Rejection;

/// The peer's address when the server was started with connect info
/// (`server::serve` always is; a router driven in-process is not).
pub struct PeerAddr(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for PeerAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(addr)| addr.ip()),
        ))
    }
}

/// Equal-length comparison that does not stop at the first difference, so
/// response time says nothing about how much of a guess was right.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

/// Whether `headers` carry the configured operator token. `Err` when no
/// token is configured: the operator endpoints are then off, not open.
pub fn operator(state: &AppState, headers: &HeaderMap) -> Result<bool, AppError> {
    let Some(expected) = &state.config.server.operator_token else {
        return Err(AppError::Forbidden {
            code: "operator_disabled",
            message: "operator endpoints are disabled: set [server] operator_token or MOCKLOOP_OPERATOR_TOKEN".into(),
        });
    };
    Ok(bearer(headers)
        .is_some_and(|given| constant_time_eq(given.as_bytes(), expected.expose().as_bytes())))
}

/// Whether `token` (from wherever it was presented) is the configured
/// operator token.
pub fn is_operator_token(state: &AppState, token: &str) -> bool {
    state
        .config
        .server
        .operator_token
        .as_ref()
        .is_some_and(|expected| constant_time_eq(token.as_bytes(), expected.expose().as_bytes()))
}

/// Requires the operator token (counted as a refusal when absent or wrong).
pub fn require_operator(state: &AppState, headers: &HeaderMap) -> Result<(), AppError> {
    let metrics = state.hub.metrics();
    match operator(state, headers) {
        Ok(true) => Ok(()),
        Ok(false) => {
            metrics.reject(Rejection::Unauthorized);
            Err(AppError::OperatorUnauthorized)
        }
        Err(disabled) => {
            metrics.reject(Rejection::OperatorDisabled);
            Err(disabled)
        }
    }
}

/// Whether a WebSocket upgrade may proceed. No Origin means no browser (a
/// browser always sends one on a WebSocket upgrade), so nothing to check:
/// the session token guards such clients.
///
/// With an allowlist, the Origin's scheme, host and port must equal one of
/// its entries. Without one, the page must come from this server as
/// addressed by IP or `localhost`: the Origin must be `http://` and equal
/// the Host header's host and port. A DNS name is not trusted from the
/// Host header alone: a rebinding attacker controls both it and the
/// Origin, so a deployment reached by name (behind a TLS proxy, say) lists
/// its public origin in `[server] allowed_origins`.
pub fn origin_allowed(allowed: &[Origin], headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let Some(origin) = origin.to_str().ok().and_then(Origin::parse) else {
        return false;
    };
    if !allowed.is_empty() {
        return allowed.contains(&origin);
    }
    let Some(addressed) = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| Origin::parse(&format!("http://{}", h.trim())))
    else {
        return false;
    };
    origin.by_address() && origin == addressed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn the_own_origin_passes_and_another_does_not() {
        let own = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ]);
        assert!(origin_allowed(&[], &own));
        let other = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://evil.example"),
        ]);
        assert!(!origin_allowed(&[], &other));
        let null = headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]);
        assert!(!origin_allowed(&[], &null));
        assert!(origin_allowed(&[], &headers(&[("host", "x")])), "no Origin");
    }

    #[test]
    fn scheme_and_port_count_and_a_rebound_name_is_not_trusted() {
        let at = |host: &'static str, origin: &'static str| {
            origin_allowed(&[], &headers(&[("host", host), ("origin", origin)]))
        };
        assert!(at("localhost:8080", "http://localhost:8080"));
        assert!(at("[::1]:8080", "http://[::1]:8080"));
        assert!(at("10.0.0.5", "http://10.0.0.5:80"), "the default port");
        assert!(
            !at("127.0.0.1:8080", "https://127.0.0.1:8080"),
            "the scheme"
        );
        assert!(!at("127.0.0.1:8080", "http://127.0.0.1:9090"), "the port");
        assert!(
            !at("rebound.example:8080", "http://rebound.example:8080"),
            "a name that resolves here is not this server's origin"
        );
    }

    #[test]
    fn an_allowlist_replaces_the_own_origin_rule() {
        let allowed = vec![Origin::parse("https://Interview.example.com/").unwrap()];
        let listed = headers(&[
            ("host", "10.0.0.1"),
            ("origin", "https://interview.example.com"),
        ]);
        assert!(origin_allowed(&allowed, &listed));
        let own = headers(&[("host", "10.0.0.1"), ("origin", "http://10.0.0.1")]);
        assert!(!origin_allowed(&allowed, &own));
        for other in [
            "http://interview.example.com",
            "https://interview.example.com:8443",
            "https://interview.example.com.evil.example",
        ] {
            let h = HeaderMap::from_iter([
                (header::HOST, "10.0.0.1".parse().unwrap()),
                (header::ORIGIN, other.parse().unwrap()),
            ]);
            assert!(!origin_allowed(&allowed, &h), "{other}");
        }
        let default_port = headers(&[
            ("host", "10.0.0.1"),
            ("origin", "https://interview.example.com:443"),
        ]);
        assert!(origin_allowed(&allowed, &default_port));
    }
}
