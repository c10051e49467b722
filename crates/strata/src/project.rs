//! The project's migration files as every command sees them: scanned (with
//! their problems), loaded (a broken set refused, exit 3), and loaded for a run
//! with the lint gate first (`[lint] on_migrate`). Commands ask here; the set's
//! rules themselves live in `strata_migrate::source` and `strata_lint`.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Result;
use strata_lint::{Config, Format, Report};
use strata_migrate::history::{self, Fingerprint};
use strata_migrate::source::{self, ByTrack, Listing, MigrationSet, Scan};

use crate::config::{Context, OnMigrate};
use crate::exit::{Inconsistent, Usage};
use crate::output::Output;
use crate::output::color;

/// Every file of the project, refusing a missing folder (exit 2).
pub fn scan(ctx: &Context) -> Result<Scan> {
    require_folder(ctx)?;
    Ok(source::scan(&ctx.dir))
}

/// Refuses a missing migrations folder (exit 2).
pub fn require_folder(ctx: &Context) -> Result<()> {
    if !ctx.dir.is_dir() {
        return Err(Usage::new(format!(
            "no migrations folder at {} (create it with `strata generate`, or pass --dir)",
            ctx.dir.display()
        ))
        .into());
    }
    Ok(())
}

/// Loads the set, refusing a broken one (exit 3) or a missing folder (exit 2).
pub fn load_set(ctx: &Context) -> Result<MigrationSet> {
    load_scanned(scan(ctx)?)
}

/// The scan's set, or every problem it found (exit 3).
fn load_scanned(scan: Scan) -> Result<MigrationSet> {
    Ok(scan.into_set().map_err(strata_migrate::Error::from)?)
}

/// The linter's settings from strata.toml (`[lint]`, `schemas`), validated.
pub fn lint_config(ctx: &Context) -> Result<Config> {
    let config = Config { disable: ctx.lint.disable.clone(), schemas: ctx.schemas.clone() };
    config.validate().map_err(|e| Usage::new(format!("strata.toml: {e}")))?;
    Ok(config)
}

/// What `up` read to decide whether there was anything to do, for
/// [`load_linted`] to use instead of reading again: the folder's listing and the
/// history's rows. What is missing is read there.
#[derive(Debug, Default)]
pub struct Preread {
    pub listing: Option<Listing>,
    pub history: Option<Vec<Fingerprint>>,
}

/// Loads the set for `up`: lints it first as `[lint] on_migrate` says ("error" by
/// default: a set with lint errors is refused before the database is changed),
/// then refuses a set with broken files.
///
/// Only files not yet applied are linted (with the create_schemas migration for
/// context), plus the file-level checks of the whole set: an applied file cannot
/// be changed anyway (that is an edit, refused on its own), and a no-op `up` on a
/// large set then reads the history instead of parsing every file.
pub async fn load_linted(
    ctx: &Context,
    out: Output,
    conn: &mut sqlx::PgConnection,
    opts: &strata_migrate::Options,
    preread: Preread,
) -> Result<MigrationSet> {
    let scan = match preread.listing {
        Some(listing) => listing.into_scan(&ctx.dir),
        None => scan(ctx)?,
    };
    let on_migrate = ctx.lint.on_migrate.unwrap_or_default();
    if on_migrate != OnMigrate::Off {
        let recorded: std::collections::HashSet<_> = match preread.history {
            Some(rows) => rows.iter().map(|r| (r.track, r.version)).collect(),
            None => history::read(conn, &opts.history).await?.iter().map(|r| (r.track, r.version)).collect(),
        };
        let applied = |m: &strata_migrate::Migration| recorded.contains(&(m.track, m.version));
        let keep = |m: &&strata_migrate::Migration| {
            m.description == strata_migrate::create_schemas::DESCRIPTION || !applied(m)
        };
        let pending = Scan {
            set: MigrationSet {
                dir: scan.set.dir.clone(),
                tracks: ByTrack::from_fn(|track| scan.set.track(track).iter().filter(keep).cloned().collect()),
            },
            problems: scan.problems.clone(),
        };
        let mut report = strata_lint::lint_set(&pending, &lint_config(ctx)?);
        if !report.findings.is_empty() {
            // The applied create_schemas file was linted only as context.
            let applied_paths: std::collections::HashSet<&Path> = scan
                .set
                .iter()
                .filter(|m| applied(m))
                .flat_map(|m| [m.up.path.as_path(), m.down.path.as_path()])
                .collect();
            report.retain_paths(|p| !applied_paths.contains(&p));
        }
        gate(&report, on_migrate, out)?;
    }
    load_scanned(scan)
}

fn gate(report: &Report, on_migrate: OnMigrate, out: Output) -> Result<()> {
    let blocking = on_migrate == OnMigrate::Error && report.errors() > 0;
    if report.findings.is_empty() || (out.quiet && !blocking) {
        return Ok(());
    }
    eprint!("{}", strata_lint::render(report, Format::Text, color(std::io::stderr().is_terminal())));
    if blocking {
        return Err(Inconsistent(format!(
            "{} lint error(s): nothing was applied (fix them, suppress one with `-- strata:ignore RULE`, or set [lint] on_migrate = \"warn\" in strata.toml)",
            report.errors()
        ))
        .into());
    }
    Ok(())
}
