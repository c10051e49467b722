//! argon2id hashing off the async threads, with a bound on concurrent work.
//!
//! One argon2 hash takes tens of milliseconds of CPU and 19 MiB of memory: it runs in
//! `spawn_blocking` so it never stalls the request threads, and at most one job per
//! core runs at a time, so a burst of logins queues instead of exhausting memory.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, PasswordHash, SaltString};
use argon2::{Argon2, PasswordHasher as _, PasswordVerifier as _};
use tokio::sync::Semaphore;

/// A hash of a random password with the same parameters as real ones: verifying a
/// login for an unknown email against it takes as long as for a known one, so the
/// response time does not tell which emails have accounts.
const TIMING_DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$TCggHJxuQei8kWKqdLphKg$f+nsVPKgTLvYzTdH9eSYHHFHA0A7gdQHHAxEMpIcWF4";

/// Why hashing failed: never the user's fault.
#[derive(Debug, thiserror::Error)]
pub enum PasswordHashError {
    /// argon2 refused (a malformed stored hash, or a parameter error).
    #[error("argon2: {0}")]
    Argon2(password_hash::Error),
    /// The blocking task panicked or was cancelled.
    #[error("password hashing task failed")]
    Task(#[source] tokio::task::JoinError),
}

/// Hashes and verifies passwords with argon2id (default parameters: m=19456, t=2, p=1).
#[derive(Debug, Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        PasswordHasher::new()
    }
}

impl PasswordHasher {
    /// A hasher allowing one job per available core.
    pub fn new() -> PasswordHasher {
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        PasswordHasher { permits: Arc::new(Semaphore::new(cores)) }
    }

    /// The PHC string (`$argon2id$...`) of `password` with a fresh random salt.
    pub async fn hash(&self, password: &str) -> Result<String, PasswordHashError> {
        let password = password.to_owned();
        self.run(move || {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(PasswordHashError::Argon2)
        })
        .await
    }

    /// Whether `password` matches `stored` (a PHC string). With no stored hash (unknown
    /// account) it verifies against a dummy to spend the same time, and returns false.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, PasswordHashError> {
        let password = password.to_owned();
        let known = stored.is_some();
        let stored = stored.unwrap_or(TIMING_DUMMY_HASH).to_owned();
        self.run(move || {
            let parsed = PasswordHash::new(&stored).map_err(PasswordHashError::Argon2)?;
            match Argon2::default().verify_password(password.as_bytes(), &parsed) {
                Ok(()) => Ok(known),
                Err(password_hash::Error::Password) => Ok(false),
                Err(other) => Err(PasswordHashError::Argon2(other)),
            }
        })
        .await
    }

    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> Result<T, PasswordHashError> + Send + 'static,
    ) -> Result<T, PasswordHashError> {
        let _permit = self.permits.acquire().await.expect("the semaphore is never closed");
        tokio::task::spawn_blocking(job).await.map_err(PasswordHashError::Task)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hasher = PasswordHasher::new();
        let hash = hasher.hash("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify("correct horse", Some(&hash)).await.unwrap());
        assert!(!hasher.verify("wrong horse", Some(&hash)).await.unwrap());
    }

    #[tokio::test]
    async fn unknown_accounts_never_verify() {
        let hasher = PasswordHasher::new();
        assert!(!hasher.verify("anything", None).await.unwrap());
    }

    #[tokio::test]
    async fn the_demo_seed_hash_is_the_demo_password() {
        let seed = include_str!("../../../../migrations/seed/20251124_000001_demo_users.up.sql");
        let hash = seed.split('\'').find(|s| s.starts_with("$argon2id$")).expect("the demo seed has an argon2id hash");
        assert!(PasswordHasher::new().verify(crate::DEMO_PASSWORD, Some(hash)).await.unwrap());
    }
}
