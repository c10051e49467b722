//! Building a statement: SQL text with quoted identifiers, and every value bound as
//! a parameter. Values travel as text and PostgreSQL converts them with the column's
//! own type (`$1::text::"pg_catalog"."uuid"`), so any type works and a bad value is
//! PostgreSQL's error, never SQL.

use sqlx::Postgres;
use sqlx::postgres::PgArguments;
use sqlx::query::Query;

use crate::db::ident::QualifiedName;
use strata_migrate::quote;

/// A statement under construction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sql {
    text: String,
    params: Vec<Option<String>>,
}

impl Sql {
    pub fn new(text: &str) -> Sql {
        Sql { text: text.to_owned(), params: Vec::new() }
    }

    /// Appends SQL text written by the studio (never user input).
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a quoted identifier.
    pub fn ident(&mut self, name: &str) -> &mut Self {
        self.text.push_str(&quote::ident(name));
        self
    }

    /// Appends a quoted qualified name.
    pub fn qualified(&mut self, name: &QualifiedName) -> &mut Self {
        self.text.push_str(&name.to_string());
        self
    }

    /// Appends a parameter holding `value`, converted to the type `ty`.
    pub fn value(&mut self, value: Option<&str>, ty: &QualifiedName) -> &mut Self {
        let n = self.bind(value);
        self.text.push_str(&format!("${n}::text::{ty}"));
        self
    }

    /// Appends a parameter of type `text`.
    pub fn text_value(&mut self, value: &str) -> &mut Self {
        let n = self.bind(Some(value));
        self.text.push_str(&format!("${n}::text"));
        self
    }

    fn bind(&mut self, value: Option<&str>) -> usize {
        self.params.push(value.map(str::to_owned));
        self.params.len()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn params(&self) -> &[Option<String>] {
        &self.params
    }

    /// The statement with its parameters bound, ready to run.
    pub fn query(&self) -> Query<'_, Postgres, PgArguments> {
        let mut q = sqlx::query(&self.text);
        for p in &self.params {
            q = q.bind(p.as_deref());
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_parameters_and_names_are_quoted() {
        let mut sql = Sql::new("SELECT * FROM ");
        sql.qualified(&QualifiedName::new("app", "items")).push(" WHERE ").ident("id").push(" = ");
        sql.value(Some("x'); DROP TABLE y; --"), &QualifiedName::new("pg_catalog", "uuid"));
        assert_eq!(sql.text(), "SELECT * FROM \"app\".\"items\" WHERE \"id\" = $1::text::\"pg_catalog\".\"uuid\"");
        assert_eq!(sql.params(), [Some("x'); DROP TABLE y; --".to_owned())]);
    }
}
