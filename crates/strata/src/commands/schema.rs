//! `strata schema dump` and `strata schema check`: one deterministic SQL file per
//! project schema, made from a replay of the migrate files on a scratch
//! database (never from the live one), and the check that the committed files
//! are what the migrate files produce.

use std::path::{Path, PathBuf};

use crate::event::Event;
use anyhow::{Context as _, Result};
use strata_migrate::Track;
use strata_migrate::schema_dump::{self, HEADER};

use crate::args::{SchemaArgs, SchemaCommand};
use crate::commands::scratch::Scratch;
use crate::config::Context;
use crate::exit::{Inconsistent, Usage};
use crate::output::Output;
use crate::project::load_set;
use crate::schemas::project_schemas;

pub async fn run(ctx: &Context, out: Output, cmd: &SchemaCommand) -> Result<u8> {
    match cmd {
        SchemaCommand::Dump(a) => dump(ctx, out, a).await,
        SchemaCommand::Check(a) => check(ctx, out, a).await,
    }
}

/// The folder of the schema files: `--schema-dir`, `[schema] dir`, else `schema`.
fn folder(ctx: &Context, args: &SchemaArgs) -> PathBuf {
    let dir = args.schema_dir.clone().or_else(|| ctx.schema_dir.clone()).unwrap_or_else(|| "schema".into());
    ctx.root.join(dir)
}

/// `<folder>/<schema>.sql`, shown relative to the project when it is inside it.
fn shown(ctx: &Context, path: &Path) -> String {
    path.strip_prefix(&ctx.root).unwrap_or(path).display().to_string()
}

/// The file of each project schema, from a replay of the migrate files.
async fn produce(ctx: &Context, out: Output, owners: bool) -> Result<Vec<(String, String)>> {
    let set = load_set(ctx)?;
    let schemas = project_schemas(ctx)?;
    if schemas.is_empty() {
        return Err(Usage::new(
            "no project schemas to dump (no create_schemas migration and no [migrations] schemas in strata.toml)",
        )
        .into());
    }
    if let Some(bad) = schemas.iter().find(|s| s.is_empty() || s.starts_with('.') || s.contains(['/', '\\', '\0'])) {
        return Err(Usage::new(format!("schema {bad:?} cannot name a file in the schema folder")).into());
    }
    let url = ctx.url()?;
    let scratch = Scratch::create(&url, "schema").await?;
    out.note(format!("Replaying the migrate files on scratch database {} (dropped afterwards)", scratch.name));
    let result = async {
        let mut conn = scratch.connect("schema dump").await?;
        let runner: String = sqlx::query_scalar("SELECT current_user::text")
            .fetch_one(&mut conn)
            .await
            .context("reading current_user")?;
        schema_dump::replay_track(&mut conn, &set, Track::Migrate).await?;
        let mut files = vec![];
        for schema in &schemas {
            let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
                .bind(schema)
                .fetch_one(&mut conn)
                .await
                .context("reading the replayed schemas")?;
            if !exists {
                return Err(Usage::new(format!(
                    "schema {schema:?} is one of the project's schemas, but the migrate files do not create it"
                ))
                .into());
            }
            let dumped = pg_dump(&strata_embedded::with_database(&url, &scratch.name), schema, owners)?;
            files.push((schema.clone(), schema_dump::normalise(&dumped, schema, &runner)));
        }
        anyhow::Ok(files)
    }
    .await;
    scratch.drop(&out).await;
    result
}

/// `pg_dump --schema-only` of one schema.
fn pg_dump(url: &str, schema: &str, owners: bool) -> Result<String> {
    crate::pg_dump::run(url, &format!("schema {schema}"), |cmd| {
        cmd.args(["--schema-only", "--schema", &crate::pg_dump::literal(schema)]);
        if !owners {
            cmd.arg("--no-owner");
        }
    })
}

/// Schema files in `dir` that no project schema makes: `.sql` files that start with
/// our header (others are left alone).
fn stale(dir: &Path, schemas: &[(String, String)]) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else { return vec![] };
    let mut out: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .filter(|p| !schemas.iter().any(|(s, _)| p.file_name() == Some(format!("{s}.sql").as_ref())))
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.starts_with(HEADER)))
        .collect();
    out.sort();
    out
}

async fn dump(ctx: &Context, out: Output, args: &SchemaArgs) -> Result<u8> {
    let dir = folder(ctx, args);
    let files = produce(ctx, out, args.owners).await?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    // Every file is made before any is written; each is written beside its place
    // and moved there, so an interruption leaves no half-written file.
    for (schema, text) in &files {
        let path = dir.join(format!("{schema}.sql"));
        let unchanged = std::fs::read_to_string(&path).is_ok_and(|t| t == *text);
        if !unchanged {
            let tmp = dir.join(format!(".{schema}.sql.partial"));
            std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, &path).with_context(|| format!("writing {}", path.display()))?;
        }
        out.emit(Event::SchemaDumped { schema, file: &path, lines: text.lines().count(), changed: !unchanged });
        out.line(format!(
            "  {} {} ({} lines)",
            if unchanged { "unchanged" } else { "wrote    " },
            shown(ctx, &path),
            text.lines().count()
        ));
    }
    for path in stale(&dir, &files) {
        std::fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        out.emit(Event::SchemaRemoved { file: &path });
        out.line(format!("  removed   {} (no such project schema)", shown(ctx, &path)));
    }
    out.emit(Event::SchemaDumpSummary { schemas: files.len(), dir: &dir });
    out.line(format!("Dumped {} schema(s) to {}.", files.len(), shown(ctx, &dir)));
    Ok(0)
}

async fn check(ctx: &Context, out: Output, args: &SchemaArgs) -> Result<u8> {
    let dir = folder(ctx, args);
    let files = produce(ctx, out, args.owners).await?;
    let mut problems = vec![];
    for (schema, text) in &files {
        let path = dir.join(format!("{schema}.sql"));
        let name = shown(ctx, &path);
        let committed = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                problems.push((schema.clone(), name.clone(), None, format!("{name}: missing (schema {schema})")));
                continue;
            }
            Err(e) => return Err(e).with_context(|| format!("reading {name}")),
        };
        if let Some((line, was, now)) = schema_dump::first_difference(&committed, text) {
            let side = |s: Option<&str>| s.map_or("(end of file)".to_owned(), |s| format!("{s:?}"));
            problems.push((
                schema.clone(),
                name.clone(),
                Some(line),
                format!(
                    "{name}:{line}: schema {schema} differs from what the migrate files produce\n    committed: {}\n    files:     {}",
                    side(was),
                    side(now)
                ),
            ));
        }
    }
    for path in stale(&dir, &files) {
        let name = shown(ctx, &path);
        problems.push((String::new(), name.clone(), None, format!("{name}: no project schema makes this file")));
    }
    for (schema, file, line, message) in &problems {
        out.emit(Event::SchemaDiffers { schema, file, line: *line, message });
        if !out.json {
            anstream::eprintln!("{message}");
        }
    }
    out.emit(Event::SchemaCheckSummary { schemas: files.len(), differ: problems.len() });
    if problems.is_empty() {
        out.line(format!("The schema files in {} are what the migrate files produce.", shown(ctx, &dir)));
        return Ok(0);
    }
    Err(Inconsistent(format!(
        "{} schema file(s) out of date; run `strata schema dump` and commit the result",
        problems.len()
    ))
    .into())
}
