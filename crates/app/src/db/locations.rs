//! Queries on `master.locations`.

use std::sync::LazyLock;

use super::Db;
use super::tree;
use crate::models::{Location, Table as _};

/// Every location, depth first: each country, then its regions, each followed by its
/// cities; siblings by name.
pub async fn list(pool: &Db) -> Result<Vec<Location>, sqlx::Error> {
    static SQL: LazyLock<String> = LazyLock::new(|| tree::depth_first_sql(&Location::INFO, &["name"]));
    sqlx::query_as(&SQL).fetch_all(pool).await
}
