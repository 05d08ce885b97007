//! Serving: a listener in, a shutdown signal in, a running server out. Tests
//! pass a port-0 listener; `main` passes the configured address.

use std::future::Future;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::http::{AppState, router};

/// How long shutdown waits for sessions to record their pause and grading to finish.
const SHUTDOWN_BOUND: Duration = Duration::from_secs(10);

/// How often profiles past their unused days are looked for.
const PROFILE_SWEEP: Duration = Duration::from_secs(60 * 60);

/// Serves until `shutdown` resolves, then pauses every live session, closes
/// its socket and waits (bounded) for their writes before returning.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let hub = state.hub.clone();
    let stopping = hub.clone();
    let sweeping = state.clone();
    // Profiles unused past `[profiles] unused_days` go, checked hourly.
    let sweep = tokio::spawn(async move {
        let mut every = tokio::time::interval(PROFILE_SWEEP);
        loop {
            every.tick().await;
            match sweeping.forget_unused_profiles().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(profiles = n, "unused profiles deleted"),
                Err(e) => tracing::warn!(error = %e, "could not delete unused profiles"),
            }
        }
    });
    // Connect info gives handlers the peer address (per-address limits,
    // loopback-only metrics).
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // axum does not wait for upgraded WebSocket connections; closing
            // the sessions ends them, and the hub waits for the session tasks.
            stopping.shut_down(SHUTDOWN_BOUND).await;
        })
        .await?;
    sweep.abort();
    if !hub.shut_down(SHUTDOWN_BOUND).await {
        tracing::warn!("some sessions did not finish within the shutdown bound");
    }
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutdown requested");
}
