//! The fault test of issue 12: the reference API under load while a report
//! holds ACCESS SHARE on `app.items` and `strata migrate up` adds a column to it.
//!
//! With PostgreSQL's lock_timeout on (`--ddl-lock-timeout 500ms`), the ALTER
//! queues the API's queries for at most 500 ms at a time, then rolls back and
//! retries: no request takes longer than the lock timeout plus 250 ms, the API
//! keeps at least half of its throughput while the report runs, the file is
//! applied exactly once after the report ends, and the output names the report's
//! pid and query. With the lock timeout off (`0`), the same scenario stops the
//! API for as long as the report runs: asserted too, so the test shows the
//! difference. Bounded: about 20 s in all.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::servers::{Server, send};
use common::{Project, pg_tool, reference_migrations};
use strata_testing::copy_dir;

/// The lock timeout of the run with it on; requests must answer within it plus 250 ms.
const LOCK_TIMEOUT: Duration = Duration::from_millis(500);
const SLACK: Duration = Duration::from_millis(250);

/// `GET path` on a connection of its own; the status, or an error.
fn get(addr: SocketAddr, path: &str) -> Result<u16, String> {
    let reply = send(&addr.to_string(), "GET", path, &[("Accept", "application/json")], None, Duration::from_secs(20));
    reply.map(|r| r.status).map_err(|e| e.to_string())
}

/// One request: when it was answered, how long it took, its status.
struct Sample {
    done: Instant,
    took: Duration,
    status: Result<u16, String>,
}

/// Four clients sending `GET /api/items` one after another until stopped.
struct Load {
    stop: Arc<AtomicBool>,
    samples: Arc<Mutex<Vec<Sample>>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(addr: SocketAddr) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let samples = Arc::new(Mutex::new(Vec::new()));
        let threads = (0..4)
            .map(|_| {
                let (stop, samples) = (stop.clone(), samples.clone());
                std::thread::spawn(move || {
                    // Bounded: stops when told, or after 20,000 requests.
                    for _ in 0..20_000 {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let sent = Instant::now();
                        let status = get(addr, "/api/items?limit=5");
                        let done = Instant::now();
                        samples.lock().unwrap().push(Sample { done, took: done - sent, status });
                    }
                })
            })
            .collect();
        Load { stop, samples, threads }
    }

    fn finish(self) -> Vec<Sample> {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.threads {
            t.join().unwrap();
        }
        std::mem::take(&mut *self.samples.lock().unwrap())
    }
}

/// Requests answered per second in `from..to`.
fn rate(samples: &[Sample], from: Instant, to: Instant) -> f64 {
    let n = samples.iter().filter(|s| s.done >= from && s.done < to).count();
    n as f64 / (to - from).as_secs_f64()
}

