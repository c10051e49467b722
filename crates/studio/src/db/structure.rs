//! A table's structure beyond its columns: indexes, constraints and triggers, each
//! with PostgreSQL's own definition text.

use sqlx::postgres::types::Oid;
use sqlx::{PgConnection, Row};

/// One index.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Index {
    pub name: String,
    /// `CREATE [UNIQUE] INDEX ...` as `pg_get_indexdef` prints it.
    pub definition: String,
    #[sqlx(rename = "indisprimary")]
    pub primary: bool,
    #[sqlx(rename = "indisunique")]
    pub unique: bool,
    #[sqlx(rename = "indisvalid")]
    pub valid: bool,
    /// The constraint the index implements (primary key, unique, exclusion), if any.
    #[sqlx(rename = "constraint_name")]
    pub constraint: Option<String>,
    pub size_bytes: i64,
}

/// One constraint.
#[derive(Debug, Clone)]
pub struct Constraint {
    pub name: String,
    /// `p`, `u`, `f`, `c`, `x` or `n` (`pg_constraint.contype`).
    pub kind: char,
    pub definition: String,
}

impl Constraint {
    pub fn kind_label(&self) -> &'static str {
        match self.kind {
            'p' => "primary key",
            'u' => "unique",
            'f' => "foreign key",
            'c' => "check",
            'x' => "exclusion",
            'n' => "not null",
            't' => "trigger",
            _ => "other",
        }
    }
}

/// One user trigger.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Trigger {
    pub name: String,
    pub definition: String,
    pub enabled: bool,
}

pub async fn indexes(conn: &mut PgConnection, table: Oid) -> Result<Vec<Index>, sqlx::Error> {
    sqlx::query_as(
        "SELECT i.relname::text AS name, pg_catalog.pg_get_indexdef(x.indexrelid) AS definition,
                x.indisprimary, x.indisunique, x.indisvalid,
                (SELECT con.conname::text FROM pg_catalog.pg_constraint con
                  WHERE con.conindid = x.indexrelid AND con.conrelid = x.indrelid AND con.contype IN ('p','u','x')) AS constraint_name,
                pg_catalog.pg_relation_size(x.indexrelid) AS size_bytes
         FROM pg_catalog.pg_index x JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid
         WHERE x.indrelid = $1
         ORDER BY NOT x.indisprimary, i.relname",
    )
    .bind(table)
    .fetch_all(conn)
    .await
}

pub async fn constraints(conn: &mut PgConnection, table: Oid) -> Result<Vec<Constraint>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT conname::text AS name, contype::text AS kind, pg_catalog.pg_get_constraintdef(oid, true) AS definition
         FROM pg_catalog.pg_constraint WHERE conrelid = $1
         ORDER BY array_position(ARRAY['p','u','f','c','x','n','t'], contype::text), conname",
    )
    .bind(table)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .iter()
        .map(|r| Constraint {
            name: r.get("name"),
            kind: r.get::<String, _>("kind").chars().next().unwrap_or('?'),
            definition: r.get("definition"),
        })
        .collect())
}

pub async fn triggers(conn: &mut PgConnection, table: Oid) -> Result<Vec<Trigger>, sqlx::Error> {
    sqlx::query_as(
        "SELECT tgname::text AS name, pg_catalog.pg_get_triggerdef(oid, true) AS definition, tgenabled <> 'D' AS enabled
         FROM pg_catalog.pg_trigger WHERE tgrelid = $1 AND NOT tgisinternal ORDER BY tgname",
    )
    .bind(table)
    .fetch_all(conn)
    .await
}
