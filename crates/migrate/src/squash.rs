//! `strata squash --to V`: one pair of files for every migrate file up to V,
//! generated from the catalog the originals leave and proven equal before
//! anything is written.
//!
//! 1. The originals are replayed on an empty scratch database A ([`replay`]).
//!    Objects the snapshot does not compare (aggregates, operators, rules,
//!    collations, text search objects, statistics, casts, event triggers,
//!    publications, foreign servers, large objects) are refused ([`uncovered`]).
//! 2. The schemas the originals created are dumped from A by `pg_dump` (schema
//!    and rows, `--inserts --on-conflict-do-nothing`; the CLI runs it), and
//!    [`generate`] makes the pair: every statement schema-qualified (pg_dump's) and
//!    idempotent (`IF NOT EXISTS`, `OR REPLACE`, or a DO block that checks the
//!    catalog first), sequences set with `setval`, roles the objects are owned by
//!    or granted to created `NOLOGIN` when missing; the down drops the schemas.
//! 3. [`prove`]: the pair runs on a second empty scratch database B. The
//!    snapshots of A and B ([`snapshot`]: the catalog of `verify` and `drift`,
//!    every table's rows compared exactly, and every sequence's value) must be
//!    equal, and after the generated down B's must equal its empty start.
//!
//! The squashed file is recognised on databases that applied the originals by
//! its name (`<V>_squashed`, see [`crate::plan::squash_cover`]); the history
//! table itself is unchanged.

use sqlx::PgConnection;

use crate::checksum::Checksum;
use crate::error::{Error, SqlFailure};
use crate::history::HistoryTable;
use crate::plan::{Direction, SQUASHED};
use crate::replay;
use crate::snapshot::{Catalog, Diff, Lines, Scope};
use crate::source::{Migration, MigrationSet, SqlFile, Track, Version};
use crate::split::{self, Piece};

/// The migrate files up to `to`: the first one when it is the project's
/// `create_schemas` file (kept: it declares the project's schemas, and the
/// linter wants it first), and those a squash to `to` replaces, in version order.
pub fn originals(set: &MigrationSet, to: Version) -> (Option<&Migration>, Vec<&Migration>) {
    let mut files: Vec<&Migration> = set.track(Track::Migrate).iter().filter(|m| m.version <= to).collect();
    let kept =
        (files.first().is_some_and(|m| m.description == crate::create_schemas::DESCRIPTION)).then(|| files.remove(0));
    (kept, files)
}

