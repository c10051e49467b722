//! Queries on `auth.phone_verifications`.
//!
//! The application role may store a code's hash but not read one: a guess is
//! compared and counted by the `SECURITY DEFINER` function `auth.check_phone_code`
//! (migration `create_roles`).

use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::PgConnection;
use uuid::Uuid;

use super::seconds;
use crate::domain::PhoneNumber;

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

/// How long until another code may be sent to `phone`, when `limit` codes were sent
/// to it (for any accounts) within `window`. Serialises the callers for one number
/// until the transaction ends, so concurrent requests cannot all pass.
pub async fn wait_for_number(
    conn: &mut PgConnection,
    phone: &PhoneNumber,
    limit: u32,
    window: Duration,
) -> Result<Option<Duration>, sqlx::Error> {
    // A transaction-level advisory lock on the number. The two-key form has a key
    // space of its own, apart from the one-bigint locks (strata's migration lock).
    sqlx::query("SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))")
        .bind(PHONE_LOCK_CLASS)
        .bind(phone.as_str())
        .execute(&mut *conn)
        .await?;
    if limit == 0 {
        return Ok(Some(window.max(Duration::from_secs(1))));
    }
    // The `limit`-th newest code in the window: the wait ends when it leaves the window.
    let wait: Option<f64> = sqlx::query_scalar(
        "SELECT extract(epoch FROM created_at + make_interval(secs => $2) - now())::float8 \
         FROM auth.phone_verifications \
         WHERE phone = $1 AND created_at > now() - make_interval(secs => $2) \
         ORDER BY created_at DESC OFFSET $3 LIMIT 1",
    )
    .bind(phone.as_str())
    .bind(seconds(window))
    .bind(i64::from(limit) - 1)
    .fetch_optional(conn)
    .await?;
    Ok(wait.filter(|w| *w > 0.0).map(Duration::from_secs_f64))
}

/// The first key of the advisory locks on phone numbers (`strata` in ASCII).
const PHONE_LOCK_CLASS: i32 = 0x7374_7261;

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

/// The newest verification of a user for a number: what the application may read
/// of it (everything but the code's hash).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Latest {
    /// Primary key; also the salt of the code's hash.
    pub id: Uuid,
    /// When the right code was entered; the row is used up from then on.
    pub verified_at: Option<DateTime<Utc>>,
}

/// See [`Latest`].
pub async fn latest(
    conn: &mut PgConnection,
    user_id: Uuid,
    phone: &PhoneNumber,
) -> Result<Option<Latest>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, verified_at FROM auth.phone_verifications WHERE user_id = $1 AND phone = $2 \
         ORDER BY created_at DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(phone.as_str())
    .fetch_optional(conn)
    .await
}

/// What the database decided about one guess at a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeCheck {
    /// The right code: the verification is used up now.
    Verified,
    /// A wrong code, counted; `attempts` wrong guesses so far.
    WrongCode {
        /// Wrong guesses so far, this one included.
        attempts: i32,
    },
    /// The code has expired; nothing was compared.
    Expired,
    /// The attempt limit was reached before this guess; nothing was compared.
    TooManyAttempts,
    /// No such verification, or it is used up already.
    NotPending,
}

/// Compares `candidate` (the hash of the typed code, see
/// [`crate::auth::phone_code::hash_code`]) with the stored hash, counting a wrong
/// guess, unless the verification expired or has `max_attempts` wrong guesses
/// already. Row-locked by the function, so concurrent guesses are counted one after
/// another; the caller commits to keep the count.
pub async fn check_code(
    conn: &mut PgConnection,
    verification_id: Uuid,
    candidate: &[u8; 32],
    max_attempts: u32,
) -> Result<CodeCheck, sqlx::Error> {
    let (outcome, attempts): (String, Option<i32>) =
        sqlx::query_as("SELECT outcome, attempts FROM auth.check_phone_code($1, $2, $3)")
            .bind(verification_id)
            .bind(&candidate[..])
            .bind(i32::try_from(max_attempts).unwrap_or(i32::MAX))
            .fetch_one(conn)
            .await?;
    Ok(match (outcome.as_str(), attempts) {
        ("verified", _) => CodeCheck::Verified,
        ("wrong_code", Some(attempts)) => CodeCheck::WrongCode { attempts },
        ("expired", _) => CodeCheck::Expired,
        ("too_many_attempts", _) => CodeCheck::TooManyAttempts,
        ("not_pending", _) => CodeCheck::NotPending,
        _ => {
            let message = format!("auth.check_phone_code returned {outcome:?} with attempts {attempts:?}");
            return Err(sqlx::Error::Decode(message.into()));
        }
    })
}
