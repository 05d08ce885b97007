//! How many requests one endpoint has in flight, shared by everything in the
//! process that asks it, with the candidate first.
//!
//! The LLM grader and the LLM interviewer ask the same `[llm]` endpoint. With
//! a limit each, both at 4 against a local server with 4 slots, a candidate's
//! next prompt waited 30 s behind background gradings in the server's queue.
//! So both take their turns from one set of lanes per endpoint, `max_concurrency`
//! wide, and background work (grading) may fill all of them but one: an
//! interviewer turn always finds a free lane once the turn before it ends.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use tokio::sync::{Semaphore, SemaphorePermit};

/// Who is asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lane {
    /// A candidate is waiting for this reply (the interviewer's turn).
    Interactive,
    /// Nobody is waiting on it right now (grading).
    Background,
}

pub struct Lanes {
    all: Semaphore,
    /// Background requests take one of these first: one fewer than `all`,
    /// so the last lane stays free for a candidate.
    background: Semaphore,
}

/// A request's place in flight; the lane frees when it is dropped.
pub struct Permit<'a> {
    _background: Option<SemaphorePermit<'a>>,
    _all: Option<SemaphorePermit<'a>>,
}

/// How many of `width` lanes background work may fill: all but one, and at
/// least one.
pub fn background_width(width: usize) -> usize {
    width.saturating_sub(1).max(1)
}

impl Lanes {
    pub fn new(width: usize) -> Lanes {
        Lanes {
            all: Semaphore::new(width.max(1)),
            background: Semaphore::new(background_width(width)),
        }
    }

    /// Waits for a lane. The semaphores are never closed, so this cannot
    /// fail; if it ever did, sending without a permit beats failing.
    pub async fn acquire(&self, lane: Lane) -> Permit<'_> {
        let background = match lane {
            Lane::Background => self.background.acquire().await.ok(),
            Lane::Interactive => None,
        };
        Permit {
            _background: background,
            _all: self.all.acquire().await.ok(),
        }
    }

    /// Lanes free right now.
    #[cfg(test)]
    fn free(&self) -> usize {
        self.all.available_permits()
    }
}

/// The lanes of the endpoint `key` (its address and deployment) at `width`,
/// shared by every provider of this process that asks it.
pub fn for_endpoint(key: &str, width: usize) -> Arc<Lanes> {
    type Registry = Mutex<HashMap<(String, usize), Weak<Lanes>>>;
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    let mut registry = REGISTRY
        .get_or_init(Registry::default)
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    registry.retain(|_, lanes| lanes.strong_count() > 0);
    let slot = registry.entry((key.to_owned(), width)).or_default();
    match slot.upgrade() {
        Some(lanes) => lanes,
        None => {
            let lanes = Arc::new(Lanes::new(width));
            *slot = Arc::downgrade(&lanes);
            lanes
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn background_work_leaves_the_last_lane_to_a_candidate() {
        let lanes = Lanes::new(3);
        let _a = lanes.acquire(Lane::Background).await;
        let _b = lanes.acquire(Lane::Background).await;
        // A third grading waits although a lane is free...
        let third = lanes.acquire(Lane::Background);
        tokio::pin!(third);
        assert!(futures_util::poll!(third.as_mut()).is_pending());
        // ...which a candidate's turn takes at once.
        let turn = lanes.acquire(Lane::Interactive);
        tokio::pin!(turn);
        let taken = futures_util::poll!(turn.as_mut());
        assert!(taken.is_ready());
        assert_eq!(lanes.free(), 0);
        drop(taken);
    }

    #[tokio::test]
    async fn one_lane_is_shared_without_a_reservation() {
        let lanes = Lanes::new(1);
        let held = lanes.acquire(Lane::Background).await;
        let turn = lanes.acquire(Lane::Interactive);
        tokio::pin!(turn);
        assert!(futures_util::poll!(turn.as_mut()).is_pending());
        drop(held);
        assert!(futures_util::poll!(turn.as_mut()).is_ready());
    }

    #[test]
    fn providers_of_one_endpoint_share_its_lanes() {
        let a = for_endpoint("http://127.0.0.1:9/v1", 4);
        let b = for_endpoint("http://127.0.0.1:9/v1", 4);
        let other = for_endpoint("http://127.0.0.1:10/v1", 4);
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &other));
    }
}
