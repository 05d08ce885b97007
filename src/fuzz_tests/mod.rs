//! Fuzz-style tests of every parser of untrusted input: client messages,
//! content files, LLM grader replies, WAV files and PCM frames, the model
//! files the importer reads, and uploaded résumés (PDF, .docx, text). Each
//! runs a bounded number of generated cases (proptest, shrinking a failure
//! to a small input) and asserts only what
//! must hold for any input: an error or a value, never a panic, and no
//! allocation sized by a length the input claims.
//!
//! A failure found here is fixed in the parser and kept as a named
//! regression test beside these.

mod audio;
mod content;
mod documents;
mod llm_reply;
mod model;
mod protocol;

use proptest::prelude::*;

/// Cases per property: enough to find shallow panics on every run, few
/// enough to keep `cargo test` quick in a debug build.
pub const CASES: u32 = 256;

pub fn config() -> ProptestConfig {
    ProptestConfig {
        cases: CASES,
        // Failures are reported with their seed; CI keeps no state between runs.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Ways to damage a well-formed file: cut it short, overwrite bytes, or
/// plant a huge little-endian u32 (a claimed length) somewhere in it.
#[derive(Clone, Debug)]
pub enum Damage {
    Truncate(prop::sample::Index),
    Overwrite(prop::sample::Index, Vec<u8>),
    HugeU32(prop::sample::Index, u32),
    Insert(prop::sample::Index, Vec<u8>),
}

pub fn damage() -> impl Strategy<Value = Damage> {
    let index = any::<prop::sample::Index>();
    prop_oneof![
        index.clone().prop_map(Damage::Truncate),
        (index.clone(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, b)| Damage::Overwrite(i, b)),
        (
            index.clone(),
            prop_oneof![
                Just(u32::MAX),
                Just(0xF000_0000),
                Just(1 << 31),
                any::<u32>()
            ]
        )
            .prop_map(|(i, v)| Damage::HugeU32(i, v)),
        (index, prop::collection::vec(any::<u8>(), 1..16)).prop_map(|(i, b)| Damage::Insert(i, b)),
    ]
}

pub fn apply(bytes: &[u8], damages: &[Damage]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for d in damages {
        if out.is_empty() {
            break;
        }
        match d {
            Damage::Truncate(i) => out.truncate(i.index(out.len())),
            Damage::Overwrite(i, b) => {
                let at = i.index(out.len());
                for (k, byte) in b.iter().enumerate() {
                    if let Some(slot) = out.get_mut(at + k) {
                        *slot = *byte;
                    }
                }
            }
            Damage::HugeU32(i, v) => {
                let at = i.index(out.len());
                for (k, byte) in v.to_le_bytes().iter().enumerate() {
                    if let Some(slot) = out.get_mut(at + k) {
                        *slot = *byte;
                    }
                }
            }
            Damage::Insert(i, b) => {
                let at = i.index(out.len());
                out.splice(at..at, b.iter().copied());
            }
        }
    }
    out
}

pub fn damages() -> impl Strategy<Value = Vec<Damage>> {
    prop::collection::vec(damage(), 1..4)
}
