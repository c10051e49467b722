//! One runner at a time: a session-level advisory lock, polled.
//!
//! `pg_try_advisory_lock` in a loop rather than `pg_advisory_lock`: a blocking
//! wait would hold a snapshot-less backend in the lock queue, and a
//! `CREATE INDEX CONCURRENTLY` in the runner that holds the lock waits for every
//! other transaction to finish, so the two would deadlock.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::cancel::Cancel;
use crate::error::{Error, ErrorKind};
use crate::event::{Event, Observer};
use crate::options::Options;

/// The session holding the lock, from `pg_stat_activity`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct LockHolder {
    pub pid: i32,
    pub application_name: String,
    pub client: Option<String>,
    pub user: Option<String>,
    pub since: Option<DateTime<Utc>>,
}

impl std::fmt::Display for LockHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "pid {}", self.pid)?;
        if !self.application_name.is_empty() {
            write!(f, ", application {:?}", self.application_name)?;
        }
        if let Some(user) = &self.user {
            write!(f, ", user {user}")?;
        }
        write!(f, ", client {}", self.client.as_deref().unwrap_or("local socket"))?;
        if let Some(since) = self.since {
            write!(f, ", since {}", since.format("%Y-%m-%d %H:%M:%S UTC"))?;
        }
        Ok(())
    }
}

/// The runner lock of one history table, held by this session until
/// [`Held::release`]. Every command that writes the history goes through
/// `Held::take(..)`, its work, then `release`: the one lock -> run -> unlock shape.
#[must_use = "release the lock when the work is done"]
pub(crate) struct Held {
    key: i64,
}

impl Held {
    /// Polls for the lock of `opts.history` (telling the observer who holds it
    /// while waiting), then says it was acquired.
    pub(crate) async fn take(
        conn: &mut PgConnection,
        opts: &Options,
        observer: &mut (dyn Observer + Send),
    ) -> Result<Held, Error> {
        let key = opts.history.lock_key();
        acquire(conn, key, opts.lock_timeout, observer, &opts.cancel).await?;
        observer.on(&Event::LockAcquired);
        Ok(Held { key })
    }

    /// Releases the lock. A failed release only matters while the connection
    /// lives, and closing the connection releases the lock anyway, so it is
    /// not reported.
    pub(crate) async fn release(self, conn: &mut PgConnection) {
        let _ = release(conn, self.key).await;
    }
}

/// Polls until the lock is taken or `timeout` passes. The observer hears once,
/// when the first attempt fails, who holds it.
pub(crate) async fn acquire(
    conn: &mut PgConnection,
    key: i64,
    timeout: Duration,
    observer: &mut (dyn Observer + Send),
    cancel: &Cancel,
) -> Result<(), Error> {
    // A hot standby accepts the lock but no DDL: refuse before anything else.
    let standby: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| Error::database("checking the server", e))?;
    if standby {
        return Err(ErrorKind::Standby.into());
    }
    let started = Instant::now();
    let mut waited = false;
    let mut pause = Duration::from_millis(20);
    loop {
        let got: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(key)
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| Error::database("taking the migration lock", e))?;
        if got {
            return Ok(());
        }
        if !waited {
            waited = true;
            let current = holder(conn, key).await?;
            observer.on(&Event::LockWaiting { holder: current.as_ref() });
        }
        if cancel.is_requested() {
            return Err(ErrorKind::Cancelled { file: None }.into());
        }
        if started.elapsed() >= timeout {
            return Err(ErrorKind::LockTimeout { waited: started.elapsed(), holder: holder(conn, key).await? }.into());
        }
        tokio::time::sleep(pause.min(timeout.saturating_sub(started.elapsed()))).await;
        pause = (pause * 2).min(Duration::from_millis(250));
    }
}

pub(crate) async fn release(conn: &mut PgConnection, key: i64) -> Result<(), Error> {
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(key)
        .execute(&mut *conn)
        .await
        .map_err(|e| Error::database("releasing the migration lock", e))?;
    Ok(())
}

/// Who holds the lock now, if anyone (it may have been released meanwhile).
pub(crate) async fn holder(conn: &mut PgConnection, key: i64) -> Result<Option<LockHolder>, Error> {
    // A bigint advisory key is stored as classid = high 32 bits, objid = low 32 bits, objsubid = 1.
    sqlx::query_as::<_, LockHolder>(
        "SELECT a.pid, coalesce(a.application_name, '') AS application_name, host(a.client_addr) AS client,
                a.usename::text AS user, a.backend_start AS since
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid = (($1 >> 32) & 4294967295)::oid AND l.objid = ($1 & 4294967295)::oid AND l.objsubid = 1
         LIMIT 1",
    )
    .bind(key)
    .fetch_optional(&mut *conn)
    .await
    .map_err(|e| Error::database("looking up the holder of the migration lock", e))
}
