//! `strata db`: the embedded development database, and a psql-like look at any
//! database's catalog (`\dn`, `\dt`, `\d`).

use crate::event::{Definition, DescribedColumn, DescribedConstraint, Event, Reference};
use anyhow::{Context as _, Result};
use sqlx::PgConnection;
use strata_studio::db::relkind::{ESTIMATE_SQL, RelKind};

use crate::args::DbCommand;
use crate::config::{Context, DatabaseSource, redact};
use crate::exit::Usage;
use crate::output::{BOLD, DIM, GREEN, Output, table};

pub async fn run(ctx: &Context, out: Output, cmd: &DbCommand) -> Result<u8> {
    match cmd {
        DbCommand::Start => start(ctx, out),
        DbCommand::Stop => stop(ctx, out),
        DbCommand::Status => status(ctx, out),
        DbCommand::Url => url(ctx, out),
        DbCommand::Reset { yes } => reset(ctx, out, *yes),
        DbCommand::Schemas => schemas(ctx, out).await,
        DbCommand::Tables { schema } => tables(ctx, out, schema.as_deref()).await,
        DbCommand::Describe { table } => describe(ctx, out, table).await,
        DbCommand::Dump(a) => crate::commands::backup::dump(ctx, out, a).await,
        DbCommand::Restore(a) => crate::commands::backup::restore(ctx, out, a).await,
    }
}

fn start(ctx: &Context, out: Output) -> Result<u8> {
    if let DatabaseSource::Url { from, .. } = &ctx.database {
        out.warn(format!("{from} is set, so other commands use that database, not the embedded one"));
    }
    let started = ctx.cluster().start().context("starting the embedded database")?;
    out.emit(Event::DbStarted {
        url: redact(&started.url),
        port: started.port,
        data_dir: &started.data_dir,
        already_running: started.already_running,
    });
    if started.already_running {
        out.note(format!("The embedded database is already running on port {}.", started.port));
    } else {
        out.note(format!(
            "{GREEN}Started{GREEN:#} the embedded database on 127.0.0.1:{} (data in {}).",
            started.port,
            started.data_dir.display()
        ));
    }
    // The password stays out of the output; `strata db url` is the command that prints it.
    out.result(redact(&started.url));
    Ok(0)
}

fn stop(ctx: &Context, out: Output) -> Result<u8> {
    let was_running = ctx.cluster().stop().context("stopping the embedded database")?;
    out.emit(Event::DbStopped { was_running });
    out.line(if was_running { "Stopped the embedded database." } else { "The embedded database was not running." });
    Ok(0)
}

fn status(ctx: &Context, out: Output) -> Result<u8> {
    let s = ctx.cluster().status().context("reading the embedded database's status")?;
    out.emit(Event::DbStatus {
        running: s.running,
        initialized: s.initialized,
        port: s.port,
        pid: s.pid,
        data_dir: &s.data_dir,
        url: s.url.as_deref().map(redact),
        server_version: s.server_version.as_deref(),
        binaries: s.binaries.as_deref(),
        active: ctx.is_embedded(),
    });
    let state = match (s.initialized, s.running) {
        (_, true) => format!("{GREEN}running{GREEN:#}"),
        (true, false) => "stopped".to_owned(),
        (false, false) => "not created yet (`strata db start` creates it)".to_owned(),
    };
    let mut lines = vec![format!("{BOLD}embedded database{BOLD:#}: {state}")];
    if let Some(port) = s.port {
        lines.push(format!("  port:     {port} (127.0.0.1 only)"));
    }
    if let Some(pid) = s.pid {
        lines.push(format!("  pid:      {pid}"));
    }
    lines.push(format!("  data:     {}", s.data_dir.display()));
    if let Some(v) = &s.server_version {
        lines.push(format!("  server:   {v}"));
    }
    if let Some(url) = &s.url {
        lines.push(format!("  url:      {}", redact(url)));
    }
    if let DatabaseSource::Url { from, .. } = &ctx.database {
        lines.push(format!("  {DIM}not in use: {from} is set{DIM:#}"));
    }
    out.result(lines.join("\n"));
    Ok(0)
}

