//! `/api/auth/phone/*`: confirm the logged-in user's phone number with a one-time code.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sqlx::Connection as _;
use uuid::Uuid;

use crate::auth::phone_code::hash_code;
use crate::db;
use crate::db::phone_verifications::CodeCheck;
use crate::domain::{IssueCode, Issues, PhoneCheck, PhoneStart, VerificationCode, Violation};
use crate::http::current_user::{CurrentUser, SessionRequired};
use crate::http::dto::{PhoneStartRequest, PhoneStartResponse, PhoneVerifyRequest, UserResponse};
use crate::http::error::{ApiError, ErrorBody, ServerErrors};
use crate::http::json::{JsonBodyErrors, ValidJson};
use crate::http::state::AppState;

/// Sends a code to the number. One code per user per resend interval, and a few per
/// number per window whoever asks; a new code replaces the previous one.
///
/// A number that another account has verified is answered exactly like a free one
/// (the code is sent, the throttles count it): the answer must not tell which numbers
/// have accounts. Verifying it then fails with 409.
#[utoipa::path(
    post, path = "/api/auth/phone/start", tag = "auth",
    request_body = PhoneStartRequest,
    responses(
        (status = 202, description = "Code sent", body = PhoneStartResponse),
        (status = 422, description = "Invalid or unknown fields", body = ErrorBody),
        (status = 429, description = "A code was sent to this user too recently (`resend_too_soon`), or too many \
            codes were sent to this number (`too_many_codes_for_number`); see Retry-After", body = ErrorBody,
            headers(("retry-after" = u64, description = "Seconds until a new code may be requested"))),
        (status = 502, description = "The code could not be sent (`send_failed`)", body = ErrorBody),
        SessionRequired,
        JsonBodyErrors,
        ServerErrors,
    ),
    security(("session_cookie" = []))
)]
pub async fn start(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ValidJson(request): ValidJson<PhoneStart>,
) -> Result<(StatusCode, Json<PhoneStartResponse>), ApiError> {
    let config = &state.config;
    let mut conn = state.pool.acquire().await?;
    let mut tx = conn.begin().await?;
    db::users::lock(&mut tx, user.id).await?;
    let wait = db::phone_verifications::wait_before_resend(&mut tx, user.id, config.phone_resend_interval).await?;
    within_limit(wait, "resend_too_soon", "A code was sent recently: wait before requesting another")?;
    // No check whether another account has the number: see above.
    let wait = db::phone_verifications::wait_for_number(
        &mut tx,
        &request.phone,
        config.phone_codes_per_number,
        config.phone_number_window,
    )
    .await?;
    within_limit(
        wait,
        "too_many_codes_for_number",
        "Too many codes were sent to this number: wait before requesting another",
    )?;
    let id = Uuid::new_v4();
    let code = VerificationCode::generate();
    let expires_at = db::phone_verifications::insert(
        &mut tx,
        id,
        user.id,
        &request.phone,
        &hash_code(id, &code),
        config.phone_code_ttl,
    )
    .await?;
    tx.commit().await?;
    drop(conn);

    if let Err(err) = state.sender.send_code(&request.phone, &code).await {
        let mut conn = state.pool.acquire().await?;
        db::phone_verifications::delete(&mut conn, id).await?;
        return Err(ApiError::SendFailed(err));
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(PhoneStartResponse {
            phone: request.phone.as_str().to_owned(),
            expires_at,
            max_attempts: config.phone_max_attempts,
            resend_after_seconds: config.phone_resend_interval.as_secs(),
        }),
    ))
}

/// Checks the code sent to the number; on success the number becomes the user's.
#[utoipa::path(
    post, path = "/api/auth/phone/verify", tag = "auth",
    request_body = PhoneVerifyRequest,
    responses(
        (status = 200, description = "Verified: the user with the new phone", body = UserResponse),
        (status = 404, description = "No pending verification for this number", body = ErrorBody),
        (status = 409, description = "Another account verified this number meanwhile", body = ErrorBody),
        (status = 410, description = "The code has expired (`verification_expired`)", body = ErrorBody),
        (status = 422, description = "Wrong code (`invalid_code` on `code`), or invalid fields", body = ErrorBody),
        (status = 429, description = "Attempt limit reached (`too_many_attempts`): request a new code", body = ErrorBody),
        SessionRequired,
        JsonBodyErrors,
        ServerErrors,
    ),
    security(("session_cookie" = []))
)]
pub async fn verify(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ValidJson(request): ValidJson<PhoneCheck>,
) -> Result<Json<UserResponse>, ApiError> {
    let max_attempts = state.config.phone_max_attempts;
    let too_many = || ApiError::TooManyRequests {
        error: "too_many_attempts",
        message: "Too many wrong codes: request a new one",
        retry_after: None,
    };
    let mut conn = state.pool.acquire().await?;
    let mut tx = conn.begin().await?;
    let pending = db::phone_verifications::latest(&mut tx, user.id, &request.phone)
        .await?
        .filter(|latest| latest.verified_at.is_none())
        .ok_or(ApiError::NotFound("pending verification"))?;
    // The database compares and counts: the application cannot read the stored hash.
    let candidate = hash_code(pending.id, &request.code);
    match db::phone_verifications::check_code(&mut tx, pending.id, &candidate, max_attempts).await? {
        CodeCheck::Verified => {
            let user = db::users::set_verified_phone(&mut tx, user.id, &request.phone).await?;
            tx.commit().await?;
            Ok(Json(UserResponse::from(user)))
        }
        CodeCheck::WrongCode { attempts } => {
            tx.commit().await?;
            let left = i64::from(max_attempts) - i64::from(attempts);
            if left <= 0 {
                return Err(too_many());
            }
            let message = format!("Wrong code: {left} attempt(s) left");
            Err(ApiError::Validation(Issues::one(Violation::new(IssueCode::InvalidCode, message).at_key("code"))))
        }
        CodeCheck::Expired => Err(ApiError::VerificationExpired),
        CodeCheck::TooManyAttempts => Err(too_many()),
        // Used up by a concurrent request since `latest` read it.
        CodeCheck::NotPending => Err(ApiError::NotFound("pending verification")),
    }
}

/// 429 `error` with `message` and the `wait` (Retry-After) when a throttle says to wait.
fn within_limit(wait: Option<Duration>, error: &'static str, message: &'static str) -> Result<(), ApiError> {
    match wait {
        None => Ok(()),
        Some(wait) => Err(ApiError::TooManyRequests { error, message, retry_after: Some(wait) }),
    }
}
