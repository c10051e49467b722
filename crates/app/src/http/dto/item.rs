//! Items as the API shows them, and the bodies that create and change them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::input::{boolean, field, integer, text, uuid};
use crate::domain::{Field, FromBody, Input, ItemChanges, ItemDescription, ItemName, NewItem, PriceCents};
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
    #[serde(serialize_with = "super::timestamp::serialize")]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[serde(serialize_with = "super::timestamp::serialize")]
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

// Checked into `NewItem` by its `FromBody` below.
/// The body of `POST /api/items`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateItemRequest {
    /// Trimmed; 1 to 255 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 255, example = "Road bike")]
    pub name: Field,
    /// Up to 5000 characters, stored as given.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Field,
    /// 0 to 2^53 - 1.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 9_007_199_254_740_991_i64, example = 25000)]
    pub price_cents: Field,
    /// An existing category.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub category_id: Field,
    /// An existing location.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub location_id: Field,
    /// Default true.
    #[serde(default)]
    #[schema(value_type = Option<bool>, nullable = false)]
    pub is_active: Field,
}

impl FromBody for NewItem {
    type Body = CreateItemRequest;

    fn check(body: CreateItemRequest, input: &mut Input) -> Option<NewItem> {
        let name = input.required(field!(body.name), |v| text(v).and_then(ItemName::parse));
        let description = input.optional(field!(body.description), |v| text(v).and_then(ItemDescription::parse));
        let price_cents = input.optional(field!(body.price_cents), |v| integer(v).and_then(PriceCents::parse));
        let category_id = input.optional(field!(body.category_id), uuid);
        let location_id = input.optional(field!(body.location_id), uuid);
        let is_active = input.optional(field!(body.is_active), boolean);
        Some(NewItem {
            name: name?,
            description: description?,
            price_cents: price_cents?,
            category_id: category_id?,
            location_id: location_id?,
            is_active: is_active?.unwrap_or(true),
        })
    }
}

// Checked into `ItemChanges` by its `FromBody` below.
/// The body of `PATCH /api/items/{id}`: any
/// subset; `null` clears a nullable field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateItemRequest {
    /// Trimmed; 1 to 255 characters; not null.
    #[serde(default)]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 255, nullable = false)]
    pub name: Field,
    /// Up to 5000 characters.
    #[serde(default)]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub description: Field,
    /// 0 to 2^53 - 1.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 9_007_199_254_740_991_i64)]
    pub price_cents: Field,
    /// An existing category.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub category_id: Field,
    /// An existing location.
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub location_id: Field,
    /// Listed or not; not null.
    #[serde(default)]
    #[schema(value_type = Option<bool>, nullable = false)]
    pub is_active: Field,
}

impl FromBody for ItemChanges {
    type Body = UpdateItemRequest;

    fn check(body: UpdateItemRequest, input: &mut Input) -> Option<ItemChanges> {
        let name = input.patch_required(field!(body.name), |v| text(v).and_then(ItemName::parse));
        let description = input.patch(field!(body.description), |v| text(v).and_then(ItemDescription::parse));
        let price_cents = input.patch(field!(body.price_cents), |v| integer(v).and_then(PriceCents::parse));
        let category_id = input.patch(field!(body.category_id), uuid);
        let location_id = input.patch(field!(body.location_id), uuid);
        let is_active = input.patch_required(field!(body.is_active), boolean);
        Some(ItemChanges {
            name: name?,
            description: description?,
            price_cents: price_cents?,
            category_id: category_id?,
            location_id: location_id?,
            is_active: is_active?,
        })
    }
}
