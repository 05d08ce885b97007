//! Whose run gets the next free slot.
//!
//! Slots are few (`[sandbox] concurrency`) and a run may hold one for its
//! whole wall-clock limit, so a plain first-come queue let a few sessions
//! looping `time.sleep(100)` make everyone else wait behind each of their
//! runs in turn (the outside review measured 23 s for a trivial run).
//! Here a freed slot goes to the waiting run whose owner (a session) was
//! served longest ago, never-served first; so a newcomer waits at most for
//! the first slot to come free, and a session re-queueing at once only
//! takes its turn after everyone already waiting.
//!
//! Each owner has at most one run waiting, the waiting list is bounded, and
//! nobody waits past a deadline: the refusal says when to try again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::oneshot;

/// Above this many remembered owners, those with nothing waiting are
/// forgotten (they then count as never served).
const FORGET_ABOVE: usize = 1_024;

/// Why a run was not given a slot.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("a previous run of this session is still waiting for the runner")]
    AlreadyWaiting,
    #[error("{waiting} runs are waiting for the runner")]
    Full { waiting: usize },
    #[error("no slot came free in time")]
    TimedOut,
}

pub struct Turns {
    inner: Mutex<Inner>,
    slots: usize,
    /// Runs that may wait at once, across all owners.
    max_waiting: usize,
}

struct Inner {
    /// Slot numbers not in use.
    free: Vec<u32>,
    waiting: Vec<Waiter>,
    /// When each owner was last given a slot (a count of grants).
    served: HashMap<Arc<str>, u64>,
    grants: u64,
    /// Arrival order, to break ties between owners never served.
    arrivals: u64,
}

struct Waiter {
    owner: Arc<str>,
    arrival: u64,
    tx: oneshot::Sender<u32>,
}

/// A place in the queue: leaving it (a deadline, or the caller dropping
/// the future) takes the waiter out, and hands on a slot that reached it
/// too late to be used.
struct Place<'a> {
    turns: &'a Turns,
    arrival: u64,
    /// `None` once a slot was received and used.
    rx: Option<oneshot::Receiver<u32>>,
}

impl Drop for Place<'_> {
    fn drop(&mut self) {
        let Some(mut rx) = self.rx.take() else {
            return;
        };
        let arrival = self.arrival;
        self.turns.lock().waiting.retain(|w| w.arrival != arrival);
        if let Ok(index) = rx.try_recv() {
            self.turns.release(index);
        }
    }
}

/// A slot held; handed to the next waiter when dropped.
pub struct Turn<'a> {
    index: u32,
    turns: &'a Turns,
}

impl Turn<'_> {
    pub fn index(&self) -> u32 {
        self.index
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.turns.release(self.index);
    }
}

impl Turns {
    pub fn new(slots: usize, max_waiting: usize) -> Turns {
        Turns {
            inner: Mutex::new(Inner {
                free: (0..slots as u32).rev().collect(),
                waiting: Vec::new(),
                served: HashMap::new(),
                grants: 0,
                arrivals: 0,
            }),
            slots,
            max_waiting,
        }
    }

    /// A panic elsewhere while holding the lock leaves the lists consistent
    /// (every change is a single push or remove), so keep serving.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs waiting now.
    pub fn waiting(&self) -> usize {
        self.lock().waiting.len()
    }

    /// Slots held now.
    pub fn running(&self) -> usize {
        self.slots - self.lock().free.len()
    }

    /// A slot for `owner`, waiting at most `deadline` for one. Dropping the
    /// future gives up the place in the queue.
    pub async fn take(&self, owner: &str, deadline: Duration) -> Result<Turn<'_>, Refused> {
        let mut place = {
            let mut inner = self.lock();
            if inner.waiting.iter().any(|w| &*w.owner == owner) {
                return Err(Refused::AlreadyWaiting);
            }
            if inner.waiting.is_empty()
                && let Some(index) = inner.free.pop()
            {
                inner.served_now(owner);
                return Ok(Turn { index, turns: self });
            }
            if inner.waiting.len() >= self.max_waiting {
                return Err(Refused::Full {
                    waiting: inner.waiting.len(),
                });
            }
            let (tx, rx) = oneshot::channel();
            inner.arrivals += 1;
            let arrival = inner.arrivals;
            inner.waiting.push(Waiter {
                owner: owner.into(),
                arrival,
                tx,
            });
            Place {
                turns: self,
                arrival,
                rx: Some(rx),
            }
        };
        let rx = place.rx.as_mut().expect("set above");
        let outcome = tokio::time::timeout(deadline, rx).await;
        match outcome {
            Ok(Ok(index)) => {
                place.rx = None;
                Ok(Turn { index, turns: self })
            }
            // The sender is only dropped with the queue itself; dropping
            // the place hands on any slot that came between the deadline
            // and leaving the queue.
            Ok(Err(_)) | Err(_) => Err(Refused::TimedOut),
        }
    }

    /// Hands `index` to the waiter served longest ago, or frees it.
    fn release(&self, index: u32) {
        let mut inner = self.lock();
        let mut index = index;
        while let Some(next) = inner.next() {
            let waiter = inner.waiting.swap_remove(next);
            let owner = Arc::clone(&waiter.owner);
            match waiter.tx.send(index) {
                Ok(()) => {
                    inner.served_now(&owner);
                    return;
                }
                // Its caller gave up (the session ended): try the next.
                Err(returned) => index = returned,
            }
        }
        inner.free.push(index);
    }
}

