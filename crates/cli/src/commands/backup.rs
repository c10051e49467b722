//! `strata db dump` and `strata db restore`: one schema at a time, with the
//! schema's migration history recorded in the dump and checked on restore, so a
//! backup is never restored over a schema at another migration version.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};
use serde_json::json;
use strata_migrate::history::RowStatus;
use strata_migrate::{Options, scope, source};

use crate::args::{DumpArgs, RestoreArgs};
use crate::config::Context;
use crate::exit::{Inconsistent, Usage};
use crate::output::Output;

/// The first line of a dump: `-- strata-dump {json}`.
const HEADER: &str = "-- strata-dump ";

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    schema: String,
    data_only: bool,
    created_at: chrono::DateTime<chrono::Utc>,
    /// Applied files (both tracks) that touch the schema: `track version checksum`.
    history: BTreeSet<String>,
}

/// The applied files that touch `schema`, as `track version checksum` lines.
async fn schema_history(ctx: &Context, conn: &mut sqlx::PgConnection, schema: &str) -> Result<BTreeSet<String>> {
    let known = crate::schemas::project_schemas(ctx)?;
    let scan = source::scan(&ctx.dir);
    let opts = Options { history: ctx.history.clone(), ..Options::default() };
    let rows = strata_migrate::apply::history_rows(conn, &opts).await?;
    let mut out = BTreeSet::new();
    for row in rows.iter().filter(|r| r.status == RowStatus::Applied) {
        let files = scan.set.track(row.track);
        let file = files.binary_search_by_key(&row.version, |m| m.version).ok().map(|i| &files[i]);
        if file.is_some_and(|m| scope::schemas_touched(&m.up.sql, &known).contains(schema)) {
            out.insert(format!("{} {} {}", row.track, row.version, row.checksum));
        }
    }
    Ok(out)
}

async fn schema_exists(conn: &mut sqlx::PgConnection, schema: &str) -> Result<bool> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
        .bind(schema)
        .fetch_one(conn)
        .await?)
}

/// A PostgreSQL client program, given the URL without its password (which goes in
/// PGPASSWORD, so it never shows in the process list).
fn client(program: &str, url: &str) -> Result<Command> {
    let bin = strata_embedded::find_binaries().context("finding PostgreSQL's client programs")?.tool(program);
    let (url, password) = crate::secrets::without_password(url);
    let mut cmd = Command::new(bin);
    cmd.arg("--dbname").arg(url);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    Ok(cmd)
}

pub async fn dump(ctx: &Context, out: Output, args: &DumpArgs) -> Result<u8> {
    let mut conn = ctx.connect("strata db dump").await?;
    if !schema_exists(&mut conn, &args.schema).await? {
        return Err(Usage::new(format!("schema {:?} does not exist", args.schema)).into());
    }
    let header = Header {
        schema: args.schema.clone(),
        data_only: args.data_only,
        created_at: chrono::Utc::now(),
        history: schema_history(ctx, &mut conn, &args.schema).await?,
    };
    let url = ctx.url()?;
    let mut cmd = client("pg_dump", &url)?;
    cmd.args(["--format=plain", "--no-owner", "--schema", &args.schema]);
    if args.data_only {
        cmd.arg("--data-only");
    }
    let dumped = cmd.stderr(Stdio::piped()).stdout(Stdio::piped()).output().context("running pg_dump")?;
    if !dumped.status.success() {
        bail!("pg_dump failed: {}", String::from_utf8_lossy(&dumped.stderr).trim());
    }
    let mut body = format!("{HEADER}{}\n", serde_json::to_string(&header)?).into_bytes();
    body.extend_from_slice(&dumped.stdout);
    match &args.output {
        Some(path) => {
            // Write beside, then rename: an interrupted dump never leaves a truncated file under the name.
            let tmp = path.with_extension("partial");
            std::fs::write(&tmp, &body).with_context(|| format!("writing {}", tmp.display()))?;
            std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
            out.event(json!({"event": "dumped", "schema": args.schema, "data_only": args.data_only, "file": path, "bytes": body.len(), "migrations": header.history.len()}));
            out.note(format!(
                "Dumped schema {}{} to {} ({} bytes; {} applied migration files recorded)",
                args.schema,
                if args.data_only { " (data only)" } else { "" },
                path.display(),
                body.len(),
                header.history.len()
            ));
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&body).and_then(|_| stdout.flush()).context("writing the dump to stdout")?;
        }
    }
    Ok(0)
}

fn read_header(path: &Path) -> Result<Header> {
    let text = std::fs::read_to_string(path).map_err(|e| Usage::new(format!("{}: {e}", path.display())))?;
    let first = text.lines().next().unwrap_or_default();
    let json = first.strip_prefix(HEADER).ok_or_else(|| {
        Usage::new(format!("{}: not a strata dump (its first line must start with `{HEADER}`)", path.display()))
    })?;
    serde_json::from_str(json)
        .map_err(|e| Usage::new(format!("{}:1: bad strata-dump header: {e}", path.display())).into())
}

pub async fn restore(ctx: &Context, out: Output, args: &RestoreArgs) -> Result<u8> {
    let header = read_header(&args.file)?;
    let mut conn = ctx.connect("strata db restore").await?;
    let current = schema_history(ctx, &mut conn, &header.schema).await?;
    if current != header.history && !args.force {
        let only_dump: Vec<_> = header.history.difference(&current).collect();
        let only_db: Vec<_> = current.difference(&header.history).collect();
        return Err(Inconsistent(format!(
            "the dump of {} was taken at other migrations than this database has applied for that schema \
             (in the dump only: {}; in the database only: {}); migrate to match, or pass --force",
            header.schema,
            if only_dump.is_empty() {
                "none".into()
            } else {
                only_dump.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            },
            if only_db.is_empty() {
                "none".into()
            } else {
                only_db.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            },
        ))
        .into());
    }
    let exists = schema_exists(&mut conn, &header.schema).await?;
    if !header.data_only && exists {
        return Err(Inconsistent(format!(
            "schema {} exists; a full dump restores into a database without it (drop it first, or restore a --data-only dump)",
            header.schema
        ))
        .into());
    }
    if header.data_only && !exists {
        return Err(Inconsistent(format!(
            "schema {} does not exist; run the migrations before restoring its data",
            header.schema
        ))
        .into());
    }
    let url = ctx.url()?;
    let restored = client("psql", &url)?
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f"])
        .arg(&args.file)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .context("running psql")?;
    if !restored.status.success() {
        bail!(
            "restoring {} failed, nothing was changed: {}",
            args.file.display(),
            String::from_utf8_lossy(&restored.stderr).trim()
        );
    }
    out.event(json!({"event": "restored", "schema": header.schema, "data_only": header.data_only, "file": args.file}));
    out.line(format!(
        "Restored {}schema {} from {} (dumped {}).",
        if header.data_only { "the data of " } else { "" },
        header.schema,
        args.file.display(),
        header.created_at.format("%Y-%m-%d %H:%M:%S UTC")
    ));
    Ok(0)
}
