//! PDF text, line by line.
//!
//! lopdf parses the file, decodes its streams and maps each font's codes to
//! Unicode; the lines are laid out here, from where each string is drawn.
//! lopdf's own `extract_text` breaks a line only at ET and T*, and pdfTeX or
//! FOP set a whole page in one BT block moved by Td, so their lines came out
//! as one. Here a string starts a new line when its baseline moves by more
//! than half an em, and is set off by a space when it starts further right
//! than the previous one ended (a TJ kerning gap is how pdfTeX spaces words).
//! Where the previous string ended needs each glyph's width, from the font's
//! /Widths or, for CID fonts (Chromium, Google Docs, Word), its /W array.
//!
//! Not read: text inside form XObjects, and vertical writing.

mod fonts;

use std::collections::BTreeMap;

use lopdf::content::{Content, Operation};
use lopdf::{Document, LoadOptions, Object};

use super::{DocumentError, RawText};
use fonts::Font;

/// A résumé is one to three pages and a long academic CV a few dozen: past
/// this the upload is not a résumé, and no page of it is read.
pub const MAX_PAGES: usize = 50;

/// Any one stream decompressed (an object stream, a font's ToUnicode map, a
/// page's content): a few KiB to a few hundred in a real résumé, so this
/// only stops a small file that inflates to gigabytes.
const MAX_STREAM_BYTES: usize = 8 << 20;

/// All pages' content together, decompressed: bounds the time spent.
const MAX_CONTENT_BYTES: usize = 32 << 20;

/// A string further right than the previous one ended by more than this
/// (in ems) is a new word. Kerning moves glyphs by hundredths of an em;
/// pdfTeX's word spaces are about a third.
const WORD_GAP: f64 = 0.15;

/// Nested q/Q deeper than this are ignored: real pages nest a handful.
const MAX_SAVED_STATES: usize = 256;

pub(super) fn extract(bytes: &[u8], raw: &mut RawText) -> Result<(), DocumentError> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_STREAM_BYTES),
        ..LoadOptions::default()
    };
    let document = match Document::load_mem_with_options(bytes, options) {
        Ok(document) => document,
        Err(lopdf::Error::InvalidPassword | lopdf::Error::Decryption(_)) => {
            return Err(DocumentError::Encrypted);
        }
        // A damaged file that still names an encryption dictionary is, for
        // the candidate, a protected file: the fix is the same.
        Err(_) if declares_encryption(bytes) => return Err(DocumentError::Encrypted),
        Err(_) => return Err(DocumentError::corrupt("not a readable PDF")),
    };
    // lopdf opens a file whose user password is empty on its own; such a
    // file still carries an /Encrypt dictionary and its author's
    // restrictions, so it is refused like any other protected file.
    if document.is_encrypted() || document.was_encrypted() {
        return Err(DocumentError::Encrypted);
    }
    let pages = document.get_pages();
    if pages.is_empty() {
        return Err(DocumentError::corrupt("the PDF has no pages"));
    }
    if pages.len() > MAX_PAGES {
        return Err(DocumentError::Corrupt(format!(
            "the PDF has {} pages; a résumé of at most {MAX_PAGES} pages is read",
            pages.len()
        )));
    }
    let mut content_left = MAX_CONTENT_BYTES;
    let mut lines = Lines { raw, pen: None };
    for &page in pages.values() {
        let limit = MAX_STREAM_BYTES.min(content_left);
        let data = document
            .get_page_content_with_limit(page, limit)
            .map_err(|_| DocumentError::corrupt("a page's content could not be unpacked"))?;
        content_left = content_left.saturating_sub(data.len());
        let content = Content::decode(&data)
            .map_err(|_| DocumentError::corrupt("a page's content could not be parsed"))?;
        let fonts = fonts::of_page(&document, page, MAX_STREAM_BYTES)?;
        Page::new(&fonts).run(&content.operations, &mut lines);
        lines.raw.end_line();
        lines.pen = None;
        if lines.raw.is_full() {
            break;
        }
    }
    Ok(())
}

fn declares_encryption(bytes: &[u8]) -> bool {
    bytes.windows(b"/Encrypt".len()).any(|w| w == b"/Encrypt")
}

/// An affine transform [a b c d e f], as PDF writes them.
#[derive(Clone, Copy, Debug)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(x: f64, y: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// `self`, then `next` (PDF's `self × next`).
    fn then(self, next: Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = next.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    /// The length one unit becomes: the size of an em on the page.
    fn scale(self) -> f64 {
        let [a, b, c, d, ..] = self.0;
        (a * d - b * c).abs().sqrt()
    }
}

/// Where the previous string ended on the page.
#[derive(Clone, Copy)]
struct Pen {
    x: f64,
    y: f64,
    em: f64,
}

/// The page's text so far, and where the last string ended.
struct Lines<'r> {
    raw: &'r mut RawText,
    pen: Option<Pen>,
}

impl Lines<'_> {
    /// Places a string that starts at (x, y): a new line, a word gap, or
    /// right after the previous string.
    fn place(&mut self, x: f64, y: f64, em: f64, text: &str) {
        if let Some(pen) = self.pen {
            let em_max = em.max(pen.em);
            if (y - pen.y).abs() > 0.5 * em_max {
                self.raw.end_line();
            } else {
                let gap = x - pen.x;
                let apart = gap > WORD_GAP * em || gap < -em_max;
                if apart && !self.raw.text.ends_with([' ', '\n']) && !text.starts_with(' ') {
                    self.raw.push_char(' ');
                }
            }
        }
        self.raw.push(text);
    }
}

