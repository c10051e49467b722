//! Serving the studio on a listener, and the address the CLI prints. Binding to
//! anything but loopback needs the names it will be reached by (`allowed_hosts`)
//! and a long token, so a studio is never opened to a network by accident.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};

use sqlx::PgPool;
use tokio::net::TcpListener;

use crate::config::StudioConfig;
use crate::html::links;
use crate::security::session::TOKEN_PARAM;

/// The shortest access token accepted on a non-loopback address.
pub const MIN_REMOTE_TOKEN_LEN: usize = 32;

/// Why the studio refuses an address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BindError {
    #[error(
        "the studio is bound to {addr}, which is not a loopback address: name the host it will be reached by (allowed_hosts) to serve there"
    )]
    RemoteWithoutHosts { addr: SocketAddr },
    #[error(
        "the studio is bound to {addr}: an access token of at least {MIN_REMOTE_TOKEN_LEN} characters is needed there"
    )]
    RemoteWithWeakToken { addr: SocketAddr },
    #[error("the access token is empty")]
    EmptyToken,
}

/// Checks that `config` may serve on `addr`.
pub fn check_bind(addr: SocketAddr, config: &StudioConfig) -> Result<(), BindError> {
    if config.token.is_empty() {
        return Err(BindError::EmptyToken);
    }
    if addr.ip().is_loopback() {
        return Ok(());
    }
    if config.allowed_hosts.is_empty() {
        return Err(BindError::RemoteWithoutHosts { addr });
    }
    if config.token.chars().count() < MIN_REMOTE_TOKEN_LEN {
        return Err(BindError::RemoteWithWeakToken { addr });
    }
    Ok(())
}

/// Serves the studio on `listener` until `shutdown` completes. Refuses (before
/// answering anything) a non-loopback listener that [`check_bind`] rejects.
pub async fn serve(
    listener: TcpListener,
    pool: PgPool,
    config: StudioConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let addr = listener.local_addr()?;
    check_bind(addr, &config).map_err(|e| std::io::Error::new(std::io::ErrorKind::PermissionDenied, e.to_string()))?;
    let app = crate::router(pool, config);
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await
}

/// The address to open: `http://127.0.0.1:4983/?token=...`. On a wildcard
/// address the first allowed host name is used.
pub fn launch_url(addr: SocketAddr, config: &StudioConfig) -> String {
    let host = match addr.ip() {
        ip if ip.is_unspecified() => match config.allowed_hosts.first() {
            Some(h) => h.split(':').next().unwrap_or(h).to_owned(),
            None if ip.is_ipv4() => "127.0.0.1".to_owned(),
            None => "[::1]".to_owned(),
        },
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    format!("http://{host}:{}/{}", addr.port(), links::query([(TOKEN_PARAM, config.token.as_str())]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(token: &str, hosts: &[&str]) -> StudioConfig {
        let mut c = StudioConfig::new(false);
        c.token = token.to_owned();
        c.allowed_hosts = hosts.iter().map(|h| h.to_string()).collect();
        c
    }

    #[test]
    fn loopback_needs_only_a_token() {
        let addr: SocketAddr = "127.0.0.1:4983".parse().unwrap();
        assert_eq!(check_bind(addr, &config("t", &[])), Ok(()));
        assert_eq!(check_bind(addr, &config("", &[])), Err(BindError::EmptyToken));
        assert_eq!(check_bind("[::1]:4983".parse().unwrap(), &config("t", &[])), Ok(()));
    }

    #[test]
    fn other_addresses_need_hosts_and_a_long_token() {
        let addr: SocketAddr = "0.0.0.0:4983".parse().unwrap();
        assert_eq!(check_bind(addr, &config(&"x".repeat(40), &[])), Err(BindError::RemoteWithoutHosts { addr }));
        assert_eq!(check_bind(addr, &config("short", &["studio.lan"])), Err(BindError::RemoteWithWeakToken { addr }));
        assert_eq!(check_bind(addr, &config(&"x".repeat(40), &["studio.lan"])), Ok(()));
    }

    #[test]
    fn the_launch_url_carries_the_token() {
        let c = config("abc", &[]);
        assert_eq!(launch_url("127.0.0.1:4983".parse().unwrap(), &c), "http://127.0.0.1:4983/?token=abc");
        assert_eq!(launch_url("[::1]:1".parse().unwrap(), &c), "http://[::1]:1/?token=abc");
        let c = config("abc", &["studio.lan:4983"]);
        assert_eq!(launch_url("0.0.0.0:4983".parse().unwrap(), &c), "http://studio.lan:4983/?token=abc");
    }
}
