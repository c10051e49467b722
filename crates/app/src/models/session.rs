//! `auth.session`: a login session.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::table;

table! {
    /// A row of `auth.session`. The token itself is only in the user's cookie.
    #[derive(Debug, Clone, sqlx::FromRow)]
    pub struct Session in "auth"."session" {
        /// Primary key.
        pub id: Uuid,
        /// The user logged in.
        pub user_id: Uuid,
        /// SHA-256 of the cookie's token.
        pub token_hash: Vec<u8>,
        /// When the user logged in.
        pub created_at: DateTime<Utc>,
        /// After this the cookie no longer authenticates.
        pub expires_at: DateTime<Utc>,
    }
}
