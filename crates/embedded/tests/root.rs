//! Running as root, as development containers and CI do: PostgreSQL refuses root, so the
//! server runs as an unprivileged user, with its data where that user can reach it.
//! Without root these tests check the plain behaviour instead.

#[allow(dead_code, reason = "each test binary uses part of the shared helpers")]
mod common;

use std::os::unix::fs::MetadataExt;

use common::{Project, helper_result, is_root, psql, run_helper};
use strata_embedded::Cluster;

/// Set for the child process of `an_unknown_pg_user_is_named_with_the_fix`.
const HELPER_DIR: &str = "STRATA_EMBEDDED_TEST_STATE_DIR";

#[test]
fn a_project_the_postgres_user_cannot_enter_keeps_its_data_elsewhere() {
    let project = Project::private();
    let started = project.cluster.start().expect("start in a 0700 project");
    assert_eq!(psql(&started.url, "SELECT 1"), "1");

    if is_root() {
        assert!(
            started.data_dir.starts_with("/var/lib/strata") || started.data_dir.starts_with("/var/tmp/strata"),
            "{}",
            started.data_dir.display()
        );
        let recorded = std::fs::read_to_string(project.state_dir().join("postgres/data-location")).unwrap();
        assert_eq!(recorded.trim(), started.data_dir.to_str().unwrap());
        let owner = std::fs::metadata(&started.data_dir).unwrap().uid();
        assert_ne!(owner, 0, "the data directory belongs to the PostgreSQL user");
        let server_user = psql(
            &started.url,
            "SELECT usename FROM pg_stat_activity WHERE backend_type = 'checkpointer' OR pid = pg_backend_pid() LIMIT 1",
        );
        assert!(!server_user.is_empty());
    } else {
        assert!(started.data_dir.starts_with(project.state_dir()));
    }

    project.cluster.stop().unwrap();
    let again = project.cluster.start().expect("restart");
    assert_eq!((again.data_dir.as_path(), again.port), (started.data_dir.as_path(), started.port));
    assert_eq!(project.cluster.status().unwrap().data_dir, started.data_dir);

    assert!(project.cluster.destroy().unwrap());
    assert!(!started.data_dir.exists(), "destroy removes the relocated data directory");
}

#[test]
fn server_processes_do_not_run_as_root() {
    let project = Project::new();
    project.cluster.start().unwrap();
    let pid = project.cluster.status().unwrap().pid.unwrap();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let uid_line = status.lines().find(|l| l.starts_with("Uid:")).unwrap();
    if is_root() {
        assert!(uid_line.split_whitespace().skip(1).all(|u| u != "0"), "{uid_line}");
    }
    let owner = std::fs::metadata(project.state_dir().join("postgres/password")).unwrap().uid();
    let me = std::fs::metadata("/proc/self").unwrap().uid();
    assert_eq!(owner, me, "the password file stays with the user who runs strata");
}

#[test]
fn an_unknown_pg_user_is_named_with_the_fix() {
    if !is_root() {
        eprintln!("skipped: STRATA_PG_USER only matters as root");
        return;
    }
    let project = Project::new();
    let state_dir = project.state_dir();
    let output = run_helper(
        "helper_start_as",
        &[(HELPER_DIR, state_dir.as_os_str()), ("STRATA_PG_USER", "strata-no-such-user".as_ref())],
    )
    .output()
    .expect("run helper");
    let result = helper_result(&output.stdout);
    assert!(result.starts_with("err "), "{result}");
    assert!(
        result.contains("`strata-no-such-user`") && result.contains("STRATA_PG_USER") && result.contains("useradd"),
        "{result}"
    );
}

/// Not a test by itself: the child process of `an_unknown_pg_user_is_named_with_the_fix`.
#[test]
fn helper_start_as() {
    let Some(dir) = std::env::var_os(HELPER_DIR) else {
        return;
    };
    match Cluster::new(dir).start() {
        Ok(started) => println!("RESULT ok {}", started.url),
        Err(err) => println!("RESULT err {}", err.to_string().replace('\n', " | ")),
    }
}
