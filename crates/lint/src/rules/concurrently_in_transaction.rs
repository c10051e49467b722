//! `concurrently-in-transaction`: `CREATE INDEX CONCURRENTLY` (and `DROP INDEX`,
//! `REINDEX`, `DETACH PARTITION ... CONCURRENTLY`) cannot run inside a
//! transaction block, so their file must start with `-- strata:no-transaction`.
//! Inside a DO block or a function they can never work: those always run in a
//! transaction.

use squawk_syntax::{SyntaxKind, SyntaxNode};

use crate::check::Check;
use crate::finding::Severity;
use crate::parse::UnitKind;
use crate::rules::{Rule, needs_no_transaction};

pub(crate) const RULE: Rule = Rule {
    id: "concurrently-in-transaction",
    severity: Severity::Error,
    summary: "CONCURRENTLY operations are only in files whose first line is -- strata:no-transaction.",
};

pub(crate) fn check(cx: &mut Check<'_>) {
    let file = cx.file;
    for (index, unit) in file.units.iter().enumerate() {
        for node in unit.root.descendants() {
            let Some(what) = concurrently(&node) else { continue };
            let range = node.text_range();
            let (message, help) = match unit.kind {
                UnitKind::File if cx.no_transaction => continue,
                UnitKind::File => (
                    format!("`{what}` cannot run inside a transaction, and this file runs in one"),
                    needs_no_transaction::HELP,
                ),
                _ => (
                    format!("`{what}` cannot run inside a DO block or a function, which always run in a transaction"),
                    "run it as a top-level statement of a `-- strata:no-transaction` file",
                ),
            };
            cx.report(&RULE, index, range, message, Some(help.to_owned()));
        }
    }
}

/// The operation, when `node` is a statement using CONCURRENTLY that PostgreSQL
/// refuses in a transaction block.
fn concurrently(node: &SyntaxNode) -> Option<&'static str> {
    let token = |n: &SyntaxNode| n.children_with_tokens().any(|t| t.kind() == SyntaxKind::CONCURRENTLY_KW);
    match node.kind() {
        SyntaxKind::CREATE_INDEX if token(node) => Some("CREATE INDEX CONCURRENTLY"),
        SyntaxKind::DROP_INDEX if token(node) => Some("DROP INDEX CONCURRENTLY"),
        SyntaxKind::REINDEX
            if node.descendants().any(|d| token(&d) || d.kind() == SyntaxKind::REINDEX_OPTION_CONCURRENTLY) =>
        {
            Some("REINDEX CONCURRENTLY")
        }
        SyntaxKind::ALTER_TABLE if node.descendants().any(|d| d.kind() == SyntaxKind::DETACH_CONCURRENTLY) => {
            Some("DETACH PARTITION ... CONCURRENTLY")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::test_support::check;

    #[test]
    fn finds_concurrently_in_a_transaction() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"CREATE INDEX CONCURRENTLY IF NOT EXISTS a_id ON app.a (id);
DROP INDEX CONCURRENTLY IF EXISTS app.a_id;
REINDEX INDEX CONCURRENTLY app.a_id;
ALTER TABLE app.p DETACH PARTITION app.p1 CONCURRENTLY;
"#
        ));
    }

    #[test]
    fn finds_concurrently_in_a_do_block_even_without_transaction() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"-- strata:no-transaction
DO $$
BEGIN
    CREATE INDEX CONCURRENTLY IF NOT EXISTS a_id ON app.a (id);
END
$$;
"#
        ));
    }

    #[test]
    fn accepts_no_transaction_files_and_refresh() {
        assert_snapshot!(check(
            super::RULE.id,
            r#"-- strata:no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS a_id ON app.a (id);
REFRESH MATERIALIZED VIEW CONCURRENTLY app.counts;
"#
        ));
        assert_snapshot!(check(super::RULE.id, "REFRESH MATERIALIZED VIEW CONCURRENTLY app.counts;\n"));
    }
}
