//! `needs-no-transaction`: statements PostgreSQL refuses inside a transaction
//! block (`VACUUM`, `CREATE DATABASE`, `ALTER SYSTEM`, `REINDEX SCHEMA`, ...) in a
//! file that strata runs in one. The CONCURRENTLY forms have their own rule,
//! `concurrently-in-transaction`. The statement kinds come from
//! [`strata_migrate::split::Statement::needs_no_transaction`], which the runner
//! uses for its hint as well.

use crate::check::{Check, first_line};
use crate::finding::Severity;
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "needs-no-transaction",
    severity: Severity::Error,
    summary: "Statements that cannot run in a transaction block (VACUUM, CREATE DATABASE, ALTER SYSTEM, ...) are only in -- strata:no-transaction files.",
};

pub(crate) fn check(cx: &mut Check<'_>) {
    for s in cx.statements_in_transaction() {
        let Some(what) = s.needs_no_transaction() else { continue };
        if what.contains("CONCURRENTLY") {
            continue; // concurrently-in-transaction
        }
        let message = format!("`{what}` cannot run inside a transaction block, and this file runs in one");
        cx.report_at(&RULE, first_line(s), message, Some(HELP.to_owned()));
    }
}

/// Also `concurrently-in-transaction`'s help for a top-level statement.
pub(crate) const HELP: &str = "make `-- strata:no-transaction` the file's first line (and keep the statement idempotent: the file is not rolled back on failure)";

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::test_support::check;

    #[test]
    fn finds_statements_refused_in_a_transaction_block() {
        assert_snapshot!(check(
            super::RULE.id,
            "VACUUM (ANALYZE) app.items;\nALTER SYSTEM SET work_mem = '64MB';\nCREATE DATABASE reports;\nREINDEX SCHEMA app;\nDISCARD ALL;\n"
        ));
    }

    #[test]
    fn accepts_no_transaction_files_and_transactional_lookalikes() {
        assert_snapshot!(check(super::RULE.id, "-- strata:no-transaction\nVACUUM app.items;\n"));
        assert_snapshot!(check(
            super::RULE.id,
            "REINDEX TABLE app.items;\nANALYZE app.items;\nALTER DATABASE current SET work_mem = '4MB';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON app.items (name);\n"
        ));
    }
}
