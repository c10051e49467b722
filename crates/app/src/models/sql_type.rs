//! Which PostgreSQL column type a Rust field type reads.

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// The column type (as `information_schema.columns.data_type` names it) and
/// nullability that a field of this Rust type decodes.
pub trait SqlType {
    /// The SQL type.
    const SQL_TYPE: &'static str;
    /// Whether NULL decodes (only `Option`).
    const NULLABLE: bool = false;
}

impl SqlType for Uuid {
    const SQL_TYPE: &'static str = "uuid";
}

impl SqlType for String {
    const SQL_TYPE: &'static str = "text";
}

impl SqlType for i32 {
    const SQL_TYPE: &'static str = "integer";
}

impl SqlType for i64 {
    const SQL_TYPE: &'static str = "bigint";
}

impl SqlType for bool {
    const SQL_TYPE: &'static str = "boolean";
}

impl SqlType for Vec<u8> {
    const SQL_TYPE: &'static str = "bytea";
}

impl SqlType for DateTime<Utc> {
    const SQL_TYPE: &'static str = "timestamp with time zone";
}

impl<T: SqlType> SqlType for Option<T> {
    const SQL_TYPE: &'static str = T::SQL_TYPE;
    const NULLABLE: bool = true;
}