/// Deleting data asks on a terminal and needs --yes without one, as rolling back everything does.
fn reset(ctx: &Context, out: Output, yes: bool) -> Result<u8> {
    let cluster = ctx.cluster();
    let status = cluster.status().context("reading the embedded database's status")?;
    if !status.initialized {
        out.line("The embedded database does not exist; nothing to reset.");
        return Ok(0);
    }
    if !yes {
        crate::output::confirm(
            &format!("Delete the embedded database in {} and all its data?", status.data_dir.display()),
            "refusing to delete the embedded database without --yes (no terminal to ask)",
            "not confirmed; nothing was deleted",
        )?;
    }
    cluster.destroy().context("deleting the embedded database")?;
    out.emit(Event::DbReset { data_dir: &status.data_dir });
    out.line(format!(
        "Deleted the embedded database ({}); the next command creates it afresh.",
        status.data_dir.display()
    ));
    Ok(0)
}

/// The one command that prints a password: giving the URL to other programs
/// (`psql "$(strata db url)"`) is what it is for.
fn url(ctx: &Context, out: Output) -> Result<u8> {
    let url = ctx.url()?;
    out.emit(Event::DbUrl { url: &url, embedded: ctx.is_embedded() });
    out.result(url);
    Ok(0)
}

async fn schemas(ctx: &Context, out: Output) -> Result<u8> {
    let mut conn = ctx.connect("strata db schemas").await?;
    let rows: Vec<(String, String, i64, i64, Option<String>)> = sqlx::query_as(
        "SELECT n.nspname::text, pg_get_userbyid(n.nspowner)::text,
                (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('r', 'p')),
                (SELECT count(*) FROM pg_class c WHERE c.relnamespace = n.oid AND c.relkind IN ('v', 'm')),
                obj_description(n.oid, 'pg_namespace')
         FROM pg_namespace n
         WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
         ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .context("listing schemas")?;
    for (name, owner, tables, views, description) in &rows {
        out.emit(Event::Schema { name, owner, tables: *tables, views: *views, description: description.as_deref() });
    }
    let body: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(n, o, t, v, d)| vec![n, o, t.to_string(), v.to_string(), d.unwrap_or_default()])
        .collect();
    out.result(table(&["SCHEMA", "OWNER", "TABLES", "VIEWS", "DESCRIPTION"], &body));
    Ok(0)
}

async fn tables(ctx: &Context, out: Output, schema: Option<&str>) -> Result<u8> {
    let mut conn = ctx.connect("strata db tables").await?;
    if let Some(schema) = schema {
        schema_exists(&mut conn, schema).await?;
    }
    // The studio's estimate (reltuples once analysed, else the live-tuple count; a
    // partitioned table's partitions summed; none for views), so both show one number.
    let rows: Vec<(String, String, String, String, Option<i64>, String)> = sqlx::query_as(&format!(
        "SELECT n.nspname::text, c.relname::text, c.relkind::text, pg_get_userbyid(c.relowner)::text,
                {ESTIMATE_SQL}, pg_size_pretty(pg_total_relation_size(c.oid))
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN {kinds} AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'
           AND ($1::text IS NULL OR n.nspname = $1)
         ORDER BY 1, 2",
        kinds = RelKind::SQL_LIST,
    ))
    .bind(schema)
    .fetch_all(&mut conn)
    .await
    .context("listing tables")?;
    let rows: Vec<_> = rows
        .into_iter()
        .map(|(s, n, kind, owner, est, size)| {
            let kind = RelKind::from_relkind(&kind).map_or("foreign table", RelKind::label);
            (s, n, kind, owner, est, size)
        })
        .collect();
    for (s, n, kind, owner, est, size) in &rows {
        out.emit(Event::Table { schema: s, name: n, kind, owner, estimated_rows: *est, size });
    }
    if rows.is_empty() {
        out.result(format!("No tables{}.", schema.map(|s| format!(" in schema {s}")).unwrap_or_default()));
        return Ok(0);
    }
    let body: Vec<Vec<String>> = rows
        .into_iter()
        .map(|(s, n, k, o, e, z)| vec![s, n, k.to_owned(), o, e.map_or_else(|| "-".to_owned(), |e| format!("~{e}")), z])
        .collect();
    out.result(table(&["SCHEMA", "NAME", "TYPE", "OWNER", "ROWS (EST.)", "SIZE"], &body));
    Ok(0)
}

async fn schema_exists(conn: &mut PgConnection, schema: &str) -> Result<()> {
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
        .bind(schema)
        .fetch_one(&mut *conn)
        .await?;
    if exists { Ok(()) } else { Err(Usage::new(format!("schema {schema:?} does not exist")).into()) }
}

/// name, type, not null, default, identity/generated, comment
type ColumnRow = (String, String, bool, Option<String>, String, Option<String>);

