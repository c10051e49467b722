//! Reads on PostgreSQL streaming replicas, with read-your-writes.
//!
//! Which reads may go to a replica is the handlers' choice (item listings and the
//! `master` reference data, per docs/SCALING.md); everything else uses the primary.
//! [`Replicas`] decides *which* server a tolerant read runs on:
//!
//! - A background task checks every replica each [`AppConfig::replica_check_interval`]:
//!   `pg_is_in_recovery()` (a promoted replica is no standby any more and is skipped)
//!   and `pg_last_wal_replay_lsn()`. It also samples the primary's WAL position, so a
//!   replica's lag is *the time since the primary first passed the replica's replay
//!   position*: it needs no clock agreement, is zero on an idle system, and grows
//!   while a replica is disconnected (where `now() - pg_last_xact_replay_timestamp()`
//!   would say nothing useful). A replica that is down, lags more than
//!   [`AppConfig::max_replica_lag`], or is not a standby is skipped; each change of a
//!   replica's state is logged once.
//! - Read-your-writes: after a write through the API, the primary's WAL insert
//!   position is remembered for the writer's session ([`Replicas::record_write`]); that
//!   session's reads go to a replica only once its replay position has passed it.
//!   The memory is bounded: past [`AppConfig::remembered_writers`] sessions it is
//!   folded into one position that every session waits for.
//! - A read that fails on a replica runs again on the primary: a replica is never the
//!   reason for a 5xx. A connection failure also marks the replica down at once.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{Connection, PgPool};

use crate::db::Db;

use super::state::AppState;
use crate::auth::cookie::find_session_token;
use crate::config::AppConfig;

/// A position in the WAL (`pg_lsn`) as a number.
pub type Lsn = u64;

/// `X/Y`, as PostgreSQL prints a `pg_lsn`.
pub fn format_lsn(lsn: Lsn) -> String {
    format!("{:X}/{:X}", lsn >> 32, lsn & 0xFFFF_FFFF)
}

/// What a replica is, as the last check (or a failed read) found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    /// Not checked yet: not used.
    Unknown,
    /// A standby within the allowed lag: reads go to it.
    InUse,
    /// Unreachable, or its check failed.
    Down,
    /// A standby, but further behind than the allowed lag.
    Lagging,
    /// Reachable but not in recovery (promoted, or the wrong server): never used.
    NotStandby,
}

impl ReplicaState {
    /// The state's name in `GET /api/health`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaState::Unknown => "unknown",
            ReplicaState::InUse => "in_use",
            ReplicaState::Down => "down",
            ReplicaState::Lagging => "lagging",
            ReplicaState::NotStandby => "not_standby",
        }
    }
}

/// One replica's last known condition.
#[derive(Debug, Clone)]
pub struct ReplicaStatus {
    /// Its URL without user and password: `host:port/database`.
    pub name: String,
    pub state: ReplicaState,
    /// `pg_last_wal_replay_lsn()` at the last successful check.
    pub replay_lsn: Option<Lsn>,
    /// How far behind the primary it was then.
    pub lag: Option<Duration>,
    /// Why it is down or not used.
    pub error: Option<String>,
    /// When it was last checked.
    pub checked_at: Option<Instant>,
}

/// The primary as the background task last saw it.
#[derive(Debug, Clone, Default)]
pub struct PrimaryStatus {
    /// `pg_current_wal_insert_lsn()` at the last successful sample.
    pub wal_lsn: Option<Lsn>,
    pub error: Option<String>,
}

struct Replica {
    pool: Db,
    probe: Probe,
    status: Mutex<ReplicaStatus>,
    /// When a read last lost its connection to it (which marks it down at once).
    read_failed_at: Mutex<Option<Instant>>,
}

/// A connection of its own for the checks: a pool busy with slow reads must not make
/// a healthy server look down (nor a check wait behind the reads).
struct Probe {
    options: PgConnectOptions,
    conn: tokio::sync::Mutex<Option<PgConnection>>,
}

impl Probe {
    fn of(pool: &PgPool) -> Probe {
        let options = (*pool.connect_options()).clone().application_name("strata serve (replica check)");
        Probe { options, conn: tokio::sync::Mutex::new(None) }
    }

