//! The body of `PATCH /api/items/{id}`: any subset of the item's fields.

use uuid::Uuid;

use super::input::Patch;
use super::item_description::ItemDescription;
use super::item_name::ItemName;
use super::price_cents::PriceCents;

/// What to change. Absent keys keep the stored value; `null` clears a nullable one.
#[derive(Debug, Clone, Default)]
pub struct ItemChanges {
    /// A new name (not nullable).
    pub name: Option<ItemName>,
    /// A new description, or none.
    pub description: Patch<ItemDescription>,
    /// A new price, or none.
    pub price_cents: Patch<PriceCents>,
    /// Another category, or none.
    pub category_id: Patch<Uuid>,
    /// Another location, or none.
    pub location_id: Patch<Uuid>,
    /// Listed or not (not nullable).
    pub is_active: Option<bool>,
}

impl ItemChanges {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.description.is_keep()
            && self.price_cents.is_keep()
            && self.category_id.is_keep()
            && self.location_id.is_keep()
            && self.is_active.is_none()
    }
}
