//! `strata lint`, and the lint gate that `migrate up` and `seed up` pass first.

use std::io::IsTerminal;
use std::path::Path;

use anyhow::Result;
use strata_lint::{Config, Format, Report};
use strata_migrate::source::{MigrationSet, Scan};

use crate::args::LintArgs;
use crate::commands::track::{checked, scan};
use crate::config::{Context, OnMigrate};
use crate::exit::{Inconsistent, Usage};
use crate::output::Output;

fn config(ctx: &Context) -> Result<Config> {
    let config = Config { disable: ctx.lint.disable.clone(), schemas: ctx.schemas.clone() };
    config.validate().map_err(|e| Usage::new(format!("strata.toml: {e}")))?;
    Ok(config)
}

fn color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

pub fn run(ctx: &Context, out: Output, args: &LintArgs) -> Result<u8> {
    let format = match args.format.as_deref() {
        Some(f) => f.parse::<Format>().map_err(Usage::new)?,
        None if out.json => Format::Json,
        None => Format::Text,
    };
    let scan = scan(ctx)?;
    let mut report = strata_lint::lint_set(&scan, &config(ctx)?);
    if !args.paths.is_empty() {
        let wanted: Vec<_> = args.paths.iter().map(|p| absolute(ctx, p)).collect();
        for (p, w) in args.paths.iter().zip(&wanted) {
            if !w.exists() {
                return Err(Usage::new(format!("{}: no such file or folder", p.display())).into());
            }
        }
        report.retain_paths(|path| wanted.iter().any(|w| absolute(ctx, path).starts_with(w)));
    }
    let text = strata_lint::render(&report, format, format == Format::Text && color(std::io::stdout().is_terminal()));
    if !out.quiet || report.errors() > 0 {
        print!("{text}");
    }
    if report.errors() > 0 {
        return Err(Inconsistent(format!("{} lint error(s)", report.errors())).into());
    }
    Ok(0)
}

fn absolute(ctx: &Context, p: &Path) -> std::path::PathBuf {
    let joined = if p.is_absolute() { p.to_owned() } else { ctx.root.join(p) };
    joined.canonicalize().unwrap_or(joined)
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
) -> Result<MigrationSet> {
    let scan = scan(ctx)?;
    let on_migrate = ctx.lint.on_migrate.unwrap_or_default();
    if on_migrate != OnMigrate::Off {
        let rows = strata_migrate::apply::history_rows(conn, opts).await?;
        let recorded: std::collections::HashSet<_> = rows.iter().map(|r| (r.track, r.version)).collect();
        let applied = |m: &strata_migrate::Migration| recorded.contains(&(m.track, m.version));
        let keep = |m: &&strata_migrate::Migration| {
            m.description == strata_migrate::create_schemas::DESCRIPTION || !applied(m)
        };
        let pending = Scan {
            set: MigrationSet {
                dir: scan.set.dir.clone(),
                migrate: scan.set.migrate.iter().filter(keep).cloned().collect(),
                seed: scan.set.seed.iter().filter(keep).cloned().collect(),
            },
            problems: scan.problems.clone(),
        };
        let mut report = strata_lint::lint_set(&pending, &config(ctx)?);
        if !report.findings.is_empty() {
            // The applied create_schemas file was linted only as context.
            let applied_paths: std::collections::HashSet<&Path> = scan
                .set
                .migrate
                .iter()
                .chain(&scan.set.seed)
                .filter(|m| applied(m))
                .flat_map(|m| [m.up.path.as_path(), m.down.path.as_path()])
                .collect();
            report.retain_paths(|p| !applied_paths.contains(&p));
        }
        gate(&report, on_migrate, out)?;
    }
    checked(scan)
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
