//! The seed track: up, down, up again leaves the same rows; down removes only its own.

use strata_migrate::apply::{self, Options};
use strata_migrate::{DownTarget, MigrationSet, Request, Track};

use crate::support::{TestApp, migrations_dir};

/// Every row of the seeded tables, as text, in a stable order.
async fn snapshot(pool: &sqlx::PgPool) -> Vec<String> {
    let mut rows = Vec::new();
    for table in ["auth.\"user\"", "master.categories", "master.locations", "app.items"] {
        let sql = format!("SELECT t::text FROM {table} AS t ORDER BY t.id");
        let table_rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(pool).await.unwrap();
        rows.extend(table_rows.into_iter().map(|r| format!("{table}: {r}")));
    }
    rows
}

async fn seeds(app: &TestApp, request: Request) {
    let set = MigrationSet::load(&migrations_dir()).unwrap();
    let mut conn = app.db.connect().await;
    apply::run(&mut conn, &set, Track::Seed, &request, &Options::default(), &mut ()).await.unwrap();
}

#[tokio::test]
async fn seeds_up_down_up_leave_the_same_rows() {
    let app = TestApp::new().await;
    let first = snapshot(&app.pool).await;
    assert_eq!(first.len(), 3 + 11 + 15 + 60);

    seeds(&app, Request::Down(DownTarget::All)).await;
    assert_eq!(snapshot(&app.pool).await, Vec::<String>::new(), "down removes everything the seeds added");

    seeds(&app, Request::Up { to: None, allow_out_of_order: false }).await;
    assert_eq!(snapshot(&app.pool).await, first);
}

#[tokio::test]
async fn seeds_down_keeps_rows_it_did_not_add() {
    let app = TestApp::new().await;
    let (cookie, _) = app.register("keeper@example.com").await;
    let created = app.post("/api/items", serde_json::json!({"name": "mine"}), Some(&cookie)).await;
    assert_eq!(created.status, axum::http::StatusCode::CREATED);

    seeds(&app, Request::Down(DownTarget::All)).await;
    let left = snapshot(&app.pool).await;
    assert_eq!(left.len(), 2, "{left:#?}");
    assert!(left[0].contains("keeper@example.com") && left[1].contains("mine"), "{left:#?}");
}

#[tokio::test]
async fn seed_files_applied_twice_change_nothing() {
    let app = TestApp::new().await;
    let before = snapshot(&app.pool).await;
    let mut dir: Vec<_> =
        std::fs::read_dir(migrations_dir().join("seed")).unwrap().map(|e| e.unwrap().path()).collect();
    dir.sort();
    for path in dir.iter().filter(|p| p.to_string_lossy().ends_with(".up.sql")) {
        let sql = std::fs::read_to_string(path).unwrap();
        sqlx::raw_sql(&sql).execute(&app.pool).await.unwrap();
    }
    assert_eq!(snapshot(&app.pool).await, before);
}

#[tokio::test]
async fn migrations_roll_back_to_an_empty_database_and_reapply() {
    let app = TestApp::new().await;
    let mut conn = app.db.connect().await;
    strata_migrate::down_all(&mut conn, &migrations_dir()).await.unwrap();
    let left: Vec<String> = sqlx::query_scalar(
        "SELECT n.nspname::text FROM pg_namespace AS n WHERE n.nspname IN ('auth', 'master', 'app')",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(left, Vec::<String>::new());
    strata_migrate::up_all(&mut conn, &migrations_dir()).await.unwrap();
    assert_eq!(snapshot(&app.pool).await.len(), 89);
}
