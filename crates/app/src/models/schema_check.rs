//! Compares the models' declared columns with the database's catalog.

use std::fmt;

use sqlx::PgExecutor;

use super::{Column, TABLES, TableInfo};

/// One disagreement between a model and the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaMismatch {
    /// The model's table does not exist.
    MissingTable {
        /// `schema.table`
        table: String,
    },
    /// A table in an application schema that no model describes.
    UnmodelledTable {
        /// `schema.table`
        table: String,
    },
    /// The model has a column the table lacks.
    MissingColumn {
        /// `schema.table.column`
        column: String,
    },
    /// The table has a column the model lacks.
    UnmodelledColumn {
        /// `schema.table.column`
        column: String,
    },
    /// Both have the column, with another type or nullability.
    ColumnDiffers {
        /// `schema.table.column`
        column: String,
        /// What the model declares, e.g. `text NOT NULL`.
        model: String,
        /// What the database has.
        database: String,
    },
}

impl fmt::Display for SchemaMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SchemaMismatch::MissingTable { table } => write!(f, "{table}: the model's table does not exist"),
            SchemaMismatch::UnmodelledTable { table } => write!(f, "{table}: no model describes this table"),
            SchemaMismatch::MissingColumn { column } => write!(f, "{column}: in the model, not in the database"),
            SchemaMismatch::UnmodelledColumn { column } => write!(f, "{column}: in the database, not in the model"),
            SchemaMismatch::ColumnDiffers { column, model, database } => {
                write!(f, "{column}: the model says {model}, the database has {database}")
            }
        }
    }
}

#[derive(sqlx::FromRow)]
struct CatalogColumn {
    table_schema: String,
    table_name: String,
    column_name: String,
    data_type: String,
    nullable: bool,
}

/// Every disagreement between [`TABLES`] and the connected database, in the schemas
/// the models use. Empty when they agree.
pub async fn check_schema<'c>(executor: impl PgExecutor<'c>) -> Result<Vec<SchemaMismatch>, sqlx::Error> {
    let mut schemas: Vec<&str> = TABLES.iter().map(|t| t.schema).collect();
    schemas.sort_unstable();
    schemas.dedup();
    let catalog: Vec<CatalogColumn> = sqlx::query_as(
        "SELECT c.table_schema::text, c.table_name::text, c.column_name::text, c.data_type::text, \
                c.is_nullable = 'YES' AS nullable \
         FROM information_schema.columns AS c \
         JOIN information_schema.tables AS t USING (table_schema, table_name) \
         WHERE c.table_schema = ANY($1) AND t.table_type = 'BASE TABLE' \
         ORDER BY c.table_schema, c.table_name, c.ordinal_position",
    )
    .bind(&schemas)
    .fetch_all(executor)
    .await?;
    Ok(compare(TABLES, &catalog))
}

fn compare(tables: &[TableInfo], catalog: &[CatalogColumn]) -> Vec<SchemaMismatch> {
    let mut mismatches = Vec::new();
    for table in tables {
        let qualified = format!("{}.{}", table.schema, table.name);
        let actual: Vec<&CatalogColumn> =
            catalog.iter().filter(|c| c.table_schema == table.schema && c.table_name == table.name).collect();
        if actual.is_empty() {
            mismatches.push(SchemaMismatch::MissingTable { table: qualified });
            continue;
        }
        for declared in table.columns {
            let column = format!("{qualified}.{}", declared.name);
            match actual.iter().find(|c| c.column_name == declared.name) {
                None => mismatches.push(SchemaMismatch::MissingColumn { column }),
                Some(found) if found.data_type != declared.sql_type || found.nullable != declared.nullable => {
                    mismatches.push(SchemaMismatch::ColumnDiffers {
                        column,
                        model: describe(declared.sql_type, declared.nullable),
                        database: describe(&found.data_type, found.nullable),
                    });
                }
                Some(_) => {}
            }
        }
        for found in &actual {
            if !table.columns.iter().any(|c: &Column| c.name == found.column_name) {
                let column = format!("{qualified}.{}", found.column_name);
                mismatches.push(SchemaMismatch::UnmodelledColumn { column });
            }
        }
    }
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for c in catalog {
        let key = (c.table_schema.as_str(), c.table_name.as_str());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key);
        if !tables.iter().any(|t| t.schema == key.0 && t.name == key.1) {
            mismatches.push(SchemaMismatch::UnmodelledTable { table: format!("{}.{}", key.0, key.1) });
        }
    }
    mismatches
}

fn describe(sql_type: &str, nullable: bool) -> String {
    format!("{sql_type} {}", if nullable { "NULL" } else { "NOT NULL" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(table: &str, name: &str, data_type: &str, nullable: bool) -> CatalogColumn {
        CatalogColumn {
            table_schema: "app".into(),
            table_name: table.into(),
            column_name: name.into(),
            data_type: data_type.into(),
            nullable,
        }
    }

    const T: TableInfo = TableInfo {
        schema: "app",
        name: "t",
        columns: &[
            Column { name: "id", sql_type: "uuid", nullable: false },
            Column { name: "note", sql_type: "text", nullable: true },
        ],
    };

    #[test]
    fn agreeing_tables_have_no_mismatch() {
        let catalog = [col("t", "id", "uuid", false), col("t", "note", "text", true)];
        assert_eq!(compare(&[T], &catalog), vec![]);
    }

    #[test]
    fn names_each_disagreeing_column() {
        let catalog = [col("t", "id", "bigint", false), col("t", "extra", "text", true), col("u", "x", "text", true)];
        let found: Vec<String> = compare(&[T], &catalog).iter().map(ToString::to_string).collect();
        assert_eq!(
            found,
            vec![
                "app.t.id: the model says uuid NOT NULL, the database has bigint NOT NULL",
                "app.t.note: in the model, not in the database",
                "app.t.extra: in the database, not in the model",
                "app.u: no model describes this table",
            ]
        );
    }
}
