//! The wall clock, in the engine's units. The engine itself reads no clock:
//! its callers pass the time in (see `interview`).

use crate::interview::Millis;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}
