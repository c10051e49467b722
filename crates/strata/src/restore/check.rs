//! What a dump file may hold: the statements pg_dump writes for the one schema
//! its header names, nothing else. Every statement is parsed with the linter's
//! parser (squawk's, which follows PostgreSQL's grammar) and checked for its kind
//! and for the objects it creates or changes; the file is cut into statements,
//! COPY data and psql meta-commands by the one shared splitter. The first thing
//! that does not fit refuses the whole file, before anything runs.
//!
//! The kinds are those `pg_dump --format=plain --no-owner --schema S` writes,
//! full and `--data-only` (checked against this project's dumps in
//! `tests/restore.rs`): the `SET` / `set_config` preamble, `COPY ... FROM stdin`,
//! `SELECT pg_catalog.setval(...)`, `REFRESH MATERIALIZED VIEW`, and for a full
//! dump `CREATE SCHEMA|TABLE|INDEX|FUNCTION|PROCEDURE|TRIGGER|SEQUENCE|VIEW|
//! MATERIALIZED VIEW|TYPE|DOMAIN|POLICY|STATISTICS`, `ALTER TABLE|SEQUENCE`,
//! `ALTER INDEX ... ATTACH PARTITION`, `COMMENT ON`,
//! `GRANT`/`REVOKE` on the schema's objects and `ALTER DEFAULT PRIVILEGES IN SCHEMA`.
//! Objects other schemas hold may only be *referred to*: a foreign key's
//! referenced table, a type, a collation or operator class, what a view or a
//! policy reads, and anything inside a function (which runs when called, not when
//! restored).

use squawk_syntax::{SourceFile, SyntaxKind, SyntaxNode};
use strata_migrate::quote::fold;
use strata_migrate::split::{self, CopyData, Piece, Statement};

/// Something the file holds that a dump of its schema does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Byte offset in the file.
    pub offset: usize,
    pub reason: String,
}

/// What restore runs, in order.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    Sql(Statement<'a>),
    /// `COPY ... FROM stdin` and its rows.
    Copy(Statement<'a>, CopyData<'a>),
}

/// Checks the whole file (`text`, the header line included) for a dump of
/// `schema`, and returns what to run.
pub fn check<'a>(text: &'a str, schema: &str, data_only: bool) -> Result<Vec<Step<'a>>, Refusal> {
    let script = split::script(text).map_err(|e| Refusal { offset: e.offset, reason: e.to_string() })?;
    let mut steps = vec![];
    let mut pending_copy: Option<Statement<'a>> = None;
    for piece in script.pieces() {
        match *piece {
            Piece::MetaCommand(m) => {
                // pg_dump 15.14+ brackets its output with `\restrict KEY` / `\unrestrict KEY`
                // (which make psql refuse meta-commands in between); strata is not psql
                // and runs none, so they need no action here.
                let key_only = !m.args.is_empty() && m.args.chars().all(|c| c.is_ascii_alphanumeric());
                if !(matches!(m.name, "restrict" | "unrestrict") && key_only) {
                    return Err(Refusal {
                        offset: m.offset,
                        reason: format!(
                            "psql meta-command `{}` is not part of a dump (pg_dump writes only \\restrict and \\unrestrict)",
                            m.text.trim()
                        ),
                    });
                }
            }
            Piece::Statement(s) => {
                if let Some(copy) = pending_copy.take() {
                    return Err(no_data(copy));
                }
                check_statement(s.text, schema, data_only)
                    .map_err(|(at, reason)| Refusal { offset: s.offset + at, reason })?;
                if s.copy_from_stdin {
                    pending_copy = Some(s);
                } else {
                    steps.push(Step::Sql(s));
                }
            }
            Piece::CopyData(d) => {
                let Some(copy) = pending_copy.take() else {
                    return Err(Refusal { offset: d.offset, reason: "COPY data without its COPY statement".into() });
                };
                if !d.terminated {
                    return Err(Refusal {
                        offset: copy.offset,
                        reason: "the data of this COPY has no closing `\\.` line (the file was cut short?)".into(),
                    });
                }
                steps.push(Step::Copy(copy, d));
            }
        }
    }
    if let Some(copy) = pending_copy {
        return Err(no_data(copy));
    }
    Ok(steps)
}

