//! Streaming replicas, as the command line sees them: `[serve] replicas` and
//! `max_replica_lag` in strata.toml, the replica pools of `strata serve --replica`,
//! `strata migrate up --wait-replicas` and the replicas' lag in `migrate status`.
//!
//! The API's routing of reads lives in `strata_app::http::replicas`; this module only
//! connects it, and reads a replica's state with the API's own query
//! (`StandbyState::read`). The runner itself never runs on a replica: it refuses a standby as its
//! target before taking its lock (`strata_migrate`).

use std::path::Path;
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use clap::Args;
use serde::Deserialize;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};
use strata_app::AppConfig;
use strata_app::http::replicas::{Lsn, Replicas, StandbyState, display_name, format_lsn, insert_lsn};

use crate::args::UpArgs;
use crate::config::{ConnectAs, Context};
use crate::event::Event;
use crate::exit::Usage;
use crate::output::{DIM, GREEN, Output, RED, YELLOW};

/// The lag allowed when `[serve] max_replica_lag` is not set.
pub const DEFAULT_MAX_LAG: Duration = Duration::from_secs(5);

/// `[serve]`: how `strata serve` connects, and its read replicas.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeSection {
    /// The environment variable holding a URL that logs in as the restricted role.
    pub url_env: Option<String>,
    /// A role to `SET ROLE` to on every pooled connection (the login must be a member).
    pub role: Option<String>,
    /// Streaming replicas of the primary (`postgres://` URLs) that lag-tolerant reads
    /// may use; also what `migrate up --wait-replicas` waits for and `migrate status`
    /// shows.
    #[serde(default)]
    pub replicas: Vec<String>,
    /// A replica further behind than this is skipped: seconds (`5`) or a duration (`"5s"`, `"500ms"`).
    pub max_replica_lag: Option<Lag>,
}

/// `max_replica_lag = 5` or `"5s"`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Lag {
    Seconds(f64),
    Text(String),
}

/// The replicas a project names, checked.
#[derive(Debug, Clone, Default)]
pub struct ReplicaConfig {
    /// `[serve] replicas`, in order.
    pub urls: Vec<String>,
    /// `[serve] max_replica_lag`, else [`DEFAULT_MAX_LAG`].
    pub max_lag: Duration,
}

impl ServeSection {
    /// The connection settings `strata serve` and `strata dev` share with the studio's.
    pub fn connect_as(&self) -> ConnectAs {
        ConnectAs { url_env: self.url_env.clone(), role: self.role.clone() }
    }

    /// The replicas and allowed lag; a bad URL or duration is a usage error naming the key.
    pub fn replica_config(&self, path: &Path) -> Result<ReplicaConfig> {
        for (i, url) in self.replicas.iter().enumerate() {
            check_url(url).map_err(|e| Usage::new(format!("{}: [serve] replicas[{i}]: {e}", path.display())))?;
        }
        let max_lag = match &self.max_replica_lag {
            None => DEFAULT_MAX_LAG,
            Some(Lag::Seconds(s)) if s.is_finite() && *s >= 0.0 => Duration::from_secs_f64(*s),
            Some(Lag::Seconds(s)) => {
                return Err(Usage::new(format!(
                    "{}: [serve] max_replica_lag: {s} is not a number of seconds, 0 or more",
                    path.display()
                ))
                .into());
            }
            Some(Lag::Text(text)) => strata_migrate::directive::parse_duration(text)
                .map_err(|e| Usage::new(format!("{}: [serve] max_replica_lag: {e}", path.display())))?,
        };
        Ok(ReplicaConfig { urls: self.replicas.clone(), max_lag })
    }
}

/// An error unless `url` is a PostgreSQL URL (the message never shows its password).
fn check_url(url: &str) -> std::result::Result<(), String> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err(format!("{} is not a PostgreSQL URL (postgres://...)", display_name(url)));
    }
    PgConnectOptions::from_str(url)
        .map(|_| ())
        .map_err(|e| format!("{} is not a PostgreSQL URL ({e})", display_name(url)))
}

/// `strata serve`'s replicas: `--replica` when given, else `[serve] replicas`; each a
/// lazy pool (a replica that is down at start is skipped, not fatal) with the API's
/// statement timeout and `role`, checked in the background from now on.
pub fn for_serve(
    ctx: &Context,
    out: Output,
    flags: &[String],
    primary: &PgPool,
    config: &AppConfig,
    role: Option<&str>,
) -> Result<Replicas> {
    let urls: &[String] = if flags.is_empty() { &ctx.replicas.urls } else { flags };
    let mut pools = Vec::new();
    for url in urls {
        check_url(url).map_err(|e| Usage::new(format!("--replica: {e}")))?;
        let options = strata_app::db::connect_options(PgConnectOptions::from_str(url)?, config)
            .application_name("strata serve (replica)");
        // No round trip to check a connection in steady use (sqlx's test_before_acquire
        // costs one per query): a read that fails on a replica runs again on the primary
        // anyway. A connection idle for a while (the replica may have restarted
        // meanwhile) is checked, so a restart does not turn into a burst of failed reads.
        let mut pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(1))
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > Duration::from_secs(2) {
                        conn.ping().await?;
                    }
                    Ok(true)
                })
            });
        if let Some(role) = role {
            pool = strata_app::roles::pool_options_as(pool, role);
        }
        pools.push((display_name(url), pool.connect_lazy_with(options)));
    }
    if !pools.is_empty() {
        let names: Vec<&str> = pools.iter().map(|(name, _)| name.as_str()).collect();
        out.emit(Event::Replicas { replicas: &names, max_lag_ms: config.max_replica_lag.as_millis() as u64 });
        out.note(format!(
            "item listings and reference data read from {} (skipped while down or more than {:.1}s behind); \
             GET /api/health shows their state",
            names.join(", "),
            config.max_replica_lag.as_secs_f64()
        ));
    }
    Ok(Replicas::start(primary.clone(), pools, config))
}

