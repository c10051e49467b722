//! `dynamic-sql` (warning): PL/pgSQL's `EXECUTE` of a string built at run time.
//!
//! The linter checks SQL it can see. An `EXECUTE` of a constant string is parsed
//! and checked like any other SQL; a string assembled at run time (`format(...)`,
//! concatenation, a variable) is not, so the rules cannot vouch for it.

use crate::check::Check;
use crate::finding::Severity;
use crate::parse::{UnitKind, constant_execute_literal, is_dynamic_statement};
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "dynamic-sql",
    severity: Severity::Warning,
    summary: "EXECUTE of a string built at run time cannot be checked by the linter.",
};

pub(crate) fn check(cx: &mut Check<'_>) {
    let file = cx.file;
    for (index, unit) in file.units.iter().enumerate() {
        if !matches!(unit.kind, UnitKind::Do | UnitKind::Function) {
            continue;
        }
        for stmt in unit.root.descendants().filter(|n| is_dynamic_statement(n.kind())) {
            let expr = stmt.children().find(|c| c.kind() == squawk_syntax::SyntaxKind::PLPGSQL_EXPR);
            let range = expr.map_or(stmt.text_range(), |e| e.text_range());
            let message = if constant_execute_literal(&stmt).is_none() {
                "EXECUTE runs SQL built at run time, which the linter cannot check"
            } else if !file.has_execute_unit(index, stmt.text_range()) {
                "this EXECUTE string does not parse as SQL, so it was not checked"
            } else {
                continue;
            };
            cx.report(&RULE, index, range, message.to_owned(), Some(HELP.to_owned()));
        }
    }
}

const HELP: &str =
    "prefer static SQL; where the SQL must be dynamic, build names with format('%I.%I', ...) and review it by hand";

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::test_support::check;

    #[test]
    fn finds_sql_built_at_run_time() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"DO $$
DECLARE
    s text := 'SELECT 1';
    r record;
BEGIN
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO app_reader', 'app');
    EXECUTE 'DROP TABLE IF EXISTS app.' || 'old';
    EXECUTE s;
    FOR r IN EXECUTE s LOOP END LOOP;
    EXECUTE 'this is not SQL';
END
$$;
CREATE OR REPLACE FUNCTION app.search(q text) RETURNS SETOF app.items LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'SELECT * FROM app.items WHERE name ~ ' || quote_literal(q);
END
$$;
"#
        ));
    }

    #[test]
    fn checks_constant_strings_instead_of_warning() {
        let sql = r#"DO $$
BEGIN
    EXECUTE 'DROP TABLE IF EXISTS app.old';
    EXECUTE $q$SELECT * FROM app.items WHERE name = $1$q$ USING 'x';
END
$$;
"#;
        assert_snapshot!(check(super::RULE.id, sql));
        // ... and the constant string is linted like any SQL
        assert_snapshot!(check("unqualified-relation", "DO $$ BEGIN EXECUTE 'DELETE FROM items'; END $$;\n"));
    }
}
