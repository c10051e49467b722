//! Names of relations and types as the studio holds them. Every identifier the
//! studio writes is quoted by [`strata_migrate::quote::ident`], whatever it looks
//! like, so names such as `user`, `Order` or `a"b` are always safe; literals are
//! quoted (by [`strata_migrate::quote::literal`]) only for SQL the studio shows
//! (DDL); values it runs are bound.

use std::fmt;

use strata_migrate::quote;

/// A schema-qualified name (a relation or a type), printed quoted.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName { schema: schema.into(), name: name.into() }
    }

    /// `schema.name` unquoted, for people.
    pub fn display(&self) -> String {
        format!("{}.{}", self.schema, self.name)
    }
}

impl fmt::Display for QualifiedName {
    /// `"schema"."name"`, for SQL.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", quote::ident(&self.schema), quote::ident(&self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_identifier_is_quoted() {
        assert_eq!(QualifiedName::new("auth", "user").to_string(), "\"auth\".\"user\"");
        assert_eq!(QualifiedName::new("Mixed Case", "we\"ird").to_string(), "\"Mixed Case\".\"we\"\"ird\"");
    }
}
