//! A command that starts the embedded database because no URL is configured says so,
//! once, on stderr.

mod common;

use assert_cmd::Command;
use common::strata_in as strata;

/// The command's stderr, with `FAILED` in front when it did not succeed (checked once the
/// cluster is gone).
fn stderr(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    if out.status.success() { err } else { format!("FAILED {err}") }
}

const NOTE: &str = "started the embedded database";

// Regression: `migrate status`, `db schemas`, `verify` ... started the embedded
// database silently and left it running.
#[test]
fn starting_the_embedded_database_is_said_once_on_stderr() {
    let project = tempfile::tempdir().unwrap();
    let dir = project.path();
    strata(dir).args(["init", "--schemas", "app"]).assert().success();
    let quiet = stderr(strata(dir).args(["-q", "db", "schemas"]));
    strata(dir).args(["db", "stop"]).output().unwrap();
    let json = strata(dir).args(["--json", "db", "schemas"]).output().unwrap();
    strata(dir).args(["db", "stop"]).output().unwrap();
    let first = stderr(strata(dir).args(["migrate", "status"]));
    let second = stderr(strata(dir).args(["db", "schemas"]));
    // The cluster (and a data directory relocated for root) goes away with the test.
    strata(dir).args(["db", "reset", "--yes"]).assert().success();

    for err in [&quiet, &first, &second] {
        assert!(!err.starts_with("FAILED"), "{err}");
    }
    assert_eq!(first.matches(NOTE).count(), 1, "{first}");
    assert!(first.contains("strata db stop"), "{first}");
    assert!(!second.contains(NOTE), "already running: {second}");
    assert!(!quiet.contains(NOTE), "-q: {quiet}");
    assert!(json.status.success());
    assert!(!String::from_utf8_lossy(&json.stdout).contains(NOTE));
    assert!(String::from_utf8_lossy(&json.stderr).contains(NOTE));
}
