//! The demo login that the seeds create (`migrations/seed/*_demo_users.up.sql`).

/// The password of every demo user. The seed holds its argon2id hash; a unit test
/// checks that the two agree.
pub const DEMO_PASSWORD: &str = "strata-demo";

/// The demo users' emails, as `strata dev` prints them.
pub const DEMO_USERS: &[&str] = &["alice@example.com", "bob@example.com", "carol@example.com"];
