//! `/api/items`: list (public), read (public), create, change and delete (owner only).

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::IntoResponse;
use uuid::Uuid;

use crate::db;
use crate::db::items::OwnerWrite;
use crate::domain::{Cursor, Issues, ItemChanges, ItemQuery, NewItem, Patch};
use crate::http::current_user::{CurrentUser, SessionCookie, SessionRequired};
use crate::http::db_error::constraint_issue;
use crate::http::dto::{CreateItemRequest, ItemPage, ItemResponse, UpdateItemRequest};
use crate::http::error::{ApiError, ErrorBody, ServerErrors};
use crate::http::item_id::ItemId;
use crate::http::json::{JsonBodyErrors, ValidJson};
use crate::http::replicas::TolerantRead;
use crate::http::state::AppState;

/// Items newest first, each with its owner, one page at a time (keyset pagination:
/// pages stay stable while items are added).
#[utoipa::path(
    get, path = "/api/items", tag = "items",
    params(
        ("active" = Option<bool>, Query, description = "Only listed (true) or unlisted (false) items"),
        ("category" = Option<Uuid>, Query, description = "Items in this category or its subcategories"),
        ("location" = Option<Uuid>, Query, description = "Items at this place or inside it"),
        ("owner" = Option<Uuid>, Query, description = "Items of this user"),
        ("q" = Option<String>, Query, description = "Text in the name or description, case-insensitive (max 200 characters)"),
        ("limit" = Option<u32>, Query, minimum = 1, description = "Page size: 1 to the configured maximum (default 20, max 100)"),
        ("cursor" = Option<String>, Query, description = "`nextCursor` of the previous page"),
    ),
    responses(
        (status = 200, description = "One page", body = ItemPage),
        (status = 422, description = "A bad or unknown parameter", body = ErrorBody),
        ServerErrors,
    )
)]
pub async fn list(
    State(state): State<AppState>,
    reads: TolerantRead,
    RawQuery(raw): RawQuery,
) -> Result<Json<ItemPage>, ApiError> {
    let query = ItemQuery::parse(raw.as_deref().unwrap_or(""), state.page_limits).map_err(ApiError::Validation)?;
    // On a replica when one is in use and has the reader's own writes (http::replicas).
    let query = &query;
    let mut rows = reads.run(|pool| async move { db::items::list(&pool, query).await }).await?;
    let limit = query.limit as usize;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|row| Cursor { created_at: row.item.created_at, id: row.item.id }.encode())
    } else {
        None
    };
    Ok(Json(ItemPage { items: rows.into_iter().map(ItemResponse::from).collect(), next_cursor }))
}

/// Creates an item owned by the logged-in user.
#[utoipa::path(
    post, path = "/api/items", tag = "items",
    request_body = CreateItemRequest,
    responses(
        (status = 201, description = "Created", body = ItemResponse,
            headers(("location" = String, description = "/api/items/{id}"))),
        (status = 422, description = "Invalid or unknown fields; a category or location that does not exist", body = ErrorBody),
        SessionRequired,
        JsonBodyErrors,
        ServerErrors,
    ),
    security(("session_cookie" = []))
)]
pub async fn create(
    State(state): State<AppState>,
    SessionCookie(token): SessionCookie,
    body: Result<ValidJson<NewItem>, ApiError>,
) -> Result<impl IntoResponse, ApiError> {
    let token_hash = token.hash();
    let item = match body {
        Ok(ValidJson(item)) => item,
        // As when the session is checked first: without a live session the answer is
        // 401 whatever the body; with one, the body's error.
        Err(body_error) => {
            return Err(match db::sessions::find_user(&state.pool, &token_hash).await? {
                Some(_) => body_error,
                None => ApiError::Unauthenticated,
            });
        }
    };
    // The session lookup, the insert and the owner's name: one statement, one round trip.
    let created = match db::items::insert_for_session(&state.pool, &token_hash, &item).await {
        Ok(Some(created)) => ItemResponse::from(created),
        Ok(None) => return Err(ApiError::Unauthenticated),
        Err(err) => return Err(write_error(&state, err, item.category_id, item.location_id).await),
    };
    let location = HeaderValue::try_from(format!("/api/items/{}", created.id)).map_err(ApiError::internal)?;
    Ok((StatusCode::CREATED, [(LOCATION, location)], Json(created)))
}

