//! Résumés read into text: real PDFs and .docx files made here (lopdf and
//! the zip writer, nothing checked in), their lines compared verbatim, and
//! each kind of bad file refused with its own error.
//!
//! `resume_pdf` and `resume_docx` are for any test that needs a résumé file.

use std::io::{Cursor, Write};

use lopdf::content::{Content, Operation};
use lopdf::{
    Document, EncryptionState, EncryptionVersion, Object, Permissions, Stream, dictionary,
};
use mockloop::profiles::documents::{DocumentError, MediaType, extract};

const MAX: usize = 20_000;

/// A one-page PDF, one line of 11 pt Helvetica per entry, each placed by
/// its own Td in a single text block (as pdfTeX writes a page). Lines are
/// written in WinAnsiEncoding, so "Zürich" and "•" are fine; a character
/// outside it panics.
pub fn resume_pdf(lines: &[&str]) -> Vec<u8> {
    let mut page = vec![
        op("BT", vec![]),
        op("Tf", vec!["F1".into(), 11.into()]),
        op("Td", vec![72.into(), 760.into()]),
    ];
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            page.push(op("Td", vec![0.into(), (-14).into()]));
        }
        page.push(op("Tj", vec![Object::string_literal(win_ansi(line))]));
    }
    page.push(op("ET", vec![]));
    pdf(vec![page])
}

/// A .docx with one paragraph of one run per entry.
pub fn resume_docx(paragraphs: &[&str]) -> Vec<u8> {
    let body: String = paragraphs
        .iter()
        .map(|p| {
            format!(
                r#"<w:p><w:r><w:t xml:space="preserve">{}</w:t></w:r></w:p>"#,
                escape(p)
            )
        })
        .collect();
    docx(&body)
}

fn op(operator: &str, operands: Vec<Object>) -> Operation {
    Operation::new(operator, operands)
}

fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '•' => 0x95,
            '–' => 0x96,
            c if (c as u32) < 0x80 || (0xA0..=0xFF).contains(&(c as u32)) => c as u8,
            c => panic!("{c:?} is not in WinAnsiEncoding"),
        })
        .collect()
}

/// A PDF of these pages. Its resources: F1, Helvetica without widths (a
/// standard font may leave them out); F2, Courier with its widths (600 for
/// every glyph); Im1, a one-pixel grey image.
fn pdf(pages: Vec<Vec<Operation>>) -> Vec<u8> {
    let mut doc = pdf_document(pages);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn pdf_document(pages: Vec<Vec<Operation>>) -> Document {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let helvetica = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let courier = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier",
        "Encoding" => "WinAnsiEncoding", "FirstChar" => 32, "LastChar" => 255,
        "Widths" => vec![Object::Integer(600); 224],
    });
    let image = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 1, "Height" => 1,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![0x80],
    ));
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => helvetica, "F2" => courier },
        "XObject" => dictionary! { "Im1" => image },
    });
    let mut kids = Vec::new();
    for operations in pages {
        let content = Content { operations }.encode().unwrap();
        let content = doc.add_object(Stream::new(dictionary! {}, content));
        kids.push(Object::Reference(doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        })));
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count, "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.compress();
    doc
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#;

