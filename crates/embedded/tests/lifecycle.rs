//! The cluster's life against the real server binaries: create, start, connect, stop,
//! restart, status, and recovery from the ways a previous run can end badly.

#[allow(dead_code, reason = "each test binary uses part of the shared helpers")]
mod common;

use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{Project, psql, try_psql};
use strata_embedded::{Cluster, Error, Started};

#[test]
fn start_connect_stop_and_restart_on_the_same_port() {
    let project = Project::new();
    let cluster = &project.cluster;

    let first = cluster.start().expect("first start");
    assert!(!first.already_running);
    assert!(first.data_dir.starts_with(project.state_dir()), "{} not in the state dir", first.data_dir.display());
    assert_ne!(first.port, 5432);
    let password = std::fs::read_to_string(project.state_dir().join("postgres/password")).unwrap();
    assert_eq!(first.url, format!("postgres://strata:{}@127.0.0.1:{}/strata", password.trim(), first.port));
    assert_eq!(psql(&first.url, "SELECT current_database() || ' ' || current_user"), "strata strata");

    let again = cluster.start().expect("second start");
    assert!(again.already_running);
    assert_eq!((again.url.as_str(), again.port), (first.url.as_str(), first.port));

    assert!(cluster.stop().expect("stop"), "stop of a running cluster says it was running");
    assert!(!cluster.stop().expect("second stop"), "stop of a stopped cluster says it was not");
    assert!(try_psql(&first.url, "SELECT 1").is_err(), "the server still answers after stop");
    assert_eq!(cluster.url().unwrap(), first.url, "url() of a stopped cluster");

    let restarted = starts_a_new_server(cluster, "restart");
    assert_eq!(restarted.port, first.port, "the free port of the last run is reused");
    assert_eq!(restarted.url, first.url);
}

#[test]
fn server_is_tuned_for_development_and_listens_on_loopback_only() {
    let project = Project::new();
    let url = project.cluster.start().expect("start").url;
    let show = |name: &str| psql(&url, &format!("SHOW {name}"));
    assert_eq!(show("listen_addresses"), "127.0.0.1");
    assert_eq!(show("unix_socket_directories"), "");
    assert_eq!(show("fsync"), "off");
    assert_eq!(show("synchronous_commit"), "off");
    assert_eq!(show("full_page_writes"), "off");
    assert_eq!(show("max_connections"), "200");
    assert_eq!(show("password_encryption"), "scram-sha-256");
    assert_eq!(psql(&url, "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"), "t");
    assert_eq!(psql(&url, "SELECT pg_encoding_to_char(encoding) FROM pg_database WHERE datname = 'strata'"), "UTF8");

    let wrong = url.replacen("strata:", "strata:wrong", 1);
    let err = try_psql(&wrong, "SELECT 1").expect_err("a wrong password is refused");
    assert!(err.contains("password authentication failed"), "{err}");

    let status = project.cluster.status().unwrap();
    let log = std::fs::read_to_string(status.data_dir.join("server.log")).expect("server log in the data directory");
    assert!(log.contains("database system is ready to accept connections"), "{log}");
}

