//! `TestDb::migrated`: clones of a template with the folder's files applied.

use strata_testing::{MigrationDir, TestDb};

async fn names(db: &TestDb) -> (Vec<String>, Vec<String>) {
    let mut conn = db.connect().await;
    let tables = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'app' ORDER BY 1",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    let history = sqlx::query_scalar("SELECT track || ' ' || version FROM public.migration_history ORDER BY 1")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    (tables, history)
}

#[tokio::test]
async fn clones_carry_the_files_and_are_independent_and_an_edit_makes_a_new_template() {
    let dir = MigrationDir::with_app_schema();
    let tag = format!("t{:08x}", rand::random::<u32>());
    dir.write("migrate", "20251124_000001_a", &format!("CREATE TABLE app.{tag} (id int);\n"), "DROP TABLE app.a;\n");
    dir.write_up("seed", "20251124_000001_rows", &format!("INSERT INTO app.{tag} VALUES (1), (2);\n"));
    let first = TestDb::migrated(dir.path());
    let second = TestDb::migrated(dir.path());
    assert_ne!(first.name(), second.name());
    let expected_history =
        vec!["migrate 20251124_000000".to_owned(), "migrate 20251124_000001".into(), "seed 20251124_000001".into()];
    assert_eq!(names(&first).await, (vec![tag.clone()], expected_history.clone()));
    let mut conn = first.connect().await;
    sqlx::raw_sql(&format!("DROP TABLE app.{tag}")).execute(&mut conn).await.unwrap();
    assert_eq!(names(&second).await.0, vec![tag.clone()], "a clone does not see another clone's changes");
    let rows: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM app.{tag}"))
        .fetch_one(&mut second.connect().await)
        .await
        .unwrap();
    assert_eq!(rows, 2, "the seed track was applied too");

    // An edited file is a different set: a new template, with the edit.
    dir.write("migrate", "20251124_000001_a", &format!("CREATE TABLE app.{tag}_b (id int);\n"), "DROP TABLE app.a;\n");
    dir.write_up("seed", "20251124_000001_rows", &format!("INSERT INTO app.{tag}_b VALUES (1);\n"));
    let edited = TestDb::migrated(dir.path());
    assert_eq!(names(&edited).await, (vec![format!("{tag}_b")], expected_history.clone()));
    let ran = TestDb::migrated_by_running(dir.path());
    assert_eq!(names(&ran).await, (vec![format!("{tag}_b")], expected_history));
}

#[test]
#[should_panic(expected = "20251124_000001_bad.up.sql")]
fn a_failing_file_names_itself() {
    let dir = MigrationDir::new();
    dir.write_up("migrate", "20251124_000001_bad", &format!("SELECT nonsense_{:08x};\n", rand::random::<u32>()));
    TestDb::migrated(dir.path());
}
