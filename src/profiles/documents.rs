//! A candidate's résumé as text: a PDF, a Word .docx or a UTF-8 text file,
//! read at the edge into plain lines the rest of the server can trust.
//!
//! Every byte here comes from outside, so: parsers that panic on malformed
//! input run under `catch_unwind` (a panic becomes [`DocumentError::Corrupt`]
//! and prints nothing), every size that drives work or memory has a bound
//! (pages, decompressed bytes, raw text), and no error message or log line
//! quotes the document: a reason names the part that failed, never its text.
//!
//! Extraction is CPU-bound: milliseconds for a résumé, up to a second or so
//! for a PDF at the page bound. Call [`extract`] from `spawn_blocking`, not
//! on the executor.
//!
//! The text comes back normalised, the same way for every format:
//!
//! - one line per paragraph (.docx), per line of type (PDF) or per line
//!   (text); a .docx table reads one line per cell paragraph, cell after cell;
//! - each line trimmed, runs of whitespace and control characters collapsed
//!   to one space, ligatures (ﬁ, ﬂ, ...) spelled out;
//! - a bullet at the start of a line (•, ▪, ◦, ·, *, -, and the Symbol and
//!   Wingdings bullets Word exports) kept as "- ", so a list stays a list;
//! - at most one blank line in a row, none at the start or end.
//!
//! [`extract`]'s limit counts characters of that normalised text.

mod docx;
mod normalise;
mod pdf;

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

pub use docx::MAX_DOCUMENT_XML_BYTES;
use normalise::normalise;
pub use pdf::MAX_PAGES;

/// What an upload claims to be, from its Content-Type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    Pdf,
    Docx,
    Text,
}

const PDF: &str = "application/pdf";
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const TEXT: &str = "text/plain";

/// A refused Content-Type is echoed back to the client: bounded, so a huge
/// header does not make a huge error body.
const MAX_ECHOED_TYPE: usize = 100;

impl MediaType {
    /// Reads a Content-Type header value: the type in any case, with or
    /// without parameters; text/plain only as UTF-8 (or its subset US-ASCII),
    /// since that is the only charset [`extract`] decodes.
    pub fn from_content_type(value: &str) -> Result<MediaType, DocumentError> {
        let mut parts = value.split(';');
        let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let media = match essence.as_str() {
            PDF => MediaType::Pdf,
            DOCX => MediaType::Docx,
            TEXT => MediaType::Text,
            _ => return Err(DocumentError::UnsupportedType(echo(value))),
        };
        if media == MediaType::Text {
            for parameter in parts {
                let Some((name, charset)) = parameter.split_once('=') else {
                    continue;
                };
                let charset = charset.trim().trim_matches('"').to_ascii_lowercase();
                if name.trim().eq_ignore_ascii_case("charset")
                    && !matches!(charset.as_str(), "utf-8" | "utf8" | "us-ascii")
                {
                    return Err(DocumentError::UnsupportedType(echo(value)));
                }
            }
        }
        Ok(media)
    }
}

fn echo(value: &str) -> String {
    let printable: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_ECHOED_TYPE)
        .collect();
    if printable.trim().is_empty() {
        "no type".to_owned()
    } else {
        printable
    }
}

/// Why a document gave no text. Messages speak to the candidate and never
/// quote the document.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error(
        "a résumé can be a PDF, a Word document (.docx) or a UTF-8 text file, not {0}; \
         or paste the text"
    )]
    UnsupportedType(String),
    #[error("this document has no text: upload another file or paste the text")]
    Empty,
    #[error("this text file is not UTF-8: save it as UTF-8 or paste the text")]
    NotUtf8,
    /// The part that could not be read, in words; never document text.
    #[error("this file could not be read ({0}): save it again, or paste the text")]
    Corrupt(String),
    #[error("this file is password-protected: remove the password or paste the text")]
    Encrypted,
    #[error("this PDF has no text layer (a scan?): paste the text instead")]
    NoTextLayer,
    /// `chars` is a lower bound when extraction stopped early at the raw
    /// text bound.
    #[error(
        "this document is too long: {chars} characters of text, at most {max} are read; \
         upload a shorter version or paste the main part"
    )]
    TooLong { chars: usize, max: usize },
}

