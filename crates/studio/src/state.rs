//! What every handler shares: the pool, the configuration and the browser sessions.

use std::sync::Arc;

use sqlx::PgPool;

use crate::config::StudioConfig;
use crate::security::session::Sessions;

/// The router's state; cheap to clone.
#[derive(Clone)]
pub struct Studio {
    pub pool: PgPool,
    pub config: Arc<StudioConfig>,
    pub sessions: Arc<Sessions>,
}

impl Studio {
    pub fn new(pool: PgPool, config: StudioConfig) -> Studio {
        Studio { pool, config: Arc::new(config), sessions: Arc::new(Sessions::default()) }
    }
}
