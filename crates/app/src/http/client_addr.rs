//! The client's address, for per-client limits.
//!
//! It is the TCP peer's address, from axum's `ConnectInfo` (which the server provides:
//! see [`crate::router`]). Forwarding headers (`X-Forwarded-For`, `Forwarded`) are ignored: any
//! client can write them. Behind a reverse proxy every client has the proxy's address.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Once;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::auth::ClientKey;

/// The request's client, when the server knows its address.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<ClientKey>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        let addr = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(addr)| addr.ip());
        if addr.is_none() {
            static WARNED: Once = Once::new();
            WARNED.call_once(|| {
                tracing::warn!(
                    "the client's address is unknown (the router is served without ConnectInfo<SocketAddr>): \
                     per-client limits are off"
                );
            });
        }
        Ok(ClientAddr(addr.map(ClientKey::from)))
    }
}
