//! `strata db tables`: the row estimate is the studio's.

mod common;

use common::Project;
use serde_json::Value;

/// The estimated rows of `app.items` as `strata db tables --json` reports them.
fn estimated_rows(project: &Project) -> Value {
    let stdout = project.run(&["db", "tables", "--json"]).code(0).stdout;
    common::events(&stdout)
        .into_iter()
        .find(|e| e["event"] == "table" && e["name"] == "items")
        .unwrap_or_else(|| panic!("no items table in {stdout}"))["estimated_rows"]
        .clone()
}

// Regression: a table never analysed showed ~0 rows (reltuples is -1 until ANALYZE)
// while the studio showed ~61 from the live-tuple count.
#[test]
fn a_never_analysed_table_shows_its_live_rows_not_zero() {
    let project = Project::new();
    project.psql(
        "CREATE SCHEMA app; CREATE TABLE app.items (id int);
         ALTER TABLE app.items SET (autovacuum_enabled = off);
         INSERT INTO app.items SELECT generate_series(1, 61);",
    );
    assert_eq!(project.psql("SELECT reltuples FROM pg_class WHERE oid = 'app.items'::regclass"), "-1");
    // The server counts the inserted rows once psql's session has ended and reported them.
    let mut rows = estimated_rows(&project);
    for _ in 0..50 {
        if rows == 61 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        rows = estimated_rows(&project);
    }
    assert_eq!(rows, 61);
    // A view has no estimate rather than ~0.
    project.psql("CREATE VIEW app.items_view AS SELECT * FROM app.items");
    let out = project.strata().args(["db", "tables"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let view = text.lines().find(|l| l.contains("items_view")).unwrap();
    assert!(view.contains(" - ") && !view.contains("~0"), "{text}");
}
