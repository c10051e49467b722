//! The one error type of the studio's handlers, and how each kind is shown: a
//! small HTML page with the right status. Database errors caused by what the user
//! typed (a filter value, a query) are shown in full; others are logged and shown
//! generically. The conversions from the data layer's errors are in
//! [`crate::routes::db_error`].

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::db::failure::DbFailure;
use crate::html;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum StudioError {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// PostgreSQL refused a statement.
    #[error("{0}")]
    Database(DbFailure),
    /// A bug or an unreachable database; the details go to the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl StudioError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            StudioError::NotFound(_) => StatusCode::NOT_FOUND,
            StudioError::BadRequest(_) => StatusCode::BAD_REQUEST,
            StudioError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            StudioError::Forbidden(_) => StatusCode::FORBIDDEN,
            StudioError::Database(f) if f.is_users_fault() => StatusCode::BAD_REQUEST,
            StudioError::Database(_) | StudioError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn title(&self) -> &'static str {
        match self {
            StudioError::NotFound(_) => "Not found",
            StudioError::BadRequest(_) => "Bad request",
            StudioError::Unauthorized(_) => "Not signed in",
            StudioError::Forbidden(_) => "Refused",
            StudioError::Database(_) => "The database refused the statement",
            StudioError::Internal(_) => "Internal error",
        }
    }
}

impl IntoResponse for StudioError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "studio request failed");
        }
        let body = match &self {
            StudioError::Internal(_) => {
                html::error_page::render(self.title(), "see the studio's log for details", None)
            }
            StudioError::Database(f) => html::error_page::render(self.title(), &f.message, Some(f)),
            other => html::error_page::render(other.title(), &other.to_string(), None),
        };
        (status, Html(body.into_string())).into_response()
    }
}
