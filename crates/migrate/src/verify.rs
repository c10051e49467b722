//! `verify`: prove on a scratch database that every up is idempotent and every
//! down restores exactly what was there before its up.
//!
//! For each file in order: snapshot, up, snapshot, the same up once more (it
//! must succeed and change nothing), down (the snapshot must equal the one
//! before the up), up again (equal to the first after-up snapshot). A snapshot
//! is the catalog (schemas, tables, columns with types, defaults and
//! nullability, constraints, indexes, views, functions, triggers, sequences,
//! types, extensions, grants) plus a hash of every table's rows, so seeds are
//! checked too. The history table itself is left out.

use std::collections::BTreeSet;

use sqlx::PgConnection;

use crate::apply::{self, Options};
use crate::error::Error;
use crate::plan::{DownTarget, Request};
use crate::source::{Migration, MigrationSet, Track};
use crate::split::split;

/// One line per object: `kind name: definition`.
pub type Snapshot = BTreeSet<String>;

/// What differs between two snapshots.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diff {
    /// In the expected snapshot, not in the actual one.
    pub missing: Vec<String>,
    /// In the actual snapshot, not in the expected one.
    pub extra: Vec<String>,
}

impl Diff {
    pub fn between(expected: &Snapshot, actual: &Snapshot) -> Option<Diff> {
        let missing: Vec<String> = expected.difference(actual).cloned().collect();
        let extra: Vec<String> = actual.difference(expected).cloned().collect();
        (!missing.is_empty() || !extra.is_empty()).then_some(Diff { missing, extra })
    }
}

impl std::fmt::Display for Diff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for m in &self.missing {
            writeln!(f, "  - {m}")?;
        }
        for e in &self.extra {
            writeln!(f, "  + {e}")?;
        }
        Ok(())
    }
}

/// A file that broke a promise.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Problem {
    pub track: Track,
    pub file: String,
    pub what: ProblemKind,
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ProblemKind {
    /// Running the up file a second time failed.
    NotIdempotentError { message: String },
    /// Running the up file a second time changed the database.
    NotIdempotentChange { diff: Diff },
    /// After down, the database is not what it was before up.
    DownDoesNotRestore { diff: Diff },
    /// After down and up again, the database differs from the first up.
    UpNotRepeatable { diff: Diff },
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.what {
            ProblemKind::NotIdempotentError { message } => {
                write!(f, "{}: not idempotent: running it a second time failed: {message}", self.file)
            }
            ProblemKind::NotIdempotentChange { diff } => {
                write!(f, "{}: not idempotent: running it a second time changed the database\n{diff}", self.file)
            }
            ProblemKind::DownDoesNotRestore { diff } => write!(
                f,
                "{}: its down file does not restore the database (- expected before up, + left after down)\n{diff}",
                self.file
            ),
            ProblemKind::UpNotRepeatable { diff } => {
                write!(f, "{}: after down, up again gives a different database\n{diff}", self.file)
            }
        }
    }
}

/// Progress of a verification.
pub trait VerifyObserver {
    fn checked(&mut self, migration: &Migration, problems: &[Problem]);
}

impl VerifyObserver for () {
    fn checked(&mut self, _: &Migration, _: &[Problem]) {}
}

/// Verifies every file of both tracks on `conn`, which must be an empty scratch
/// database. Returns every problem found; stops at a file that fails to apply.
pub async fn verify(
    conn: &mut PgConnection,
    set: &MigrationSet,
    opts: &Options,
    observer: &mut dyn VerifyObserver,
) -> Result<Vec<Problem>, Error> {
    let mut problems = vec![];
    for track in Track::ALL {
        for m in set.track(track) {
            let mut found = vec![];
            let file = m.up.path.display().to_string();
            let before = snapshot(conn, opts).await?;
            step(conn, set, track, Request::Up { to: Some(m.version), allow_out_of_order: false }, opts).await?;
            let after = snapshot(conn, opts).await?;
            match rerun(conn, m).await {
                Ok(()) => {
                    let again = snapshot(conn, opts).await?;
                    if let Some(diff) = Diff::between(&after, &again) {
                        found.push(Problem {
                            track,
                            file: file.clone(),
                            what: ProblemKind::NotIdempotentChange { diff },
                        });
                    }
                }
                Err(message) => {
                    found.push(Problem { track, file: file.clone(), what: ProblemKind::NotIdempotentError { message } })
                }
            }
            step(conn, set, track, Request::Down(DownTarget::Steps(1)), opts).await?;
            let down = snapshot(conn, opts).await?;
            if let Some(diff) = Diff::between(&before, &down) {
                found.push(Problem {
                    track,
                    file: m.down.path.display().to_string(),
                    what: ProblemKind::DownDoesNotRestore { diff },
                });
            }
            step(conn, set, track, Request::Up { to: Some(m.version), allow_out_of_order: false }, opts).await?;
            let again = snapshot(conn, opts).await?;
            if let Some(diff) = Diff::between(&after, &again) {
                found.push(Problem { track, file, what: ProblemKind::UpNotRepeatable { diff } });
            }
            observer.checked(m, &found);
            problems.extend(found);
        }
    }
    Ok(problems)
}

async fn step(
    conn: &mut PgConnection,
    set: &MigrationSet,
    track: Track,
    req: Request,
    opts: &Options,
) -> Result<(), Error> {
    apply::run(conn, set, track, &req, opts, &mut ()).await.map(|_| ()).map_err(|f| f.error)
}

