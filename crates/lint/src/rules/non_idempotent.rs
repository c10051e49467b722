//! `non-idempotent`: every statement that runs during a migration can run twice.
//!
//! A file that fails halfway is fixed and run again; a no-transaction file may
//! already have applied its first statements. Each statement kind has its clause:
//! `CREATE ... IF NOT EXISTS`, `CREATE OR REPLACE`, `DROP ... IF EXISTS`,
//! `ADD COLUMN IF NOT EXISTS`, `DROP COLUMN/CONSTRAINT IF EXISTS`,
//! `ALTER TYPE ... ADD VALUE IF NOT EXISTS`, `INSERT ... ON CONFLICT` (or
//! `INSERT ... SELECT ... WHERE NOT EXISTS`). Kinds without such a clause
//! (`CREATE TYPE`, `CREATE DOMAIN`, `CREATE POLICY`, `CREATE TRIGGER` before
//! `OR REPLACE`, `ADD CONSTRAINT`, `CREATE ROLE`, ...) need a `DROP ... IF EXISTS`
//! of the same object earlier in the file. Renames have none: they belong in a DO
//! block that checks the catalog first.
//!
//! Statements in a DO block under `IF` or in a block with an `EXCEPTION` handler
//! are guarded already; statements in function bodies run when the function is
//! called, not by the migration, and are not checked.

use rowan::{TextRange, TextSize};
use squawk_syntax::{SyntaxKind, SyntaxNode};

use crate::check::Check;
use crate::finding::Severity;
use crate::names::{name_of, simple_name};
use crate::parse::{UnitKind, is_guarded};
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "non-idempotent",
    severity: Severity::Error,
    summary: "Statements can run twice: IF NOT EXISTS, IF EXISTS, OR REPLACE, ON CONFLICT, or a DROP ... IF EXISTS first.",
};

use SyntaxKind as K;

/// A `DROP ... IF EXISTS` seen in the file: which statement kind, which object.
struct Drop {
    kind: SyntaxKind,
    key: Option<String>,
    at: TextSize,
}

