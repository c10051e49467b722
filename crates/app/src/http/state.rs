//! What every handler shares: the pool, the configuration and the services.

use std::ops::Deref;
use std::sync::Arc;

use axum::body::Bytes;
use sqlx::PgPool;

use super::replicas::Replicas;
use crate::auth::{LoginLimits, PasswordHasher, Sender};
use crate::config::AppConfig;
use crate::db::Db;
use crate::domain::PageLimits;

/// The handlers' state; cloning is one reference count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The contents of [`AppState`].
pub struct Shared {
    /// Connections to the application's database (the primary's, shared with
    /// `replicas`).
    pub pool: Db,
    /// The configuration.
    pub config: AppConfig,
    /// `config.page_limits()`, computed once.
    pub page_limits: PageLimits,
    /// Delivers phone verification codes.
    pub sender: Arc<dyn Sender>,
    /// argon2 off the request threads, with a bounded queue.
    pub hasher: PasswordHasher,
    /// Failed logins per account and client, registrations per client.
    pub login_limits: LoginLimits,
    /// The OpenAPI document, serialised once.
    pub openapi_json: Bytes,
    /// Where lag-tolerant reads go (the primary, `pool`, when no replica is configured).
    pub replicas: Replicas,
}

impl AppState {
    /// State for a router.
    pub fn new(pool: PgPool, config: AppConfig, sender: Arc<dyn Sender>) -> AppState {
        AppState::with_replicas(config, sender, Replicas::none(pool))
    }

    /// State for a router whose lag-tolerant reads go where `replicas` says, and
    /// everything else to its primary.
    pub fn with_replicas(config: AppConfig, sender: Arc<dyn Sender>, replicas: Replicas) -> AppState {
        let openapi_json = super::openapi::openapi().to_json().expect("the OpenAPI document serialises").into();
        AppState(Arc::new(Shared {
            pool: replicas.primary().clone(),
            page_limits: config.page_limits(),
            hasher: PasswordHasher::with_limits(config.password_hash_workers, config.password_hash_queue),
            login_limits: LoginLimits::new(&config),
            config,
            sender,
            openapi_json,
            replicas,
        }))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}