/// The down of the squashed file for schemas it does not create (those of the
/// kept `create_schemas` file): drops every object in them, takes back their
/// default privileges, grants and comment, and gives them back to the role that
/// runs the file. One statement a line.
pub async fn empty_schemas(conn: &mut PgConnection, schemas: &[String]) -> Result<Vec<String>, Error> {
    const SQL: &str = r#"
WITH ns AS (SELECT oid, nspname, nspowner, nspacl FROM pg_namespace WHERE nspname = ANY($1))
SELECT s FROM (
    SELECT 1 AS k, c.oid::bigint AS o, format('DROP %s IF EXISTS %I.%I CASCADE',
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE'
                          WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE' ELSE 'TABLE' END, ns.nspname, c.relname) AS s
    FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c') AND NOT c.relispartition
    UNION ALL
    SELECT 2, p.oid::bigint, format('DROP %s IF EXISTS %I.%I(%s) CASCADE', CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
           ns.nspname, p.proname, pg_get_function_identity_arguments(p.oid))
    FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace WHERE p.prokind IN ('f', 'p', 'w')
    UNION ALL
    SELECT 3, t.oid::bigint, format('DROP %s IF EXISTS %I.%I CASCADE', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, ns.nspname, t.typname)
    FROM pg_type t JOIN ns ON ns.oid = t.typnamespace WHERE t.typtype IN ('e', 'd', 'r')
    UNION ALL
    SELECT 4, d.oid::bigint, format('ALTER DEFAULT PRIVILEGES FOR ROLE %s IN SCHEMA %I REVOKE ALL ON %s FROM %s',
           CASE WHEN d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = current_user) THEN 'CURRENT_USER' ELSE quote_ident(pg_get_userbyid(d.defaclrole)) END,
           ns.nspname, CASE d.defaclobjtype WHEN 'r' THEN 'TABLES' WHEN 'S' THEN 'SEQUENCES' WHEN 'f' THEN 'FUNCTIONS' WHEN 'T' THEN 'TYPES' ELSE 'SCHEMAS' END,
           (SELECT string_agg(DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END, ', ') FROM aclexplode(d.defaclacl) a))
    FROM pg_default_acl d JOIN ns ON ns.oid = d.defaclnamespace
    UNION ALL
    SELECT 5, ns.oid::bigint, format('REVOKE ALL ON SCHEMA %I FROM %s', ns.nspname,
           (SELECT string_agg(DISTINCT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END, ', ')
            FROM aclexplode(ns.nspacl) a WHERE a.grantee <> ns.nspowner))
    FROM ns WHERE EXISTS (SELECT FROM aclexplode(ns.nspacl) a WHERE a.grantee <> ns.nspowner)
    UNION ALL
    SELECT 6, ns.oid::bigint, format('COMMENT ON SCHEMA %I IS NULL', ns.nspname)
    FROM ns WHERE EXISTS (SELECT FROM pg_description m WHERE m.objoid = ns.oid AND m.classoid = 'pg_namespace'::regclass)
    UNION ALL
    SELECT 7, ns.oid::bigint, format('ALTER SCHEMA %I OWNER TO CURRENT_USER', ns.nspname)
    FROM ns WHERE ns.nspowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
) x ORDER BY k, o DESC
"#;
    per_schema(conn, SQL, schemas, "reading what the squashed down drops").await
}

/// The text of each row of `sql`, whose `$1` is the list of `schemas`.
async fn per_schema(
    conn: &mut PgConnection,
    sql: &'static str,
    schemas: &[String],
    context: &'static str,
) -> Result<Vec<String>, Error> {
    sqlx::query_scalar(sql).bind(schemas).fetch_all(&mut *conn).await.map_err(|e| Error::database(context, e))
}

/// The snapshot a squash compares: the catalog with every table's rows
/// (compared exactly: the dump copies the values), and each sequence's value.
pub async fn snapshot(conn: &mut PgConnection, history: &HistoryTable) -> Result<Lines, Error> {
    let scope = Scope { history: history.clone(), data: true };
    let mut lines = Catalog::full(conn, &scope, &[]).await?.lines();
    lines.extend(crate::snapshot::sequence_values(conn, history).await?);
    Ok(lines)
}

/// The schemas of the database, oldest first (system schemas left out).
pub async fn schemas(conn: &mut PgConnection) -> Result<Vec<String>, Error> {
    sqlx::query_scalar(
        "SELECT nspname::text FROM pg_namespace WHERE nspname NOT IN ('pg_catalog', 'information_schema')
         AND nspname !~ '^pg_(toast|temp)' ORDER BY oid",
    )
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Error::database("reading the schemas", e))
}

/// Replays `files` on `conn` (an empty database), as `drift` does.
pub async fn replay(conn: &mut PgConnection, files: &[&Migration]) -> Result<(), Error> {
    Ok(replay::run_many(conn, files, Direction::Up).await??)
}

