//! `strata migrate plan` end to end: its three formats, its exit statuses, the
//! size threshold from flags and strata.toml, and the scratch database dropped.

mod common;

use common::Project;

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

/// Exit status, stdout and stderr; checks the scratch database is gone.
fn plan(p: &Project, args: &[&str]) -> (i32, String, String) {
    let out = p.strata().args(["migrate", "plan"]).args(args).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let scratch = stderr.split("scratch database ").nth(1).and_then(|s| s.split_whitespace().next()).unwrap();
    assert_eq!(p.psql(&format!("SELECT count(*) FROM pg_database WHERE datname = '{scratch}'")), "0", "{stderr}");
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

#[test]
fn a_rewrite_of_a_large_table_is_an_error_in_text_and_exits_3() {
    let p = project(REWRITE);
    let (code, out, err) = plan(&p, &["--large-table-rows", "1000"]);
    assert_eq!(code, 3, "{out}{err}");
    assert!(out.contains("migrate 20251124_000002_change\n  1. line 1: ALTER TABLE app.c ADD COLUMN"), "{out}");
    assert!(out.contains("       app.c: SHARE, ACCESS EXCLUSIVE, rewritten, read in full [~3000 rows, "), "{out}");
    assert!(out.contains("  error[table-rewrite] statement 1, line 1: rewrites app.c (~3000 rows, "), "{out}");
    assert!(out.contains("1 pending file(s): 1 error(s), 0 warning(s) (large: 1000 rows or 100.0 MB).\n"), "{out}");
    assert!(err.contains("error: migrate plan: 1 finding(s) at error level or above"), "{err}");
    // Nothing ran on the target.
    assert_eq!(p.psql("SELECT count(*) FROM public.migration_history"), "2");
    assert_eq!(p.psql("SELECT count(*) FROM pg_attribute WHERE attrelid = 'app.c'::regclass AND attname = 'r'"), "0");
}

#[test]
fn the_size_threshold_decides_error_or_warning_from_flags_or_strata_toml() {
    let p = project(REWRITE);
    // The default threshold (100000 rows): a rewrite of 3000 rows is a warning.
    let (code, out, _) = plan(&p, &[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("  warning[table-rewrite] statement 1"), "{out}");
    let (code, _, _) = plan(&p, &["--fail-on", "warning"]);
    assert_eq!(code, 3);
    std::fs::write(p.path().join("strata.toml"), "[lint]\non_migrate = \"off\"\n[plan]\nlarge_table_rows = 2000\n")
        .unwrap();
    let (code, out, _) = plan(&p, &[]);
    assert_eq!(code, 3, "{out}");
    assert!(out.contains("  error[table-rewrite]"), "{out}");
}

#[test]
fn a_safe_change_exits_0() {
    let p = project(SAFE);
    let (code, out, err) = plan(&p, &["--large-table-rows", "100000"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("       app.c: ACCESS EXCLUSIVE [~3000 rows, "), "{out}");
    assert!(out.contains("1 pending file(s): 0 error(s), 0 warning(s)"), "{out}");
}

#[test]
fn json_is_one_report_object() {
    let p = project(REWRITE);
    let (code, out, _) = plan(&p, &["--format", "json", "--large-table-rows", "1000"]);
    assert_eq!(code, 3);
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
    let (code, out, _) = plan(&p, &["--format", "markdown", "--large-table-rows", "1000"]);
    assert_eq!(code, 3);
    assert!(out.starts_with("## Migration plan\n\n1 pending file(s): **1 error(s)**, 0 warning(s)."), "{out}");
    assert!(
        out.contains("### `migrate 20251124_000002_change`\n\n- 🛑 **error** `table-rewrite` line 1: rewrites app.c"),
        "{out}"
    );
    assert!(
        out.contains("| 1 | 1 | `ALTER TABLE app.c ADD COLUMN IF NOT EXISTS r float8 DEFAULT random()` | `app.c` | SHARE, ACCESS EXCLUSIVE, rewritten, read in full | ~3000 rows, "),
        "{out}"
    );
}

#[test]
fn nothing_pending_says_so() {
    let p = project(SAFE);
    p.strata().args(["migrate", "up"]).assert().success();
    let (code, out, _) = plan(&p, &[]);
    assert_eq!(code, 0);
    assert_eq!(out, "Nothing pending.\n");
}
