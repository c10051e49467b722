//! docs/ci.md's workflow, step by step: every `strata` command in it, read out
//! of the document, run in order with `DATABASE_URL` set as the workflow sets
//! it, on a project made by `strata init`, against real PostgreSQL.

use std::path::Path;

use assert_cmd::Command;
use predicates::str::contains;
use strata_testing::TestDb;

/// The `run: strata ...` steps of the workflow in docs/ci.md, as argument lists.
fn workflow_commands() -> Vec<Vec<String>> {
    let doc = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/ci.md")).unwrap();
    let start = doc.find("```yaml\n").expect("a yaml block in docs/ci.md");
    let yaml = &doc[start..start + doc[start..].find("\n```\n").expect("its end")];
    assert!(yaml.contains("DATABASE_URL: postgres://"), "the workflow sets DATABASE_URL");
    yaml.lines()
        .filter_map(|l| l.trim().strip_prefix("run: strata "))
        .map(|args| args.split_whitespace().map(str::to_owned).collect())
        .collect()
}

fn strata(dir: &Path, db: &TestDb) -> Command {
    let mut cmd = Command::cargo_bin("strata").unwrap();
    cmd.current_dir(dir).env("DATABASE_URL", db.url()).env("NO_COLOR", "1");
    cmd
}

/// A project as `strata init` makes it, with one table and one seed.
fn project(db: &TestDb) -> tempfile::TempDir {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    strata(dir, db).args(["init", "--schemas", "app"]).assert().success();
    let today = chrono::Utc::now().format("%Y%m%d");
    let migrate = dir.join(format!("migrations/migrate/{today}_000001_create_notes"));
    std::fs::write(
        migrate.with_extension("up.sql"),
        "CREATE TABLE IF NOT EXISTS app.notes (id bigint PRIMARY KEY, body text NOT NULL);\n",
    )
    .unwrap();
    std::fs::write(migrate.with_extension("down.sql"), "DROP TABLE IF EXISTS app.notes;\n").unwrap();
    let seed = dir.join(format!("migrations/seed/{today}_000002_first_note"));
    std::fs::write(
        seed.with_extension("up.sql"),
        "INSERT INTO app.notes VALUES (1, 'hello') ON CONFLICT DO NOTHING;\n",
    )
    .unwrap();
    std::fs::write(seed.with_extension("down.sql"), "DELETE FROM app.notes WHERE id = 1;\n").unwrap();
    project
}

#[test]
fn every_command_of_the_workflow_passes_on_a_good_project() {
    let commands = workflow_commands();
    let names: Vec<String> = commands.iter().map(|c| c.join(" ")).collect();
    assert_eq!(names, ["lint --format github", "verify", "migrate up", "seed up", "migrate status"]);
    let db = TestDb::new();
    let project = project(&db);
    for args in &commands {
        strata(project.path(), &db).args(args).assert().success();
    }
    // The status step ran on the database the workflow migrated.
    strata(project.path(), &db).args(["migrate", "status"]).assert().stdout(contains("2 applied, 0 pending"));
}

#[test]
fn the_lint_step_annotates_and_fails_a_non_idempotent_file() {
    let db = TestDb::new();
    let project = project(&db);
    let today = chrono::Utc::now().format("%Y%m%d");
    let bad = project.path().join(format!("migrations/migrate/{today}_000003_add_tags"));
    std::fs::write(bad.with_extension("up.sql"), "CREATE TABLE app.tags (id bigint PRIMARY KEY);\n").unwrap();
    std::fs::write(bad.with_extension("down.sql"), "DROP TABLE IF EXISTS app.tags;\n").unwrap();
    let lint = workflow_commands().into_iter().find(|c| c[0] == "lint").unwrap();
    strata(project.path(), &db)
        .args(&lint)
        .assert()
        .code(3)
        .stdout(contains("::error file="))
        .stdout(contains(format!("{today}_000003_add_tags.up.sql,line=1,col=")));
}
