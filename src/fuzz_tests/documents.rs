//! Résumé uploads: any bytes sent as a PDF, a .docx or text, and damaged
//! copies of well-formed files of each kind. Whatever comes in, `extract`
//! returns text or an error; text it returns is within the limit and
//! normalised.
//!
//! A parser's panic is turned into an error inside `extract`, so this also
//! checks that the turning works for every input, and the quiet panic hook
//! keeps the run's output clean.

use std::io::Write;

use proptest::prelude::*;

use super::{apply, damages};
use crate::profiles::documents::{MediaType, extract};

const MAX_CHARS: usize = 2_000;

/// A small PDF written by hand and left uncompressed, so damage lands in
/// its syntax: a Helvetica line placed by Td, a line of TJ kerning, and a
/// Type0 font with a /W array and a ToUnicode map. No xref table: lopdf
/// rebuilds it, which is one more path to exercise.
const PDF: &[u8] = b"%PDF-1.4
1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj
2 0 obj <</Type/Pages/Kids[3 0 R]/Count 1>> endobj
3 0 obj <</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 5 0 R
/Resources<</Font<</F1 4 0 R/F2 6 0 R>>>>>> endobj
4 0 obj <</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>> endobj
5 0 obj <</Length 122>> stream
BT /F1 11 Tf 72 760 Td (Ada M\xfcller) Tj 0 -14 Td [(Sof) -20 (tware) -333 (Engineer)] TJ
/F2 10 Tf 0 -14 Td <00240003> Tj ET
endstream endobj
6 0 obj <</Type/Font/Subtype/Type0/BaseFont/X/Encoding/Identity-H
/DescendantFonts[7 0 R]/ToUnicode 8 0 R>> endobj
7 0 obj <</Type/Font/Subtype/CIDFontType2/BaseFont/X/DW 0/W[0[600]3 17 318 36[700 0 600]]>> endobj
8 0 obj <</Length 351>> stream
/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
2 beginbfchar
<0024> <0041>
<0003> <0020>
endbfchar
endcmap
CMapName currentdict /CMap defineresource pop
end
end
endstream endobj
trailer <</Root 1 0 R/Size 9>>
%%EOF
";

/// A small document.xml: split runs, a tab, a break (at the paragraph's
/// end, so a blank line), a table, entities and a text box with its
/// fallback copy.
const DOCUMENT_XML: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>
<w:p><w:r><w:t>Ada</w:t></w:r><w:r><w:t xml:space="preserve"> Mül</w:t></w:r><w:r><w:t>ler</w:t><w:tab/><w:t>R&amp;D</w:t><w:br/></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>2020</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>&#x2022; Rust</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>Box</w:t></w:r></w:p></w:txbxContent></mc:Choice><mc:Fallback><w:t>Box</w:t></mc:Fallback></mc:AlternateContent></w:r></w:p>
</w:body></w:document>"#;

/// A .docx holding this document.xml (stored, not deflated: damage to the
/// zip then lands in the XML as often as in the zip's own records).
fn docx(document_xml: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("[Content_Types].xml", stored).unwrap();
    zip.write_all(b"<Types/>").unwrap();
    zip.start_file("word/document.xml", stored).unwrap();
    zip.write_all(document_xml).unwrap();
    zip.finish().unwrap().into_inner()
}

fn media() -> impl Strategy<Value = MediaType> {
    prop_oneof![
        Just(MediaType::Pdf),
        Just(MediaType::Docx),
        Just(MediaType::Text)
    ]
}

/// What must hold of any text `extract` returns.
fn check(text: &str) -> Result<(), TestCaseError> {
    prop_assert!(!text.is_empty());
    prop_assert!(text.chars().count() <= MAX_CHARS);
    prop_assert!(!text.contains('\r') && !text.contains("\n\n\n"));
    for line in text.lines() {
        prop_assert_eq!(line, line.trim());
        prop_assert!(!line.contains("  "));
    }
    Ok(())
}

proptest! {
    #![proptest_config(super::config())]

    #[test]
    fn any_bytes_as_any_type_give_text_or_an_error(
        media in media(),
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        if let Ok(text) = extract(media, &bytes, MAX_CHARS) {
            check(&text)?;
        }
    }

    #[test]
    fn a_damaged_pdf_gives_text_or_an_error(damage in prop::option::of(damages())) {
        let bytes = match &damage {
            Some(d) => apply(PDF, d),
            None => PDF.to_vec(),
        };
        let outcome = extract(MediaType::Pdf, &bytes, MAX_CHARS);
        if let Ok(text) = &outcome {
            check(text)?;
        }
        if damage.is_none() {
            prop_assert_eq!(
outcome.unwrap(), "Ada Müller\nSoftware Engineer\nA");
        }
    }

    #[test]
    fn a_damaged_docx_or_its_damaged_xml_gives_text_or_an_error(
        zip_damage in prop::option::of(damages()),
        xml_damage in prop::option::of(damages()),
    ) {
        let xml = match &xml_damage {
            Some(d) => apply(DOCUMENT_XML.as_bytes(), d),
            None => DOCUMENT_XML.as_bytes().to_vec(),
        };
        let file = docx(&xml);
        let bytes = match &zip_damage {
            Some(d) => apply(&file, d),
            None => file,
        };
        let outcome = extract(MediaType::Docx, &bytes, MAX_CHARS);
        if let Ok(text) = &outcome {
            check(text)?;
        }
        if zip_damage.is_none() && xml_damage.is_none() {
            prop_assert_eq!(outcome.unwrap(), "Ada Müller R&D\n\n2020\n- Rust\nBox");
        }
    }

    #[test]
    fn damaged_utf8_text_gives_text_or_an_error(
        text in "(\\PC|[ \t\r\n•]){0,300}",
        damage in damages(),
    ) {
        let bytes = apply(text.as_bytes(), &damage);
        if let Ok(text) = extract(MediaType::Text, &bytes, MAX_CHARS) {
            check(&text)?;
        }
    }
}
