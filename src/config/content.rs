//! `[content]`: where the loops, banks and rubrics come from.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContentConfig {
    /// A directory holding `prompts/` and `rubrics/`; unset means the content
    /// built into the binary.
    pub dir: Option<PathBuf>,
}
