//! Fault injection against real PostgreSQL: racing runners, SIGKILLs at random
//! moments, the database going away mid-run, and the API while PostgreSQL restarts.
//!
//! Each test is bounded in count and time. The kills run on the shared test
//! cluster (only the strata process dies); stopping PostgreSQL needs a cluster of
//! the test's own, made in a temporary folder and destroyed afterwards.
//! `STRATA_FAULT_SEED=N` replays the random moments of a failed run.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use predicates::prelude::*;
use predicates::str::contains;
use sqlx::Connection;

mod common;
use common::servers::{Reply, Server, send, split_url};
use common::{Project, event, events, wait_for};

/// A PostgreSQL cluster that one test may stop and start: the embedded database of
/// a temporary project folder. Destroyed (server stopped, files removed) on drop.
struct PrivateCluster {
    cluster: strata_embedded::Cluster,
    url: String,
    _dir: tempfile::TempDir,
}

impl PrivateCluster {
    fn start() -> PrivateCluster {
        let dir = tempfile::Builder::new().prefix("strata-fault-").tempdir().unwrap();
        // Run as root, the server runs as an unprivileged user, who must reach the data.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let cluster = strata_embedded::Cluster::new(dir.path().join(".strata"));
        let url = cluster.start().expect("starting a private cluster").url;
        PrivateCluster { cluster, url, _dir: dir }
    }

    /// A fast shutdown, as `strata db stop` does: sessions end, open transactions roll back.
    fn stop(&self) {
        assert!(self.cluster.stop().expect("stopping the private cluster"), "it was running");
    }

    /// Starts it again on the same port, so clients find it at the same URL.
    fn restart(&self) {
        let started = self.cluster.start().expect("restarting the private cluster");
        assert_eq!(started.url, self.url, "the restarted cluster moved");
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        if let Err(err) = self.cluster.destroy() {
            eprintln!("warning: could not destroy the private cluster: {err}");
        }
    }
}

/// Random moments that a failed run can replay: the seed is printed, and
/// `STRATA_FAULT_SEED` sets it.
struct Rng(u64);

