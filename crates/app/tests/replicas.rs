//! Reads on a real streaming standby (`strata_testing::standby`): listings served by
//! it, read-your-writes under a delayed replay, a standby stopped mid-load, one lagging
//! beyond the limit, and one promoted by mistake.

use std::ops::Deref;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgPool};
use strata_app::http::replicas::{Replicas, display_name};
use strata_app::roles::pool_options_as;
use strata_app::{APP_ROLE, AppConfig, LogSender};
use strata_testing::CapturedLog;
use strata_testing::standby::{Replication, StandbyOptions};

// Shared with the API tests, which use more of it than these do.
#[allow(dead_code)]
#[path = "common/client.rs"]
mod client;

use client::Client;

const ALICE: &str = "alice@example.com";

/// A pool as the application role, named so a server's `pg_stat_activity` tells whose
/// connections they are.
async fn app_pool(url: &str, application: &str) -> PgPool {
    let options = url.parse::<PgConnectOptions>().unwrap().application_name(application);
    pool_options_as(PgPoolOptions::new().max_connections(8), APP_ROLE).connect_lazy_with(options)
}

/// A migrated and seeded primary, its standby caught up, and the API on both.
struct Setup {
    pair: Replication,
    client: Client,
    replicas: Replicas,
}

async fn setup(config: AppConfig) -> Setup {
    let pair = Replication::start(StandbyOptions::default());
    let mut conn = sqlx::PgConnection::connect(pair.primary_url()).await.unwrap();
    let migrations = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    strata_migrate::up_all(&mut conn, &migrations).await.expect("migrate and seed");
    conn.close().await.unwrap();
    pair.wait_caught_up(Duration::from_secs(30)).await;
    let primary = app_pool(pair.primary_url(), "api-primary").await;
    let standby = app_pool(&pair.standby_url(), "api-replica").await;
    let config = AppConfig { replica_check_interval: Duration::from_millis(100), ..config };
    let replicas = Replicas::start(primary.clone(), vec![(display_name(&pair.standby_url()), standby)], &config);
    let router = strata_app::http::router_with_replicas(config, Arc::new(LogSender), replicas.clone());
    let setup = Setup { pair, client: Client { router }, replicas };
    setup.wait_for_state("in_use", Duration::from_secs(10)).await;
    setup
}

impl Deref for Setup {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Setup {
    /// The standby's state in `GET /api/health`.
    async fn replica_health(&self) -> Value {
        let health = self.get("/api/health", None).await;
        assert_eq!(health.status, StatusCode::OK, "{}", health.json);
        health.json["replicas"][0].clone()
    }

