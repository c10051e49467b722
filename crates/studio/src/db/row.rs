//! One row, addressed by a key: the primary key's columns, the columns a foreign
//! key references (always unique), or the row's `ctid` in a table without a key.
//! Also the count of rows that reference it through each incoming foreign key.

use sqlx::{PgConnection, Row};

use crate::db::error::DbError;
use crate::db::foreign_keys::ForeignKey;
use crate::db::ident::QualifiedName;
use crate::db::relation::Relation;
use crate::db::sql::Sql;

/// The pseudo-column that addresses a row by its physical place.
pub const CTID: &str = "ctid";
/// How many referencing rows are counted before saying "more than".
pub const REFERENCE_COUNT_CAP: i64 = 1000;

/// Columns and their values (as text) that pick out one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowKey(pub Vec<(String, String)>);

impl RowKey {
    /// Appends `col = value AND ...` for `rel`, checking each column exists.
    pub fn push_where(&self, sql: &mut Sql, rel: &Relation) -> Result<(), DbError> {
        if self.0.is_empty() {
            return Err(DbError::NoRowKey);
        }
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                sql.push(" AND ");
            }
            if name == CTID && rel.kind.has_ctid() && rel.column(CTID).is_none() {
                sql.push("ctid = ").value(Some(value), &QualifiedName::new("pg_catalog", "tid"));
                continue;
            }
            let (_, column) = rel
                .column(name)
                .ok_or_else(|| DbError::NoSuchColumn { relation: rel.name.display(), column: name.clone() })?;
            if column.compares_as_text() {
                sql.ident(name).push("::text = ").text_value(value);
            } else {
                sql.ident(name).push(" = ").value(Some(value), &column.ty);
            }
        }
        Ok(())
    }

    /// The key by primary-key columns of one row's values, if the table has one.
    pub fn primary(rel: &Relation, values: &[Option<String>]) -> Option<RowKey> {
        if !rel.has_primary_key() {
            return None;
        }
        rel.primary_key
            .iter()
            .map(|&i| Some((rel.columns[i].name.clone(), values.get(i)?.clone()?)))
            .collect::<Option<Vec<_>>>()
            .map(RowKey)
    }
}

/// The full text of every column (of those in `rel`) of the row `key` picks out (at most one: a key
/// that matches several rows is refused).
pub async fn find(
    conn: &mut PgConnection,
    rel: &Relation,
    key: &RowKey,
) -> Result<Option<Vec<Option<String>>>, DbError> {
    let mut sql = Sql::new("SELECT ");
    for (i, c) in rel.columns.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.ident(&c.name).push("::text");
    }
    if rel.columns.is_empty() {
        sql.push("NULL");
    }
    sql.push(" FROM ").qualified(&rel.name).push(" WHERE ");
    key.push_where(&mut sql, rel)?;
    sql.push(" LIMIT 2");
    let rows = sql.query().fetch_all(conn).await?;
    if rows.len() > 1 {
        return Err(DbError::KeyNotUnique);
    }
    Ok(rows.first().map(|row| (0..rel.columns.len()).map(|i| row.get::<Option<String>, _>(i)).collect()))
}

/// How many rows reference the row with `values` through `fk`, counting at most
/// [`REFERENCE_COUNT_CAP`] + 1 so a huge table costs little. The values are
/// converted with the referenced columns' types.
pub async fn count_referencing(
    conn: &mut PgConnection,
    fk: &ForeignKey,
    referenced: &Relation,
    values: &[String],
) -> Result<i64, DbError> {
    let mut sql = Sql::new("SELECT count(*) FROM (SELECT 1 FROM ");
    sql.qualified(&fk.from).push(" WHERE ");
    for (i, (from, to)) in fk.from_columns.iter().zip(&fk.to_columns).enumerate() {
        let (_, target) = referenced
            .column(to)
            .ok_or_else(|| DbError::CatalogChanged { relation: referenced.name.display(), column: to.clone() })?;
        if i > 0 {
            sql.push(" AND ");
        }
        sql.ident(from).push(" = ").value(values.get(i).map(String::as_str), &target.ty);
    }
    sql.push(&format!(" LIMIT {}) AS capped", REFERENCE_COUNT_CAP + 1));
    Ok(sql.query().fetch_one(conn).await?.get::<i64, _>(0))
}
