use std::io::Read;

use super::*;

#[test]
fn normalising_trims_lines_collapses_spaces_and_keeps_one_blank_line() {
    let raw = "\n\n  Ada   Lovelace \t\r\nLondon\r\n\r\n\n \u{A0}\nAnalyst\u{0}Engine\n\n";
    assert_eq!(normalise(raw), "Ada Lovelace\nLondon\n\nAnalyst Engine");
}

#[test]
fn a_bullet_of_any_glyph_becomes_a_dash_and_a_lone_bullet_no_line() {
    let raw = "• Rust\n▪Go\n◦  SQL\n* Kafka\n- Postgres\n·\n\u{F0B7}\tLed a team";
    assert_eq!(
        normalise(raw),
        "- Rust\n- Go\n- SQL\n- Kafka\n- Postgres\n- Led a team"
    );
}

#[test]
fn a_dash_or_star_without_a_space_is_text_not_a_bullet() {
    assert_eq!(
        normalise("-5 °C\n*nix\n--verbose"),
        "-5 °C\n*nix\n--verbose"
    );
}

#[test]
fn ligatures_are_spelled_out_and_invisible_marks_dropped() {
    assert_eq!(
        normalise("e\u{FB03}cient of\u{FB01}ce\u{AD}r zero\u{200B}width"),
        "efficient officer zerowidth"
    );
}

#[test]
fn content_types_are_read_in_any_case_with_utf8_charsets_only() {
    let ok = [
        ("application/pdf", MediaType::Pdf),
        ("Application/PDF; name=cv.pdf", MediaType::Pdf),
        (DOCX, MediaType::Docx),
        ("text/plain", MediaType::Text),
        ("TEXT/PLAIN; charset=UTF-8", MediaType::Text),
        ("text/plain;charset=\"utf-8\"", MediaType::Text),
        ("text/plain; charset=us-ascii", MediaType::Text),
    ];
    for (value, media) in ok {
        assert_eq!(
            MediaType::from_content_type(value).unwrap(),
            media,
            "{value}"
        );
    }
    for value in [
        "text/plain; charset=iso-8859-1",
        "text/html",
        "application/msword",
        "",
    ] {
        let error = MediaType::from_content_type(value).unwrap_err();
        assert_eq!(error.code(), "unsupported_type", "{value}");
        assert!(error.to_string().contains("PDF"), "{error}");
    }
}

#[test]
fn a_refused_content_type_is_echoed_bounded_and_without_control_characters() {
    let long = format!("x/{}\n", "y".repeat(10_000));
    let DocumentError::UnsupportedType(echoed) = MediaType::from_content_type(&long).unwrap_err()
    else {
        panic!("not UnsupportedType");
    };
    assert_eq!(echoed.chars().count(), MAX_ECHOED_TYPE);
    assert!(!echoed.contains('\n'));
}

/// A reader of endless bytes that counts what was taken from it.
struct Endless {
    read: u64,
}

impl Read for Endless {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        buf.fill(b' ');
        self.read += buf.len() as u64;
        Ok(buf.len())
    }
}

#[test]
fn a_part_past_the_bound_is_refused_having_read_one_byte_past_it() {
    let mut endless = Endless { read: 0 };
    let error = docx::read_bounded(&mut endless, 1 << 20).unwrap_err();
    assert_eq!(error.code(), "corrupt");
    assert_eq!(endless.read, (1 << 20) + 1);
}

#[test]
fn raw_text_stops_growing_at_its_bound_and_says_so() {
    let mut raw = RawText::new(10);
    let chunk = "word ".repeat(1000);
    while !raw.is_full() {
        raw.push(&chunk);
    }
    assert!(raw.text.len() <= raw.limit_bytes);
    raw.push("more");
    assert!(raw.text.len() <= raw.limit_bytes);
}

#[test]
fn a_panicking_parser_is_corrupt_and_the_thread_is_no_longer_marked_parsing() {
    let outcome = quietly("test", || panic!("secret résumé text"));
    let error = outcome.unwrap_err();
    assert_eq!(error.code(), "corrupt");
    assert!(!error.to_string().contains("secret"));
    assert!(!PARSING.with(Cell::get));
}

#[test]
fn too_long_counts_characters_not_bytes() {
    let text = "ü".repeat(10);
    assert_eq!(extract(MediaType::Text, text.as_bytes(), 10).unwrap(), text);
    match extract(MediaType::Text, text.as_bytes(), 9) {
        Err(DocumentError::TooLong { chars: 10, max: 9 }) => {}
        other => panic!("{other:?}"),
    }
}
