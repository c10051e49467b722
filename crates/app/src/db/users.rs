//! Queries on `auth."user"`.

use sqlx::PgConnection;
use uuid::Uuid;

use super::Db;
use crate::domain::{DisplayName, Email, PhoneNumber};
use crate::models::User;

/// The columns of [`User`], for `SELECT` and `RETURNING`.
pub(crate) const USER_COLUMNS: &str =
    "id, email, password_hash, display_name, phone, phone_verified_at, created_at, updated_at, last_login_at";

/// Creates an account. A taken email fails with a unique violation on `user_email_key`.
pub async fn insert(
    pool: &Db,
    email: &Email,
    password_hash: &str,
    display_name: &DisplayName,
) -> Result<User, sqlx::Error> {
    let sql = format!(
        "INSERT INTO auth.\"user\" (email, password_hash, display_name) VALUES ($1, $2, $3) RETURNING {USER_COLUMNS}"
    );
    sqlx::query_as(&sql).bind(email.as_str()).bind(password_hash).bind(display_name.as_str()).fetch_one(pool).await
}

/// The account with this (normalised) email.
pub async fn find_by_email(pool: &Db, email: &Email) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM auth.\"user\" WHERE email = $1");
    sqlx::query_as(&sql).bind(email.as_str()).fetch_optional(pool).await
}

/// Records a successful login; returns the updated account.
pub async fn record_login(pool: &Db, id: Uuid) -> Result<User, sqlx::Error> {
    let sql = format!("UPDATE auth.\"user\" SET last_login_at = now() WHERE id = $1 RETURNING {USER_COLUMNS}");
    sqlx::query_as(&sql).bind(id).fetch_one(pool).await
}

/// Locks the user's row until the transaction ends: serialises phone verification
/// requests of one user, so the resend throttle cannot be raced.
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1 FROM auth.\"user\" WHERE id = $1 FOR UPDATE").bind(id).execute(conn).await.map(drop)
}

/// Sets the user's verified phone number. A number verified by another account in
/// the meantime fails with a unique violation on `user_phone_key`.
pub async fn set_verified_phone(conn: &mut PgConnection, id: Uuid, phone: &PhoneNumber) -> Result<User, sqlx::Error> {
    let sql = format!(
        "UPDATE auth.\"user\" SET phone = $2, phone_verified_at = now() WHERE id = $1 RETURNING {USER_COLUMNS}"
    );
    sqlx::query_as(&sql).bind(id).bind(phone.as_str()).fetch_one(conn).await
}