/// Objects in `schemas` (or database-wide) that the snapshot does not compare,
/// named: a squash cannot prove them equal.
pub async fn uncovered(conn: &mut PgConnection, schemas: &[String]) -> Result<Vec<String>, Error> {
    const SQL: &str = r#"
WITH ns AS (SELECT oid FROM pg_namespace WHERE nspname = ANY($1))
SELECT 'aggregate ' || p.oid::regprocedure::text FROM pg_proc p WHERE p.prokind = 'a' AND p.pronamespace IN (SELECT oid FROM ns)
UNION ALL SELECT 'operator ' || o.oid::regoperator::text FROM pg_operator o WHERE o.oprnamespace IN (SELECT oid FROM ns)
UNION ALL SELECT 'operator class ' || c.opcname FROM pg_opclass c WHERE c.opcnamespace IN (SELECT oid FROM ns)
UNION ALL SELECT 'operator family ' || f.opfname FROM pg_opfamily f WHERE f.opfnamespace IN (SELECT oid FROM ns)
UNION ALL SELECT 'collation ' || c.collname FROM pg_collation c WHERE c.collnamespace IN (SELECT oid FROM ns)
UNION ALL SELECT 'conversion ' || c.conname FROM pg_conversion c WHERE c.connamespace IN (SELECT oid FROM ns)
UNION ALL SELECT 'text search configuration ' || c.cfgname FROM pg_ts_config c WHERE c.cfgnamespace IN (SELECT oid FROM ns)
UNION ALL SELECT 'text search dictionary ' || d.dictname FROM pg_ts_dict d WHERE d.dictnamespace IN (SELECT oid FROM ns)
UNION ALL SELECT 'statistics object ' || s.stxname FROM pg_statistic_ext s WHERE s.stxnamespace IN (SELECT oid FROM ns)
UNION ALL SELECT 'rule ' || r.rulename || ' on ' || r.ev_class::regclass::text FROM pg_rewrite r
    JOIN pg_class c ON c.oid = r.ev_class WHERE r.rulename <> '_RETURN' AND c.relnamespace IN (SELECT oid FROM ns)
UNION ALL SELECT 'cast (' || format_type(c.castsource, NULL) || ' AS ' || format_type(c.casttarget, NULL) || ')'
    FROM pg_cast c WHERE c.oid >= 16384
UNION ALL SELECT 'event trigger ' || evtname FROM pg_event_trigger
UNION ALL SELECT 'publication ' || pubname FROM pg_publication
UNION ALL SELECT 'foreign server ' || srvname FROM pg_foreign_server
UNION ALL SELECT 'large object ' || oid::text FROM pg_largeobject_metadata
ORDER BY 1
"#;
    per_schema(conn, SQL, schemas, "looking for objects the snapshot does not cover").await
}

/// The roles (other than the replaying one and PUBLIC) that own objects, or are
/// granted rights, in `schemas`: the squashed file creates them when missing.
pub async fn roles(conn: &mut PgConnection, schemas: &[String]) -> Result<Vec<String>, Error> {
    const SQL: &str = r#"
WITH ns AS (SELECT oid, nspowner, nspacl FROM pg_namespace WHERE nspname = ANY($1)),
owners AS (
    SELECT nspowner AS r FROM ns
    UNION SELECT relowner FROM pg_class WHERE relnamespace IN (SELECT oid FROM ns)
    UNION SELECT proowner FROM pg_proc WHERE pronamespace IN (SELECT oid FROM ns)
    UNION SELECT typowner FROM pg_type WHERE typnamespace IN (SELECT oid FROM ns)
    UNION SELECT (aclexplode(nspacl)).grantee FROM ns
    UNION SELECT (aclexplode(relacl)).grantee FROM pg_class WHERE relnamespace IN (SELECT oid FROM ns)
    UNION SELECT (aclexplode(attacl)).grantee FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace IN (SELECT oid FROM ns) AND a.attacl IS NOT NULL
    UNION SELECT (aclexplode(proacl)).grantee FROM pg_proc WHERE pronamespace IN (SELECT oid FROM ns)
    UNION SELECT (aclexplode(typacl)).grantee FROM pg_type WHERE typnamespace IN (SELECT oid FROM ns)
    UNION SELECT defaclrole FROM pg_default_acl WHERE defaclnamespace IN (SELECT oid FROM ns)
    UNION SELECT (aclexplode(defaclacl)).grantee FROM pg_default_acl WHERE defaclnamespace IN (SELECT oid FROM ns)
)
SELECT rolname::text FROM pg_roles WHERE oid IN (SELECT r FROM owners) AND rolname <> current_user
    AND NOT rolname LIKE 'pg\_%' ORDER BY 1
"#;
    per_schema(conn, SQL, schemas, "reading the roles of the squashed objects").await
}

