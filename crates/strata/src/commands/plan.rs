//! `strata migrate plan`: what each pending file will lock, measured on a
//! scratch database before it runs (see `strata_migrate::lock_report`).

use anyhow::Result;
use strata_migrate::lock_report::{self, FileReport, Report, Severity, Thresholds, human_bytes};

use crate::args::PlanArgs;
use crate::commands::scratch::Scratch;
use crate::config::Context;
use crate::exit::{Inconsistent, Usage};
use crate::output::Output;
use crate::project::load_set;

pub async fn run(ctx: &Context, out: Output, args: &PlanArgs) -> Result<u8> {
    let format = match args.format.as_deref() {
        Some(f) => f,
        None if out.json => "json",
        None => "text",
    };
    let defaults = Thresholds::default();
    let thresholds = Thresholds {
        large_table_rows: args.large_table_rows.or(ctx.plan.large_table_rows).unwrap_or(defaults.large_table_rows),
        large_table_bytes: args.large_table_bytes.or(ctx.plan.large_table_bytes).unwrap_or(defaults.large_table_bytes),
    };
    let fail_on = match args.fail_on.as_deref().unwrap_or("error") {
        "warning" => Severity::Warning,
        "error" => Severity::Error,
        other => return Err(Usage::new(format!("--fail-on: {other:?} is not error or warning")).into()),
    };
    let set = load_set(ctx)?;
    let url = ctx.url()?;
    let mut target = ctx.connect("strata migrate plan").await?;
    let scratch = Scratch::create(&url, "plan").await?;
    out.note(format!("Measuring the pending files on scratch database {} (dropped afterwards)", scratch.name));
    let result = async {
        let mut conn = scratch.connect("plan").await?;
        let mut watcher = scratch.connect("plan watcher").await?;
        anyhow::Ok(lock_report::measure(&mut target, &mut conn, &mut watcher, &set, &ctx.history, &thresholds).await?)
    }
    .await;
    scratch.drop(&out).await;
    let report = result?;
    match format {
        "json" => println!("{}", serde_json::to_string(&report)?),
        "markdown" => print!("{}", markdown(&report)),
        _ => print!("{}", text(&report)),
    }
    match report.worst() {
        Some(worst) if worst >= fail_on => {
            let count = report.findings().filter(|(_, f)| f.severity >= fail_on).count();
            Err(Inconsistent(format!("migrate plan: {count} finding(s) at {} level or above", severity(fail_on)))
                .into())
        }
        _ => Ok(0),
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

fn name(f: &FileReport) -> String {
    format!("{} {}_{}", f.track, f.version, f.description)
}

/// `~1200 rows, 96.0 kB` or `new`.
fn size(t: &lock_report::Target) -> String {
    if !t.exists {
        return "new".into();
    }
    let rows = t.rows.map(|r| format!("~{r} rows")).unwrap_or_else(|| "rows unknown".into());
    match t.bytes {
        Some(b) => format!("{rows}, {}", human_bytes(b)),
        None => rows,
    }
}

/// What a statement did to a relation: `ACCESS EXCLUSIVE, rewritten`.
fn did(r: &lock_report::RelationReport) -> String {
    let mut parts: Vec<String> = r.locks.iter().map(|m| m.as_str().to_owned()).collect();
    if let Some(held) = r.held.filter(|h| r.locks.last().is_none_or(|l| l < h)) {
        parts.push(format!("holds {} (taken earlier)", held.as_str()));
    }
    for (yes, what) in [(r.created, "created"), (r.rewritten, "rewritten"), (r.scanned, "read in full")] {
        if yes {
            parts.push(what.to_owned());
        }
    }
    parts.join(", ")
}

fn text(r: &Report) -> String {
    let mut s = String::new();
    if r.files.is_empty() {
        s.push_str("Nothing pending.\n");
        return s;
    }
    for f in &r.files {
        s.push_str(&format!("{}{}\n", name(f), if f.no_transaction { " (no-transaction)" } else { "" }));
        for st in &f.statements {
            s.push_str(&format!(
                "  {}. line {}: {} ({:.1} ms{})\n",
                st.index,
                st.line,
                st.sql,
                st.duration_ms,
                if st.observed == lock_report::Observed::Sampled { ", locks sampled" } else { "" }
            ));
            for rel in &st.relations {
                s.push_str(&format!("       {}: {} [{}]\n", rel.name, did(rel), size(&rel.target)));
            }
        }
        for x in &f.findings {
            let at = x.statement.map(|i| format!("statement {i}, ")).unwrap_or_default();
            s.push_str(&format!(
                "  {}[{}] {}line {}: {}\n",
                severity(x.severity),
                x.kind.as_str(),
                at,
                x.line,
                x.message
            ));
        }
    }
    let [files, errors, warnings, large] = summary(r);
    s.push_str(&format!("{files}: {errors}, {warnings} (large: {large}).\n"));
    s
}

/// The summary's parts, text and markdown alike: "N pending file(s)", "N error(s)",
/// "N warning(s)" and what counts as a large table, "N rows or SIZE".
fn summary(r: &Report) -> [String; 4] {
    let errors = r.findings().filter(|(_, f)| f.severity == Severity::Error).count();
    [
        format!("{} pending file(s)", r.files.len()),
        format!("{errors} error(s)"),
        format!("{} warning(s)", r.findings().count() - errors),
        format!("{} rows or {}", r.thresholds.large_table_rows, human_bytes(r.thresholds.large_table_bytes)),
    ]
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

fn markdown(r: &Report) -> String {
    let mut s = String::from("## Migration plan\n\n");
    if r.files.is_empty() {
        s.push_str("Nothing pending.\n");
        return s;
    }
    let [files, errors, warnings, large] = summary(r);
    s.push_str(&format!("{files}: **{errors}**, {warnings}. Large table: {large}.\n\n"));
    for f in &r.files {
        s.push_str(&format!("### `{}`\n\n", name(f)));
        if !f.findings.is_empty() {
            for x in &f.findings {
                let icon = if x.severity == Severity::Error { "🛑" } else { "⚠️" };
                s.push_str(&format!(
                    "- {icon} **{}** `{}` line {}: {}\n",
                    severity(x.severity),
                    x.kind.as_str(),
                    x.line,
                    cell(&x.message)
                ));
            }
            s.push('\n');
        }
        s.push_str(
            "| # | line | statement | relation | locks and effects | on the target |\n|---|---|---|---|---|---|\n",
        );
        for st in &f.statements {
            if st.relations.is_empty() {
                s.push_str(&format!("| {} | {} | `{}` | | | |\n", st.index, st.line, cell(&st.sql)));
            }
            for (i, rel) in st.relations.iter().enumerate() {
                let (n, l, q) = if i == 0 {
                    (st.index.to_string(), st.line.to_string(), format!("`{}`", cell(&st.sql)))
                } else {
                    Default::default()
                };
                s.push_str(&format!("| {n} | {l} | {q} | `{}` | {} | {} |\n", rel.name, did(rel), size(&rel.target)));
            }
        }
        s.push('\n');
    }
    s
}
