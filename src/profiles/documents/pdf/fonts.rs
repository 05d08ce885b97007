//! A page's fonts: how to turn a string's bytes into Unicode (lopdf's
//! encodings, ToUnicode maps included) and how wide each glyph is, which
//! tells where a string ends and so where a word gap is.

use std::collections::BTreeMap;

use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};

use crate::profiles::documents::DocumentError;

/// A glyph whose width the font does not give: about an average letter of
/// the standard fonts, which may leave their widths out.
const DEFAULT_WIDTH: f64 = 500.0;

/// A /W range wider than this is damaged: no font has more glyphs.
const MAX_CID: i64 = 0xFFFF;

pub(super) struct Font<'d> {
    pub encoding: Encoding<'d>,
    /// Composite (Type0) fonts use two-byte codes, the rest one byte.
    two_byte: bool,
    widths: Widths,
}

/// Glyph widths in thousandths of an em.
enum Widths {
    /// /FirstChar and /Widths of a simple font.
    Simple { first: i64, widths: Vec<f64> },
    /// A CID font's /W: ranges of codes, keyed by first code, to (last,
    /// width); codes outside them have the default width.
    Cid {
        ranges: BTreeMap<i64, (i64, f64)>,
        default: f64,
    },
}

/// The fonts a page's resources name, by resource name.
pub(super) fn of_page(
    document: &Document,
    page: ObjectId,
    limit: usize,
) -> Result<BTreeMap<Vec<u8>, Font<'_>>, DocumentError> {
    let fonts = document
        .get_page_fonts(page)
        .map_err(|_| DocumentError::corrupt("a page's fonts could not be read"))?;
    let mut out = BTreeMap::new();
    for (name, dict) in fonts {
        // Only a decompression bomb is an error here: lopdf falls back to
        // the standard encoding for anything else it cannot read.
        let encoding = dict
            .get_font_encoding_with_limit(document, limit)
            .map_err(|_| DocumentError::corrupt("a font's character map could not be read"))?;
        let two_byte = matches!(dict.get(b"Subtype").and_then(Object::as_name), Ok(b"Type0"));
        let widths = if two_byte {
            cid_widths(document, dict)
        } else {
            simple_widths(document, dict)
        };
        out.insert(
            name,
            Font {
                encoding,
                two_byte,
                widths,
            },
        );
    }
    Ok(out)
}

impl Font<'_> {
    pub fn is_single_byte(&self) -> bool {
        !self.two_byte
    }

    /// The character codes of a string.
    pub fn codes<'b>(&self, bytes: &'b [u8]) -> impl Iterator<Item = i64> + 'b {
        let step = if self.two_byte { 2 } else { 1 };
        bytes.chunks_exact(step).map(|code| {
            code.iter()
                .fold(0i64, |value, &byte| value * 256 + i64::from(byte))
        })
    }

    /// A glyph's advance in thousandths of an em.
    pub fn width(&self, code: i64) -> f64 {
        self.widths.get(code)
    }
}

impl Widths {
    fn get(&self, code: i64) -> f64 {
        match self {
            Widths::Simple { first, widths } => code
                .checked_sub(*first)
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| widths.get(i).copied())
                .unwrap_or(DEFAULT_WIDTH),
            Widths::Cid { ranges, default } => ranges
                .range(..=code)
                .next_back()
                .filter(|(_, (last, _))| code <= *last)
                .map_or(*default, |(_, (_, width))| *width),
        }
    }
}

fn resolve<'d>(document: &'d Document, object: &'d Object) -> Option<&'d Object> {
    document.dereference(object).ok().map(|(_, object)| object)
}

fn get<'d>(document: &'d Document, dict: &'d Dictionary, key: &[u8]) -> Option<&'d Object> {
    resolve(document, dict.get(key).ok()?)
}

