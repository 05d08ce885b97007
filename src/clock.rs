//! The wall clock, in the engine's units. The engine itself reads no clock:
//! its callers pass the time in (see `interview`).

/// Milliseconds: since the Unix epoch for an instant, or a span of them.
pub type Millis = i64;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> Millis {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as Millis)
}
