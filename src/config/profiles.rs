//! `[profiles]`: how long a candidate's profile lives unused, and how much of
//! a résumé or a posting it keeps.

use serde::{Deserialize, Serialize};

use super::Bounded;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfilesConfig {
    /// A profile not used for this many days is deleted with its résumé,
    /// posting and links to sessions (a résumé is personal data: it is kept
    /// only while the candidate is preparing).
    pub unused_days: Bounded<u64, 1, 3_650>,
    /// The largest upload, bytes (a résumé PDF with embedded fonts runs to
    /// a few hundred kilobytes).
    pub max_upload_bytes: Bounded<usize, 1_024, { 32 << 20 }>,
    /// The most characters of text kept from one document, counted after
    /// extraction and normalisation (a long résumé is about 8,000).
    pub max_document_chars: Bounded<usize, 100, 1_000_000>,
}

impl Default for ProfilesConfig {
    fn default() -> Self {
        ProfilesConfig {
            unused_days: Bounded::default_of(30),
            max_upload_bytes: Bounded::default_of(5 << 20),
            max_document_chars: Bounded::default_of(40_000),
        }
    }
}
