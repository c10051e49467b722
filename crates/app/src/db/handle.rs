//! [`Db`]: sqlx's pool, with connections handed from one query to the next without
//! the round trip sqlx makes each time one comes back.
//!
//! sqlx's pool checks every connection returned to it with a round trip to
//! PostgreSQL (a `Sync`, answered by `ReadyForQuery`), also after a query that ended
//! normally and left nothing behind. For the API's one-statement requests that is a
//! second round trip per request: 7% of the server's CPU on `GET /api/items`, and a
//! wake-up of a PostgreSQL backend each time (bench/RESULTS.md, api-vs-node). sqlx
//! 0.8 has no switch for it.
//!
//! So [`Db`] keeps the connections of queries that finished cleanly in a list of its
//! own and gives them to the next query as they are. A connection whose query failed,
//! or whose query was abandoned half-way (the request went away), goes back to sqlx's
//! pool instead, whose check on return drains what is left or closes it: a connection
//! that died is never handed out again. A connection idle longer than
//! [`super::CHECK_IDLE_AFTER`] is checked before it is handed out (a restart or a
//! killed session is most likely to be waiting after a quiet spell), as the API
//! pool's `before_acquire` does for the connections sqlx hands out; on a pool made
//! with sqlx's default `test_before_acquire`, every one is.
//!
//! [`Db`] takes as many connections as sqlx's pool allows and waits as long as the
//! pool's acquire timeout in all (checks included), in arrival order. A connection
//! held by Db longer than the pool's `max_lifetime` (counted from when Db first took
//! it: sqlx does not say when it was opened) goes back to sqlx, which closes it; one
//! left on the list longer than the pool's `idle_timeout` goes back to sqlx's idle
//! queue, whose reaper closes it.

use std::collections::VecDeque;
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt as _, TryStreamExt as _};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgQueryResult, PgRow, PgStatement, PgTypeInfo};
use sqlx::{Connection as _, Describe, Either, Execute, Executor, PgConnection, PgPool, Postgres};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::CHECK_IDLE_AFTER;

/// The API's database: `sqlx`'s pool, whose connections are reused without a check
/// between queries that end cleanly. Cloning is one reference count. Use `&Db` as an
/// executor (`query.fetch_all(&db)`), [`Db::acquire`] for a connection of one's own (a
/// transaction: `db.acquire().await?.begin()`).
#[derive(Clone)]
pub struct Db(Arc<Shared>);

struct Shared {
    pool: PgPool,
    /// One per connection the pool may open: who holds one may take a connection.
    permits: Arc<Semaphore>,
    /// Connections whose last query ended cleanly, most recently used last.
    idle: Mutex<VecDeque<Idle>>,
}

struct Idle {
    conn: PoolConnection<Postgres>,
    since: Instant,
    taken: Instant,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db").field("pool", &self.0.pool).finish_non_exhaustive()
    }
}

impl Db {
    /// Queries on `pool`'s connections, at most as many at once as it may open.
    pub fn new(pool: PgPool) -> Db {
        let permits = Arc::new(Semaphore::new(pool.options().get_max_connections() as usize));
        Db(Arc::new(Shared { pool, permits, idle: Mutex::new(VecDeque::new()) }))
    }

    /// A connection of the caller's own. It goes back through sqlx's pool (with its
    /// check), since what it ran is not known here.
    pub async fn acquire(&self) -> Result<Conn, sqlx::Error> {
        // One deadline for all of it: the permit, checking listed connections, and
        // sqlx's own wait (whose slot a connection sent back for its check holds until
        // the check ends), as the pool's acquire timeout promises.
        let timeout = self.0.pool.options().get_acquire_timeout();
        tokio::time::timeout(timeout, self.acquire_within()).await.map_err(|_| sqlx::Error::PoolTimedOut)?
    }

    async fn acquire_within(&self) -> Result<Conn, sqlx::Error> {
        let permit = Arc::clone(&self.0.permits).acquire_owned().await.map_err(|_| sqlx::Error::PoolClosed)?;
        // A pool that checks every connection before use (sqlx's default
        // `test_before_acquire`) gets that here too; the API's pool checks only
        // connections idle for a while.
        let check_always = self.0.pool.options().get_test_before_acquire();
        while let Some(idle) = self.take_idle() {
            let Idle { mut conn, since, taken } = idle;
            let unchecked = !check_always && since.elapsed() <= CHECK_IDLE_AFTER;
            if unchecked || conn.ping().await.is_ok() {
                return Ok(self.hand_out(conn, taken, permit));
            }
            // Dead: dropping it lets sqlx close it and open another in its place.
        }
        let conn = self.0.pool.acquire().await?;
        Ok(self.hand_out(conn, Instant::now(), permit))
    }

