//! Test support: a migrated, seeded database behind the application's router, and
//! helpers to send requests and read JSON answers. The router's connections run as
//! the application role, so every API test also proves that role's rights suffice.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
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

    /// Runs `sql` (one or more statements, no parameters) as the superuser: a test's own
    /// set-up, beyond what the API may do.
    pub async fn execute(&self, sql: &str) {
        sqlx::raw_sql(sql).execute(&self.pool).await.unwrap_or_else(|err| panic!("{sql}: {err}"));
    }

    /// Makes `electronics` a child of its own child `phones`: a loop in the category
    /// tree that the trigger refuses, as a database made before the trigger can hold it.
    pub async fn loop_the_categories(&self) {
        self.execute(
            "ALTER TABLE master.categories DISABLE TRIGGER categories_check_parent; \
             UPDATE master.categories SET parent_id = '20000000-0000-4000-8000-000000000011' WHERE slug = 'electronics'; \
             ALTER TABLE master.categories ENABLE TRIGGER categories_check_parent",
        )
        .await;
    }

    /// [`strata_app::serve`] with `config` on a real socket (a free port of 127.0.0.1),
    /// on this test's database, until [`Served::stop`].
    pub async fn serve(&self, config: AppConfig) -> Served {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(strata_app::serve(listener, self.app_pool.clone(), config, async {
            let _ = stopped.await;
        }));
        Served { addr, stop, server }
    }

    /// Registers a new user with [`PASSWORD`]; returns the session cookie and the user's id.
    pub async fn register(&self, email: &str) -> (String, String) {
        let response = self.register_with(email, PASSWORD).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.json);
        (response.session_cookie(), response.json["id"].as_str().unwrap().to_owned())
    }
}

/// The API served over TCP by [`TestApp::serve`].
pub struct Served {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    server: JoinHandle<std::io::Result<()>>,
}

impl Served {
    /// Sends `request` (raw HTTP/1.1) on a new connection; returns the response's head
    /// and body as the server wrote them.
    pub async fn raw_request(&self, request: &str) -> String {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    /// Shuts the server down and waits until it has stopped.
    pub async fn stop(self) {
        self.stop.send(()).unwrap();
        self.server.await.unwrap().unwrap();
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

/// The API with a database that cannot be reached (nothing listens on port 1): its pool
/// gives up after `acquire_timeout`.
pub fn router_without_database(acquire_timeout: Duration) -> Router {
    let pool = sqlx::postgres::PgPoolOptions::new()
        .acquire_timeout(acquire_timeout)
        .connect_lazy("postgres://nobody@127.0.0.1:1/none")
        .unwrap();
    strata_app::router(pool, AppConfig::default())
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

/// A password that meets the policy, for the accounts tests register.
pub const PASSWORD: &str = "long enough password";

/// The demo users' fixed ids (from the seed).
pub const ALICE_ID: &str = "10000000-0000-4000-8000-000000000001";
pub const BOB_ID: &str = "10000000-0000-4000-8000-000000000002";