/// What the squash makes.
#[derive(Debug, Clone)]
pub struct Pair {
    pub up: String,
    pub down: String,
}

/// A statement of pg_dump's output that cannot be made idempotent here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot make this statement of the dump idempotent: {0}")]
pub struct Unsupported(pub String);

/// What [`generate`] needs beside the dump.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// Schemas that exist before the squashed file runs (the kept
    /// `create_schemas` file's): not created by it, emptied by its down.
    pub kept_schemas: &'a [String],
    /// The down's statements for those ([`empty_schemas`]).
    pub empty_kept: &'a [String],
    /// Schemas the squashed files created, in creation order: dropped by its down.
    pub created: &'a [String],
    /// The role that replayed the originals (written `CURRENT_USER`).
    pub runner: &'a str,
    /// Roles to create (`NOLOGIN`) when missing.
    pub roles: &'a [String],
    pub first: Version,
    pub to: Version,
    pub count: usize,
}

/// The squashed pair from pg_dump's plain output of the project's schemas.
pub fn generate(dump: &str, input: &Input<'_>) -> Result<Pair, Unsupported> {
    let Input { kept_schemas, empty_kept, created, runner, roles, first, to, count } = input.clone();
    let mut up = format!(
        "-- strata:squashes {first}..{to}\n\
         -- Generated by `strata squash --to {to}` from {count} migrate file(s), {first} to {to}: the\n\
         -- catalog and rows they leave, proven equal on two scratch databases. Do not edit.\n\n\
         SET LOCAL check_function_bodies = off;\n\
         SELECT pg_catalog.set_config('search_path', '', true);\n\n"
    );
    for role in roles {
        let lit = crate::quote::literal(role);
        let id = crate::quote::ident(role);
        up.push_str(&format!(
            "DO $strata$\nBEGIN\n    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {lit}) THEN\n        CREATE ROLE {id} NOLOGIN;\n    END IF;\nEND\n$strata$;\n\n"
        ));
    }
    // The replaying role becomes CURRENT_USER on pg_dump's own lines, as schema files
    // do: the rewrite matches whole lines, `;` included, which split statements lack.
    let dump: String = dump
        .lines()
        .map(|l| crate::schema_dump::runner_as_current_user(l, runner).unwrap_or_else(|| l.to_owned()) + "\n")
        .collect();
    for piece in split::pieces(&dump) {
        let piece = piece.map_err(|e| Unsupported(e.to_string()))?;
        let Piece::Statement(stmt) = piece else { continue };
        let text = strip_comments(stmt.text);
        if text.is_empty() {
            continue;
        }
        if text.strip_prefix("CREATE SCHEMA ").is_some_and(|rest| kept_schemas.contains(&unquote(qualified(rest)))) {
            continue;
        }
        if let Some(s) = idempotent(text)? {
            up.push_str(&s);
            up.push_str(";\n\n");
        }
    }
    while up.ends_with("\n\n") {
        up.pop();
    }
    let mut down = format!(
        "-- Generated by `strata squash --to {to}`: takes the catalog back to what it was before the\n\
         -- {count} squashed file(s): their objects dropped, the schemas they created too.\n\n"
    );
    for s in created.iter().rev() {
        down.push_str(&format!("DROP SCHEMA IF EXISTS {} CASCADE;\n", crate::quote::ident(s)));
    }
    for s in empty_kept {
        down.push_str(s);
        down.push_str(";\n");
    }
    Ok(Pair { up, down })
}

/// The statement without its leading comment lines (pg_dump's `-- Name: ...` blocks).
fn strip_comments(text: &str) -> &str {
    let mut t = text.trim();
    while t.starts_with("--") {
        t = t.split_once('\n').map_or("", |(_, rest)| rest).trim_start();
    }
    t
}

