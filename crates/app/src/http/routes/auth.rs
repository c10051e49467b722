//! `/api/auth/*`: register, login, logout, logout-all, me.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;

use crate::auth::cookie::{clear_session_cookie, find_session_token, session_cookie};
use crate::auth::{PasswordHashError, Refusal, SessionToken};
use crate::db;
use crate::domain::{Login, Registration};
use crate::http::client_addr::ClientAddr;
use crate::http::current_user::{CurrentUser, SessionRequired};
use crate::http::dto::{LoginRequest, RegisterRequest, UserResponse};
use crate::http::error::{ApiError, ErrorBody, ServerErrors};
use crate::http::json::{JsonBodyErrors, ValidJson};
use crate::http::state::AppState;
use crate::models::User;

/// Creates an account and logs it in.
#[utoipa::path(
    post, path = "/api/auth/register", tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Created and logged in; sets the session cookie", body = UserResponse,
            headers(("set-cookie" = String, description = "strata_session=...; HttpOnly; SameSite=Lax"))),
        (status = 409, description = "The email is taken (issue on `email`)", body = ErrorBody),
        (status = 422, description = "Invalid or unknown fields", body = ErrorBody),
        (status = 429, description = "Too many registrations from this client (`too_many_registrations`; see Retry-After)",
            body = ErrorBody, headers(("retry-after" = u64, description = "Seconds until the next attempt is allowed"))),
        JsonBodyErrors,
        ServerErrors,
    )
)]
pub async fn register(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ValidJson(registration): ValidJson<Registration>,
) -> Result<impl IntoResponse, ApiError> {
    let attempt = state.login_limits.begin_registration(client).map_err(too_many)?;
    let hash = match state.hasher.hash(registration.password.expose()).await {
        Err(err @ PasswordHashError::Busy { .. }) => {
            attempt.not_counted();
            return Err(err.into());
        }
        hashed => hashed?,
    };
    let user = db::users::insert(&state.pool, &registration.email, &hash, &registration.display_name).await?;
    logged_in(&state, StatusCode::CREATED, user).await
}

/// Logs in with email and password.
#[utoipa::path(
    post, path = "/api/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; sets the session cookie", body = UserResponse,
            headers(("set-cookie" = String, description = "strata_session=...; HttpOnly; SameSite=Lax"))),
        (status = 401, description = "Wrong email or password (`invalid_credentials`)", body = ErrorBody),
        (status = 422, description = "Invalid or unknown fields", body = ErrorBody),
        (status = 429, description = "Too many failed logins for this account or from this client \
            (`too_many_login_attempts`; see Retry-After); no password was checked", body = ErrorBody,
            headers(("retry-after" = u64, description = "Seconds until the next attempt is allowed"))),
        JsonBodyErrors,
        ServerErrors,
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    ValidJson(login): ValidJson<Login>,
) -> Result<impl IntoResponse, ApiError> {
    // Before any work: a refused guess is not looked up, not hashed, and never waits.
    let attempt = state.login_limits.begin_login(&login.email, client).map_err(too_many)?;
    let user = db::users::find_by_email(&state.pool, &login.email).await?;
    let stored = user.as_ref().map(|u| u.password_hash.as_str());
    // A full hashing queue drops `attempt` unused: the guess was not checked.
    let matches = state.hasher.verify(&login.password, stored).await?;
    let Some(user) = user.filter(|_| matches) else {
        attempt.failed();
        return Err(ApiError::InvalidCredentials);
    };
    attempt.succeeded();
    let user = db::users::record_login(&state.pool, user.id).await?;
    logged_in(&state, StatusCode::OK, user).await
}

/// Ends the session (the token stops working at once) and clears the cookie.
#[utoipa::path(
    post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Logged out (also when there was no session)"), ServerErrors),
    security((), ("session_cookie" = []))
)]
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<impl IntoResponse, ApiError> {
    if let Some(token) = find_session_token(&headers) {
        db::sessions::delete(&state.pool, &token.hash()).await?;
    }
    Ok(logged_out(&state))
}

/// Ends every session of the logged-in user (on every device), this one included, and
/// clears the cookie. For a user who fears a session was stolen.
#[utoipa::path(
    post, path = "/api/auth/logout-all", tag = "auth",
    responses(
        (status = 204, description = "Every session of the user is deleted; the cookie is cleared"),
        SessionRequired,
        ServerErrors,
    ),
    security(("session_cookie" = []))
)]
pub async fn logout_all(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> Result<impl IntoResponse, ApiError> {
    db::sessions::delete_all(&state.pool, user.id).await?;
    Ok(logged_out(&state))
}

/// The logged-in user.
#[utoipa::path(
    get, path = "/api/auth/me", tag = "auth",
    responses(
        (status = 200, description = "The session's user", body = UserResponse),
        SessionRequired,
        ServerErrors,
    ),
    security(("session_cookie" = []))
)]
pub async fn me(CurrentUser(user): CurrentUser) -> Json<UserResponse> {
    Json(UserResponse::from(user))
}

/// Stores a new session for `user` and answers `status` with the user and the cookie
/// that carries the session.
async fn logged_in(state: &AppState, status: StatusCode, user: User) -> Result<impl IntoResponse + use<>, ApiError> {
    let token = SessionToken::generate();
    db::sessions::create(&state.pool, user.id, &token.hash(), state.config.session_ttl).await?;
    let cookie = session_cookie(&token, state.config.session_ttl, state.config.secure_cookies);
    Ok((status, [(SET_COOKIE, cookie)], Json(UserResponse::from(user))))
}

/// The answer to a logout: no content, and the cookie cleared.
fn logged_out(state: &AppState) -> impl IntoResponse + use<> {
    (StatusCode::NO_CONTENT, [(SET_COOKIE, clear_session_cookie(state.config.secure_cookies))])
}

/// The answer to an attempt over a limit.
fn too_many(refusal: Refusal) -> ApiError {
    let (error, message) = match refusal {
        Refusal::Account(_) | Refusal::Client(_) => {
            ("too_many_login_attempts", "Too many failed logins: wait before trying again")
        }
        Refusal::Registrations(_) => ("too_many_registrations", "Too many registrations: wait before trying again"),
    };
    ApiError::TooManyRequests { error, message, retry_after: Some(refusal.retry_after()) }
}
