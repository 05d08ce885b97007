//! The browser app in `web/`: read from disk in debug builds (edit and
//! reload), embedded in release builds so `cargo install` needs nothing else.

use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "web/"]
struct Web;

pub async fn serve_asset(uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = match path {
        "" => "index.html",
        "operator" => "operator.html",
        path => path,
    };
    match Web::get(path) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, file.metadata.mimetype().to_owned()),
                (header::CACHE_CONTROL, "no-cache".to_owned()),
            ],
            file.data,
        )
            .into_response(),
        // A person who followed a broken link gets a page with the way back.
        None if super::pages::wants_html(&headers) => super::pages::not_found_page(uri.path()),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
