//! Finding the server binaries, and what the user is told when there are none.

#[allow(dead_code, reason = "each test binary uses part of the shared helpers")]
mod common;

use common::{Project, helper_result, run_helper};
use strata_embedded::{Error, Search, find_binaries};

/// Set for the child process of `pg_bin_from_the_environment_is_obeyed`.
const HELPER_FLAG: &str = "STRATA_EMBEDDED_TEST_FIND";

fn assert_explains_the_ways_out(message: &str) {
    for needle in [
        "apt-get install -y postgresql",
        "brew install postgresql@16",
        "dnf install postgresql-server",
        "PG_BIN",
        "DATABASE_URL",
    ] {
        assert!(message.contains(needle), "{needle:?} is missing from:\n{message}");
    }
}

#[test]
fn binaries_are_found_on_this_machine() {
    let binaries = find_binaries().expect("the test machine has PostgreSQL's server binaries");
    for tool in ["initdb", "pg_ctl", "postgres", "psql", "pg_dump"] {
        assert!(binaries.tool(tool).is_file(), "{tool} not in {}", binaries.dir().display());
    }
    let version = binaries.version().unwrap();
    assert!(version.major() >= 10, "{version}");
}

#[test]
fn an_empty_pg_bin_gives_install_instructions() {
    let empty = tempfile::tempdir().unwrap();
    let err = Search::from_env().pg_bin(empty.path()).find().expect_err("an empty PG_BIN holds no binaries");
    assert!(matches!(err, Error::BinariesNotFound { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&empty.path().display().to_string()), "{message}");
    assert_explains_the_ways_out(&message);
}

#[test]
fn starting_without_binaries_fails_before_creating_a_cluster() {
    let project = Project::new();
    let empty = tempfile::tempdir().unwrap();
    let cluster = project.cluster.clone().with_search(Search::from_env().pg_bin(empty.path()));
    let err = cluster.start().expect_err("no binaries, no cluster");
    assert_explains_the_ways_out(&err.to_string());
    let status = cluster.status().unwrap();
    assert!(!status.initialized && !status.running && status.binaries.is_none() && status.server_version.is_none());
    assert!(!project.state_dir().join("postgres/data").exists());
}

#[test]
fn nothing_on_path_and_no_well_known_directories_gives_install_instructions() {
    let empty = tempfile::tempdir().unwrap();
    let err = Search::from_env().path(empty.path()).without_well_known().find().unwrap_err();
    assert_explains_the_ways_out(&err.to_string());
}

#[test]
fn pg_bin_from_the_environment_is_obeyed() {
    let empty = tempfile::tempdir().unwrap();
    let output = run_helper("helper_find", &[(HELPER_FLAG, "1".as_ref()), ("PG_BIN", empty.path().as_os_str())])
        .output()
        .expect("run helper");
    let result = helper_result(&output.stdout);
    assert!(result.starts_with("err "), "{result}");
    assert!(result.contains(&format!("PG_BIN={}", empty.path().display())), "{result}");
    assert_explains_the_ways_out(&result);
}

/// Not a test by itself: the child process of `pg_bin_from_the_environment_is_obeyed`.
#[test]
fn helper_find() {
    if std::env::var_os(HELPER_FLAG).is_none() {
        return;
    }
    match find_binaries() {
        Ok(b) => println!("RESULT ok {}", b.dir().display()),
        Err(err) => println!("RESULT err {}", err.to_string().replace('\n', " | ")),
    }
}
