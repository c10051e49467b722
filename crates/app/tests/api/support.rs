//! Test support: a migrated, seeded database behind the application's router, used
//! through a [`Client`] (`tests/common/client.rs`). The router's connections run as
//! the application role, so every API test also proves that role's rights suffice.

use std::net::SocketAddr;
use std::ops::Deref;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use strata_app::domain::{PhoneNumber, VerificationCode};
use strata_app::roles::pool_options_as;
use strata_app::{APP_ROLE, AppConfig, SendError, Sender};
use strata_testing::TestDb;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use crate::client::{Client, PASSWORD, TestResponse, post_request, send_to};

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
    /// The router's client; a `TestApp` is used as one.
    pub client: Client,
    pub sender: Arc<RecordingSender>,
}

impl Deref for TestApp {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
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
        TestApp { db, pool, app_pool, client: Client { router }, sender }
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

    /// The API with `config` on a real socket (a free port of 127.0.0.1), each request
    /// carrying its peer's address as the router needs, on this test's database, until
    /// [`Served::stop`].
    pub async fn serve(&self, config: AppConfig) -> Served {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let service =
            strata_app::router(self.app_pool.clone(), config).into_make_service_with_connect_info::<SocketAddr>();
        let server = tokio::spawn(async move {
            axum::serve(listener, service)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await
        });
        Served { addr, stop, server }
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

/// The demo users' fixed ids (from the seed).
pub const ALICE_ID: &str = "10000000-0000-4000-8000-000000000001";
pub const BOB_ID: &str = "10000000-0000-4000-8000-000000000002";
