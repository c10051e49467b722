//! Every API statement is bounded by the statement timeout: a slow one is cancelled by
//! PostgreSQL and answered as a clean 503, never a hang.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use strata_app::AppConfig;

use crate::support::{TestApp, TestResponse};

fn short_timeout() -> AppConfig {
    AppConfig { statement_timeout: Duration::from_millis(300), ..Default::default() }
}

/// `GET uri`, which must be answered well within `bound`.
async fn get_within(app: &TestApp, uri: &str, bound: Duration) -> (TestResponse, Duration) {
    let started = Instant::now();
    let response = tokio::time::timeout(bound, app.get(uri, None))
        .await
        .unwrap_or_else(|_| panic!("GET {uri} did not answer within {bound:?}"));
    (response, started.elapsed())
}

// Regression: a loop in master.categories made this statement recurse until
// PostgreSQL's temporary-file limit (a 500 after 6 s; without a limit, for ever).
#[tokio::test]
async fn a_runaway_statement_is_cancelled_and_answered_503() {
    let app = TestApp::with_config(short_timeout()).await;
    app.loop_the_categories().await;
    let uri = "/api/items?category=20000000-0000-4000-8000-000000000001";
    let (response, took) = get_within(&app, uri, Duration::from_secs(20)).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{}", response.json);
    assert_eq!(response.json["error"], "database_timeout");
    assert_eq!(response.json["message"], "the database took too long to answer");
    assert!(took < Duration::from_secs(5), "{took:?}");
    // The connection is fine afterwards.
    assert_eq!(app.get("/api/items?limit=1", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_statement_waiting_for_a_lock_is_cancelled_too() {
    let app = TestApp::with_config(short_timeout()).await;
    // A migration holding a lock on the table for a long time.
    let mut migration = app.pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE master.locations IN ACCESS EXCLUSIVE MODE").execute(&mut *migration).await.unwrap();
    let (response, took) = get_within(&app, "/api/locations", Duration::from_secs(20)).await;
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{}", response.json);
    assert_eq!(response.json["error"], "database_timeout");
    assert!(took < Duration::from_secs(5), "{took:?}");
    migration.rollback().await.unwrap();
    assert_eq!(app.get("/api/locations", None).await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_api_connections_carry_the_configured_timeout() {
    let app = TestApp::new().await;
    let timeout: String = sqlx::query_scalar("SHOW statement_timeout").fetch_one(&app.app_pool).await.unwrap();
    assert_eq!(timeout, "5s");
}
