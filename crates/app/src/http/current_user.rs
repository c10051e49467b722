//! The logged-in user, from the session cookie.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use crate::auth::cookie::find_session_token;
use crate::db;
use crate::models::User;

/// The user of the request's unexpired session; 401 without one.
#[derive(Debug, Clone)]
pub struct CurrentUser(pub User);

/// What [`CurrentUser`] answers without a live session, for the OpenAPI document.
#[derive(utoipa::IntoResponses)]
#[response(status = 401, description = "No valid session (`unauthenticated`): log in first")]
pub struct SessionRequired(pub ErrorBody);

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = find_session_token(&parts.headers).ok_or(ApiError::Unauthenticated)?;
        db::sessions::find_user(&state.pool, &token.hash()).await?.map(CurrentUser).ok_or(ApiError::Unauthenticated)
    }
}
