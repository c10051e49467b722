//! The binary with a real streaming standby (`strata_testing::standby`): `migrate up
//! --wait-replicas` waits for a delayed standby and times out naming it, `migrate
//! status` shows its lag, the runner refuses the standby as its target, and `strata
//! serve --replica` reads from it.

mod common;

use std::time::{Duration, Instant};

use common::servers::{Server, request};
use common::{Project, event, reference_migrations};
use predicates::prelude::*;
use sqlx::Connection;
use strata_testing::standby::{Replication, StandbyOptions};

/// `app.t` exists on the standby.
async fn standby_has_table(pair: &Replication) -> bool {
    let mut conn = sqlx::PgConnection::connect(&pair.standby_url()).await.unwrap();
    let found: bool = sqlx::query_scalar("SELECT to_regclass('app.t') IS NOT NULL").fetch_one(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    found
}

/// A project on the pair's primary with one migration creating `app.t`.
fn project(pair: &Replication) -> Project {
    project_on(pair.primary_url().to_owned())
}

/// A project on `url` with one migration creating `app.t`.
fn project_on(url: String) -> Project {
    let p = Project::on(url, None);
    p.write(
        "migrate",
        "20251124_000001_create_t",
        "CREATE TABLE IF NOT EXISTS app.t (n int);\n",
        "DROP TABLE app.t;\n",
    );
    p
}

/// The replica's name as strata prints it: `host:port/database`.
fn name(pair: &Replication) -> String {
    format!("127.0.0.1:{}/strata", pair.standby_port())
}

/// A pair whose standby replays `delay` late, the project on its primary, and when
/// that began.
async fn delayed(delay: Duration) -> (Replication, Project, Instant) {
    let pair = Replication::start(StandbyOptions::default());
    pair.set_apply_delay(delay).await;
    let p = project(&pair);
    (pair, p, Instant::now())
}

/// `strata serve` in the project's folder on `url` with the reference migrations and
/// `--replica replica`, polled until `ready` holds of the status and the replica's entry
/// in `/api/health`: the server, its API's base URL and that entry.
fn serve_until(
    p: &Project,
    url: &str,
    replica: &str,
    ready: impl Fn(u16, &serde_json::Value) -> bool,
) -> (Server, String, serde_json::Value) {
    let migrations = reference_migrations();
    let args =
        ["--database-url", url, "--dir", migrations.to_str().unwrap(), "serve", "--port", "0", "--replica", replica];
    let server = Server::start(p.path(), &args, &[], 1, Duration::from_secs(30));
    let base = server.url("api").to_owned();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let reply = request("GET", &format!("{base}/api/health"), &[], None);
        let health: serde_json::Value = serde_json::from_str(&reply.body).unwrap_or_default();
        if ready(reply.status, &health["replicas"][0]) {
            return (server, base, health["replicas"][0].clone());
        }
        assert!(Instant::now() < deadline, "the replica is not as expected: {health}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn wait_replicas_returns_once_a_delayed_standby_has_replayed_the_migration() {
    let (pair, p, started) = delayed(Duration::from_secs(2)).await;
    p.strata()
        .args(["migrate", "up", "--wait-replicas", &pair.standby_url()])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("replayed replica {}", name(&pair))));
    assert!(started.elapsed() >= Duration::from_millis(1500), "returned after {:?}", started.elapsed());
    // The point of the wait: the new table is on the standby the moment it returns.
    assert!(standby_has_table(&pair).await);
}

#[tokio::test]
async fn wait_replicas_times_out_naming_the_lagging_standby() {
    let (pair, p, started) = delayed(Duration::from_secs(60)).await;
    p.strata()
        .args(["migrate", "up", "--wait-replicas", &pair.standby_url(), "--wait-replicas-timeout", "1s"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("{} (at ", name(&pair))))
        .stderr(predicate::str::contains("after 1s"))
        .stderr(predicate::str::contains("bytes behind"))
        .stderr(predicate::str::contains(pair.standby_url()).not());
    assert!(started.elapsed() < Duration::from_secs(20));
    assert!(!standby_has_table(&pair).await, "still delayed");
    // Applied on the primary all the same: a second run has nothing to do.
    p.strata().args(["migrate", "up"]).assert().success().stdout(predicate::str::contains("up to date"));
}