async fn describe(ctx: &Context, out: Output, name: &str) -> Result<u8> {
    let Some((schema, rel)) = name.split_once('.') else {
        return Err(Usage::new(format!("{name:?}: give the table as SCHEMA.TABLE, e.g. app.items")).into());
    };
    let (schema, rel) = (schema.trim_matches('"'), rel.trim_matches('"'));
    let mut conn = ctx.connect("strata db describe").await?;
    schema_exists(&mut conn, schema).await?;
    let found: Option<(sqlx::postgres::types::Oid, String)> = sqlx::query_as(
        "SELECT c.oid, CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'partitioned table' WHEN 'v' THEN 'view'
                                      WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' ELSE c.relkind::text END
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
    )
    .bind(schema)
    .bind(rel)
    .fetch_optional(&mut conn)
    .await?;
    let Some((oid, kind)) = found else {
        return Err(Usage::new(format!("no table {schema}.{rel} (see `strata db tables {schema}`)")).into());
    };
    let columns: Vec<ColumnRow> = sqlx::query_as(
        "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                pg_get_expr(d.adbin, d.adrelid),
                CASE WHEN a.attidentity <> '' THEN 'identity' WHEN a.attgenerated <> '' THEN 'generated' ELSE '' END,
                col_description(a.attrelid, a.attnum)
         FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum",
    )
    .bind(oid)
    .fetch_all(&mut conn)
    .await?;
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT i.relname::text, pg_get_indexdef(x.indexrelid)
         FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = $1
         ORDER BY x.indisprimary DESC, i.relname",
    )
    .bind(oid)
    .fetch_all(&mut conn)
    .await?;
    let constraints: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT conname::text, CASE contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key'
                                            WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclusion' ELSE contype::text END,
                pg_get_constraintdef(oid)
         FROM pg_constraint WHERE conrelid = $1 ORDER BY contype, conname",
    )
    .bind(oid)
    .fetch_all(&mut conn)
    .await?;
    let referenced_by: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid)
         FROM pg_constraint WHERE confrelid = $1 AND contype = 'f' ORDER BY 1, 2",
    )
    .bind(oid)
    .fetch_all(&mut conn)
    .await?;
    let triggers: Vec<(String, String)> = sqlx::query_as(
        "SELECT tgname::text, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = $1 AND NOT tgisinternal ORDER BY 1",
    )
    .bind(oid)
    .fetch_all(&mut conn)
    .await?;

    out.emit(Event::Describe {
        schema,
        name: rel,
        kind: &kind,
        columns: columns
            .iter()
            .map(|(name, data_type, not_null, default, kind, comment)| DescribedColumn {
                name,
                data_type,
                nullable: !not_null,
                default: default.as_deref(),
                kind,
                comment: comment.as_deref(),
            })
            .collect(),
        indexes: indexes.iter().map(|(name, definition)| Definition { name, definition }).collect(),
        constraints: constraints
            .iter()
            .map(|(name, kind, definition)| DescribedConstraint { name, kind, definition })
            .collect(),
        referenced_by: referenced_by
            .iter()
            .map(|(table, name, definition)| Reference { table, name, definition })
            .collect(),
        triggers: triggers.iter().map(|(name, definition)| Definition { name, definition }).collect(),
    });
    let mut text = format!("{BOLD}{kind} {schema}.{rel}{BOLD:#}\n");
    let body: Vec<Vec<String>> = columns
        .into_iter()
        .map(|(n, t, nn, d, k, c)| {
            vec![n, t, if nn { "not null".into() } else { String::new() }, d.unwrap_or(k), c.unwrap_or_default()]
        })
        .collect();
    text.push_str(&table(&["COLUMN", "TYPE", "NULLABLE", "DEFAULT", "COMMENT"], &body));
    let mut section = |title: &str, lines: Vec<String>| {
        if !lines.is_empty() {
            text.push_str(&format!("\n{BOLD}{title}:{BOLD:#}\n"));
            for l in lines {
                text.push_str(&format!("    {l}\n"));
            }
        }
    };
    section("Indexes", indexes.into_iter().map(|(n, d)| format!("{n}: {d}")).collect());
    section("Constraints", constraints.into_iter().map(|(n, k, d)| format!("{n} ({k}): {d}")).collect());
    section("Referenced by", referenced_by.into_iter().map(|(t, n, d)| format!("{t} {n}: {d}")).collect());
    section("Triggers", triggers.into_iter().map(|(_, d)| d).collect());
    out.result(text.trim_end());
    Ok(0)
}