impl DocumentError {
    /// A stable machine code for the HTTP error body.
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::UnsupportedType(_) => "unsupported_type",
            DocumentError::Empty => "empty",
            DocumentError::NotUtf8 => "not_utf8",
            DocumentError::Corrupt(_) => "corrupt",
            DocumentError::Encrypted => "encrypted",
            DocumentError::NoTextLayer => "no_text_layer",
            DocumentError::TooLong { .. } => "too_long",
        }
    }

    fn corrupt(reason: &str) -> DocumentError {
        DocumentError::Corrupt(reason.to_owned())
    }
}

/// The document's text, normalised as the module doc says, at most
/// `max_chars` characters of it.
pub fn extract(media: MediaType, bytes: &[u8], max_chars: usize) -> Result<String, DocumentError> {
    if bytes.is_empty() {
        return Err(DocumentError::Empty);
    }
    let mut raw = RawText::new(max_chars);
    match media {
        MediaType::Pdf => quietly("pdf", || pdf::extract(bytes, &mut raw))?,
        MediaType::Docx => quietly("docx", || docx::extract(bytes, &mut raw))?,
        MediaType::Text => raw.push(text(bytes)?),
    }
    let text = normalise(&raw.text);
    let chars = text.chars().count();
    if raw.overflowed || chars > max_chars {
        return Err(DocumentError::TooLong {
            chars: chars.max(max_chars.saturating_add(1)),
            max: max_chars,
        });
    }
    if text.is_empty() {
        return match media {
            // Pages but no text: a scan or a picture of a résumé.
            MediaType::Pdf => Err(DocumentError::NoTextLayer),
            _ => Err(DocumentError::Empty),
        };
    }
    Ok(text)
}

fn text(bytes: &[u8]) -> Result<&str, DocumentError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|_| DocumentError::NotUtf8)
}

/// Text as the parsers find it, before normalisation, bounded: a small file
/// can hold a great deal of text (a deflated content stream), and what is
/// kept before the limit is checked must not grow without end.
struct RawText {
    text: String,
    limit_bytes: usize,
    overflowed: bool,
}

impl RawText {
    fn new(max_chars: usize) -> RawText {
        RawText {
            text: String::new(),
            // Up to four bytes a character, and as much again for the spaces
            // and blank lines that normalisation removes; at least 1 MiB so a
            // small limit still sees enough to count what it refuses.
            limit_bytes: max_chars.saturating_mul(8).max(1 << 20),
            overflowed: false,
        }
    }

    /// Appends, or marks the text too long and keeps nothing more.
    fn push(&mut self, part: &str) {
        if self.overflowed {
            return;
        }
        if self.text.len() + part.len() > self.limit_bytes {
            self.overflowed = true;
            return;
        }
        self.text.push_str(part);
    }

    fn push_char(&mut self, c: char) {
        self.push(c.encode_utf8(&mut [0; 4]));
    }

    /// Starts a new line unless one was just started: a parser's paragraph
    /// ends and line breaks meet, and only normalisation decides blank lines.
    fn end_line(&mut self) {
        if !self.text.is_empty() && !self.text.ends_with('\n') {
            self.push_char('\n');
        }
    }

    fn is_full(&self) -> bool {
        self.overflowed
    }
}

thread_local! {
    /// Set while this thread runs a parser: its panics are expected input
    /// errors, reported as Corrupt, and their messages (which can quote the
    /// file) must not reach stderr.
    static PARSING: Cell<bool> = const { Cell::new(false) };
}

static QUIET_HOOK: Once = Once::new();

/// Runs a parser; a panic becomes Corrupt. The process's panic hook is
/// wrapped once so that it stays silent for parser threads only: a panic
/// anywhere else is reported exactly as before.
fn quietly(
    kind: &'static str,
    parse: impl FnOnce() -> Result<(), DocumentError>,
) -> Result<(), DocumentError> {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !PARSING.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was_parsing = PARSING.with(|p| p.replace(true));
    let outcome = catch_unwind(AssertUnwindSafe(parse));
    PARSING.with(|p| p.set(was_parsing));
    outcome.unwrap_or_else(|_| {
        tracing::warn!(
            kind,
            "a document parser panicked; the upload is refused as corrupt"
        );
        Err(DocumentError::corrupt("the parser gave up on it"))
    })
}

#[cfg(test)]
mod tests;
