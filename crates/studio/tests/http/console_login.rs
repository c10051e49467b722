//! The console's login, session and size rules (issue 10): no console on a login
//! that reaches past the database, nothing left behind in a session, bounded
//! pages and exports, a clear 400 for `COPY ... TO STDOUT`, a one-time launch token.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use strata_migrate::history::HistoryTable;

use crate::harness::{Studio, migrations_dir};

#[tokio::test]
async fn the_console_is_refused_on_a_superuser_login_and_every_page_names_the_login() {
    // The console ran COPY ... TO PROGRAM on the studio's superuser login.
    let s = Studio::seeded(false).await.reconfigured(|c| c.unsafe_console = false).await;
    let login = s.scalar("SELECT session_user::text").await;
    let page = s.get("/console").await;
    page.assert_ok().assert_text(&format!("login {login}")).assert_contains("console-disabled");
    page.assert_text(&format!("the studio's login {login} is a superuser")).assert_text("--unsafe-superuser-console");
    s.get("/").await.assert_ok().assert_text(&format!("login {login}"));
    let run = s.console("COPY (SELECT 1) TO PROGRAM 'id > /tmp/strata-studio-x'", &[]).await;
    assert_eq!(run.status, StatusCode::FORBIDDEN, "{}", run.body);
    run.assert_text("is a superuser");
    let export = s.post("/console/export", &[("sql", "SELECT 1"), ("format", "csv")]).await;
    assert_eq!(export.status, StatusCode::FORBIDDEN, "{}", export.body);
    // The loud flag opens it.
    let s = s.reconfigured(|c| c.unsafe_console = true).await;
    s.console("SELECT 1", &[]).await.assert_ok();
}

#[tokio::test]
async fn copy_to_stdout_in_the_console_is_a_clear_400_not_a_500() {
    // The protocol error of COPY's data exchange answered 500.
    let s = Studio::seeded(false).await;
    let r = s.console("COPY app.items TO STDOUT", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    r.assert_text("COPY ... TO STDOUT").assert_text("Export CSV");
    // The console still works afterwards.
    s.console("SELECT 41 + 1", &[]).await.assert_ok().assert_contains("42");
}

#[tokio::test]
async fn huge_values_are_cut_by_the_server_and_the_page_says_so() {
    // 5 values of 100 MB made a 500 MB page after 10.7 s, and 1.57 GB of memory.
    let s = Studio::seeded(false).await;
    let started = Instant::now();
    let r = s.console("SELECT repeat('x', 100000000) FROM generate_series(1, 5)", &[]).await;
    let took = started.elapsed();
    r.assert_ok().assert_text("5 values were longer than 10,000 characters and cut");
    assert!(r.body.len() < 200_000, "page of {} bytes", r.body.len());
    assert!(took < Duration::from_secs(5), "took {took:?}");
    eprintln!("5 x 100 MB values: page of {} bytes in {took:?}", r.body.len());

    // Many mid-sized values: the page stops at its byte cap.
    let r = s.console("SELECT repeat('y', 9000) FROM generate_series(1, 1000)", &[]).await;
    r.assert_ok().assert_text("the page stopped at 2 MiB");
    assert!(r.body.len() < 3 << 20, "page of {} bytes", r.body.len());

    // Statements that cannot be wrapped are cut on arrival.
    let r = s.console("SHOW search_path", &[]).await;
    r.assert_ok().assert_contains("search_path");
}

#[tokio::test]
async fn exports_cut_huge_values_and_say_so_in_the_file() {
    let s = Studio::seeded(false).await;
    let started = Instant::now();
    let r = s
        .post(
            "/console/export",
            &[("sql", "SELECT repeat('x', 100000000) AS v FROM generate_series(1, 3)"), ("format", "csv")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body.chars().take(300).collect::<String>());
    assert!(r.body.len() < 300_000, "export of {} bytes", r.body.len());
    assert_eq!(r.body.matches("[… cut by strata studio: longer than 65536 characters]").count(), 3);
    eprintln!("3 x 100 MB values exported as {} bytes in {:?}", r.body.len(), started.elapsed());
    // A table export too.
    s.exec("CREATE TABLE public.big AS SELECT repeat('z', 70000) AS v").await;
    let t = s.get("/s/public/big/export?format=json").await;
    assert_eq!(t.status, StatusCode::OK);
    assert!(t.body.contains("longer than 65536 characters"), "{}", &t.body[..200]);
}

#[tokio::test]
async fn an_advisory_lock_taken_in_the_console_does_not_block_migrate_up() {
    // The console's session kept strata's migration lock, and `migrate up` waited.
    let s = Studio::seeded(false).await;
    let key = HistoryTable::default().lock_key();
    s.console(&format!("SELECT pg_advisory_lock({key})"), &[]).await.assert_ok();
    s.console("PREPARE leftover AS SELECT 1", &[]).await.assert_ok();
    let mut conn = s.db.connect().await;
    tokio::time::timeout(Duration::from_secs(15), strata_migrate::up_all(&mut conn, &migrations_dir()))
        .await
        .expect("migrate up is not blocked by the console's lock")
        .expect("migrate up");
    let held: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(held, 0);
    // Prepared statements do not survive either.
    let r = s.console("EXECUTE leftover", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.assert_text("prepared statement \"leftover\" does not exist");
}

#[tokio::test]
async fn the_launch_token_opens_one_session_only() {
    // The token opened any number of sessions for the life of the process.
    let s = Studio::seeded(false).await;
    let again = s.raw_get(&format!("/?token={}", s.config.token), &[]).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);
    assert!(again.body.contains("used already"), "{}", again.body);
    // The signed-in browser reloading the address is simply sent on.
    let reload = s.raw_get(&format!("/?token={}", s.config.token), &[("cookie", &s.cookie)]).await;
    assert_eq!(reload.status, StatusCode::SEE_OTHER);
    assert!(reload.header("set-cookie").is_empty());
}

#[tokio::test]
async fn the_launch_token_expires() {
    let db = strata_testing::TestDb::new();
    let mut config = strata_studio::StudioConfig::new(false);
    config.launch_ttl = Duration::ZERO;
    let app = strata_studio::router(db.pool().await, config.clone());
    let request = axum::http::Request::get(format!("/?token={}", config.token))
        .header("host", crate::harness::HOST)
        .body(axum::body::Body::empty())
        .unwrap();
    let r = tower::ServiceExt::oneshot(app, request).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
    assert!(String::from_utf8_lossy(&body).contains("expired"));
}
