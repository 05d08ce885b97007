//! The one shape every format's text takes: see the parent module's doc.

/// Bullet glyphs that start a list item: the common Unicode ones and the
/// private-use code points of the Symbol and Wingdings bullets that Word
/// résumés export to PDF.
const BULLETS: &[char] = &[
    '•', '▪', '◦', '·', '‣', '●', '○', '■', '□', '►', '▸', '➢', '✓', '✔', '\u{F0B7}', '\u{F0A7}',
    '\u{F076}', '\u{F0D8}', '\u{F0FC}',
];

/// Normalised text: see the module doc.
pub(super) fn normalise(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(raw.len());
    let mut blank_before = false;
    for line in raw.split('\n') {
        let Some(line) = tidy(line) else {
            continue;
        };
        if line.is_empty() {
            blank_before = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push('\n');
            if blank_before {
                out.push('\n');
            }
        }
        blank_before = false;
        out.push_str(&line);
    }
    out
}

/// One line: whitespace collapsed and trimmed, ligatures spelled out, a
/// leading bullet made "- ". A bullet with nothing after it is no line at
/// all (None), not a blank one: a PDF can draw a bullet apart from its text.
fn tidy(line: &str) -> Option<String> {
    let mut words = String::with_capacity(line.len());
    let mut space = false;
    for c in line.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !words.is_empty();
            continue;
        }
        if matches!(c, '\u{AD}' | '\u{200B}' | '\u{FEFF}') {
            // Soft hyphens and zero-width marks: invisible, and they split words.
            continue;
        }
        if space {
            words.push(' ');
            space = false;
        }
        match c {
            '\u{FB00}' => words.push_str("ff"),
            '\u{FB01}' => words.push_str("fi"),
            '\u{FB02}' => words.push_str("fl"),
            '\u{FB03}' => words.push_str("ffi"),
            '\u{FB04}' => words.push_str("ffl"),
            '\u{FB05}' | '\u{FB06}' => words.push_str("st"),
            c => words.push(c),
        }
    }
    let item = match words.chars().next() {
        Some(c) if BULLETS.contains(&c) => Some(&words[c.len_utf8()..]),
        // An ASCII dash or star is a bullet only before a space: "-5 °C" and
        // "*nix" are text.
        Some('-' | '*') if words[1..].starts_with(' ') => Some(&words[1..]),
        _ => None,
    };
    match item.map(str::trim_start) {
        Some("") => None,
        Some(rest) => Some(format!("- {rest}")),
        None => Some(words),
    }
}
