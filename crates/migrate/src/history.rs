//! The history table: one row per applied file and track.
//!
//! The runner creates it. Rows are written in the same transaction as the file
//! they record (see `runner`), so history and catalog never disagree; a
//! no-transaction file gets a `failed` row before its first statement, turned
//! into `applied` after its last, so an interrupted run is visible.
//!
//! Every statement on the table is written here; the runner and the repair
//! commands only decide when to send them.

use std::fmt;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use sqlx::Row;

use crate::checksum::Checksum;
use crate::error::{Error, ErrorKind};
use crate::plan::Direction;
use crate::quote::literal;
use crate::source::{Migration, Track, Version};

/// Where the history lives: `public.migration_history` unless configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryTable {
    schema: String,
    name: String,
}

impl Default for HistoryTable {
    fn default() -> Self {
        HistoryTable { schema: "public".into(), name: "migration_history".into() }
    }
}

impl HistoryTable {
    /// Parses `name` or `schema.name` (plain identifiers: letters, digits, underscores).
    pub fn parse(s: &str) -> Result<HistoryTable, String> {
        let (schema, name) = s.split_once('.').unwrap_or(("public", s));
        let ok = |p: &str| {
            !p.is_empty()
                && p.len() <= 63
                && p.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        if ok(schema) && ok(name) {
            Ok(HistoryTable { schema: schema.to_owned(), name: name.to_owned() })
        } else {
            Err(format!("history table {s:?} must be NAME or SCHEMA.NAME of letters, digits and underscores"))
        }
    }

    /// Quoted for SQL.
    pub fn sql(&self) -> String {
        format!("\"{}\".\"{}\"", self.schema, self.name)
    }

    /// A key for the advisory lock that serializes runners of this history table.
    pub fn lock_key(&self) -> i64 {
        use sha2::{Digest, Sha256};
        let digest = Sha256::digest(format!("strata:{}.{}", self.schema, self.name));
        i64::from_be_bytes(digest[..8].try_into().expect("8 bytes"))
    }
}

impl fmt::Display for HistoryTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.schema, self.name)
    }
}

/// Whether a recorded file finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowStatus {
    Applied,
    /// A no-transaction file that stopped part-way (failed or interrupted).
    Failed,
}

/// One row of the history table.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AppliedRow {
    pub track: Track,
    pub version: Version,
    pub description: String,
    #[serde(serialize_with = "hex_checksum")]
    pub checksum: Checksum,
    pub status: RowStatus,
    pub applied_at: DateTime<Utc>,
    pub execution_ms: i64,
    pub applied_by: String,
    pub applied_from: Option<String>,
    pub baselined: bool,
    pub failure: Option<String>,
    #[serde(serialize_with = "hex_checksum_opt")]
    pub previous_checksum: Option<Checksum>,
    pub repaired_at: Option<DateTime<Utc>>,
}

fn hex_checksum<S: serde::Serializer>(c: &Checksum, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(c)
}

fn hex_checksum_opt<S: serde::Serializer>(c: &Option<Checksum>, s: S) -> Result<S::Ok, S::Error> {
    match c {
        Some(c) => s.collect_str(c),
        None => s.serialize_none(),
    }
}

pub(crate) fn create_sql(table: &HistoryTable) -> String {
    let t = table.sql();
    format!(
        "CREATE SCHEMA IF NOT EXISTS \"{schema}\";
CREATE TABLE IF NOT EXISTS {t} (
    track text NOT NULL CHECK (track IN ('migrate', 'seed')),
    version text NOT NULL,
    description text NOT NULL,
    checksum bytea NOT NULL,
    status text NOT NULL DEFAULT 'applied' CHECK (status IN ('applied', 'failed')),
    applied_at timestamptz NOT NULL DEFAULT now(),
    execution_ms bigint NOT NULL DEFAULT 0,
    applied_by text NOT NULL DEFAULT current_user,
    applied_from text,
    baselined boolean NOT NULL DEFAULT false,
    failure text,
    previous_checksum bytea,
    repaired_at timestamptz,
    PRIMARY KEY (track, version)
);
COMMENT ON TABLE {t} IS 'strata: one row per applied migration or seed file';",
        schema = table.schema
    )
}

