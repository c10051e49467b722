//! `strata init` in an empty folder outside the repository, then the commands a
//! new team runs there: generate, lint, migrate up, status, verify, down, on a
//! test database and on the embedded one.

mod common;

use std::path::Path;

use common::strata_in as strata;
use predicates::str::contains;
use strata_testing::TestDb;

fn files_in(dir: &Path) -> Vec<String> {
    let mut out = vec![];
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_new_project_from_init_to_verify() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    assert!(!dir.starts_with(env!("CARGO_MANIFEST_DIR")));
    strata(dir)
        .args(["init", "--schemas", "auth,master,app"])
        .assert()
        .success()
        .stdout(contains("created strata.toml"));
    let today = common::today();
    let up = format!("migrations/migrate/{today}_000000_create_schemas.up.sql");
    assert_eq!(
        files_in(dir),
        [
            ".gitattributes".to_owned(),
            ".gitignore".to_owned(),
            format!("migrations/migrate/{today}_000000_create_schemas.down.sql"),
            up.clone(),
            "migrations/seed/.gitkeep".to_owned(),
            "strata.toml".to_owned(),
        ]
    );
    let schemas = std::fs::read_to_string(dir.join(&up)).unwrap();
    assert!(schemas.contains(
        "CREATE SCHEMA IF NOT EXISTS auth;\nCREATE SCHEMA IF NOT EXISTS master;\nCREATE SCHEMA IF NOT EXISTS app;\n"
    ));
    assert!(std::fs::read_to_string(dir.join(".gitattributes")).unwrap().contains("*.sql text eol=lf"));
    assert!(std::fs::read_to_string(dir.join(".gitignore")).unwrap().contains("/.strata/"));

    strata(dir).args(["generate", "--type=migrate", "--name=create_items", "--schema=app"]).assert().success();
    strata(dir).args(["generate", "--type=seed", "--name=demo_items", "--schema=app"]).assert().success();
    let write = |track: &str, seq: &str, name: &str, up: &str, down: &str| {
        let base = dir.join("migrations").join(track).join(format!("{today}_{seq}_{name}"));
        std::fs::write(base.with_extension("up.sql"), up).unwrap();
        std::fs::write(base.with_extension("down.sql"), down).unwrap();
    };
    write(
        "migrate",
        "000001",
        "create_items",
        "CREATE TABLE IF NOT EXISTS app.items (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name text NOT NULL\n);\n",
        "DROP TABLE IF EXISTS app.items;\n",
    );
    write(
        "seed",
        "000002",
        "demo_items",
        "INSERT INTO app.items (id, name) OVERRIDING SYSTEM VALUE VALUES (1, 'first') ON CONFLICT DO NOTHING;\n",
        "DELETE FROM app.items WHERE id = 1;\n",
    );
    strata(dir).arg("lint").assert().success();

    let db = TestDb::new();
    let on_db = |args: &[&str]| {
        let mut cmd = strata(dir);
        cmd.arg("--database-url").arg(db.url()).args(args);
        cmd
    };
    on_db(&["migrate", "up"]).assert().success().stdout(contains("Applied 2 migrations"));
    on_db(&["seed", "up"]).assert().success();
    on_db(&["migrate", "status"]).assert().success().stdout(contains("2 applied, 0 pending, 0 with problems"));
    on_db(&["verify"]).assert().success().stdout(contains("Verified 3 files"));
    on_db(&["seed", "down", "--yes"]).assert().success();
    on_db(&["migrate", "down", "--yes"]).assert().success().stdout(contains("Rolled back 2 migrations"));
    on_db(&["migrate", "status"]).assert().success().stdout(contains("0 applied, 2 pending"));
}

