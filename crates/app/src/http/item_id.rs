//! The `{id}` of `/api/items/{id}`.

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use uuid::Uuid;

use super::error::ApiError;
use crate::domain::{IssueCode, Issues, Violation};

/// The item id in the path. Anything but a UUID is a validation issue on `id` (422),
/// including a segment that is not UTF-8 once percent-decoded, which axum's `Path`
/// alone answers with a plain-text 400 outside this API's error shape.
///
/// Also the parameter's OpenAPI declaration, for each operation on one item
/// (`params(ItemId)`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, utoipa::IntoParams)]
#[into_params(names("id"), parameter_in = Path)]
pub struct ItemId(
    /// The item's id
    pub Uuid,
);

impl<S: Send + Sync> FromRequestParts<S> for ItemId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let invalid =
            || ApiError::Validation(Issues::one(Violation::new(IssueCode::InvalidString, "Invalid uuid").at_key("id")));
        let raw = match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(raw)) => raw,
            Err(PathRejection::FailedToDeserializePathParams(_)) => return Err(invalid()),
            // The route has no `{id}`: a bug, not the client's doing.
            Err(other) => return Err(ApiError::internal(other)),
        };
        Uuid::try_parse(&raw).map(ItemId).map_err(|_| invalid())
    }
}
