//! `strata verify`: every up idempotent, every down exact, on a scratch
//! database that is created for the run and dropped afterwards.

use crate::event::Event;
use anyhow::Result;
use strata_migrate::verify::{self, Problem, VerifyObserver};
use strata_migrate::{Migration, Options};

use crate::commands::scratch::Scratch;
use crate::config::Context;
use crate::exit::Inconsistent;
use crate::output::{GREEN, Output, RED};
use crate::project::load_set;

struct Printer<'a> {
    out: &'a Output,
    progress: crate::output::Progress,
}

impl VerifyObserver for Printer<'_> {
    fn checked(&mut self, m: &Migration, problems: &[Problem]) {
        self.progress.inc();
        self.out.emit(Event::Verified { file: m.into(), ok: problems.is_empty(), problems });
        if problems.is_empty() {
            self.progress.line(format!("  {GREEN}ok{GREEN:#}   {} {}", m.track, m.name()));
        } else {
            self.progress.line(format!("  {RED}FAIL{RED:#} {} {}", m.track, m.name()));
        }
    }
}

pub async fn run(ctx: &Context, out: Output) -> Result<u8> {
    let set = load_set(ctx)?;
    let url = ctx.url()?;
    let scratch = Scratch::create(&url, "verify").await?;
    out.note(format!("Verifying on scratch database {} (dropped afterwards)", scratch.name));
    let result = verify_on(&scratch, ctx, out, &set).await;
    scratch.drop(&out).await;
    let outcome = result?;
    let problems = outcome.problems;
    let files = set.iter().count();
    out.emit(Event::VerifySummary { files, problems: problems.len(), loose_columns: &outcome.loose });
    if !outcome.loose.is_empty() {
        out.note(format!(
            "Compared loosely (values their defaults compute at insert time, where the file does not write them): {}",
            by_table(&outcome.loose)
        ));
    }
    if problems.is_empty() {
        out.line(format!(
            "Verified {files} files: every up is idempotent and every down restores the database exactly."
        ));
        return Ok(0);
    }
    for p in &problems {
        if !out.json {
            anstream::eprintln!("{RED}error{RED:#}: {}", p.to_string().trim_end());
        }
    }
    Err(Inconsistent(format!("{} problem(s) in {files} files", problems.len())).into())
}

async fn verify_on(
    scratch: &Scratch,
    ctx: &Context,
    out: Output,
    set: &strata_migrate::MigrationSet,
) -> Result<verify::Outcome> {
    let mut conn = scratch.connect("verify").await?;
    let opts = Options { history: ctx.history.clone(), lock_timeout: ctx.lock_timeout, ..Options::default() };
    let mut printer = Printer { out: &out, progress: out.progress(set.iter().count(), "verifying") };
    Ok(verify::verify(&mut conn, set, &opts, &mut printer).await?)
}

/// `auth.users (created_at, id), app.items (id)` from `schema.table.column` names.
fn by_table(columns: &std::collections::BTreeSet<String>) -> String {
    let mut tables: Vec<(String, Vec<&str>)> = vec![];
    for c in columns {
        let (table, column) = c.rsplit_once('.').unwrap_or(("", c));
        match tables.last_mut() {
            Some((t, cols)) if t == table => cols.push(column),
            _ => tables.push((table.to_owned(), vec![column])),
        }
    }
    tables.iter().map(|(t, cols)| format!("{t} ({})", cols.join(", "))).collect::<Vec<_>>().join(", ")
}