    async fn wait_for_state(&self, state: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let replica = self.replica_health().await;
            if replica["state"] == state {
                return replica;
            }
            assert!(Instant::now() < deadline, "the replica did not become {state}: {replica}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The names of the items a listing returns.
    async fn item_names(&self, cookie: Option<&str>) -> Vec<String> {
        let page = self.get("/api/items?limit=100", cookie).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.json);
        page.json["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap().to_owned()).collect()
    }

    /// How many of the API's connections on `url` last ran a query containing `text`.
    async fn backends_that_ran(&self, url: &str, application: &str, text: &str) -> i64 {
        let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
        let n = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND query LIKE '%' || $2 || '%'",
        )
        .bind(application)
        .bind(text)
        .fetch_one(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        n
    }

    async fn create_item(&self, cookie: &str, name: &str) -> String {
        let item = self.post("/api/items", json!({"name": name}), Some(cookie)).await;
        assert_eq!(item.status, StatusCode::CREATED, "{}", item.json);
        item.json["id"].as_str().unwrap().to_owned()
    }
}

#[tokio::test]
async fn listings_and_reference_data_are_served_by_the_standby() {
    let s = setup(AppConfig::default()).await;
    let (standby, primary) = (s.pair.standby_url(), s.pair.primary_url());
    // A connection's last statement is what pg_stat_activity shows, so each kind of
    // read is looked for right after it ran.
    for _ in 0..5 {
        assert_eq!(s.get("/api/items", None).await.status, StatusCode::OK);
    }
    assert!(s.backends_that_ran(&standby, "api-replica", "app.items").await > 0, "the standby ran the listing");
    assert_eq!(s.backends_that_ran(primary, "api-primary", "app.items").await, 0, "the primary ran no listing");
    for _ in 0..5 {
        assert_eq!(s.get("/api/categories", None).await.status, StatusCode::OK);
        assert_eq!(s.get("/api/locations", None).await.status, StatusCode::OK);
    }
    assert!(s.backends_that_ran(&standby, "api-replica", "master.").await > 0, "and the reference data");
    assert_eq!(s.backends_that_ran(primary, "api-primary", "master.").await, 0);

    let replica = s.replica_health().await;
    assert_eq!(replica["inUse"], true, "{replica}");
    assert_eq!(replica["name"], display_name(&standby));
    assert!(replica["lagSeconds"].as_f64().unwrap() <= 5.0, "{replica}");
    assert!(replica["replayLsn"].as_str().unwrap().contains('/'), "{replica}");
    let health = s.get("/api/health", None).await.json;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["primary"]["reachable"], true);
    assert_eq!(health["maxReplicaLagSeconds"], 5.0);
}

#[tokio::test]
async fn a_writer_reads_its_own_writes_while_the_standby_replays_late() {
    let s = setup(AppConfig::default()).await;
    let alice = s.login_demo(ALICE).await;
    // Within max_replica_lag (5 s), so the standby stays in use for everyone else.
    s.pair.set_apply_delay(Duration::from_secs(3)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    let id = s.create_item(&alice, "written just now").await;
    assert!(s.item_names(Some(&alice)).await.contains(&"written just now".to_owned()), "the writer sees it");
    let item = s.get(&format!("/api/items/{id}"), Some(&alice)).await;
    assert_eq!(item.status, StatusCode::OK, "{}", item.json);
    // Anyone else reads the standby, which has not replayed it yet: proof that the
    // writer's read did not just happen to go to a caught-up standby.
    assert!(!s.item_names(None).await.contains(&"written just now".to_owned()), "the standby is behind");
    assert_eq!(s.get(&format!("/api/items/{id}"), None).await.status, StatusCode::NOT_FOUND);
    assert_eq!(s.replica_health().await["inUse"], true);

    let changed = s.patch(&format!("/api/items/{id}"), json!({"name": "changed"}), Some(&alice)).await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.json);
    assert_eq!(s.get(&format!("/api/items/{id}"), Some(&alice)).await.json["name"], "changed");
    let deleted = s.request(Method::DELETE, &format!("/api/items/{id}"), Some(&alice)).await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&format!("/api/items/{id}"), Some(&alice)).await.status, StatusCode::NOT_FOUND, "deleted for her");

