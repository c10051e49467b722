//! The primary/standby pair of `strata_testing::standby` really replicates.

use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::PgConnection;
use strata_testing::standby::{Replication, StandbyOptions};

async fn scalar<T>(url: &str, sql: &str) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    let mut conn = PgConnection::connect(url).await.unwrap();
    let value = sqlx::query_scalar(sql).fetch_one(&mut conn).await.unwrap();
    conn.close().await.unwrap();
    value
}

#[tokio::test]
async fn the_standby_streams_stops_restarts_and_can_be_promoted() {
    let pair = Replication::start(StandbyOptions::default());
    assert!(scalar::<bool>(&pair.standby_url(), "SELECT pg_is_in_recovery()").await);
    assert!(!scalar::<bool>(pair.primary_url(), "SELECT pg_is_in_recovery()").await);

    let mut primary = PgConnection::connect(pair.primary_url()).await.unwrap();
    sqlx::raw_sql("CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2)").execute(&mut primary).await.unwrap();
    pair.wait_caught_up(Duration::from_secs(10)).await;
    assert_eq!(scalar::<i64>(&pair.standby_url(), "SELECT count(*) FROM t").await, 2);
    // Idle, the standby's replay position reaches the primary's own WAL position, which
    // is what read-your-writes compares with.
    let primary_lsn: String = scalar(pair.primary_url(), "SELECT pg_current_wal_insert_lsn()::text").await;
    let replayed: bool =
        scalar(&pair.standby_url(), &format!("SELECT pg_last_wal_replay_lsn() >= '{primary_lsn}'::pg_lsn")).await;
    assert!(replayed, "replayed up to {primary_lsn}");

    pair.stop_standby();
    assert!(PgConnection::connect(&pair.standby_url()).await.is_err(), "stopped");
    sqlx::raw_sql("INSERT INTO t VALUES (3)").execute(&mut primary).await.unwrap();
    pair.start_standby();
    pair.wait_caught_up(Duration::from_secs(10)).await;
    assert_eq!(scalar::<i64>(&pair.standby_url(), "SELECT count(*) FROM t").await, 3, "resumed streaming");

    pair.promote_standby();
    assert!(!scalar::<bool>(&pair.standby_url(), "SELECT pg_is_in_recovery()").await, "promoted");
}

#[tokio::test]
async fn an_apply_delay_holds_back_replay() {
    let pair = Replication::start(StandbyOptions { apply_delay: Some(Duration::from_secs(2)) });
    let mut primary = PgConnection::connect(pair.primary_url()).await.unwrap();
    sqlx::raw_sql("CREATE TABLE t (n int)").execute(&mut primary).await.unwrap();
    let started = std::time::Instant::now();
    pair.wait_caught_up(Duration::from_secs(20)).await;
    assert!(started.elapsed() >= Duration::from_millis(1500), "replayed after {:?}", started.elapsed());
    pair.set_apply_delay(Duration::ZERO).await;
    sqlx::raw_sql("INSERT INTO t VALUES (1)").execute(&mut primary).await.unwrap();
    let started = std::time::Instant::now();
    pair.wait_caught_up(Duration::from_secs(20)).await;
    assert!(started.elapsed() < Duration::from_millis(1500), "replayed after {:?}", started.elapsed());
}