    /// Runs `query` on the check connection, (re)connecting first when needed; a failure
    /// drops the connection, so the next check starts afresh.
    async fn run<T, F>(&self, query: F) -> Result<T, sqlx::Error>
    where
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, sqlx::Error>>,
    {
        let mut slot = self.conn.lock().await;
        if slot.is_none() {
            *slot = Some(PgConnection::connect_with(&self.options).await?);
        }
        let conn = slot.as_mut().expect("connected above");
        let result = query(conn).await;
        if result.is_err() {
            *slot = None;
        }
        result
    }
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the API's reads go; cloning is one reference count. With no replicas every
/// read goes to the primary and nothing runs in the background.
#[derive(Clone)]
pub struct Replicas(Arc<Inner>);

struct Inner {
    primary: Db,
    primary_probe: Probe,
    replicas: Vec<Replica>,
    max_lag: Duration,
    check_interval: Duration,
    remembered: usize,
    /// The primary's WAL position over the last moments, oldest first.
    samples: Mutex<VecDeque<(Instant, Lsn)>>,
    primary_status: Mutex<PrimaryStatus>,
    writes: Mutex<Writes>,
    next: AtomicUsize,
}

/// The last write of each session, by the hash of its token.
#[derive(Default)]
struct Writes {
    by_session: HashMap<[u8; 32], Lsn>,
    /// Every session with a cookie waits for this one (the folded memory).
    floor: Lsn,
}

impl fmt::Debug for Replicas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replicas").field("replicas", &self.statuses()).finish()
    }
}

impl Replicas {
    /// No replicas: everything on `primary`.
    pub fn none(primary: PgPool) -> Replicas {
        Replicas::build(primary, Vec::new(), &AppConfig::default())
    }

