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
pub(crate) mod missing_pair;
pub(crate) mod non_idempotent;
pub(crate) mod syntax_error;
pub(crate) mod unknown_schema;
pub(crate) mod unqualified_relation;
pub(crate) mod unreadable_file;
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
    const ALL: [Rule; 13] = [
        file_name::RULE,
        missing_pair::RULE,
        duplicate_version::RULE,
        unreadable_file::RULE,
        create_schemas_first::RULE,
        syntax_error::RULE,
        unknown_schema::RULE,
        unqualified_relation::RULE,
        non_idempotent::RULE,
        concurrently_in_transaction::RULE,
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