    /// `conn`, taken from sqlx's pool at `taken`, to a caller holding `permit`.
    fn hand_out(&self, conn: PoolConnection<Postgres>, taken: Instant, permit: OwnedSemaphorePermit) -> Conn {
        Conn { conn: Some(conn), taken, clean: false, db: Arc::clone(&self.0), _permit: permit }
    }

    fn take_idle(&self) -> Option<Idle> {
        self.0.idle.lock().unwrap_or_else(|p| p.into_inner()).pop_back()
    }
}

/// A connection from [`Db`]; dereferences to the connection.
pub struct Conn {
    conn: Option<PoolConnection<Postgres>>,
    taken: Instant,
    /// Set when the last query on it ended normally: it goes back to [`Db`]'s list.
    clean: bool,
    db: Arc<Shared>,
    _permit: OwnedSemaphorePermit,
}

impl Deref for Conn {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        self.conn.as_ref().expect("a connection until dropped")
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut PgConnection {
        self.conn.as_mut().expect("a connection until dropped")
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        // Before the permit is released (fields drop after this), so whoever it wakes
        // finds the connection.
        let Some(conn) = self.conn.take() else { return };
        let young = self.db.pool.options().get_max_lifetime().is_none_or(|max| self.taken.elapsed() < max);
        if self.clean && young && !self.db.pool.is_closed() {
            let idle = Idle { conn, since: Instant::now(), taken: self.taken };
            let mut list = self.db.idle.lock().unwrap_or_else(|p| p.into_inner());
            list.push_back(idle);
            // The list is used newest first, so its oldest entries can wait there for
            // ever: past the pool's idle timeout they go back to sqlx, whose reaper
            // closes idle connections as it would have.
            let idle_timeout = self.db.pool.options().get_idle_timeout();
            while list.front().is_some_and(|oldest| idle_timeout.is_some_and(|t| oldest.since.elapsed() > t)) {
                drop(list.pop_front());
            }
        }
        // Otherwise `conn` drops here: back to sqlx's pool, which checks it.
    }
}

/// The future that runs `$run` (an expression of `$conn`: `&mut PgConnection`) on a
/// connection of `$db`'s and marks the connection clean only when `$run` succeeded,
/// so a failed or abandoned query's connection goes back through sqlx's check. A
/// macro rather than a function: a closure cannot say that the future it returns
/// borrows its argument and holds the query (of another lifetime) at once.
macro_rules! on_clean_conn {
    ($db:expr, |$conn:ident| $run:expr) => {{
        let db = $db.clone();
        async move {
            let mut conn = db.acquire().await?;
            let out = {
                let $conn = &mut *conn;
                $run
            }
            .await?;
            conn.clean = true;
            Ok::<_, sqlx::Error>(out)
        }
    }};
}

impl<'d> Executor<'d> for &'_ Db {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(self, query: E) -> BoxStream<'e, Result<Either<PgQueryResult, PgRow>, sqlx::Error>>
    where
        'd: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        // The API's results are pages: collected, then handed on, so the connection
        // is free again before the caller looks at them.
        stream::once(on_clean_conn!(self, |conn| conn.fetch_many(query).try_collect::<Vec<_>>()))
            .map_ok(|results| stream::iter(results.into_iter().map(Ok)))
            .try_flatten()
            .boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, Result<Option<PgRow>, sqlx::Error>>
    where
        'd: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        Box::pin(on_clean_conn!(self, |conn| conn.fetch_optional(query)))
    }

    fn prepare_with<'e, 'q: 'e>(
        self,
        sql: &'q str,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, Result<PgStatement<'q>, sqlx::Error>>
    where
        'd: 'e,
    {
        Box::pin(on_clean_conn!(self, |conn| conn.prepare_with(sql, parameters)))
    }

    fn describe<'e, 'q: 'e>(self, sql: &'q str) -> BoxFuture<'e, Result<Describe<Postgres>, sqlx::Error>>
    where
        'd: 'e,
    {
        Box::pin(on_clean_conn!(self, |conn| conn.describe(sql)))
    }
}
