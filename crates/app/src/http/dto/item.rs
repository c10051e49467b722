//! Items as the API shows them, and the bodies that create and change them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::models::ItemWithOwner;

/// An item's owner: the public fields of `auth.user`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Owner {
    /// The owner's user id.
    pub id: Uuid,
    /// The owner's display name.
    pub display_name: String,
}

/// An item with its owner.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemResponse {
    /// The item's id.
    pub id: Uuid,
    /// 1 to 255 characters.
    pub name: String,
    /// Up to 5000 characters.
    pub description: Option<String>,
    /// Price in cents.
    pub price_cents: Option<i64>,
    /// A category from `GET /api/categories`.
    pub category_id: Option<Uuid>,
    /// A location from `GET /api/locations`.
    pub location_id: Option<Uuid>,
    /// Listed or not.
    pub is_active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Who owns it.
    pub owner: Owner,
}

impl From<ItemWithOwner> for ItemResponse {
    fn from(row: ItemWithOwner) -> ItemResponse {
        let item = row.item;
        ItemResponse {
            id: item.id,
            name: item.name,
            description: item.description,
            price_cents: item.price_cents,
            category_id: item.category_id,
            location_id: item.location_id,
            is_active: item.is_active,
            created_at: item.created_at,
            updated_at: item.updated_at,
            owner: Owner { id: item.user_id, display_name: row.owner_display_name },
        }
    }
}

/// A page of items, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ItemPage {
    /// At most `limit` items.
    pub items: Vec<ItemResponse>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

// Read by `crate::domain::NewItem`; the test `request_schemas_agree_with_the_parsers` keeps both in step.
/// The body of `POST /api/items`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateItemRequest {
    /// Trimmed; 1 to 255 characters.
    #[schema(min_length = 1, max_length = 255, example = "Road bike")]
    pub name: String,
    /// Up to 5000 characters, stored as given.
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// 0 to 2^53 - 1.
    #[schema(minimum = 0, maximum = 9_007_199_254_740_991_i64, example = 25000)]
    pub price_cents: Option<i64>,
    /// An existing category.
    pub category_id: Option<Uuid>,
    /// An existing location.
    pub location_id: Option<Uuid>,
    /// Default true.
    #[schema(nullable = false)]
    pub is_active: Option<bool>,
}

// Read by `crate::domain::ItemChanges`; the test `request_schemas_agree_with_the_parsers` keeps both in step.
/// The body of `PATCH /api/items/{id}`: any
/// subset; `null` clears a nullable field.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateItemRequest {
    /// Trimmed; 1 to 255 characters; not null.
    #[schema(min_length = 1, max_length = 255, nullable = false)]
    pub name: Option<String>,
    /// Up to 5000 characters.
    #[schema(max_length = 5000)]
    pub description: Option<String>,
    /// 0 to 2^53 - 1.
    #[schema(minimum = 0, maximum = 9_007_199_254_740_991_i64)]
    pub price_cents: Option<i64>,
    /// An existing category.
    pub category_id: Option<Uuid>,
    /// An existing location.
    pub location_id: Option<Uuid>,
    /// Listed or not; not null.
    #[schema(nullable = false)]
    pub is_active: Option<bool>,
}
