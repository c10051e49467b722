//! Where settings come from: flags, then `strata.toml`, then the environment and
//! `.env`, then defaults (the embedded database).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use anyhow::{Context as _, Result};
use serde::Deserialize;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use strata_migrate::history::HistoryTable;

use crate::args::Global;
use crate::exit::Usage;
pub use crate::secrets::redact;

/// `strata.toml`; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default)]
    pub database: DatabaseSection,
    #[serde(default)]
    pub migrations: MigrationsSection,
    #[serde(default)]
    pub lint: LintSection,
    #[serde(default)]
    pub serve: crate::replicas::ServeSection,
    #[serde(default)]
    pub studio: ConnectAs,
    #[serde(default)]
    pub plan: PlanSection,
    #[serde(default)]
    pub migrate: MigrateSection,
    #[serde(default)]
    pub schema: SchemaSection,
}

/// `[schema]`: where `strata schema dump` writes and `schema check` reads.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaSection {
    /// The folder of the schema files, relative to the project (default `schema`).
    pub dir: Option<PathBuf>,
}

/// `[migrate]`: PostgreSQL's timeouts on the statements of migration and seed
/// files, and how long a file that timed out waiting for a lock is retried
/// (durations as PostgreSQL writes them: `500ms`, `1s`, `5min`; `0` is off).
/// Not `--lock-timeout`, the wait for strata's own runner lock.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrateSection {
    pub lock_timeout: Option<String>,
    pub statement_timeout: Option<String>,
    pub lock_retry_for: Option<String>,
    /// Run `strata drift` before `migrate up`.
    pub check_drift: Option<CheckDrift>,
}

/// `[migrate] check_drift`: what `migrate up` does about drift before it runs.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckDrift {
    /// No check (the default: it costs a replay of the applied files).
    #[default]
    Off,
    /// Print the drift and go on.
    Warn,
    /// Refuse to run (exit 3) when the database drifted.
    Error,
}

/// PostgreSQL's timeouts for migration statements, from flags, `[migrate]` and defaults.
#[derive(Debug, Clone, Copy)]
pub struct StatementTimeouts {
    /// PostgreSQL's `lock_timeout` (`--ddl-lock-timeout`, `[migrate] lock_timeout`).
    pub lock_timeout: Duration,
    pub statement_timeout: Duration,
    pub lock_retry_for: Duration,
}

impl MigrateSection {
    fn timeouts(&self, flag: Option<&str>, path: &Path) -> Result<StatementTimeouts> {
        use strata_migrate::options::{DEFAULT_DDL_LOCK_TIMEOUT, DEFAULT_LOCK_RETRY_FOR};
        let key = |value: &Option<String>, name: &str, default: Duration| -> Result<Duration> {
            match value {
                Some(v) => {
                    duration(v).map_err(|e| Usage::new(format!("{}: [migrate] {name}: {e}", path.display())).into())
                }
                None => Ok(default),
            }
        };
        let lock_timeout = match flag {
            Some(v) => duration(v).map_err(|e| Usage::new(format!("--ddl-lock-timeout: {e}")))?,
            None => key(&self.lock_timeout, "lock_timeout", DEFAULT_DDL_LOCK_TIMEOUT)?,
        };
        Ok(StatementTimeouts {
            lock_timeout,
            statement_timeout: key(&self.statement_timeout, "statement_timeout", Duration::ZERO)?,
            lock_retry_for: key(&self.lock_retry_for, "lock_retry_for", DEFAULT_LOCK_RETRY_FOR)?,
        })
    }
}

/// A duration as the file directives take it; `m` is also accepted for minutes (`5m`).
fn duration(text: &str) -> std::result::Result<Duration, strata_migrate::directive::DurationError> {
    let t = text.trim();
    match t.strip_suffix('m') {
        Some(n) if !n.ends_with('m') && !t.ends_with("min") => {
            strata_migrate::directive::parse_duration(&format!("{n}min"))
        }
        _ => strata_migrate::directive::parse_duration(t),
    }
}