pub(crate) fn check(cx: &mut Check<'_>) {
    let mut statements = vec![];
    for (index, unit) in cx.file.units.iter().enumerate() {
        if !unit.runs_at_migration {
            continue;
        }
        match unit.kind {
            UnitKind::Do => {
                for exec in unit.root.descendants().filter(|n| n.kind() == K::PLPGSQL_EXEC_SQL_STMT) {
                    if let Some(stmt) = exec.children().next() {
                        statements.push((index, stmt, unit.guarded || is_guarded(&exec)));
                    }
                }
            }
            _ => statements.extend(unit.root.children().map(|stmt| (index, stmt, unit.guarded))),
        }
    }

    let mut drops = vec![];
    for (unit, stmt, _) in &statements {
        collect_drops(stmt, |kind, key, at| {
            drops.push(Drop { kind, key, at: cx.file.to_file(*unit, TextRange::empty(at)).start() })
        });
    }
    let dropped_before = |kind: SyntaxKind, key: &Option<String>, at: TextSize| {
        drops.iter().any(|d| d.kind == kind && d.at < at && (d.key.is_none() || key.is_none() || d.key == *key))
    };

    let mut found: Vec<(usize, TextRange, String, String)> = vec![];
    for (unit, stmt, guarded) in &statements {
        if *guarded {
            continue;
        }
        let at = cx.file.to_file(*unit, stmt.text_range()).start();
        let mut problem = |range: TextRange, message: String, help: String| found.push((*unit, range, message, help));
        let head = head_range(stmt);
        let kind = stmt.kind();
        if let Some(clause) = needs_if_not_exists(kind) {
            if !has_child(stmt, K::IF_NOT_EXISTS) {
                let mut help = format!("write `{clause} IF NOT EXISTS`");
                if kind == K::CREATE_INDEX && !has_child(stmt, K::INDEX) {
                    help = "name the index and write `CREATE INDEX IF NOT EXISTS name ON ...`".to_owned();
                }
                problem(head, format!("`{clause}` without IF NOT EXISTS fails when run twice"), help);
            }
        } else if let Some(clause) = needs_or_replace(kind) {
            if !has_child(stmt, K::OR_REPLACE) {
                problem(
                    head,
                    format!("`{clause}` without OR REPLACE fails when run twice"),
                    format!("write `CREATE OR REPLACE {}`", &clause[7..]),
                );
            }
        } else if let Some((drop, what)) = needs_drop_first(kind) {
            if kind == K::CREATE_TRIGGER && has_child(stmt, K::OR_REPLACE) {
                continue;
            }
            let key = object_key(stmt);
            if !dropped_before(drop, &key, at) {
                let object = key.clone().unwrap_or_default();
                let help = match kind {
                    K::CREATE_TRIGGER => {
                        format!("write `CREATE OR REPLACE TRIGGER`, or `DROP TRIGGER IF EXISTS {object}` before it")
                    }
                    _ => format!(
                        "put `DROP {what} IF EXISTS {object}` before it, or create it in a DO block that checks the catalog first"
                    ),
                };
                problem(head, format!("`CREATE {what}` has no IF NOT EXISTS and fails when run twice"), help);
            }
        } else if is_drop(kind) {
            if !has_child(stmt, K::IF_EXISTS) {
                let what = keyword_text(stmt);
                problem(
                    head,
                    format!("`{what}` without IF EXISTS fails when run twice"),
                    format!("write `{what} IF EXISTS`"),
                );
            }
        } else if kind == K::INSERT {
            if !has_child(stmt, K::ON_CONFLICT_CLAUSE) && !inserts_where_not_exists(stmt) {
                problem(
                    head,
                    "`INSERT` without ON CONFLICT inserts again (or fails) when run twice".to_owned(),
                    "add `ON CONFLICT DO NOTHING` (or `ON CONFLICT (key) DO UPDATE SET ...`)".to_owned(),
                );
            }
        } else if is_alter(kind) {
            let table_key = stmt
                .children()
                .find(|c| c.kind() == K::TABLE_RELATION_NAME)
                .and_then(|t| t.children().next())
                .and_then(|t| name_of(&t))
                .map(|n| n.key());
            let object_if_exists = has_child(stmt, K::IF_EXISTS);
            for action in stmt.children() {
                let range = action.text_range();
                match action.kind() {
                    K::ADD_COLUMN if !has_child(&action, K::IF_NOT_EXISTS) => problem(
                        range,
                        "`ADD COLUMN` without IF NOT EXISTS fails when run twice".to_owned(),
                        "write `ADD COLUMN IF NOT EXISTS`".to_owned(),
                    ),
                    K::DROP_COLUMN if !has_child(&action, K::IF_EXISTS) => problem(
                        range,
                        "`DROP COLUMN` without IF EXISTS fails when run twice".to_owned(),
                        "write `DROP COLUMN IF EXISTS`".to_owned(),
                    ),
                    K::DROP_CONSTRAINT if !has_child(&action, K::IF_EXISTS) => problem(
                        range,
                        "`DROP CONSTRAINT` without IF EXISTS fails when run twice".to_owned(),
                        "write `DROP CONSTRAINT IF EXISTS`".to_owned(),
                    ),
                    K::ADD_CONSTRAINT => {
                        let name =
                            action.descendants().find(|n| n.kind() == K::CONSTRAINT_NAME).map(|n| simple_name(&n));
                        let at = cx.file.to_file(*unit, range).start();
                        match name {
                            None => problem(
                                range,
                                "`ADD CONSTRAINT` without a name cannot be made safe to run twice".to_owned(),
                                "name it (`ADD CONSTRAINT name ...`) and drop it first with `DROP CONSTRAINT IF EXISTS name`".to_owned(),
                            ),
                            Some(name) => {
                                let key = Some(format!("{}:{name}", table_key.clone().unwrap_or_default()));
                                if !dropped_before(K::DROP_CONSTRAINT, &key, at) {
                                    problem(
                                        range,
                                        format!("`ADD CONSTRAINT {name}` fails when run twice"),
                                        format!("drop it first: `ALTER TABLE ... DROP CONSTRAINT IF EXISTS {name}`"),
                                    )
                                }
                            }
                        }
                    }
                    K::ADD_VALUE if !has_child(&action, K::IF_NOT_EXISTS) => problem(
                        range,
                        "`ADD VALUE` without IF NOT EXISTS fails when run twice".to_owned(),
                        "write `ADD VALUE IF NOT EXISTS`".to_owned(),
                    ),
                    K::RENAME_COLUMN | K::RENAME_CONSTRAINT | K::RENAME_VALUE | K::RENAME_ATTRIBUTE => problem(
                        range,
                        "a rename fails when run twice".to_owned(),
                        "rename in a DO block that first checks the catalog (e.g. information_schema.columns)"
                            .to_owned(),
                    ),
                    k if is_rename_to(k) && !object_if_exists => problem(
                        range,
                        "a rename fails when run twice".to_owned(),
                        format!("write `{} IF EXISTS ... RENAME TO`", keyword_text(stmt)),
                    ),
                    _ => {}
                }
            }
        }
    }
    for (unit, range, message, help) in found {
        cx.report(&RULE, unit, range, message, Some(help));
    }
}