/// Creates the table when missing. Call while holding the runner lock: concurrent
/// `CREATE TABLE IF NOT EXISTS` can still collide in the catalog. When it exists
/// nothing is created, so a migration role without CREATE on its schema (or on
/// the database) can run once an administrator has made the table.
pub(crate) async fn ensure(conn: &mut PgConnection, table: &HistoryTable) -> Result<(), Error> {
    if exists(conn, table).await? {
        return Ok(());
    }
    sqlx::raw_sql(&create_sql(table))
        .execute(&mut *conn)
        .await
        .map_err(|e| Error::database("creating the history table", e))?;
    Ok(())
}

/// Whether the table exists.
pub(crate) async fn exists(conn: &mut PgConnection, table: &HistoryTable) -> Result<bool, Error> {
    sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
        .bind(table.sql())
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| Error::database("looking for the history table", e))
}

/// Every row, or none when the table does not exist yet (reading never creates it).
pub async fn read(conn: &mut PgConnection, table: &HistoryTable) -> Result<Vec<AppliedRow>, Error> {
    if !exists(conn, table).await? {
        return Ok(vec![]);
    }
    read_existing(conn, table).await
}

/// A history row as much as a no-op `up` needs of it, and `up`'s lint gate (which
/// files are recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub track: Track,
    pub version: Version,
    pub description: String,
    pub checksum: Checksum,
    /// Recorded as applied (not failed).
    pub applied: bool,
}

