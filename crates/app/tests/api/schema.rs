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
    sqlx::raw_sql(
        "ALTER TABLE app.items ALTER COLUMN description SET NOT NULL; \
         ALTER TABLE app.items ADD COLUMN colour text; \
         ALTER TABLE auth.\"user\" DROP COLUMN last_login_at; \
         ALTER TABLE master.categories ALTER COLUMN sort_order TYPE bigint; \
         CREATE TABLE app.orphans (id int)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
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
