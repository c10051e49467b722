//! Queries on `auth.session`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::seconds;
use crate::models::User;

/// Starts a session for `user_id` that lasts `ttl`, and drops the user's expired ones.
/// Returns when it expires.
pub async fn create(
    pool: &PgPool,
    user_id: Uuid,
    token_hash: &[u8; 32],
    ttl: Duration,
) -> Result<DateTime<Utc>, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM auth.session WHERE user_id = $1 AND expires_at <= now()")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let expires_at = sqlx::query_scalar(
        "INSERT INTO auth.session (user_id, token_hash, expires_at) \
         VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at",
    )
    .bind(user_id)
    .bind(&token_hash[..])
    .bind(seconds(ttl))
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(expires_at)
}

/// The user of an unexpired session with this token hash.
pub async fn find_user(pool: &PgPool, token_hash: &[u8; 32]) -> Result<Option<User>, sqlx::Error> {
    // Runs on every authenticated request: a fixed string, so the prepared statement
    // is cached and nothing is formatted.
    const SQL: &str = "SELECT u.id, u.email, u.password_hash, u.display_name, u.phone, u.phone_verified_at, \
                              u.created_at, u.updated_at, u.last_login_at \
                       FROM auth.session AS s JOIN auth.\"user\" AS u ON u.id = s.user_id \
                       WHERE s.token_hash = $1 AND s.expires_at > now()";
    sqlx::query_as(SQL).bind(&token_hash[..]).fetch_optional(pool).await
}

/// Ends the session with this token hash (revocation). Whether there was one.
pub async fn delete(pool: &PgPool, token_hash: &[u8; 32]) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM auth.session WHERE token_hash = $1").bind(&token_hash[..]).execute(pool).await?;
    Ok(done.rows_affected() > 0)
}
