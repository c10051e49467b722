//! The limits on password guessing: failed logins per account and per client, and
//! registrations per client. Checked before any password is hashed, so a refused
//! attempt costs no hashing and never waits in the hashing queue.

use std::time::Duration;

use sha2::{Digest, Sha256};

use super::throttle::{ClientKey, Throttle};
use crate::config::AppConfig;
use crate::domain::Email;

/// An account's key: the first 16 bytes of the SHA-256 of its normalised email, so the
/// map's entries have a fixed size and hold no address (also of accounts that do not
/// exist: unknown emails are limited alike, so a refusal tells nothing).
type AccountKey = [u8; 16];

/// Failed logins per account and per client, registrations per client.
#[derive(Debug)]
pub struct LoginLimits {
    accounts: Throttle<AccountKey>,
    clients: Throttle<ClientKey>,
    registrations: Throttle<ClientKey>,
}

/// Which limit refused an attempt, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failed logins for this account.
    Account(Duration),
    /// Too many failed logins from this client.
    Client(Duration),
    /// Too many registrations from this client.
    Registrations(Duration),
}

impl Refusal {
    /// How long until the next attempt is allowed.
    pub fn retry_after(self) -> Duration {
        match self {
            Refusal::Account(wait) | Refusal::Client(wait) | Refusal::Registrations(wait) => wait,
        }
    }
}

impl LoginLimits {
    /// The limits of `config`.
    pub fn new(config: &AppConfig) -> LoginLimits {
        LoginLimits {
            accounts: Throttle::new(config.login_account_limit),
            clients: Throttle::new(config.login_client_limit),
            registrations: Throttle::new(config.register_client_limit),
        }
    }

    /// Takes a login attempt for `email` from `client` (no per-client limit when the
    /// address is unknown). Until [`LoginAttempt::failed`] is called, the attempt holds
    /// its place, so concurrent guesses cannot all slip past the limit.
    pub fn begin_login(&self, email: &Email, client: Option<ClientKey>) -> Result<LoginAttempt<'_>, Refusal> {
        let account = account_key(email);
        self.accounts.take(&account).map_err(Refusal::Account)?;
        if let Some(client) = &client
            && let Err(wait) = self.clients.take(client)
        {
            self.accounts.give_back(&account);
            return Err(Refusal::Client(wait));
        }
        Ok(LoginAttempt { limits: self, account, client, done: false })
    }

    /// Takes a registration attempt from `client` (none counted when unknown). Every
    /// attempt counts, successful or not: each one hashes a password.
    pub fn begin_registration(&self, client: Option<ClientKey>) -> Result<RegistrationAttempt<'_>, Refusal> {
        if let Some(client) = &client {
            self.registrations.take(client).map_err(Refusal::Registrations)?;
        }
        Ok(RegistrationAttempt { limits: self, client })
    }
}

/// A login attempt in progress. Dropped without [`LoginAttempt::failed`] or
/// [`LoginAttempt::succeeded`] (the request failed for another reason, or the client
/// went away before an answer), it does not count.
#[derive(Debug)]
#[must_use = "an attempt is given back when dropped"]
pub struct LoginAttempt<'a> {
    limits: &'a LoginLimits,
    account: AccountKey,
    client: Option<ClientKey>,
    done: bool,
}

impl LoginAttempt<'_> {
    /// A wrong password (or unknown email): the attempt counts against both limits.
    pub fn failed(mut self) {
        self.done = true;
    }

    /// The right password: the account's failures are forgotten and this attempt does
    /// not count against the client.
    pub fn succeeded(mut self) {
        self.done = true;
        self.limits.accounts.forget(&self.account);
        if let Some(client) = &self.client {
            self.limits.clients.give_back(client);
        }
    }
}

impl Drop for LoginAttempt<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.limits.accounts.give_back(&self.account);
            if let Some(client) = &self.client {
                self.limits.clients.give_back(client);
            }
        }
    }
}

/// A registration attempt: it counts unless [`RegistrationAttempt::not_counted`].
#[derive(Debug)]
pub struct RegistrationAttempt<'a> {
    limits: &'a LoginLimits,
    client: Option<ClientKey>,
}

impl RegistrationAttempt<'_> {
    /// The attempt did no work (the server was too busy to hash): give it back.
    pub fn not_counted(self) {
        if let Some(client) = &self.client {
            self.limits.registrations.give_back(client);
        }
    }
}

fn account_key(email: &Email) -> AccountKey {
    let digest = Sha256::digest(email.as_str().as_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RateLimit;
    use crate::domain::text::test_text;

    fn limits(account: u32, client: u32) -> LoginLimits {
        LoginLimits::new(&AppConfig {
            login_account_limit: RateLimit::new(account, Duration::from_secs(60)),
            login_client_limit: RateLimit::new(client, Duration::from_secs(60)),
            register_client_limit: RateLimit::new(1, Duration::from_secs(60)),
            ..AppConfig::default()
        })
    }

    fn email(raw: &str) -> Email {
        Email::parse(test_text(raw)).unwrap()
    }

    fn client(n: u8) -> Option<ClientKey> {
        Some(ClientKey::from(std::net::IpAddr::from([192, 0, 2, n])))
    }

    #[test]
    fn failures_count_against_the_account_from_any_client() {
        let limits = limits(2, 100);
        limits.begin_login(&email("alice@example.com"), client(1)).unwrap().failed();
        limits.begin_login(&email("ALICE@example.com"), client(2)).unwrap().failed();
        let refused = limits.begin_login(&email("alice@example.com"), client(3)).unwrap_err();
        assert!(matches!(refused, Refusal::Account(wait) if wait > Duration::ZERO), "{refused:?}");
        // Another account is not affected.
        limits.begin_login(&email("bob@example.com"), client(3)).unwrap().succeeded();
    }

    #[test]
    fn failures_count_against_the_client_for_any_account() {
        let limits = limits(1, 2);
        limits.begin_login(&email("a@example.com"), client(1)).unwrap().failed();
        limits.begin_login(&email("b@example.com"), client(1)).unwrap().failed();
        assert!(matches!(limits.begin_login(&email("c@example.com"), client(1)), Err(Refusal::Client(_))));
        // The refusal by the client did not use up the account's one attempt.
        limits.begin_login(&email("c@example.com"), client(2)).unwrap().failed();
        assert!(matches!(limits.begin_login(&email("c@example.com"), client(3)), Err(Refusal::Account(_))));
    }

    #[test]
    fn concurrent_attempts_hold_their_places_and_success_clears_the_account() {
        let limits = limits(2, 100);
        let alice = email("alice@example.com");
        let first = limits.begin_login(&alice, client(1)).unwrap();
        let second = limits.begin_login(&alice, client(1)).unwrap();
        assert!(limits.begin_login(&alice, client(1)).is_err(), "both places are taken while in flight");
        drop(first);
        second.succeeded();
        limits.begin_login(&alice, client(1)).unwrap().failed();
        limits.begin_login(&alice, client(1)).unwrap().failed();
        assert!(limits.begin_login(&alice, client(1)).is_err());
    }

    #[test]
    fn registrations_count_per_client_unless_not_counted() {
        let limits = limits(1, 1);
        limits.begin_registration(client(1)).unwrap().not_counted();
        let _counted = limits.begin_registration(client(1)).unwrap();
        assert!(matches!(limits.begin_registration(client(1)), Err(Refusal::Registrations(_))));
        assert!(limits.begin_registration(client(2)).is_ok());
        assert!(limits.begin_registration(None).is_ok());
    }
}
