//! `strata verify`: every up idempotent, every down exact, on a scratch
//! database that is created for the run and dropped afterwards.

use anyhow::{Context as _, Result};
use serde_json::json;
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use strata_migrate::verify::{self, Problem, VerifyObserver};
use strata_migrate::{Migration, Options};

use crate::commands::track::load_set;
use crate::config::Context;
use crate::exit::Inconsistent;
use crate::output::{GREEN, Output, RED};

struct Printer<'a> {
    out: &'a Output,
    progress: crate::output::Progress,
}

impl VerifyObserver for Printer<'_> {
    fn checked(&mut self, m: &Migration, problems: &[Problem]) {
        self.progress.inc();
        self.out.event(json!({"event": "verified", "track": m.track, "version": m.version, "description": m.description, "ok": problems.is_empty(), "problems": problems}));
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
    let base: PgConnectOptions = url.parse().context("parsing the database URL")?;
    let mut admin = PgConnection::connect_with(&base.clone().application_name("strata verify"))
        .await
        .with_context(|| format!("connecting to {}", crate::config::redact(&url)))?;
    let scratch = format!("strata_verify_{}_{:08x}", std::process::id(), rand_suffix());
    sqlx::raw_sql(&format!("CREATE DATABASE \"{scratch}\""))
        .execute(&mut admin)
        .await
        .context("creating the scratch database (the role needs CREATEDB)")?;
    out.note(format!("Verifying on scratch database {scratch} (dropped afterwards)"));
    let result = verify_on(&base, &scratch, ctx, out, &set).await;
    let dropped =
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS \"{scratch}\" WITH (FORCE)")).execute(&mut admin).await;
    if let Err(err) = dropped {
        out.warn(format!("could not drop the scratch database {scratch}: {err}"));
    }
    let problems = result?;
    let files = set.migrate.len() + set.seed.len();
    out.event(json!({"event": "summary", "files": files, "problems": problems.len()}));
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
    base: &PgConnectOptions,
    scratch: &str,
    ctx: &Context,
    out: Output,
    set: &strata_migrate::MigrationSet,
) -> Result<Vec<Problem>> {
    let mut conn = PgConnection::connect_with(&base.clone().database(scratch).application_name("strata verify"))
        .await
        .context("connecting to the scratch database")?;
    let opts = Options { history: ctx.history.clone(), lock_timeout: ctx.lock_timeout, ..Options::default() };
    let mut printer = Printer { out: &out, progress: out.progress(set.migrate.len() + set.seed.len(), "verifying") };
    Ok(verify::verify(&mut conn, set, &opts, &mut printer).await?)
}

fn rand_suffix() -> u32 {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    nanos ^ std::process::id().rotate_left(16)
}
