//! Test support: a migrated, seeded database behind the application's router, and
//! helpers to send requests and read JSON answers. The router's connections run as
//! the application role, so every API test also proves that role's rights suffice.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use serde_json::Value;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use strata_app::domain::{PhoneNumber, VerificationCode};
use strata_app::roles::pool_options_as;
use strata_app::{APP_ROLE, AppConfig, DEMO_PASSWORD, SendError, Sender};
use strata_testing::TestDb;
use tower::ServiceExt;

/// The `application_name` of the router's connections, to find them in `pg_stat_activity`.
pub const API_APPLICATION_NAME: &str = "strata test api";

/// `migrations/` of the workspace.
pub fn migrations_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations")
}

/// Remembers every code "sent", so a test can type it.
#[derive(Default)]
pub struct RecordingSender {
    sent: Mutex<Vec<(String, String)>>,
}

impl RecordingSender {
    /// The last code sent to `phone`.
    pub fn last_code(&self, phone: &str) -> Option<String> {
        let sent = self.sent.lock().unwrap();
        sent.iter().rev().find(|(p, _)| p == phone).map(|(_, c)| c.clone())
    }

    /// How many codes were sent.
    pub fn count(&self) -> usize {
        self.sent.lock().unwrap().len()
    }
}

impl Sender for RecordingSender {
    fn send_code<'a>(
        &'a self,
        phone: &'a PhoneNumber,
        code: &'a VerificationCode,
    ) -> Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>> {
        self.sent.lock().unwrap().push((phone.as_str().to_owned(), code.expose().to_owned()));
        Box::pin(std::future::ready(Ok(())))
    }
}

/// A test's application: its database (migrated and seeded), pools and router.
pub struct TestApp {
    pub db: TestDb,
    /// As the superuser that migrated the database: for the test's own set-up and
    /// inspection, which may go beyond what the API is allowed.
    pub pool: PgPool,
    /// The router's: every connection runs as the application role.
    pub app_pool: PgPool,
    pub router: Router,
    pub sender: Arc<RecordingSender>,
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

    /// The session cookie (`name=value`) this response sets.
    pub fn session_cookie(&self) -> String {
        let set = self.headers.get(SET_COOKIE).expect("a Set-Cookie header").to_str().unwrap();
        set.split(';').next().unwrap().to_owned()
    }
}

impl TestApp {
    /// A migrated and seeded database with the default configuration.
    pub async fn new() -> TestApp {
        TestApp::with_config(AppConfig::default()).await
    }

    /// A migrated and seeded database with `config`.
    pub async fn with_config(config: AppConfig) -> TestApp {
        // A clone of a template database with every migration and seed applied (made once).
        let db = TestDb::migrated(&migrations_dir());
        let pool = db.pool().await;
        // As `strata serve` makes them: with the configured statement timeout, and the
        // API's pool options (no health check of connections in steady use).
        let options = strata_app::db::connect_options(db.url().parse::<PgConnectOptions>().unwrap(), &config)
            .application_name(API_APPLICATION_NAME);
        let app_pool = pool_options_as(strata_app::db::pool_options().max_connections(8), APP_ROLE)
            .connect_with(options)
            .await
            .unwrap();
        let sender = Arc::new(RecordingSender::default());
        let router = strata_app::router_with_sender(app_pool.clone(), config, sender.clone());
        TestApp { db, pool, app_pool, router, sender }
    }

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
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(CONTENT_TYPE, "application/json")
            .extension(ConnectInfo(SocketAddr::new(ip, 40000)))
            .body(Body::from(body.to_string()))
            .unwrap();
        send_to(&self.router, request).await
    }

    /// `GET uri`.
    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> TestResponse {
        self.send(Method::GET, uri, None, Vec::new(), cookie).await
    }

    /// A request with a JSON body.
    pub async fn json(&self, method: Method, uri: &str, body: Value, cookie: Option<&str>) -> TestResponse {
        self.send(method, uri, Some("application/json"), body.to_string().into_bytes(), cookie).await
    }

    /// `POST uri` with a JSON body.
    pub async fn post(&self, uri: &str, body: Value, cookie: Option<&str>) -> TestResponse {
        self.json(Method::POST, uri, body, cookie).await
    }

    /// Logs in a demo user; returns the session cookie.
    pub async fn login_demo(&self, email: &str) -> String {
        let response =
            self.post("/api/auth/login", serde_json::json!({"email": email, "password": DEMO_PASSWORD}), None).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.json);
        response.session_cookie()
    }

    /// Registers a new user; returns the session cookie and the user's id.
    pub async fn register(&self, email: &str) -> (String, String) {
        let body = serde_json::json!({"email": email, "password": "long enough password"});
        let response = self.post("/api/auth/register", body, None).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.json);
        (response.session_cookie(), response.json["id"].as_str().unwrap().to_owned())
    }
}

/// A pool on the test's database whose connections run as `role`.
pub async fn role_pool(db: &TestDb, role: &str) -> PgPool {
    pool_options_as(PgPoolOptions::new().max_connections(8), role).connect(db.url()).await.expect("pool as role")
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

/// The demo users' fixed ids (from the seed).
pub const ALICE_ID: &str = "10000000-0000-4000-8000-000000000001";
pub const BOB_ID: &str = "10000000-0000-4000-8000-000000000002";
