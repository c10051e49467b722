//! How long the studio takes to render a page of a 1,000,000-row table, and its
//! pages on a database of 500 tables across 10 schemas (home, tree, diagram).
//!
//! `cargo run --release -p strata-studio --example page_timing` fills a fresh test
//! database (the same private cluster the tests use, or `STRATA_TEST_DATABASE_URL`)
//! with `generate_series`, then times whole requests through the studio's router:
//! the security middleware, the catalog queries, the page query and the HTML. A
//! second fresh database gets the 500 tables and their foreign keys from the
//! generator the diagram tests use (`-- --only-wide` times only those pages).

use std::time::{Duration, Instant};

#[path = "../tests/common/erd_schema.rs"]
#[allow(dead_code)]
mod erd_schema;

use axum::body::{Body, to_bytes};
use axum::http::Request;
use strata_studio::StudioConfig;
use tower::ServiceExt;

const ROWS: i64 = 1_000_000;
const RUNS: usize = 30;

#[tokio::main]
async fn main() {
    // `-- --only-wide` skips the million rows.
    if !std::env::args().any(|a| a == "--only-wide") {
        rows().await;
    }
    wide().await;
}

/// A page of a 1,000,000-row table.
async fn rows() {
    let db = strata_testing::TestDb::new();
    let pool = db.pool().await;
    let started = Instant::now();
    sqlx::raw_sql(&format!(
        "CREATE SCHEMA bench;
         CREATE TABLE bench.orders (
             id bigint PRIMARY KEY, customer uuid NOT NULL, placed_at timestamptz NOT NULL,
             status text NOT NULL, amount numeric(12, 2), note text);
         INSERT INTO bench.orders
         SELECT g, md5((g % 5000)::text)::uuid, timestamptz '2024-01-01' + g * interval '30 seconds',
                (ARRAY['new', 'paid', 'shipped', 'returned'])[1 + g % 4], (g % 100000) / 100.0,
                CASE WHEN g % 10 = 0 THEN NULL ELSE 'order number ' || g END
         FROM generate_series(1, {ROWS}) g;
         CREATE INDEX orders_placed_at_idx ON bench.orders (placed_at);
         ANALYZE bench.orders;"
    ))
    .execute(&pool)
    .await
    .expect("fill the table");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM bench.orders").fetch_one(&pool).await.unwrap();
    assert_eq!(count, ROWS);
    println!("filled bench.orders with {count} rows in {:.1} s", started.elapsed().as_secs_f64());

    let (app, cookie) = signed_in(pool).await;
    let deep_cursor = form_urlencoded::byte_serialize(b"[\"900000\"]").collect::<String>();
    let deep_sorted = form_urlencoded::byte_serialize(b"[\"2024-10-01 00:00:00+00\",\"700000\"]").collect::<String>();
    let cases = [
        ("first page (50 rows, by primary key)", "/s/bench/orders".to_owned()),
        ("page after row 900,000 (keyset)", format!("/s/bench/orders?after={deep_cursor}")),
        ("sorted by placed_at desc (indexed)", "/s/bench/orders?sort=placed_at&dir=desc".to_owned()),
        (
            "sorted by placed_at, deep page (keyset)",
            format!("/s/bench/orders?sort=placed_at&dir=asc&after={deep_sorted}"),
        ),
        ("sorted by amount (no index: top-50 sort)", "/s/bench/orders?sort=amount&dir=desc".to_owned()),
        ("filtered status = 'returned' (no index)", "/s/bench/orders?fc=status&fo=eq&fv=returned".to_owned()),
        ("row page of row 500,000", "/s/bench/orders/row?c=id&v=500000".to_owned()),
    ];
    time(&app, &cookie, &cases).await;
}

/// The pages that list or draw every table, on 500 tables across 10 schemas.
async fn wide() {
    let wide = strata_testing::TestDb::new();
    let pool = wide.pool().await;
    let schemas: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
    let names: Vec<&str> = schemas.iter().map(String::as_str).collect();
    sqlx::raw_sql(&erd_schema::sql(&names, 500, 5, false)).execute(&pool).await.expect("500 tables");
    let keys: i64 =
        sqlx::query_scalar("SELECT count(*) FROM pg_constraint WHERE contype = 'f'").fetch_one(&pool).await.unwrap();
    println!("\n500 tables across 10 schemas, {keys} foreign keys:");
    let (app, cookie) = signed_in(pool).await;
    let cases = [
        ("home page (schemas collapsed)", "/".to_owned()),
        ("home page filtered ?q=t15", "/?q=t15".to_owned()),
        ("a table page (tree of 500 in the sidebar)", "/s/s3/s3_t150".to_owned()),
        ("diagram of one schema (50 tables)", "/erd?schema=s3".to_owned()),
        ("diagram around one table", "/erd?schema=s3&table=s3_t150".to_owned()),
        ("diagram of all 500 tables", "/erd".to_owned()),
    ];
    time(&app, &cookie, &cases).await;
}

type App = axum::Router;

/// A router on `pool` and the cookie of a signed-in browser.
async fn signed_in(pool: sqlx::PgPool) -> (App, String) {
    let config = StudioConfig::new(false);
    let app = strata_studio::router(pool, config.clone());
    let (_, headers, _) = send(&app, format!("/?token={}", config.token), None).await;
    let cookie = headers["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    (app, cookie)
}

async fn send(
    app: &App,
    path: String,
    cookie: Option<String>,
) -> (axum::http::StatusCode, axum::http::HeaderMap, String) {
    let mut req = Request::get(&path).header("host", "127.0.0.1:4983");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let response = app.clone().oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = to_bytes(response.into_body(), 64 << 20).await.unwrap();
    (status, headers, String::from_utf8_lossy(&body).into_owned())
}

/// Times each case `RUNS` times (after one warm-up) and prints median, p95, max.
async fn time(app: &App, cookie: &str, cases: &[(&str, String)]) {
    println!("\n{RUNS} requests each, through the router (HTML included); median / p95 / max:");
    for (label, path) in cases {
        let (status, _, body) = send(app, path.clone(), Some(cookie.to_owned())).await;
        assert!(status.is_success(), "{path}: {status}\n{body}");
        let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let t = Instant::now();
            let (status, _, _) = send(app, path.clone(), Some(cookie.to_owned())).await;
            times.push(t.elapsed());
            assert!(status.is_success());
        }
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "  {label:<42} {:>7.2} ms {:>7.2} ms {:>7.2} ms  ({} kB)",
            ms(times[RUNS / 2]),
            ms(times[RUNS * 95 / 100]),
            ms(times[RUNS - 1]),
            body.len() / 1024
        );
    }
}