/// What a no-op `up` asks the database, in one round trip: whether the server is
/// a standby, and each row of the history. A missing table, a row that does not
/// decode (where [`read`] would report it as corrupt), or any other error is
/// `None`: the caller then takes the full path, which reports it.
pub async fn fingerprints(conn: &mut PgConnection, table: &HistoryTable) -> Option<(bool, Vec<Fingerprint>)> {
    let sql = format!(
        "SELECT pg_is_in_recovery() AS standby;
         SELECT track, version, description, checksum, status FROM {}",
        table.sql()
    );
    let rows = sqlx::raw_sql(&sql).fetch_all(&mut *conn).await.ok()?;
    let (first, history) = rows.split_first()?;
    let standby: bool = first.try_get("standby").ok()?;
    let history = history
        .iter()
        .map(|row| {
            Some(Fingerprint {
                track: Track::parse(row.try_get("track").ok()?)?,
                version: Version::parse(row.try_get("version").ok()?).ok()?,
                description: row.try_get("description").ok()?,
                checksum: Checksum::from_slice(&row.try_get::<Vec<u8>, _>("checksum").ok()?)?,
                applied: row.try_get::<&str, _>("status").ok()? == "applied",
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some((standby, history))
}

/// Every row of a table known to exist (after [`ensure`]).
pub(crate) async fn read_existing(conn: &mut PgConnection, table: &HistoryTable) -> Result<Vec<AppliedRow>, Error> {
    let sql = format!(
        "SELECT track, version, description, checksum, status, applied_at, execution_ms, applied_by,
                applied_from, baselined, failure, previous_checksum, repaired_at
         FROM {} ORDER BY track, version",
        table.sql()
    );
    let rows =
        sqlx::query(&sql).fetch_all(&mut *conn).await.map_err(|e| Error::database("reading the history table", e))?;
    rows.iter()
        .map(|row| {
            let corrupt = |what: String| ErrorKind::CorruptHistory { table: table.to_string(), what };
            let track: String = row.get("track");
            let version: String = row.get("version");
            let checksum: Vec<u8> = row.get("checksum");
            let previous: Option<Vec<u8>> = row.get("previous_checksum");
            let status: String = row.get("status");
            Ok(AppliedRow {
                track: Track::parse(&track).ok_or_else(|| corrupt(format!("unknown track {track:?}")))?,
                version: Version::parse(&version).map_err(|e| corrupt(format!("version {version:?}: {e}")))?,
                description: row.get("description"),
                checksum: Checksum::from_slice(&checksum)
                    .ok_or_else(|| corrupt(format!("checksum of {version} is not 32 bytes")))?,
                status: if status == "failed" { RowStatus::Failed } else { RowStatus::Applied },
                applied_at: row.get("applied_at"),
                execution_ms: row.get("execution_ms"),
                applied_by: row.get("applied_by"),
                applied_from: row.get("applied_from"),
                baselined: row.get("baselined"),
                failure: row.get("failure"),
                previous_checksum: previous.as_deref().and_then(Checksum::from_slice),
                repaired_at: row.get("repaired_at"),
            })
        })
        .collect()
}

/// Sends one or more history statements (simple protocol), naming the step on failure.
pub(crate) async fn exec(conn: &mut PgConnection, sql: &str, context: &'static str) -> Result<(), Error> {
    sqlx::raw_sql(sql).execute(&mut *conn).await.map(|_| ()).map_err(|e| Error::database(context, e))
}

/// A transactional file's first statement, sent right after `BEGIN` and before
/// the file (so it runs as the session's own role with default settings). Up
/// inserts the row with `applied_at` = the file's own start; down stamps the row
/// it is about to delete with the same start, to time the file.
pub(crate) fn file_started_sql(
    table: &HistoryTable,
    m: &Migration,
    direction: Direction,
    applied_from: &str,
) -> String {
    match direction {
        Direction::Up => format!(
            "INSERT INTO {t} (track, version, description, checksum, status, applied_at, execution_ms, applied_from)
VALUES ({track}, {version}, {description}, decode({checksum}, 'hex'), 'applied', clock_timestamp(), 0, {from})",
            t = table.sql(),
            track = literal(m.track.as_str()),
            version = literal(&m.version.to_string()),
            description = literal(&m.description),
            checksum = literal(&m.checksum.to_hex()),
            from = literal(applied_from),
        ),
        Direction::Down => {
            format!("UPDATE {} SET applied_at = clock_timestamp() WHERE {}", table.sql(), row_key(m.track, &m.version))
        }
    }
}

/// A transactional file's last statement before `COMMIT`, after the file and
/// the session reset: up stores the file's own time, down deletes the row. It
/// returns one row, `(marker, ms)`, the runner's acknowledgement of that file.
pub(crate) fn file_finished_sql(table: &HistoryTable, m: &Migration, direction: Direction, marker: &str) -> String {
    const MS: &str = "(extract(epoch FROM clock_timestamp() - applied_at) * 1000)::bigint";
    let key = row_key(m.track, &m.version);
    match direction {
        Direction::Up => format!(
            "UPDATE {} SET execution_ms = {MS} WHERE {key} RETURNING {} AS {TIMED}, execution_ms AS ms",
            table.sql(),
            literal(marker)
        ),
        Direction::Down => {
            format!("DELETE FROM {} WHERE {key} RETURNING {} AS {TIMED}, {MS} AS ms", table.sql(), literal(marker))
        }
    }
}

/// The column of the row [`file_finished_sql`] returns.
pub(crate) const TIMED: &str = "strata_timed";

/// A no-transaction file's row before its first statement: `failed` until its
/// last statement ran, so a process that dies part-way leaves it visible.
pub(crate) fn insert_started_sql(table: &HistoryTable, m: &Migration, applied_from: &str) -> String {
    format!(
        "INSERT INTO {t} (track, version, description, checksum, status, applied_from, failure)
         VALUES ({}, {}, {}, decode({}, 'hex'), 'failed', {}, 'interrupted: started but did not finish')",
        literal(m.track.as_str()),
        literal(&m.version.to_string()),
        literal(&m.description),
        literal(&m.checksum.to_hex()),
        literal(applied_from),
        t = table.sql(),
    )
}

/// A no-transaction file's row once its last statement ran.
pub(crate) fn mark_applied_sql(table: &HistoryTable, track: Track, version: &Version, elapsed_ms: u128) -> String {
    format!(
        "UPDATE {} SET status = 'applied', failure = NULL, applied_at = now(), execution_ms = {elapsed_ms} WHERE {}",
        table.sql(),
        row_key(track, version)
    )
}

/// A no-transaction down before its first statement: `failed` until its last ran.
pub(crate) fn mark_reverting_sql(table: &HistoryTable, track: Track, version: &Version) -> String {
    format!(
        "UPDATE {} SET status = 'failed', failure = 'interrupted: rollback started but did not finish' WHERE {}",
        table.sql(),
        row_key(track, version)
    )
}

/// Says on a failed no-transaction file's row which statement failed and why.
pub(crate) fn note_failure_sql(table: &HistoryTable, track: Track, version: &Version, note: &str) -> String {
    format!("UPDATE {} SET failure = {} WHERE {}", table.sql(), literal(note), row_key(track, version))
}

/// Accepts an edited file's current checksum, keeping the old one.
pub(crate) fn accept_checksum_sql(
    table: &HistoryTable,
    track: Track,
    version: &Version,
    checksum: &Checksum,
) -> String {
    format!(
        "UPDATE {} SET previous_checksum = checksum, checksum = decode({}, 'hex'), repaired_at = now() WHERE {}",
        table.sql(),
        literal(&checksum.to_hex()),
        row_key(track, version)
    )
}

/// A no-transaction down that failed part-way: the up's objects may still be
/// there, so the row goes back to `applied` and the down can run again.
pub(crate) fn reset_failed_down_sql(table: &HistoryTable, track: Track, version: &Version) -> String {
    format!(
        "UPDATE {} SET status = 'applied', failure = NULL, repaired_at = now() WHERE {}",
        table.sql(),
        row_key(track, version)
    )
}

/// Whether a failed row's note says its down failed (see [`mark_reverting_sql`]
/// and the runner's failure notes, which start with the direction).
pub(crate) fn is_failed_down(row: &AppliedRow) -> bool {
    row.failure.as_deref().is_some_and(|f| f.starts_with("down ") || f.starts_with("interrupted: rollback"))
}

/// Records a renamed file's new description (same version, same content).
pub(crate) fn rename_sql(table: &HistoryTable, track: Track, version: &Version, description: &str) -> String {
    format!(
        "UPDATE {} SET description = {}, repaired_at = now() WHERE {}",
        table.sql(),
        literal(description),
        row_key(track, version)
    )
}

/// Records a migrate-track file as applied without running it.
pub(crate) fn insert_baselined_sql(table: &HistoryTable, m: &Migration, applied_from: &str) -> String {
    format!(
        "INSERT INTO {} (track, version, description, checksum, execution_ms, applied_from, baselined)
         VALUES ({}, {}, {}, decode({}, 'hex'), 0, {}, true)",
        table.sql(),
        literal(m.track.as_str()),
        literal(&m.version.to_string()),
        literal(&m.description),
        literal(&m.checksum.to_hex()),
        literal(applied_from)
    )
}

/// The `WHERE` condition that selects one file's row.
pub(crate) fn row_key(track: Track, version: &Version) -> String {
    format!("track = {} AND version = {}", literal(track.as_str()), literal(&version.to_string()))
}

/// Removes one file's row (a reverted file, or a failed run cleared to run again).
pub(crate) fn delete_sql(table: &HistoryTable, track: Track, version: &Version) -> String {
    format!("DELETE FROM {} WHERE {}", table.sql(), row_key(track, version))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_history_table_names() {
        assert_eq!(HistoryTable::parse("migration_history").unwrap(), HistoryTable::default());
        assert_eq!(HistoryTable::parse("ops.history").unwrap().sql(), "\"ops\".\"history\"");
        assert!(HistoryTable::parse("a.b.c").is_err());
        assert!(HistoryTable::parse("bad\"name").is_err());
        assert!(HistoryTable::parse("").is_err());
    }

    #[test]
    fn literals_escape_quotes() {
        assert_eq!(literal("it's"), "'it''s'");
    }

    #[test]
    fn lock_key_depends_on_the_table() {
        assert_ne!(HistoryTable::default().lock_key(), HistoryTable::parse("ops.h").unwrap().lock_key());
    }
}