/// A guarded statement: run only when `condition` is false.
fn guarded(condition: &str, stmt: &str) -> String {
    format!("DO $strata$\nBEGIN\n    IF NOT EXISTS ({condition}) THEN\n        {stmt};\n    END IF;\nEND\n$strata$")
}

/// The first word of `s` as a possibly quoted identifier chain (`a."b c".d`).
fn qualified(s: &str) -> &str {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if !quoted && (c.is_whitespace() || c == '(' || c == ';') => return &s[..i],
            _ => {}
        }
    }
    s
}

/// The statement made idempotent; `None` to leave it out (pg_dump's session settings).
fn idempotent(text: &str) -> Result<Option<String>, Unsupported> {
    let t = text;
    if t.starts_with("SET ") || t.starts_with("SELECT pg_catalog.set_config(") {
        return Ok(None);
    }
    let same = [
        "ALTER SCHEMA ",
        "ALTER FUNCTION ",
        "ALTER PROCEDURE ",
        "ALTER TYPE ",
        "ALTER DOMAIN ",
        "ALTER SEQUENCE ",
        "ALTER VIEW ",
        "ALTER MATERIALIZED VIEW ",
        "ALTER DEFAULT PRIVILEGES ",
        "GRANT ",
        "REVOKE ",
        "COMMENT ON ",
        "SELECT pg_catalog.setval(",
    ];
    if same.iter().any(|h| t.starts_with(h)) {
        return Ok(Some(t.to_owned()));
    }
    if t.starts_with("INSERT INTO ") {
        if t.ends_with("ON CONFLICT DO NOTHING") {
            return Ok(Some(t.to_owned()));
        }
        return Err(Unsupported(first_line(t)));
    }
    for (head, with) in [
        ("CREATE SCHEMA ", "CREATE SCHEMA IF NOT EXISTS "),
        ("CREATE TABLE ", "CREATE TABLE IF NOT EXISTS "),
        ("CREATE UNLOGGED TABLE ", "CREATE UNLOGGED TABLE IF NOT EXISTS "),
        ("CREATE SEQUENCE ", "CREATE SEQUENCE IF NOT EXISTS "),
        ("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS "),
        ("CREATE UNIQUE INDEX ", "CREATE UNIQUE INDEX IF NOT EXISTS "),
        ("CREATE MATERIALIZED VIEW ", "CREATE MATERIALIZED VIEW IF NOT EXISTS "),
        ("CREATE FUNCTION ", "CREATE OR REPLACE FUNCTION "),
        ("CREATE PROCEDURE ", "CREATE OR REPLACE PROCEDURE "),
        ("CREATE VIEW ", "CREATE OR REPLACE VIEW "),
        ("CREATE EXTENSION ", "CREATE EXTENSION IF NOT EXISTS "),
    ] {
        if let Some(rest) = t.strip_prefix(head) {
            return Ok(Some(format!("{with}{rest}")));
        }
    }
    let lit = crate::quote::literal;
    if let Some(rest) = t.strip_prefix("CREATE TYPE ").or_else(|| t.strip_prefix("CREATE DOMAIN ")) {
        let name = qualified(rest);
        return Ok(Some(guarded(&format!("SELECT FROM pg_catalog.pg_type WHERE oid = to_regtype({})", lit(name)), t)));
    }
    // `name ON table`: found by its table and name.
    for (heads, catalog) in [
        (&["CREATE TRIGGER ", "CREATE CONSTRAINT TRIGGER "][..], ("pg_trigger", "tgrelid", "tgname")),
        (&["CREATE POLICY "][..], ("pg_policy", "polrelid", "polname")),
    ] {
        if let Some(rest) = heads.iter().find_map(|head| t.strip_prefix(head)) {
            let name = qualified(rest);
            let table = rest.split_once(" ON ").map(|(_, r)| qualified(r.trim_start())).unwrap_or("");
            return Ok(Some(guarded(&on_table(catalog, table, name), t)));
        }
    }
    if let Some(rest) = t.strip_prefix("ALTER TABLE ") {
        let rest = rest.strip_prefix("ONLY ").unwrap_or(rest);
        let table = qualified(rest);
        let action = rest[table.len()..].trim_start();
        if let Some(c) = action.strip_prefix("ADD CONSTRAINT ") {
            let cond = on_table(("pg_constraint", "conrelid", "conname"), table, qualified(c));
            return Ok(Some(guarded(&cond, t)));
        }
        if let Some(c) = action.strip_prefix("ALTER COLUMN ") {
            let column = qualified(c);
            if c[column.len()..].trim_start().starts_with("ADD GENERATED ") {
                let cond = on_table(("pg_attribute", "attrelid", "attname"), table, column) + " AND attidentity <> ''";
                return Ok(Some(guarded(&cond, t)));
            }
            return Ok(Some(t.to_owned()));
        }
        // Idempotent as they are.
        let same = [
            "OWNER TO ",
            "ENABLE ROW LEVEL SECURITY",
            "FORCE ROW LEVEL SECURITY",
            "REPLICA IDENTITY ",
            "CLUSTER ON ",
            "DISABLE TRIGGER ",
            "ENABLE ALWAYS TRIGGER ",
            "ENABLE REPLICA TRIGGER ",
        ];
        if same.iter().any(|s| action.starts_with(s)) {
            return Ok(Some(t.to_owned()));
        }
    }
    Err(Unsupported(first_line(t)))
}

