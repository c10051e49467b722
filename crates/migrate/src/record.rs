//! Changing the history without running files: `repair` (accept edits, clear
//! failed runs) and `baseline` (adopt a database that already has the schema).

use std::collections::HashSet;

use sqlx::PgConnection;

use crate::error::{Error, ErrorKind};
use crate::history::{self, RowStatus};
use crate::lock::Held;
use crate::options::Options;
use crate::plan::{self, Inconsistency, PlanError, State};
use crate::source::{MigrationSet, Track, Version};

/// What `repair` changed.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Repaired {
    /// Edited files whose new checksum was accepted.
    pub checksums: Vec<(Track, Version, String, String)>,
    /// Failed no-transaction files whose row was removed, so they run again.
    pub cleared: Vec<(Track, Version)>,
    /// Failed no-transaction downs whose row is `applied` again, so the down can
    /// run again (the up's objects may still be there).
    pub downs_reset: Vec<(Track, Version)>,
    /// Renamed files (same version and content) whose new description was recorded.
    pub renamed: Vec<(Track, Version, String, String)>,
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
            if let (Some(m), Some(old)) = (e.migration, &e.renamed_from) {
                let sql = history::rename_sql(t, track, &e.version, &m.description);
                history::exec(conn, &sql, "recording a rename").await?;
                out.renamed.push((track, e.version, old.clone(), m.description.clone()));
            }
            match (e.state, e.migration, &e.row) {
                (State::Failed, _, Some(row)) if row.status == RowStatus::Failed && history::is_failed_down(row) => {
                    let sql = history::reset_failed_down_sql(t, track, &e.version);
                    history::exec(conn, &sql, "resetting a failed rollback").await?;
                    out.downs_reset.push((track, e.version));
                }
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

/// Accepts the deletion of applied files whose files are gone: removes their
/// history rows, so status and later runs stop refusing. What those files
/// created stays in the database. Returns `(track, version, description)` of
/// each row removed.
pub async fn forget_missing(
    conn: &mut PgConnection,
    set: &MigrationSet,
    opts: &Options,
) -> Result<Vec<(Track, Version, String)>, Error> {
    let lock = Held::take(conn, opts, &mut ()).await?;
    let result = forget_missing_locked(conn, set, opts).await;
    lock.release(conn).await;
    result
}

async fn forget_missing_locked(
    conn: &mut PgConnection,
    set: &MigrationSet,
    opts: &Options,
) -> Result<Vec<(Track, Version, String)>, Error> {
    let rows = history::read(conn, &opts.history).await?;
    let mut forgotten = vec![];
    for track in Track::ALL {
        for e in plan::status(track, set.track(track), &rows) {
            if e.state == State::Missing {
                let sql = history::delete_sql(&opts.history, track, &e.version);
                history::exec(conn, &sql, "forgetting a missing file").await?;
                forgotten.push((track, e.version, e.description));
            }
        }
    }
    Ok(forgotten)
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
        return Err(ErrorKind::UnknownVersion { track: Track::Migrate, version }.into());
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
    // A pending file older than the newest applied one never ran here:
    // recording it as applied would hide it. Name it instead.
    let newest = rows.iter().filter(|r| r.track == Track::Migrate).map(|r| r.version).max();
    let out_of_order: Vec<Inconsistency> = set
        .migrate
        .iter()
        .filter(|m| m.version <= version && !already.contains(&m.version))
        .filter_map(|m| {
            let newest = newest.filter(|n| m.version < *n)?;
            Some(Inconsistency::OutOfOrder { version: m.version, file: m.up.path.clone(), newest, rolling_back: false })
        })
        .collect();
    if !out_of_order.is_empty() {
        return Err(PlanError::Inconsistent { track: Track::Migrate, problems: out_of_order }.into());
    }
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
