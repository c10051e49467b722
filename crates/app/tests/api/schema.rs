//! The models agree with the migrated database, column by column.

use strata_app::models::{SchemaMismatch, check_schema};

use crate::support::TestApp;

#[tokio::test]
async fn every_model_matches_the_migrated_tables() {
    let app = TestApp::new().await;
    let mismatches = check_schema(&app.pool).await.unwrap();
    let report: Vec<String> = mismatches.iter().map(ToString::to_string).collect();
    assert!(report.is_empty(), "models and migrations disagree:\n{}", report.join("\n"));
}

#[tokio::test]
async fn a_disagreement_names_the_column() {
    let app = TestApp::new().await;
    app.execute(
        "ALTER TABLE app.items ALTER COLUMN description SET NOT NULL; \
         ALTER TABLE app.items ADD COLUMN colour text; \
         ALTER TABLE auth.\"user\" DROP COLUMN last_login_at; \
         ALTER TABLE master.categories ALTER COLUMN sort_order TYPE bigint; \
         CREATE TABLE app.orphans (id int)",
    )
    .await;
    let report: Vec<String> = check_schema(&app.pool).await.unwrap().iter().map(ToString::to_string).collect();
    assert_eq!(
        report,
        [
            "auth.user.last_login_at: in the model, not in the database",
            "master.categories.sort_order: the model says integer NOT NULL, the database has bigint NOT NULL",
            "app.items.description: the model says text NULL, the database has text NOT NULL",
            "app.items.colour: in the database, not in the model",
            "app.orphans: no model describes this table",
        ]
    );
    assert!(matches!(
        check_schema(&app.pool).await.unwrap()[0],
        SchemaMismatch::MissingColumn { ref column } if column == "auth.user.last_login_at"
    ));
}

const ELECTRONICS: &str = "20000000-0000-4000-8000-000000000001";
const PHONES: &str = "20000000-0000-4000-8000-000000000011";

// Regression: a category could be moved under its own descendant; walking that tree
// never ended (GET /api/items?category=... recursed until the temporary-file limit).
#[tokio::test]
async fn a_category_cannot_be_moved_inside_itself() {
    let app = TestApp::new().await;
    // electronics > phones > (new) smartphones; then electronics under smartphones.
    sqlx::query(
        "INSERT INTO master.categories (id, parent_id, slug, name) \
         VALUES ('20000000-0000-4000-8000-000000000111', $1::uuid, 'smartphones', 'Smartphones')",
    )
    .bind(PHONES)
    .execute(&app.pool)
    .await
    .unwrap();
    for parent in [PHONES, "20000000-0000-4000-8000-000000000111"] {
        let err = sqlx::query("UPDATE master.categories SET parent_id = $1::uuid WHERE id = $2::uuid")
            .bind(parent)
            .bind(ELECTRONICS)
            .execute(&app.pool)
            .await
            .unwrap_err();
        let db = err.as_database_error().unwrap_or_else(|| panic!("{err}"));
        assert_eq!(db.code().as_deref(), Some("23514"), "{err}");
        assert_eq!(db.constraint(), Some("categories_loop_check"));
        assert!(db.message().starts_with("category \"electronics\" cannot be inside \""), "{}", db.message());
    }
    // Moves that close no loop are still allowed.
    sqlx::query("UPDATE master.categories SET parent_id = $1::uuid WHERE slug = 'books'")
        .bind(PHONES)
        .execute(&app.pool)
        .await
        .unwrap();
    let parent: Option<uuid::Uuid> = sqlx::query_scalar("SELECT parent_id FROM master.categories WHERE id = $1::uuid")
        .bind(ELECTRONICS)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(parent, None, "the refused updates changed nothing");
}

#[tokio::test]
async fn the_loop_rule_is_not_installed_over_existing_loops() {
    // A loop made while the rule was off (or before it existed): running the
    // migration again (it is idempotent) fails and names the categories.
    let app = TestApp::new().await;
    app.loop_the_categories().await;
    let up = std::fs::read_to_string(
        crate::support::migrations_dir().join("migrate/20261201_000001_forbid_category_loops.up.sql"),
    )
    .unwrap();
    let err = sqlx::raw_sql(&up).execute(&app.pool).await.unwrap_err().to_string();
    assert!(err.contains("master.categories has loops through the categories electronics, phones"), "{err}");
}