/// The graphics state that q and Q save: the transform and text parameters.
#[derive(Clone, Copy)]
struct State<'f> {
    ctm: Matrix,
    font: Option<&'f Font<'f>>,
    size: f64,
    char_spacing: f64,
    word_spacing: f64,
    scaling: f64,
    leading: f64,
    rise: f64,
}

/// One page's content stream, interpreted for its text only.
struct Page<'f> {
    fonts: &'f BTreeMap<Vec<u8>, Font<'f>>,
    state: State<'f>,
    saved: Vec<State<'f>>,
    tm: Matrix,
    tlm: Matrix,
}

impl<'f> Page<'f> {
    fn new(fonts: &'f BTreeMap<Vec<u8>, Font<'f>>) -> Page<'f> {
        Page {
            fonts,
            state: State {
                ctm: Matrix::IDENTITY,
                font: None,
                size: 0.0,
                char_spacing: 0.0,
                word_spacing: 0.0,
                scaling: 1.0,
                leading: 0.0,
                rise: 0.0,
            },
            saved: Vec::new(),
            tm: Matrix::IDENTITY,
            tlm: Matrix::IDENTITY,
        }
    }

    fn run(mut self, operations: &[Operation], lines: &mut Lines) {
        for op in operations {
            if lines.raw.is_full() {
                return;
            }
            let n = |i: usize| op.operands.get(i).and_then(number).unwrap_or(0.0);
            let s = &mut self.state;
            match op.operator.as_str() {
                "q" if self.saved.len() < MAX_SAVED_STATES => self.saved.push(*s),
                "Q" => *s = self.saved.pop().unwrap_or(*s),
                "cm" => s.ctm = matrix(&op.operands).then(s.ctm),
                "BT" => (self.tm, self.tlm) = (Matrix::IDENTITY, Matrix::IDENTITY),
                "Tf" => {
                    let name = op.operands.first().and_then(|o| o.as_name().ok());
                    s.font = name.and_then(|name| self.fonts.get(name));
                    s.size = n(1);
                }
                "Tc" => s.char_spacing = n(0),
                "Tw" => s.word_spacing = n(0),
                "Tz" => s.scaling = n(0) / 100.0,
                "TL" => s.leading = n(0),
                "Ts" => s.rise = n(0),
                "Td" => self.next_line(n(0), n(1)),
                "TD" => {
                    self.state.leading = -n(1);
                    self.next_line(n(0), n(1));
                }
                "Tm" => (self.tm, self.tlm) = (matrix(&op.operands), matrix(&op.operands)),
                "T*" => self.next_line(0.0, -self.state.leading),
                "Tj" => self.show(op.operands.first(), lines),
                "'" => {
                    self.next_line(0.0, -self.state.leading);
                    self.show(op.operands.first(), lines);
                }
                "\"" => {
                    (s.word_spacing, s.char_spacing) = (n(0), n(1));
                    self.next_line(0.0, -self.state.leading);
                    self.show(op.operands.get(2), lines);
                }
                "TJ" => {
                    let parts = op.operands.first().and_then(|o| o.as_array().ok());
                    for part in parts.into_iter().flatten() {
                        match number(part) {
                            // Thousandths of an em, leftwards.
                            Some(k) => self.advance(-k / 1000.0 * self.state.size),
                            None => self.show(Some(part), lines),
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn next_line(&mut self, x: f64, y: f64) {
        self.tlm = Matrix::translate(x, y).then(self.tlm);
        self.tm = self.tlm;
    }

    /// Moves along the line by `x` unscaled text-space units.
    fn advance(&mut self, x: f64) {
        self.tm = Matrix::translate(x * self.state.scaling, 0.0).then(self.tm);
    }

    /// Where text space's origin lands on the page, and an em's size there.
    fn origin(&self) -> Matrix {
        let s = &self.state;
        Matrix([s.size * s.scaling, 0.0, 0.0, s.size, 0.0, s.rise])
            .then(self.tm)
            .then(s.ctm)
    }

    fn show(&mut self, operand: Option<&Object>, lines: &mut Lines) {
        // A string before any Tf cannot be decoded: a broken page, skipped.
        let (Some(font), Some(Object::String(bytes, _))) = (self.state.font, operand) else {
            return;
        };
        let start = self.origin();
        let mut text = String::new();
        if font.encoding.write_to_string(bytes, &mut text).is_err() {
            text.clear();
        }
        let s = self.state;
        let width: f64 = font
            .codes(bytes)
            .map(|code| {
                let word = if font.is_single_byte() && code == 32 {
                    s.word_spacing
                } else {
                    0.0
                };
                font.width(code) / 1000.0 * s.size + s.char_spacing + word
            })
            .sum();
        let [.., x, y] = start.0;
        lines.place(x, y, start.scale(), &text);
        self.advance(width);
        let end = self.origin().0;
        lines.pen = Some(Pen {
            x: end[4],
            y,
            em: start.scale(),
        });
    }
}

fn number(object: &Object) -> Option<f64> {
    match *object {
        Object::Integer(i) => Some(i as f64),
        Object::Real(r) => Some(f64::from(r)),
        _ => None,
    }
}

fn matrix(operands: &[Object]) -> Matrix {
    let mut m = Matrix::IDENTITY;
    if operands.len() == 6 {
        for (slot, operand) in m.0.iter_mut().zip(operands) {
            *slot = number(operand).unwrap_or(0.0);
        }
    }
    m
}
