//! `[sessions]`: how long an idle session stays loaded.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// Seconds a session with no socket stays loaded before it is unloaded
    /// (it reloads from the store on the next connection).
    pub idle_unload_seconds: u64,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            idle_unload_seconds: 300,
        }
    }
}