#[tokio::test]
async fn serve_replicas_in_strata_toml_are_waited_for_and_shown_by_status() {
    let pair = Replication::start(StandbyOptions::default());
    let p = project(&pair);
    p.settings(&format!("\n[serve]\nreplicas = [\"{}\"]\nmax_replica_lag = \"2s\"\n", pair.standby_url()));
    p.strata().args(["migrate", "up", "--wait-replicas"]).assert().success();
    assert!(standby_has_table(&pair).await);
    p.strata()
        .args(["migrate", "status"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Replicas ([serve] replicas; primary at"))
        .stdout(predicate::str::contains(name(&pair)))
        .stdout(predicate::str::contains("streaming"));
    let replica = event(&p.run(&["--json", "migrate", "status"]).stdout, "replica");
    assert_eq!(replica["replica"], name(&pair));
    assert_eq!(replica["state"], "standby");
    assert!(replica["lag_seconds"].is_number(), "{replica}");

    // Stopped, it is shown as unreachable; status still succeeds.
    pair.stop_standby();
    p.strata().args(["migrate", "status"]).assert().success().stdout(predicate::str::contains("unreachable"));
}

#[tokio::test]
async fn the_runner_refuses_the_standby_and_waiting_refuses_a_promoted_one() {
    let pair = Replication::start(StandbyOptions::default());
    let p = project_on(pair.standby_url());
    p.strata().args(["migrate", "up"]).assert().code(1).stderr(predicate::str::contains("read-only standby"));

    pair.promote_standby();
    let p = project(&pair);
    p.strata()
        .args(["migrate", "up", "--wait-replicas", &pair.standby_url(), "--wait-replicas-timeout", "10s"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("replica {} is not a standby", name(&pair))));
}

#[test]
fn bad_replica_settings_are_usage_errors() {
    let p = Project::new();
    p.toml("[serve]\nreplicas = [\"mysql://secret@x\"]\n");
    p.strata()
        .args(["migrate", "status"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("[serve] replicas[0]"))
        .stderr(predicate::str::contains("secret").not());
    p.toml("[serve]\nmax_replica_lag = \"soon\"\n");
    p.strata().args(["migrate", "status"]).assert().code(2).stderr(predicate::str::contains("max_replica_lag"));
    p.toml("");
    p.strata()
        .args(["migrate", "up", "--wait-replicas"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("[serve] replicas of strata.toml, and there are none"));
}

#[tokio::test]
async fn serve_reads_listings_from_the_replica_and_reports_it_in_health() {
    let pair = Replication::start(StandbyOptions::default());
    let p = Project::on(pair.primary_url().to_owned(), None);
    p.reference(&["migrate", "up"]).assert().success();
    p.reference(&["seed", "up"]).assert().success();
    pair.wait_caught_up(Duration::from_secs(30)).await;
    let (_server, base, replica) = serve_until(&p, pair.primary_url(), &pair.standby_url(), |status, replica| {
        assert_eq!(status, 200, "{replica}");
        replica["inUse"] == true
    });
    assert_eq!(replica["name"], name(&pair));
    assert_eq!(request("GET", &format!("{base}/api/items"), &[], None).status, 200);
    let mut conn = sqlx::PgConnection::connect(&pair.standby_url()).await.unwrap();
    let ran: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'strata serve (replica)' AND query LIKE '%app.items%'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert!(ran > 0, "the listing ran on the standby");
}

#[test]
fn serve_starts_with_a_replica_that_is_down_and_reads_from_the_primary() {
    let p = Project::new();
    p.reference(&["migrate", "up"]).assert().success();
    // Nothing listens on port 1.
    let down = "postgres://strata@127.0.0.1:1/strata";
    let (_server, base, replica) = serve_until(&p, &p.url, down, |_, replica| replica["state"] == "down");
    assert_eq!(replica["name"], "127.0.0.1:1/strata");
    let reply = request("GET", &format!("{base}/api/items"), &[], None);
    assert_eq!(reply.status, 200, "{}", reply.body);
}
