//! The on-disk shape of content files and their conversion into the typed
//! catalog. Every problem found becomes a [`ContentError`] naming the file,
//! the line and the field; all problems are collected, not just the first, so
//! an operator fixes a file in one pass.

use std::ops::Range;

use toml::Spanned;

use super::model::RoundKind;
use super::{ContentError, SourceFile};

mod bank;
mod loops;
mod rubric;
mod values;

pub(super) use bank::parse_bank;
pub(super) use loops::parse_loop;
pub(super) use rubric::parse_rubric;
pub(super) use values::parse_core_values;

/// Collects problems against one file, turning byte spans into line
/// numbers (not the debrief, `crate::report::Report`).
pub(super) struct Diagnostics<'a> {
    file: &'a SourceFile,
    pub(super) errors: &'a mut Vec<ContentError>,
}

impl Diagnostics<'_> {
    pub(super) fn error(
        &mut self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.errors.push(ContentError {
            file: self.file.path.clone(),
            line: line_of(&self.file.text, span.start),
            field: field.into(),
            message: message.into(),
        });
    }

    /// Parses the whole file; a syntax or shape error is reported with the
    /// key found on the offending line.
    fn parse<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        match toml::from_str::<T>(&self.file.text) {
            Ok(value) => Some(value),
            Err(e) => {
                let span = e.span().unwrap_or(0..0);
                let field = key_at(&self.file.text, span.start);
                // toml leaves the message empty for some syntax errors (a
                // file cut off inside a string); never report a blank one.
                let message = match e.message().trim() {
                    "" => "not valid TOML here (an unclosed string, array or table?)",
                    message => message,
                };
                self.error(span, field, message.to_owned());
                None
            }
        }
    }

    fn kind(&mut self, kind: &Spanned<String>, field: &str) -> Option<RoundKind> {
        let parsed = RoundKind::parse(kind.get_ref());
        if parsed.is_none() {
            let known: Vec<_> = RoundKind::ALL.iter().map(|k| k.as_str()).collect();
            self.error(
                kind.span(),
                field,
                format!(
                    "unknown round kind {:?}; expected one of {}",
                    kind.get_ref(),
                    known.join(", ")
                ),
            );
        }
        parsed
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The key or table header on the line holding `offset`, for errors from the
/// TOML parser that carry a span but not a field name.
fn key_at(text: &str, offset: usize) -> String {
    let line = text[..offset.min(text.len())]
        .rsplit('\n')
        .next()
        .map(|start| {
            let from = offset.min(text.len()) - start.len();
            text[from..].lines().next().unwrap_or("")
        })
        .unwrap_or("")
        .trim();
    if line.starts_with('[') {
        line.trim_matches(|c| c == '[' || c == ']')
            .trim()
            .to_owned()
    } else if let Some((key, _)) = line.split_once('=') {
        key.trim().to_owned()
    } else {
        "(file)".to_owned()
    }
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.strip_suffix(".toml").unwrap_or(name)
}

fn is_snake_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_kebab_id(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Reports a question id used twice across banks.
pub(super) fn duplicate_question(
    file: &SourceFile,
    span: Range<usize>,
    id: &str,
    errors: &mut Vec<ContentError>,
) {
    Diagnostics { file, errors }.error(
        span,
        "questions.id",
        format!("duplicate question id {id:?}"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_at_finds_the_key_or_header_of_a_line() {
        let text = "a = 1\n[[rounds]]\nminutes = \"x\"\n";
        assert_eq!(key_at(text, text.find("\"x\"").unwrap()), "minutes");
        assert_eq!(key_at(text, text.find("[[").unwrap() + 3), "rounds");
        assert_eq!(line_of(text, text.find("minutes").unwrap()), 3);
    }
}