/// `migrate up`'s flags about replicas.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// After applying, wait until each of these streaming replicas has replayed the
    /// primary's WAL (without URLs: the [serve] replicas of strata.toml)
    #[arg(long, num_args = 0.., value_name = "URL")]
    pub wait_replicas: Option<Vec<String>>,
    /// How long --wait-replicas waits before failing, e.g. 60s, 2min
    #[arg(long, value_name = "DURATION", default_value = "60s")]
    pub wait_replicas_timeout: String,
}

/// `strata migrate up`'s arguments: the track's, and the replicas to wait for.
#[derive(Debug, Args)]
pub struct MigrateUpArgs {
    #[command(flatten)]
    pub up: UpArgs,
    #[command(flatten)]
    pub wait: WaitArgs,
}

impl std::ops::Deref for MigrateUpArgs {
    type Target = UpArgs;

    fn deref(&self) -> &UpArgs {
        &self.up
    }
}

/// `strata migrate up`, then, with `--wait-replicas`, the wait for the replicas.
pub async fn migrate_up(ctx: &Context, out: Output, args: &MigrateUpArgs) -> Result<u8> {
    // Checked before anything runs, so a typo does not leave files applied and unwaited.
    let wait = match &args.wait.wait_replicas {
        Some(urls) => Some(wait_plan(ctx, urls, &args.wait.wait_replicas_timeout)?),
        None => None,
    };
    let code = crate::commands::track::up(ctx, out, strata_migrate::source::Track::Migrate, &args.up).await?;
    match wait {
        Some((urls, timeout)) if code == 0 && !args.up.dry_run => {
            wait_for(ctx, out, &urls, timeout).await?;
            Ok(0)
        }
        _ => Ok(code),
    }
}

/// The replicas and timeout of `--wait-replicas`.
fn wait_plan(ctx: &Context, flags: &[String], timeout: &str) -> Result<(Vec<String>, Duration)> {
    let timeout = strata_migrate::directive::parse_duration(timeout)
        .map_err(|e| Usage::new(format!("--wait-replicas-timeout: {e}")))?;
    let urls = if flags.is_empty() { ctx.replicas.urls.clone() } else { flags.to_vec() };
    if urls.is_empty() {
        return Err(Usage::new(
            "--wait-replicas without URLs waits for the [serve] replicas of strata.toml, and there are none",
        )
        .into());
    }
    for url in &urls {
        check_url(url).map_err(|e| Usage::new(format!("--wait-replicas: {e}")))?;
    }
    Ok((urls, timeout))
}

async fn connect(url: &str, application: &str) -> Result<PgConnection, sqlx::Error> {
    let options = PgConnectOptions::from_str(url)?.application_name(application).disable_statement_logging();
    tokio::time::timeout(Duration::from_secs(5), PgConnection::connect_with(&options))
        .await
        .unwrap_or(Err(sqlx::Error::PoolTimedOut))
}

/// The primary's WAL insert position now ([`insert_lsn`]).
async fn primary_position(ctx: &Context) -> Result<Lsn> {
    let mut primary = ctx.connect("strata migrate (replicas)").await?;
    let lsn = insert_lsn(&mut primary).await.context("reading the primary's WAL position")?;
    let _ = primary.close().await;
    Ok(lsn)
}

