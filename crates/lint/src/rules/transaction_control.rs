//! `transaction-control`: `BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT` and the like
//! in a file that strata runs in a transaction.
//!
//! strata runs each file and its history row in one transaction. A `COMMIT` in the
//! file commits part of it before strata records it (and a replay to find a
//! failing statement would commit again); a `ROLLBACK` undoes the file while
//! strata goes on to record it as applied; `BEGIN` only warns; savepoints split
//! the file's all-or-nothing. The runner refuses these too.
//!
//! Not flagged: `-- strata:no-transaction` files (each statement runs on its own,
//! so `BEGIN ... COMMIT` there is the way to group statements), and PL/pgSQL in
//! DO blocks and procedures: PostgreSQL itself refuses `COMMIT` in a DO block
//! that runs inside a transaction ("invalid transaction termination"), and a
//! procedure's body runs when it is called, not when the file runs.

use crate::check::{Check, first_line};
use crate::finding::Severity;
use crate::rules::Rule;

pub(crate) const RULE: Rule = Rule {
    id: "transaction-control",
    severity: Severity::Error,
    summary: "No BEGIN, COMMIT, ROLLBACK, SAVEPOINT or PREPARE TRANSACTION in a file that runs in strata's transaction.",
};

pub(crate) fn check(cx: &mut Check<'_>) {
    for s in cx.statements_in_transaction() {
        let Some(control) = s.transaction_control() else { continue };
        use strata_migrate::split::TransactionControl as T;
        let why = match control {
            T::Begin => {
                "the file already runs in strata's transaction, where PostgreSQL ignores BEGIN with a warning and a later COMMIT would end it early"
            }
            T::Commit | T::PrepareTransaction => {
                "it would commit part of the file before strata records it, so the file could no longer roll back as a whole"
            }
            T::Rollback => "it would undo the file's work while strata goes on to record the file as applied",
            _ => "savepoints inside the file break its all-or-nothing run",
        };
        let range = first_line(s);
        let written: String = s.text[..range.len()].chars().take(60).collect();
        let more = if written.len() < range.len() { " ..." } else { "" };
        let message = format!("`{written}{more}` on line {} controls the transaction this file runs in: {why}", s.line);
        cx.report_at(&RULE, range, message, Some(HELP.to_owned()));
    }
}

const HELP: &str = "remove it: strata commits each file with its history row; or make `-- strata:no-transaction` the file's first line to run it statement by statement, outside strata's transaction";

#[cfg(test)]
mod tests {
    use insta::assert_snapshot;

    use crate::test_support::check;

    #[test]
    fn finds_transaction_control_in_a_transactional_file() {
        assert_snapshot!(check(
            super::RULE.id,
            "BEGIN;\nUPDATE app.t SET a = 1;\nCOMMIT;\nSAVEPOINT s;\nROLLBACK TO SAVEPOINT s;\nRELEASE s;\nSTART TRANSACTION ISOLATION LEVEL SERIALIZABLE;\nEND;\nABORT;\nPREPARE TRANSACTION 'x';\n"
        ));
    }

    #[test]
    fn accepts_no_transaction_files_bodies_and_lookalikes() {
        assert_snapshot!(check(super::RULE.id, "-- strata:no-transaction\nBEGIN;\nUPDATE app.t SET a = 1;\nCOMMIT;\n"));
        assert_snapshot!(check(
            super::RULE.id,
            "CREATE OR REPLACE PROCEDURE app.p() LANGUAGE plpgsql AS $$ BEGIN COMMIT; END $$;\n\
             CREATE OR REPLACE FUNCTION app.f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;\n\
             PREPARE q AS SELECT 1;\nSELECT 'COMMIT';\n-- ROLLBACK;\n"
        ));
    }
}