fn no_data(copy: Statement<'_>) -> Refusal {
    Refusal { offset: copy.offset, reason: "this COPY has no data after it (the file was cut short?)".into() }
}

/// A refusal inside one statement: offset in the statement, reason.
type Refused = (usize, String);

/// The statement kinds a data-only dump holds.
const DATA_KINDS: &[SyntaxKind] = &[SyntaxKind::SET, SyntaxKind::SELECT, SyntaxKind::COPY, SyntaxKind::REFRESH];

/// The kinds only a full dump holds, with the node naming the object each one
/// creates or changes (it must be in the dump's schema).
const STRUCTURE_KINDS: &[(SyntaxKind, &[SyntaxKind])] = &[
    (SyntaxKind::CREATE_SCHEMA, &[SyntaxKind::NAMED_SCHEMA]),
    (SyntaxKind::CREATE_TABLE, &[SyntaxKind::TABLE_NAME]),
    (SyntaxKind::CREATE_INDEX, &[SyntaxKind::TABLE_RELATION_NAME]),
    (SyntaxKind::CREATE_FUNCTION, &[SyntaxKind::FUNCTION_NAME]),
    (SyntaxKind::CREATE_PROCEDURE, &[SyntaxKind::PROCEDURE_NAME]),
    (SyntaxKind::CREATE_TRIGGER, &[SyntaxKind::ON_RELATION]),
    (SyntaxKind::CREATE_SEQUENCE, &[SyntaxKind::SEQUENCE]),
    (SyntaxKind::ALTER_SEQUENCE, &[SyntaxKind::SEQUENCE_REF]),
    (SyntaxKind::CREATE_VIEW, &[SyntaxKind::VIEW]),
    (SyntaxKind::CREATE_MATERIALIZED_VIEW, &[SyntaxKind::VIEW]),
    (SyntaxKind::CREATE_TYPE, &[SyntaxKind::TYPE_NAME]),
    (SyntaxKind::CREATE_DOMAIN, &[SyntaxKind::DOMAIN]),
    (SyntaxKind::CREATE_POLICY, &[SyntaxKind::ON_TABLE]),
    (SyntaxKind::ALTER_TABLE, &[SyntaxKind::TABLE_RELATION_NAME]),
    (SyntaxKind::ALTER_INDEX, &[SyntaxKind::INDEX_REF]),
    (SyntaxKind::CREATE_STATISTICS, &[SyntaxKind::STATISTICS]),
    (SyntaxKind::COMMENT_ON, &[]),
    (SyntaxKind::GRANT, &[]),
    (SyntaxKind::REVOKE, &[]),
    (SyntaxKind::ALTER_DEFAULT_PRIVILEGES, &[SyntaxKind::IN_SCHEMAS]),
];

/// Settings of pg_dump's preamble (`SET name = value;`).
const PREAMBLE_SETTINGS: &[&str] = &[
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "transaction_timeout",
    "client_encoding",
    "standard_conforming_strings",
    "check_function_bodies",
    "xmloption",
    "client_min_messages",
    "row_security",
    "default_tablespace",
    "default_table_access_method",
    "default_with_oids",
];

/// What may sit in an `ALTER TABLE` of a dump: constraints, defaults and
/// identities, partitions, and table settings; not renames, owners, schemas or drops.
const ALTER_TABLE_ACTIONS: &[SyntaxKind] = &[
    SyntaxKind::ADD_CONSTRAINT,
    SyntaxKind::ALTER_COLUMN,
    SyntaxKind::ATTACH_PARTITION,
    SyntaxKind::INHERIT_TABLE,
    SyntaxKind::CLUSTER_ON,
    SyntaxKind::REPLICA_IDENTITY,
    SyntaxKind::ENABLE_RLS,
    SyntaxKind::FORCE_RLS,
    SyntaxKind::SET_OPTIONS,
    SyntaxKind::ENABLE_TRIGGER,
    SyntaxKind::DISABLE_TRIGGER,
    SyntaxKind::ENABLE_ALWAYS_TRIGGER,
    SyntaxKind::ENABLE_REPLICA_TRIGGER,
    SyntaxKind::VALIDATE_CONSTRAINT,
];
const ALTER_COLUMN_ACTIONS: &[SyntaxKind] = &[
    SyntaxKind::SET_DEFAULT,
    SyntaxKind::ADD_GENERATED,
    SyntaxKind::SET_STATISTICS,
    SyntaxKind::SET_STORAGE,
    SyntaxKind::SET_COMPRESSION,
    SyntaxKind::SET_OPTIONS,
    SyntaxKind::SET_NOT_NULL,
];