/// A session like the report: `BEGIN; SELECT count(*) FROM app.items;
/// SELECT pg_sleep(secs); COMMIT;` (application_name `report`); its pid once it
/// holds ACCESS SHARE on app.items.
#[expect(clippy::zombie_processes, reason = "the caller waits for the child it returns")]
fn report(p: &Project, secs: f64) -> (Child, i32) {
    let mut child = Command::new(pg_tool("psql"))
        .args(["-XAtq", "-d", &p.url, "-c"])
        .arg(format!("BEGIN; SELECT count(*) FROM app.items; SELECT pg_sleep({secs}); COMMIT;"))
        .env("PGAPPNAME", "report")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let pid = p.psql(
            "SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a USING (pid)
             WHERE a.application_name = 'report' AND l.relation = 'app.items'::regclass AND l.granted",
        );
        if let Ok(pid) = pid.parse() {
            return (child, pid);
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the report session did not start");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One scenario: load for a baseline, the report for `hold`, `migrate up` of a
/// new file adding `column` with `lock_timeout` (`0`: off). Returns the
/// samples, the baseline and in-wait throughput, and migrate's output.
struct Outcome {
    samples: Vec<Sample>,
    before: f64,
    during: f64,
    output: std::process::Output,
    pid: i32,
}

fn scenario(p: &Project, addr: SocketAddr, version: &str, column: &str, lock_timeout: &str, hold: f64) -> Outcome {
    let folder = p.path().join("ref/migrate");
    let up = format!("ALTER TABLE app.items ADD COLUMN IF NOT EXISTS {column} text[];\n");
    std::fs::write(folder.join(format!("{version}_add_{column}.up.sql")), up).unwrap();
    let down = format!("ALTER TABLE app.items DROP COLUMN IF EXISTS {column};\n");
    std::fs::write(folder.join(format!("{version}_add_{column}.down.sql")), down).unwrap();
    // NDJSON with the lock timeout on, the human lines with it off.
    let mut args = vec!["--dir", "ref", "--ddl-lock-timeout", lock_timeout, "migrate", "up"];
    if lock_timeout != "0" {
        args.insert(0, "--json");
    }
    let load = Load::start(addr);
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(1500));
    let baseline_end = Instant::now();
    let (mut reporter, pid) = report(p, hold);
    let held = Instant::now();
    let migrate = p.std_strata().args(&args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    // The wait: from when the ALTER has surely queued until shortly before the report ends.
    let during_from = held + Duration::from_millis(700);
    let during_to = held + Duration::from_secs_f64(hold - 0.3);
    let output = migrate.wait_with_output().unwrap();
    reporter.wait().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let samples = load.finish();
    let before = rate(&samples, start + Duration::from_millis(300), baseline_end);
    let during = rate(&samples, during_from, during_to);
    Outcome { samples, before, during, output, pid }
}

#[test]
fn migrating_under_traffic_keeps_the_api_up_and_names_the_blocker() {
    let p = Project::new();
    copy_dir(&reference_migrations(), &p.path().join("ref"));
    p.strata().args(["-q", "--dir", "ref", "migrate", "up"]).assert().success();
    p.strata().args(["-q", "--dir", "ref", "seed", "up"]).assert().success();
    let args = ["--database-url", &p.url, "--dir", "ref", "serve", "--port", "0"];
    let server = Server::start(p.path(), &args, &[("STRATA_LOG", "warn")], 1, Duration::from_secs(60));
    let addr: SocketAddr = server.url("api").trim_start_matches("http://").parse().unwrap();
    let test_started = Instant::now();

    // Lock timeout on: the report holds ACCESS SHARE for 8 s.
    let on = scenario(&p, addr, "20291201_000001", "tags", "500ms", 8.0);
    let stdout = String::from_utf8_lossy(&on.output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&on.output.stderr);
    assert!(on.output.status.success(), "{stdout}\n{stderr}");
    let events: Vec<serde_json::Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let blocked: Vec<&serde_json::Value> = events.iter().filter(|e| e["event"] == "blocked").collect();
    assert_eq!(blocked.len(), 1, "the blocker is named once: {stdout}");
    assert_eq!(blocked[0]["blocker"]["pid"], on.pid, "{stdout}");
    assert!(blocked[0]["blocker"]["query"].as_str().unwrap().contains("SELECT count(*) FROM app.items"), "{stdout}");
    assert_eq!(blocked[0]["blocker"]["application_name"], "report", "{stdout}");
    assert!(
        blocked[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("waiting for ACCESS EXCLUSIVE on app.items: blocked by pid")
    );
    assert!(events.iter().any(|e| e["event"] == "lock_retry"), "{stdout}");
    // Applied exactly once, after the report.
    assert_eq!(
        p.psql(
            "SELECT count(*) FROM public.migration_history WHERE version::text LIKE '20291201%' AND status = 'applied'"
        ),
        "1"
    );
    assert_eq!(
        p.psql("SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'tags'"),
        "1"
    );
    let slowest = on.samples.iter().map(|s| s.took).max().unwrap();
    let failed: Vec<&Sample> = on.samples.iter().filter(|s| s.status != Ok(200)).collect();
    eprintln!(
        "lock timeout 500ms: {} requests, {:.0}/s before, {:.0}/s during the wait, slowest {slowest:?}",
        on.samples.len(),
        on.before,
        on.during
    );
    assert!(failed.is_empty(), "{} requests failed, e.g. {:?}", failed.len(), failed[0].status);
    assert!(slowest <= LOCK_TIMEOUT + SLACK, "a request took {slowest:?}");
    assert!(on.during >= on.before / 2.0, "{:.0}/s during the wait, {:.0}/s before", on.during, on.before);

    // Lock timeout off: the ALTER queues every query on app.items behind the 3 s report.
    let off = scenario(&p, addr, "20291201_000002", "tags2", "0", 3.0);
    let out = String::from_utf8_lossy(&off.output.stdout).into_owned();
    assert!(off.output.status.success(), "{out}");
    let slowest = off.samples.iter().map(|s| s.took).max().unwrap();
    eprintln!("lock timeout off: {:.0}/s before, {:.0}/s during the wait, slowest {slowest:?}", off.before, off.during);
    assert!(slowest >= Duration::from_secs(2), "no outage without the lock timeout? slowest {slowest:?}");
    assert!(off.during < off.before / 4.0, "{:.0}/s during, {:.0}/s before", off.during, off.before);
    assert!(out.contains(&format!("blocked by pid {}", off.pid)), "{out}");
    assert!(test_started.elapsed() < Duration::from_secs(30), "{:?}", test_started.elapsed());
}

/// `[migrate]` in strata.toml reaches the runner (a statement_timeout stops a slow
/// file), and a bad duration there or in `--ddl-lock-timeout` is refused (exit 2)
/// naming the key or the flag.
#[test]
fn migrate_section_and_flag_are_read_and_checked() {
    let p = Project::new();
    p.write("migrate", "20251124_000001_slow", "SELECT pg_sleep(2);\n", "SELECT 1;\n");
    let cases: [(&str, &[&str], i32, &str); 3] = [
        (
            "[migrate]\nstatement_timeout = \"200ms\"\nlock_retry_for = \"5m\"\n",
            &[],
            1,
            "canceling statement due to statement timeout",
        ),
        ("[migrate]\nlock_timeout = \"5\"\n", &[], 2, "strata.toml: [migrate] lock_timeout: `5` has no unit"),
        ("", &["--ddl-lock-timeout", "soon"], 2, "--ddl-lock-timeout: `soon` is not a duration"),
    ];
    for (settings, flags, code, message) in cases {
        p.settings(settings);
        p.strata().args(flags).args(["migrate", "up"]).assert().code(code).stderr(predicates::str::contains(message));
    }
    // Without the section, the file runs to its end.
    p.strata().args(["-q", "migrate", "up"]).assert().success();
}
