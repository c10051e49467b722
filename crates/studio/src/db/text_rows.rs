//! Rows in PostgreSQL's text format. Statements sent with the simple query
//! protocol (here only the studio's own `FETCH`, or a statement already proven to
//! be a single one) return every value as its type's text output, so the studio
//! shows any type, including ones it has never heard of, exactly as `psql` would.

use sqlx::Row;
use sqlx::postgres::PgRow;

/// Every value of `row` as text (`None` for NULL).
pub fn values(row: &PgRow) -> Vec<Option<String>> {
    (0..row.len()).map(|i| row.try_get_unchecked::<Option<String>, _>(i).ok().flatten()).collect()
}

/// How a column's text becomes JSON in exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonKind {
    Number,
    Bool,
    /// `json`/`jsonb`: the text is JSON already.
    Json,
    String,
}

impl JsonKind {
    /// By type name (`int4`, `INT4`, `jsonb`...).
    pub fn from_type_name(name: &str) -> JsonKind {
        match name.to_ascii_lowercase().as_str() {
            "int2" | "int4" | "int8" | "float4" | "float8" | "numeric" | "oid" | "smallint" | "integer" | "bigint"
            | "real" | "double precision" => JsonKind::Number,
            "bool" | "boolean" => JsonKind::Bool,
            "json" | "jsonb" => JsonKind::Json,
            _ => JsonKind::String,
        }
    }
}