/// Nodes whose names are references, which may point into other schemas.
const REFERENCES: &[SyntaxKind] = &[
    SyntaxKind::PATH_TYPE,
    SyntaxKind::FOREIGN_KEY_CONSTRAINT,
    SyntaxKind::REFERENCES_CONSTRAINT,
    SyntaxKind::COLLATION_REF,
    SyntaxKind::OP_CLASS_REF,
    SyntaxKind::FROM_TABLE,
    SyntaxKind::SELECT,
    SyntaxKind::COMPOUND_SELECT,
    SyntaxKind::PAREN_SELECT,
    SyntaxKind::VALUES,
    SyntaxKind::PARAM_LIST,
    SyntaxKind::RET_TYPE,
    SyntaxKind::FUNC_OPTION_LIST,
];

fn check_statement(text: &str, schema: &str, data_only: bool) -> Result<(), Refused> {
    let parse = SourceFile::parse(text);
    if let Some(e) = parse.errors().first() {
        return Err((usize::from(e.range().start()), format!("this does not parse as SQL: {}", e.message())));
    }
    let root = parse.syntax_node();
    let mut statements = root.children();
    let (Some(stmt), None) = (statements.next(), statements.next()) else {
        return Err((0, "expected exactly one statement here".into()));
    };
    let kind = stmt.kind();
    let structure = STRUCTURE_KINDS.iter().find(|(k, _)| *k == kind);
    let what = describe(&stmt);
    if !DATA_KINDS.contains(&kind) && structure.is_none() {
        return Err((0, format!("{what} is not a statement pg_dump writes for a schema")));
    }
    if data_only && structure.is_some() {
        return Err((0, format!("{what} changes the structure, but the header says this is a --data-only dump")));
    }
    let at = |n: &SyntaxNode| usize::from(n.text_range().start());
    match kind {
        SyntaxKind::SET => check_set(&stmt)?,
        SyntaxKind::SELECT => check_select(&stmt, schema)?,
        SyntaxKind::COPY => {
            let allowed = [SyntaxKind::COPY_TABLE, SyntaxKind::COPY_FROM];
            if let Some(other) = stmt.children().find(|c| !allowed.contains(&c.kind())) {
                return Err((at(&other), "only `COPY schema.table (columns) FROM stdin;` is part of a dump".into()));
            }
            let from_stdin = stmt
                .children()
                .find(|c| c.kind() == SyntaxKind::COPY_FROM)
                .is_some_and(|f| f.children().any(|c| c.kind() == SyntaxKind::COPY_STDIN));
            if !from_stdin {
                return Err((0, "only `COPY schema.table (columns) FROM stdin;` is part of a dump".into()));
            }
            let table = stmt.children().find(|c| c.kind() == SyntaxKind::COPY_TABLE).expect("checked above");
            target(&table, schema, &what)?;
        }
        SyntaxKind::REFRESH => target(&stmt, schema, &what)?,
        SyntaxKind::CREATE_SCHEMA => {
            let name = stmt.children().find(|c| c.kind() == SyntaxKind::NAMED_SCHEMA);
            match name {
                Some(n) if fold(&n.text().to_string()) == schema => {}
                _ => return Err((0, format!("a dump of schema {schema} creates only that schema"))),
            }
            if let Some(extra) = stmt.children().find(|c| c.kind() != SyntaxKind::NAMED_SCHEMA) {
                return Err((
                    at(&extra),
                    "CREATE SCHEMA with elements or AUTHORIZATION is not what pg_dump writes".into(),
                ));
            }
        }
        SyntaxKind::ALTER_TABLE => {
            for action in stmt.children().filter(|c| c.kind() != SyntaxKind::TABLE_RELATION_NAME) {
                if !ALTER_TABLE_ACTIONS.contains(&action.kind()) {
                    return Err((
                        at(&action),
                        format!("ALTER TABLE ... {} is not what pg_dump writes", describe(&action)),
                    ));
                }
                if action.kind() == SyntaxKind::ALTER_COLUMN
                    && let Some(sub) = action
                        .children()
                        .find(|c| c.kind() != SyntaxKind::COLUMN_NAME_REF && !ALTER_COLUMN_ACTIONS.contains(&c.kind()))
                {
                    return Err((at(&sub), format!("ALTER COLUMN ... {} is not what pg_dump writes", describe(&sub))));
                }
            }
        }
        SyntaxKind::ALTER_INDEX => {
            // pg_dump's only ALTER INDEX: an index of a partition joins its parent's.
            let allowed = [SyntaxKind::INDEX_REF, SyntaxKind::ATTACH_INDEX_PARTITION];
            if let Some(other) = stmt.children().find(|c| !allowed.contains(&c.kind())) {
                return Err((at(&other), format!("ALTER INDEX ... {} is not what pg_dump writes", describe(&other))));
            }
        }
        SyntaxKind::GRANT | SyntaxKind::REVOKE => {
            let Some(on) = stmt.children().find(|c| c.kind() == SyntaxKind::ON_PRIVILEGE_OBJECTS_CLAUSE) else {
                return Err((
                    0,
                    format!("{what} of a role is not part of a dump (only privileges on the schema's objects)"),
                ));
            };
            every_object_in(&on, schema, &what)?;
        }
        SyntaxKind::COMMENT_ON => {
            let object = stmt.children().next().ok_or((0, "COMMENT ON without an object".to_owned()))?;
            every_object_in(&object, schema, &what)?;
        }
        _ => {}
    }
    if let Some((_, targets)) = structure {
        for t in targets.iter() {
            let node =
                stmt.children().find(|c| c.kind() == *t).ok_or_else(|| (0, format!("{what} without its name")))?;
            if *t != SyntaxKind::NAMED_SCHEMA {
                target(&node, schema, &what)?;
            }
        }
        if kind == SyntaxKind::CREATE_TABLE
            && let Some(temp) = stmt.descendants().find(|n| n.kind() == SyntaxKind::TEMP)
        {
            return Err((at(&temp), "a temporary table is not part of a dump".into()));
        }
    }
    // Whatever else the statement names must be in the schema, or a reference.
    for name in names(&stmt) {
        if let Some(other) = qualifier(&name)
            && other != schema
            && other != "pg_catalog"
        {
            return Err((
                at(&name),
                format!(
                    "{what} names {}, outside schema {schema}: a dump of {schema} changes nothing else",
                    name.text()
                ),
            ));
        }
    }
    Ok(())
}