/// The query that finds an object of a table by name: `catalog` is the catalog
/// with its table and name columns.
fn on_table((catalog, table_column, name_column): (&str, &str, &str), table: &str, name: &str) -> String {
    format!(
        "SELECT FROM pg_catalog.{catalog} WHERE {table_column} = {}::regclass AND {name_column} = {}",
        crate::quote::literal(table),
        crate::quote::literal(&unquote(name))
    )
}

fn first_line(t: &str) -> String {
    t.lines().next().unwrap_or("").to_owned()
}

/// An identifier as PostgreSQL stores it: `"a""b"` -> `a"b`, `ab` as written.
fn unquote(name: &str) -> String {
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => name.to_owned(),
    }
}

/// Why a squash was refused: what could not be proven equal.
#[derive(Debug, Clone)]
pub enum Verdict {
    Equal,
    /// The pair's up failed on the empty scratch database.
    UpFailed(Box<SqlFailure>),
    /// The pair's down failed.
    DownFailed(Box<SqlFailure>),
    /// The originals' snapshot (expected) and the pair's (actual) differ.
    Differs(Diff),
    /// After the down, the catalog is not what it was before the up.
    DownLeaves(Diff),
}

/// A file to run on a scratch database (it is never recorded anywhere).
fn file(sql: &str, path: &str, to: Version) -> Migration {
    let f = SqlFile { path: path.into(), sql: sql.to_owned(), no_transaction: false };
    Migration {
        track: Track::Migrate,
        version: to,
        description: SQUASHED.to_owned(),
        up: f.clone(),
        down: f,
        checksum: Checksum::of_normalized(sql),
    }
}

