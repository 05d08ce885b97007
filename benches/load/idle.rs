//! Idle: N candidates connected, each holding its first prompt and saying
//! nothing (thinking). The figure is the server's resident memory per
//! session: its RSS with them held, less its RSS with one, over N.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use tokio_util::sync::CancellationToken;

use crate::clients;
use crate::report::Scenario;
use crate::server::{Server, Setup, own_rss_kib};

/// Target from issue 8: server memory per idle session.
const TARGET_KB: f64 = 15.0;

/// Time for the last connections' allocations (and the allocator) to settle
/// before reading RSS. Well under the 60 s idle timeout, and the holders
/// answer pings anyway.
const SETTLE: Duration = Duration::from_secs(3);

pub async fn run(n: usize, setup: &Setup) -> Scenario {
    let server = Server::start(setup, n, &[]);
    let app = Arc::new(server.app());
    // One session first, so what every server allocates once (the catalog,
    // pools, the first task) is in the baseline, not spread over N.
    let warm = clients::open(&app, 1).await;
    tokio::time::sleep(SETTLE).await;
    let before = server.rss_kib();
    let client_before = own_rss_kib();

    let opened = clients::open(&app, n).await;
    let stop = CancellationToken::new();
    let dropped = Arc::new(AtomicUsize::new(0));
    let mut holders = Vec::with_capacity(opened.candidates.len());
    for (mut candidate, _) in opened.candidates {
        let stop = stop.clone();
        let dropped = Arc::clone(&dropped);
        // Reading keeps the socket alive: tungstenite answers the server's
        // pings while the stream is polled.
        holders.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stop.cancelled() => break,
                    frame = candidate.ws.next() => if !matches!(frame, Some(Ok(_))) {
                        dropped.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
            }
        }));
    }
    tokio::time::sleep(SETTLE).await;
    let after = server.rss_kib();
    let held = holders.len();
    let counted = server.sockets_active().await;
    let client_after = own_rss_kib();
    stop.cancel();
    for h in holders {
        let _ = h.await;
    }
    drop(warm);
    server.stop();

    let per_session_kb = (after.saturating_sub(before)) as f64 * 1.024 / held.max(1) as f64;
    let mut s = Scenario::new("idle");
    s.setting("sessions", n);
    s.figure("sessions held", held as f64, "");
    s.figure("setups failed", opened.failed as f64, "");
    s.figure(
        "dropped while held",
        dropped.load(Ordering::Relaxed) as f64,
        "",
    );
    if let Some(c) = counted {
        s.figure("sockets the server counts", c, "");
    }
    s.figure(
        "setup rate",
        held as f64 / opened.elapsed.as_secs_f64().max(1e-9),
        "/s",
    );
    s.figure("server RSS, one session", before as f64 / 1024.0, "MiB");
    s.figure("server RSS, all held", after as f64 / 1024.0, "MiB");
    s.target("server RSS per session", per_session_kb, "KB", TARGET_KB);
    s.figure(
        "client RSS per session",
        (client_after.saturating_sub(client_before)) as f64 * 1.024 / held.max(1) as f64,
        "KB",
    );
    s
}
