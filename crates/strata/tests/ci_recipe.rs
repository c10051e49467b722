//! docs/ci.md's workflow, step by step: every `strata` command in it, read out
//! of the document, run in order with `DATABASE_URL` set as the workflow sets
//! it, on a project made by `strata init`, against real PostgreSQL.

mod common;

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

/// strata in `dir`, with `DATABASE_URL` set as the workflow sets it.
fn strata(dir: &Path, db: &TestDb) -> Command {
    let mut cmd = common::strata_in(dir);
    cmd.env("DATABASE_URL", db.url());
    cmd
}

/// Writes the pair `<folder>/<today>_<name>.{up,down}.sql` in the project; `today`'s prefix.
fn write(dir: &Path, folder: &str, name: &str, up: &str, down: &str) -> String {
    let today = common::today();
    let file = dir.join(format!("migrations/{folder}/{today}_{name}"));
    std::fs::write(file.with_extension("up.sql"), up).unwrap();
    std::fs::write(file.with_extension("down.sql"), down).unwrap();
    today
}

/// A project as `strata init` makes it, with one table and one seed.
fn project(db: &TestDb) -> tempfile::TempDir {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    strata(dir, db).args(["init", "--schemas", "app"]).assert().success();
    write(
        dir,
        "migrate",
        "000001_create_notes",
        "CREATE TABLE IF NOT EXISTS app.notes (id bigint PRIMARY KEY, body text NOT NULL);\n",
        "DROP TABLE IF EXISTS app.notes;\n",
    );
    write(
        dir,
        "seed",
        "000002_first_note",
        "INSERT INTO app.notes VALUES (1, 'hello') ON CONFLICT DO NOTHING;\n",
        "DELETE FROM app.notes WHERE id = 1;\n",
    );
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
    let today = write(
        project.path(),
        "migrate",
        "000003_add_tags",
        "CREATE TABLE app.tags (id bigint PRIMARY KEY);\n",
        "DROP TABLE IF EXISTS app.tags;\n",
    );
    let lint = workflow_commands().into_iter().find(|c| c[0] == "lint").unwrap();
    strata(project.path(), &db)
        .args(&lint)
        .assert()
        .code(3)
        .stdout(contains("::error file="))
        .stdout(contains(format!("{today}_000003_add_tags.up.sql,line=1,col=")));
}
