//! The logged-in user, from the session cookie.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use crate::auth::cookie::find_session_token;
use crate::auth::session_token::SessionToken;
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
        let SessionCookie(token) = SessionCookie::from_request_parts(parts, state).await?;
        db::sessions::find_user(&state.pool, &token.hash()).await?.map(CurrentUser).ok_or(ApiError::Unauthenticated)
    }
}

/// The session token of the request's cookie, not yet checked against the database:
/// 401 without one. A handler that takes it checks it in the statement that does its
/// work ([`CurrentUser`] checks it first).
pub struct SessionCookie(pub SessionToken);

impl FromRequestParts<AppState> for SessionCookie {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        find_session_token(&parts.headers).map(SessionCookie).ok_or(ApiError::Unauthenticated)
    }
}
