//! Queries on `auth.session`.
//!
//! The application role may write a token hash but not read one: finding and
//! revoking a session by its hash go through the `SECURITY DEFINER` functions
//! `auth.session_user_id` and `auth.revoke_session` (migration `create_roles`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::Connection as _;
use uuid::Uuid;

use super::Db;
use super::seconds;
use crate::models::User;

/// Starts a session for `user_id` that lasts `ttl`, and drops the user's expired ones.
/// Returns when it expires.
pub async fn create(
    pool: &Db,
    user_id: Uuid,
    token_hash: &[u8; 32],
    ttl: Duration,
) -> Result<DateTime<Utc>, sqlx::Error> {
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
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
pub async fn find_user(pool: &Db, token_hash: &[u8; 32]) -> Result<Option<User>, sqlx::Error> {
    // Runs on every authenticated request: a fixed string, so the prepared statement
    // is cached and nothing is formatted. The function is STABLE, so it is evaluated
    // once, as the key of a primary key lookup.
    const SQL: &str = "SELECT u.id, u.email, u.password_hash, u.display_name, u.phone, u.phone_verified_at, \
                              u.created_at, u.updated_at, u.last_login_at \
                       FROM auth.\"user\" AS u WHERE u.id = auth.session_user_id($1)";
    sqlx::query_as(SQL).bind(&token_hash[..]).fetch_optional(pool).await
}

/// Ends the session with this token hash (revocation). Whether there was one.
pub async fn delete(pool: &Db, token_hash: &[u8; 32]) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("SELECT auth.revoke_session($1)").bind(&token_hash[..]).fetch_one(pool).await
}

/// Ends every session of `user_id`. How many there were.
pub async fn delete_all(pool: &Db, user_id: Uuid) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM auth.session WHERE user_id = $1").bind(user_id).execute(pool).await?;
    Ok(done.rows_affected())
}
