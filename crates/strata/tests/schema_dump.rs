//! `strata schema dump` and `strata schema check` on real PostgreSQL: byte-identical
//! files across runs, a `migrate down`/`up` and drift on the live database (it is
//! never read), no pg_dump noise, the folder settings, and the check naming the
//! first differing line.

mod common;

use std::path::Path;

use common::{Project, assert_contains, unique};

/// Two schemas; app.t with an index, a function, a view, a comment and a grant.
fn project() -> Project {
    let p = Project::new();
    p.write(
        "migrate",
        "20251124_000000_create_schemas",
        "CREATE SCHEMA IF NOT EXISTS app;\nCREATE SCHEMA IF NOT EXISTS master;\n",
        "DROP SCHEMA IF EXISTS app CASCADE;\nDROP SCHEMA IF EXISTS master CASCADE;\n",
    );
    p.write(
        "migrate",
        "20251124_000001_t",
        "CREATE TABLE IF NOT EXISTS master.kinds (id int PRIMARY KEY, label text NOT NULL);\n\
         CREATE TABLE IF NOT EXISTS app.t (id int PRIMARY KEY, kind int REFERENCES master.kinds (id), name text);\n\
         CREATE INDEX IF NOT EXISTS t_name ON app.t (name);\n\
         CREATE OR REPLACE FUNCTION app.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 1';\n\
         CREATE OR REPLACE VIEW app.v AS SELECT id, name FROM app.t;\n\
         COMMENT ON TABLE app.t IS 'things';\n\
         GRANT SELECT ON app.t TO PUBLIC;\n",
        "DROP VIEW IF EXISTS app.v;\nDROP FUNCTION IF EXISTS app.f(int);\nDROP TABLE IF EXISTS app.t;\nDROP TABLE IF EXISTS master.kinds;\n",
    );
    p
}

fn read(dir: &Path, schema: &str) -> Vec<u8> {
    std::fs::read(dir.join(format!("{schema}.sql")))
        .unwrap_or_else(|e| panic!("{schema}.sql in {}: {e}", dir.display()))
}

/// The text of `schema`'s file in the project's folder `dir`.
fn text(p: &Project, dir: &str, schema: &str) -> String {
    String::from_utf8(read(&p.path().join(dir), schema)).unwrap()
}

fn dump(p: &Project) -> (Vec<u8>, Vec<u8>) {
    p.run(&["schema", "dump"]).code(0);
    let dir = p.path().join("schema");
    (read(&dir, "app"), read(&dir, "master"))
}

#[test]
fn the_dump_is_byte_identical_across_runs_a_down_up_and_live_drift() {
    let p = project();
    let first = dump(&p);
    let app = String::from_utf8(first.0.clone()).unwrap();
    let master = String::from_utf8(first.1.clone()).unwrap();
    assert!(app.starts_with("-- strata schema dump"), "{app}");
    assert_contains(
        &app,
        &[
            "CREATE TABLE app.t (",
            "CREATE INDEX t_name ON app.t USING btree (name);",
            "CREATE FUNCTION app.f(x integer) RETURNS integer",
            "COMMENT ON TABLE app.t IS 'things';",
            "GRANT SELECT ON TABLE app.t TO PUBLIC;",
        ],
    );
    assert!(!app.contains("master.kinds ("), "one schema a file: {app}");
    assert_contains(&master, &["CREATE TABLE master.kinds ("]);
    for text in [&app, &master] {
        for noise in ["\\restrict", "\\unrestrict", "Dumped from", "Dumped by", "OWNER TO", "dump complete"] {
            assert!(!text.contains(noise), "{noise}: {text}");
        }
    }
    // Again: the same bytes.
    assert_eq!(dump(&p), first);
    // The live database is never read: applied, drifted, rolled back and applied again, same bytes.
    p.strata().args(["migrate", "up"]).assert().success();
    p.psql("ALTER TABLE app.t ADD COLUMN by_hand text; CREATE TABLE app.extra (id int)");
    assert_eq!(dump(&p), first);
    p.psql("ALTER TABLE app.t DROP COLUMN by_hand; DROP TABLE app.extra");
    p.strata().args(["migrate", "down", "--steps", "1"]).assert().success();
    p.strata().args(["migrate", "up"]).assert().success();
    assert_eq!(dump(&p), first);
    assert_contains(&p.run(&["schema", "dump"]).code(0).stdout, &["unchanged schema/app.sql"]);
}