#[test]
fn secrets_are_private() {
    let project = Project::new();
    project.cluster.start().expect("start");
    let mode = |p: &str| std::fs::metadata(project.state_dir().join(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode("postgres/password"), 0o600);
    assert_eq!(mode("postgres/data"), 0o700);
    let leftovers: Vec<_> = std::fs::read_dir(project.state_dir().join("postgres"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("pwfile") || n.contains("initdb") || n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind: {leftovers:?}");
}

#[test]
fn status_follows_the_cluster_and_starts_nothing() {
    let project = Project::new();
    let cluster = &project.cluster;

    let fresh = cluster.status().unwrap();
    assert!(!fresh.running && !fresh.initialized && fresh.url.is_none());
    assert!(fresh.binaries.is_some() && fresh.server_version.is_some(), "{fresh:?}");
    assert!(!project.state_dir().exists(), "status created the state directory");
    assert!(matches!(cluster.url(), Err(Error::NotInitialized { .. })));

    let started = cluster.start().unwrap();
    let running = cluster.status().unwrap();
    assert!(running.running && running.initialized);
    assert_eq!(running.port, Some(started.port));
    assert_eq!(running.url.as_deref(), Some(started.url.as_str()));
    assert_eq!(running.data_dir, started.data_dir);
    let pid = running.pid.expect("pid of a running server");
    assert!(std::path::Path::new(&format!("/proc/{pid}")).exists());
    let version = running.server_version.expect("server version");
    let server_says = psql(&started.url, "SHOW server_version");
    assert!(server_says.starts_with(&version), "status says {version}, the server {server_says}");
    assert_eq!(cluster.url().unwrap(), started.url);

    cluster.stop().unwrap();
    let stopped = cluster.status().unwrap();
    assert!(!stopped.running && stopped.initialized);
    assert_eq!((stopped.pid, stopped.port), (None, Some(started.port)));
    assert!(!cluster.status().unwrap().running, "status started the cluster");
}

#[test]
fn a_taken_port_is_replaced_by_a_free_one() {
    let project = Project::new();
    let first = project.cluster.start().unwrap();
    project.cluster.stop().unwrap();

    let squatter = TcpListener::bind((Ipv4Addr::LOCALHOST, first.port)).expect("take the old port");
    let second = project.cluster.start().expect("start with the old port taken");
    assert_ne!(second.port, first.port);
    assert_eq!(psql(&second.url, "SELECT 1"), "1");
    drop(squatter);

    project.cluster.stop().unwrap();
    assert_eq!(project.cluster.start().unwrap().port, second.port, "the new port is the one remembered");
}

// Regression: a postmaster killed with SIGKILL leaves postmaster.pid and, briefly, children
// holding its shared memory; the next start must get past both.
#[test]
fn start_after_the_server_was_killed() {
    let project = Project::new();
    let started = project.cluster.start().unwrap();
    let pid = project.cluster.status().unwrap().pid.unwrap();
    assert!(Command::new("kill").args(["-KILL", &pid.to_string()]).status().unwrap().success());
    wait_for(|| !project.cluster.status().unwrap().running, "the killed server to be seen as stopped");
    assert!(started.data_dir.join("postmaster.pid").exists(), "the kill left no stale pid file to test with");

    starts_a_new_server(&project.cluster, "start after kill -9");
}

// Regression: after a container restart the pid in a stale postmaster.pid often belongs to
// another live process, and postgres then refuses to start ("lock file already exists").
#[test]
fn start_with_a_stale_pid_file_naming_a_live_process() {
    let project = Project::new();
    let started = project.cluster.start().unwrap();
    project.cluster.stop().unwrap();
    let stale = format!(
        "{}\n{}\n1700000000\n{}\n\n127.0.0.1\n  0  0\nready   \n",
        std::process::id(),
        started.data_dir.display(),
        started.port
    );
    std::fs::write(started.data_dir.join("postmaster.pid"), stale).unwrap();
    assert!(!project.cluster.status().unwrap().running, "a recycled pid is not the server");

    starts_a_new_server(&project.cluster, "start over a stale pid file");
}

#[test]
fn a_dropped_database_is_created_again() {
    let project = Project::new();
    let url = project.cluster.start().unwrap().url;
    let maintenance = format!("{}/postgres", url.rsplit_once('/').unwrap().0);
    psql(&maintenance, "DROP DATABASE strata");
    let again = project.cluster.start().unwrap();
    assert!(again.already_running);
    assert_eq!(psql(&url, "SELECT current_database()"), "strata");
}

#[test]
fn a_failed_start_shows_the_server_log() {
    let project = Project::new();
    let started = project.cluster.start().unwrap();
    project.cluster.stop().unwrap();
    let conf = started.data_dir.join("postgresql.conf");
    let mut text = std::fs::read_to_string(&conf).unwrap();
    text.push_str("\nshared_buffers = 'plenty'\n");
    std::fs::write(&conf, text).unwrap();

    match project.cluster.start() {
        Err(err @ Error::StartFailed { .. }) => {
            let message = err.to_string();
            assert!(message.contains("shared_buffers"), "the log tail is missing from: {message}");
            assert!(message.contains("server.log"), "{message}");
        }
        other => panic!("expected StartFailed, got {other:?}"),
    }
    assert!(!project.cluster.status().unwrap().running);
}

#[test]
fn destroy_removes_the_cluster_and_a_new_one_can_start() {
    let project = Project::new();
    let first = project.cluster.start().unwrap();
    psql(&first.url, "CREATE TABLE public.kept (id int)");
    assert!(project.cluster.destroy().unwrap());
    assert!(!first.data_dir.exists());
    assert!(!project.cluster.status().unwrap().initialized);

    let second = project.cluster.start().unwrap();
    assert!(!second.already_running);
    assert_eq!(psql(&second.url, "SELECT count(*) FROM pg_tables WHERE tablename = 'kept'"), "0");
}

/// `cluster.start()` (`what` names it) starts a server, not finding one running, and
/// the server answers.
fn starts_a_new_server(cluster: &Cluster, what: &str) -> Started {
    let started = cluster.start().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(!started.already_running, "{what}: a server was already running");
    assert_eq!(psql(&started.url, "SELECT 1"), "1", "{what}");
    started
}

fn wait_for(mut condition: impl FnMut() -> bool, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}
