//! Foreign keys in both directions, across schemas: the keys a table holds
//! (outgoing) and the keys that point at it (incoming).

use sqlx::postgres::types::Oid;
use sqlx::{PgConnection, Row};

use crate::db::ident::QualifiedName;

/// One foreign-key constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub constraint: String,
    /// The referencing table and its columns, in key order.
    pub from: QualifiedName,
    pub from_columns: Vec<String>,
    /// The referenced table and its columns (a primary key or unique constraint).
    pub to: QualifiedName,
    pub to_columns: Vec<String>,
    /// `ON DELETE CASCADE` etc., as PostgreSQL prints the whole definition.
    pub definition: String,
    /// The current role may read every referencing column (and so count rows).
    pub from_readable: bool,
}

impl ForeignKey {
    pub fn crosses_schemas(&self) -> bool {
        self.from.schema != self.to.schema
    }
}

const SELECT: &str = "SELECT con.conname::text AS constraint_name,
        fn.nspname::text AS from_schema, fc.relname::text AS from_table,
        ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord)
              JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord) AS from_columns,
        tn.nspname::text AS to_schema, tc.relname::text AS to_table,
        ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord)
              JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord) AS to_columns,
        pg_catalog.pg_get_constraintdef(con.oid, true) AS definition,
        (SELECT bool_and(pg_catalog.has_column_privilege(con.conrelid, k.num, 'SELECT'))
           FROM unnest(con.conkey) AS k(num)) AS from_readable
    FROM pg_catalog.pg_constraint con
    JOIN pg_catalog.pg_class fc ON fc.oid = con.conrelid
    JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
    JOIN pg_catalog.pg_class tc ON tc.oid = con.confrelid
    JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
    WHERE con.contype = 'f' AND con.conparentid = 0";

/// The keys `table` holds.
pub async fn outgoing(conn: &mut PgConnection, table: Oid) -> Result<Vec<ForeignKey>, sqlx::Error> {
    query(conn, &format!("{SELECT} AND con.conrelid = $1 ORDER BY con.conname"), Some(table)).await
}

/// The keys that reference `table`.
pub async fn incoming(conn: &mut PgConnection, table: Oid) -> Result<Vec<ForeignKey>, sqlx::Error> {
    query(conn, &format!("{SELECT} AND con.confrelid = $1 ORDER BY fn.nspname, fc.relname, con.conname"), Some(table))
        .await
}

/// Every key between user schemas (for the diagram).
pub async fn all(conn: &mut PgConnection) -> Result<Vec<ForeignKey>, sqlx::Error> {
    let sql = format!(
        "{SELECT} AND fn.nspname <> 'information_schema' AND fn.nspname NOT LIKE 'pg\\_%'
         ORDER BY fn.nspname, fc.relname, con.conname"
    );
    query(conn, &sql, None).await
}

async fn query(conn: &mut PgConnection, sql: &str, table: Option<Oid>) -> Result<Vec<ForeignKey>, sqlx::Error> {
    let mut q = sqlx::query(sql);
    if let Some(oid) = table {
        q = q.bind(oid);
    }
    let rows = q.fetch_all(conn).await?;
    Ok(rows
        .iter()
        .map(|row| ForeignKey {
            constraint: row.get("constraint_name"),
            from: QualifiedName::new(row.get::<String, _>("from_schema"), row.get::<String, _>("from_table")),
            from_columns: row.get("from_columns"),
            to: QualifiedName::new(row.get::<String, _>("to_schema"), row.get::<String, _>("to_table")),
            to_columns: row.get("to_columns"),
            definition: row.get("definition"),
            from_readable: row.get::<Option<bool>, _>("from_readable").unwrap_or(false),
        })
        .collect())
}
