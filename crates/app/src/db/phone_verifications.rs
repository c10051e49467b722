//! Queries on `auth.phone_verifications`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::seconds;
use crate::domain::PhoneNumber;
use crate::models::PhoneVerification;

/// How long the user must still wait before another code may be sent, if at all.
pub async fn wait_before_resend(
    conn: &mut PgConnection,
    user_id: Uuid,
    interval: Duration,
) -> Result<Option<Duration>, sqlx::Error> {
    let wait: Option<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM created_at + make_interval(secs => $2) - now())::float8 \
         FROM auth.phone_verifications WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(seconds(interval))
    .fetch_optional(conn)
    .await?;
    Ok(wait.filter(|w| *w > 0.0).map(Duration::from_secs_f64))
}

/// Stores a new code (its hash) for `phone`, valid for `ttl`. Returns when it expires.
pub async fn insert(
    conn: &mut PgConnection,
    id: Uuid,
    user_id: Uuid,
    phone: &PhoneNumber,
    code_hash: &[u8; 32],
    ttl: Duration,
) -> Result<DateTime<Utc>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO auth.phone_verifications (id, user_id, phone, code_hash, expires_at) \
         VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING expires_at",
    )
    .bind(id)
    .bind(user_id)
    .bind(phone.as_str())
    .bind(&code_hash[..])
    .bind(seconds(ttl))
    .fetch_one(conn)
    .await
}

/// Removes a verification whose code could not be sent, so it neither counts for the
/// resend throttle nor can be guessed.
pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM auth.phone_verifications WHERE id = $1").bind(id).execute(conn).await.map(drop)
}

/// The newest verification of `user_id` for `phone`, locked until the transaction
/// ends so concurrent guesses are counted one after another.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Latest {
    /// The row.
    #[sqlx(flatten)]
    pub verification: PhoneVerification,
    /// Whether it has expired (by the database's clock).
    pub expired: bool,
}

/// See [`Latest`].
pub async fn latest_for_update(
    conn: &mut PgConnection,
    user_id: Uuid,
    phone: &PhoneNumber,
) -> Result<Option<Latest>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, user_id, phone, code_hash, attempts, created_at, expires_at, verified_at, \
                expires_at <= now() AS expired \
         FROM auth.phone_verifications WHERE user_id = $1 AND phone = $2 \
         ORDER BY created_at DESC LIMIT 1 FOR UPDATE",
    )
    .bind(user_id)
    .bind(phone.as_str())
    .fetch_optional(conn)
    .await
}

/// Counts a wrong guess. Returns the attempts made so far.
pub async fn record_wrong_attempt(conn: &mut PgConnection, id: Uuid) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar("UPDATE auth.phone_verifications SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts")
        .bind(id)
        .fetch_one(conn)
        .await
}

/// Marks the verification used.
pub async fn mark_verified(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE auth.phone_verifications SET verified_at = now() WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await
        .map(drop)
}
