//! Cross-site request forgery: every request that is not `GET` or `HEAD` must be a
//! form carrying the session's `csrf` field, and must not come from another site
//! (`Origin`, `Sec-Fetch-Site`). The cookie's `SameSite=Strict` is the first wall;
//! this is the second.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, HOST, ORIGIN};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::StudioError;
use crate::security::session::Session;
use crate::security::token;

/// The form field that carries the token.
pub const FIELD: &str = "csrf";
/// The largest form the studio accepts (a long SQL text, an edited row).
pub const MAX_FORM_BYTES: usize = 1 << 20;

/// Checks the token of every unsafe request, then hands the buffered body on.
pub async fn check(request: Request, next: Next) -> Result<Response, StudioError> {
    if matches!(*request.method(), Method::GET | Method::HEAD) {
        return Ok(next.run(request).await);
    }
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return Err(StudioError::Unauthorized("no session".into()));
    };
    same_site(request.headers())?;
    let is_form = request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
    if !is_form {
        return Err(StudioError::Forbidden("a POST must be a form from a studio page".into()));
    }
    let (parts, body) = request.into_parts();
    let bytes =
        to_bytes(body, MAX_FORM_BYTES).await.map_err(|_| StudioError::BadRequest("the form is too large".into()))?;
    let presented = form_urlencoded::parse(&bytes).find(|(k, _)| k == FIELD).map(|(_, v)| v.into_owned());
    match presented {
        Some(t) if token::equal(&t, &session.csrf) => Ok(next.run(Request::from_parts(parts, Body::from(bytes))).await),
        Some(_) => Err(StudioError::Forbidden("the form's CSRF token is not this session's; reload the page".into())),
        None => Err(StudioError::Forbidden("the form has no CSRF token".into())),
    }
}

/// Refuses requests that a browser marks as coming from another origin.
fn same_site(headers: &HeaderMap) -> Result<(), StudioError> {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err(StudioError::Forbidden(format!("a {site} request cannot change or query the database")));
    }
    if let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or("");
        if origin == "null" || !origin_host.eq_ignore_ascii_case(host) {
            return Err(StudioError::Forbidden(format!("requests from {origin} are not accepted")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_forms_pass() {
        assert!(same_site(&headers(&[("host", "127.0.0.1:4983"), ("origin", "http://127.0.0.1:4983")])).is_ok());
        assert!(same_site(&headers(&[("sec-fetch-site", "same-origin")])).is_ok());
        assert!(same_site(&headers(&[])).is_ok());
    }

    #[test]
    fn cross_site_forms_are_refused() {
        assert!(same_site(&headers(&[("host", "127.0.0.1:4983"), ("origin", "http://evil.example")])).is_err());
        assert!(same_site(&headers(&[("host", "127.0.0.1:4983"), ("origin", "null")])).is_err());
        assert!(same_site(&headers(&[("sec-fetch-site", "cross-site")])).is_err());
        assert!(same_site(&headers(&[("sec-fetch-site", "same-site")])).is_err());
    }
}
