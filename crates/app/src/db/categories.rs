//! Queries on `master.categories`.

use std::sync::LazyLock;

use super::Db;
use super::tree;
use crate::models::{Category, Table as _};

/// Every category, depth first: each parent before its children, siblings by
/// `sort_order` then name.
pub async fn list(pool: &Db) -> Result<Vec<Category>, sqlx::Error> {
    static SQL: LazyLock<String> = LazyLock::new(|| tree::depth_first_sql(&Category::INFO, &["sort_order", "name"]));
    sqlx::query_as(&SQL).fetch_all(pool).await
}
