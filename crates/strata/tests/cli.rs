//! The binary end to end: exit statuses and what users see, against a real
//! PostgreSQL (one fresh database per test).

use std::process::Stdio;
use std::time::Duration;

use predicates::prelude::*;
use predicates::str::contains;

mod common;
use common::servers::{Server, post_json, request};
use common::{Project, assert_contains, events, pg_dump, today, wait_for};

#[test]
fn up_status_down_round_trip() {
    let p = Project::with_tables(3, 0.0);
    p.strata().args(["migrate", "up"]).assert().success().stdout(contains("Applied 4 migrations"));
    p.strata()
        .args(["migrate", "status"])
        .assert()
        .success()
        .stdout(contains("20251124_000003").and(contains("applied")));
    p.strata().args(["migrate", "up"]).assert().success().stdout(contains("up to date"));
    p.strata().args(["migrate", "down", "--steps", "1"]).assert().success().stdout(contains("Rolled back 1 migration"));
    p.strata().args(["migrate", "status"]).assert().success().stdout(contains("pending"));
}

#[test]
fn json_output_is_ndjson() {
    let p = Project::with_tables(2, 0.0);
    let out = p.strata().args(["--json", "migrate", "up"]).assert().success().get_output().stdout.clone();
    let events = events(&String::from_utf8(out).unwrap());
    assert_eq!(events.first().unwrap()["event"], "plan");
    assert_eq!(events.iter().filter(|e| e["event"] == "applied").count(), 3);
    assert_eq!(events.last().unwrap()["event"], "summary");
    let out = p.strata().args(["--json", "migrate", "status"]).assert().success().get_output().stdout.clone();
    for v in common::events(&String::from_utf8(out).unwrap()) {
        assert!(v["event"].is_string());
    }
}

