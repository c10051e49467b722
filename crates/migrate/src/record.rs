//! Changing the history without running files: `repair` (accept edits, clear
//! failed runs) and `baseline` (adopt a database that already has the schema).

use std::collections::HashSet;

use sqlx::PgConnection;

use crate::error::Error;
use crate::history::{self, RowStatus};
use crate::lock::Held;
use crate::options::Options;
use crate::plan::{self, State};
use crate::source::{MigrationSet, Track, Version};

/// What `repair` changed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Repaired {
    /// Edited files whose new checksum was accepted.
    pub checksums: Vec<(Track, Version, String, String)>,
    /// Failed no-transaction files whose row was removed, so they run again.
    pub cleared: Vec<(Track, Version)>,
}

/// Accepts the current checksum of every edited applied file (keeping the old
/// one) and clears failed rows so those files run again.
pub async fn repair(conn: &mut PgConnection, set: &MigrationSet, opts: &Options) -> Result<Repaired, Error> {
    let lock = Held::take(conn, opts, &mut ()).await?;
    let result = repair_locked(conn, set, opts).await;
    lock.release(conn).await;
    result
}

async fn repair_locked(conn: &mut PgConnection, set: &MigrationSet, opts: &Options) -> Result<Repaired, Error> {
    history::ensure(conn, &opts.history).await?;
    let rows = history::read_existing(conn, &opts.history).await?;
    let t = &opts.history;
    let mut out = Repaired::default();
    for track in Track::ALL {
        for e in plan::status(track, set.track(track), &rows) {
            match (e.state, e.migration, &e.row) {
                (State::Modified, Some(m), Some(row)) => {
                    let sql = history::accept_checksum_sql(t, track, &e.version, &m.checksum);
                    history::exec(conn, &sql, "updating a checksum").await?;
                    out.checksums.push((track, e.version, row.checksum.to_hex(), m.checksum.to_hex()));
                }
                (State::Failed, _, Some(row)) if row.status == RowStatus::Failed => {
                    history::exec(conn, &history::delete_sql(t, track, &e.version), "clearing a failed row").await?;
                    out.cleared.push((track, e.version));
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

/// Records every migrate-track file up to and including `version` as applied,
/// without running it: adopting a database that already has the schema.
pub async fn baseline(
    conn: &mut PgConnection,
    set: &MigrationSet,
    version: Version,
    opts: &Options,
) -> Result<Vec<Version>, Error> {
    if !set.migrate.iter().any(|m| m.version == version) {
        return Err(Error::UnknownVersion { track: Track::Migrate, version });
    }
    let lock = Held::take(conn, opts, &mut ()).await?;
    let result = baseline_locked(conn, set, version, opts).await;
    lock.release(conn).await;
    result
}

async fn baseline_locked(
    conn: &mut PgConnection,
    set: &MigrationSet,
    version: Version,
    opts: &Options,
) -> Result<Vec<Version>, Error> {
    history::ensure(conn, &opts.history).await?;
    let rows = history::read_existing(conn, &opts.history).await?;
    let already: HashSet<Version> = rows.iter().filter(|r| r.track == Track::Migrate).map(|r| r.version).collect();
    let mut recorded = vec![];
    let mut sql = String::from("BEGIN;\n");
    for m in set.migrate.iter().filter(|m| m.version <= version && !already.contains(&m.version)) {
        sql.push_str(&history::insert_baselined_sql(&opts.history, m, &opts.applied_from));
        sql.push_str(";\n");
        recorded.push(m.version);
    }
    sql.push_str("COMMIT;");
    history::exec(conn, &sql, "recording the baseline").await?;
    Ok(recorded)
}
