//! Keyset pagination: a page starts after (or before) the key of the previous page's
//! edge row, so page 20,000 of a million rows costs what page 1 does, given an index
//! on the order. The order is the chosen sort column, then the primary key (or the
//! row's `ctid` when there is none) to make it total.
//!
//! A nullable sort column sorts NULLs as PostgreSQL does by default (last when
//! ascending, first when descending), so indexes built with defaults serve it.

use crate::db::error::DbError;
use crate::db::ident::QualifiedName;
use crate::db::sql::Sql;
use strata_migrate::quote;

/// Which way a rows page is sorted (named apart from `strata_migrate::Direction`,
/// which is up or down).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub fn code(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }

    pub fn parse(s: &str) -> Option<SortOrder> {
        match s {
            "asc" => Some(SortOrder::Asc),
            "desc" => Some(SortOrder::Desc),
            _ => None,
        }
    }

    pub fn flip(self) -> SortOrder {
        match self {
            SortOrder::Asc => SortOrder::Desc,
            SortOrder::Desc => SortOrder::Asc,
        }
    }
}

/// One part of the order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPart {
    /// A column name, or `None` for the row's `ctid`.
    pub column: Option<String>,
    pub ty: QualifiedName,
    pub nullable: bool,
}

impl KeyPart {
    pub fn column(name: &str, ty: QualifiedName, nullable: bool) -> KeyPart {
        KeyPart { column: Some(name.to_owned()), ty, nullable }
    }

    pub fn ctid() -> KeyPart {
        KeyPart { column: None, ty: QualifiedName::new("pg_catalog", "tid"), nullable: false }
    }

    /// The SQL expression of this part.
    pub fn expr(&self) -> String {
        match &self.column {
            Some(name) => quote::ident(name),
            None => "ctid".to_owned(),
        }
    }
}

/// A total order: an optional (possibly nullable) sort column, then the tie-break
/// parts, which are never NULL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keyset {
    pub parts: Vec<KeyPart>,
    pub direction: SortOrder,
}

impl Keyset {
    /// The same order outside a subquery that passed `ctid` on as `ctid_alias`.
    pub fn outside(&self, ctid_alias: &str) -> Keyset {
        let parts = self
            .parts
            .iter()
            .map(|p| match p.column {
                Some(_) => p.clone(),
                None => KeyPart { column: Some(ctid_alias.to_owned()), ..p.clone() },
            })
            .collect();
        Keyset { parts, direction: self.direction }
    }

    /// `ORDER BY` text, reversed when paging backwards.
    pub fn order_by(&self, backward: bool) -> String {
        let dir = if backward { self.direction.flip() } else { self.direction };
        let parts: Vec<String> = self
            .parts
            .iter()
            .map(|p| match (dir, p.nullable) {
                (SortOrder::Asc, true) => format!("{} ASC NULLS LAST", p.expr()),
                (SortOrder::Desc, true) => format!("{} DESC NULLS FIRST", p.expr()),
                (SortOrder::Asc, false) => format!("{} ASC", p.expr()),
                (SortOrder::Desc, false) => format!("{} DESC", p.expr()),
            })
            .collect();
        parts.join(", ")
    }

