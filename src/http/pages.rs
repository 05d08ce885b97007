//! Error pages for a person with a browser: a report link that no longer
//! works, an address with nothing at it. API clients keep their JSON errors;
//! these are for the places a person lands from a link.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::AppError;

/// Whether the request prefers a page to JSON: a browser's navigation asks
/// for `text/html` first.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The lobby, relative to `path`, so the link works under a path prefix.
fn lobby_from(path: &str) -> String {
    let depth = path.trim_start_matches('/').matches('/').count();
    if depth == 0 {
        "./".to_owned()
    } else {
        "../".repeat(depth)
    }
}

/// `error` as a page, with what happened in words and the way back.
pub fn error_page(error: &AppError, path: &str) -> Response {
    let status = error.status();
    let (title, detail) = match status {
        StatusCode::UNAUTHORIZED => (
            "This link does not open an interview",
            "The interview was deleted, or the link's token is wrong. Reports are only \
             shown to whoever holds the interview's link.",
        ),
        StatusCode::NOT_FOUND => (
            "There is nothing at this address",
            "The link may be mistyped, or the page has moved.",
        ),
        _ => (
            "This page could not be shown",
            "Something went wrong on the server; nothing you sent was lost. Try again.",
        ),
    };
    page(status, title, detail, path)
}

/// A page for an address the server has nothing at.
pub fn not_found_page(path: &str) -> Response {
    error_page(&AppError::NotFound(String::new()), path)
}

fn page(status: StatusCode, title: &str, detail: &str, path: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · mockloop</title>\
         <style>body{{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}}</style>\
         </head><body><main><h1>{title}</h1><p>{detail}</p>\
         <p><a id=\"to-lobby\" href=\"{lobby}\">Go to the lobby</a></p></main></body></html>\n",
        lobby = lobby_from(path),
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_way_back_is_relative_to_where_the_page_is() {
        assert_eq!(lobby_from("/nothing"), "./");
        assert_eq!(lobby_from("/api/sessions/x/report.html"), "../../../");
        assert_eq!(lobby_from("/no/such/page"), "../../");
    }
}
