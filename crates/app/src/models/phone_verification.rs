//! `auth.phone_verifications`: a one-time code sent to a phone number.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::table;

table! {
    /// A row of `auth.phone_verifications`.
    #[derive(Debug, Clone, sqlx::FromRow)]
    pub struct PhoneVerification in "auth"."phone_verifications" {
        /// Primary key; also the salt of `code_hash`.
        pub id: Uuid,
        /// Whose number.
        pub user_id: Uuid,
        /// The number (E.164).
        pub phone: String,
        /// SHA-256 of the id and the code.
        pub code_hash: Vec<u8>,
        /// Wrong guesses so far.
        pub attempts: i32,
        /// When the code was sent (the resend throttle counts from here).
        pub created_at: DateTime<Utc>,
        /// After this the code is refused.
        pub expires_at: DateTime<Utc>,
        /// When the right code was entered; the row is used up from then on.
        pub verified_at: Option<DateTime<Utc>>,
    }
}