/// `SET name = value` for a setting of pg_dump's preamble, with the values strata
/// itself relies on (UTF-8, standard strings).
fn check_set(stmt: &SyntaxNode) -> Result<(), Refused> {
    let refuse =
        || (0, "only pg_dump's preamble settings may be SET (not roles, the search path or others)".to_owned());
    let mut nodes = stmt.children();
    let (Some(config), None) = (nodes.next(), nodes.next()) else { return Err(refuse()) };
    if config.kind() != SyntaxKind::SET_CONFIG {
        return Err(refuse());
    }
    let name = config.children().find(|c| c.kind() == SyntaxKind::CONFIG_PARAMETER_REF).ok_or_else(refuse)?;
    let name = fold(&name.text().to_string());
    if !PREAMBLE_SETTINGS.contains(&name.as_str()) {
        return Err(refuse());
    }
    let value = config
        .children()
        .find(|c| c.kind() != SyntaxKind::CONFIG_PARAMETER_REF)
        .map(|v| {
            compact(&v.text().to_string())
                .to_ascii_lowercase()
                .trim_start_matches(['='])
                .trim_start_matches("to")
                .to_owned()
        })
        .unwrap_or_default();
    let required = match name.as_str() {
        "client_encoding" => Some(["'utf8'", "utf8"]),
        "standard_conforming_strings" => Some(["on", "'on'"]),
        _ => None,
    };
    if let Some(ok) = required
        && !ok.contains(&value.as_str())
    {
        return Err((0, format!("{name} must be {} in a dump strata restores", ok[0])));
    }
    Ok(())
}

