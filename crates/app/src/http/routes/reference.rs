//! `/api/categories` and `/api/locations`: the reference data in `master`.

use axum::Json;
use axum::extract::State;

use crate::db;
use crate::http::dto::{CategoryList, LocationList};
use crate::http::error::{ApiError, ServerErrors};
use crate::http::state::AppState;

/// Every category, as a flat list in tree order.
#[utoipa::path(
    get, path = "/api/categories", tag = "reference",
    responses(
        (status = 200, description = "All categories", body = CategoryList),
        ServerErrors,
    )
)]
pub async fn categories(State(state): State<AppState>) -> Result<Json<CategoryList>, ApiError> {
    Ok(Json(CategoryList { categories: db::categories::list(&state.pool).await? }))
}

/// Every location, as a flat list in tree order.
#[utoipa::path(
    get, path = "/api/locations", tag = "reference",
    responses(
        (status = 200, description = "All locations", body = LocationList),
        ServerErrors,
    )
)]
pub async fn locations(State(state): State<AppState>) -> Result<Json<LocationList>, ApiError> {
    Ok(Json(LocationList { locations: db::locations::list(&state.pool).await? }))
}
