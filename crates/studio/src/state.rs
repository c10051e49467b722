//! What every handler shares: the pools, the configuration, the launch token's
//! state and the browser sessions.

use std::sync::Arc;
use std::time::Instant;

use futures_util::future::BoxFuture;
use sqlx::pool::PoolConnectionMetadata;
use sqlx::postgres::PgConnection;
use sqlx::{ConnectOptions as _, PgPool};

use crate::config::StudioConfig;
use crate::security::session::{Launch, Sessions};

/// Connections the console may hold at once.
const CONSOLE_CONNECTIONS: u32 = 2;

/// The router's state; cheap to clone.
#[derive(Clone)]
pub struct Studio {
    /// The studio's own statements (pages, row edits, table exports).
    pub pool: PgPool,
    /// What users type (console, console exports): a small pool of its own whose
    /// connections are closed after each use, so nothing a statement leaves in its
    /// session (advisory locks, prepared statements, settings, `SET ROLE`) reaches
    /// the next one, and the pages' connections never run user SQL.
    pub console_pool: PgPool,
    pub config: Arc<StudioConfig>,
    pub sessions: Arc<Sessions>,
    pub launch: Arc<Launch>,
}

impl Studio {
    pub fn new(pool: PgPool, config: StudioConfig) -> Studio {
        let console_pool = console_pool(&pool);
        let launch = Arc::new(Launch::new(Instant::now() + config.launch_ttl));
        Studio { pool, console_pool, config: Arc::new(config), sessions: Arc::new(Sessions::default()), launch }
    }
}

/// A pool on the same server, login and connect hooks (`SET ROLE`) as `pool`,
/// connecting lazily, whose connections are closed instead of being reused.
fn console_pool(pool: &PgPool) -> PgPool {
    pool.options()
        .clone()
        .min_connections(0)
        .max_connections(CONSOLE_CONNECTIONS)
        .after_release(close_after_use)
        // What users type stays out of the studio's log (sqlx logs slow statements
        // with their text, and a statement may carry a password or personal data).
        .connect_lazy_with((*pool.connect_options()).clone().disable_statement_logging())
}

/// Ending the session resets all of it, as `DISCARD ALL` would (advisory locks,
/// prepared statements, settings, roles, temporary tables), and cannot itself
/// fail halfway or be undone by what the statement did.
fn close_after_use(_: &mut PgConnection, _: PoolConnectionMetadata) -> BoxFuture<'_, Result<bool, sqlx::Error>> {
    Box::pin(async { Ok(false) })
}
