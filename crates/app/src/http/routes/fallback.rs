//! Answers for unknown routes and methods, in the API's error shape.

use crate::http::error::ApiError;

/// Any path that is not a route: 404.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("route")
}

/// A route called with a method it does not have: 405.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
