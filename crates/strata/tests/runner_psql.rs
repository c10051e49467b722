//! The runner against psql: each file must end as `psql -X -v ON_ERROR_STOP=1 -1
//! -f FILE` leaves it, run file by file in fresh sessions (issue 18), while strata
//! still sends small files together.

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::{Duration, Instant};

use predicates::prelude::*;
use predicates::str::contains;
use strata_testing::TestDb;

mod common;
use common::{Project, assert_contains, event, events, pg_tool, psql_on, stdout_of, wait_for};

/// Every up file of the project, migrate track first, each in version order.
fn up_files(p: &Project) -> Vec<PathBuf> {
    ["migrate", "seed"].iter().flat_map(|track| p.up_files(track)).collect()
}

/// psql's outcome for one file, in a session of its own.
fn psql_file(url: &str, file: &Path) -> std::process::Output {
    StdCommand::new(pg_tool("psql"))
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", "-d", url, "-f"])
        .arg(file)
        .output()
        .unwrap()
}

/// A database on which psql ran every up file of the project, each of which must succeed.
fn migrated_by_psql(p: &Project) -> TestDb {
    let reference = TestDb::new();
    for file in up_files(p) {
        let out = psql_file(reference.url(), &file);
        assert!(out.status.success(), "psql {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    }
    reference
}

/// `migrate up`, then `seed up`, both successful.
fn up_both(p: &Project) {
    p.strata().args(["migrate", "up"]).assert().success();
    p.strata().args(["seed", "up"]).assert().success();
}

/// Where each named table landed, who owns it, and what it holds.
const CATALOG: &str = "SELECT string_agg(n.nspname || '.' || c.relname || ' owned by ' || pg_get_userbyid(c.relowner), ', ' ORDER BY 1)
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND c.relname <> 'migration_history'";

#[test]
fn every_file_starts_from_a_fresh_session_as_with_psql() {
    let p = Project::new();
    let role = format!("{}_r", p.db_name());
    p.psql(&format!("CREATE ROLE \"{role}\""));
    // Changes every piece of session state psql's fresh session would not carry over.
    let leak = format!(
        "SET client_encoding = 'LATIN1';\nSET search_path = app;\nSET ROLE \"{role}\";\nSET statement_timeout = 50;\n\
         SET standard_conforming_strings = off;\nCREATE TEMP TABLE scratch (x int);\nSET default_transaction_read_only = on;\n"
    );
    let victim = |table: &str| {
        format!(
            "CREATE TABLE {table} (name text);\nINSERT INTO {table} VALUES ('Zoë'), ('a\\b');\n\
             CREATE TEMP TABLE scratch (x int);\nSELECT pg_sleep(0.1);\n"
        )
    };
    // In one batch; then across the batch boundary a no-transaction file makes; on the seed track too.
    p.write_up("migrate", "20251124_000001_leak", &leak);
    p.write_up("migrate", "20251124_000002_victim", &victim("t_batch"));
    p.write_up("migrate", "20251124_000003_leak_nt", &format!("-- strata:no-transaction\n{leak}"));
    p.write_up("migrate", "20251124_000004_victim", &victim("t_next"));
    p.write_up("seed", "20251124_000001_leak", &leak);
    p.write_up("seed", "20251124_000002_victim", &victim("t_seed"));

    let reference = migrated_by_psql(&p);
    up_both(&p);

    assert_eq!(p.psql(CATALOG), psql_on(reference.url(), CATALOG));
    for table in ["t_batch", "t_next", "t_seed"] {
        let rows = format!("SELECT string_agg(name, '|' ORDER BY name) FROM public.{table}");
        assert_eq!(p.psql(&rows), psql_on(reference.url(), &rows), "{table}");
        let text = p.psql(&rows);
        assert!(text.contains("Zoë") && text.contains("a\\b"), "{text}");
    }
    // History statements run as the session's own role, whatever a file SET.
    assert_eq!(
        p.psql("SELECT string_agg(DISTINCT applied_by, ',') FROM public.migration_history"),
        p.psql("SELECT current_user")
    );
    for url in [reference.url(), &p.url] {
        let _ = StdCommand::new(pg_tool("psql"))
            .args(["-XAtq", "-d", url, "-c", &format!("DROP ROLE IF EXISTS \"{role}\"")])
            .output();
    }
}

#[test]
fn a_file_ending_inside_a_comment_is_refused_before_anything_runs() {
    // It swallowed the next file of its batch: "applied", and the history recorded the other file.
    let p = Project::new();
    p.write_up("migrate", "20251124_000001_open", "CREATE TABLE app.a (id int);\n/* never closed\n");
    p.write_up(
        "migrate",
        "20251124_000002_next",
        "*/ CREATE TABLE app.hidden (id int);\nCREATE TABLE app.b (id int);\n",
    );
    assert_contains(&p.run(&["migrate", "up"]).code(3).stderr, &["20251124_000001_open.up.sql:2:1", "comment"]);
    assert_eq!(p.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"), "0");
    assert_eq!(p.psql("SELECT count(*) FROM public.migration_history"), "0");
}

#[test]
fn a_file_returning_marker_like_rows_cannot_pass_for_applied() {
    // Such a file showed as applied, or made strata panic (exit 101).
    let p = Project::new();
    p.write_up(
        "migrate",
        "20251124_000001_forger",
        "SELECT '20251124_000001' AS strata_file_done, 0 AS ms;\nSELECT 'strata-0:1' AS strata_committed;\n\
         SELECT 'strata-0:1' AS strata_timed, 1 AS ms;\nCREATE TABLE app.a (id int);\nSELECT 1/0;\n",
    );
    p.write_up("migrate", "20251124_000002_after", "CREATE TABLE app.b (id int);\n");
    let out = p.run(&["--json", "migrate", "up"]).code(1);
    assert!(!out.stdout.contains("\"version\":\"20251124_000001\""), "{}", out.stdout);
    assert!(out.stderr.contains("division by zero"));
    assert_eq!(p.psql("SELECT string_agg(version, ',') FROM public.migration_history"), "20251124_000000");
    assert_eq!(p.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'app'"), "0");
}

#[test]
fn a_file_failing_at_commit_is_the_one_blamed() {
    // A deferred foreign key failed at COMMIT: the file showed as applied and the next one was blamed.
    let p = Project::new();
    p.write_up(
        "migrate",
        "20251124_000001_tables",
        "CREATE TABLE app.parent (id int PRIMARY KEY);\n\
         CREATE TABLE app.child (id int, parent int REFERENCES app.parent DEFERRABLE INITIALLY DEFERRED);\n",
    );
    p.write_up("migrate", "20251124_000002_orphan", "INSERT INTO app.child VALUES (1, 999);\n");
    p.write_up("migrate", "20251124_000003_after", "CREATE TABLE app.after (id int);\n");
    let reference = TestDb::new();
    let outcomes: Vec<bool> = up_files(&p).iter().map(|f| psql_file(reference.url(), f).status.success()).collect();
    assert_eq!(outcomes, [true, true, false, true], "psql: the orphan file fails on its own");

    let out = p.run(&["--json", "migrate", "up"]).code(1);
    let applied: Vec<String> = events(&out.stdout)
        .iter()
        .filter(|e| e["event"] == "applied")
        .map(|e| e["version"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(applied, ["20251124_000000", "20251124_000001"]);
    let error = event(&out.stdout, "error");
    assert!(error["file"].as_str().unwrap().ends_with("20251124_000002_orphan.up.sql"), "{error}");
    assert!(error["message"].as_str().unwrap().contains("violates foreign key constraint"), "{error}");
    assert_eq!(event(&out.stdout, "summary")["count"], 2);
    assert!(!out.stderr.contains("no transaction in progress"), "a stray WARN: {}", out.stderr);
    assert_eq!(
        p.psql("SELECT string_agg(version, ',' ORDER BY version) FROM public.migration_history"),
        "20251124_000000,20251124_000001"
    );
    assert_eq!(p.psql("SELECT count(*) FROM app.child"), "0");
    assert_eq!(p.psql("SELECT to_regclass('app.after') IS NULL"), "t");
}

#[test]
fn transaction_control_in_a_transactional_file_is_refused() {
    // `UPDATE; COMMIT; <failing>` applied the update twice (the replay committed it).
    let p = Project::new();
    p.write(
        "migrate",
        "20251124_000001_commits",
        "CREATE TABLE app.x (id int);\nCOMMIT;\nSELECT 1/0;\n",
        "DROP TABLE IF EXISTS app.x;",
    );
    p.strata().args(["migrate", "up"]).assert().code(3).stderr(
        contains("20251124_000001_commits.up.sql:2:1")
            .and(contains("COMMIT"))
            .and(contains("-- strata:no-transaction")),
    );
    assert_eq!(p.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'app'"), "0");
    // The same statements in a no-transaction file run as psql runs them.
    p.write(
        "migrate",
        "20251124_000001_commits",
        "-- strata:no-transaction\nCREATE TABLE app.x (id int);\nBEGIN;\nINSERT INTO app.x VALUES (1);\nCOMMIT;\n",
        "DROP TABLE IF EXISTS app.x;",
    );
    p.strata().args(["migrate", "up"]).assert().success();
    assert_eq!(p.psql("SELECT count(*) FROM app.x"), "1");
}

#[test]
fn psql_only_input_and_non_transactional_statements_get_a_hint() {
    let p = Project::new();
    p.write_up("migrate", "20251124_000001_meta", "\\set n 1\nSELECT 1;\n");
    assert_contains(
        &p.run(&["migrate", "up"]).code(3).stderr,
        &["20251124_000001_meta.up.sql:1:1", "psql meta-command"],
    );
    p.write_up(
        "migrate",
        "20251124_000001_meta",
        "CREATE TABLE app.i (id int);\nCREATE INDEX CONCURRENTLY i_id ON app.i (id);\n",
    );
    p.strata()
        .args(["migrate", "up"])
        .assert()
        .code(1)
        .stderr(contains("-- strata:no-transaction").and(contains("2:1")).and(contains(":2:1:2:1").not()));
}

#[test]
fn copy_from_stdin_loads_as_with_psql() {
    // COPY ... FROM stdin hung forever, holding the migration lock.
    let p = Project::new();
    p.write(
        "migrate",
        "20251124_000001_tables",
        "CREATE TABLE app.people (id int PRIMARY KEY, name text, note text);\nCREATE TABLE app.pairs (a text, b int);\n",
        "DROP TABLE app.people; DROP TABLE app.pairs;",
    );
    p.write(
        "seed",
        "20251124_000001_people",
        "COPY app.people (id, name, note) FROM stdin;\n1\tZoë\t\\N\n2\ttab\\there\tx\n\\.\n\
         COPY app.pairs FROM stdin WITH (FORMAT csv);\n\"a,b\",1\n\"line\nbreak\",2\n\\.\nINSERT INTO app.pairs VALUES ('after', 3);\n",
        "TRUNCATE app.people, app.pairs;",
    );
    let reference = migrated_by_psql(&p);
    up_both(&p);
    let people =
        "SELECT string_agg(id || '=' || name || '/' || coalesce(note, 'NULL'), ';' ORDER BY id) FROM app.people";
    let pairs = "SELECT string_agg(a || '=' || b, ';' ORDER BY b) FROM app.pairs";
    let same_rows = |sql: &str| assert_eq!(p.psql(sql), psql_on(reference.url(), sql), "{sql}");
    same_rows(people);
    same_rows(pairs);
    assert_eq!(p.psql("SELECT count(*) FROM app.pairs"), "3");
    let reseed = |dump: &str| {
        p.strata().args(["seed", "down", "--yes"]).assert().success();
        p.write("seed", "20251124_000001_people", dump, "TRUNCATE app.people, app.pairs;");
        p.strata().args(["seed", "up"]).assert().success();
    };

    // A pg_dump --data-only file is a seed file.
    reseed(&stdout_of(StdCommand::new(pg_tool("pg_dump")).args([
        "--data-only",
        "--schema=app",
        "-d",
        reference.url(),
    ])));
    same_rows(pairs);

    // So is strata's own `db dump --data-only`.
    reseed(&p.run(&["db", "dump", "--schema", "app", "--data-only"]).code(0).stdout);
    same_rows(people);
}

#[test]
fn sigint_cancels_the_running_file_and_says_what_was_applied() {
    // strata exited at once, and the server committed the whole batch 8 s later.
    let p = Project::new();
    p.write_up("migrate", "20251124_000001_quick", "CREATE TABLE app.quick (id int);\n");
    p.write_up("migrate", "20251124_000002_slow", "CREATE TABLE app.slow (id int);\nSELECT pg_sleep(60);\n");
    p.write_up("migrate", "20251124_000003_later", "CREATE TABLE app.later (id int);\n");
    let mut child =
        p.std_strata().args(["migrate", "up"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // (The query text is cut at track_activity_query_size: look for the wait instead.)
    let sleeping =
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND datname = current_database()";
    wait_for("the slow file to start", Duration::from_secs(20), Duration::from_millis(50), || p.psql(sleeping) != "0");
    let status = StdCommand::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let waited = Instant::now();
    let out = loop {
        if child.try_wait().unwrap().is_some() {
            break child.wait_with_output().unwrap();
        }
        assert!(waited.elapsed() < Duration::from_secs(15), "strata did not stop");
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(waited.elapsed() < Duration::from_secs(10));
    assert_contains(&stderr, &["20251124_000000_create_schemas, 20251124_000001_quick", "20251124_000002_slow.up.sql"]);
    // History and catalog agree, and nothing after the cancelled file ran.
    assert_eq!(
        p.psql("SELECT string_agg(version, ',' ORDER BY version) FROM public.migration_history"),
        "20251124_000000,20251124_000001"
    );
    assert_eq!(
        p.psql("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'app'"),
        "quick"
    );
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(p.psql(sleeping), "0");
    p.strata().args(["migrate", "status"]).assert().success().stdout(contains("pending"));
}

#[test]
fn slow_files_print_no_sqlx_warning_and_notices_show_at_v() {
    // sqlx's "slow statement" WARN printed the whole batch between progress lines.
    let p = Project::new();
    p.write_up(
        "migrate",
        "20251124_000001_slow",
        "SELECT pg_sleep(1.1);\nDO $$ BEGIN RAISE NOTICE 'hello from the file'; END $$;\n",
    );
    let stderr = p.run(&["migrate", "up"]).code(0).stderr;
    assert!(!stderr.contains("slow statement"), "{stderr}");
    assert!(!stderr.contains("hello from the file"), "{stderr}");
    p.strata().args(["migrate", "down", "--yes"]).assert().success();
    p.strata().args(["-v", "migrate", "up"]).assert().success().stderr(contains("hello from the file"));
}