/// Reports each `DROP ... IF EXISTS` in a statement: kind, object key, offset.
fn collect_drops(stmt: &SyntaxNode, mut add: impl FnMut(SyntaxKind, Option<String>, TextSize)) {
    let at = stmt.text_range().start();
    let kind = stmt.kind();
    if is_drop(kind) && has_child(stmt, K::IF_EXISTS) {
        let keys = drop_keys(stmt);
        if keys.is_empty() {
            add(kind, None, at);
        }
        for key in keys {
            add(kind, Some(key), at);
        }
    }
    if kind == K::ALTER_TABLE {
        let table = stmt
            .children()
            .find(|c| c.kind() == K::TABLE_RELATION_NAME)
            .and_then(|t| t.children().next())
            .and_then(|t| name_of(&t))
            .map(|n| n.key())
            .unwrap_or_default();
        for action in stmt.children().filter(|a| a.kind() == K::DROP_CONSTRAINT && has_child(a, K::IF_EXISTS)) {
            if let Some(name) = action.children().find(|c| c.kind() == K::CONSTRAINT_NAME_REF).and_then(|c| name_of(&c))
            {
                add(K::DROP_CONSTRAINT, Some(format!("{table}:{}", name.last())), action.text_range().start());
            }
        }
    }
}

/// The objects a DROP names, as keys comparable with [`object_key`].
fn drop_keys(stmt: &SyntaxNode) -> Vec<String> {
    match stmt.kind() {
        K::DROP_TYPE | K::DROP_DOMAIN => keys(stmt, &[K::TYPE_NAME_REF, K::DOMAIN_REF]).collect(),
        K::DROP_POLICY | K::DROP_TRIGGER => keys(stmt, &[K::POLICY_REF, K::TRIGGER_REF]).take(1).collect(),
        _ => vec![],
    }
}

/// The object a CREATE makes, as a key comparable with [`drop_keys`]; `None`
/// when any DROP of the matching kind will do.
fn object_key(stmt: &SyntaxNode) -> Option<String> {
    match stmt.kind() {
        K::CREATE_TYPE | K::CREATE_DOMAIN => keys(stmt, &[K::TYPE_NAME, K::DOMAIN]).next(),
        K::CREATE_POLICY | K::CREATE_TRIGGER => keys(stmt, &[K::POLICY, K::TRIGGER]).next(),
        _ => None,
    }
}

/// The keys of the objects `stmt`'s children of `kinds` name, the same for a CREATE
/// and a DROP: a type or domain by its qualified name, a policy or trigger by its
/// name and its table (`name ON schema.table`).
fn keys(stmt: &SyntaxNode, kinds: &'static [SyntaxKind]) -> impl Iterator<Item = String> {
    let table = on_table(stmt).unwrap_or_default();
    stmt.children().filter(|c| kinds.contains(&c.kind())).filter_map(move |c| match c.kind() {
        K::POLICY | K::TRIGGER | K::POLICY_REF | K::TRIGGER_REF => Some(format!("{} ON {table}", simple_name(&c))),
        _ => name_of(&c).map(|n| n.key()),
    })
}

fn on_table(stmt: &SyntaxNode) -> Option<String> {
    let on = stmt.children().find(|c| matches!(c.kind(), K::ON_TABLE | K::ON_RELATION))?;
    let table = on.children().next()?;
    Some(name_of(&table)?.key())
}

fn has_child(node: &SyntaxNode, kind: SyntaxKind) -> bool {
    node.children().any(|c| c.kind() == kind)
}

