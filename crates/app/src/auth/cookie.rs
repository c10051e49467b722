//! The session cookie: how it is written and found in a request.

use std::time::Duration;

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};

use super::session_token::SessionToken;

/// The cookie's name.
pub const SESSION_COOKIE: &str = "strata_session";

/// `Set-Cookie` for a new session: HttpOnly (no script reads it), SameSite=Lax (not
/// sent on cross-site POSTs), `Secure` when configured (HTTPS deployments).
pub fn session_cookie(token: &SessionToken, ttl: Duration, secure: bool) -> HeaderValue {
    let value = format!(
        "{SESSION_COOKIE}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{}",
        token.expose(),
        ttl.as_secs(),
        if secure { "; Secure" } else { "" }
    );
    HeaderValue::try_from(value).expect("a hex token and ASCII attributes are a valid header")
}

/// `Set-Cookie` that makes the browser drop the session cookie.
pub fn clear_session_cookie(secure: bool) -> HeaderValue {
    let value =
        format!("{SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{}", if secure { "; Secure" } else { "" });
    HeaderValue::try_from(value).expect("ASCII attributes are a valid header")
}

/// The session token in the request's `Cookie` headers, if there is a well-formed one.
pub fn find_session_token(headers: &HeaderMap) -> Option<SessionToken> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .and_then(|(_, value)| SessionToken::parse(value.trim_matches('"')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_and_lax() {
        let token = SessionToken::generate();
        let cookie = session_cookie(&token, Duration::from_secs(60), false);
        let cookie = cookie.to_str().unwrap();
        assert!(cookie.starts_with(&format!("strata_session={};", token.expose())));
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Max-Age=60"));
        assert!(!cookie.contains("Secure"));
        assert!(session_cookie(&token, Duration::from_secs(60), true).to_str().unwrap().ends_with("; Secure"));
    }

    #[test]
    fn finds_the_token_among_other_cookies() {
        let token = SessionToken::generate();
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("theme=dark"));
        headers.append(COOKIE, HeaderValue::try_from(format!("a=1; strata_session={}; b=2", token.expose())).unwrap());
        assert_eq!(find_session_token(&headers), Some(token));
    }

    #[test]
    fn ignores_malformed_tokens() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("strata_session=nope"));
        assert_eq!(find_session_token(&headers), None);
    }
}
