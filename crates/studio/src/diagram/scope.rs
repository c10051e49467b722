//! Which part of the database a diagram draws, as the query string says it:
//! nothing (everything), `schema=a&schema=b` (those schemas), or
//! `schema=a&table=t` (the neighbourhood of `a.t`).

use crate::db::ident::QualifiedName;
use crate::html::links;

/// Why a diagram's query string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("the diagram draws the neighbourhood of one table")]
    SeveralTables,
    #[error("query parameter table needs exactly one schema parameter (schema=...&table=...)")]
    TableWithoutOneSchema,
}

/// The part of the database drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Schemas(Vec<String>),
    /// One table, the tables it references and the tables that reference it.
    Around(QualifiedName),
}

impl Scope {
    /// Reads `schema` (repeated) and `table` from a raw query string; other keys are
    /// ignored. A `table` needs exactly one `schema`.
    pub fn parse(query: &str) -> Result<Scope, ScopeError> {
        let mut schemas: Vec<String> = Vec::new();
        let mut table: Option<String> = None;
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            match k.as_ref() {
                "schema" if !v.is_empty() && !schemas.contains(&v.to_string()) => schemas.push(v.into_owned()),
                "table" if table.is_some() => {
                    return Err(ScopeError::SeveralTables);
                }
                "table" => table = Some(v.into_owned()),
                _ => {}
            }
        }
        match (table, schemas.len()) {
            (Some(t), 1) => Ok(Scope::Around(QualifiedName::new(schemas.remove(0), t))),
            (Some(_), _) => Err(ScopeError::TableWithoutOneSchema),
            (None, 0) => Ok(Scope::All),
            (None, _) => Ok(Scope::Schemas(schemas)),
        }
    }

    /// The table a neighbourhood is drawn around.
    pub fn focus(&self) -> Option<&QualifiedName> {
        match self {
            Scope::Around(t) => Some(t),
            _ => None,
        }
    }

    /// The query string of this scope (`?...`, or nothing for everything).
    pub fn query(&self) -> String {
        match self {
            Scope::All => String::new(),
            Scope::Schemas(names) => links::query(names.iter().map(|n| ("schema", n.as_str()))),
            Scope::Around(t) => links::query([("schema", t.schema.as_str()), ("table", t.name.as_str())]),
        }
    }
}

/// The diagram page of `table`'s neighbourhood.
pub fn around_href(table: &QualifiedName) -> String {
    format!("/erd{}", Scope::Around(table.clone()).query())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_round_trip() {
        for scope in [
            Scope::All,
            Scope::Schemas(vec!["app".into(), "we ird&".into()]),
            Scope::Around(QualifiedName::new("a b", "t=1")),
        ] {
            let q = scope.query();
            assert_eq!(Scope::parse(q.trim_start_matches('?')).unwrap(), scope, "{q}");
        }
    }

    #[test]
    fn a_table_needs_one_schema() {
        assert_eq!(Scope::parse("table=t"), Err(ScopeError::TableWithoutOneSchema));
        assert_eq!(Scope::parse("schema=a&schema=b&table=t"), Err(ScopeError::TableWithoutOneSchema));
        assert_eq!(Scope::parse("schema=a&table=t&table=u"), Err(ScopeError::SeveralTables));
    }
}
