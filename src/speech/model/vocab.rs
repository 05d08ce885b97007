//! The token table: CTranslate2 stores GPT-2's byte-level tokens as text
//! (each byte mapped to a printable character); ggml files store raw bytes.

use std::collections::HashMap;

use super::ModelError;

/// Ordinary (non-special) tokens: whisper.cpp adds `<|endoftext|>` and the
/// other specials itself from the model's vocabulary size.
pub const TEXT_TOKENS: usize = 50_256;

/// GPT-2's `bytes_to_unicode`, inverted: printable bytes map to themselves,
/// the rest to U+0100 onwards in byte order.
fn char_to_byte() -> HashMap<char, u8> {
    let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
    let mut map = HashMap::with_capacity(256);
    let mut next = 0u32;
    for b in 0..=255u8 {
        let c = if printable(b) {
            char::from(b)
        } else {
            next += 1;
            // 256 + n is always a valid scalar value (below the surrogates).
            char::from_u32(255 + next).unwrap_or(char::REPLACEMENT_CHARACTER)
        };
        map.insert(c, b);
    }
    map
}

/// The raw bytes of the first [`TEXT_TOKENS`] lines of `vocabulary.txt`.
pub fn decode(text: &str) -> Result<Vec<Vec<u8>>, ModelError> {
    let table = char_to_byte();
    let mut tokens = Vec::with_capacity(TEXT_TOKENS);
    for (id, line) in text.split('\n').take(TEXT_TOKENS).enumerate() {
        let bytes = line
            .chars()
            .map(|c| table.get(&c).copied())
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| {
                ModelError::Invalid(format!(
                    "vocabulary.txt line {}: {line:?} is not a byte-level token",
                    id + 1
                ))
            })?;
        tokens.push(bytes);
    }
    if tokens.len() < TEXT_TOKENS {
        return Err(ModelError::Invalid(format!(
            "vocabulary.txt has {} lines; a Whisper vocabulary has at least {TEXT_TOKENS}",
            tokens.len()
        )));
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_table_covers_all_bytes_once() {
        let table = char_to_byte();
        assert_eq!(table.len(), 256);
        // GPT-2 maps the space to 'Ġ' (U+0120) and newline to 'Ċ' (U+010A).
        assert_eq!(table[&'Ġ'], b' ');
        assert_eq!(table[&'Ċ'], b'\n');
        assert_eq!(table[&'!'], b'!');
        assert_eq!(table[&'Ā'], 0);
    }

    #[test]
    fn tokens_decode_to_raw_bytes_and_short_files_are_refused() {
        let mut text: Vec<String> = (0..TEXT_TOKENS).map(|_| "a".to_owned()).collect();
        text[1] = "Ġhello".into();
        text[2] = "Ã©".into(); // "é" in UTF-8, byte by byte
        let tokens = decode(&text.join("\n")).unwrap();
        assert_eq!(tokens[1], b" hello");
        assert_eq!(tokens[2], "é".as_bytes());
        let err = decode("a\nb").unwrap_err().to_string();
        assert!(err.contains("2 lines"), "{err}");
        let err = decode("a\n\u{4e2d}").unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
    }
}
