//! Browser sessions: the launch token in the printed URL is exchanged for an
//! `HttpOnly`, `SameSite=Strict` cookie, and every other request needs that cookie.
//! The token opens one session only, and only within its time to live: an address
//! copied from a terminal, a shell history or a log later opens nothing.
//!
//! The token leaves the address bar at once (a redirect to the same page without
//! it), so it does not linger in history or in `Referer` headers.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::StudioError;
use crate::security::token;
use crate::state::Studio;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "strata_studio";
/// The query parameter that carries the launch token.
pub const TOKEN_PARAM: &str = "token";
/// Sessions kept at once; the oldest is forgotten first.
const CAPACITY: usize = 256;

/// One browser that presented the token.
#[derive(Debug, Clone)]
pub struct Session {
    /// The secret in the form field `csrf` of every POST from this browser.
    pub csrf: String,
}

/// The live sessions, by cookie value.
#[derive(Default)]
pub struct Sessions {
    inner: Mutex<(HashMap<String, Session>, VecDeque<String>)>,
}

impl Sessions {
    /// Starts a session; returns its cookie value.
    fn open(&self) -> String {
        let id = token::random();
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let (map, order) = &mut *guard;
        if order.len() >= CAPACITY
            && let Some(oldest) = order.pop_front()
        {
            map.remove(&oldest);
        }
        map.insert(id.clone(), Session { csrf: token::random() });
        order.push_back(id.clone());
        id
    }

    fn get(&self, id: &str) -> Option<Session> {
        let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        guard.0.iter().find(|(k, _)| token::equal(k, id)).map(|(_, s)| s.clone())
    }
}

/// The launch token's state: unused until its deadline, then spent.
pub struct Launch {
    deadline: Instant,
    used: std::sync::atomic::AtomicBool,
}

/// Why a correct launch token opened nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchRefusal {
    Used,
    Expired,
}

impl Launch {
    pub fn new(deadline: Instant) -> Launch {
        Launch { deadline, used: std::sync::atomic::AtomicBool::new(false) }
    }

    /// Spends the token: `Ok` exactly once, before the deadline.
    pub fn spend(&self) -> Result<(), LaunchRefusal> {
        if Instant::now() >= self.deadline {
            return Err(LaunchRefusal::Expired);
        }
        match self.used.compare_exchange(
            false,
            true,
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
        ) {
            Ok(_) => Ok(()),
            Err(_) => Err(LaunchRefusal::Used),
        }
    }
}

/// Lets through requests with a session cookie (adding the [`Session`] to the
/// request's extensions), exchanges a valid launch token for one, refuses the rest.
/// Embedded assets need no session.
pub async fn require(State(studio): State<Studio>, mut request: Request, next: Next) -> Result<Response, StudioError> {
    if request.uri().path().strip_prefix("/assets/").is_some_and(|name| !name.is_empty() && !name.contains('/')) {
        return Ok(next.run(request).await);
    }
    let session = cookie_value(request.headers()).and_then(|id| studio.sessions.get(&id));
    if let Some(presented) = query_token(request.uri().query()) {
        let location = without_token(request.uri().path(), request.uri().query());
        let location = HeaderValue::from_str(&location).map_err(|_| StudioError::BadRequest("bad path".into()))?;
        let mut response = StatusCode::SEE_OTHER.into_response();
        response.headers_mut().insert(LOCATION, location);
        if session.is_some() {
            // This browser is signed in already (the address was reloaded): the
            // token is not looked at, and not spent.
            return Ok(response);
        }
        if !token::equal(&presented, &studio.config.token) {
            return Err(StudioError::Unauthorized("the token in this address is not this studio's".into()));
        }
        studio.launch.spend().map_err(|why| {
            StudioError::Unauthorized(match why {
                LaunchRefusal::Used => "this launch address was used already: it opens one browser session only.                                         Restart the studio for a new address"
                    .into(),
                LaunchRefusal::Expired => format!(
                    "this launch address expired ({} s after the studio started, unused). Restart the studio for a                      new address",
                    studio.config.launch_ttl.as_secs()
                ),
            })
        })?;
        let id = studio.sessions.open();
        let cookie = format!("{COOKIE_NAME}={id}; Path=/; HttpOnly; SameSite=Strict");
        response
            .headers_mut()
            .insert(SET_COOKIE, HeaderValue::from_str(&cookie).map_err(|_| StudioError::Internal("cookie".into()))?);
        return Ok(response);
    }
    match session {
        Some(session) => {
            request.extensions_mut().insert(session);
            Ok(next.run(request).await)
        }
        None => Err(StudioError::Unauthorized(
            "open the address that `strata studio` printed (it carries the access token)".into(),
        )),
    }
}

fn query_token(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes()).find(|(k, _)| k == TOKEN_PARAM).map(|(_, v)| v.into_owned())
}

/// `path?query` without the token parameter.
fn without_token(path: &str, query: Option<&str>) -> String {
    let rest: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .filter(|(k, _)| k != TOKEN_PARAM)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if rest.is_empty() {
        return path.to_owned();
    }
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(rest).finish();
    format!("{path}?{query}")
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_removed_from_the_redirect() {
        assert_eq!(without_token("/", Some("token=abc")), "/");
        assert_eq!(without_token("/s/app/items", Some("token=abc&sort=name")), "/s/app/items?sort=name");
    }

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(COOKIE, HeaderValue::from_static("a=1; strata_studio=xyz; b=2"));
        assert_eq!(cookie_value(&headers).as_deref(), Some("xyz"));
    }

    #[test]
    fn the_launch_token_opens_once_and_expires() {
        let launch = Launch::new(Instant::now() + std::time::Duration::from_secs(60));
        assert_eq!(launch.spend(), Ok(()));
        assert_eq!(launch.spend(), Err(LaunchRefusal::Used));
        let late = Launch::new(Instant::now());
        assert_eq!(late.spend(), Err(LaunchRefusal::Expired));
    }

    #[test]
    fn the_oldest_session_is_forgotten_beyond_capacity() {
        let sessions = Sessions::default();
        let first = sessions.open();
        for _ in 0..CAPACITY {
            sessions.open();
        }
        assert!(sessions.get(&first).is_none());
    }
}