/// `INSERT ... SELECT ... WHERE NOT EXISTS (...)`.
fn inserts_where_not_exists(stmt: &SyntaxNode) -> bool {
    let Some(select) = stmt.children().find(|c| c.kind() == K::SELECT) else { return false };
    let Some(filter) = select.children().find(|c| c.kind() == K::WHERE_CLAUSE) else { return false };
    filter.descendants().any(|n| {
        n.kind() == K::PREFIX_EXPR
            && n.children_with_tokens().any(|t| t.kind() == K::NOT_KW)
            && n.descendants().any(|d| d.kind() == K::EXISTS_FN)
    })
}

/// The statement's leading keywords up to its first child node (`DROP TABLE`,
/// `CREATE UNIQUE INDEX`), upper-cased.
fn keyword_text(stmt: &SyntaxNode) -> String {
    let mut words = vec![];
    for element in stmt.children_with_tokens() {
        match element {
            rowan::NodeOrToken::Token(t) if !t.kind().is_trivia() => words.push(t.text().to_ascii_uppercase()),
            rowan::NodeOrToken::Token(_) => {}
            rowan::NodeOrToken::Node(_) => break,
        }
    }
    words.join(" ")
}

/// The statement's head: from its start to the end of its name, so the frame
/// shows `CREATE TABLE app.items`, not the whole statement.
fn head_range(stmt: &SyntaxNode) -> TextRange {
    let start = stmt.text_range().start();
    let end = stmt
        .children()
        .find(|c| {
            !matches!(c.kind(), K::IF_EXISTS | K::IF_NOT_EXISTS | K::OR_REPLACE)
                && (name_of(c).is_some()
                    || matches!(
                        c.kind(),
                        K::POLICY | K::TRIGGER | K::ROLE | K::SCHEMA | K::NAMED_SCHEMA | K::EXTENSION
                    ))
        })
        .map_or_else(
            || {
                let first_line =
                    stmt.text().to_string().find('\n').map_or(stmt.text_range().len(), |i| TextSize::new(i as u32));
                start + first_line
            },
            |c| c.text_range().end(),
        );
    TextRange::new(start, end.max(start))
}

fn needs_if_not_exists(kind: SyntaxKind) -> Option<&'static str> {
    Some(match kind {
        K::CREATE_TABLE => "CREATE TABLE",
        K::CREATE_TABLE_AS => "CREATE TABLE",
        K::CREATE_INDEX => "CREATE INDEX",
        K::CREATE_SEQUENCE => "CREATE SEQUENCE",
        K::CREATE_SCHEMA => "CREATE SCHEMA",
        K::CREATE_EXTENSION => "CREATE EXTENSION",
        K::CREATE_MATERIALIZED_VIEW => "CREATE MATERIALIZED VIEW",
        K::CREATE_FOREIGN_TABLE => "CREATE FOREIGN TABLE",
        K::CREATE_STATISTICS => "CREATE STATISTICS",
        K::CREATE_COLLATION => "CREATE COLLATION",
        K::CREATE_SERVER => "CREATE SERVER",
        K::CREATE_USER_MAPPING => "CREATE USER MAPPING",
        _ => return None,
    })
}

fn needs_or_replace(kind: SyntaxKind) -> Option<&'static str> {
    Some(match kind {
        K::CREATE_VIEW => "CREATE VIEW",
        K::CREATE_FUNCTION => "CREATE FUNCTION",
        K::CREATE_PROCEDURE => "CREATE PROCEDURE",
        K::CREATE_RULE => "CREATE RULE",
        K::CREATE_AGGREGATE => "CREATE AGGREGATE",
        K::CREATE_LANGUAGE => "CREATE LANGUAGE",
        K::CREATE_TRANSFORM => "CREATE TRANSFORM",
        _ => return None,
    })
}