fn number(document: &Document, object: &Object) -> Option<f64> {
    match resolve(document, object)? {
        Object::Integer(i) => Some(*i as f64),
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

fn simple_widths(document: &Document, font: &Dictionary) -> Widths {
    let first = get(document, font, b"FirstChar")
        .and_then(|o| o.as_i64().ok())
        .unwrap_or(0);
    // Type 3 glyphs are measured in their own glyph space: FontMatrix maps
    // it to text space, whose thousandths the widths are kept in.
    let scale = match get(document, font, b"FontMatrix").and_then(|o| o.as_array().ok()) {
        Some(m) if matches!(font.get(b"Subtype").and_then(Object::as_name), Ok(b"Type3")) => m
            .first()
            .and_then(|a| number(document, a))
            .map_or(1.0, |a| a * 1000.0),
        _ => 1.0,
    };
    let widths = get(document, font, b"Widths")
        .and_then(|o| o.as_array().ok())
        .map(|widths| {
            widths
                .iter()
                .map(|w| number(document, w).unwrap_or(DEFAULT_WIDTH) * scale)
                .collect()
        })
        .unwrap_or_default();
    Widths::Simple { first, widths }
}

/// /W holds two forms, mixed: `c [w1 w2 ...]` for codes c, c+1, ... and
/// `c_first c_last w` for a range of one width. Codes it leaves out have
/// the descendant font's /DW. Overlapping entries (a damaged font) only
/// give some width, never an error.
fn cid_widths(document: &Document, font: &Dictionary) -> Widths {
    let mut ranges = BTreeMap::new();
    let descendant = get(document, font, b"DescendantFonts")
        .and_then(|o| o.as_array().ok())
        .and_then(|fonts| fonts.first())
        .and_then(|f| resolve(document, f))
        .and_then(|f| f.as_dict().ok());
    let Some(descendant) = descendant else {
        return Widths::Cid {
            ranges,
            default: 1000.0,
        };
    };
    let default = get(document, descendant, b"DW")
        .and_then(|o| number(document, o))
        .unwrap_or(1000.0);
    let entries = get(document, descendant, b"W").and_then(|o| o.as_array().ok());
    let entries: Vec<&Object> = entries
        .into_iter()
        .flatten()
        .filter_map(|o| resolve(document, o))
        .collect();
    let code = |o: &Object| o.as_i64().ok().filter(|c| (0..=MAX_CID).contains(c));
    let mut i = 0;
    while i < entries.len() {
        match (entries.get(i), entries.get(i + 1), entries.get(i + 2)) {
            (Some(&first), Some(Object::Array(widths)), _) => {
                if let Some(first) = code(first) {
                    for (k, w) in (first..=MAX_CID).zip(widths) {
                        if let Some(w) = number(document, w) {
                            ranges.insert(k, (k, w));
                        }
                    }
                }
                i += 2;
            }
            (Some(&first), Some(&last), Some(&width)) => {
                if let (Some(first), Some(last), Some(w)) =
                    (code(first), code(last), number(document, width))
                    && first <= last
                {
                    ranges.insert(first, (last, w));
                }
                i += 3;
            }
            _ => break,
        }
    }
    Widths::Cid { ranges, default }
}

#[cfg(test)]
mod tests {
    use lopdf::{Document, Object, dictionary};

    use super::*;

    /// Chromium and Google Docs write both forms of /W in one array, and
    /// leave most glyphs to /DW 0. Reading `c_first c_last w` wrongly (as
    /// pdf-extract 0.12 does) makes spaces zero-wide and splits words.
    #[test]
    fn cid_widths_read_both_forms_of_w_and_the_default_between_them() {
        let mut doc = Document::with_version("1.5");
        let descendant = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType2", "DW" => 0,
            "W" => vec![
                0.into(), vec![Object::Real(600.5)].into(),
                3.into(), 17.into(), 318.into(),
                19.into(), vec![636.into(), 700.into()].into(),
            ],
        });
        let font = dictionary! {
            "Type" => "Font", "Subtype" => "Type0",
            "DescendantFonts" => vec![descendant.into()],
        };
        let widths = cid_widths(&doc, &font);
        let expected = [
            (0, 600.5),
            (1, 0.0),
            (3, 318.0),
            (17, 318.0),
            (18, 0.0),
            (19, 636.0),
            (20, 700.0),
            (21, 0.0),
        ];
        for (code, width) in expected {
            assert_eq!(widths.get(code), width, "code {code}");
        }
    }

    #[test]
    fn a_damaged_w_array_gives_widths_not_a_panic() {
        let mut doc = Document::with_version("1.5");
        let descendant = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "CIDFontType2",
            "W" => vec![5.into(), 2.into(), 9.into(), (-1).into(), vec![].into(), 7.into()],
        });
        let font = dictionary! { "DescendantFonts" => vec![descendant.into()] };
        let widths = cid_widths(&doc, &font);
        assert_eq!(widths.get(5), 1000.0);
    }
}
