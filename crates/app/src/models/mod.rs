//! One Rust type per table, each declaring the columns it expects.
//!
//! A row type is declared with [`table!`]: the macro writes the struct and its
//! [`Table::INFO`] from the same field list, and each field's Rust type says the column's
//! SQL type and nullability through [`SqlType`]. [`schema_check`] compares that with
//! the migrated database, so a model and a migration cannot drift apart unnoticed.

pub mod category;
pub mod item;
pub mod location;
pub mod phone_verification;
pub mod schema_check;
pub mod session;
pub mod sql_type;
pub mod user;

pub use category::Category;
pub use item::{Item, ItemWithOwner};
pub use location::{Location, LocationKind};
pub use phone_verification::PhoneVerification;
pub use schema_check::{SchemaMismatch, check_schema};
pub use session::Session;
pub use sql_type::SqlType;
pub use user::User;

/// A column as a model declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The column's name.
    pub name: &'static str,
    /// Its type as `information_schema.columns.data_type` spells it.
    pub sql_type: &'static str,
    /// Whether it accepts NULL.
    pub nullable: bool,
}

/// A table as a model declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableInfo {
    /// The schema (`auth`, `master`, `app`).
    pub schema: &'static str,
    /// The table's name, unquoted.
    pub name: &'static str,
    /// Every column, in declaration order.
    pub columns: &'static [Column],
}

/// A row type of one table.
pub trait Table {
    /// The table this type is a row of.
    const INFO: TableInfo;
}

/// Every table the application owns, for [`check_schema`].
pub const TABLES: &[TableInfo] =
    &[User::INFO, Session::INFO, PhoneVerification::INFO, Category::INFO, Location::INFO, Item::INFO];

/// Declares a row struct and its [`Table`] implementation from one field list; the
/// field names are the column names.
macro_rules! table {
    (
        $(#[$meta:meta])*
        pub struct $name:ident in $schema:literal . $table:literal {
            $( $(#[$field_meta:meta])* pub $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        pub struct $name {
            $( $(#[$field_meta])* pub $field: $ty ),*
        }

        impl $crate::models::Table for $name {
            const INFO: $crate::models::TableInfo = $crate::models::TableInfo {
                schema: $schema,
                name: $table,
                columns: &[$(
                    $crate::models::Column {
                        name: stringify!($field),
                        sql_type: <$ty as $crate::models::SqlType>::SQL_TYPE,
                        nullable: <$ty as $crate::models::SqlType>::NULLABLE,
                    }
                ),*],
            };
        }

        impl $name {
            /// The row's columns from index `first` on, in declaration order (the order of
            /// [`Table::INFO`]), read by position: no lookup of each column's name, which
            /// hashes the name (a page of items is 231 lookups).
            #[allow(unused_assignments)]
            pub fn from_row_at(row: &sqlx::postgres::PgRow, first: usize) -> Result<Self, sqlx::Error> {
                use sqlx::Row as _;
                let mut index = first;
                Ok($name { $( $field: { let value = row.try_get(index)?; index += 1; value } ),* })
            }
        }
    };
}
pub(crate) use table;
