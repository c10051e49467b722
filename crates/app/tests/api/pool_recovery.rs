//! The API's pool after its connections die (a database restart, or an administrator
//! ending sessions; `pg_terminate_backend` stands in for both): no request hangs or
//! gets anything but its answer or 503, and the server recovers by itself.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use strata_app::db::CHECK_IDLE_AFTER;

use crate::support::{API_APPLICATION_NAME, TestApp, TestResponse, send_to};

/// Ends every connection of the router's pool; how many there were. Returns once
/// PostgreSQL has let them all go.
async fn kill_api_connections(app: &TestApp) -> i64 {
    let killed: i64 = sqlx::query_scalar(
        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity \
         WHERE application_name = $1 AND datname = current_database()",
    )
    .bind(API_APPLICATION_NAME)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()",
        )
        .bind(API_APPLICATION_NAME)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        if left == 0 {
            return killed;
        }
        assert!(Instant::now() < deadline, "{left} connections still there 10 s after pg_terminate_backend");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `n` list requests at once, so the pool opens (or reuses) several connections.
async fn lists_at_once(app: &TestApp, n: usize) -> Vec<TestResponse> {
    let mut requests = tokio::task::JoinSet::new();
    for _ in 0..n {
        let router = app.router.clone();
        requests.spawn(async move { send_to(&router, Request::get("/api/items").body(Body::empty()).unwrap()).await });
    }
    requests.join_all().await
}

/// Either the answer `ok` or 503 `database_unavailable`: a clean failure.
fn ok_or_unavailable(response: &TestResponse, ok: StatusCode) -> bool {
    if response.status == ok {
        return true;
    }
    assert_eq!(response.status, StatusCode::SERVICE_UNAVAILABLE, "{}", response.json);
    assert_eq!(response.json["error"], "database_unavailable");
    false
}

#[tokio::test]
async fn requests_right_after_the_connections_die_fail_cleanly_and_the_pool_recovers() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    assert!(lists_at_once(&app, 6).await.iter().all(|r| r.status == StatusCode::OK));
    let killed = kill_api_connections(&app).await;
    assert!(killed >= 1, "the router held no connection");

    // At once (the connections were idle for less than CHECK_IDLE_AFTER, so they are
    // not checked first): each request on a dead connection gets 503, never a hang,
    // a 500 or a wrong answer, and takes that connection out of the pool.
    let started = Instant::now();
    let mut failed = 0;
    // One at a time: a new connection per request at most, well within the acquire
    // timeout even on a busy machine.
    for _ in 0..6 {
        failed += usize::from(!ok_or_unavailable(&app.get("/api/items", None).await, StatusCode::OK));
    }
    let created = app.post("/api/items", json!({"name": "after the kill"}), Some(&cookie)).await;
    failed += usize::from(!ok_or_unavailable(&created, StatusCode::CREATED));
    assert!(failed as i64 <= killed, "{failed} requests failed, more than the {killed} dead connections");
    assert!(started.elapsed() < Duration::from_secs(5), "requests waited {:?}", started.elapsed());

    // Recovered without a restart: every request after those succeeds.
    for _ in 0..12 {
        let response = app.get("/api/items", None).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.json);
    }
    let created = app.post("/api/items", json!({"name": "recovered"}), Some(&cookie)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
}

#[tokio::test]
async fn connections_that_died_during_a_quiet_spell_are_replaced_before_a_request_sees_them() {
    let app = TestApp::new().await;
    let cookie = app.login_demo("alice@example.com").await;
    assert!(lists_at_once(&app, 6).await.iter().all(|r| r.status == StatusCode::OK));
    assert!(kill_api_connections(&app).await >= 1);
    tokio::time::sleep(CHECK_IDLE_AFTER + Duration::from_millis(300)).await;
    for _ in 0..6 {
        let response = app.get("/api/items", None).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.json);
    }
    let created = app.post("/api/items", json!({"name": "after a quiet spell"}), Some(&cookie)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.json);
}
