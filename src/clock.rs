//! The wall clock, in the engine's units. The engine itself reads no clock:
//! its callers pass the time in (see `engine`), and they read it from a
//! [`Clock`] they are given, so a test can move a live session's time.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

/// An instant: milliseconds since the Unix epoch, as events store it. A
/// span of time is a plain `i64` whose name ends in `_ms`.
pub type EpochMs = i64;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> EpochMs {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Where a server's session time comes from: the system's wall clock, or a
/// clock a test moves by hand. Round deadlines are waited for through it,
/// so moving a test clock past one ends the round through the real session
/// task, without sleeping through it.
#[derive(Clone, Debug, Default)]
pub enum Clock {
    #[default]
    System,
    /// Stands still until [`Clock::advance`] moves it.
    Manual(Arc<watch::Sender<EpochMs>>),
}

impl Clock {
    /// A clock that reads `start` until moved.
    pub fn manual(start: EpochMs) -> Clock {
        Clock::Manual(Arc::new(watch::Sender::new(start)))
    }

    pub fn now_ms(&self) -> EpochMs {
        match self {
            Clock::System => now_ms(),
            Clock::Manual(now) => *now.borrow(),
        }
    }

    /// Moves a manual clock forward by `by_ms`, waking whoever waits for a
    /// time it reaches. The system clock cannot be moved: a no-op there.
    pub fn advance(&self, by_ms: i64) {
        if let Clock::Manual(now) = self {
            now.send_modify(|now| *now += by_ms.max(0));
        }
    }

    /// Waits until the clock reads `at` or later.
    pub async fn sleep_until(&self, at: EpochMs) {
        match self {
            Clock::System => {
                let wait = (at - now_ms()).max(0) as u64;
                tokio::time::sleep(Duration::from_millis(wait)).await;
            }
            Clock::Manual(now) => {
                let mut rx = now.subscribe();
                // The sender lives as long as this clock, so this only ends
                // when the time comes.
                let _ = rx.wait_for(|now| *now >= at).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_wakes_a_sleeper_once_moved_past_its_time() {
        use futures_util::FutureExt;
        let clock = Clock::manual(1_000);
        // Polled by hand: each `now_or_never` polls the same wait once.
        let mut sleep = Box::pin(clock.sleep_until(1_500));
        assert!((&mut sleep).now_or_never().is_none(), "done at 1000");
        clock.advance(400);
        assert!((&mut sleep).now_or_never().is_none(), "done at 1400");
        clock.advance(100);
        assert!(
            (&mut sleep).now_or_never().is_some(),
            "still waiting at 1500"
        );
        assert_eq!(clock.now_ms(), 1_500);
    }
}