impl Inner {
    /// The waiter whose owner was served longest ago, earliest among equals.
    fn next(&self) -> Option<usize> {
        self.waiting
            .iter()
            .enumerate()
            .min_by_key(|(_, w)| (self.served.get(&w.owner).copied().unwrap_or(0), w.arrival))
            .map(|(i, _)| i)
    }

    fn served_now(&mut self, owner: &str) {
        self.grants += 1;
        self.served.insert(owner.into(), self.grants);
        if self.served.len() > FORGET_ABOVE {
            let waiting = &self.waiting;
            self.served
                .retain(|o, _| waiting.iter().any(|w| &w.owner == o));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: Duration = Duration::from_secs(60);

    /// Polls `take` until it is queued (it never finishes while every slot
    /// is held), so the order of arrival is the test's.
    async fn queue<'a>(
        turns: &'a Turns,
        owner: &'static str,
    ) -> tokio::task::JoinHandle<Result<u32, Refused>>
    where
        'a: 'static,
    {
        let before = turns.waiting();
        let handle = tokio::spawn(async move {
            turns.take(owner, LONG).await.map(|t| {
                let index = t.index();
                std::mem::forget(t);
                index
            })
        });
        while turns.waiting() == before {
            tokio::task::yield_now().await;
        }
        handle
    }

    fn leaked(slots: usize, max_waiting: usize) -> &'static Turns {
        Box::leak(Box::new(Turns::new(slots, max_waiting)))
    }

    #[tokio::test]
    async fn a_newcomer_goes_before_a_session_that_just_had_its_turn() {
        let turns = leaked(1, 8);
        let a = turns.take("hog-a", LONG).await.unwrap();
        let b = queue(turns, "hog-b").await;
        let c = queue(turns, "hog-c").await;
        drop(a);
        // hog-a re-queues at once, then a newcomer arrives.
        let a_again = queue(turns, "hog-a").await;
        let newcomer = queue(turns, "newcomer").await;
        let slot = b.await.unwrap().unwrap();
        turns.release(slot);
        let slot = c.await.unwrap().unwrap();
        turns.release(slot);
        // First come, first served would give hog-a the slot here.
        let slot = newcomer.await.unwrap().unwrap();
        assert!(!a_again.is_finished(), "hog-a waits for the newcomer");
        turns.release(slot);
        assert_eq!(a_again.await.unwrap(), Ok(0));
    }

    #[tokio::test]
    async fn a_session_waits_for_one_run_at_a_time_and_the_queue_is_bounded() {
        let turns = leaked(1, 2);
        let _held = turns.take("a", LONG).await.unwrap();
        let _b = queue(turns, "b").await;
        assert_eq!(
            turns.take("b", LONG).await.err(),
            Some(Refused::AlreadyWaiting)
        );
        let _c = queue(turns, "c").await;
        assert_eq!(
            turns.take("d", LONG).await.err(),
            Some(Refused::Full { waiting: 2 })
        );
    }

    #[tokio::test]
    async fn a_wait_past_the_deadline_is_refused_and_leaves_the_queue() {
        let turns = Turns::new(1, 4);
        let _held = turns.take("a", LONG).await.unwrap();
        let refused = turns.take("b", Duration::from_millis(20)).await;
        assert_eq!(refused.err(), Some(Refused::TimedOut));
        assert_eq!(turns.waiting(), 0);
    }

    #[tokio::test]
    async fn a_slot_given_up_by_a_dropped_waiter_goes_to_the_next() {
        let turns = leaked(1, 4);
        let held = turns.take("a", LONG).await.unwrap();
        let gone = queue(turns, "gone").await;
        let next = queue(turns, "next").await;
        gone.abort();
        let _ = gone.await;
        drop(held);
        assert_eq!(next.await.unwrap(), Ok(0));
        assert_eq!(turns.lock().free.len(), 0);
    }
}
