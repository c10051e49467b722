//! What the linter knows about the set around one file.

use std::collections::BTreeMap;

/// Facts about the migration set that the rules for one file need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetFacts {
    /// The project's schemas. `None` when unknown (no create_schemas migration and
    /// no `schemas` setting): the unknown-schema rule is then skipped.
    pub schemas: Option<Vec<String>>,
    /// The file belongs to the create_schemas migration, where `CREATE SCHEMA` belongs.
    pub create_schemas: bool,
    /// Functions and procedures the set defines: bare name -> schema. A call of one
    /// of these by its bare name is unqualified.
    pub functions: BTreeMap<String, String>,
    /// Rule ids switched off.
    pub disable: Vec<String>,
}

impl SetFacts {
    pub(crate) fn is_disabled(&self, rule: &str) -> bool {
        self.disable.iter().any(|d| d == rule)
    }
}
