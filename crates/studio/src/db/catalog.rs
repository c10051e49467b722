//! The tree of every schema with its tables and views and their estimated row
//! counts, read from the catalog in one query (never `count(*)`).

use sqlx::{PgConnection, Row};

use crate::db::relkind::{ESTIMATE_SQL, RelKind};

/// One schema of the tree.
#[derive(Debug, Clone)]
pub struct SchemaNode {
    pub name: String,
    pub relations: Vec<RelationNode>,
}

/// One table or view of a schema.
#[derive(Debug, Clone)]
pub struct RelationNode {
    pub name: String,
    pub kind: RelKind,
    pub estimate: Option<i64>,
    /// The current role may read at least one of its columns.
    pub readable: bool,
}

/// Every user schema (system schemas left out), with its relations; partitions
/// are counted in their parent rather than listed.
pub async fn tree(conn: &mut PgConnection) -> Result<Vec<SchemaNode>, sqlx::Error> {
    let sql = format!(
        "SELECT n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind, {ESTIMATE_SQL} AS estimate,
                coalesce(pg_catalog.has_any_column_privilege(c.oid, 'SELECT'), false) AS readable
         FROM pg_catalog.pg_namespace n
         LEFT JOIN pg_catalog.pg_class c
           ON c.relnamespace = n.oid AND c.relkind IN {} AND NOT c.relispartition
         WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
         ORDER BY n.nspname, c.relname",
        RelKind::SQL_LIST
    );
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    let mut schemas: Vec<SchemaNode> = Vec::new();
    for row in rows {
        let schema: String = row.get("schema");
        if schemas.last().is_none_or(|s| s.name != schema) {
            schemas.push(SchemaNode { name: schema, relations: Vec::new() });
        }
        let (Some(name), Some(kind)) = (row.get::<Option<String>, _>("name"), row.get::<Option<String>, _>("kind"))
        else {
            continue;
        };
        if let (Some(kind), Some(node)) = (RelKind::from_relkind(&kind), schemas.last_mut()) {
            node.relations.push(RelationNode {
                name,
                kind,
                estimate: row.get("estimate"),
                readable: row.get("readable"),
            });
        }
    }
    Ok(schemas)
}