/// `[plan]`: when `strata migrate plan` calls a table large (flags override).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlanSection {
    pub large_table_rows: Option<u64>,
    pub large_table_bytes: Option<u64>,
}

/// How `strata serve` or `strata studio` connect, when not as the migrating role:
/// a login of their own (`url_env`), or `SET ROLE` on each connection (`role`).
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectAs {
    /// The environment variable holding a URL that logs in as the restricted role.
    pub url_env: Option<String>,
    /// A role to `SET ROLE` to on every pooled connection (the login must be a member).
    pub role: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSection {
    /// The environment variable holding the URL (default DATABASE_URL).
    pub url_env: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationsSection {
    pub dir: Option<PathBuf>,
    pub history_table: Option<String>,
    /// The project's schemas; default: read from the create_schemas migration.
    pub schemas: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintSection {
    pub on_migrate: Option<OnMigrate>,
    #[serde(default)]
    pub disable: Vec<String>,
}

/// What `migrate up` and `seed up` do with lint findings.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OnMigrate {
    #[default]
    Error,
    Warn,
    Off,
}

/// Which database a command talks to.
#[derive(Debug, Clone)]
pub enum DatabaseSource {
    Url { url: String, from: &'static str },
    Embedded,
}

/// Everything a command needs to know about the project.
#[derive(Debug)]
pub struct Context {
    pub root: PathBuf,
    pub dir: PathBuf,
    pub history: HistoryTable,
    pub schemas: Option<Vec<String>>,
    pub lint: LintSection,
    pub database: DatabaseSource,
    pub lock_timeout: Duration,
    pub serve: ConnectAs,
    /// `[serve] replicas` and `max_replica_lag`.
    pub replicas: crate::replicas::ReplicaConfig,
    pub studio: ConnectAs,
    pub plan: PlanSection,
    /// PostgreSQL's timeouts on migration statements and the retry time.
    pub timeouts: StatementTimeouts,
    /// `[migrate] check_drift`.
    pub check_drift: CheckDrift,
    /// `[schema] dir`, as written (relative to `root`).
    pub schema_dir: Option<PathBuf>,
    /// `-q`: no note when the embedded database is started.
    pub quiet: bool,
    /// The variables of `.env` that strata reads; never put into the process's
    /// environment, so no child process (pg_dump, postgres) sees them.
    dotenv: BTreeMap<String, String>,
}

impl Context {
    pub fn load(global: &Global) -> Result<Context> {
        let root = std::env::current_dir().context("reading the current directory")?;
        let file = match &global.config {
            Some(path) => read_config(path)?,
            None => {
                let path = root.join("strata.toml");
                if path.exists() { read_config(&path)? } else { FileConfig::default() }
            }
        };
        let url_env = file.database.url_env.clone().unwrap_or_else(|| "DATABASE_URL".into());
        let readable = [Some(&url_env), file.serve.url_env.as_ref(), file.studio.url_env.as_ref()];
        let dotenv = read_dotenv(&root.join(".env"), &readable.into_iter().flatten().collect::<Vec<_>>())?;
        let database = match (&global.database_url, var(&dotenv, &url_env)) {
            (Some(url), _) => DatabaseSource::Url { url: url.clone(), from: "--database-url" },
            (None, Some(url)) => DatabaseSource::Url {
                url,
                from: if url_env == "DATABASE_URL" { "DATABASE_URL" } else { "strata.toml url_env" },
            },
            _ => DatabaseSource::Embedded,
        };
        let history = match &file.migrations.history_table {
            Some(t) => {
                HistoryTable::parse(t).map_err(|e| Usage::new(format!("strata.toml: migrations.history_table: {e}")))?
            }
            None => HistoryTable::default(),
        };
        if !(global.lock_timeout.is_finite() && global.lock_timeout >= 0.0) {
            return Err(Usage::new("--lock-timeout must be a number of seconds, 0 or more").into());
        }
        let config_path = global.config.clone().unwrap_or_else(|| "strata.toml".into());
        let timeouts = file.migrate.timeouts(global.ddl_lock_timeout.as_deref(), &config_path)?;
        let replicas = file.serve.replica_config(&config_path)?;
        let dir = global.dir.clone().or(file.migrations.dir.clone()).unwrap_or_else(|| "migrations".into());
        Ok(Context {
            dir: root.join(dir),
            root,
            history,
            schemas: file.migrations.schemas,
            lint: file.lint,

            database,
            lock_timeout: Duration::from_secs_f64(global.lock_timeout),
            serve: file.serve.connect_as(),
            replicas,
            studio: file.studio,
            plan: file.plan,
            timeouts,
            check_drift: file.migrate.check_drift.unwrap_or_default(),
            schema_dir: file.schema.dir,
            quiet: global.quiet,
            dotenv,
        })
    }

    /// An environment variable that strata reads (a `url_env`): the process's own,
    /// else the project's `.env`; unset when empty.
    pub fn var(&self, name: &str) -> Option<String> {
        var(&self.dotenv, name)
    }

    /// The embedded cluster of this project.
    pub fn cluster(&self) -> strata_embedded::Cluster {
        strata_embedded::Cluster::new(self.root.join(".strata"))
    }

    pub fn is_embedded(&self) -> bool {
        matches!(self.database, DatabaseSource::Embedded)
    }

    /// The URL to use, starting the embedded database when that is the one. Starting
    /// it is said on stderr (not with `-q`): it keeps running after the command.
    pub fn url(&self) -> Result<String> {
        match &self.database {
            DatabaseSource::Url { url, .. } => Ok(url.clone()),
            DatabaseSource::Embedded => {
                let started = self.cluster().start().context("starting the embedded database")?;
                if !started.already_running && !self.quiet {
                    let _ = writeln!(anstream::stderr().lock(), "{}", embedded_started_note(started.port));
                }
                Ok(started.url)
            }
        }
    }

    pub async fn connect(&self, application: &str) -> Result<PgConnection> {
        let url = self.url()?;
        let options = PgConnectOptions::from_str(&url)
            .map_err(|e| Usage::new(format!("the database URL {} is not valid: {e}", redact(&url))))?
            .application_name(application);
        PgConnection::connect_with(&options).await.with_context(|| format!("connecting to {}", redact(&url)))
    }
}

/// What a command says when it starts the embedded database because no URL is configured.
fn embedded_started_note(port: u16) -> String {
    format!(
        "note: no database URL is configured, so strata started the embedded database (.strata/, port {port}); \
         it keeps running until `strata db stop`"
    )
}

fn read_config(path: &Path) -> Result<FileConfig> {
    let text = std::fs::read_to_string(path).map_err(|e| Usage::new(format!("{}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| Usage::new(format!("{}: {e}", path.display())).into())
}

/// The variables of `.env` named in `wanted`; every other line is left alone, so a
/// `.env` shared with other tools (or planted in a cloned repository) cannot change
/// where strata finds PostgreSQL's programs or what its child processes see.
fn read_dotenv(path: &Path, wanted: &[&String]) -> Result<BTreeMap<String, String>> {
    let mut vars = BTreeMap::new();
    let entries = match dotenvy::from_path_iter(path) {
        Ok(entries) => entries,
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vars),
        Err(e) => return Err(Usage::new(format!("{}: {e}", path.display())).into()),
    };
    for entry in entries {
        let (name, value) = entry.map_err(|e| Usage::new(format!("{}: {e}", path.display())))?;
        if wanted.iter().any(|w| **w == name) {
            vars.insert(name, value);
        } else {
            tracing::debug!("{}: ignoring {name} (strata reads only {wanted:?} there)", path.display());
        }
    }
    Ok(vars)
}

/// The process's variable, else `.env`'s (as dotenv tools do: the environment wins).
fn var(dotenv: &BTreeMap<String, String>, name: &str) -> Option<String> {
    std::env::var(name).ok().or_else(|| dotenv.get(name).cloned()).filter(|v| !v.is_empty())
}
