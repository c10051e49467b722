//! The body of `POST /api/items`.

use uuid::Uuid;

use super::input::{FromInput, Input, boolean, integer, text, uuid};
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

impl FromInput for NewItem {
    fn from_input(input: &mut Input) -> Option<NewItem> {
        let name = input.required("name", |v| text(v).and_then(ItemName::parse));
        let description = input.optional("description", |v| text(v).and_then(ItemDescription::parse));
        let price_cents = input.optional("priceCents", |v| integer(v).and_then(PriceCents::parse));
        let category_id = input.optional("categoryId", uuid);
        let location_id = input.optional("locationId", uuid);
        let is_active = input.optional("isActive", boolean);
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