#[test]
fn failing_file_exits_1_with_location_and_code_frame() {
    let p = Project::new();
    p.write(
        "migrate",
        "20251124_000001_bad",
        "CREATE TABLE IF NOT EXISTS app.x (id int);\nSELEKT 1;\n",
        "DROP TABLE IF EXISTS app.x;",
    );
    let stderr = p.run(&["migrate", "up"]).code(1).stderr;
    assert_contains(&stderr, &["20251124_000001_bad.up.sql:2:1", "SQLSTATE 42601", "SELEKT 1;"]);
    assert_eq!(p.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'app'"), "0");
    let json = p.strata().args(["--json", "migrate", "up"]).assert().code(1).get_output().stdout.clone();
    let last: serde_json::Value =
        serde_json::from_str(String::from_utf8(json).unwrap().lines().last().unwrap()).unwrap();
    assert_eq!(
        (last["event"].as_str(), last["line"].as_u64(), last["sqlstate"].as_str()),
        (Some("error"), Some(2), Some("42601"))
    );
}

#[test]
fn edited_applied_file_exits_3_until_repaired() {
    let p = Project::with_tables(1, 0.0);
    p.strata().args(["migrate", "up"]).assert().success();
    let file = p.path().join("migrations/migrate/20251124_000001_t1.up.sql");
    std::fs::write(&file, "CREATE TABLE app.t1 (id bigint);\n").unwrap();
    assert_contains(&p.run(&["migrate", "up"]).code(3).stderr, &["was edited after it was applied"]);
    p.strata().args(["migrate", "status"]).assert().code(3).stdout(contains("modified"));
    p.strata().args(["migrate", "repair"]).assert().success().stdout(contains("accepted the edit"));
    p.strata().args(["migrate", "status"]).assert().success();
}

#[test]
fn bad_files_and_bad_flags() {
    let p = Project::new();
    p.write("migrate", "20250231_000001_not_a_date", "SELECT 1;", "SELECT 1;");
    assert_contains(&p.run(&["migrate", "up"]).code(3).stderr, &["20250231 is not a calendar date"]);
    let p = Project::new();
    assert_contains(&p.run(&["migrate", "up", "--to", "banana"]).code(2).stderr, &["--to \"banana\""]);
    assert_contains(
        &p.run(&["migrate", "up", "--to", "20991231_000000"]).code(2).stderr,
        &["not in the migration files"],
    );
    p.strata().args(["migrate", "sideways"]).assert().code(2);
    assert_contains(&p.run(&["--dir", "nowhere", "migrate", "up"]).code(2).stderr, &["no migrations folder"]);
    p.toml("[migrations]\nhistroy_table = \"x\"\n");
    assert_contains(&p.run(&["migrate", "status"]).code(2).stderr, &["strata.toml", "histroy_table"]);
}

#[test]
fn rolling_back_everything_needs_yes_without_a_terminal() {
    let p = Project::with_tables(2, 0.0);
    p.strata().args(["migrate", "up"]).assert().success();
    p.strata().args(["migrate", "down"]).write_stdin("").assert().code(2).stderr(contains("--yes"));
    assert_eq!(p.psql("SELECT count(*) FROM public.migration_history"), "3");
    p.strata()
        .args(["migrate", "down", "--dry-run"])
        .assert()
        .success()
        .stdout(contains("would roll back 3 migrations"));
    assert_eq!(p.psql("SELECT count(*) FROM public.migration_history"), "3");
    p.strata().args(["migrate", "down", "--yes"]).assert().success();
    assert_eq!(p.psql("SELECT count(*) FROM public.migration_history"), "0");
}

#[test]
fn seeds_block_migrate_down() {
    let p = Project::with_tables(1, 0.0);
    p.write("seed", "20251124_000001_rows", "INSERT INTO app.t1 VALUES (1);", "DELETE FROM app.t1 WHERE id = 1;");
    p.strata().args(["migrate", "up"]).assert().success();
    p.strata().args(["seed", "up"]).assert().success().stdout(contains("Applied 1 seed"));
    assert_contains(&p.run(&["migrate", "down", "--yes"]).code(3).stderr, &["20251124_000001_rows"]);
    p.strata().args(["seed", "down", "--yes"]).assert().success();
    p.strata().args(["migrate", "down", "--yes"]).assert().success();
}

#[test]
fn dry_run_changes_nothing() {
    let p = Project::with_tables(2, 0.0);
    p.strata()
        .args(["-v", "migrate", "up", "--dry-run"])
        .assert()
        .success()
        .stdout(contains("would apply 3 migrations").and(contains("CREATE TABLE app.t2")));
    assert_eq!(p.psql("SELECT to_regclass('public.migration_history') IS NULL"), "t");
}

#[test]
fn sixteen_racing_processes_apply_each_file_once() {
    let p = Project::with_tables(30, 0.01);
    let children: Vec<_> = (0..16)
        .map(|_| {
            p.std_strata().args(["-q", "migrate", "up"]).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    assert_eq!(p.psql("SELECT count(*), count(DISTINCT version) FROM public.migration_history"), "31|31");
}

#[test]
fn a_second_runner_reports_the_lock_holder() {
    let p = Project::with_tables(20, 0.1);
    let mut first = p.std_strata().args(["-q", "migrate", "up"]).spawn().unwrap();
    // Regression: a fixed sleep let the second runner win the lock on a loaded machine.
    let locked = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
    wait_for("the first runner to take the lock", Duration::from_secs(20), Duration::from_millis(20), || {
        p.psql(locked) == "1"
    });
    assert_contains(
        &p.run(&["migrate", "up", "--lock-timeout", "0.5"]).code(1).stderr,
        &["waiting for the migration lock (held by pid", "strata migrate up"],
    );
    assert!(first.wait().unwrap().success());
}

#[test]
fn sigkill_mid_run_leaves_history_equal_to_catalog() {
    let p = Project::with_tables(40, 0.02);
    // The history table exists before the first kill: on a loaded machine the first
    // kill can land before strata has created it, and the check below reads it.
    p.strata().args(["-q", "migrate", "up", "--to", "20251124_000000"]).assert().success();
    for round in 0..4 {
        let mut child = p.std_strata().args(["-q", "migrate", "up"]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(150 + 90 * round));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // One statement, so history and catalog are read from one snapshot: the killed
        // client's backend may still be finishing the batch it was sent.
        let both = p.psql(
            "SELECT (SELECT coalesce(string_agg(version, ',' ORDER BY version), '') FROM public.migration_history WHERE version > '20251124_000000')
                 || '|' ||
                    (SELECT coalesce(string_agg('20251124_' || lpad(substr(tablename, 2), 6, '0'), ',' ORDER BY lpad(substr(tablename, 2), 6, '0')), '') FROM pg_tables WHERE schemaname = 'app')",
        );
        let (history, tables) = both.split_once('|').unwrap();
        assert_eq!(history, tables, "round {round}: history and catalog disagree");
    }
    p.strata().args(["migrate", "up"]).assert().success();
    assert_eq!(p.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'app'"), "40");
}

#[test]
fn down_then_up_restores_the_same_schema_dump() {
    let p = Project::new();
    let dump = || {
        let text = pg_dump(&p.url, &["--schema-only", "--no-owner"]);
        // The roles are cluster-wide: when a parallel test's database still uses one, the
        // down keeps it and only the other is created anew, so the grantees' OIDs (and the
        // order pg_dump lists one object's grants in) can change. The grants must not.
        text.split("\n\n")
            .map(|block| {
                let mut lines: Vec<&str> = block.lines().collect();
                if lines.iter().all(|l| {
                    l.starts_with("GRANT ") || l.starts_with("REVOKE ") || l.starts_with("ALTER DEFAULT PRIVILEGES ")
                }) {
                    lines.sort_unstable();
                }
                lines.join("\n")
            })
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    p.reference(&["migrate", "up"]).assert().success();
    let before = dump();
    p.reference(&["migrate", "down", "--yes"]).assert().success();
    p.reference(&["migrate", "up"]).assert().success();
    assert_eq!(before, dump());
}

#[test]
fn generate_names_and_templates_files() {
    let p = Project::new();
    p.write(
        "migrate",
        "20251124_000000_create_schemas",
        "CREATE SCHEMA IF NOT EXISTS auth;\nCREATE SCHEMA IF NOT EXISTS app;\n",
        "DROP SCHEMA IF EXISTS app;\nDROP SCHEMA IF EXISTS auth;\n",
    );
    let today = today();
    p.strata()
        .args(["generate", "--type=migrate", "--name=add_widgets", "--schema=app"])
        .assert()
        .success()
        .stdout(contains(format!("{today}_000000_add_widgets.up.sql")));
    p.strata()
        .args(["generate", "--type=seed", "--name=demo_widgets"])
        .assert()
        .success()
        .stdout(contains(format!("{today}_000001_demo_widgets.up.sql")));
    let up = std::fs::read_to_string(p.path().join(format!("migrations/migrate/{today}_000000_add_widgets.up.sql")))
        .unwrap();
    assert!(up.contains("-- strata:schema app") && !up.contains('\r'));
    assert_contains(&p.run(&["generate", "--type=migrate", "--name=Bad-Name"]).code(2).stderr, &["snake_case"]);
    assert_contains(
        &p.run(&["generate", "--type=migrate", "--name=x", "--schema=billing"]).code(2).stderr,
        &["billing", "auth, app"],
    );
}

#[test]
fn db_catalog_commands() {
    let p = Project::new();
    p.write(
        "migrate",
        "20251124_000001_items",
        "CREATE TABLE IF NOT EXISTS app.owners (id int PRIMARY KEY);\nCREATE TABLE IF NOT EXISTS app.items (id int PRIMARY KEY, owner_id int REFERENCES app.owners(id), name text NOT NULL DEFAULT 'x');\n",
        "DROP TABLE IF EXISTS app.items;\nDROP TABLE IF EXISTS app.owners;\n",
    );
    p.strata().args(["migrate", "up"]).assert().success();
    p.strata().args(["db", "schemas"]).assert().success().stdout(contains("app").and(contains("public")));
    p.strata().args(["db", "tables", "app"]).assert().success().stdout(contains("items").and(contains("owners")));
    p.strata().args(["db", "tables", "nope"]).assert().code(2);
    p.strata().args(["db", "describe", "app.items"]).assert().success().stdout(
        contains("owner_id")
            .and(contains("FOREIGN KEY (owner_id) REFERENCES app.owners(id)"))
            .and(contains("'x'::text")),
    );
    p.strata()
        .args(["db", "describe", "app.owners"])
        .assert()
        .success()
        .stdout(contains("Referenced by").and(contains("app.items")));
    assert_contains(&p.run(&["db", "describe", "items"]).code(2).stderr, &["SCHEMA.TABLE"]);
    p.strata().args(["db", "url"]).assert().success().stdout(contains(p.db_name()));
}

#[test]
fn verify_names_the_file_whose_down_is_not_exact() {
    let p = Project::new();
    p.write(
        "migrate",
        "20251124_000001_t",
        "CREATE TABLE IF NOT EXISTS app.t (id int);",
        "DROP TABLE IF EXISTS app.t;",
    );
    // The down forgets the column: verify must name it.
    p.write("migrate", "20251124_000002_col", "ALTER TABLE app.t ADD COLUMN IF NOT EXISTS note text;", "SELECT 1;");
    p.write("migrate", "20251124_000003_dupe", "CREATE TABLE app.u (id int);", "DROP TABLE IF EXISTS app.u;");
    p.write("seed", "20251124_000001_rows", "INSERT INTO app.t (id) VALUES (1);", "DELETE FROM app.t WHERE id = 1;");
    // Spawned, so its pid names its scratch databases (strata_verify_<pid>_...): a
    // parallel test's verify on the shared cluster may have its own at this moment.
    let verify = p.std_strata().arg("verify").stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let pid = verify.id();
    let stderr = common::Outcome::of(verify.wait_with_output().unwrap()).code(3).stderr;
    assert_contains(
        &stderr,
        &[
            "20251124_000002_col.down.sql: its down file does not restore the database",
            "+ column app.t.note: text",
            "20251124_000003_dupe.up.sql: not idempotent: running it a second time failed",
            "20251124_000001_rows.up.sql: not idempotent: running it a second time changed the database",
        ],
    );
    assert!(!stderr.contains("create_schemas"), "{stderr}");
    // The scratch database is gone and the real one untouched.
    assert_eq!(
        p.psql(&format!("SELECT count(*) FROM pg_database WHERE datname LIKE 'strata\\_verify\\_{pid}\\_%'")),
        "0"
    );
    assert_eq!(p.psql("SELECT to_regclass('public.migration_history') IS NULL"), "t");
}

#[test]
fn dump_wipe_restore_a_schema_row_for_row() {
    let p = Project::new();
    p.reference(&["migrate", "up"]).assert().success();
    p.reference(&["seed", "up"]).assert().success();
    let rows = |table: &str| {
        p.psql(&format!("SELECT md5(string_agg(t::text, ',' ORDER BY t::text)) || count(*) FROM {table} t"))
    };
    let (categories, locations) = (rows("master.categories"), rows("master.locations"));

    // master, data only: wipe its rows (and the items that reference them), restore, compare.
    let file = p.path().join("master.sql");
    p.reference(&["db", "dump", "--schema", "master", "--data-only", "-o", file.to_str().unwrap()]).assert().success();
    p.psql("TRUNCATE master.categories, master.locations CASCADE");
    assert_eq!(p.psql("SELECT count(*) FROM master.categories"), "0");
    p.reference(&["db", "restore", file.to_str().unwrap()])
        .assert()
        .success()
        .stdout(contains("Restored the data of schema master"));
    assert_eq!((rows("master.categories"), rows("master.locations")), (categories, locations));
    // The cascade emptied app.items; the items seed puts them back.
    p.reference(&["seed", "down", "--steps", "1"]).assert().success();
    p.reference(&["seed", "up"]).assert().success();
    let items = rows("app.items");
    assert_ne!(p.psql("SELECT count(*) FROM app.items"), "0");

    // app, structure and data: drop the schema, restore, compare rows and the cross-schema keys.
    let file = p.path().join("app.sql");
    p.reference(&["db", "dump", "--schema", "app", "-o", file.to_str().unwrap()]).assert().success();
    // A full dump refuses to land on an existing schema.
    p.reference(&["db", "restore", file.to_str().unwrap()]).assert().code(3).stderr(contains("schema app exists"));
    p.psql("DROP SCHEMA app CASCADE");
    p.reference(&["db", "restore", file.to_str().unwrap()]).assert().success();
    assert_eq!(
        p.psql("SELECT count(*) FROM pg_constraint WHERE conrelid = 'app.items'::regclass AND contype = 'f'"),
        "3"
    );
    let restored_items = rows("app.items");
    assert_eq!(restored_items, items);

    // A dump from other migrations is refused.
    let file2 = p.path().join("auth.sql");
    p.reference(&["db", "dump", "--schema", "auth", "--data-only", "-o", file2.to_str().unwrap()]).assert().success();
    p.psql("UPDATE public.migration_history SET checksum = decode(repeat('00', 32), 'hex') WHERE version = '20251124_000001' AND track = 'migrate'");
    p.reference(&["db", "restore", file2.to_str().unwrap()]).assert().code(3).stderr(contains("other migrations"));
    std::fs::write(p.path().join("junk.sql"), "SELECT 1;").unwrap();
    p.reference(&["db", "restore", "junk.sql"]).assert().code(2).stderr(contains("not a strata dump"));
}

#[test]
fn status_by_schema_lists_only_files_touching_it() {
    let p = Project::new();
    p.reference(&["migrate", "up"]).assert().success();
    let out = p.reference(&["migrate", "status", "--schema", "master"]).assert().success().get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("create_categories_table") && out.contains("create_locations_table"), "{out}");
    assert!(out.contains("create_schemas"), "create_schemas creates master: {out}");
    assert!(!out.contains("create_session_table"), "{out}");
    p.reference(&["migrate", "status", "--schema", "billing"]).assert().code(2);
}

#[test]
fn lint_gate_refuses_before_touching_the_database() {
    let p = Project::new();
    std::fs::remove_file(p.path().join("strata.toml")).unwrap();
    p.write("migrate", "20251124_000001_t", "CREATE TABLE app.t (id int);\n", "DROP TABLE IF EXISTS app.t;\n");
    assert_contains(&p.run(&["migrate", "up"]).code(3).stderr, &["20251124_000001_t.up.sql:1:1", "lint error"]);
    assert_eq!(p.psql("SELECT to_regclass('public.migration_history') IS NULL"), "t");
    p.strata().args(["lint"]).assert().code(3);
    p.strata().args(["lint", "--format", "github"]).assert().code(3).stdout(contains("::error file="));
    p.toml("[lint]\non_migrate = \"warn\"\n");
    p.strata().args(["migrate", "up"]).assert().success().stderr(contains("20251124_000001_t.up.sql:1:1"));
    // The gate lints what is pending; an applied file is not re-judged (`strata lint` still reports it).
    std::fs::remove_file(p.path().join("strata.toml")).unwrap();
    p.strata().args(["migrate", "up"]).assert().success().stderr(contains("20251124_000001_t").not());
    p.strata().args(["lint"]).assert().code(3);
    p.toml("[lint]\ndisable = [\"no-such-rule\"]\n");
    assert_contains(&p.run(&["lint"]).code(2).stderr, &["no-such-rule"]);
}

#[test]
fn serve_runs_queries_as_the_configured_role() {
    let p = Project::new();
    p.reference(&["migrate", "up"]).assert().success();
    p.reference(&["seed", "up"]).assert().success();
    // Logging in writes a session: the application role may, the read-only role may not
    // (the database refuses and the API answers a generic 500).
    for (role, login_status) in [("strata_app", 200), ("strata_readonly", 500)] {
        let args = ["--database-url", &p.url, "serve", "--port", "0", "--role", role];
        let server = Server::start(p.path(), &args, &[], 1, Duration::from_secs(60));
        let api = server.url("api");
        let items = request("GET", &format!("{api}/api/items?limit=1"), &[], None);
        assert_eq!(items.status, 200, "{role}: {}", items.body);
        let login =
            post_json(&format!("{api}/api/auth/login"), r#"{"email":"alice@example.com","password":"strata-demo"}"#);
        assert_eq!(login.status, login_status, "{role}: {}", login.body);
    }
}
