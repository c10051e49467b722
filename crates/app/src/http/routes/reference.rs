//! `/api/categories` and `/api/locations`: the reference data in `master`. Read from a
//! replica when one is in use (reference data tolerates lag; see http::replicas).

use axum::Json;

use crate::db;
use crate::http::dto::{CategoryList, LocationList};
use crate::http::error::{ApiError, ServerErrors};
use crate::http::replicas::TolerantRead;

/// Every category, as a flat list in tree order.
#[utoipa::path(
    get, path = "/api/categories", tag = "reference",
    responses(
        (status = 200, description = "All categories", body = CategoryList),
        ServerErrors,
    )
)]
pub async fn categories(reads: TolerantRead) -> Result<Json<CategoryList>, ApiError> {
    let categories = reads.run(|pool| async move { db::categories::list(&pool).await }).await?;
    Ok(Json(CategoryList { categories }))
}

/// Every location, as a flat list in tree order.
#[utoipa::path(
    get, path = "/api/locations", tag = "reference",
    responses(
        (status = 200, description = "All locations", body = LocationList),
        ServerErrors,
    )
)]
pub async fn locations(reads: TolerantRead) -> Result<Json<LocationList>, ApiError> {
    let locations = reads.run(|pool| async move { db::locations::list(&pool).await }).await?;
    Ok(Json(LocationList { locations }))
}
