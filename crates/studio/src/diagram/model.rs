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

impl Model {
    /// The schemas named in `names` (in the model's order) and the keys between
    /// their tables.
    pub fn only_schemas(mut self, names: &[String]) -> Model {
        self.schemas.retain(|s| names.contains(&s.name));
        self.keep_keys(|_| true)
    }

    /// `table`, the tables it references and the tables that reference it, with
    /// the keys between `table` and them; `None` when the model has no such table.
    pub fn neighbourhood(mut self, table: &QualifiedName) -> Option<Model> {
        self.schemas.iter().flat_map(|s| &s.tables).find(|t| &t.name == table)?;
        let near: Vec<QualifiedName> = self
            .keys
            .iter()
            .filter_map(|k| {
                if &k.from == table {
                    Some(k.to.clone())
                } else if &k.to == table {
                    Some(k.from.clone())
                } else {
                    None
                }
            })
            .chain(std::iter::once(table.clone()))
            .collect();
        for s in &mut self.schemas {
            s.tables.retain(|t| near.contains(&t.name));
        }
        self.schemas.retain(|s| !s.tables.is_empty());
        Some(self.keep_keys(|k| &k.from == table || &k.to == table))
    }

    /// Every table, in schema then name order.
    pub fn tables(&self) -> impl Iterator<Item = &TableBox> {
        self.schemas.iter().flat_map(|s| &s.tables)
    }

    /// Keeps the keys that `keep` accepts and whose both tables are still drawn.
    fn keep_keys(mut self, keep: impl Fn(&ForeignKey) -> bool) -> Model {
        let drawn: std::collections::BTreeSet<QualifiedName> = self.tables().map(|t| t.name.clone()).collect();
        self.keys.retain(|k| keep(k) && drawn.contains(&k.from) && drawn.contains(&k.to));
        self
    }
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