    /// Reads on `replicas` (each a name, `host:port/database`, and its pool, best made
    /// with `connect_lazy` so a replica that is down at start does not stop the server),
    /// checked in the background from now on. Must be called inside a tokio runtime.
    /// The task ends when the last clone of the value is dropped.
    pub fn start(primary: PgPool, replicas: Vec<(String, PgPool)>, config: &AppConfig) -> Replicas {
        let this = Replicas::build(primary, replicas, config);
        if !this.0.replicas.is_empty() {
            let weak = Arc::downgrade(&this.0);
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(config_interval(&weak));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tick.tick().await;
                    let Some(inner) = weak.upgrade() else { return };
                    Replicas(inner).check().await;
                }
            });
        }
        this
    }

    fn build(primary: PgPool, replicas: Vec<(String, PgPool)>, config: &AppConfig) -> Replicas {
        let replicas = replicas
            .into_iter()
            .map(|(name, pool)| Replica {
                probe: Probe::of(&pool),
                pool: Db::new(pool),
                status: Mutex::new(ReplicaStatus {
                    name,
                    state: ReplicaState::Unknown,
                    replay_lsn: None,
                    lag: None,
                    error: None,
                    checked_at: None,
                }),
                read_failed_at: Mutex::new(None),
            })
            .collect();
        Replicas(Arc::new(Inner {
            primary_probe: Probe::of(&primary),
            primary: Db::new(primary),
            replicas,
            max_lag: config.max_replica_lag,
            check_interval: config.replica_check_interval.max(Duration::from_millis(10)),
            remembered: config.remembered_writers.max(1),
            samples: Mutex::new(VecDeque::new()),
            primary_status: Mutex::new(PrimaryStatus::default()),
            writes: Mutex::new(Writes::default()),
            next: AtomicUsize::new(0),
        }))
    }

    /// Whether any replica is configured.
    pub fn any(&self) -> bool {
        !self.0.replicas.is_empty()
    }

    /// The primary's connections (what the API's writes and strong reads use).
    pub fn primary(&self) -> &Db {
        &self.0.primary
    }

    /// The allowed lag.
    pub fn max_lag(&self) -> Duration {
        self.0.max_lag
    }

    /// Each replica's last known condition, in configuration order.
    pub fn statuses(&self) -> Vec<ReplicaStatus> {
        self.0.replicas.iter().map(|r| lock(&r.status).clone()).collect()
    }

    /// The primary as last sampled.
    pub fn primary_status(&self) -> PrimaryStatus {
        lock(&self.0.primary_status).clone()
    }

    /// Checks the primary and every replica once, now (the background task does this
    /// every interval).
    pub async fn check(&self) {
        let inner = &self.0;
        let now = Instant::now();
        // Generous: a busy machine must not make a healthy server look down.
        let timeout = (inner.check_interval * 4).max(Duration::from_secs(2));
        let primary = tokio::time::timeout(timeout, inner.primary_probe.run(|c| Box::pin(insert_lsn(c)))).await;
        {
            let mut status = lock(&inner.primary_status);
            match primary {
                Ok(Ok(lsn)) => {
                    status.wal_lsn = Some(lsn);
                    status.error = None;
                    let mut samples = lock(&inner.samples);
                    samples.push_back((now, lsn));
                    // Long enough to tell "more than max_lag behind" from "a little behind".
                    let keep = inner.max_lag + inner.check_interval * 4 + Duration::from_secs(1);
                    while samples.len() > 2 && samples.front().is_some_and(|(t, _)| now.duration_since(*t) > keep) {
                        samples.pop_front();
                    }
                }
                Ok(Err(err)) => status.error = Some(err.to_string()),
                Err(_) => status.error = Some(format!("no answer within {timeout:?}")),
            }
        }
        // All at once, so one that does not answer delays the others by nothing.
        let checks = inner
            .replicas
            .iter()
            .map(|r| tokio::time::timeout(timeout, r.probe.run(|c| Box::pin(StandbyState::read(c)))));
        let results = join_all(checks).await;
        for (replica, result) in inner.replicas.iter().zip(results) {
            let (state, replay, lag, error) = match result {
                Err(_) => (ReplicaState::Down, None, None, Some(format!("no answer within {timeout:?}"))),
                Ok(Err(err)) => (ReplicaState::Down, None, None, Some(err.to_string())),
                Ok(Ok(StandbyState { in_recovery: false, .. })) => (
                    ReplicaState::NotStandby,
                    None,
                    None,
                    Some("pg_is_in_recovery() is false: not a standby (promoted?)".to_owned()),
                ),
                Ok(Ok(StandbyState { replay_lsn, .. })) => {
                    let lag = replay_lsn.map(|lsn| self.lag_of(lsn, Instant::now()));
                    match lag {
                        Some(lag) if lag <= inner.max_lag => (ReplicaState::InUse, replay_lsn, Some(lag), None),
                        Some(lag) => (ReplicaState::Lagging, replay_lsn, Some(lag), None),
                        None => (
                            ReplicaState::Lagging,
                            None,
                            None,
                            Some("pg_last_wal_replay_lsn() is null: it has replayed nothing yet".to_owned()),
                        ),
                    }
                }
            };
            // A read that lost its connection after this check began knows better
            // than the check (a server shutting down still answers a probe that was
            // already connected): its "down" stands until the next check.
            if lock(&replica.read_failed_at).is_some_and(|failed| failed >= now) {
                continue;
            }
            self.set_state(replica, state, error, |status| {
                status.replay_lsn = replay.or(status.replay_lsn);
                status.lag = lag;
                status.checked_at = Some(now);
            });
        }
        self.forget_replayed_writes();
    }

    /// The time since the primary first went past `replay`, from the samples; zero when
    /// the replica has everything the primary had at its last sample.
    fn lag_of(&self, replay: Lsn, now: Instant) -> Duration {
        let samples = lock(&self.0.samples);
        match samples.iter().find(|(_, lsn)| *lsn > replay) {
            None => Duration::ZERO,
            Some((at, _)) => now.duration_since(*at),
        }
    }

    /// Sets a replica's state, logging a change of state once.
    fn set_state(
        &self,
        replica: &Replica,
        state: ReplicaState,
        error: Option<String>,
        update: impl FnOnce(&mut ReplicaStatus),
    ) {
        let mut status = lock(&replica.status);
        let before = status.state;
        status.state = state;
        status.error = error;
        update(&mut status);
        if before == state {
            return;
        }
        let name = &status.name;
        let lag = status.lag.map(|l| format!("{:.1}s", l.as_secs_f64())).unwrap_or_else(|| "unknown".to_owned());
        let max = self.0.max_lag.as_secs_f64();
        match state {
            ReplicaState::InUse => tracing::info!(replica = %name, "replica {name}: in use for reads (lag {lag})"),
            ReplicaState::Lagging => {
                tracing::warn!(replica = %name, "replica {name}: skipped, lag {lag} is over max_replica_lag {max}s")
            }
            ReplicaState::Down => tracing::warn!(
                replica = %name,
                "replica {name}: skipped, down ({}); reads go to the primary",
                status.error.as_deref().unwrap_or("unreachable")
            ),
            ReplicaState::NotStandby => tracing::warn!(
                replica = %name,
                "replica {name}: skipped, it is not a standby (pg_is_in_recovery() is false; promoted?)"
            ),
            ReplicaState::Unknown => {}
        }
    }

    /// Remembers that the session with token hash `session` has just written: its
    /// reads need a replica that has replayed the primary's current WAL position.
    pub async fn record_write(&self, session: [u8; 32]) {
        if !self.any() {
            return;
        }
        let lsn = match insert_lsn(&self.0.primary).await {
            Ok(lsn) => lsn,
            // Without the position, the session reads from the primary until every
            // replica has passed the highest position known.
            Err(err) => {
                tracing::warn!("reading the primary's WAL position after a write: {err}");
                lock(&self.0.primary_status).wal_lsn.unwrap_or(Lsn::MAX)
            }
        };
        self.remember(session, lsn);
    }

    /// Keeps `lsn` as the session's last write; past [`AppConfig::remembered_writers`]
    /// sessions, folds them all into the floor that every session waits for.
    fn remember(&self, session: [u8; 32], lsn: Lsn) {
        let mut writes = lock(&self.0.writes);
        if writes.by_session.len() >= self.0.remembered && !writes.by_session.contains_key(&session) {
            let highest = writes.by_session.values().copied().max().unwrap_or(0);
            writes.floor = writes.floor.max(highest);
            writes.by_session.clear();
        }
        let entry = writes.by_session.entry(session).or_insert(0);
        *entry = (*entry).max(lsn);
    }

    /// The WAL position a replica must have replayed before serving this session.
    pub fn required_lsn(&self, session: Option<[u8; 32]>) -> Option<Lsn> {
        let session = session?;
        let writes = lock(&self.0.writes);
        let own = writes.by_session.get(&session).copied().unwrap_or(0);
        Some(own.max(writes.floor)).filter(|lsn| *lsn > 0)
    }

    /// Drops the remembered writes that every replica in use has replayed.
    fn forget_replayed_writes(&self) {
        let replayed = self
            .0
            .replicas
            .iter()
            .map(|r| {
                let s = lock(&r.status);
                if s.state == ReplicaState::InUse { s.replay_lsn.unwrap_or(0) } else { 0 }
            })
            .min()
            .unwrap_or(0);
        if replayed == 0 {
            return;
        }
        let mut writes = lock(&self.0.writes);
        writes.by_session.retain(|_, lsn| *lsn > replayed);
        if writes.floor <= replayed {
            writes.floor = 0;
        }
    }

    /// A replica in use that has replayed `required`, taking turns among them.
    fn pick(&self, required: Option<Lsn>) -> Option<(usize, Db)> {
        let replicas = &self.0.replicas;
        if replicas.is_empty() {
            return None;
        }
        let start = self.0.next.fetch_add(1, Ordering::Relaxed);
        (0..replicas.len()).map(|k| (start + k) % replicas.len()).find_map(|i| {
            let status = lock(&replicas[i].status);
            let usable = status.state == ReplicaState::InUse
                && required.is_none_or(|need| status.replay_lsn.is_some_and(|have| have >= need));
            usable.then(|| (i, replicas[i].pool.clone()))
        })
    }

    /// Runs `query` on a replica that may serve a reader needing `required` (see
    /// [`Replicas::required_lsn`]), else on the primary. A failure on the replica runs it
    /// again on the primary.
    pub async fn read<T, F, Fut>(&self, required: Option<Lsn>, query: F) -> Result<T, sqlx::Error>
    where
        F: Fn(Db) -> Fut,
        Fut: Future<Output = Result<T, sqlx::Error>>,
    {
        if let Some((i, pool)) = self.pick(required) {
            match query(pool).await {
                Ok(value) => return Ok(value),
                Err(err) => {
                    let replica = &self.0.replicas[i];
                    if is_connection_error(&err) {
                        *lock(&replica.read_failed_at) = Some(Instant::now());
                        self.set_state(replica, ReplicaState::Down, Some(err.to_string()), |_| {});
                    } else {
                        let name = lock(&replica.status).name.clone();
                        tracing::debug!(replica = %name, "a read failed on replica {name} ({err}); retrying on the primary");
                    }
                }
            }
        }
        query(self.0.primary.clone()).await
    }
}