impl Rng {
    fn from_env(test: &str) -> Rng {
        let seed = std::env::var("STRATA_FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
        });
        eprintln!("{test}: STRATA_FAULT_SEED={seed}");
        Rng(seed | 1)
    }

    /// xorshift64*: plenty for picking moments.
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `lo..hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

/// One connection for polling and for reading history and catalog in one snapshot,
/// much cheaper than a psql process per look.
struct Sql {
    rt: tokio::runtime::Runtime,
    conn: sqlx::PgConnection,
}

impl Sql {
    fn connect(url: &str) -> Sql {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let conn = rt.block_on(sqlx::PgConnection::connect(url)).expect("connecting");
        Sql { rt, conn }
    }

    fn int(&mut self, sql: &str) -> i64 {
        let conn = &mut self.conn;
        self.rt.block_on(sqlx::query_scalar::<_, i64>(sql).fetch_one(conn)).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    fn text(&mut self, sql: &str) -> String {
        let conn = &mut self.conn;
        self.rt.block_on(sqlx::query_scalar::<_, String>(sql).fetch_one(conn)).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Waits until no other client is connected to this database: a killed runner's
    /// server process finishes the statement it was given before it notices.
    fn wait_until_alone(&mut self) {
        let others = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
                      AND pid <> pg_backend_pid() AND backend_type = 'client backend'";
        wait_for("a killed runner's session to end", Duration::from_secs(20), Duration::from_millis(2), || {
            self.int(others) == 0
        });
    }
}

// ---------------------------------------------------------------------------
// 1. Racing runners

#[test]
fn thirty_two_racing_runners_apply_each_file_once() {
    let p = Project::with_tables(80, 0.005);
    let children: Vec<Child> = (0..32)
        .map(|_| {
            p.std_strata()
                .args(["--json", "migrate", "up"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut applied = BTreeMap::<String, usize>::new();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "a racing runner failed: {}", String::from_utf8_lossy(&out.stderr));
        for event in events(&String::from_utf8(out.stdout).unwrap()) {
            if event["event"] == "applied" {
                *applied.entry(event["version"].as_str().unwrap().to_owned()).or_default() += 1;
            }
        }
    }
    // Across all 32 processes, each file was reported applied by exactly one.
    assert_eq!(applied.len(), 81, "{applied:?}");
    assert!(applied.values().all(|&n| n == 1), "{applied:?}");
    assert_eq!(p.psql("SELECT count(*), count(DISTINCT version) FROM public.migration_history"), "81|81");
    assert_eq!(p.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'app'"), "80");
}

#[test]
fn a_waiting_runner_names_the_lock_holder() {
    let p = Project::with_tables(30, 0.05);
    let mut first = p.std_strata().args(["-q", "migrate", "up"]).stderr(Stdio::piped()).spawn().unwrap();
    let mut sql = Sql::connect(&p.url);
    // The holder, seen from the server: the session that has the advisory lock granted.
    let holder_sql = "SELECT coalesce(max(l.pid), 0)::bigint FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid \
                      WHERE l.locktype = 'advisory' AND l.granted AND a.datname = current_database()";
    let deadline = Instant::now() + Duration::from_secs(20);
    let holder = loop {
        let pid = sql.int(holder_sql);
        if pid != 0 {
            break pid;
        }
        assert!(Instant::now() < deadline, "the first runner never took the lock");
        std::thread::sleep(Duration::from_millis(5));
    };
    let out =
        p.strata().args(["--json", "migrate", "up", "--lock-timeout", "0.5"]).assert().code(1).get_output().clone();
    let waiting = event(&String::from_utf8(out.stdout).unwrap(), "lock_waiting");
    assert_eq!(waiting["holder"]["pid"].as_i64(), Some(holder), "{waiting}");
    assert_eq!(waiting["holder"]["application_name"], "strata migrate up", "{waiting}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains(&format!("pid {holder}")), "the timeout error names the holder: {stderr}");
    assert!(first.wait().unwrap().success(), "the first runner failed");
    assert_eq!(p.psql("SELECT count(*) FROM public.migration_history"), "31");
}

// ---------------------------------------------------------------------------
// 2. SIGKILL at random moments

/// Files in the kill run, create_schemas included.
const KILL_RUN_FILES: u32 = 500;
/// SIGKILLs before the run may finish.
const KILLS: usize = 50;
/// Every this many files, one runs without a transaction.
const NO_TX_EVERY: u32 = 25;

/// 499 files after create_schemas. Transactional ones create `app.t<i>` (not
/// idempotent: a second application fails). No-transaction ones are five statements
/// with `CREATE INDEX CONCURRENTLY` in the middle and are safe to re-run, as the
/// README asks of a file that failed part-way.
fn kill_set(p: &Project) {
    for i in 1..KILL_RUN_FILES {
        let (up, down) = if i % NO_TX_EVERY == 0 {
            (
                format!(
                    "-- strata:no-transaction\n\
                     CREATE TABLE IF NOT EXISTS app.t{i} (id int);\n\
                     SELECT pg_sleep(0.02);\n\
                     DROP INDEX CONCURRENTLY IF EXISTS app.i{i};\n\
                     CREATE INDEX CONCURRENTLY i{i} ON app.t{i} (id);\n\
                     SELECT pg_sleep(0.02);\n\
                     CREATE TABLE IF NOT EXISTS app.t{i}_done (id int);\n"
                ),
                format!("DROP TABLE IF EXISTS app.t{i}_done;\nDROP TABLE IF EXISTS app.t{i};\n"),
            )
        } else {
            (format!("CREATE TABLE app.t{i} (id int);\nSELECT pg_sleep(0.002);\n"), format!("DROP TABLE app.t{i};\n"))
        };
        p.write("migrate", &format!("20251124_{i:06}_t{i}"), &up, &down);
    }
}

/// History rows and the relations of schema `app`, read in one snapshot.
#[derive(Debug, PartialEq, Eq)]
struct Observed {
    /// File number -> status (`applied` or `failed`).
    history: BTreeMap<u32, String>,
    /// `t5`, `i25`, `t25_done`; an invalid index is `i25!`.
    relations: BTreeSet<String>,
}

impl Observed {
    fn read(sql: &mut Sql) -> Observed {
        let both = sql.text(
            "SELECT coalesce((SELECT string_agg(version || ':' || status, ',') FROM public.migration_history \
                              WHERE track = 'migrate'), '') || '|' || \
                    coalesce((SELECT string_agg(c.relname || CASE WHEN x.indisvalid IS FALSE THEN '!' ELSE '' END, ',') \
                              FROM pg_class c LEFT JOIN pg_index x ON x.indexrelid = c.oid \
                              WHERE c.relnamespace = 'app'::regnamespace AND c.relkind IN ('r', 'i')), '')",
        );
        let (history, relations) = both.split_once('|').unwrap();
        let history = history
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|row| {
                let (version, status) = row.split_once(':').unwrap();
                (version.rsplit('_').next().unwrap().parse().unwrap(), status.to_owned())
            })
            .collect();
        let relations = relations.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect();
        Observed { history, relations }
    }

    fn failed(&self) -> Vec<u32> {
        self.history.iter().filter(|(_, s)| *s == "failed").map(|(&v, _)| v).collect()
    }

    /// History equals the catalog: a transactional file is recorded applied exactly
    /// when its table exists; a no-transaction file recorded applied has all three
    /// of its objects (the index valid); one not recorded has none (unless a repair
    /// cleared an earlier failed run of it, which may have left some); a failed one
    /// may have any.
    fn check(&self, repaired: &BTreeSet<u32>) -> Result<(), String> {
        let has = |name: &str| self.relations.contains(name);
        if self.history.get(&0).map(String::as_str) != Some("applied") {
            return Err("create_schemas is not recorded applied".into());
        }
        for i in 1..KILL_RUN_FILES {
            let status = self.history.get(&i).map(String::as_str);
            if i % NO_TX_EVERY != 0 {
                match (status, has(&format!("t{i}"))) {
                    (Some("applied"), true) | (None, false) => {}
                    (status, exists) => return Err(format!("file {i}: history {status:?}, table exists: {exists}")),
                }
                continue;
            }
            let objects = [format!("t{i}"), format!("i{i}"), format!("t{i}_done")];
            match status {
                Some("applied") if objects.iter().all(|o| has(o)) => {}
                Some("applied") => {
                    return Err(format!("no-transaction file {i} recorded applied, but has {objects:?} only in part"));
                }
                None if repaired.contains(&i) => {}
                None if objects.iter().any(|o| has(o)) || has(&format!("i{i}!")) => {
                    return Err(format!("no-transaction file {i} not recorded, yet some of its objects exist"));
                }
                None | Some("failed") => {}
                Some(other) => return Err(format!("file {i}: unknown status {other}")),
            }
        }
        let unknown: Vec<_> = self.history.keys().filter(|&&v| v >= KILL_RUN_FILES).collect();
        if !unknown.is_empty() {
            return Err(format!("history rows for files that do not exist: {unknown:?}"));
        }
        Ok(())
    }
}

// The check above is what makes the kill test able to fail: it must reject each way
// history and catalog can disagree.
#[test]
fn the_history_check_rejects_each_disagreement() {
    let consistent = || {
        let mut history = BTreeMap::from([(0, "applied".to_owned())]);
        let mut relations = BTreeSet::new();
        for i in 1..=NO_TX_EVERY {
            history.insert(i, "applied".to_owned());
            relations.insert(format!("t{i}"));
        }
        relations.extend([format!("i{NO_TX_EVERY}"), format!("t{NO_TX_EVERY}_done")]);
        Observed { history, relations }
    };
    consistent().check(&BTreeSet::new()).unwrap();
    type Breakage = (&'static str, fn(&mut Observed));
    let broken: [Breakage; 6] = [
        ("recorded, table missing", |o| {
            o.relations.remove("t3");
        }),
        ("table, not recorded", |o| {
            o.history.remove(&3);
        }),
        ("transactional file failed", |o| {
            o.history.insert(3, "failed".into());
        }),
        ("no-transaction file applied, half done", |o| {
            o.relations.remove(&format!("t{NO_TX_EVERY}_done"));
        }),
        ("no-transaction file not recorded, half done", |o| {
            o.history.remove(&NO_TX_EVERY);
            o.relations.remove(&format!("i{NO_TX_EVERY}"));
        }),
        ("row of no file", |o| {
            o.history.insert(KILL_RUN_FILES, "applied".into());
        }),
    ];
    for (what, breakage) in broken {
        let mut o = consistent();
        breakage(&mut o);
        assert!(o.check(&BTreeSet::new()).is_err(), "not caught: {what}");
    }
    // A half-done no-transaction file is consistent while marked failed.
    let mut o = consistent();
    o.history.insert(NO_TX_EVERY, "failed".into());
    o.relations.remove(&format!("t{NO_TX_EVERY}_done"));
    o.check(&BTreeSet::new()).unwrap();
}

/// When a round's SIGKILL lands.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// This long after the process starts: while it loads files, connects, takes the lock.
    AfterStart(Duration),
    /// Once the history has this many rows, plus a little.
    AtProgress(i64, Duration),
    /// While a no-transaction file is half done: its `failed` row exists, plus a little.
    InsideNoTransaction(Duration),
}

#[test]
fn fifty_sigkills_during_a_500_file_run_leave_history_equal_to_the_catalog() {
    let started = Instant::now();
    let p = Project::new();
    kill_set(&p);
    let mut rng = Rng::from_env("sigkills");
    let mut sql = Sql::connect(&p.url);
    p.strata().args(["-q", "migrate", "up", "--to", "20251124_000000"]).assert().success();

    let mut repaired = BTreeSet::new();
    let mut half_done = 0;
    for round in 0..KILLS {
        let moment = match round % 10 {
            0 => Moment::AfterStart(Duration::from_millis(rng.range(0, 80))),
            3 | 7 => Moment::InsideNoTransaction(Duration::from_millis(rng.range(0, 20))),
            // Spread over the whole run: round r aims near file 9r.
            _ => Moment::AtProgress(
                5 + 9 * round as i64 + rng.range(0, 9) as i64,
                Duration::from_millis(rng.range(0, 6)),
            ),
        };
        let mut child =
            p.std_strata().args(["-q", "migrate", "up"]).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let child_started = Instant::now();
        let poll = |sql: &mut Sql, child: &mut Child, query: &str, until: i64, extra: Duration| {
            while sql.int(query) < until {
                if let Some(status) = child.try_wait().unwrap() {
                    panic!("round {round} ({moment:?}): the run ended ({status}) before the kill");
                }
                assert!(child_started.elapsed() < Duration::from_secs(30), "round {round}: no progress in 30 s");
                std::thread::sleep(Duration::from_micros(500));
            }
            std::thread::sleep(extra);
        };
        match moment {
            Moment::AfterStart(after) => std::thread::sleep(after),
            Moment::AtProgress(rows, extra) => {
                poll(&mut sql, &mut child, "SELECT count(*) FROM public.migration_history", rows, extra)
            }
            Moment::InsideNoTransaction(extra) => poll(
                &mut sql,
                &mut child,
                "SELECT count(*) FROM public.migration_history WHERE status = 'failed'",
                1,
                extra,
            ),
        }
        assert!(child.try_wait().unwrap().is_none(), "round {round} ({moment:?}): the run ended before the kill");
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        sql.wait_until_alone();

        let seen = Observed::read(&mut sql);
        if let Err(problem) = seen.check(&repaired) {
            panic!("after SIGKILL {round} ({moment:?}): history and catalog disagree: {problem}\n{seen:?}");
        }
        let failed = seen.failed();
        assert!(failed.len() <= 1, "round {round}: several failed files {failed:?}");
        if let Some(&i) = failed.first() {
            half_done += 1;
            let name = format!("20251124_{i:06}_t{i}");
            // Shown as failed, and every run refuses, changing nothing, until repaired.
            p.strata().args(["migrate", "status"]).assert().code(3).stdout(contains("failed"));
            p.strata().args(["migrate", "up"]).assert().code(3).stderr(contains(&name).and(contains("migrate repair")));
            assert_eq!(Observed::read(&mut sql), seen, "round {round}: a refused run changed something");
            p.strata().args(["migrate", "repair"]).assert().success().stdout(contains("cleared the failed run"));
            repaired.insert(i);
        }
    }
    // Five rounds aim inside a no-transaction file; on a loaded machine one may land
    // just after it finished, but most must catch it half done.
    assert!(half_done >= 3, "only {half_done} kills left a no-transaction file half done");

    p.strata().args(["migrate", "up"]).assert().success();
    let end = Observed::read(&mut sql);
    end.check(&repaired).unwrap();
    assert_eq!(end.history.len(), KILL_RUN_FILES as usize);
    assert!(end.failed().is_empty());
    p.strata().args(["migrate", "status"]).assert().success();
    eprintln!("sigkills: {KILLS} kills, {half_done} inside no-transaction files, {:.1?}", started.elapsed());
}

// ---------------------------------------------------------------------------
// 3. The database going away mid-run

#[test]
fn database_stopping_mid_run_fails_clearly_and_records_only_what_happened() {
    let cluster = PrivateCluster::start();
    let p = Project::on(cluster.url.clone(), None);
    p.write_tables(60, 0.02);
    p.strata().args(["-q", "migrate", "up", "--to", "20251124_000000"]).assert().success();
    let child =
        p.std_strata().args(["--json", "migrate", "up"]).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut sql = Sql::connect(&cluster.url);
    wait_for("the run to apply 10 files", Duration::from_secs(30), Duration::from_millis(2), || {
        sql.int("SELECT count(*) FROM public.migration_history") >= 10
    });
    drop(sql);
    cluster.stop();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.starts_with("error: ") || stderr.contains("\nerror: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // The server ends the session mid-file (SQLSTATE 57P01), or between files the
    // connection is simply gone; either way the error says so, and what was done.
    assert!(stderr.contains("SQLSTATE 57P01") || stderr.contains("connection"), "{stderr}");
    assert!(stderr.contains("applied before the failure"), "{stderr}");
    let reported: BTreeSet<String> = events(&String::from_utf8(out.stdout).unwrap())
        .iter()
        .filter(|e| e["event"] == "applied")
        .map(|e| e["version"].as_str().unwrap().to_owned())
        .collect();

    // While it is down, every command says so at once.
    let started = Instant::now();
    p.strata()
        .args(["migrate", "status"])
        .assert()
        .code(1)
        .stderr(contains("error: connecting to postgres://strata:***@").and(contains("Connection refused")));
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "an unreachable database took {:?} to report",
        started.elapsed()
    );

    cluster.restart();
    let history: BTreeSet<String> =
        p.psql("SELECT string_agg(version, ',') FROM public.migration_history").split(',').map(str::to_owned).collect();
    let tables: BTreeSet<String> = p
        .psql("SELECT string_agg('20251124_' || lpad(substr(tablename, 2), 6, '0'), ',') FROM pg_tables WHERE schemaname = 'app'")
        .split(',')
        .map(str::to_owned)
        .collect();
    let mut catalog = tables.clone();
    catalog.insert("20251124_000000".into());
    // Nothing recorded that did not happen; everything reported is recorded.
    assert_eq!(history, catalog, "history and catalog disagree after the outage");
    assert!(reported.is_subset(&history), "reported applied but not recorded: {:?}", reported.difference(&history));
    assert!(history.len() < 61, "the outage came too late to interrupt the run");
    p.strata().args(["migrate", "up"]).assert().success();
    assert_eq!(p.psql("SELECT count(*) FROM pg_tables WHERE schemaname = 'app'"), "60");
    assert_eq!(p.psql("SELECT count(*) FROM public.migration_history"), "61");
}

// ---------------------------------------------------------------------------
// 4. The API while PostgreSQL restarts

/// One request to the API on its own connection; a failure to get a whole answer is an error.
fn http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    body: Option<&str>,
) -> std::io::Result<Reply> {
    let length = body.unwrap_or("").len().to_string();
    let mut headers = vec![("Accept", "application/json")];
    if let Some(cookie) = cookie {
        headers.push(("Cookie", cookie));
    }
    if method != "GET" {
        headers.extend([("Content-Type", "application/json"), ("Content-Length", length.as_str())]);
    }
    send(&addr.to_string(), method, path, &headers, body, Duration::from_secs(40))
}

/// One request of the load, and what came of it.
#[derive(Debug)]
struct Sample {
    sent: Instant,
    took: Duration,
    method: &'static str,
    outcome: Result<Reply, String>,
}

/// Statuses and the slowest answer of some samples, for failure messages.
fn summary(samples: &[&Sample]) -> String {
    let mut statuses = BTreeMap::<String, usize>::new();
    for s in samples {
        let key = match &s.outcome {
            Ok(r) => r.status.to_string(),
            Err(e) => e.clone(),
        };
        *statuses.entry(key).or_default() += 1;
    }
    let slowest = samples.iter().map(|s| s.took).max().unwrap_or_default();
    format!("{} sent: statuses {statuses:?}, slowest answer {slowest:.1?}", samples.len())
}

#[test]
fn api_answers_503_while_postgres_restarts_and_loses_no_acknowledged_write() {
    let cluster = PrivateCluster::start();
    let p = Project::on(cluster.url.clone(), None);
    p.reference(&["-q", "migrate", "up"]).assert().success();
    p.reference(&["-q", "seed", "up"]).assert().success();
    let args = ["--database-url", &p.url, "serve", "--port", "0"];
    let server = Server::start(p.path(), &args, &[("STRATA_LOG", "warn")], 1, Duration::from_secs(60));
    let addr = split_url(server.url("api")).0.parse().unwrap();
    restart_under_load(&cluster, &p, addr, || server.printed());
}

/// How long PostgreSQL stays down.
const OUTAGE: Duration = Duration::from_secs(4);
/// A request sent while the database is down is answered within this.
const ANSWER_WITHIN: Duration = Duration::from_secs(3);

/// Four clients alternate `GET /api/items` and `POST /api/items` (logged in) for a
/// second, through a fast shutdown of PostgreSQL, four seconds of outage and the
/// restart, then four seconds more.
fn restart_under_load(cluster: &PrivateCluster, p: &Project, addr: SocketAddr, server_log: impl Fn() -> String) {
    let login =
        http(addr, "POST", "/api/auth/login", None, Some(r#"{"email":"alice@example.com","password":"strata-demo"}"#))
            .unwrap();
    assert_eq!(login.status, 200, "{login:?}");
    let cookie = login.header("set-cookie").and_then(|c| c.split(';').next()).unwrap().to_owned();

    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|worker| {
            let (stop, cookie) = (stop.clone(), cookie.clone());
            std::thread::spawn(move || {
                let mut samples = Vec::new();
                let mut n = 0;
                // Bounded: the load stops when told to, or after 10,000 requests per client.
                while !stop.load(Ordering::Relaxed) && n < 10_000 {
                    n += 1;
                    let sent = Instant::now();
                    let (method, outcome) = if n % 2 == 0 {
                        ("GET", http(addr, "GET", "/api/items?limit=5", None, None))
                    } else {
                        let body = format!(r#"{{"name":"fault-{worker}-{n}"}}"#);
                        ("POST", http(addr, "POST", "/api/items", Some(&cookie), Some(&body)))
                    };
                    samples.push(Sample {
                        sent,
                        took: sent.elapsed(),
                        method,
                        outcome: outcome.map_err(|e| e.to_string()),
                    });
                    std::thread::sleep(Duration::from_millis(10));
                }
                samples
            })
        })
        .collect();

    std::thread::sleep(Duration::from_secs(1));
    let stopping = Instant::now();
    cluster.stop();
    let stopped = Instant::now();
    std::thread::sleep(OUTAGE);
    let restarting = Instant::now();
    cluster.restart();
    let restarted = Instant::now();
    std::thread::sleep(Duration::from_secs(4));
    stop.store(true, Ordering::Relaxed);
    let samples: Vec<Sample> = workers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    let log = server_log();

    // No transport failures and no 5xx other than 503; every 503 is the JSON error.
    for s in &samples {
        let r = s
            .outcome
            .as_ref()
            .unwrap_or_else(|e| panic!("{} failed after {:?}: {e}\nserver log:\n{log}", s.method, s.took));
        assert!(
            r.status < 500 || r.status == 503,
            "{} answered {}: {}\nserver log:\n{log}",
            s.method,
            r.status,
            r.body
        );
        if r.status == 503 {
            let body = r.json().unwrap_or_else(|| panic!("503 without a JSON body: {:?}", r.body));
            assert_eq!(body["error"], "database_unavailable", "{body}");
        }
    }
    let status = |s: &Sample| s.outcome.as_ref().map(|r| r.status).unwrap_or(0);
    let answered = |s: &Sample| s.sent + s.took;
    let before: Vec<_> = samples.iter().filter(|s| answered(s) < stopping).collect();
    let sent_in_outage: Vec<_> = samples.iter().filter(|s| s.sent > stopped && s.sent < restarting).collect();
    let in_flight: Vec<_> = samples.iter().filter(|s| s.sent < restarting && answered(s) > stopped).collect();
    let answered_in_outage: Vec<_> =
        samples.iter().filter(|s| answered(s) > stopped && answered(s) < restarting).collect();
    let after: Vec<_> = samples.iter().filter(|s| s.sent > restarted + Duration::from_secs(2)).collect();
    assert!(
        before.len() > 20 && before.iter().all(|s| matches!(status(s), 200 | 201)),
        "before the outage: {}",
        summary(&before)
    );
    // During the outage: answered promptly, with 503, rather than held until the database returns.
    let late: Vec<_> =
        in_flight.iter().copied().filter(|s| answered(s) > s.sent.max(stopped) + ANSWER_WITHIN).collect();
    assert!(
        late.is_empty(),
        "requests waiting while the database was down must be answered within {ANSWER_WITHIN:?}; late: {}",
        summary(&late)
    );
    assert!(
        answered_in_outage.len() >= 4 && answered_in_outage.iter().all(|s| status(s) == 503),
        "answers during the outage: {}",
        summary(&answered_in_outage)
    );
    // Full recovery within 2 s of the restart.
    assert!(
        after.len() > 20 && after.iter().all(|s| matches!(status(s), 200 | 201)),
        "from 2 s after the restart: {}",
        summary(&after)
    );

    // Every acknowledged create is in the database.
    let acknowledged: BTreeSet<String> = samples
        .iter()
        .filter(|s| s.method == "POST" && status(s) == 201)
        .map(|s| s.outcome.as_ref().unwrap().json().unwrap()["id"].as_str().unwrap().to_owned())
        .collect();
    let stored: BTreeSet<String> = p
        .psql("SELECT coalesce(string_agg(id::text, ','), '') FROM app.items WHERE name LIKE 'fault-%'")
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    eprintln!(
        "api restart: {} requests; before the outage {}; sent during it {}; after {}; {} writes acknowledged",
        samples.len(),
        summary(&before),
        summary(&sent_in_outage),
        summary(&after),
        acknowledged.len()
    );
}
