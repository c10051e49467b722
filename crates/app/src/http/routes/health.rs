//! `GET /api/health`: whether the primary answers, and each read replica's state.

use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::replicas::{ReplicaStatus, format_lsn};
use crate::http::state::AppState;

/// How long the primary may take to answer the health check.
const PRIMARY_TIMEOUT: Duration = Duration::from_secs(2);

/// The API's view of its databases.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthResponse {
    /// `ok` when the primary answers, else `unavailable`.
    #[schema(example = "ok")]
    pub status: String,
    pub primary: PrimaryHealth,
    /// Each configured replica (`strata serve --replica`), in configuration order; empty
    /// without replicas.
    pub replicas: Vec<ReplicaHealth>,
    /// A replica further behind than this is not used (`[serve] max_replica_lag`).
    pub max_replica_lag_seconds: f64,
}

/// The primary, checked now.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PrimaryHealth {
    /// It answered a query just now.
    pub reachable: bool,
    /// Its WAL insert position (`pg_current_wal_insert_lsn()`), e.g. `0/3000148`.
    pub wal_lsn: Option<String>,
    /// Why it is not reachable.
    pub error: Option<String>,
}

/// One replica, as the last background check found it (every 250 ms by default).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplicaHealth {
    /// `host:port/database` (no credentials).
    pub name: String,
    /// `in_use`, `down`, `lagging`, `not_standby` (out of recovery: promoted?) or
    /// `unknown` (not checked yet).
    pub state: String,
    /// Reads that tolerate lag go to it.
    pub in_use: bool,
    /// Seconds since the primary first went past what this replica has replayed.
    pub lag_seconds: Option<f64>,
    /// `pg_last_wal_replay_lsn()`.
    pub replay_lsn: Option<String>,
    /// Why it is down or skipped.
    pub error: Option<String>,
    /// Milliseconds since the last check.
    pub checked_ms_ago: Option<u64>,
}

impl From<ReplicaStatus> for ReplicaHealth {
    fn from(status: ReplicaStatus) -> Self {
        ReplicaHealth {
            state: status.state.as_str().to_owned(),
            in_use: status.state == crate::http::replicas::ReplicaState::InUse,
            lag_seconds: status.lag.map(|l| (l.as_secs_f64() * 1000.0).round() / 1000.0),
            replay_lsn: status.replay_lsn.map(format_lsn),
            error: status.error,
            checked_ms_ago: status.checked_at.map(|t| Instant::now().duration_since(t).as_millis() as u64),
            name: status.name,
        }
    }
}

/// The primary's reachability (checked now) and each replica's state, lag and replay
/// position (from the last background check). 503 when the primary does not answer;
/// replicas never make it fail.
#[utoipa::path(
    get, path = "/api/health", tag = "meta",
    responses(
        (status = 200, description = "The primary answers", body = HealthResponse),
        (status = 503, description = "The primary does not answer (`status` is `unavailable`)", body = HealthResponse),
    )
)]
pub async fn health(State(state): State<AppState>) -> (StatusCode, Json<HealthResponse>) {
    let lsn = tokio::time::timeout(
        PRIMARY_TIMEOUT,
        sqlx::query_scalar::<_, Option<String>>(
            "SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_insert_lsn()::text END",
        )
        .fetch_one(&state.pool),
    )
    .await;
    let primary = match lsn {
        Ok(Ok(wal_lsn)) => PrimaryHealth { reachable: true, wal_lsn, error: None },
        Ok(Err(err)) => PrimaryHealth { reachable: false, wal_lsn: None, error: Some(err.to_string()) },
        Err(_) => PrimaryHealth {
            reachable: false,
            wal_lsn: None,
            error: Some(format!("no answer within {}s", PRIMARY_TIMEOUT.as_secs())),
        },
    };
    let status = if primary.reachable { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
    let body = HealthResponse {
        status: if primary.reachable { "ok" } else { "unavailable" }.to_owned(),
        primary,
        replicas: state.replicas.statuses().into_iter().map(ReplicaHealth::from).collect(),
        max_replica_lag_seconds: state.replicas.max_lag().as_secs_f64(),
    };
    (status, Json(body))
}
