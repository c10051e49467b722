//! The `Host` header check: only loopback names (and names the user allowed
//! explicitly) are served, so a web page on another site cannot reach the studio
//! through DNS rebinding.

use axum::extract::{Request, State};
use axum::http::header::HOST;
use axum::middleware::Next;
use axum::response::Response;

use crate::error::StudioError;
use crate::state::Studio;

/// Names accepted whatever the configuration.
const LOOPBACK: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// Refuses requests whose `Host` is missing or not an accepted name.
pub async fn check(State(studio): State<Studio>, request: Request, next: Next) -> Result<Response, StudioError> {
    let host = request.headers().get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    if !allowed(host, &studio.config.allowed_hosts) {
        return Err(StudioError::Forbidden(format!("the Host header {host:?} is not a name this studio answers to")));
    }
    Ok(next.run(request).await)
}

/// Whether `host` (a `Host` header value, port included) names this studio.
pub fn allowed(host: &str, extra: &[String]) -> bool {
    let name = strip_port(host);
    if name.is_empty() {
        return false;
    }
    LOOPBACK.iter().any(|n| n.eq_ignore_ascii_case(name))
        || extra.iter().any(|n| strip_port(n).eq_ignore_ascii_case(name))
}

/// `name` of `name:port`, keeping the brackets of an IPv6 literal.
fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) if host[end + 1..].is_empty() || port_suffix(&host[end + 1..]) => &host[..=end],
            _ => "",
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port_suffix(&format!(":{port}")) && !name.contains(':') => name,
        Some(_) => "",
        None => host,
    }
}

fn port_suffix(s: &str) -> bool {
    s.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_with_or_without_port_are_allowed() {
        for host in ["localhost", "localhost:4983", "127.0.0.1:4983", "[::1]:4983", "[::1]", "LOCALHOST:1"] {
            assert!(allowed(host, &[]), "{host}");
        }
    }

    #[test]
    fn foreign_names_are_refused() {
        for host in ["", "evil.example", "evil.example:4983", "127.0.0.1.evil.example", "localhost:x", "[::1]x", "::1"]
        {
            assert!(!allowed(host, &[]), "{host}");
        }
    }

    #[test]
    fn extra_names_are_allowed() {
        let extra = vec!["studio.lan".to_owned(), "10.0.0.5:4983".to_owned()];
        assert!(allowed("studio.lan:4983", &extra));
        assert!(allowed("10.0.0.5", &extra));
        assert!(!allowed("other.lan", &extra));
    }
}
