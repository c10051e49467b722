//! Row edits in write mode: `UPDATE`, `INSERT` and `DELETE` of one row of a table
//! with a primary key. The statement is built first and shown to the user; only a
//! second, confirmed request runs it, in a read-write transaction that must touch
//! exactly one row or is rolled back. An update also checks that the changed
//! columns still hold what the user saw, so a concurrent change is not overwritten.

use sqlx::{PgPool, Row};

use crate::config::StudioConfig;
use crate::db::relation::Relation;
use crate::db::row::RowKey;
use crate::db::sql::Sql;
use crate::db::transaction::{self, Access};
use crate::error::StudioError;

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
pub fn check_editable(rel: &Relation) -> Result<(), StudioError> {
    if !rel.kind.is_table() {
        return Err(StudioError::BadRequest(format!(
            "{} is a {}; only tables are edited",
            rel.name.display(),
            rel.kind.label()
        )));
    }
    if !rel.has_primary_key() {
        return Err(StudioError::BadRequest(format!(
            "{} has no primary key, so a row cannot be picked out safely; it is not edited",
            rel.name.display()
        )));
    }
    Ok(())
}

/// The statement for `edit`; `None` when an update changes nothing.
pub fn statement(rel: &Relation, edit: &Edit) -> Result<Option<Sql>, StudioError> {
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
pub async fn apply(pool: &PgPool, config: &StudioConfig, rel: &Relation, sql: &Sql) -> Result<RowKey, StudioError> {
    if !config.write {
        return Err(StudioError::Forbidden("the studio is read-only; start it with --write to edit rows".into()));
    }
    let mut tx = transaction::begin(pool, Access::ReadWrite, config.statement_timeout).await?;
    let rows = sql.query().fetch_all(&mut *tx).await?;
    if rows.len() != 1 {
        tx.rollback().await?;
        return Err(StudioError::BadRequest(if rows.is_empty() {
            "no row matched: it was changed or deleted since you opened it; nothing was written".into()
        } else {
            format!("{} rows matched; nothing was written", rows.len())
        }));
    }
    let key = rel
        .primary_key_columns()
        .enumerate()
        .map(|(i, c)| Ok((c.name.clone(), rows[0].try_get::<Option<String>, _>(i)?.unwrap_or_default())))
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
    tx.commit().await?;
    Ok(RowKey(key))
}

fn writable<'r>(rel: &'r Relation, name: &str) -> Result<&'r crate::db::relation::Column, StudioError> {
    let (_, column) = rel.column(name).ok_or_else(|| StudioError::BadRequest(format!("no column {name:?}")))?;
    if !column.is_writable() {
        return Err(StudioError::BadRequest(format!("column {} is generated; it cannot be written", column.name)));
    }
    Ok(column)
}

/// An edit's key must be exactly the primary key.
fn check_primary_key(rel: &Relation, key: &RowKey) -> Result<(), StudioError> {
    let mut given: Vec<&str> = key.0.iter().map(|(c, _)| c.as_str()).collect();
    let mut pk: Vec<&str> = rel.primary_key_columns().map(|c| c.name.as_str()).collect();
    given.sort_unstable();
    pk.sort_unstable();
    if given != pk {
        return Err(StudioError::BadRequest("rows are edited by their primary key".into()));
    }
    Ok(())
}
