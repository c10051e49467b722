//! `strata squash --to V`: every migrate file up to V replaced by one generated
//! pair, written only once two scratch databases prove it equal
//! ([`strata_migrate::squash`]).

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use strata_migrate::history::HistoryTable;
use strata_migrate::plan::SQUASHED;
use strata_migrate::squash::{self, Pair, Verdict};
use strata_migrate::{Track, Version};

use crate::args::SquashArgs;
use crate::commands::scratch::Scratch;
use crate::config::Context;
use crate::event::Event;
use crate::exit::{Inconsistent, Usage};
use crate::output::Output;
use crate::project::load_set;

pub async fn run(ctx: &Context, out: Output, args: &SquashArgs) -> Result<u8> {
    let to = Version::parse(&args.to).map_err(|e| Usage::new(format!("--to {}: {e}", args.to)))?;
    let set = load_set(ctx)?;
    if !set.track(Track::Migrate).iter().any(|m| m.version == to) {
        return Err(Usage::new(format!("--to {to}: no migrate file has this version")).into());
    }
    let (kept, files) = squash::originals(&set, to);
    if files.is_empty() || (files.len() == 1 && files[0].description == SQUASHED) {
        out.line(format!("Nothing to squash up to {to}."));
        return Ok(0);
    }
    let first = files[0].version;
    let url = ctx.url()?;
    let a = Scratch::create(&url, "squash").await?;
    let b = match Scratch::create(&url, "squash").await {
        Ok(b) => b,
        Err(e) => {
            a.drop(&out).await;
            return Err(e);
        }
    };
    out.note(format!(
        "Replaying {} migrate file(s) on scratch database {} and the squashed pair on {} (both dropped afterwards)",
        files.len(),
        a.name,
        b.name
    ));
    let result = async {
        let mut ca = a.connect("squash").await?;
        let mut cb = b.connect("squash").await?;
        let empty = squash::schemas(&mut ca).await?;
        if let Some(k) = kept {
            squash::replay(&mut ca, &[k]).await?;
        }
        let kept_schemas: Vec<String> =
            squash::schemas(&mut ca).await?.into_iter().filter(|s| !empty.contains(s)).collect();
        squash::replay(&mut ca, &files).await?;
        let all: Vec<String> = squash::schemas(&mut ca).await?.into_iter().filter(|s| !empty.contains(s)).collect();
        let created: Vec<String> = all.iter().filter(|s| !kept_schemas.contains(s)).cloned().collect();
        if all.is_empty() {
            return Err(Inconsistent(format!(
                "cannot squash to {to}: the files create no schema, and a squash covers only the schemas the project's files create; nothing written"
            ))
            .into());
        }
        let uncovered = squash::uncovered(&mut ca, &all).await?;
        if !uncovered.is_empty() {
            return Err(Inconsistent(format!(
                "cannot squash to {to}: the snapshot does not compare {}, so the squash cannot be proven equal; nothing written",
                uncovered.join(", ")
            ))
            .into());
        }
        let expected = squash::snapshot(&mut ca, &ctx.history).await?;
        let runner: String =
            sqlx::query_scalar("SELECT current_user::text").fetch_one(&mut ca).await.context("reading current_user")?;
        let roles = squash::roles(&mut ca, &all).await?;
        let empty_kept = squash::empty_schemas(&mut ca, &kept_schemas).await?;
        let dump = pg_dump(&strata_embedded::with_database(&url, &a.name), &all, &ctx.history)?;
        let input = squash::Input {
            kept_schemas: &kept_schemas,
            empty_kept: &empty_kept,
            created: &created,
            runner: &runner,
            roles: &roles,
            first,
            to,
            count: files.len(),
        };
        let pair = squash::generate(&dump, &input)
            .map_err(|e| Inconsistent(format!("cannot squash to {to}: {e}; nothing written")))?;
        let refuse = |why: String| -> anyhow::Error {
            Inconsistent(format!("cannot squash to {to}: {why}; nothing written")).into()
        };
        match squash::prove(&mut cb, &ctx.history, kept, &pair, &expected, to).await? {
            Verdict::Equal => Ok(pair),
            Verdict::UpFailed(f) => Err(refuse(format!("the generated up file fails on an empty database: {f}"))),
            Verdict::DownFailed(f) => Err(refuse(format!("the generated down file fails: {f}"))),
            Verdict::Differs(d) => Err(refuse(format!(
                "the generated pair does not give the catalog the originals give (- originals, + squashed):\n{d}"
            ))),
            Verdict::DownLeaves(d) => {
                Err(refuse(format!("the generated down does not take the catalog back to empty (+ left):\n{d}")))
            }
        }
    }
    .await;
    a.drop(&out).await;
    b.drop(&out).await;
    let pair = result?;
    let dir = ctx.dir.join(Track::Migrate.as_str());
    let (up, down) = write(&dir, to, &pair, &files)?;
    out.emit(Event::Squashed { to, replaced: files.len(), up: &up, down: &down });
    out.line(format!(
        "Squashed {} migrate file(s), {first} to {to}, into {} and {} (proven equal on two scratch databases).",
        files.len(),
        up.strip_prefix(&ctx.root).unwrap_or(&up).display(),
        down.strip_prefix(&ctx.root).unwrap_or(&down).display()
    ));
    Ok(0)
}

/// Writes the pair beside its place, removes the originals, then moves the pair
/// in: an interruption leaves either the originals or the pair (and a
/// `.partial` file), never half a file.
fn write(dir: &Path, to: Version, pair: &Pair, files: &[&strata_migrate::Migration]) -> Result<(PathBuf, PathBuf)> {
    let up = dir.join(format!("{to}_{SQUASHED}.up.sql"));
    let down = dir.join(format!("{to}_{SQUASHED}.down.sql"));
    let tmp = |p: &Path| p.with_extension("sql.partial");
    for (path, text) in [(&up, &pair.up), (&down, &pair.down)] {
        std::fs::write(tmp(path), text).with_context(|| format!("writing {}", tmp(path).display()))?;
    }
    for m in files {
        for p in [&m.up.path, &m.down.path] {
            if *p != up && *p != down {
                std::fs::remove_file(p).with_context(|| format!("removing {}", p.display()))?;
            }
        }
    }
    for path in [&up, &down] {
        std::fs::rename(tmp(path), path).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok((up, down))
}

/// `pg_dump` of the schemas (structure and rows as `INSERT ... ON CONFLICT DO
/// NOTHING`), the history table left out, the password in PGPASSWORD.
fn pg_dump(url: &str, schemas: &[String], history: &HistoryTable) -> Result<String> {
    use crate::pg_dump::literal;
    crate::pg_dump::run(url, "the squashed schemas", |cmd| {
        cmd.args(["--inserts", "--on-conflict-do-nothing", "--no-publications", "--no-subscriptions"]);
        for s in schemas {
            cmd.arg("--schema").arg(literal(s));
        }
        let (hs, hn) =
            history.to_string().split_once('.').map(|(a, b)| (a.to_owned(), b.to_owned())).unwrap_or_default();
        cmd.arg("--exclude-table").arg(format!("{}.{}", literal(&hs), literal(&hn)));
    })
}