/// `strata migrate up` right after init, with no URL anywhere: the embedded
/// database is created in the project's .strata/ and used.
#[test]
fn migrate_up_after_init_uses_the_embedded_database() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    strata(dir).args(["init", "--schemas", "auth,app"]).assert().success();
    let up = strata(dir).args(["migrate", "up"]).assert();
    let up_output = up.get_output().clone();
    let status = strata(dir).args(["migrate", "status"]).assert();
    let status_output = status.get_output().clone();
    let schemas = strata(dir).args(["db", "schemas"]).assert();
    let schemas_output = schemas.get_output().clone();
    // The cluster (and a data directory relocated for root) goes away with the test.
    strata(dir).args(["db", "reset", "--yes"]).assert().success();
    let text = |o: &std::process::Output| {
        format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
    };
    assert!(up_output.status.success(), "{}", text(&up_output));
    assert!(text(&up_output).contains("Applied 1 migration"), "{}", text(&up_output));
    assert!(status_output.status.success() && text(&status_output).contains("1 applied"), "{}", text(&status_output));
    assert!(
        text(&schemas_output).contains("auth") && text(&schemas_output).contains("app"),
        "{}",
        text(&schemas_output)
    );
    assert!(dir.join(".strata").is_dir());
}

#[test]
fn init_refuses_to_overwrite_and_writes_nothing() {
    for existing in ["strata.toml", "migrations/migrate/20250101_000000_old.up.sql", "migrations/seed/notes.txt"] {
        let project = tempfile::tempdir().unwrap();
        let dir = project.path();
        let path = dir.join(existing);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "keep me\n").unwrap();
        // A .gitignore that init would complete is left alone too when it refuses.
        std::fs::write(dir.join(".gitignore"), "target/\n").unwrap();
        let before = files_in(dir);
        strata(dir).arg("init").assert().code(2).stderr(contains(existing)).stderr(contains("nothing was written"));
        assert_eq!(files_in(dir), before, "{existing}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "keep me\n");
        assert_eq!(std::fs::read_to_string(dir.join(".gitignore")).unwrap(), "target/\n");
    }
}

/// In a service's repository: its .gitignore and .gitattributes keep every line
/// and get only the ones they lack, as `cargo init` does.
#[test]
fn init_completes_existing_git_files() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    std::fs::write(dir.join(".gitignore"), "target/\n.strata\n").unwrap();
    std::fs::write(dir.join(".gitattributes"), "*.png binary").unwrap();
    strata(dir)
        .arg("init")
        .assert()
        .success()
        .stdout(contains("added .env to .gitignore"))
        .stdout(contains("added *.sql text eol=lf to .gitattributes"));
    let ignore = std::fs::read_to_string(dir.join(".gitignore")).unwrap();
    assert!(ignore.starts_with("target/\n.strata\n\n# "), "{ignore}");
    assert!(ignore.ends_with("\n.env\n") && !ignore.contains("/.strata/"), "{ignore}");
    let attributes = std::fs::read_to_string(dir.join(".gitattributes")).unwrap();
    assert!(
        attributes.starts_with("*.png binary\n\n# ") && attributes.ends_with("\n*.sql text eol=lf\n"),
        "{attributes}"
    );
    // Nothing left to add: kept as they are.
    std::fs::remove_file(dir.join("strata.toml")).unwrap();
    std::fs::remove_dir_all(dir.join("migrations")).unwrap();
    strata(dir).arg("init").assert().success().stdout(contains("kept .gitignore"));
    assert_eq!(std::fs::read_to_string(dir.join(".gitignore")).unwrap(), ignore);
}

#[test]
fn init_with_another_dir_records_it() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    strata(dir).args(["init", "--dir", "db/migrations"]).assert().success();
    let toml = std::fs::read_to_string(dir.join("strata.toml")).unwrap();
    assert!(toml.contains("\ndir = \"db/migrations\"\n"), "{toml}");
    assert!(dir.join("db/migrations/seed/.gitkeep").exists());
    // Later commands find the folder through strata.toml, without --dir.
    strata(dir).arg("lint").assert().success();
    strata(dir).args(["generate", "--type=migrate", "--name=first", "--schema=app"]).assert().success();
    assert_eq!(std::fs::read_dir(dir.join("db/migrations/migrate")).unwrap().count(), 4);
    strata(dir).args(["init", "--schemas", "Bad"]).assert().code(2).stderr(contains("\"Bad\""));
}
