//! Word .docx text: the paragraphs of word/document.xml.
//!
//! A .docx is a zip; its body is word/document.xml, read here as a stream of
//! XML events. Text is in `w:t` (never `w:delText`, deleted in tracked
//! changes, nor `w:instrText`, a field's code); inside a run `w:tab` is a
//! space and `w:br`/`w:cr` a new line; each `w:p` ends a line. A table reads
//! one line per cell paragraph, cell after cell, row after row: résumé
//! tables are layout (dates beside roles, a list in a column), and a whole
//! row on one line would run a column's list together. An empty paragraph
//! is a blank line (spacing between sections), except in a table. A text box
//! is read once: Word writes it twice, and the `mc:Fallback` copy is skipped.
//!
//! Not read: headers, footers, footnotes and comments (other parts).

use std::io::{Cursor, Read};

use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::{Namespace, ResolveResult};
use zip::result::ZipError;

use super::{DocumentError, RawText};

/// word/document.xml unpacked: a long résumé with heavy formatting is a
/// megabyte or two. The bound stops a zip bomb (a few KiB that inflate to
/// gigabytes) after reading this much, before it is all in memory.
pub const MAX_DOCUMENT_XML_BYTES: u64 = 16 << 20;

/// An OLE compound file: what Office writes for a password-protected
/// document (the zip is encrypted inside it), and also an old .doc.
const OLE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

const WORD: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
/// Strict Open XML, which Word can also save.
const WORD_STRICT: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const COMPATIBILITY: &str = "http://schemas.openxmlformats.org/markup-compatibility/2006";

pub(super) fn extract(bytes: &[u8], raw: &mut RawText) -> Result<(), DocumentError> {
    if bytes.starts_with(&OLE_MAGIC) {
        return Err(if names_stream(bytes, "EncryptedPackage") {
            DocumentError::Encrypted
        } else {
            DocumentError::corrupt("an old Word .doc file, not a .docx; save it as .docx or PDF")
        });
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| DocumentError::corrupt("not a .docx file (not a zip archive)"))?;
    let part = match archive.by_name("word/document.xml") {
        Ok(part) => part,
        Err(ZipError::FileNotFound) => {
            return Err(DocumentError::corrupt(
                "no word/document.xml in it: not a Word document",
            ));
        }
        Err(ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED)) => {
            return Err(DocumentError::Encrypted);
        }
        Err(_) => {
            return Err(DocumentError::corrupt(
                "word/document.xml could not be read",
            ));
        }
    };
    let xml = read_bounded(part, MAX_DOCUMENT_XML_BYTES)?;
    let xml = std::str::from_utf8(&xml)
        .map_err(|_| DocumentError::corrupt("word/document.xml is not UTF-8"))?;
    paragraphs(xml, raw)
}

/// Whether an OLE file's directory names a stream: names are UTF-16LE.
fn names_stream(bytes: &[u8], name: &str) -> bool {
    let wide: Vec<u8> = name.encode_utf16().flat_map(u16::to_le_bytes).collect();
    bytes.windows(wide.len()).any(|w| w == wide)
}

/// Reads at most `limit` bytes, and refuses a part longer than that having
/// read only one byte past it.
pub(super) fn read_bounded(part: impl Read, limit: u64) -> Result<Vec<u8>, DocumentError> {
    let mut out = Vec::new();
    part.take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|_| DocumentError::corrupt("word/document.xml could not be unpacked"))?;
    if out.len() as u64 > limit {
        return Err(DocumentError::Corrupt(format!(
            "word/document.xml unpacks to more than {} MiB",
            limit >> 20
        )));
    }
    Ok(out)
}

fn bad_xml<E>(_: E) -> DocumentError {
    DocumentError::corrupt("word/document.xml is not well-formed XML")
}

fn paragraphs(xml: &str, raw: &mut RawText) -> Result<(), DocumentError> {
    let mut reader = NsReader::from_str(xml);
    let mut in_text = false;
    let mut runs = 0usize;
    let mut tables = 0usize;
    // Depth inside an mc:Fallback, whose content repeats the mc:Choice's.
    let mut fallback = 0usize;
    while !raw.is_full() {
        let (namespace, event) = reader.read_resolved_event().map_err(bad_xml)?;
        let word = matches!(namespace, ResolveResult::Bound(Namespace(n)) if n == WORD || n == WORD_STRICT);
        let compat = matches!(namespace, ResolveResult::Bound(Namespace(n)) if n == COMPATIBILITY);
        match event {
            Event::Eof => break,
            Event::Start(e)
                if fallback > 0 || (compat && e.local_name().as_ref() == "Fallback") =>
            {
                fallback += 1;
            }
            Event::End(_) if fallback > 0 => fallback -= 1,
            _ if fallback > 0 => {}
            Event::Start(e) if word => match e.local_name().as_ref() {
                "t" => in_text = true,
                "r" => runs += 1,
                "tbl" => tables += 1,
                _ => {}
            },
            Event::End(e) if word => match e.local_name().as_ref() {
                "t" => in_text = false,
                "r" => runs = runs.saturating_sub(1),
                "tbl" => tables = tables.saturating_sub(1),
                "p" if tables > 0 => raw.end_line(),
                "p" => raw.push_char('\n'),
                "tc" => raw.end_line(),
                _ => {}
            },
            Event::Empty(e) if word => match e.local_name().as_ref() {
                // An empty paragraph: a blank line, as a Word user spaces sections.
                "p" if tables == 0 => raw.push_char('\n'),
                // Tab stops in paragraph properties are w:tab too: only a
                // tab inside a run is text.
                "tab" | "ptab" if runs > 0 => raw.push_char(' '),
                "br" | "cr" if runs > 0 => raw.push_char('\n'),
                "noBreakHyphen" if runs > 0 => raw.push_char('-'),
                _ => {}
            },
            Event::Text(text) if in_text => raw.push(&text.xml10_content()),
            Event::CData(text) if in_text => raw.push(&text.xml10_content()),
            Event::GeneralRef(reference) if in_text => {
                let resolved = match reference.resolve_char_ref().map_err(bad_xml)? {
                    Some(c) => Some(c.to_string()),
                    None => {
                        quick_xml::escape::resolve_predefined_entity(&reference).map(str::to_owned)
                    }
                };
                // An entity a DTD would define is not expanded: Word writes
                // none, and expanding them is how XML bombs work.
                raw.push(resolved.as_deref().unwrap_or_default());
            }
            _ => {}
        }
    }
    Ok(())
}
