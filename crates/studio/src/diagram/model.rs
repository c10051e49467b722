//! What the entity-relationship diagram draws: every table of every user schema
//! with its columns, and every foreign key.

use sqlx::{PgConnection, Row};

use crate::db::foreign_keys::{self, ForeignKey};
use crate::db::ident::QualifiedName;

/// The whole database.
#[derive(Debug, Clone, Default)]
pub struct Model {
    pub schemas: Vec<SchemaBox>,
    pub keys: Vec<ForeignKey>,
}

#[derive(Debug, Clone)]
pub struct SchemaBox {
    pub name: String,
    pub tables: Vec<TableBox>,
}

#[derive(Debug, Clone)]
pub struct TableBox {
    pub name: QualifiedName,
    pub columns: Vec<ColumnLine>,
}

#[derive(Debug, Clone)]
pub struct ColumnLine {
    pub name: String,
    pub type_name: String,
    pub primary: bool,
    pub not_null: bool,
}

/// Reads the model in two queries.
pub async fn load(conn: &mut PgConnection) -> Result<Model, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT n.nspname::text AS schema, c.relname::text AS table_name, a.attname::text AS column_name,
                pg_catalog.format_type(a.atttypid, a.atttypmod) AS type_name, a.attnotnull,
                coalesce(a.attnum = ANY(pk.conkey), false) AS primary_key
         FROM pg_catalog.pg_namespace n
         LEFT JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relkind IN ('r', 'p') AND NOT c.relispartition
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         LEFT JOIN pg_catalog.pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'
         WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
         ORDER BY n.nspname, c.relname, a.attnum",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut model = Model::default();
    for row in rows {
        let schema: String = row.get("schema");
        if model.schemas.last().is_none_or(|s| s.name != schema) {
            model.schemas.push(SchemaBox { name: schema.clone(), tables: Vec::new() });
        }
        let Some(group) = model.schemas.last_mut() else { continue };
        let Some(table) = row.get::<Option<String>, _>("table_name") else { continue };
        if group.tables.last().is_none_or(|t| t.name.name != table) {
            group.tables.push(TableBox { name: QualifiedName::new(schema, table), columns: Vec::new() });
        }
        if let (Some(t), Some(name)) = (group.tables.last_mut(), row.get::<Option<String>, _>("column_name")) {
            t.columns.push(ColumnLine {
                name,
                type_name: row.get("type_name"),
                primary: row.get("primary_key"),
                not_null: row.get("attnotnull"),
            });
        }
    }
    model.keys = foreign_keys::all(conn).await?;
    Ok(model)
}