/// A .docx whose body is this XML (inside `w:body`).
fn docx(body: &str) -> Vec<u8> {
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>{body}<w:sectPr/></w:body></w:document>"#
    );
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ])
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in parts {
        zip.start_file(*name, deflated).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

fn lines(media: MediaType, bytes: &[u8]) -> Vec<String> {
    match extract(media, bytes, MAX) {
        Ok(text) => text.lines().map(str::to_owned).collect(),
        Err(error) => panic!("{error}"),
    }
}

fn refused(media: MediaType, bytes: &[u8]) -> DocumentError {
    match extract(media, bytes, MAX) {
        Ok(text) => panic!("read {} chars instead of refusing", text.len()),
        Err(error) => error,
    }
}

#[test]
fn a_pdf_reads_one_line_per_line_of_type_with_its_bullet_and_accents() {
    let bytes = resume_pdf(&[
        "Ada Müller",
        "Senior Engineer, Zürich",
        "",
        "•   Led a team of five",
        "- Cut p99   latency by 80%",
    ]);
    assert_eq!(
        lines(MediaType::Pdf, &bytes),
        [
            "Ada Müller",
            "Senior Engineer, Zürich",
            "- Led a team of five",
            "- Cut p99 latency by 80%",
        ]
    );
}

#[test]
fn a_pdf_line_drawn_in_pieces_reads_as_its_words() {
    // pdfTeX spaces words with TJ kerning; Chromium splits a word at a
    // kerning pair and places the rest with Td from the line's start.
    let page = vec![
        op("BT", vec![]),
        op("Tf", vec!["F2".into(), 10.into()]),
        op("Td", vec![72.into(), 700.into()]),
        op(
            "TJ",
            vec![Object::Array(vec![
                Object::string_literal("Sof"),
                Object::Integer(-20),
                Object::string_literal("tware"),
                Object::Integer(-333),
                Object::string_literal("Engineer"),
            ])],
        ),
        op("Td", vec![0.into(), (-12).into()]),
        op("Tj", vec![Object::string_literal("Ru")]),
        // "Ru" is 12 pt wide in 10 pt Courier: "st" starts where it ends.
        op("Td", vec![12.into(), 0.into()]),
        op("Tj", vec![Object::string_literal("st,")]),
        op("Td", vec![30.into(), 0.into()]),
        op("Tj", vec![Object::string_literal("Go")]),
        op("ET", vec![]),
    ];
    assert_eq!(
        lines(MediaType::Pdf, &pdf(vec![page])),
        ["Software Engineer", "Rust, Go"]
    );
}

#[test]
fn a_pdf_reads_its_pages_in_order() {
    let page = |text: &str| {
        vec![
            op("BT", vec![]),
            op("Tf", vec!["F1".into(), 11.into()]),
            op("Td", vec![72.into(), 700.into()]),
            op("Tj", vec![Object::string_literal(text)]),
            op("ET", vec![]),
        ]
    };
    let bytes = pdf(vec![page("Experience"), page("Education")]);
    assert_eq!(lines(MediaType::Pdf, &bytes), ["Experience", "Education"]);
}

#[test]
fn a_pdf_of_only_an_image_has_no_text_layer() {
    let scan = vec![
        op("q", vec![]),
        op("cm", [500, 0, 0, 700, 40, 70].map(Object::from).to_vec()),
        op("Do", vec!["Im1".into()]),
        op("Q", vec![]),
    ];
    let error = refused(MediaType::Pdf, &pdf(vec![scan]));
    assert!(matches!(error, DocumentError::NoTextLayer), "{error:?}");
    assert_eq!(error.code(), "no_text_layer");
}

fn encrypted(user_password: &str) -> Vec<u8> {
    let mut doc = pdf_document(vec![vec![
        op("BT", vec![]),
        op("Tf", vec!["F1".into(), 11.into()]),
        op("Tj", vec![Object::string_literal("Secret résumé")]),
        op("ET", vec![]),
    ]]);
    doc.trailer
        .set("ID", vec![Object::string_literal(vec![7u8; 16]); 2]);
    let state = EncryptionState::try_from(EncryptionVersion::V2 {
        document: &doc,
        owner_password: "owner",
        user_password,
        key_length: 128,
        permissions: Permissions::all(),
    })
    .unwrap();
    doc.encrypt(&state).unwrap();
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

#[test]
fn a_password_protected_pdf_is_refused_as_encrypted() {
    let bytes = encrypted("secret");
    assert!(bytes.windows(8).any(|w| w == b"/Encrypt"));
    let error = refused(MediaType::Pdf, &bytes);
    assert!(matches!(error, DocumentError::Encrypted), "{error:?}");
    assert!(error.to_string().contains("password"), "{error}");
}

#[test]
fn a_pdf_restricted_by_an_owner_password_only_is_refused_too() {
    let error = refused(MediaType::Pdf, &encrypted(""));
    assert!(matches!(error, DocumentError::Encrypted), "{error:?}");
}

#[test]
fn a_truncated_pdf_and_random_bytes_are_corrupt() {
    let whole = resume_pdf(&["Ada Müller", "Engineer"]);
    let truncated = &whole[..whole.len() / 2];
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for bytes in [truncated, &random[..], b"%PDF-1.7\n"] {
        let error = refused(MediaType::Pdf, bytes);
        assert!(matches!(error, DocumentError::Corrupt(_)), "{error:?}");
    }
}

#[test]
fn a_pdf_of_more_pages_than_a_resume_is_refused_before_reading_them() {
    let page = vec![
        op("BT", vec![]),
        op("Tf", vec!["F1".into(), 11.into()]),
        op("Tj", vec![Object::string_literal("Publication")]),
        op("ET", vec![]),
    ];
    let error = refused(MediaType::Pdf, &pdf(vec![page; 51]));
    assert!(error.to_string().contains("51 pages"), "{error}");
    assert_eq!(error.code(), "corrupt");
}

#[test]
fn a_docx_reads_its_paragraphs_runs_tabs_breaks_and_table_cells() {
    let body = r#"
        <w:p><w:pPr><w:tabs><w:tab w:val="right" w:pos="9000"/></w:tabs></w:pPr>
          <w:r><w:t>Ada</w:t></w:r><w:r><w:t xml:space="preserve"> Mül</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>ler</w:t></w:r>
          <w:r><w:tab/><w:t>Zürich</w:t></w:r></w:p>
        <w:p/>
        <w:p><w:r><w:t>• Rust &amp; Go</w:t><w:br/><w:t>Kafka</w:t></w:r><w:r><w:delText>deleted</w:delText></w:r></w:p>
        <w:p><w:r><w:instrText> HYPERLINK "x" </w:instrText></w:r><w:r><w:t>ada@example.com</w:t></w:r></w:p>
        <w:tbl><w:tr>
          <w:tc><w:p><w:r><w:t>2019–2024</w:t></w:r></w:p></w:tc>
          <w:tc><w:p><w:r><w:t>Staff Engineer</w:t></w:r></w:p><w:p/><w:p><w:r><w:t>- Payments</w:t></w:r></w:p></w:tc>
        </w:tr></w:tbl>
        <w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:txbxContent><w:p><w:r><w:t>In a text box</w:t></w:r></w:p></w:txbxContent></mc:Choice>
          <mc:Fallback><w:txbxContent><w:p><w:r><w:t>In a text box</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>"#;
    assert_eq!(
        lines(MediaType::Docx, &docx(body)),
        [
            "Ada Müller Zürich",
            "",
            "- Rust & Go",
            "Kafka",
            "ada@example.com",
            "2019–2024",
            "Staff Engineer",
            "- Payments",
            "In a text box",
        ]
    );
}

#[test]
fn resume_docx_gives_back_each_paragraph() {
    let paragraphs = ["Ada Müller", "Engineer <Rust & Go>", "• Payments"];
    assert_eq!(
        lines(MediaType::Docx, &resume_docx(&paragraphs)),
        ["Ada Müller", "Engineer <Rust & Go>", "- Payments"]
    );
}

#[test]
fn a_zip_without_a_document_a_non_zip_and_an_old_doc_are_corrupt() {
    let no_document = zip_of(&[("[Content_Types].xml", CONTENT_TYPES.as_bytes())]);
    let old_doc = [
        &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1][..],
        &[0; 504],
    ]
    .concat();
    for bytes in [&no_document[..], b"PK but not a zip at all", &old_doc] {
        let error = refused(MediaType::Docx, bytes);
        assert!(matches!(error, DocumentError::Corrupt(_)), "{error:?}");
    }
}

#[test]
fn a_docx_with_bad_xml_is_corrupt() {
    let error = refused(MediaType::Docx, &docx("<w:p><w:r><w:t>open</w:r></w:p>"));
    assert!(matches!(error, DocumentError::Corrupt(_)), "{error:?}");
}

#[test]
fn a_password_protected_office_file_is_encrypted() {
    // Office encrypts a .docx into an OLE compound file whose directory
    // names an EncryptedPackage stream (UTF-16LE).
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(1024, 0);
    ole.extend("EncryptedPackage".encode_utf16().flat_map(u16::to_le_bytes));
    ole.resize(2048, 0);
    let error = refused(MediaType::Docx, &ole);
    assert!(matches!(error, DocumentError::Encrypted), "{error:?}");
}

#[test]
fn a_docx_whose_document_inflates_past_the_bound_is_refused() {
    // 64 MiB of one paragraph's spaces deflate to about 64 KiB.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("word/document.xml", deflated).unwrap();
    zip.write_all(b"<w:document><w:body><w:p><w:r><w:t>")
        .unwrap();
    let spaces = vec![b' '; 1 << 20];
    for _ in 0..64 {
        zip.write_all(&spaces).unwrap();
    }
    zip.write_all(b"</w:t></w:r></w:p></w:body></w:document>")
        .unwrap();
    let bomb = zip.finish().unwrap().into_inner();
    assert!(bomb.len() < 1 << 20, "{} bytes", bomb.len());
    let error = refused(MediaType::Docx, &bomb);
    assert!(error.to_string().contains("MiB"), "{error}");
}

#[test]
fn text_is_utf8_without_its_bom_and_with_crlf_lines() {
    let bytes = b"\xEF\xBB\xBFAda M\xC3\xBCller\r\n\r\n\r\nEngineer  \r\n";
    assert_eq!(
        lines(MediaType::Text, bytes),
        ["Ada Müller", "", "Engineer"]
    );
}

#[test]
fn latin1_text_is_not_utf8() {
    let error = refused(MediaType::Text, b"Ada M\xFCller");
    assert!(matches!(error, DocumentError::NotUtf8), "{error:?}");
}

#[test]
fn whitespace_only_is_empty() {
    for media in [MediaType::Text, MediaType::Docx] {
        let bytes = match media {
            MediaType::Text => b" \n\t\r\n  ".to_vec(),
            _ => resume_docx(&["   ", "", "\t"]),
        };
        let error = refused(media, &bytes);
        assert!(matches!(error, DocumentError::Empty), "{error:?}");
    }
    assert!(matches!(refused(MediaType::Pdf, b""), DocumentError::Empty));
}

#[test]
fn a_text_over_the_limit_is_too_long_counted_after_normalising() {
    let padded = format!("{}{}", "ab      ".repeat(10), "\n".repeat(50));
    // 10 words of 2 letters and 9 spaces between: 29 characters.
    assert_eq!(
        extract(MediaType::Text, padded.as_bytes(), 29)
            .unwrap()
            .len(),
        29
    );
    match extract(MediaType::Text, padded.as_bytes(), 28) {
        Err(DocumentError::TooLong { chars: 29, max: 28 }) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_text_of_megabytes_is_too_long() {
    let huge = "word ".repeat(2_000_000);
    let error = extract(MediaType::Text, huge.as_bytes(), 1000).unwrap_err();
    assert_eq!(error.code(), "too_long");
}

#[test]
fn errors_never_quote_the_document() {
    let secret = "Ada Secretname";
    let cases = [
        (MediaType::Pdf, resume_pdf(&[secret])[..200].to_vec()),
        (MediaType::Docx, docx(&format!("<w:p><w:t>{secret}</w:p>"))),
        (
            MediaType::Text,
            format!("{secret} {}", "x".repeat(100)).into_bytes(),
        ),
    ];
    for (media, bytes) in cases {
        let error = extract(media, &bytes, 10).unwrap_err();
        assert!(!error.to_string().contains("Secretname"), "{error}");
        assert!(!format!("{error:?}").contains("Secretname"), "{error:?}");
    }
}
