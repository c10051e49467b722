//! Settings of the application that a deployment may change.

use std::time::Duration;

pub use crate::auth::throttle::RateLimit;
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
    /// Codes sent to one number (for any accounts) within [`AppConfig::phone_number_window`].
    pub phone_codes_per_number: u32,
    /// The window of [`AppConfig::phone_codes_per_number`].
    pub phone_number_window: Duration,
    /// Failed logins per account (by email, known or not) before a wait.
    pub login_account_limit: RateLimit,
    /// Failed logins per client (IPv4 address or IPv6 /64) before a wait.
    pub login_client_limit: RateLimit,
    /// Registrations attempted per client before a wait (each one hashes a password).
    pub register_client_limit: RateLimit,
    /// Threads hashing passwords; 0: one per core.
    pub password_hash_workers: usize,
    /// Hashes that may wait for a thread; beyond that, logins and registrations get 503
    /// with `Retry-After` at once instead of waiting behind a flood.
    pub password_hash_queue: usize,
    /// PostgreSQL's `statement_timeout` on the API's connections (see
    /// [`crate::db::connect_options`]); zero turns it off.
    pub statement_timeout: Duration,
    /// A read replica further behind the primary than this is not used (`[serve]
    /// max_replica_lag`). See [`crate::http::replicas`].
    pub max_replica_lag: Duration,
    /// How often each replica's state and lag are checked.
    pub replica_check_interval: Duration,
    /// Sessions whose last write is remembered for read-your-writes; past that, one
    /// position stands for all of them (their reads go to the primary a little longer).
    pub remembered_writers: usize,
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
            phone_codes_per_number: 5,
            phone_number_window: Duration::from_secs(60 * 60),
            login_account_limit: RateLimit::new(10, Duration::from_secs(60)),
            login_client_limit: RateLimit::new(50, Duration::from_secs(6)),
            register_client_limit: RateLimit::new(10, Duration::from_secs(60)),
            password_hash_workers: 0,
            password_hash_queue: crate::auth::password_hasher::DEFAULT_QUEUE,
            statement_timeout: Duration::from_secs(5),
            max_replica_lag: Duration::from_secs(5),
            replica_check_interval: Duration::from_millis(250),
            remembered_writers: 100_000,
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