/// One item with its owner.
#[utoipa::path(
    get, path = "/api/items/{id}", tag = "items",
    params(ItemId),
    responses(
        (status = 200, description = "The item", body = ItemResponse),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "The id is not a UUID", body = ErrorBody),
        ServerErrors,
    )
)]
pub async fn get(reads: TolerantRead, ItemId(id): ItemId) -> Result<Json<ItemResponse>, ApiError> {
    let item =
        reads.run(|pool| async move { db::items::get(&pool, id).await }).await?.ok_or(ApiError::NotFound("item"))?;
    Ok(Json(ItemResponse::from(item)))
}

/// Changes any subset of an item's fields. Owner only.
#[utoipa::path(
    patch, path = "/api/items/{id}", tag = "items",
    params(ItemId),
    request_body = UpdateItemRequest,
    responses(
        (status = 200, description = "The changed item", body = ItemResponse),
        (status = 403, description = "Someone else's item", body = ErrorBody),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "Bad id; invalid or unknown fields; a missing category or location", body = ErrorBody),
        SessionRequired,
        JsonBodyErrors,
        ServerErrors,
    ),
    security(("session_cookie" = []))
)]
pub async fn update(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ItemId(id): ItemId,
    ValidJson(changes): ValidJson<ItemChanges>,
) -> Result<Json<ItemResponse>, ApiError> {
    let updated = match db::items::update(&state.pool, id, user.id, &changes).await {
        Ok(updated) => updated,
        Err(err) => return Err(write_error(&state, err, set(&changes.category_id), set(&changes.location_id)).await),
    };
    owner_only(updated).map(|item| Json(ItemResponse::from(item)))
}

/// Deletes an item. Owner only.
#[utoipa::path(
    delete, path = "/api/items/{id}", tag = "items",
    params(ItemId),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Someone else's item", body = ErrorBody),
        (status = 404, description = "No such item", body = ErrorBody),
        (status = 422, description = "The id is not a UUID", body = ErrorBody),
        SessionRequired,
        ServerErrors,
    ),
    security(("session_cookie" = []))
)]
pub async fn delete(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ItemId(id): ItemId,
) -> Result<StatusCode, ApiError> {
    owner_only(db::items::delete(&state.pool, id, user.id).await?)?;
    Ok(StatusCode::NO_CONTENT)
}

/// The answer to a write only the item's owner may make: 404 without the item, 403
/// for anyone else.
fn owner_only<T>(write: OwnerWrite<T>) -> Result<T, ApiError> {
    match write {
        OwnerWrite::Done(value) => Ok(value),
        OwnerWrite::NotFound => Err(ApiError::NotFound("item")),
        OwnerWrite::NotOwner => Err(ApiError::NotOwner),
    }
}

/// The error of a failed insert or update. A violated foreign key names only the first
/// missing reference; the client gets an issue for each one (`categoryId` and
/// `locationId`).
async fn write_error(state: &AppState, err: sqlx::Error, category: Option<Uuid>, location: Option<Uuid>) -> ApiError {
    let foreign_key = matches!(&err, sqlx::Error::Database(db) if db.code().as_deref() == Some("23503"));
    if foreign_key {
        match db::items::missing_references(&state.pool, category, location).await {
            Ok(missing) if !missing.is_empty() => {
                let mut issues = Issues::new();
                for issue in missing.into_iter().filter_map(constraint_issue) {
                    issues.push(issue);
                }
                return ApiError::Validation(issues);
            }
            // Created since, or another foreign key: as PostgreSQL said.
            Ok(_) => {}
            Err(lookup) => return lookup.into(),
        }
    }
    err.into()
}

/// The value a patch sets, if any.
fn set(patch: &Patch<Uuid>) -> Option<Uuid> {
    match patch {
        Patch::Set(value) => Some(*value),
        Patch::Keep | Patch::Clear => None,
    }
}
