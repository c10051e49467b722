//! The HTTP API: routes, extractors, errors and the OpenAPI document.

pub mod client_addr;
pub mod current_user;
pub mod db_error;
pub mod dto;
pub mod error;
pub mod item_id;
pub mod json;
pub mod openapi;
pub mod replicas;
pub mod routes;
pub mod state;

use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use sqlx::PgPool;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use self::error::ApiError;
pub use self::openapi::openapi;
pub use self::replicas::Replicas;
pub use self::state::AppState;
use crate::auth::cookie::find_session_token;
use crate::auth::{LogSender, Sender};
use crate::config::AppConfig;

/// The whole API under `/api`, with codes sent by the development [`LogSender`].
///
/// Each request must carry its peer's address (`ConnectInfo<SocketAddr>`), which the
/// per-client login limits need: serve it as
/// `router.into_make_service_with_connect_info::<SocketAddr>()`. `pool`'s connections
/// should be made with [`crate::db::connect_options`], which sets the statement
/// timeout.
pub fn router(pool: PgPool, config: AppConfig) -> Router {
    router_with_sender(pool, config, Arc::new(LogSender))
}

/// The whole API under `/api`, delivering phone codes through `sender`.
pub fn router_with_sender(pool: PgPool, config: AppConfig, sender: Arc<dyn Sender>) -> Router {
    router_with_state(AppState::new(pool, config, sender))
}

/// The whole API under `/api`, its lag-tolerant reads (item listings, reference data)
/// on `replicas` (see [`replicas`]), everything else on the primary `replicas` was
/// started with.
pub fn router_with_replicas(config: AppConfig, sender: Arc<dyn Sender>, replicas: Replicas) -> Router {
    router_with_state(AppState::with_replicas(config, sender, replicas))
}

fn router_with_state(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    Router::new()
        .route("/api/auth/register", post(routes::auth::register))
        .route("/api/auth/login", post(routes::auth::login))
        .route("/api/auth/logout", post(routes::auth::logout))
        .route("/api/auth/logout-all", post(routes::auth::logout_all))
        .route("/api/auth/me", get(routes::auth::me))
        .route("/api/auth/phone/start", post(routes::phone::start))
        .route("/api/auth/phone/verify", post(routes::phone::verify))
        .route("/api/categories", get(routes::reference::categories))
        .route("/api/locations", get(routes::reference::locations))
        .route("/api/items", get(routes::items::list).post(routes::items::create))
        .route("/api/items/{id}", get(routes::items::get).patch(routes::items::update).delete(routes::items::delete))
        .route("/api/health", get(routes::health::health))
        .route("/api/openapi.json", get(routes::docs::openapi_json))
        .fallback(routes::fallback::not_found)
        .method_not_allowed_fallback(routes::fallback::method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), remember_item_writes))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
        .with_state(state)
}

/// After a write to items (any method but GET and HEAD under `/api/items`, not refused
/// with a 4xx) by a client with a session cookie, remembers the primary's WAL position for that session, so its next reads
/// see the write ([`Replicas::record_write`]). Nothing happens without replicas.
async fn remember_item_writes(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let writer = if state.replicas.any()
        && !matches!(*request.method(), Method::GET | Method::HEAD)
        && request.uri().path().starts_with("/api/items")
    {
        find_session_token(request.headers()).map(|token| token.hash())
    } else {
        None
    };
    let response = next.run(request).await;
    // A refused write (4xx) changed nothing; a 5xx may have committed before failing.
    if let Some(session) = writer.filter(|_| !response.status().is_client_error()) {
        state.replicas.record_write(session).await;
    }
    response
}
