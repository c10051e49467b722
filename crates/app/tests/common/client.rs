//! The API in process, as a client sees it: requests sent to a router, and the answers
//! with their bodies read as JSON. Shared by the API tests (`api/`) and the replica
//! tests (`replicas.rs`).

use std::net::{IpAddr, SocketAddr};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::Value;
use strata_app::DEMO_PASSWORD;
use tower::ServiceExt;

/// A client of the API: requests go to `router` in process.
#[derive(Clone)]
pub struct Client {
    pub router: Router,
}

impl Client {
    /// Sends a request with an optional raw body and cookie.
    pub async fn send(
        &self,
        method: Method,
        uri: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
        cookie: Option<&str>,
    ) -> TestResponse {
        let mut request = Request::builder().method(method).uri(uri);
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        if let Some(cookie) = cookie {
            request = request.header(COOKIE, cookie);
        }
        let request = request.body(Body::from(body)).unwrap();
        send_to(&self.router, request).await
    }

    /// `POST uri` with a JSON body, from a client at `ip` (as `serve` tells the router).
    pub async fn post_from(&self, ip: IpAddr, uri: &str, body: Value) -> TestResponse {
        send_to(&self.router, post_request(uri, &body, Some(ip))).await
    }

    /// A request without a body.
    pub async fn request(&self, method: Method, uri: &str, cookie: Option<&str>) -> TestResponse {
        self.send(method, uri, None, Vec::new(), cookie).await
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> TestResponse {
        self.request(Method::GET, uri, cookie).await
    }

    /// `GET uri` without a session, which must answer 200: the array at `key` of the body.
    pub async fn get_list(&self, uri: &str, key: &str) -> Vec<Value> {
        let response = self.get(uri, None).await;
        assert_eq!(response.status, StatusCode::OK, "{uri}: {}", response.json);
        response.json[key].as_array().unwrap_or_else(|| panic!("no {key} in {}", response.json)).clone()
    }

    /// A request with a JSON body.
    pub async fn json(&self, method: Method, uri: &str, body: Value, cookie: Option<&str>) -> TestResponse {
        self.send(method, uri, Some("application/json"), body.to_string().into_bytes(), cookie).await
    }

    /// `PATCH uri` with a JSON body.
    pub async fn patch(&self, uri: &str, body: Value, cookie: Option<&str>) -> TestResponse {
        self.json(Method::PATCH, uri, body, cookie).await
    }

    /// `POST uri` with a JSON body.
    pub async fn post(&self, uri: &str, body: Value, cookie: Option<&str>) -> TestResponse {
        self.json(Method::POST, uri, body, cookie).await
    }

    /// `POST /api/auth/login` with `email` and `password`.
    pub async fn login(&self, email: &str, password: &str) -> TestResponse {
        self.post("/api/auth/login", serde_json::json!({"email": email, "password": password}), None).await
    }

    /// `POST /api/auth/register` with `email` and `password`.
    pub async fn register_with(&self, email: &str, password: &str) -> TestResponse {
        self.post("/api/auth/register", serde_json::json!({"email": email, "password": password}), None).await
    }

    /// Logs in a demo user; returns the session cookie.
    pub async fn login_demo(&self, email: &str) -> String {
        let response = self.login(email, DEMO_PASSWORD).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.json);
        response.session_cookie()
    }

    /// Registers a new user with [`PASSWORD`]; returns the session cookie and the user's id.
    pub async fn register(&self, email: &str) -> (String, String) {
        let response = self.register_with(email, PASSWORD).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.json);
        (response.session_cookie(), response.json["id"].as_str().unwrap().to_owned())
    }
}

/// A response, its body parsed as JSON (`Value::Null` when empty).
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl TestResponse {
    /// The `path.code` of each issue, for compact assertions.
    pub fn issues(&self) -> Vec<String> {
        self.json["issues"]
            .as_array()
            .unwrap_or_else(|| panic!("no issues in {}", self.json))
            .iter()
            .map(|issue| {
                let path: Vec<String> =
                    issue["path"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
                format!("{}:{}", path.join("."), issue["code"].as_str().unwrap())
            })
            .collect()
    }

    /// Asserts an error answer: `status`, with `error` as its code.
    #[track_caller]
    pub fn assert_error(&self, status: StatusCode, error: &str) {
        assert_eq!((self.status, self.json["error"].as_str()), (status, Some(error)), "{}", self.json);
    }

    /// The `Set-Cookie` header of this response.
    pub fn set_cookie(&self) -> &str {
        self.headers.get(SET_COOKIE).expect("a Set-Cookie header").to_str().unwrap()
    }

    /// The session cookie (`name=value`) this response sets.
    pub fn session_cookie(&self) -> String {
        self.set_cookie().split(';').next().unwrap().to_owned()
    }
}

/// A JSON `POST uri`, from a client at `from` when given (as `serve` tells the router;
/// without it, the per-client limits are off).
pub fn post_request(uri: &str, body: &Value, from: Option<IpAddr>) -> Request<Body> {
    let mut request = Request::builder().method(Method::POST).uri(uri).header(CONTENT_TYPE, "application/json");
    if let Some(ip) = from {
        request = request.extension(ConnectInfo(SocketAddr::new(ip, 40000)));
    }
    request.body(Body::from(body.to_string())).unwrap()
}

/// Sends `request` to `router` in process.
pub async fn send_to(router: &Router, request: Request<Body>) -> TestResponse {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
    let json = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
    };
    TestResponse { status, headers, json }
}

/// A password that meets the policy, for the accounts tests register.
pub const PASSWORD: &str = "long enough password";
