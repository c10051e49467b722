//! `auth.user`: an account.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::table;

table! {
    /// A row of `auth."user"`. Its `Debug` leaves out the password hash.
    #[derive(Clone, sqlx::FromRow)]
    pub struct User in "auth"."user" {
        /// Primary key.
        pub id: Uuid,
        /// The login, normalised (see [`crate::domain::Email`]).
        pub email: String,
        /// argon2id PHC string.
        pub password_hash: String,
        /// What others see.
        pub display_name: String,
        /// A verified phone number (E.164), set by phone verification.
        pub phone: Option<String>,
        /// When `phone` was verified.
        pub phone_verified_at: Option<DateTime<Utc>>,
        /// When the account was created.
        pub created_at: DateTime<Utc>,
        /// When the row last changed (kept by a trigger).
        pub updated_at: DateTime<Utc>,
        /// The last successful login (added by the schema update workflow's example).
        pub last_login_at: Option<DateTime<Utc>>,
    }
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("display_name", &self.display_name)
            .finish_non_exhaustive()
    }
}