/// The background task's interval, read once from the (still live) configuration.
fn config_interval(weak: &std::sync::Weak<Inner>) -> Duration {
    weak.upgrade().map(|inner| inner.check_interval).unwrap_or(Duration::from_millis(250))
}

/// Awaits every future of `futures` concurrently; their outputs in order.
async fn join_all<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}

/// The primary's WAL insert position: past every commit made so far, also one that
/// `synchronous_commit = off` has not written out yet. What a replica must have replayed
/// to show a write (here, and for `strata migrate up --wait-replicas`).
pub async fn insert_lsn<'c, E: sqlx::PgExecutor<'c>>(executor: E) -> Result<Lsn, sqlx::Error> {
    let lsn: i64 = sqlx::query_scalar("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::int8")
        .fetch_one(executor)
        .await?;
    Ok(lsn as Lsn)
}

/// What a replica says of itself: the one query of a replica's state, for the API's
/// background checks and for `strata migrate up --wait-replicas` and `migrate status`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StandbyState {
    /// `pg_is_in_recovery()`: false on a server that is not a standby (promoted?).
    pub in_recovery: bool,
    /// `pg_last_wal_replay_lsn()`; none until it has replayed anything.
    pub replay_lsn: Option<Lsn>,
    /// Seconds since its last replayed transaction was committed on the primary
    /// (`now() - pg_last_xact_replay_timestamp()`); none before the first one.
    pub last_replay_age: Option<f64>,
}

