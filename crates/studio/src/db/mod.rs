//! Everything that talks to PostgreSQL: the catalog (schemas, relations, keys,
//! structure, DDL), rows (pages, one row, edits), the console and cursors. Every
//! statement runs in a transaction from [`transaction`], identifiers are quoted by
//! [`strata_migrate::quote`] and values bound through [`sql`]; failures are [`error::DbError`].

pub mod browse;
pub mod catalog;
pub mod console;
pub mod cursor;
pub mod ddl;
pub mod edit;
pub mod error;
pub mod failure;
pub mod filter;
pub mod foreign_keys;
pub mod ident;
pub mod keyset;
pub mod login;
pub mod relation;
pub mod relkind;
pub mod row;
pub mod sql;
pub mod sql_text;
pub mod structure;
pub mod text_rows;
pub mod transaction;
