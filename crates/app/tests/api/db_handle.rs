//! `strata_app::db::Db`: connections handed from one query to the next without a
//! check, and never handed on in a state a query left them in.

use std::time::{Duration, Instant};

use sqlx::postgres::PgPoolOptions;
use strata_app::db::{CHECK_IDLE_AFTER, Db};

use crate::support::TestApp;

/// A `Db` as the API makes it (`strata_app::db::pool_options()`) over `max`
/// connections of the test's database, waiting at most `wait` for one.
async fn db(app: &TestApp, max: u32, wait: Duration) -> Db {
    let options = strata_app::db::pool_options().max_connections(max).acquire_timeout(wait);
    Db::new(options.connect_lazy(app.db.url()).unwrap())
}

async fn backend(db: &Db) -> i32 {
    sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(db).await.unwrap()
}

#[tokio::test]
async fn a_connection_whose_query_ended_cleanly_serves_the_next_query() {
    let app = TestApp::new().await;
    let db = db(&app, 2, Duration::from_secs(5)).await;
    let first = backend(&db).await;
    for _ in 0..5 {
        assert_eq!(backend(&db).await, first, "the same session, taken from the list");
    }
}

#[tokio::test]
async fn a_query_abandoned_half_way_leaves_nothing_for_the_next_one() {
    let app = TestApp::new().await;
    // One connection: whatever the abandoned query left is in the next one's way.
    let db = db(&app, 1, Duration::from_secs(10)).await;
    let abandoned =
        tokio::time::timeout(Duration::from_millis(200), sqlx::query("SELECT pg_sleep(1), 'late'").execute(&db)).await;
    assert!(abandoned.is_err(), "the query was abandoned while it ran");
    let started = Instant::now();
    let answer: String = sqlx::query_scalar("SELECT 'next'").fetch_one(&db).await.unwrap();
    assert_eq!(answer, "next", "the next query gets its own answer, not the abandoned one's");
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
}

#[tokio::test]
async fn a_failed_query_and_a_rolled_back_transaction_leave_the_connection_usable() {
    let app = TestApp::new().await;
    let db = db(&app, 1, Duration::from_secs(10)).await;
    let error = sqlx::query("SELECT * FROM no_such_table").execute(&db).await.unwrap_err();
    assert_eq!(error.as_database_error().and_then(|e| e.code()).as_deref(), Some("42P01"));
    {
        use sqlx::Connection as _;
        let mut conn = db.acquire().await.unwrap();
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("CREATE TEMP TABLE left_behind (x int)").execute(&mut *tx).await.unwrap();
        // Dropped without commit: rolled back.
    }
    let left: Option<String> =
        sqlx::query_scalar("SELECT to_regclass('pg_temp.left_behind')::text").fetch_one(&db).await.unwrap();
    assert_eq!(left, None, "the transaction was rolled back, and the next query is not inside it");
}

#[tokio::test]
async fn a_connection_that_died_is_not_handed_out_again() {
    let app = TestApp::new().await;
    let db = db(&app, 1, Duration::from_secs(10)).await;
    let first = backend(&db).await;
    let ended: bool =
        sqlx::query_scalar("SELECT pg_terminate_backend($1, 5000)").bind(first).fetch_one(&app.pool).await.unwrap();
    assert!(ended);
    // Within CHECK_IDLE_AFTER the list's connection is handed out unchecked: its query
    // fails, and the connection goes back to sqlx, which closes it.
    assert!(sqlx::query("SELECT 1").execute(&db).await.is_err(), "the dead connection's query fails");
    let second = backend(&db).await;
    assert_ne!(second, first, "a new connection in its place");
    // After a quiet spell a dead connection is replaced before a query sees it.
    let ended: bool =
        sqlx::query_scalar("SELECT pg_terminate_backend($1, 5000)").bind(second).fetch_one(&app.pool).await.unwrap();
    assert!(ended);
    tokio::time::sleep(CHECK_IDLE_AFTER + Duration::from_millis(200)).await;
    assert_ne!(backend(&db).await, second);
}

#[tokio::test]
async fn on_a_pool_that_checks_before_every_use_a_dead_connection_is_never_seen() {
    let app = TestApp::new().await;
    // sqlx's default: test_before_acquire.
    let pool = PgPoolOptions::new().max_connections(1).acquire_timeout(Duration::from_secs(10));
    let db = Db::new(pool.connect_lazy(app.db.url()).unwrap());
    let first = backend(&db).await;
    let ended: bool =
        sqlx::query_scalar("SELECT pg_terminate_backend($1, 5000)").bind(first).fetch_one(&app.pool).await.unwrap();
    assert!(ended);
    assert_ne!(backend(&db).await, first, "checked and replaced before the query, which succeeds");
}

#[tokio::test]
async fn no_more_connections_than_the_pool_allows_and_waiting_is_bounded() {
    let app = TestApp::new().await;
    let db = db(&app, 2, Duration::from_millis(300)).await;
    let one = db.acquire().await.unwrap();
    let two = db.acquire().await.unwrap();
    let started = Instant::now();
    assert!(matches!(db.acquire().await, Err(sqlx::Error::PoolTimedOut)));
    assert!(started.elapsed() >= Duration::from_millis(250), "{:?}", started.elapsed());
    drop(one);
    let three = db.acquire().await.expect("the connection given back is handed out");
    drop((two, three));
    // Many queries at once share the two connections.
    let pids: Vec<i32> = futures_util::future::join_all((0..20).map(|_| backend(&db))).await;
    let distinct: std::collections::BTreeSet<_> = pids.into_iter().collect();
    assert!(distinct.len() <= 2, "{distinct:?}");
}
