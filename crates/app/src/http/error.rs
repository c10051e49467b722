//! The one error type of every handler, and its JSON form.
//!
//! Every failure answers `{"error": code, "message": text}`, plus `"issues"` when
//! particular values are at fault. Server-side failures are logged here, with their
//! cause, and answered with a generic message.

use std::borrow::Cow;
use std::time::Duration;

use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{PasswordHashError, SendError};
use crate::domain::{Issue, Issues};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body is not JSON (400).
    #[error("malformed JSON")]
    MalformedJson(Issue),
    /// The body could not be read (400).
    #[error("could not read the request body")]
    UnreadableBody,
    /// The body is not declared as JSON (415).
    #[error("the request body must be JSON")]
    UnsupportedMediaType,
    /// The body is over the configured limit (413).
    #[error("the request body is larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// Values are invalid (422).
    #[error("validation failed")]
    Validation(Issues),
    /// No valid session (401).
    #[error("not logged in")]
    Unauthenticated,
    /// Login refused (401).
    #[error("wrong email or password")]
    InvalidCredentials,
    /// Logged in, but the item is someone else's (403).
    #[error("only the owner may change this item")]
    NotOwner,
    /// Nothing there (404); the string names what.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The route exists with other methods (405).
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A value is already taken (409).
    #[error("conflict")]
    Conflict(Issues),
    /// The phone verification has expired (410).
    #[error("the verification code has expired")]
    VerificationExpired,
    /// Too many attempts or requests (429); the client may retry after the wait, if any.
    #[error("{message}")]
    TooManyRequests {
        /// Machine-readable reason.
        error: &'static str,
        /// For people.
        message: &'static str,
        /// When to retry, if retrying can help.
        retry_after: Option<Duration>,
    },
    /// The code could not be sent (502).
    #[error("could not send the verification code")]
    SendFailed(#[source] SendError),
    /// PostgreSQL cannot be reached (503).
    #[error("the database is unavailable")]
    DatabaseUnavailable(#[source] sqlx::Error),
    /// A statement ran past the `statement_timeout` and was cancelled (503).
    #[error("the database took too long to answer")]
    DatabaseTimeout(#[source] sqlx::Error),
    /// Too many passwords are being hashed: the request was not queued (503).
    #[error("the server is busy: try again in a moment")]
    Busy {
        /// When to retry.
        retry_after: Duration,
    },
    /// A bug or an unexpected failure (500).
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What any operation that uses the database (or hashes a password) may answer, for
/// the OpenAPI document.
#[derive(utoipa::IntoResponses)]
pub enum ServerErrors {
    /// A failure on the server's side (`internal_error`; the cause is logged)
    #[response(status = 500)]
    Internal(ErrorBody),
    /// PostgreSQL cannot be reached or takes no connections (`database_unavailable`), a
    /// statement ran past the statement timeout (`database_timeout`), or, where a
    /// password is hashed, the hashing queue is full (`server_busy`, with Retry-After)
    #[response(
        status = 503,
        headers(("retry-after" = u64, description = "With `server_busy`: seconds to wait before retrying"))
    )]
    DatabaseUnavailable(ErrorBody),
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Machine-readable code: `validation_failed`, `malformed_json`, `unauthenticated`,
    /// `forbidden`, `not_found`, `conflict`, `payload_too_large`, ...
    pub error: String,
    /// For people.
    pub message: String,
    /// The values at fault, when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issues: Option<Vec<Issue>>,
}

impl ApiError {
    /// The response status.
    pub fn status_code(&self) -> StatusCode {
        match self {
            ApiError::MalformedJson(_) | ApiError::UnreadableBody => StatusCode::BAD_REQUEST,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthenticated | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::NotOwner => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::VerificationExpired => StatusCode::GONE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::SendFailed(_) => StatusCode::BAD_GATEWAY,
            ApiError::DatabaseUnavailable(_) | ApiError::DatabaseTimeout(_) | ApiError::Busy { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::UnreadableBody => "unreadable_body",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::PayloadTooLarge { .. } => "payload_too_large",
            ApiError::Validation(_) => "validation_failed",
            ApiError::Unauthenticated => "unauthenticated",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::NotOwner => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::VerificationExpired => "verification_expired",
            ApiError::TooManyRequests { error, .. } => error,
            ApiError::SendFailed(_) => "send_failed",
            ApiError::DatabaseUnavailable(_) => "database_unavailable",
            ApiError::DatabaseTimeout(_) => "database_timeout",
            ApiError::Busy { .. } => "server_busy",
            ApiError::Internal(_) => "internal_error",
        }
    }

    /// Wraps an unexpected failure.
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> ApiError {
        ApiError::Internal(Box::new(err))
    }

    fn message(&self) -> Cow<'static, str> {
        match self {
            ApiError::MalformedJson(_) => "The request body is not valid JSON".into(),
            ApiError::Validation(_) => "Validation failed".into(),
            ApiError::Conflict(_) => "A value is already taken".into(),
            ApiError::Unauthenticated => "Log in first".into(),
            ApiError::NotOwner => "Only the owner may change this item".into(),
            ApiError::Internal(_) => "Something went wrong on our side".into(),
            other => Cow::Owned(other.to_string()),
        }
    }
}

impl From<PasswordHashError> for ApiError {
    fn from(err: PasswordHashError) -> ApiError {
        match err {
            // A hash takes well under a second: by then a place is likely free.
            PasswordHashError::Busy { .. } => ApiError::Busy { retry_after: Duration::from_secs(1) },
            err => ApiError::internal(err),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        match &self {
            ApiError::Internal(_) | ApiError::SendFailed(_) => {
                tracing::error!(error = %error_chain(&self), "request failed");
            }
            ApiError::DatabaseUnavailable(_) => {
                tracing::warn!(error = %error_chain(&self), "database unavailable");
            }
            ApiError::DatabaseTimeout(_) => {
                tracing::warn!(error = %error_chain(&self), "statement cancelled by the statement timeout");
            }
            _ => {}
        }
        let retry_after = match &self {
            ApiError::TooManyRequests { retry_after: Some(wait), .. } | ApiError::Busy { retry_after: wait } => {
                // Rounded up, and at least 1: `Retry-After: 0` invites an instant retry.
                Some((wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1))
            }
            _ => None,
        };
        let body = ErrorBody {
            error: self.code().to_owned(),
            message: self.message().into_owned(),
            issues: match self {
                ApiError::MalformedJson(issue) => Some(vec![issue]),
                ApiError::Validation(issues) | ApiError::Conflict(issues) => Some(issues.into_iter().collect()),
                _ => None,
            },
        };
        let json = serde_json::to_vec(&body).expect("an error body serialises");
        let mut response =
            (status, [(CONTENT_TYPE, HeaderValue::from_static("application/json"))], json).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// The error and its causes, `: `-separated, for the log.
fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
