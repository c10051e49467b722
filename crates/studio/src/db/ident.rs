//! Quoting for SQL text: every identifier the studio writes is quoted here, whatever
//! it looks like, so names such as `user`, `Order` or `a"b` are always safe. Literals
//! are quoted only for SQL the studio shows (DDL); values it runs are bound.

use std::fmt;

/// `name` as a quoted identifier: `"name"`, with inner quotes doubled.
pub fn quote_ident(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 2);
    out.push('"');
    for c in name.chars() {
        if c == '"' {
            out.push('"');
        }
        // PostgreSQL names cannot hold NUL; dropping it keeps the text one identifier.
        if c != '\0' {
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// `value` as a string literal for SQL shown to people: `'it''s'`, or an `E''`
/// literal when it holds backslashes.
pub fn quote_literal(value: &str) -> String {
    let escaped = value.replace('\'', "''");
    if value.contains('\\') { format!("E'{}'", escaped.replace('\\', "\\\\")) } else { format!("'{escaped}'") }
}

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
        write!(f, "{}.{}", quote_ident(&self.schema), quote_ident(&self.name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_identifier_is_quoted() {
        assert_eq!(quote_ident("user"), "\"user\"");
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(quote_ident("x\0y"), "\"xy\"");
        assert_eq!(QualifiedName::new("auth", "user").to_string(), "\"auth\".\"user\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
        assert_eq!(QualifiedName::new("Mixed Case", "we\"ird").to_string(), "\"Mixed Case\".\"we\"\"ird\"");
    }
}
