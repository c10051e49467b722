//! The body of `POST /api/items`.

use uuid::Uuid;

use super::item_description::ItemDescription;
use super::item_name::ItemName;
use super::price_cents::PriceCents;

/// A new item: `name` is required, everything else optional.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// The item's name.
    pub name: ItemName,
    /// Free text.
    pub description: Option<ItemDescription>,
    /// The price in cents.
    pub price_cents: Option<PriceCents>,
    /// A category from `master.categories` (checked by the foreign key).
    pub category_id: Option<Uuid>,
    /// A location from `master.locations` (checked by the foreign key).
    pub location_id: Option<Uuid>,
    /// Listed or not; listed when not given.
    pub is_active: bool,
}