/// Kinds with no clause: the DROP that must come first, and the object's name.
fn needs_drop_first(kind: SyntaxKind) -> Option<(SyntaxKind, &'static str)> {
    Some(match kind {
        K::CREATE_TYPE => (K::DROP_TYPE, "TYPE"),
        K::CREATE_DOMAIN => (K::DROP_DOMAIN, "DOMAIN"),
        K::CREATE_POLICY => (K::DROP_POLICY, "POLICY"),
        K::CREATE_TRIGGER => (K::DROP_TRIGGER, "TRIGGER"),
        K::CREATE_ROLE => (K::DROP_ROLE, "ROLE"),
        K::CREATE_USER => (K::DROP_USER, "USER"),
        K::CREATE_GROUP => (K::DROP_GROUP, "GROUP"),
        K::CREATE_CAST => (K::DROP_CAST, "CAST"),
        K::CREATE_OPERATOR => (K::DROP_OPERATOR, "OPERATOR"),
        K::CREATE_OPERATOR_CLASS => (K::DROP_OPERATOR_CLASS, "OPERATOR CLASS"),
        K::CREATE_OPERATOR_FAMILY => (K::DROP_OPERATOR_FAMILY, "OPERATOR FAMILY"),
        K::CREATE_EVENT_TRIGGER => (K::DROP_EVENT_TRIGGER, "EVENT TRIGGER"),
        K::CREATE_PUBLICATION => (K::DROP_PUBLICATION, "PUBLICATION"),
        K::CREATE_SUBSCRIPTION => (K::DROP_SUBSCRIPTION, "SUBSCRIPTION"),
        K::CREATE_CONVERSION => (K::DROP_CONVERSION, "CONVERSION"),
        K::CREATE_ACCESS_METHOD => (K::DROP_ACCESS_METHOD, "ACCESS METHOD"),
        K::CREATE_TEXT_SEARCH_CONFIGURATION => (K::DROP_TEXT_SEARCH_CONFIG, "TEXT SEARCH CONFIGURATION"),
        K::CREATE_TEXT_SEARCH_DICTIONARY => (K::DROP_TEXT_SEARCH_DICT, "TEXT SEARCH DICTIONARY"),
        K::CREATE_TEXT_SEARCH_PARSER => (K::DROP_TEXT_SEARCH_PARSER, "TEXT SEARCH PARSER"),
        K::CREATE_TEXT_SEARCH_TEMPLATE => (K::DROP_TEXT_SEARCH_TEMPLATE, "TEXT SEARCH TEMPLATE"),
        _ => return None,
    })
}

fn is_drop(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        K::DROP_TABLE
            | K::DROP_VIEW
            | K::DROP_MATERIALIZED_VIEW
            | K::DROP_INDEX
            | K::DROP_SEQUENCE
            | K::DROP_TYPE
            | K::DROP_DOMAIN
            | K::DROP_FUNCTION
            | K::DROP_PROCEDURE
            | K::DROP_ROUTINE
            | K::DROP_AGGREGATE
            | K::DROP_TRIGGER
            | K::DROP_POLICY
            | K::DROP_SCHEMA
            | K::DROP_EXTENSION
            | K::DROP_RULE
            | K::DROP_ROLE
            | K::DROP_USER
            | K::DROP_GROUP
            | K::DROP_CAST
            | K::DROP_OPERATOR
            | K::DROP_OPERATOR_CLASS
            | K::DROP_OPERATOR_FAMILY
            | K::DROP_FOREIGN_TABLE
            | K::DROP_STATISTICS
            | K::DROP_COLLATION
            | K::DROP_CONVERSION
            | K::DROP_EVENT_TRIGGER
            | K::DROP_SERVER
            | K::DROP_PUBLICATION
            | K::DROP_SUBSCRIPTION
            | K::DROP_TEXT_SEARCH_CONFIG
            | K::DROP_TEXT_SEARCH_DICT
            | K::DROP_TEXT_SEARCH_PARSER
            | K::DROP_TEXT_SEARCH_TEMPLATE
            | K::DROP_ACCESS_METHOD
            | K::DROP_LANGUAGE
            | K::DROP_TRANSFORM
            | K::DROP_FOREIGN_DATA_WRAPPER
            | K::DROP_USER_MAPPING
            | K::DROP_DATABASE
            | K::DROP_TABLESPACE
    )
}

fn is_rename_to(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        K::TABLE_RENAME_TO
            | K::VIEW_RENAME_TO
            | K::INDEX_RENAME_TO
            | K::SEQUENCE_RENAME_TO
            | K::TYPE_RENAME_TO
            | K::DOMAIN_RENAME_TO
            | K::FUNCTION_RENAME_TO
            | K::PROCEDURE_RENAME_TO
            | K::ROUTINE_RENAME_TO
            | K::AGGREGATE_RENAME_TO
            | K::SCHEMA_RENAME_TO
            | K::TRIGGER_RENAME_TO
            | K::POLICY_RENAME_TO
            | K::STATISTICS_RENAME_TO
            | K::COLLATION_RENAME_TO
            | K::RULE_RENAME_TO
            | K::ROLE_RENAME_TO
    )
}

