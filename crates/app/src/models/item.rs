//! `app.items`: the application's listings.

use chrono::{DateTime, Utc};
use sqlx::Row as _;
use sqlx::postgres::PgRow;
use uuid::Uuid;

use super::{Table as _, table};

table! {
    /// A row of `app.items`.
    #[derive(Debug, Clone, sqlx::FromRow)]
    pub struct Item in "app"."items" {
        /// Primary key.
        pub id: Uuid,
        /// The owner (`auth.user`); the item is deleted with them.
        pub user_id: Uuid,
        /// A category from `master.categories`.
        pub category_id: Option<Uuid>,
        /// A place from `master.locations`.
        pub location_id: Option<Uuid>,
        /// 1 to 255 characters.
        pub name: String,
        /// Up to 5000 characters.
        pub description: Option<String>,
        /// Price in cents.
        pub price_cents: Option<i64>,
        /// Listed or not.
        pub is_active: bool,
        /// When the item was created (never changes).
        pub created_at: DateTime<Utc>,
        /// When the item last changed (kept by a trigger).
        pub updated_at: DateTime<Utc>,
    }
}

/// An item joined across schemas with its owner's public fields (`auth.user`).
///
/// Read by position: the item's columns in [`Item`]'s order, then the owner's name, as
/// `db::items`'s select list writes them (a test there keeps the two in step).
#[derive(Debug, Clone)]
pub struct ItemWithOwner {
    /// The item.
    pub item: Item,
    /// `auth.user.display_name` of `item.user_id`.
    pub owner_display_name: String,
}

impl<'r> sqlx::FromRow<'r, PgRow> for ItemWithOwner {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        let item = Item::from_row_at(row, 0)?;
        Ok(ItemWithOwner { item, owner_display_name: row.try_get(Item::INFO.columns.len())? })
    }
}