impl StandbyState {
    /// Asks the server on `conn`.
    pub async fn read(conn: &mut PgConnection) -> Result<StandbyState, sqlx::Error> {
        let (in_recovery, replay, last_replay_age): (bool, Option<i64>, Option<f64>) = sqlx::query_as(
            "SELECT pg_is_in_recovery(), pg_wal_lsn_diff(pg_last_wal_replay_lsn(), '0/0')::int8, \
                    extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8",
        )
        .fetch_one(conn)
        .await?;
        Ok(StandbyState { in_recovery, replay_lsn: replay.map(|n| n as Lsn), last_replay_age })
    }

    /// Whether it has replayed the WAL up to `target`.
    pub fn has_replayed(&self, target: Lsn) -> bool {
        self.replay_lsn.is_some_and(|replayed| replayed >= target)
    }

    /// How many bytes of WAL it lacks to reach `target` (negative when it is past it);
    /// none until it has replayed anything.
    pub fn bytes_behind(&self, target: Lsn) -> Option<i64> {
        self.replay_lsn.map(|replayed| (i128::from(target) - i128::from(replayed)) as i64)
    }
}

/// Whether `err` means the server is unreachable or going away (not a failed query).
fn is_connection_error(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        // admin_shutdown, crash_shutdown, cannot_connect_now
        sqlx::Error::Database(db) => matches!(db.code().as_deref(), Some("57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `host:port/database` of a `postgres://` URL: no user, password or parameters.
pub fn display_name(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let rest = rest.split_once('?').map(|(r, _)| r).unwrap_or(rest);
    let rest = rest.rsplit_once('@').map(|(_, r)| r).unwrap_or(rest);
    rest.to_owned()
}

/// A handler's way to a lag-tolerant read: the state's [`Replicas`] and the WAL
/// position this request's session must see (from its cookie; no database lookup).
pub struct TolerantRead {
    replicas: Replicas,
    required: Option<Lsn>,
}

impl TolerantRead {
    /// Runs `query` where [`Replicas::read`] chooses.
    pub async fn run<T, F, Fut>(&self, query: F) -> Result<T, sqlx::Error>
    where
        F: Fn(Db) -> Fut,
        Fut: Future<Output = Result<T, sqlx::Error>>,
    {
        self.replicas.read(self.required, query).await
    }
}

impl FromRequestParts<AppState> for TolerantRead {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let replicas = state.replicas.clone();
        let required = if replicas.any() {
            replicas.required_lsn(find_session_token(&parts.headers).map(|token| token.hash()))
        } else {
            None
        };
        Ok(TolerantRead { replicas, required })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lsns_print_as_postgres_does() {
        assert_eq!(format_lsn(0x0000_0001_0300_0148), "1/3000148");
        assert_eq!(format_lsn(0), "0/0");
    }

    #[test]
    fn a_standby_has_replayed_every_position_up_to_its_own() {
        let at_200 = StandbyState { in_recovery: true, replay_lsn: Some(200), last_replay_age: None };
        assert!(at_200.has_replayed(100) && at_200.has_replayed(200) && !at_200.has_replayed(201));
        assert_eq!((at_200.bytes_behind(250), at_200.bytes_behind(150)), (Some(50), Some(-50)));
        let nothing = StandbyState { replay_lsn: None, ..at_200 };
        assert!(!nothing.has_replayed(0));
        assert_eq!(nothing.bytes_behind(1), None);
    }

    /// A value with one (never connected) replica and `remembered` sessions at most.
    fn replicas(remembered: usize) -> Replicas {
        let lazy = || PgPool::connect_lazy("postgres://nobody@127.0.0.1:1/none").unwrap();
        let config = AppConfig { remembered_writers: remembered, ..AppConfig::default() };
        Replicas::build(lazy(), vec![("r".to_owned(), lazy())], &config)
    }

    fn remember(replicas: &Replicas, session: u8, lsn: Lsn) {
        replicas.remember([session; 32], lsn);
    }

    #[tokio::test]
    async fn a_session_waits_for_its_own_last_write_only() {
        let r = replicas(10);
        remember(&r, 1, 100);
        remember(&r, 1, 50);
        assert_eq!(r.required_lsn(Some([1; 32])), Some(100), "the highest write counts");
        assert_eq!(r.required_lsn(Some([2; 32])), None, "another session waits for nothing");
        assert_eq!(r.required_lsn(None), None);
    }

    #[tokio::test]
    async fn past_the_limit_every_session_waits_for_the_highest_forgotten_write() {
        let r = replicas(2);
        remember(&r, 1, 100);
        remember(&r, 2, 300);
        remember(&r, 3, 200);
        assert_eq!(lock(&r.0.writes).by_session.len(), 1, "folded");
        assert_eq!(r.required_lsn(Some([1; 32])), Some(300));
        assert_eq!(r.required_lsn(Some([3; 32])), Some(300));
        assert_eq!(r.required_lsn(Some([9; 32])), Some(300), "a session with a cookie may be one of them");
        assert_eq!(r.required_lsn(None), None, "no cookie, no write");
    }

    #[tokio::test]
    async fn a_replica_is_picked_only_once_it_has_replayed_what_the_reader_needs() {
        let r = replicas(10);
        assert!(r.pick(None).is_none(), "not checked yet: not used");
        {
            let mut status = lock(&r.0.replicas[0].status);
            status.state = ReplicaState::InUse;
            status.replay_lsn = Some(200);
        }
        assert!(r.pick(None).is_some());
        assert!(r.pick(Some(200)).is_some());
        assert!(r.pick(Some(201)).is_none());
        lock(&r.0.replicas[0].status).state = ReplicaState::NotStandby;
        assert!(r.pick(None).is_none());
    }

    #[tokio::test]
    async fn replicas_in_use_take_turns() {
        let lazy = || PgPool::connect_lazy("postgres://nobody@127.0.0.1:1/none").unwrap();
        let r = Replicas::build(lazy(), vec![("a".into(), lazy()), ("b".into(), lazy())], &AppConfig::default());
        for replica in &r.0.replicas {
            let mut status = lock(&replica.status);
            status.state = ReplicaState::InUse;
            status.replay_lsn = Some(10);
        }
        let picked: Vec<usize> = (0..4).map(|_| r.pick(None).unwrap().0).collect();
        assert_eq!(picked, [0, 1, 0, 1]);
        lock(&r.0.replicas[0].status).state = ReplicaState::Down;
        assert!((0..3).all(|_| r.pick(None).unwrap().0 == 1), "the other one only");
    }

    #[tokio::test]
    async fn lag_is_the_time_since_the_primary_passed_the_replay_position() {
        let r = replicas(10);
        let now = Instant::now();
        {
            let mut samples = lock(&r.0.samples);
            samples.push_back((now - Duration::from_secs(3), 100));
            samples.push_back((now - Duration::from_secs(2), 150));
            samples.push_back((now - Duration::from_secs(1), 150));
        }
        assert_eq!(r.lag_of(150, now), Duration::ZERO, "has everything the primary had");
        assert_eq!(r.lag_of(120, now), Duration::from_secs(2), "behind since the primary reached 150");
        assert_eq!(r.lag_of(10, now), Duration::from_secs(3), "behind every sample kept");
    }

    #[test]
    fn names_hide_the_password() {
        assert_eq!(display_name("postgres://u:secret@db2:5433/app?sslmode=require"), "db2:5433/app");
        assert_eq!(display_name("postgres://db2/app"), "db2/app");
        assert_eq!(display_name("postgresql://u:p@ss@h:1/d"), "h:1/d");
    }
}
