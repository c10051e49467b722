//! Many strata commands starting the same fresh project at once (a test runner, an editor
//! plugin and a shell): one cluster, one start, every caller gets the same working URL.

#[allow(dead_code, reason = "each test binary uses part of the shared helpers")]
mod common;

use std::sync::{Arc, Barrier};

use common::{Project, helper_result, psql, run_helper};
use strata_embedded::Cluster;

/// Set for the child processes of `starts_from_many_processes_make_one_cluster`.
const HELPER_DIR: &str = "STRATA_EMBEDDED_TEST_STATE_DIR";

#[test]
fn starts_from_many_threads_make_one_cluster() {
    const THREADS: usize = 8;
    let project = Project::new();
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            // A Cluster per thread, as each strata process would have its own.
            let cluster = Cluster::new(project.state_dir());
            std::thread::spawn(move || {
                barrier.wait();
                cluster.start()
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().expect("thread panicked")).collect();
    let started: Vec<_> = results.into_iter().map(|r| r.expect("every start succeeds")).collect();

    let fresh = started.iter().filter(|s| !s.already_running).count();
    assert_eq!(fresh, 1, "exactly one start creates the cluster: {started:#?}");
    assert!(started.iter().all(|s| s.url == started[0].url), "all get the same URL: {started:#?}");
    assert_eq!(psql(&started[0].url, "SELECT count(*) FROM pg_database WHERE datname = 'strata'"), "1");
}

#[test]
fn starts_from_many_processes_make_one_cluster() {
    const PROCESSES: usize = 6;
    let project = Project::new();
    let state_dir = project.state_dir();
    let children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            run_helper("helper_start", &[(HELPER_DIR, state_dir.as_os_str())])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .expect("spawn helper")
        })
        .collect();
    let results: Vec<String> = children
        .into_iter()
        .map(|c| {
            let output = c.wait_with_output().expect("helper output");
            helper_result(&output.stdout)
        })
        .collect();

    let mut fresh = 0;
    let mut urls = Vec::new();
    for result in &results {
        let mut words = result.split(' ');
        match (words.next(), words.next(), words.next()) {
            (Some("ok"), Some(already_running), Some(url)) => {
                fresh += usize::from(already_running == "false");
                urls.push(url.to_owned());
            }
            _ => panic!("a helper failed: {result}"),
        }
    }
    assert_eq!(fresh, 1, "exactly one process creates the cluster: {results:#?}");
    assert!(urls.iter().all(|u| *u == urls[0]), "{results:#?}");
    assert_eq!(psql(&urls[0], "SELECT 1"), "1");
}

/// Not a test by itself: the child process of `starts_from_many_processes_make_one_cluster`.
#[test]
fn helper_start() {
    let Some(dir) = std::env::var_os(HELPER_DIR) else {
        return;
    };
    match Cluster::new(dir).start() {
        Ok(started) => println!("RESULT ok {} {}", started.already_running, started.url),
        Err(err) => println!("RESULT err {}", err.to_string().replace('\n', " | ")),
    }
}
