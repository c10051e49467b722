//! `strata drift`: the live database against a replay of its applied files.

use crate::event::Event;
use anyhow::Result;
use strata_migrate::drift::{self, Change, FileState, Report};
use strata_migrate::source::MigrationSet;

use crate::args::DriftArgs;
use crate::commands::scratch::Scratch;
use crate::config::Context;
use crate::exit::{Inconsistent, Usage};
use crate::output::Output;
use crate::project::load_set;
use crate::schemas::project_schemas;

pub async fn run(ctx: &Context, out: Output, args: &DriftArgs) -> Result<u8> {
    let format = match args.format.as_deref() {
        Some(f) => f,
        None if out.json => "json",
        None => "text",
    };
    let set = load_set(ctx)?;
    let schemas: Option<Vec<String>> = match (&args.schema, args.all_schemas) {
        (Some(s), _) => Some(vec![s.clone()]),
        (None, true) => None,
        (None, false) => Some(project_schemas_or_usage(ctx)?),
    };
    let report = check(ctx, out, &set, schemas.as_deref()).await?;
    match format {
        "json" => {
            let event = Event::Drift { clean: report.is_clean(), report: &report, elapsed_ms: None, check_drift: None };
            println!("{}", serde_json::to_string(&event)?)
        }
        "markdown" => print!("{}", markdown(&report)),
        _ => print!("{}", text(&report)),
    }
    if report.is_clean() {
        return Ok(0);
    }
    Err(Inconsistent(summary(&report)).into())
}

/// The project's schemas, or a usage error when it has none to compare.
pub fn project_schemas_or_usage(ctx: &Context) -> Result<Vec<String>> {
    let s = project_schemas(ctx)?;
    if s.is_empty() {
        return Err(Usage::new(
            "no project schemas (no create_schemas migration and no [migrations] schemas in strata.toml): pass --schema or --all-schemas",
        )
        .into());
    }
    Ok(s)
}

/// Replays the applied files of the target on a scratch database (dropped
/// afterwards) and compares, in `schemas` (every schema when `None`).
pub async fn check(ctx: &Context, out: Output, set: &MigrationSet, schemas: Option<&[String]>) -> Result<Report> {
    let url = ctx.url()?;
    let mut live = ctx.connect("strata drift").await?;
    let scratch = Scratch::create(&url, "drift").await?;
    out.note(format!("Replaying the applied files on scratch database {} (dropped afterwards)", scratch.name));
    let opts = strata_migrate::Options { history: ctx.history.clone(), ..Default::default() };
    let result = async {
        let mut conn = scratch.connect("drift").await?;
        anyhow::Ok(drift::drift(&mut live, &mut conn, set, &opts, schemas).await?)
    }
    .await;
    scratch.drop(&out).await;
    result
}

/// One line: how many objects differ and files were not replayed.
pub fn summary(report: &Report) -> String {
    let objects: usize = report.schemas.iter().map(|s| s.objects.len()).sum();
    format!(
        "drift: {objects} object(s) in {} schema(s) differ, {} applied file(s) not replayed",
        report.schemas.len(),
        report.files.len()
    )
}

fn state(s: FileState) -> &'static str {
    match s {
        FileState::Edited => "edited since it was applied (not replayed)",
        FileState::Missing => "missing (not replayed)",
        FileState::Failed => "failed part-way (not replayed)",
    }
}

fn sign(c: Change) -> (&'static str, &'static str) {
    match c {
        Change::Extra => ("+", "in the database, not in the files"),
        Change::Missing => ("-", "in the files, not in the database"),
        Change::Changed => ("~", "defined differently"),
    }
}