/// pg_dump's two SELECTs: `SELECT pg_catalog.set_config('search_path', '', false);`
/// and `SELECT pg_catalog.setval('schema.sequence', n, bool);`.
fn check_select(stmt: &SyntaxNode, schema: &str) -> Result<(), Refused> {
    let refuse = || {
        (
            0,
            "a SELECT in a dump only sets the search path (pg_catalog.set_config) or a sequence (pg_catalog.setval)"
                .to_owned(),
        )
    };
    let mut nodes = stmt.children();
    let (Some(clause), None) = (nodes.next(), nodes.next()) else { return Err(refuse()) };
    let call = clause
        .children()
        .find(|c| c.kind() == SyntaxKind::TARGET_LIST)
        .filter(|list| list.children().count() == 1)
        .and_then(|list| list.first_child())
        .and_then(|target| target.first_child())
        .filter(|e| e.kind() == SyntaxKind::CALL_EXPR && target_count(&clause) == 1)
        .ok_or_else(refuse)?;
    let mut parts = call.children();
    let (Some(callee), Some(args), None) = (parts.next(), parts.next(), parts.next()) else { return Err(refuse()) };
    let args: Vec<String> = args.children().map(|a| compact(&a.text().to_string())).collect();
    let literal = |a: &str| {
        a.starts_with('\'') || a.chars().all(|c| c.is_ascii_digit() || c == '-') || a == "true" || a == "false"
    };
    match compact(&callee.text().to_string()).as_str() {
        "pg_catalog.set_config" if args == ["'search_path'", "''", "false"] => Ok(()),
        "pg_catalog.setval" if (2..=3).contains(&args.len()) && args.iter().all(|a| literal(a)) => {
            let sequence = args[0].trim_matches('\'').replace("''", "'");
            let named = sequence_schema(&sequence);
            if named.as_deref() == Some(schema) {
                Ok(())
            } else {
                Err((0, format!("setval of sequence {sequence}, outside schema {schema}")))
            }
        }
        _ => Err(refuse()),
    }
}

/// How many targets the SELECT clause has (a `SELECT f(), g()` is refused).
fn target_count(clause: &SyntaxNode) -> usize {
    clause.children().find(|c| c.kind() == SyntaxKind::TARGET_LIST).map_or(0, |l| l.children().count())
}

/// The schema of a `schema.sequence` name as regclass reads it (quotes allowed).
fn sequence_schema(name: &str) -> Option<String> {
    let mut in_quotes = false;
    for (i, c) in name.char_indices() {
        match c {
            '"' => in_quotes = !in_quotes,
            '.' if !in_quotes => return Some(fold(&name[..i])),
            _ => {}
        }
    }
    None
}

/// The object `node` (a statement's target clause) names must be in `schema`,
/// qualified explicitly (an unqualified name would be looked up in pg_catalog).
fn target(node: &SyntaxNode, schema: &str, what: &str) -> Result<(), Refused> {
    let name = names(node).into_iter().next();
    match name.as_ref().and_then(qualifier) {
        Some(s) if s == schema => Ok(()),
        _ => Err((
            name.as_ref().map_or(0, |n| usize::from(n.text_range().start())),
            format!(
                "{what} of {}: a dump of schema {schema} only changes objects in {schema}, named as {schema}.<name>",
                name.map_or_else(|| "an unnamed object".to_owned(), |n| n.text().to_string())
            ),
        )),
    }
}

