//! The SQL console: results, caps, timeouts, EXPLAIN and errors.

use axum::http::StatusCode;

use crate::harness::Studio;

#[tokio::test]
async fn a_query_shows_its_rows_with_any_type() {
    let s = Studio::seeded(false).await;
    let r = s
        .console("SELECT i.name, u.email, i.price_cents, i.is_active, i.created_at, '{\"a\":1}'::jsonb AS doc, NULL::int AS nothing, '(1,2)'::point AS p\nFROM app.items i JOIN auth.\"user\" u ON u.id = i.user_id ORDER BY i.name LIMIT 3;", &[])
        .await;
    r.assert_ok()
        .assert_contains("3 rows")
        .assert_contains("rolled back")
        .assert_contains("{&quot;a&quot;: 1}")
        .assert_contains("(1,2)")
        .assert_contains("NULL");
    let email = s
        .scalar("SELECT u.email FROM app.items i JOIN auth.\"user\" u ON u.id = i.user_id ORDER BY i.name LIMIT 1")
        .await;
    r.assert_contains(&email);
}

#[tokio::test]
async fn rows_beyond_the_cap_are_not_shown() {
    let s = Studio::seeded(false).await;
    let r = s.console("SELECT g FROM generate_series(1, 5000) g", &[]).await;
    r.assert_ok().assert_contains("1,000 rows").assert_contains("cut at the cap of 1,000");
    assert!(r.body.contains("<td class=\"\">1000</td>"));
    assert!(!r.body.contains("<td class=\"\">1001</td>"));
    // Statements a cursor cannot hold are capped too.
    let r = s.console("SHOW ALL", &[]).await;
    r.assert_ok().assert_contains("rows");
}

#[tokio::test]
async fn the_statement_timeout_stops_long_queries() {
    let s = Studio::seeded(false).await;
    let r = s.console("SELECT pg_sleep(30)", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.assert_contains("canceling statement due to statement timeout").assert_contains("57014");
}

#[tokio::test]
async fn explain_shows_the_plan() {
    let s = Studio::seeded(false).await;
    let r = s.console("SELECT * FROM app.items WHERE user_id = gen_random_uuid()", &[("action", "explain")]).await;
    r.assert_ok().assert_contains("QUERY PLAN").assert_contains("app.items");
    let r = s.console("SELECT count(*) FROM app.items", &[("action", "analyze")]).await;
    r.assert_ok().assert_contains("actual time=").assert_contains("Execution Time");
    // EXPLAIN ANALYZE runs the statement, so a write is still refused.
    let r = s.console("DELETE FROM app.items", &[("action", "analyze")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.assert_contains("read-only transaction");
}

#[tokio::test]
async fn errors_point_at_the_position_in_the_statement() {
    let s = Studio::seeded(false).await;
    let r = s.console("SELECT 1\nFROM app.nope", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    r.assert_contains("relation &quot;app.nope&quot; does not exist")
        .assert_contains("42P01")
        .assert_contains("line 2: FROM app.nope");
    let r = s.console("   ", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn with_write_mode_the_console_commits_only_when_asked() {
    let s = Studio::seeded(true).await;
    let r = s.console("CREATE TABLE app.scratch (id int)", &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "read-only unless commit is ticked");
    let r = s.console("CREATE TABLE app.scratch (id int)", &[("commit", "1")]).await;
    r.assert_ok().assert_contains("committed");
    let r = s.console("INSERT INTO app.scratch VALUES (1), (2) RETURNING id", &[("commit", "1")]).await;
    r.assert_ok().assert_contains("2 rows");
    assert_eq!(s.scalar("SELECT count(*)::text FROM app.scratch").await, "2");
}

// A statement the console prepared stayed cached on its pooled connection, so the
// same text after the table changed was described with the old columns.
#[tokio::test]
async fn the_same_query_works_after_the_table_changes() {
    let s = Studio::seeded(true).await;
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(1).connect(s.db.url()).await.unwrap();
    let s = Studio::login(s.db, pool, s.config).await;
    let insert = "INSERT INTO app.shape VALUES (1) RETURNING *";
    s.console("CREATE TABLE app.shape (a int)", &[("commit", "1")]).await.assert_ok();
    s.console(insert, &[("commit", "1")]).await.assert_ok();
    s.console("SELECT * FROM app.shape", &[]).await.assert_ok();
    s.console("ALTER TABLE app.shape ADD COLUMN b text", &[("commit", "1")]).await.assert_ok();
    s.console("SELECT * FROM app.shape", &[]).await.assert_ok().assert_contains("<th>b<");
    s.console(insert, &[("commit", "1")]).await.assert_ok().assert_contains("<th>b<");
}
