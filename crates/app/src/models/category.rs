//! `master.categories`: the category tree.

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::table;

table! {
    /// A row of `master.categories`, also its JSON form in `GET /api/categories`.
    #[derive(Debug, Clone, sqlx::FromRow, Serialize, ToSchema)]
    #[serde(rename_all = "camelCase")]
    pub struct Category in "master"."categories" {
        /// Primary key.
        pub id: Uuid,
        /// The parent category; none for a top-level one.
        pub parent_id: Option<Uuid>,
        /// Unique, URL-safe name (`road-bikes`).
        pub slug: String,
        /// Display name.
        pub name: String,
        /// Order among siblings, ascending.
        pub sort_order: i32,
    }
}
