//! Answers for unknown paths and methods.

use crate::error::StudioError;

pub async fn not_found() -> StudioError {
    StudioError::NotFound("there is no such page".into())
}

pub async fn method_not_allowed() -> (axum::http::StatusCode, StudioError) {
    (axum::http::StatusCode::METHOD_NOT_ALLOWED, StudioError::BadRequest("that method is not used on this page".into()))
}