    // Once replayed, everyone sees what she did, from the standby.
    s.pair.set_apply_delay(Duration::ZERO).await;
    s.pair.wait_caught_up(Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(s.get(&format!("/api/items/{id}"), None).await.status, StatusCode::NOT_FOUND);
    assert!(s.replicas.required_lsn(None).is_none());
}

#[tokio::test]
async fn a_standby_stopped_mid_load_costs_no_error_and_is_used_again_after_restart() {
    // For the whole process (the only test that sets one); lines are told apart by the
    // replica's name, which has the standby's own port.
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::INFO)
        .finish();
    tracing::subscriber::set_global_default(subscriber).expect("no other test sets a subscriber");
    let s = Arc::new(setup(AppConfig::default()).await);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut load = Vec::new();
    for _ in 0..3 {
        let (s, stop) = (s.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            let mut answered = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let listing = s.get("/api/items", None).await;
                assert_eq!(
                    listing.status,
                    StatusCode::OK,
                    "a read failed while the standby went away: {}",
                    listing.json
                );
                answered += 1;
            }
            answered
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pair = s.clone();
    tokio::task::spawn_blocking(move || pair.pair.stop_standby()).await.unwrap();
    let down = s.wait_for_state("down", Duration::from_secs(5)).await;
    assert_eq!(down["inUse"], false);
    assert!(down["error"].is_string(), "{down}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Meanwhile the listings ran on the primary.
    assert!(s.backends_that_ran(s.pair.primary_url(), "api-primary", "app.items").await > 0, "fell back");
    let pair = s.clone();
    tokio::task::spawn_blocking(move || pair.pair.start_standby()).await.unwrap();
    s.wait_for_state("in_use", Duration::from_secs(15)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for task in load {
        assert!(task.await.unwrap() > 0);
    }
    // The restarted standby serves listings again (its backends are new ones).
    for _ in 0..3 {
        assert_eq!(s.get("/api/items", None).await.status, StatusCode::OK);
    }
    assert!(s.backends_that_ran(&s.pair.standby_url(), "api-replica", "app.items").await > 0);
    // One line per change of state, however many checks and failed reads there were.
    let about = format!("replica {}:", display_name(&s.pair.standby_url()));
    let lines: Vec<String> = log.lines().into_iter().filter(|line| line.contains(&about)).collect();
    assert_eq!(lines.len(), 3, "{lines:#?}");
    assert!(lines[0].contains("in use") && lines[1].contains("down") && lines[2].contains("in use"), "{lines:#?}");
}

#[tokio::test]
async fn a_standby_further_behind_than_max_replica_lag_is_skipped() {
    let config = AppConfig { max_replica_lag: Duration::from_millis(800), ..AppConfig::default() };
    let s = setup(config).await;
    let alice = s.login_demo(ALICE).await;
    s.pair.set_apply_delay(Duration::from_secs(30)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    s.create_item(&alice, "while the standby lags").await;
    let lagging = s.wait_for_state("lagging", Duration::from_secs(5)).await;
    // "lagging" means more than 0.8 s behind; the lag is measured between checks (so
    // it lands near multiples of the check interval) and shown rounded to the
    // millisecond, so 0.8000x s shows as 0.8.
    assert!(lagging["lagSeconds"].as_f64().unwrap() >= 0.8, "{lagging}");
    // Everyone reads from the primary now, so everyone sees the new item.
    assert!(s.item_names(None).await.contains(&"while the standby lags".to_owned()));
    s.pair.set_apply_delay(Duration::ZERO).await;
    s.wait_for_state("in_use", Duration::from_secs(10)).await;
}

#[tokio::test]
async fn a_standby_promoted_by_mistake_is_noticed_and_skipped() {
    let s = setup(AppConfig::default()).await;
    s.pair.promote_standby();
    let replica = s.wait_for_state("not_standby", Duration::from_secs(10)).await;
    assert_eq!(replica["inUse"], false);
    assert!(replica["error"].as_str().unwrap().contains("pg_is_in_recovery"), "{replica}");
    // Written on the primary after the promotion, so the promoted server never has it:
    // seeing it proves the listing came from the primary.
    let alice = s.login_demo(ALICE).await;
    s.create_item(&alice, "after the promotion").await;
    assert!(s.item_names(None).await.contains(&"after the promotion".to_owned()));
    assert!(s.item_names(Some(&alice)).await.contains(&"after the promotion".to_owned()));
}

#[tokio::test]
async fn without_replicas_health_shows_the_primary_only() {
    let db = strata_testing::TestDb::new();
    let client = Client { router: strata_app::router(db.pool().await, AppConfig::default()) };
    let response = client.get("/api/health", None).await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json;
    assert_eq!(body["replicas"], json!([]));
    assert_eq!(body["primary"]["reachable"], true);
    assert!(body["primary"]["walLsn"].as_str().unwrap().contains('/'));
}