    /// Appends the condition "comes after `cursor` in this order" (or before it,
    /// when paging backwards).
    pub fn push_after(&self, sql: &mut Sql, cursor: &[Option<String>], backward: bool) -> Result<(), DbError> {
        if cursor.len() != self.parts.len() || self.parts.is_empty() {
            return Err(DbError::CursorDoesNotFit);
        }
        let ascending = (self.direction == SortOrder::Asc) != backward;
        let op = if ascending { ">" } else { "<" };
        let (first, rest) = (&self.parts[0], &self.parts[1..]);
        if cursor[1..].iter().any(Option::is_none) || (!first.nullable && cursor[0].is_none()) {
            return Err(DbError::CursorHasNull);
        }
        if !first.nullable || rest.is_empty() {
            push_row_compare(sql, &self.parts, cursor, op);
            return Ok(());
        }
        let (sort, v) = (first.expr(), cursor[0].as_deref());
        sql.push("(");
        // NULLs are the greatest values: last going up, first going down.
        match (ascending, v) {
            (_, Some(v)) => {
                let (beyond, then_nulls) =
                    if ascending { (">", format!(" OR {sort} IS NULL")) } else { ("<", String::new()) };
                sql.push(&format!("{sort} {beyond} ")).value(Some(v), &first.ty);
                sql.push(&format!("{then_nulls} OR ({sort} = ")).value(Some(v), &first.ty).push(" AND ");
                push_row_compare(sql, rest, &cursor[1..], op);
                sql.push(")");
            }
            (true, None) => {
                sql.push(&format!("{sort} IS NULL AND "));
                push_row_compare(sql, rest, &cursor[1..], op);
            }
            (false, None) => {
                sql.push(&format!("{sort} IS NOT NULL OR "));
                push_row_compare(sql, rest, &cursor[1..], op);
            }
        }
        sql.push(")");
        Ok(())
    }
}

/// `(a, b) > ($1, $2)`: a row comparison, which an index on `(a, b)` serves.
fn push_row_compare(sql: &mut Sql, parts: &[KeyPart], values: &[Option<String>], op: &str) {
    let exprs: Vec<String> = parts.iter().map(KeyPart::expr).collect();
    sql.push(&format!("({}) {op} (", exprs.join(", ")));
    for (i, (part, value)) in parts.iter().zip(values).enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.value(value.as_deref(), &part.ty);
    }
    sql.push(")");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(name: &str) -> QualifiedName {
        QualifiedName::new("pg_catalog", name)
    }

    #[test]
    fn a_not_null_order_is_one_row_comparison() {
        let keys = Keyset {
            parts: vec![
                KeyPart::column("created_at", ty("timestamptz"), false),
                KeyPart::column("id", ty("uuid"), false),
            ],
            direction: SortOrder::Desc,
        };
        let mut sql = Sql::default();
        keys.push_after(&mut sql, &[Some("t".into()), Some("i".into())], false).unwrap();
        assert_eq!(
            sql.text(),
            "(\"created_at\", \"id\") < ($1::text::\"pg_catalog\".\"timestamptz\", $2::text::\"pg_catalog\".\"uuid\")"
        );
        assert_eq!(keys.order_by(false), "\"created_at\" DESC, \"id\" DESC");
        assert_eq!(keys.order_by(true), "\"created_at\" ASC, \"id\" ASC");
    }

    #[test]
    fn a_nullable_sort_column_handles_nulls_in_both_directions() {
        let keys = Keyset {
            parts: vec![KeyPart::column("price", ty("int8"), true), KeyPart::ctid()],
            direction: SortOrder::Asc,
        };
        let mut sql = Sql::default();
        keys.push_after(&mut sql, &[None, Some("(0,1)".into())], false).unwrap();
        assert_eq!(sql.text(), "(\"price\" IS NULL AND (ctid) > ($1::text::\"pg_catalog\".\"tid\"))");
        let mut sql = Sql::default();
        keys.push_after(&mut sql, &[None, Some("(0,1)".into())], true).unwrap();
        assert_eq!(sql.text(), "(\"price\" IS NOT NULL OR (ctid) < ($1::text::\"pg_catalog\".\"tid\"))");
        assert_eq!(keys.order_by(false), "\"price\" ASC NULLS LAST, ctid ASC");
    }

    #[test]
    fn a_cursor_of_the_wrong_shape_is_refused() {
        let keys = Keyset { parts: vec![KeyPart::column("id", ty("int4"), false)], direction: SortOrder::Asc };
        assert!(keys.push_after(&mut Sql::default(), &[], false).is_err());
        assert!(keys.push_after(&mut Sql::default(), &[None], false).is_err());
    }
}
