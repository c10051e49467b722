//! `/api/openapi.json`: the OpenAPI document generated from the handlers and types.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;

use crate::http::state::AppState;

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(
    get, path = "/api/openapi.json", tag = "meta",
    responses((status = 200, description = "The OpenAPI document", content_type = "application/json", body = Object))
)]
pub async fn openapi_json(State(state): State<AppState>) -> ([(axum::http::HeaderName, HeaderValue); 1], Bytes) {
    ([(CONTENT_TYPE, HeaderValue::from_static("application/json"))], state.openapi_json.clone())
}
