//! `strata db dump` and `strata db restore`: one schema at a time, with the
//! schema's migration history recorded in the dump and checked on restore, so a
//! backup is never restored over a schema at another migration version.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::event::Event;
use anyhow::{Context as _, Result, bail};
use serde::{Deserialize, Serialize};
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
    let rows = strata_migrate::history::read(conn, &opts.history).await?;
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
    cmd.args(["--format=plain", "--no-owner", "--encoding=UTF8", "--schema", &args.schema]);
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
            write_private(path, &body, args.force)?;
            out.emit(Event::Dumped {
                schema: &args.schema,
                data_only: args.data_only,
                file: path,
                bytes: body.len(),
                migrations: header.history.len(),
            });
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

/// Writes `body` to `path`, readable and writable by its owner only (a dump of
/// `auth` holds password hashes): first beside it, then moved into place, so an
/// interrupted dump never leaves a truncated file under the name. An existing
/// file is replaced only with `force`; without it the move itself refuses (a
/// hard link, which never replaces), so a file appearing meanwhile is kept too.
fn write_private(path: &Path, body: &[u8], force: bool) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let exists = || Usage::new(format!("{} exists; pass --force to replace it", path.display()));
    if !force && path.symlink_metadata().is_ok() {
        return Err(exists().into());
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = std::path::PathBuf::from(tmp);
    // A leftover of an interrupted dump, or anything planted there: create_new below
    // never writes through it.
    let _ = std::fs::remove_file(&tmp);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)
        .and_then(|mut f| f.write_all(body).and_then(|()| f.sync_all()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("writing {}", tmp.display()));
    }
    let placed = if force {
        std::fs::rename(&tmp, path)
    } else {
        std::fs::hard_link(&tmp, path).and_then(|()| std::fs::remove_file(&tmp))
    };
    if let Err(e) = placed {
        let _ = std::fs::remove_file(&tmp);
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            return Err(exists().into());
        }
        return Err(e).with_context(|| format!("writing {}", path.display()));
    }
    Ok(())
}

/// The most read of a file's first line when looking for the header: a header
/// takes about 90 bytes per applied file that touches the schema, so this allows
/// some 40,000 of them, and a file without a newline (`/dev/zero`) is refused after
/// reading this much rather than all of it.
const HEADER_LIMIT: usize = 4 << 20;

/// A dump file read whole: its header, and its text (the header line included, so
/// offsets and lines are the file's).
struct DumpFile {
    header: Header,
    text: String,
}

fn read_dump(path: &Path) -> Result<DumpFile> {
    use std::io::{BufRead, BufReader, Read};
    let file = std::fs::File::open(path).map_err(|e| Usage::new(format!("{}: {e}", path.display())))?;
    let mut reader = BufReader::new(file);
    let mut first = Vec::new();
    (&mut reader)
        .take(HEADER_LIMIT as u64)
        .read_until(b'\n', &mut first)
        .map_err(|e| Usage::new(format!("{}: {e}", path.display())))?;
    let not_a_dump = |why: &str| -> anyhow::Error {
        Usage::new(format!(
            "{}:1: not a strata dump: {why} (the first line of one is `{HEADER}{{...}}`)",
            path.display()
        ))
        .into()
    };
    if !first.starts_with(HEADER.as_bytes()) {
        return Err(not_a_dump("its first line is not a strata-dump header"));
    }
    if first.last() != Some(&b'\n') {
        return Err(not_a_dump(&format!("its first line does not end within {} MiB", HEADER_LIMIT >> 20)));
    }
    let first = String::from_utf8(first).map_err(|_| not_a_dump("its first line is not UTF-8"))?;
    let header: Header = serde_json::from_str(first[HEADER.len()..].trim_end())
        .map_err(|e| Usage::new(format!("{}:1: bad strata-dump header: {e}", path.display())))?;
    let mut rest = Vec::new();
    reader.read_to_end(&mut rest).with_context(|| format!("reading {}", path.display()))?;
    let rest = String::from_utf8(rest).map_err(|e| {
        let at = first.len() + e.utf8_error().valid_up_to();
        let bytes = e.as_bytes();
        let line = 2 + bytes[..e.utf8_error().valid_up_to()].iter().filter(|b| **b == b'\n').count();
        Usage::new(format!("{}:{line}: not UTF-8 (byte {at}); strata writes dumps in UTF-8", path.display()))
    })?;
    Ok(DumpFile { header, text: first + &rest })
}

pub async fn restore(ctx: &Context, out: Output, args: &RestoreArgs) -> Result<u8> {
    let dump = read_dump(&args.file)?;
    let header = &dump.header;
    // The file names its schema, so it is the file that picks what a restore may
    // change: only one of the project's schemas, never a system one.
    let known = crate::schemas::project_schemas(ctx)?;
    let system = header.schema.starts_with("pg_") || header.schema == "information_schema";
    if system || (!known.is_empty() && !known.contains(&header.schema)) {
        return Err(Inconsistent(format!(
            "{}:1: refused, nothing was restored: the header names schema {:?}, which is not one of this project's schemas ({})",
            args.file.display(),
            header.schema,
            if known.is_empty() { "none found".to_owned() } else { known.join(", ") }
        ))
        .into());
    }
    // Checked whole before connecting: a file that holds anything else runs nothing.
    let steps = crate::restore::check::check(&dump.text, &header.schema, header.data_only).map_err(|r| {
        Inconsistent(format!(
            "{}: refused, nothing was restored: {}",
            place(&args.file, &dump.text, r.offset),
            r.reason
        ))
    })?;
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
    let restored = crate::restore::run::run(&mut conn, &steps).await.map_err(|f| {
        anyhow::anyhow!(
            "{}: restoring failed, nothing was changed: {}",
            place(&args.file, &dump.text, f.offset),
            f.message
        )
    })?;
    out.emit(Event::Restored {
        schema: &header.schema,
        data_only: header.data_only,
        file: &args.file,
        statements: restored.statements,
        rows: restored.rows,
    });
    out.line(format!(
        "Restored {}schema {} from {} (dumped {}; {} statements, {} rows).",
        if header.data_only { "the data of " } else { "" },
        header.schema,
        args.file.display(),
        header.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
        restored.statements,
        restored.rows
    ));
    Ok(0)
}

/// `file:line:col` of a byte offset in the file's text.
fn place(path: &Path, text: &str, offset: usize) -> String {
    let (line, column) = strata_migrate::text_position::LineIndex::new(text).line_col(offset);
    format!("{}:{line}:{column}", path.display())
}
