//! Settings of the application that a deployment may change.

use std::time::Duration;

use crate::domain::PageLimits;

/// How the API behaves. `Default` suits development over plain HTTP on localhost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppConfig {
    /// Mark the session cookie `Secure` (only sent over HTTPS). Turn on behind TLS.
    pub secure_cookies: bool,
    /// How long a login lasts.
    pub session_ttl: Duration,
    /// Items per page when the request gives no `limit`.
    pub default_page_size: u32,
    /// The largest `limit` accepted (a larger one is a validation error).
    pub max_page_size: u32,
    /// The largest request body accepted; larger ones get 413.
    pub max_body_bytes: usize,
    /// How long a phone verification code stays valid.
    pub phone_code_ttl: Duration,
    /// Wrong codes allowed before a verification is locked.
    pub phone_max_attempts: u32,
    /// The least time between two codes sent for one user.
    pub phone_resend_interval: Duration,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            secure_cookies: false,
            session_ttl: Duration::from_secs(14 * 24 * 60 * 60),
            default_page_size: 20,
            max_page_size: 100,
            max_body_bytes: 64 * 1024,
            phone_code_ttl: Duration::from_secs(10 * 60),
            phone_max_attempts: 5,
            phone_resend_interval: Duration::from_secs(60),
        }
    }
}

impl AppConfig {
    /// The page sizes, for [`crate::domain::ItemQuery::parse`].
    pub fn page_limits(&self) -> PageLimits {
        PageLimits {
            default: self.default_page_size.clamp(1, self.max_page_size.max(1)),
            max: self.max_page_size.max(1),
        }
    }
}
