//! The rules, one per file. Each file holds the rule's [`Rule`] description and
//! its check; [`all`] lists them in the order the documentation shows them.

use serde::Serialize;

use crate::finding::Severity;

pub(crate) mod concurrently_in_transaction;
pub(crate) mod create_schemas_first;
pub(crate) mod duplicate_version;
pub(crate) mod dynamic_sql;
pub(crate) mod file_name;
pub(crate) mod invalid_directive;
pub(crate) mod invalid_directive_value;
pub(crate) mod missing_pair;
pub(crate) mod needs_no_transaction;
pub(crate) mod non_idempotent;
pub(crate) mod psql_meta_command;
pub(crate) mod syntax_error;
pub(crate) mod transaction_control;
pub(crate) mod unknown_schema;
pub(crate) mod unqualified_relation;
pub(crate) mod unreadable_file;
pub(crate) mod unterminated;
pub(crate) mod unused_suppression;

/// A rule: its stable id, how severe its findings are, and what it checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// Kebab-case, stable: used in suppressions, `[lint] disable` and output.
    pub id: &'static str,
    pub severity: Severity,
    /// One sentence: what the rule requires.
    pub summary: &'static str,
}

/// Every rule.
pub fn all() -> &'static [Rule] {
    const ALL: [Rule; 18] = [
        file_name::RULE,
        missing_pair::RULE,
        duplicate_version::RULE,
        unreadable_file::RULE,
        create_schemas_first::RULE,
        unterminated::RULE,
        syntax_error::RULE,
        psql_meta_command::RULE,
        unknown_schema::RULE,
        unqualified_relation::RULE,
        non_idempotent::RULE,
        transaction_control::RULE,
        concurrently_in_transaction::RULE,
        needs_no_transaction::RULE,
        invalid_directive_value::RULE,
        dynamic_sql::RULE,
        invalid_directive::RULE,
        unused_suppression::RULE,
    ];
    &ALL
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static Rule> {
    all().iter().find(|r| r.id == id)
}
