//! The reference data lists.

use serde::Serialize;
use utoipa::ToSchema;

use crate::models::{Category, Location};

/// `GET /api/categories`.
#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryList {
    /// Depth first: each parent before its children, siblings in `sortOrder`.
    pub categories: Vec<Category>,
}

/// `GET /api/locations`.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocationList {
    /// Depth first: each country, its regions, each region's cities; siblings by name.
    pub locations: Vec<Location>,
}
