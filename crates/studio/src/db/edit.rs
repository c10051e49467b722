//! Row edits in write mode: `UPDATE`, `INSERT` and `DELETE` of one row of a table
//! with a primary key. The statement is built first and shown to the user; only a
//! second, confirmed request runs it, in a read-write transaction that must touch
//! exactly one row or is rolled back. An update also checks that the changed
//! columns still hold what the user saw, so a concurrent change is not overwritten.

use std::time::Duration;

use sqlx::{PgPool, Row};

use crate::db::error::DbError;
use crate::db::relation::Relation;
use crate::db::row::RowKey;
use crate::db::sql::Sql;
use crate::db::transaction::{self, Access, Writable};

/// A new value for one column (`None` is NULL).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub column: String,
    pub value: Option<String>,
    /// The value the user saw, for the concurrency check of an update.
    pub seen: Option<String>,
}

/// What the user wants done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Edit {
    Update { key: RowKey, changes: Vec<Change> },
    Insert { values: Vec<Change> },
    Delete { key: RowKey },
}

/// Checks that `rel` may be edited at all: a table with a primary key.
pub fn check_editable(rel: &Relation) -> Result<(), DbError> {
    if !rel.kind.is_table() {
        return Err(DbError::NotATable { relation: rel.name.display(), kind: rel.kind.label() });
    }
    if !rel.has_primary_key() {
        return Err(DbError::NoPrimaryKey { relation: rel.name.display() });
    }
    Ok(())
}

/// The statement for `edit`; `None` when an update changes nothing.
pub fn statement(rel: &Relation, edit: &Edit) -> Result<Option<Sql>, DbError> {
    check_editable(rel)?;
    let mut sql = Sql::default();
    match edit {
        Edit::Update { key, changes } => {
            check_primary_key(rel, key)?;
            if changes.is_empty() {
                return Ok(None);
            }
            sql.push("UPDATE ").qualified(&rel.name).push(" SET ");
            for (i, change) in changes.iter().enumerate() {
                let column = writable(rel, &change.column)?;
                sql.push(if i == 0 { "" } else { ", " })
                    .ident(&column.name)
                    .push(" = ")
                    .value(change.value.as_deref(), &column.ty);
            }
            sql.push(" WHERE ");
            key.push_where(&mut sql, rel)?;
            for change in changes {
                sql.push(" AND ").ident(&change.column).push("::text IS NOT DISTINCT FROM ");
                match &change.seen {
                    Some(seen) => sql.text_value(seen),
                    None => sql.push("NULL"),
                };
            }
        }
        Edit::Insert { values } => {
            sql.push("INSERT INTO ").qualified(&rel.name);
            if values.is_empty() {
                sql.push(" DEFAULT VALUES");
            } else {
                sql.push(" (");
                for (i, v) in values.iter().enumerate() {
                    sql.push(if i == 0 { "" } else { ", " }).ident(&writable(rel, &v.column)?.name);
                }
                sql.push(") VALUES (");
                for (i, v) in values.iter().enumerate() {
                    let column = writable(rel, &v.column)?;
                    sql.push(if i == 0 { "" } else { ", " }).value(v.value.as_deref(), &column.ty);
                }
                sql.push(")");
            }
        }
        Edit::Delete { key } => {
            check_primary_key(rel, key)?;
            sql.push("DELETE FROM ").qualified(&rel.name).push(" WHERE ");
            key.push_where(&mut sql, rel)?;
        }
    }
    sql.push(" RETURNING ");
    for (i, c) in rel.primary_key_columns().enumerate() {
        sql.push(if i == 0 { "" } else { ", " }).ident(&c.name).push("::text");
    }
    Ok(Some(sql))
}

/// Runs a confirmed statement; returns the primary key of the row it touched.
pub async fn apply(
    pool: &PgPool,
    writable: Writable,
    timeout: Duration,
    rel: &Relation,
    sql: &Sql,
) -> Result<RowKey, DbError> {
    let mut tx = transaction::begin(pool, Access::ReadWrite(writable), timeout).await?;
    let rows = sql.query().fetch_all(&mut *tx).await?;
    if rows.len() != 1 {
        tx.rollback().await?;
        return Err(DbError::EditMissed { rows: rows.len() });
    }
    let key = rel
        .primary_key_columns()
        .enumerate()
        .map(|(i, c)| Ok((c.name.clone(), rows[0].try_get::<Option<String>, _>(i)?.unwrap_or_default())))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    tx.commit().await?;
    Ok(RowKey(key))
}

fn writable<'r>(rel: &'r Relation, name: &str) -> Result<&'r crate::db::relation::Column, DbError> {
    let (_, column) = rel
        .column(name)
        .ok_or_else(|| DbError::NoSuchColumn { relation: rel.name.display(), column: name.to_owned() })?;
    if !column.is_writable() {
        return Err(DbError::GeneratedColumn { column: column.name.clone() });
    }
    Ok(column)
}

/// An edit's key must be exactly the primary key.
fn check_primary_key(rel: &Relation, key: &RowKey) -> Result<(), DbError> {
    let mut given: Vec<&str> = key.0.iter().map(|(c, _)| c.as_str()).collect();
    let mut pk: Vec<&str> = rel.primary_key_columns().map(|c| c.name.as_str()).collect();
    given.sort_unstable();
    pk.sort_unstable();
    if given != pk {
        return Err(DbError::KeyIsNotPrimary);
    }
    Ok(())
}
