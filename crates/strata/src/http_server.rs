//! Serving an axum `Router` (the API, the studio) over HTTP/1.1 so that slow and
//! hostile clients cannot exhaust the server: one implementation for `strata
//! serve`, `strata studio` and `strata dev`.
//!
//! - A connection must send a request's whole header within the header timeout:
//!   from the moment it is accepted, and again from the end of each response while
//!   it idles in keep-alive (hyper restarts its header timer there), so a stalled
//!   or idle connection is closed after at most that long.
//! - At most `max_connections` connections are served at once; beyond that the
//!   server stops accepting (new connections wait in the kernel's backlog) until one
//!   ends, so descriptors never run out because of clients.
//! - An accept error (`EMFILE` when descriptors run out anyway, `ECONNABORTED`) is
//!   logged and retried after a pause, never in a busy loop.
//! - Each request carries its peer's address as axum's `ConnectInfo<SocketAddr>`.
//!
//! On shutdown the listener closes, idle connections close, and requests in
//! flight get [`DRAIN_TIMEOUT`] to finish.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt as _;

/// How long shutdown waits for requests in flight.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// The pause after a failed `accept`.
const ACCEPT_PAUSE: Duration = Duration::from_millis(250);

/// What one server tolerates from its clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest a connection may take to send a request's header, counted from
    /// its opening or from the end of its previous response (so also the longest a
    /// keep-alive connection idles).
    pub header_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Limits {
    /// The API: many clients.
    pub const API: Limits = Limits { header_timeout: Duration::from_secs(10), max_connections: 512 };
    /// The studio: one person's browser (which opens a few connections).
    pub const STUDIO: Limits = Limits { header_timeout: Duration::from_secs(10), max_connections: 64 };

    /// `base`, with the `STRATA_HTTP_HEADER_TIMEOUT_MS` and `STRATA_HTTP_MAX_CONNECTIONS`
    /// environment variables (for tests and tuning) applied when set.
    pub fn from_env(base: Limits) -> anyhow::Result<Limits> {
        let mut limits = base;
        if let Some(ms) = env_number("STRATA_HTTP_HEADER_TIMEOUT_MS")? {
            limits.header_timeout = Duration::from_millis(ms as u64);
        }
        if let Some(n) = env_number("STRATA_HTTP_MAX_CONNECTIONS")? {
            limits.max_connections = n.max(1);
        }
        Ok(limits)
    }
}

fn env_number(var: &str) -> anyhow::Result<Option<usize>> {
    match std::env::var(var) {
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => Err(crate::exit::Usage::new(format!("{var}={text:?} is not a whole number")).into()),
        },
        Err(_) => Ok(None),
    }
}

/// Serves `router` on `listener` with `limits` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    if !is_per_connection(&err) {
                        tracing::warn!(error = %err, "accepting a connection failed; pausing");
                        tokio::time::sleep(ACCEPT_PAUSE).await;
                    }
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            router.clone().oneshot(request)
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // Errors here are the client's (a reset, a header timeout): nothing to report.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests still running after {DRAIN_TIMEOUT:?}; stopping anyway");
    }
    Ok(())
}

/// Errors that concern only the connection being accepted (it was reset before
/// we took it): accept the next one at once.
fn is_per_connection(err: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    matches!(err.kind(), ConnectionRefused | ConnectionAborted | ConnectionReset)
}
