//! Typed filters on a table's rows: which operators a column's type offers, and the
//! SQL condition for each, with the value bound and converted by PostgreSQL to the
//! column's type (so `abc` for an integer is PostgreSQL's "invalid input" error).

use crate::db::error::DbError;
use crate::db::relation::Column;
use crate::db::sql::Sql;

/// A comparison a filter makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Contains,
    StartsWith,
    IsNull,
    NotNull,
}

impl Op {
    pub const ALL: [Op; 10] =
        [Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge, Op::Contains, Op::StartsWith, Op::IsNull, Op::NotNull];

    /// The code in URLs (`fo=eq`).
    pub fn code(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Ne => "ne",
            Op::Lt => "lt",
            Op::Le => "le",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Contains => "contains",
            Op::StartsWith => "starts",
            Op::IsNull => "null",
            Op::NotNull => "notnull",
        }
    }

    /// The label in the filter form.
    pub fn label(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "≠",
            Op::Lt => "<",
            Op::Le => "≤",
            Op::Gt => ">",
            Op::Ge => "≥",
            Op::Contains => "contains",
            Op::StartsWith => "starts with",
            Op::IsNull => "is null",
            Op::NotNull => "is not null",
        }
    }

    pub fn parse(code: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.code() == code)
    }

    pub fn takes_value(self) -> bool {
        !matches!(self, Op::IsNull | Op::NotNull)
    }

    /// Whether the operator makes sense for the column's type.
    pub fn applies_to(self, column: &Column) -> bool {
        match self {
            Op::Eq | Op::Ne | Op::IsNull | Op::NotNull => true,
            Op::Lt | Op::Le | Op::Gt | Op::Ge => column.is_orderable(),
            Op::Contains | Op::StartsWith => column.category != 'B',
        }
    }
}

/// One filter from the table page's form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub column: String,
    pub op: Op,
    pub value: String,
}

/// Appends `filter`'s condition on `column` to `sql`.
pub fn push_condition(sql: &mut Sql, column: &Column, filter: &Filter) -> Result<(), DbError> {
    if !filter.op.applies_to(column) {
        return Err(DbError::FilterMismatch {
            filter: filter.op.label(),
            column: column.name.clone(),
            type_name: column.type_display.clone(),
        });
    }
    let compare = |sql: &mut Sql, op: &str| {
        if column.compares_as_text() {
            sql.ident(&column.name).push("::text ").push(op).push(" ").text_value(&filter.value);
        } else {
            sql.ident(&column.name).push(" ").push(op).push(" ").value(Some(&filter.value), &column.ty);
        }
    };
    match filter.op {
        Op::Eq => compare(sql, "="),
        Op::Ne => compare(sql, "IS DISTINCT FROM"),
        Op::Lt => compare(sql, "<"),
        Op::Le => compare(sql, "<="),
        Op::Gt => compare(sql, ">"),
        Op::Ge => compare(sql, ">="),
        Op::Contains => {
            sql.ident(&column.name).push("::text ILIKE ").text_value(&format!("%{}%", escape_like(&filter.value)));
        }
        Op::StartsWith => {
            sql.ident(&column.name).push("::text LIKE ").text_value(&format!("{}%", escape_like(&filter.value)));
        }
        Op::IsNull => {
            sql.ident(&column.name).push(" IS NULL");
        }
        Op::NotNull => {
            sql.ident(&column.name).push(" IS NOT NULL");
        }
    }
    Ok(())
}

/// `value` matched literally by `LIKE` (its default escape is the backslash).
fn escape_like(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::ident::QualifiedName;

    fn column(name: &str, category: char, base: &str) -> Column {
        Column {
            num: 1,
            name: name.into(),
            type_display: base.into(),
            ty: QualifiedName::new("pg_catalog", base),
            category,
            base_type: base.into(),
            not_null: false,
            default: None,
            identity: None,
            generated: false,
            collation: None,
            comment: None,
            readable: true,
        }
    }

    #[test]
    fn like_patterns_match_literally() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }

    #[test]
    fn conditions_bind_values_with_the_column_type() {
        let mut sql = Sql::default();
        let f = Filter { column: "price".into(), op: Op::Ge, value: "10".into() };
        push_condition(&mut sql, &column("price", 'N', "int8"), &f).unwrap();
        assert_eq!(sql.text(), "\"price\" >= $1::text::\"pg_catalog\".\"int8\"");
        let mut sql = Sql::default();
        let f = Filter { column: "name".into(), op: Op::Contains, value: "a%".into() };
        push_condition(&mut sql, &column("name", 'S', "text"), &f).unwrap();
        assert_eq!(sql.text(), "\"name\"::text ILIKE $1::text");
        assert_eq!(sql.params(), [Some("%a\\%%".to_owned())]);
    }

    #[test]
    fn operators_follow_the_type() {
        let flag = column("ok", 'B', "bool");
        assert!(!Op::Lt.applies_to(&flag));
        assert!(Op::Eq.applies_to(&flag));
        let doc = column("doc", 'U', "json");
        assert!(!Op::Gt.applies_to(&doc));
        let mut sql = Sql::default();
        push_condition(&mut sql, &doc, &Filter { column: "doc".into(), op: Op::Eq, value: "{}".into() }).unwrap();
        assert_eq!(sql.text(), "\"doc\"::text = $1::text");
        let mut sql = Sql::default();
        let err = push_condition(&mut sql, &flag, &Filter { column: "ok".into(), op: Op::Gt, value: "t".into() });
        assert!(err.is_err());
    }
}