/// Every object named under `node` (GRANT's ON clause, COMMENT ON's object) must
/// be in `schema`; at least one is, qualified (`COMMENT ON CONSTRAINT c ON s.t`).
fn every_object_in(node: &SyntaxNode, schema: &str, what: &str) -> Result<(), Refused> {
    let found = names(node);
    if !found.iter().any(|n| qualifier(n).as_deref() == Some(schema)) {
        return Err((
            usize::from(node.text_range().start()),
            format!("{what} on something outside schema {schema} (name it as {schema}.<name>)"),
        ));
    }
    for n in found {
        if qualifier(&n).is_some_and(|q| q != schema) {
            return Err((
                usize::from(n.text_range().start()),
                format!("{what} on {}, outside schema {schema}", n.text()),
            ));
        }
    }
    Ok(())
}

/// The names under `node` that are not references: outermost path and schema nodes.
fn names(node: &SyntaxNode) -> Vec<SyntaxNode> {
    fn walk(n: &SyntaxNode, out: &mut Vec<SyntaxNode>) {
        for child in n.children() {
            if REFERENCES.contains(&child.kind()) {
                continue;
            }
            if matches!(
                child.kind(),
                SyntaxKind::PATH | SyntaxKind::PATH_REF | SyntaxKind::SCHEMA_REF | SyntaxKind::SCHEMA
            ) {
                out.push(child);
            } else {
                walk(&child, out);
            }
        }
    }
    let mut out = vec![];
    walk(node, &mut out);
    out
}

/// The schema a name is qualified with: the first part of `schema.name` (and of
/// `schema.table.column`), or the name of a schema node; `None` when unqualified.
fn qualifier(name: &SyntaxNode) -> Option<String> {
    if matches!(name.kind(), SyntaxKind::SCHEMA_REF | SyntaxKind::SCHEMA) {
        return Some(fold(&name.text().to_string()));
    }
    let segments: Vec<String> = name
        .descendants()
        .filter(|n| matches!(n.kind(), SyntaxKind::PATH_SEGMENT | SyntaxKind::PATH_SEGMENT_REF))
        .map(|n| fold(&n.text().to_string()))
        .collect();
    (segments.len() >= 2).then(|| segments[0].clone())
}

/// Text without whitespace, lower case outside quotes (for comparing short forms).
fn compact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    for c in text.chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                out.push(c);
            }
            None if c.is_whitespace() => {}
            None => out.push(c.to_ascii_lowercase()),
        }
    }
    out
}

/// A statement's kind for messages: `UPDATE`, `CREATE TABLE`, `DO`.
fn describe(node: &SyntaxNode) -> String {
    format!("{:?}", node.kind()).replace('_', " ")
}

#[cfg(test)]
mod tests {
    use super::check;

    const PREAMBLE: &str =
        "-- strata-dump {}\nSET client_encoding = 'UTF8';\nSELECT pg_catalog.set_config('search_path', '', false);\n";

    fn refused(sql: &str, data_only: bool) -> String {
        let text = format!("{PREAMBLE}{sql}");
        match check(&text, "master", data_only) {
            Ok(_) => panic!("accepted: {sql}"),
            Err(r) => format!("{}: {}", &text[r.offset..].lines().next().unwrap_or(""), r.reason),
        }
    }

    fn accepted(sql: &str, data_only: bool) -> usize {
        let text = format!("{PREAMBLE}{sql}");
        check(&text, "master", data_only).unwrap_or_else(|r| panic!("{sql}: {} at {}", r.reason, r.offset)).len()
    }

    #[test]
    fn pg_dump_data_statements_are_accepted() {
        assert_eq!(
            accepted(
                "\\restrict abc123\nSET statement_timeout = 0;\nSET standard_conforming_strings = on;\n\
                 COPY master.categories (id, name) FROM stdin;\n1\tx\n\\.\n\
                 SELECT pg_catalog.setval('master.categories_id_seq', 42, true);\n\\unrestrict abc123\n",
                true
            ),
            6
        );
    }

