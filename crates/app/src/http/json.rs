//! The JSON body extractor: axum's `Json` with this API's error shape.
//!
//! Reads the body (within the configured limit, else 413), requires a JSON content
//! type (415), parses it (400 `malformed_json` with where it broke), then reads it into
//! the request's domain type, reporting every invalid or unknown field at once (422).

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;

use super::error::{ApiError, ErrorBody};
use super::state::AppState;
use crate::domain::{FromBody, Input, IssueCode, Violation};

/// A request body read into the domain type `T`.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

impl<T: FromBody> FromRequest<AppState> for ValidJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, ApiError> {
        if !is_json(req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok())) {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge { limit: state.config.max_body_bytes }
            } else {
                ApiError::UnreadableBody
            }
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|err| {
            let message = format!("Invalid JSON: {err}");
            ApiError::MalformedJson(Violation::new(IssueCode::InvalidJson, message).at(Vec::new()))
        })?;
        Input::parse(value).map(ValidJson).map_err(ApiError::Validation)
    }
}

/// What [`ValidJson`] answers before the handler runs, for the OpenAPI document: every
/// operation that reads a body lists these, with its own 422 for invalid fields.
#[derive(utoipa::IntoResponses)]
pub enum JsonBodyErrors {
    /// Malformed JSON (`malformed_json`, with an issue saying where), or a body that could not be read
    #[response(status = 400)]
    Malformed(ErrorBody),
    /// The body is over the configured limit (`payload_too_large`)
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// The body is not declared as JSON (`unsupported_media_type`)
    #[response(status = 415)]
    NotJson(ErrorBody),
}

/// `application/json`, or any `+json` type, with any parameters.
fn is_json(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
        || essence
            .rsplit_once('+')
            .is_some_and(|(kind, suffix)| kind.starts_with("application/") && suffix.eq_ignore_ascii_case("json"))
}

#[cfg(test)]
mod tests {
    use super::is_json;

    #[test]
    fn recognises_json_content_types() {
        assert!(is_json(Some("application/json")));
        assert!(is_json(Some("Application/JSON; charset=utf-8")));
        assert!(is_json(Some("application/merge-patch+json")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(Some("text/json+xml")));
        assert!(!is_json(None));
    }
}