fn is_alter(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        K::ALTER_TABLE
            | K::ALTER_FOREIGN_TABLE
            | K::ALTER_TYPE
            | K::ALTER_INDEX
            | K::ALTER_VIEW
            | K::ALTER_MATERIALIZED_VIEW
            | K::ALTER_SEQUENCE
            | K::ALTER_FUNCTION
            | K::ALTER_PROCEDURE
            | K::ALTER_ROUTINE
            | K::ALTER_AGGREGATE
            | K::ALTER_DOMAIN
            | K::ALTER_SCHEMA
            | K::ALTER_TRIGGER
            | K::ALTER_POLICY
            | K::ALTER_STATISTICS
            | K::ALTER_COLLATION
            | K::ALTER_RULE
            | K::ALTER_ROLE
    )
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::test_support::check;

    #[test]
    fn finds_statements_that_fail_the_second_time() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"CREATE TABLE app.a (id int);
CREATE INDEX a_id ON app.a (id);
CREATE UNIQUE INDEX ON app.a (id);
CREATE SEQUENCE app.s;
CREATE EXTENSION pgcrypto;
CREATE VIEW app.v AS SELECT 1;
CREATE FUNCTION app.f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
CREATE TYPE app.mood AS ENUM ('a');
CREATE DOMAIN app.email AS text;
CREATE POLICY owner ON app.a USING (true);
CREATE TRIGGER touch BEFORE UPDATE ON app.a FOR EACH ROW EXECUTE FUNCTION app.f();
DROP TABLE app.old;
DROP FUNCTION app.g();
ALTER TABLE app.a ADD COLUMN b int, DROP COLUMN c, DROP CONSTRAINT k,
    ADD CONSTRAINT a_b_check CHECK (b > 0), ADD PRIMARY KEY (id), RENAME COLUMN b TO c;
ALTER TABLE app.a RENAME TO b;
ALTER TYPE app.mood ADD VALUE 'b';
INSERT INTO app.a (id) VALUES (1);
DO $$
BEGIN
    CREATE TABLE app.x (a int);
    EXECUTE 'DROP TABLE app.y';
END
$$;
"#
        ));
    }

    #[test]
    fn accepts_clauses_preceding_drops_and_guards() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"CREATE TABLE IF NOT EXISTS app.a (id int);
CREATE INDEX IF NOT EXISTS a_id ON app.a (id);
CREATE OR REPLACE VIEW app.v AS SELECT 1;
CREATE OR REPLACE FUNCTION app.f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO app.a VALUES (1); RETURN NEW; END $$;
DROP TYPE IF EXISTS app.mood;
CREATE TYPE app.mood AS ENUM ('a');
DROP POLICY IF EXISTS owner ON app.a;
CREATE POLICY owner ON app.a USING (true);
DROP TRIGGER IF EXISTS touch ON app.a;
CREATE TRIGGER touch BEFORE UPDATE ON app.a FOR EACH ROW EXECUTE FUNCTION app.f();
CREATE OR REPLACE TRIGGER touch_again BEFORE UPDATE ON app.a FOR EACH ROW EXECUTE FUNCTION app.f();
ALTER TABLE app.a ADD COLUMN IF NOT EXISTS b int, DROP COLUMN IF EXISTS c,
    DROP CONSTRAINT IF EXISTS a_b_check, ADD CONSTRAINT a_b_check CHECK (b > 0);
ALTER TABLE IF EXISTS app.old RENAME TO older;
ALTER TABLE app.a ALTER COLUMN id SET NOT NULL, ENABLE ROW LEVEL SECURITY;
ALTER TYPE app.mood ADD VALUE IF NOT EXISTS 'b';
INSERT INTO app.a (id) VALUES (1) ON CONFLICT DO NOTHING;
INSERT INTO app.a (id) SELECT 2 WHERE NOT EXISTS (SELECT 1 FROM app.a WHERE id = 2);
UPDATE app.a SET id = id;
DELETE FROM app.a WHERE false;
COMMENT ON TABLE app.a IS 'rows';
GRANT SELECT ON app.a TO PUBLIC;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type WHERE typname = 'mood2') THEN
        CREATE TYPE app.mood2 AS ENUM ('a');
    END IF;
END
$$;
DO $$
BEGIN
    CREATE TYPE app.mood3 AS ENUM ('a');
EXCEPTION WHEN duplicate_object THEN
    NULL;
END
$$;
"#
        ));
    }
}