/// The up file once more. A transactional file runs in a transaction that is
/// committed, as a real second run would be; a no-transaction file statement by
/// statement.
async fn rerun(conn: &mut PgConnection, m: &Migration) -> Result<(), String> {
    let result = if m.up.no_transaction {
        let mut r = Ok(());
        for stmt in split(&m.up.sql) {
            if let Err(e) = sqlx::raw_sql(stmt.text).execute(&mut *conn).await {
                r = Err(e);
                break;
            }
        }
        r
    } else {
        let sql = format!("BEGIN;\n{}\n;\nCOMMIT;", m.up.sql);
        let r = sqlx::raw_sql(&sql).execute(&mut *conn).await.map(|_| ());
        if r.is_err() {
            let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        }
        r
    };
    result.map_err(|e| match e.as_database_error() {
        Some(db) => format!("{} (SQLSTATE {})", db.message(), db.code().unwrap_or_default()),
        None => e.to_string(),
    })
}

/// The catalog and data of every user schema, minus the history table.
pub async fn snapshot(conn: &mut PgConnection, opts: &Options) -> Result<Snapshot, Error> {
    let history = opts.history.to_string();
    let rows: Vec<(String,)> = sqlx::query_as(CATALOG_SQL)
        .bind(&history)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| Error::database("reading the catalog", e))?;
    let mut out: Snapshot = rows.into_iter().map(|(line,)| line).collect();
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast'
           AND format('%s.%s', n.nspname, c.relname) <> $1 ORDER BY 1",
    )
    .bind(&history)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Error::database("listing tables", e))?;
    for (table,) in tables {
        let sql = format!(
            "SELECT count(*)::text || ' rows, md5 ' || coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t::text)), '-') FROM {table} t"
        );
        let (data,): (String,) =
            sqlx::query_as(&sql).fetch_one(&mut *conn).await.map_err(|e| Error::database("hashing table rows", e))?;
        out.insert(format!("data {table}: {data}"));
    }
    Ok(out)
}

const CATALOG_SQL: &str = r#"
WITH ns AS (
    SELECT oid, nspname FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp)'
), rel AS (
    -- An ACL equal to the owner's default means the same as none (NULL), and no
    -- statement can set it back to NULL once granted and revoked: compare them as equal.
    SELECT c.oid, c.relname, c.relkind, ns.nspname, format('%I.%I', ns.nspname, c.relname) AS qname,
           nullif(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)) AS relacl
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
    WHERE format('%s.%s', ns.nspname, c.relname) <> $1
      AND NOT (c.relkind = 'i' AND EXISTS (SELECT 1 FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN ns n2 ON n2.oid = t.relnamespace WHERE x.indexrelid = c.oid AND format('%s.%s', n2.nspname, t.relname) = $1))
      AND NOT (c.relkind = 'S' AND c.relname LIKE 'migration_history%')
)
SELECT 'schema ' || quote_ident(nspname) || ' owner ' || pg_get_userbyid(n.nspowner) || coalesce(' acl ' || nullif(n.nspacl, acldefault('n', n.nspowner))::text, '')
FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM ns)
UNION ALL
SELECT CASE relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                    WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'composite type' ELSE 'relation' END
       || ' ' || qname || coalesce(' acl ' || relacl::text, '')
FROM rel WHERE relkind <> 'i'
UNION ALL
SELECT 'column ' || rel.qname || '.' || quote_ident(a.attname) || ': ' || format_type(a.atttypid, a.atttypmod)
       || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
       || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
       || CASE WHEN a.attgenerated <> '' THEN ' generated' ELSE '' END
       || coalesce(' acl ' || a.attacl::text, '')
FROM pg_attribute a JOIN rel ON rel.oid = a.attrelid AND rel.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'constraint ' || rel.qname || ' ' || quote_ident(c.conname) || ': ' || pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN rel ON rel.oid = c.conrelid
UNION ALL
SELECT 'index ' || pg_get_indexdef(i.oid) FROM rel i WHERE i.relkind = 'i'
UNION ALL
SELECT 'view ' || qname || ': ' || pg_get_viewdef(oid) FROM rel WHERE relkind IN ('v', 'm')
UNION ALL
SELECT 'sequence ' || rel.qname || ': ' || format_type(s.seqtypid, NULL) || ' start ' || s.seqstart || ' increment ' || s.seqincrement
FROM pg_sequence s JOIN rel ON rel.oid = s.seqrelid
UNION ALL
SELECT 'function ' || quote_ident(ns.nspname) || '.' || quote_ident(p.proname) || '(' || pg_get_function_identity_arguments(p.oid) || ')'
       || ' md5 ' || md5(pg_get_functiondef(p.oid)) || coalesce(' acl ' || nullif(p.proacl, acldefault('f', p.proowner))::text, '')
FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace WHERE p.prokind IN ('f', 'p', 'w')
UNION ALL
SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN rel ON rel.oid = t.tgrelid WHERE NOT t.tgisinternal
UNION ALL
SELECT 'type ' || quote_ident(ns.nspname) || '.' || quote_ident(t.typname) || ' ' || t.typtype::text
       || coalesce(' labels ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '')
FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
WHERE t.typtype IN ('e', 'd', 'r', 'm') OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
UNION ALL
SELECT 'extension ' || extname || ' ' || extversion FROM pg_extension WHERE extname <> 'plpgsql'
UNION ALL
SELECT 'policy ' || quote_ident(schemaname) || '.' || quote_ident(tablename) || ' ' || quote_ident(policyname) || ' ' || cmd || coalesce(' using ' || qual, '') || coalesce(' check ' || with_check, '')
FROM pg_policies
UNION ALL
SELECT 'default privileges ' || pg_get_userbyid(defaclrole) || coalesce(' in ' || (SELECT nspname FROM pg_namespace WHERE oid = defaclnamespace), '') || ' ' || defaclobjtype::text || ' ' || defaclacl::text
FROM pg_default_acl
"#;
