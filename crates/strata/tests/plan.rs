//! `strata migrate plan` end to end: its three formats, its exit statuses, the
//! size threshold from flags and strata.toml, and the scratch database dropped.

mod common;

use common::{Outcome, Project, assert_contains};

/// A project with `app.c` (3000 rows, analyzed) applied, and one pending file.
fn project(pending: &str) -> Project {
    let p = Project::new();
    p.write(
        "migrate",
        "20251124_000001_c",
        "CREATE TABLE IF NOT EXISTS app.c (id int PRIMARY KEY, v int);\n",
        "DROP TABLE IF EXISTS app.c;\n",
    );
    p.strata().args(["migrate", "up"]).assert().success();
    p.psql("INSERT INTO app.c SELECT g, g FROM generate_series(1, 3000) g; ANALYZE app.c");
    p.write("migrate", "20251124_000002_change", pending, "SELECT 1;\n");
    p
}

const REWRITE: &str = "ALTER TABLE app.c ADD COLUMN IF NOT EXISTS r float8 DEFAULT random();\n";
const SAFE: &str = "ALTER TABLE app.c ADD COLUMN IF NOT EXISTS note text;\n";

/// `migrate plan args`, which must exit `code`; checks the scratch database is gone.
fn plan(p: &Project, args: &[&str], code: i32) -> Outcome {
    let out = p.run(&[&["migrate", "plan"][..], args].concat()).code(code);
    p.assert_scratch_dropped(&out.stderr);
    out
}

#[test]
fn a_rewrite_of_a_large_table_is_an_error_in_text_and_exits_3() {
    let p = project(REWRITE);
    let Outcome { stdout, stderr, .. } = plan(&p, &["--large-table-rows", "1000"], 3);
    assert_contains(
        &stdout,
        &[
            "migrate 20251124_000002_change\n  1. line 1: ALTER TABLE app.c ADD COLUMN",
            "       app.c: SHARE, ACCESS EXCLUSIVE, rewritten, read in full [~3000 rows, ",
            "  error[table-rewrite] statement 1, line 1: rewrites app.c (~3000 rows, ",
            "1 pending file(s): 1 error(s), 0 warning(s) (large: 1000 rows or 100.0 MB).\n",
        ],
    );
    assert_contains(&stderr, &["error: migrate plan: 1 finding(s) at error level or above"]);
    // Nothing ran on the target.
    assert_eq!(p.psql("SELECT count(*) FROM public.migration_history"), "2");
    assert_eq!(p.psql("SELECT count(*) FROM pg_attribute WHERE attrelid = 'app.c'::regclass AND attname = 'r'"), "0");
}

#[test]
fn the_size_threshold_decides_error_or_warning_from_flags_or_strata_toml() {
    let p = project(REWRITE);
    // The default threshold (100000 rows): a rewrite of 3000 rows is a warning.
    assert_contains(&plan(&p, &[], 0).stdout, &["  warning[table-rewrite] statement 1"]);
    plan(&p, &["--fail-on", "warning"], 3);
    p.settings("[plan]\nlarge_table_rows = 2000\n");
    assert_contains(&plan(&p, &[], 3).stdout, &["  error[table-rewrite]"]);
}

#[test]
fn a_safe_change_exits_0() {
    let p = project(SAFE);
    let out = plan(&p, &["--large-table-rows", "100000"], 0).stdout;
    assert_contains(
        &out,
        &["       app.c: ACCESS EXCLUSIVE [~3000 rows, ", "1 pending file(s): 0 error(s), 0 warning(s)"],
    );
}

#[test]
fn json_is_one_report_object() {
    let p = project(REWRITE);
    let out = plan(&p, &["--format", "json", "--large-table-rows", "1000"], 3).stdout;
    let mut v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // What varies from run to run: durations, the temporary folder.
    for f in v["files"].as_array_mut().unwrap() {
        f["path"] = "migrations/migrate/20251124_000002_change.up.sql".into();
        for s in f["statements"].as_array_mut().unwrap() {
            s["duration_ms"] = 0.into();
        }
    }
    insta::assert_snapshot!(serde_json::to_string_pretty(&v).unwrap());
}

#[test]
fn markdown_is_a_pull_request_comment() {
    let p = project(REWRITE);
    let out = plan(&p, &["--format", "markdown", "--large-table-rows", "1000"], 3).stdout;
    assert!(out.starts_with("## Migration plan\n\n1 pending file(s): **1 error(s)**, 0 warning(s)."), "{out}");
    assert_contains(
        &out,
        &[
            "### `migrate 20251124_000002_change`\n\n- 🛑 **error** `table-rewrite` line 1: rewrites app.c",
            "| 1 | 1 | `ALTER TABLE app.c ADD COLUMN IF NOT EXISTS r float8 DEFAULT random()` | `app.c` | SHARE, ACCESS EXCLUSIVE, rewritten, read in full | ~3000 rows, ",
        ],
    );
}

#[test]
fn nothing_pending_says_so() {
    let p = project(SAFE);
    p.strata().args(["migrate", "up"]).assert().success();
    assert_eq!(plan(&p, &[], 0).stdout, "Nothing pending.\n");
}
