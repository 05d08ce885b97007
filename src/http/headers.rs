//! What a browser is told about every response: where the app may load
//! from, and that it may not be framed, sniffed or leak its URLs (which can
//! carry a session token) in a Referer.
//!
//! The app has no inline script or style and loads nothing from elsewhere,
//! so its policy is `'self'` throughout; the browser scenarios fail on any
//! violation. Exports carry a stricter policy of their own ([`EXPORT_CSP`]).

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// The app's pages, scripts and API. `connect-src 'self'` covers the
/// WebSocket to the same host; the microphone's AudioWorklet is a script;
/// the debrief's chart is SVG imported into the page. Style sheets come
/// only from the server (the code editor's are constructed in its shadow
/// root, which the policy allows). Style *attributes* are allowed: typing
/// over a selection of several lines in the code editor makes Chrome's
/// editing write one, and an attribute can neither select elements nor
/// load anything `img-src` forbids.
pub const APP_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
style-src-attr 'unsafe-inline'; img-src 'self' data:; media-src 'self'; connect-src 'self'; worker-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Downloaded reports: `report.html` is one self-contained page with its
/// own `<style>` and an inline SVG chart, and runs no script at all.
pub const EXPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox";

/// `router` with the policy headers set on every response. A handler that
/// set its own Content-Security-Policy (the exports) keeps it.
pub fn with_browser_policy<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let fixed = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(APP_CSP),
        ))
        .layer(fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(fixed(header::X_FRAME_OPTIONS, "DENY"))
        .layer(fixed(header::REFERRER_POLICY, "no-referrer"))
}