    #[test]
    fn pg_dump_structure_is_accepted_in_a_full_dump() {
        let sql = "CREATE SCHEMA master;\n\
            CREATE TABLE master.t (id integer NOT NULL, k master.kind, u uuid REFERENCES auth.\"user\"(id));\n\
            CREATE SEQUENCE master.t_id_seq AS integer START WITH 1;\n\
            ALTER SEQUENCE master.t_id_seq OWNED BY master.t.id;\n\
            ALTER TABLE ONLY master.t ALTER COLUMN id SET DEFAULT nextval('master.t_id_seq'::regclass);\n\
            ALTER TABLE ONLY master.t ADD CONSTRAINT t_fk FOREIGN KEY (u) REFERENCES auth.\"user\"(id) ON DELETE CASCADE;\n\
            CREATE INDEX t_idx ON master.t USING btree (id);\n\
            CREATE VIEW master.v AS SELECT u.id FROM auth.\"user\" u;\n\
            COMMENT ON COLUMN master.t.id IS 'x';\n\
            COMMENT ON CONSTRAINT t_fk ON master.t IS 'y';\n\
            GRANT SELECT(id),INSERT(id) ON TABLE master.t TO strata_app;\n\
            REVOKE ALL ON FUNCTION master.f(a auth.x) FROM PUBLIC;\n\
            ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA master GRANT SELECT ON TABLES  TO strata_app;\n\
            CREATE TRIGGER tr BEFORE INSERT ON master.t FOR EACH ROW EXECUTE FUNCTION master.f();\n";
        assert_eq!(accepted(sql, false), 16);
    }

    #[test]
    fn what_a_dump_never_holds_is_refused_with_its_place() {
        let cases = [
            ("COPY (SELECT current_user) TO PROGRAM 'id > /tmp/x';", "only `COPY schema.table (columns) FROM stdin;`"),
            ("UPDATE app.items SET name = 'x';", "UPDATE is not a statement pg_dump writes"),
            ("\\! echo hi > /tmp/f", "psql meta-command `\\! echo hi > /tmp/f`"),
            ("DO $$ BEGIN PERFORM 1; END $$;", "DO is not a statement"),
            ("SELECT pg_catalog.pg_reload_conf();", "a SELECT in a dump only"),
            ("SELECT pg_catalog.setval('app.s', 1, true);", "outside schema master"),
            ("SET ROLE postgres;", "SET ROLE is not a statement pg_dump writes"),
            ("SET search_path = app;", "only pg_dump's preamble settings"),
            ("SELECT pg_catalog.set_config('role', 'postgres', false);", "a SELECT in a dump only"),
            ("COPY app.items (id) FROM stdin;\n1\n\\.", "COPY of app.items"),
            ("COPY master.categories (id) FROM '/etc/passwd';", "FROM stdin"),
        ];
        let mut wrong = vec![];
        for (sql, reason) in cases {
            let got = refused(sql, true);
            if !got.contains(reason) {
                wrong.push(format!("{sql}: {got}"));
            }
        }
        let full = [
            ("CREATE TABLE app.t (id int);", "CREATE TABLE of app.t"),
            ("CREATE TABLE t (id int);", "CREATE TABLE of t: a dump of schema master only changes objects in master"),
            (
                "CREATE FUNCTION pg_catalog.f() RETURNS int LANGUAGE sql AS 'select 1';",
                "CREATE FUNCTION of pg_catalog.f",
            ),
            ("GRANT pg_execute_server_program TO strata_app;", "of a role"),
            ("GRANT ALL ON TABLE pg_authid TO public;", "outside schema master"),
            ("ALTER TABLE master.t OWNER TO postgres;", "OWNER TO is not what pg_dump writes"),
            ("ALTER TABLE master.t SET SCHEMA app;", "is not what pg_dump writes"),
            ("CREATE SCHEMA app;", "creates only that schema"),
            ("ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO public;", "without its name"),
            ("CREATE TABLE master.t (id int) INHERITS (app.items);", "names app.items"),
            ("COMMENT ON TABLE app.items IS 'x';", "outside schema master"),
        ];
        for (sql, reason) in full {
            let got = refused(sql, false);
            if !got.contains(reason) {
                wrong.push(format!("{sql}: {got}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert!(refused("CREATE TABLE master.t (id int);", true).contains("--data-only"));
    }
}
