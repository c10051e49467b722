//! The body of `PATCH /api/items/{id}`: any subset of the item's fields.

use uuid::Uuid;

use super::input::{FromInput, Input, Patch, boolean, integer, text, uuid};
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

impl FromInput for ItemChanges {
    fn from_input(input: &mut Input) -> Option<ItemChanges> {
        let name = input.patch_required("name", |v| text(v).and_then(ItemName::parse));
        let description = input.patch("description", |v| text(v).and_then(ItemDescription::parse));
        let price_cents = input.patch("priceCents", |v| integer(v).and_then(PriceCents::parse));
        let category_id = input.patch("categoryId", uuid);
        let location_id = input.patch("locationId", uuid);
        let is_active = input.patch_required("isActive", boolean);
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