/// Runs the pair on `conn` (an empty database) and compares: its snapshot after
/// the up with `expected` (the originals'), after the down with its empty start.
pub async fn prove(
    conn: &mut PgConnection,
    history: &HistoryTable,
    kept: Option<&Migration>,
    pair: &Pair,
    expected: &Lines,
    to: Version,
) -> Result<Verdict, Error> {
    if let Some(k) = kept {
        replay::run(conn, k, Direction::Up).await??;
    }
    let empty = snapshot(conn, history).await?;
    let mut m = file(&pair.up, &format!("{to}_{SQUASHED}.up.sql"), to);
    m.down = file(&pair.down, &format!("{to}_{SQUASHED}.down.sql"), to).down;
    if let Err(f) = replay::run(conn, &m, Direction::Up).await? {
        return Ok(Verdict::UpFailed(Box::new(f)));
    }
    let actual = snapshot(conn, history).await?;
    if let Some(d) = Diff::between(expected, &actual) {
        return Ok(Verdict::Differs(d));
    }
    if let Err(f) = replay::run(conn, &m, Direction::Down).await? {
        return Ok(Verdict::DownFailed(Box::new(f)));
    }
    let after = snapshot(conn, history).await?;
    if let Some(d) = Diff::between(&empty, &after) {
        return Ok(Verdict::DownLeaves(d));
    }
    Ok(Verdict::Equal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_become_idempotent() {
        let cases = [
            ("CREATE SCHEMA app", "CREATE SCHEMA IF NOT EXISTS app"),
            ("CREATE TABLE app.t (\n    id integer\n)", "CREATE TABLE IF NOT EXISTS app.t (\n    id integer\n)"),
            ("CREATE INDEX t_i ON app.t USING btree (id)", "CREATE INDEX IF NOT EXISTS t_i ON app.t USING btree (id)"),
            ("CREATE FUNCTION app.f() RETURNS int", "CREATE OR REPLACE FUNCTION app.f() RETURNS int"),
            ("GRANT SELECT ON TABLE app.t TO r", "GRANT SELECT ON TABLE app.t TO r"),
        ];
        for (input, want) in cases {
            assert_eq!(idempotent(input).unwrap().as_deref(), Some(want));
        }
        assert_eq!(idempotent("SET statement_timeout = 0").unwrap(), None);
        let c = idempotent("ALTER TABLE ONLY auth.\"user\"\n    ADD CONSTRAINT user_pkey PRIMARY KEY (id)")
            .unwrap()
            .unwrap();
        assert!(c.contains("conrelid = 'auth.\"user\"'::regclass AND conname = 'user_pkey'"), "{c}");
        let t = idempotent("CREATE TRIGGER tg BEFORE UPDATE OF a ON app.t FOR EACH ROW EXECUTE FUNCTION app.f()")
            .unwrap()
            .unwrap();
        assert!(t.contains("tgrelid = 'app.t'::regclass AND tgname = 'tg'"), "{t}");
        assert!(idempotent("CREATE AGGREGATE app.a (int) (sfunc = x, stype = int)").is_err());
        assert!(idempotent("INSERT INTO app.t VALUES (1)").is_err());
    }

    #[test]
    fn the_replaying_role_is_written_current_user() {
        // pg_dump names the role that replayed the originals; the squashed file must
        // run under whatever role applies it. The rewrite matches whole dump lines,
        // `;` included, which a split statement no longer has.
        let dump = "CREATE TABLE app.t (\n    id integer\n);\n\nALTER TABLE app.t OWNER TO runner;\n\n\
                    GRANT SELECT ON TABLE app.t TO runner;\n\nREVOKE ALL ON TABLE app.t FROM runner;\n";
        let input = Input {
            kept_schemas: &[],
            empty_kept: &[],
            created: &[],
            runner: "runner",
            roles: &[],
            first: Version::parse("20250101_000001").unwrap(),
            to: Version::parse("20250101_000002").unwrap(),
            count: 2,
        };
        let up = generate(dump, &input).unwrap().up;
        for want in [
            "ALTER TABLE app.t OWNER TO CURRENT_USER;",
            "GRANT SELECT ON TABLE app.t TO CURRENT_USER;",
            "REVOKE ALL ON TABLE app.t FROM CURRENT_USER;",
        ] {
            assert!(up.contains(want), "{want} not in:\n{up}");
        }
        assert!(!up.contains(" runner"), "{up}");
    }

    #[test]
    fn pg_dump_comment_blocks_are_cut() {
        assert_eq!(strip_comments("--\n-- Name: t; Type: TABLE\n--\n\nCREATE TABLE a.t ()"), "CREATE TABLE a.t ()");
    }
}
