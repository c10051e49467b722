//! Test support: one fresh PostgreSQL database per test, dropped afterwards.
//!
//! The server is `STRATA_TEST_DATABASE_URL` when set (a URL to a maintenance
//! database such as `postgres`, on a role allowed to create databases); else a
//! private cluster under `target/strata-test-cluster`, started once and shared by
//! every test process (the embedded database, so the tests need no other set-up).
//! A test that panics keeps its database for inspection and prints its name.

mod captured_log;
mod migrated;
mod migration_dir;
pub mod standby;

pub use captured_log::CapturedLog;
pub use migration_dir::{CREATE_SCHEMAS, MigrationDir, copy_dir};

use std::path::PathBuf;
use std::sync::OnceLock;

use sqlx::Connection;
use sqlx::postgres::PgConnection;

/// A database created for one test. Dropped (with `FORCE`) when this value is,
/// unless the test is panicking.
pub struct TestDb {
    name: String,
    url: String,
    admin_url: String,
}

impl TestDb {
    /// Creates an empty database with a unique name.
    pub fn new() -> TestDb {
        TestDb::create(None)
    }

    /// Creates a database with a unique name: empty, or a clone of `template`.
    fn create(template: Option<&str>) -> TestDb {
        let admin_url = server_url().to_owned();
        let name = format!("strata_test_{:016x}", rand::random::<u64>());
        let (sql, doing) = match template {
            None => (format!("CREATE DATABASE \"{name}\""), format!("creating test database {name}")),
            Some(t) => (format!("CREATE DATABASE \"{name}\" TEMPLATE \"{t}\""), format!("cloning {t} as {name}")),
        };
        run_on_admin(&admin_url, &sql).unwrap_or_else(|err| panic!("{doing}: {err}"));
        let url = with_database(&admin_url, &name);
        TestDb { name, url, admin_url }
    }

    /// The URL of this test's database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The name of this test's database.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL of the server's maintenance database (for tests that need a second database).
    pub fn admin_url(&self) -> &str {
        &self.admin_url
    }

    /// Opens a new connection to this test's database.
    pub async fn connect(&self) -> PgConnection {
        PgConnection::connect(&self.url).await.expect("connect to test database")
    }

    /// A pool on this test's database.
    pub async fn pool(&self) -> sqlx::PgPool {
        sqlx::postgres::PgPoolOptions::new().max_connections(8).connect(&self.url).await.expect("pool on test database")
    }
}

impl Default for TestDb {
    fn default() -> Self {
        TestDb::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("test failed: keeping database {} for inspection ({})", self.name, self.url);
            return;
        }
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        if let Err(err) = run_on_admin(&self.admin_url, &sql) {
            eprintln!("warning: could not drop test database {}: {err}", self.name);
        }
    }
}

/// The maintenance URL of the test server, starting the shared test cluster on first use.
pub fn server_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("STRATA_TEST_DATABASE_URL")
            && !url.is_empty()
        {
            return url;
        }
        let cluster = strata_embedded::Cluster::new(test_cluster_dir());
        match cluster.start() {
            Ok(started) => with_database(&started.url, "postgres"),
            Err(err) => panic!(
                "no test database server: set STRATA_TEST_DATABASE_URL, or install PostgreSQL's server \
                 binaries so the test cluster can start ({err})"
            ),
        }
    })
}

/// Stops the shared test cluster (`scripts/test` does when the tests end); `false` when
/// it was not running. Databases kept by failed tests stay on disk for the next start.
pub fn stop_test_cluster() -> Result<bool, strata_embedded::Error> {
    strata_embedded::Cluster::new(test_cluster_dir()).stop()
}

/// `<workspace>/target/strata-test-cluster`: shared by every crate's tests.
fn test_cluster_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    target.join("strata-test-cluster")
}

/// Replaces the database (path) of a `postgres://` URL, keeping any query string
/// (one home, in `strata-embedded`, with the cluster's own URLs).
pub use strata_embedded::with_database;

/// Runs one statement on the maintenance database from a thread of its own, so it
/// works both inside and outside an async test.
fn run_on_admin(admin_url: &str, sql: &str) -> Result<(), String> {
    let admin_url = admin_url.to_owned();
    let sql = sql.to_owned();
    on_own_thread("the admin thread", move || async move {
        let mut conn = PgConnection::connect(&admin_url).await.map_err(|e| e.to_string())?;
        sqlx::raw_sql(&sql).execute(&mut conn).await.map_err(|e| e.to_string())?;
        conn.close().await.map_err(|e| e.to_string())
    })
}

/// Runs the future `work` makes to completion on a thread and runtime of its own, so
/// that test support works both inside and outside an async test. `thread` names it
/// when it panics.
fn on_own_thread<F>(thread: &'static str, work: impl FnOnce() -> F + Send + 'static) -> Result<(), String>
where
    F: Future<Output = Result<(), String>>,
{
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        rt.block_on(work())
    })
    .join()
    .unwrap_or_else(|_| Err(format!("{thread} panicked")))
}
