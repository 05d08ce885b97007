//! Keeps a session task's lease (see `store/lease.rs`): when to renew it,
//! and what the task must do when a renewal says it is wanted or gone.

use std::time::Duration;

use tokio::time::Instant;
use tracing::warn;

use crate::store::{Lease, Renewal, Store};

/// How often a socket on this node asks again for a session that another
/// node drives. The holder answers at its next renewal, so polling faster
/// than that would only add queries.
pub(super) const CLAIM_POLL: Duration = Duration::from_millis(250);

/// What the task does after a renewal.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Next {
    /// Carry on driving.
    Drive,
    /// Another node asked for the session: pause it and let go.
    HandOver,
    /// The lease lapsed and may be another node's: stop without writing.
    Stop,
}

pub(super) struct Keeper {
    lease: Lease,
    /// `None` for a single-node store: nothing to renew.
    duration: Option<Duration>,
    next_renewal: Instant,
    /// Past this the lease may have lapsed (no renewal succeeded since).
    valid_until: Instant,
}

impl Keeper {
    /// A lease granted by a claim sent at `asked`.
    pub fn new(lease: Lease, duration: Option<Duration>, asked: Instant) -> Keeper {
        let duration_or_zero = duration.unwrap_or_default();
        Keeper {
            lease,
            duration,
            next_renewal: asked + duration_or_zero / 3,
            valid_until: asked + duration_or_zero,
        }
    }

    pub fn lease(&self) -> &Lease {
        &self.lease
    }

    /// When the task should call [`Keeper::renew`], if ever.
    pub fn renew_at(&self) -> Option<Instant> {
        self.duration.map(|_| self.next_renewal)
    }

    pub async fn renew(&mut self, store: &dyn Store) -> Next {
        let Some(duration) = self.duration else {
            return Next::Drive;
        };
        // Measured from before the query: the database's expiry is at least
        // this late, so the task never believes in a lease already gone.
        let asked = Instant::now();
        self.next_renewal = asked + duration / 3;
        match store.renew(&self.lease).await {
            Ok(Renewal::Held) => {
                self.valid_until = asked + duration;
                Next::Drive
            }
            Ok(Renewal::Wanted) => {
                self.valid_until = asked + duration;
                Next::HandOver
            }
            Ok(Renewal::Lost) => Next::Stop,
            // The database may be back by the next try; until the lease
            // could have lapsed, no other node can have taken the session.
            Err(error) if Instant::now() < self.valid_until => {
                warn!(%error, "lease renewal failed; retrying");
                Next::Drive
            }
            Err(error) => {
                warn!(%error, "lease renewal failed past its expiry");
                Next::Stop
            }
        }
    }
}
