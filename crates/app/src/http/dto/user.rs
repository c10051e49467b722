//! A user as the API shows it to that user.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::models::User;

/// The logged-in user's own account (`/api/auth/me`, register, login, phone verify).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserResponse {
    /// The user's id.
    pub id: Uuid,
    /// The login email.
    pub email: String,
    /// What others see.
    pub display_name: String,
    /// The verified phone number, E.164.
    pub phone: Option<String>,
    /// When the phone was verified.
    pub phone_verified_at: Option<DateTime<Utc>>,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// The last successful login before or at this one.
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<User> for UserResponse {
    fn from(user: User) -> UserResponse {
        UserResponse {
            id: user.id,
            email: user.email,
            display_name: user.display_name,
            phone: user.phone,
            phone_verified_at: user.phone_verified_at,
            created_at: user.created_at,
            last_login_at: user.last_login_at,
        }
    }
}
