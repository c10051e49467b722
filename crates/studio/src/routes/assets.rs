//! The stylesheet, script and icon, compiled into the binary: the studio loads
//! nothing from anywhere else.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const CSS: &str = include_str!("../../assets/studio.css");
const JS: &str = include_str!("../../assets/studio.js");
const ICON: &str = include_str!("../../assets/favicon.svg");

pub async fn serve(Path(name): Path<String>) -> Response {
    let (body, content_type) = match name.as_str() {
        "studio.css" => (CSS, "text/css; charset=utf-8"),
        "studio.js" => (JS, "text/javascript; charset=utf-8"),
        "favicon.svg" => (ICON, "image/svg+xml"),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let mut response = body.into_response();
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("max-age=3600"));
    response
}