/// Waits until every replica in `urls` has replayed the primary's position, at most
/// `timeout`; the error names each replica still behind, how far, and why.
pub async fn wait_for(ctx: &Context, out: Output, urls: &[String], timeout: Duration) -> Result<()> {
    let position = primary_position(ctx).await?;
    let target = format_lsn(position);
    let started = Instant::now();
    let deadline = started + timeout;
    out.note(format!("waiting up to {:.0}s for {} replica(s) to replay {target}", timeout.as_secs_f64(), urls.len()));
    let mut pending: Vec<(String, Option<PgConnection>, String)> =
        urls.iter().map(|u| (u.clone(), None, "not reached yet".to_owned())).collect();
    loop {
        let mut still = Vec::new();
        for (url, conn, mut last) in pending {
            let name = display_name(&url);
            let mut conn = match conn {
                Some(c) => Some(c),
                None => match connect(&url, "strata migrate (wait for replica)").await {
                    Ok(c) => Some(c),
                    Err(e) => {
                        last = format!("unreachable: {e}");
                        None
                    }
                },
            };
            if let Some(c) = conn.as_mut() {
                match StandbyState::read(c).await {
                    Ok(seen) if !seen.in_recovery => {
                        return Err(anyhow::anyhow!(
                            "replica {name} is not a standby (pg_is_in_recovery() is false: promoted?); it will never \
                             replay the primary's {target}. Remove it from the list, or rebuild it as a standby."
                        ));
                    }
                    Ok(seen) if seen.has_replayed(position) => {
                        let waited = started.elapsed();
                        out.emit(Event::ReplicaCaughtUp {
                            replica: &name,
                            lsn: &target,
                            waited_ms: waited.as_millis() as u64,
                        });
                        out.line(format!(
                            "  {GREEN}replayed{GREEN:#} replica {name} is at {} {DIM}(waited {:.1}s){DIM:#}",
                            seen.replay_lsn.map(format_lsn).as_deref().unwrap_or("?"),
                            waited.as_secs_f64()
                        ));
                        continue;
                    }
                    Ok(seen) => last = describe_behind(&seen, position),
                    Err(e) => {
                        last = format!("unreachable: {e}");
                        conn = None;
                    }
                }
            }
            still.push((url, conn, last));
        }
        if still.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let lagging: Vec<String> =
                still.iter().map(|(url, _, last)| format!("{} ({last})", display_name(url))).collect();
            for (url, _, last) in &still {
                out.emit(Event::ReplicaLagging { replica: &display_name(url), lsn: &target, detail: last });
            }
            return Err(anyhow::anyhow!(
                "{} replica(s) had not replayed the primary's WAL position {target} after {:.0}s: {}. The migration \
                 is applied on the primary; the replicas will catch up when they can.",
                still.len(),
                timeout.as_secs_f64(),
                lagging.join("; ")
            ));
        }
        pending = still;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn describe_behind(seen: &StandbyState, target: Lsn) -> String {
    let at = seen.replay_lsn.map(format_lsn);
    let at = at.as_deref().unwrap_or("nothing replayed yet");
    let bytes = seen.bytes_behind(target).map(|b| format!(", {b} bytes behind")).unwrap_or_default();
    let age = seen
        .last_replay_age
        .map(|s| format!(", its last replayed transaction committed {s:.1}s ago"))
        .unwrap_or_default();
    format!("at {at}{bytes}{age}")
}

/// `migrate status`: each `[serve] replicas` entry's replay position and lag behind the
/// primary. Never fails: an unreachable replica is shown as such.
pub async fn show_lag(ctx: &Context, out: Output) {
    if ctx.replicas.urls.is_empty() {
        return;
    }
    let position = match primary_position(ctx).await {
        Ok(lsn) => lsn,
        Err(e) => {
            out.warn(format!("replica lag not shown: {e:#}"));
            return;
        }
    };
    let target = format_lsn(position);
    let mut rows = Vec::new();
    for url in &ctx.replicas.urls {
        let name = display_name(url);
        let seen = match connect(url, "strata migrate status (replica)").await {
            Ok(mut conn) => {
                let seen = StandbyState::read(&mut conn).await;
                let _ = conn.close().await;
                seen
            }
            Err(e) => Err(e),
        };
        let (state, replay, behind, lag) = match &seen {
            Err(e) => (format!("{RED}unreachable{RED:#}: {e}"), None, None, None),
            Ok(s) if !s.in_recovery => (format!("{RED}not a standby{RED:#} (promoted?)"), None, None, None),
            Ok(s) => {
                let lag = if s.has_replayed(position) { Some(0.0) } else { s.last_replay_age };
                let over = lag.is_some_and(|l| l > ctx.replicas.max_lag.as_secs_f64());
                let state =
                    if over { format!("{YELLOW}lagging{YELLOW:#}") } else { format!("{GREEN}streaming{GREEN:#}") };
                (state, s.replay_lsn.map(format_lsn), s.bytes_behind(position).map(|b| b.max(0)), lag)
            }
        };
        let plain_state = match &seen {
            Err(_) => "unreachable",
            Ok(s) if !s.in_recovery => "not_standby",
            Ok(_) => "standby",
        };
        out.emit(Event::Replica {
            replica: &name,
            state: plain_state,
            primary_lsn: &target,
            replay_lsn: replay.as_deref(),
            behind_bytes: behind,
            lag_seconds: lag,
        });
        rows.push(vec![
            name,
            state,
            replay.unwrap_or_default(),
            behind.map(|b| format!("{b} B")).unwrap_or_default(),
            lag.map(|l| format!("{l:.1}s")).unwrap_or_default(),
        ]);
    }
    out.result(format!(
        "\nReplicas ([serve] replicas; primary at {target}):\n{}",
        crate::output::table(&["REPLICA", "STATE", "REPLAYED", "BEHIND", "LAG"], &rows)
    ));
}

/// The shared app configuration with the project's `max_replica_lag`.
pub fn app_config(ctx: &Context, config: AppConfig) -> AppConfig {
    AppConfig { max_replica_lag: ctx.replicas.max_lag, ..config }
}