/// The report as text, one object a line.
pub fn text(r: &Report) -> String {
    let mut s = String::new();
    for f in &r.files {
        s.push_str(&format!("{} {}_{}: {}\n", f.track, f.version, f.description, state(f.state)));
    }
    for d in &r.schemas {
        s.push_str(&format!("schema {}:\n", d.schema));
        for o in &d.objects {
            let (mark, what) = sign(o.change);
            s.push_str(&format!("  {mark} {} ({what})\n", o.object));
            if o.change == Change::Changed {
                s.push_str(&format!("      files:    {}\n", o.expected.as_deref().unwrap_or("")));
                s.push_str(&format!("      database: {}\n", o.actual.as_deref().unwrap_or("")));
            }
        }
    }
    if r.is_clean() {
        s.push_str(&format!(
            "No drift: {} applied file(s) replayed; schemas {} match.\n",
            r.replayed,
            r.compared.join(", ")
        ));
    }
    s
}

fn markdown(r: &Report) -> String {
    let mut s = String::from("## Drift\n\n");
    if r.is_clean() {
        s.push_str(&format!(
            "No drift: {} applied files replayed; schemas {} match.\n",
            r.replayed,
            r.compared.join(", ")
        ));
        return s;
    }
    if !r.files.is_empty() {
        s.push_str("| applied file | state |\n|---|---|\n");
        for f in &r.files {
            s.push_str(&format!("| {} `{}_{}` | {} |\n", f.track, f.version, f.description, state(f.state)));
        }
        s.push('\n');
    }
    for d in &r.schemas {
        s.push_str(&format!(
            "### schema `{}`\n\n| object | change | files | database |\n|---|---|---|---|\n",
            d.schema
        ));
        for o in &d.objects {
            let cell =
                |x: &Option<String>| x.as_deref().map(|v| format!("`{}`", v.replace('|', "\\|"))).unwrap_or_default();
            s.push_str(&format!(
                "| `{}` | {} | {} | {} |\n",
                o.object,
                sign(o.change).1,
                cell(&o.expected),
                cell(&o.actual)
            ));
        }
        s.push('\n');
    }
    s
}

/// `migrate status --drift` / `seed status --drift`: the drift of the project's
/// schemas after the status table. The problem to report (exit 3) when not clean.
pub async fn status_section(ctx: &Context, out: Output) -> Result<Option<String>> {
    let set = load_set(ctx)?;
    let schemas = project_schemas_or_usage(ctx)?;
    let report = check(ctx, out, &set, Some(&schemas)).await?;
    out.emit(Event::Drift { clean: report.is_clean(), report: &report, elapsed_ms: None, check_drift: None });
    out.result(text(&report).trim_end());
    Ok((!report.is_clean()).then(|| summary(&report)))
}

/// `[migrate] check_drift` before `migrate up`: `warn` prints the drift and goes
/// on, `error` refuses (exit 3) before any file runs.
pub async fn before_up(ctx: &Context, out: Output, set: &MigrationSet) -> Result<()> {
    use crate::config::CheckDrift;
    if ctx.check_drift == CheckDrift::Off {
        return Ok(());
    }
    let schemas = project_schemas_or_usage(ctx)?;
    let started = std::time::Instant::now();
    let report = check(ctx, out, set, Some(&schemas)).await?;
    let elapsed_ms = started.elapsed().as_millis() as u64;
    out.emit(Event::Drift {
        clean: report.is_clean(),
        report: &report,
        elapsed_ms: Some(elapsed_ms),
        check_drift: Some(format!("{:?}", ctx.check_drift).to_lowercase()),
    });
    if report.is_clean() {
        out.note(format!("No drift ([migrate] check_drift, {}).", crate::output::ms(elapsed_ms)));
        return Ok(());
    }
    if !out.json {
        anstream::eprint!("{}", text(&report));
    }
    match ctx.check_drift {
        CheckDrift::Error => Err(Inconsistent(format!(
            "{}; nothing was applied ([migrate] check_drift = \"error\"; see `strata drift`)",
            summary(&report)
        ))
        .into()),
        _ => {
            out.warn(format!("{}; applying anyway ([migrate] check_drift = \"warn\")", summary(&report)));
            Ok(())
        }
    }
}
