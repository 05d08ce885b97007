//! Leases: which node drives a session.
//!
//! A session's task appends its events, runs its clock and talks to its
//! socket; two tasks driving one session on two nodes would each refuse
//! the other's appends (the expected-sequence check) and the candidate
//! would see a session that half works. So a node drives a session only
//! while it holds the session's lease: a row naming a random token, renewed
//! by the driving task every third of its duration.
//!
//! A socket for the session on another node asks for the lease; the holder
//! sees the request at its next renewal, tells its own socket it was
//! replaced (as a second window on one node is), pauses the session and
//! releases it. A holder that died or lost the database stops renewing,
//! and its lease lapses. Either way the asking node gets the lease within
//! one lease duration. Expiry is judged by the database's clock, so the
//! nodes' clocks need not agree. The expected-sequence check stays the
//! fence: a holder that stalled past its lease cannot write over its
//! successor's events, its appends conflict.

/// What a claim found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Claim {
    /// This node drives the session until it releases or loses the lease.
    Granted(Lease),
    /// Another node holds the lease and has been asked to hand it over.
    Elsewhere,
}

/// A granted lease. The token tells this grant from a later one on the
/// same node, so a task that has unloaded cannot release its successor's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    pub session: String,
    pub token: String,
}

impl Lease {
    /// The lease of a single-node store: nothing else could drive the session.
    pub fn local(session: &str) -> Lease {
        Lease {
            session: session.to_owned(),
            token: String::new(),
        }
    }
}

/// What a renewal found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renewal {
    /// Still this node's; no one else asked.
    Held,
    /// Still this node's, and a socket on another node asked for it.
    Wanted,
    /// Lapsed and taken by another node: stop driving at once.
    Lost,
}