#[test]
fn owners_only_when_asked_and_the_folder_from_the_flag_or_strata_toml() {
    let p = project();
    p.run(&["schema", "dump", "--owners", "--schema-dir", "elsewhere"]).code(0);
    assert_contains(&text(&p, "elsewhere", "app"), &["ALTER TABLE app.t OWNER TO "]);
    assert!(!p.path().join("schema").exists());
    p.settings("\n[schema]\ndir = \"db/schema\"\n");
    p.run(&["schema", "dump"]).code(0);
    let app = text(&p, "db/schema", "app");
    assert!(!app.contains("OWNER TO"), "{app}");
    let stdout = p.run(&["schema", "check"]).code(0).stdout;
    assert_contains(&stdout, &["The schema files in db/schema are what the migrate files produce."]);
}

#[test]
fn check_passes_on_a_fresh_dump_and_names_the_first_differing_line_after_a_migration() {
    let p = project();
    dump(&p);
    p.run(&["schema", "check"]).code(0);
    // A new migration changes app.t: the committed file is now out of date.
    p.write(
        "migrate",
        "20251124_000002_more",
        "ALTER TABLE app.t ADD COLUMN IF NOT EXISTS note text;\n",
        "ALTER TABLE app.t DROP COLUMN IF EXISTS note;\n",
    );
    let stderr = p.run(&["schema", "check"]).code(3).stderr;
    // Where it differs, found independently: a dump of the new files elsewhere, compared line by line.
    p.run(&["schema", "dump", "--schema-dir", "new"]).code(0);
    let (old, new) = (text(&p, "schema", "app"), text(&p, "new", "app"));
    let (n, (was, now)) = old.lines().zip(new.lines()).enumerate().find(|(_, (a, b))| a != b).unwrap();
    assert!(
        stderr.contains(&format!(
            "schema/app.sql:{}: schema app differs from what the migrate files produce\n    committed: {was:?}\n    files:     {now:?}",
            n + 1
        )),
        "{stderr}"
    );
    assert!(new.contains("note text"), "{new}");
    // master is untouched, so only app is named.
    assert!(!stderr.contains("schema/master.sql"), "{stderr}");
    assert!(stderr.contains("error: 1 schema file(s) out of date; run `strata schema dump`"), "{stderr}");
    // After a dump, clean again; a file removed is named.
    dump(&p);
    p.run(&["schema", "check"]).code(0);
    std::fs::remove_file(p.path().join("schema/master.sql")).unwrap();
    assert_contains(&p.run(&["schema", "check"]).code(3).stderr, &["schema/master.sql: missing (schema master)"]);
}

#[test]
fn a_file_that_fails_leaves_nothing_written() {
    let p = project();
    p.write("migrate", "20251124_000002_bad", "ALTER TABLE app.nope ADD COLUMN x int;\n", "SELECT 1;\n");
    let out = p.run(&["schema", "dump"]);
    assert_ne!(out.code, 0, "{}", out.text());
    assert_contains(&out.stderr, &["20251124_000002_bad"]);
    assert!(!p.path().join("schema").exists());
}

/// A login role for one test, dropped afterwards.
struct Role<'a> {
    p: &'a Project,
    name: String,
}

impl Drop for Role<'_> {
    fn drop(&mut self) {
        self.p.psql(&format!("DROP ROLE IF EXISTS {}", self.name));
    }
}

#[test]
fn two_roles_running_the_dump_write_the_same_bytes() {
    let p = project();
    // Without FOR ROLE, the default privileges are the running role's: pg_dump names it.
    p.write(
        "migrate",
        "20251124_000002_defaults",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;\n",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE SELECT ON TABLES FROM PUBLIC;\n",
    );
    let first = dump(&p);
    let app = String::from_utf8(first.0.clone()).unwrap();
    assert!(
        app.contains("ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA app GRANT SELECT ON TABLES  TO PUBLIC;"),
        "{app}"
    );
    let role = Role { p: &p, name: format!("strata_runner_{:016x}", unique()) };
    p.psql(&format!("CREATE ROLE {} LOGIN CREATEDB PASSWORD 'runner-pw'", role.name));
    let (scheme, rest) = p.url.split_once("://").unwrap();
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let url = format!("{scheme}://{}:runner-pw@{host}", role.name);
    common::run(p.strata_on(&url).args(["schema", "dump", "--schema-dir", "other"])).code(0);
    let dir = p.path().join("other");
    assert_eq!((read(&dir, "app"), read(&dir, "master")), first);
}
