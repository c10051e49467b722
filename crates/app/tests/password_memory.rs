//! The memory bursts of logins take while they hash and leave resident afterwards. A
//! test binary of its own, so that the process's resident set is this test's alone.
#![cfg(target_os = "linux")]

use strata_app::auth::PasswordHasher;
use strata_app::auth::password_hasher::MEMORY_BUDGET_KIB;

const MIB: u64 = 1024 * 1024;
/// A hash made with argon2's defaults (m=19456 KiB, t=2), as the demo seed's are.
const DEFAULT_PARAMS_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$TCggHJxuQei8kWKqdLphKg$f+nsVPKgTLvYzTdH9eSYHHFHA0A7gdQHHAxEMpIcWF4";

/// A `VmXXX` line of `/proc/self/status`, in bytes.
fn status_bytes(key: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with(key)).unwrap_or_else(|| panic!("a {key} line"));
    let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("a size in kB");
    kib * 1024
}

/// Starts the process's peak resident set (`VmHWM`) again from its current size.
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").expect("writing /proc/self/clear_refs");
}

/// `logins` password checks at once, as concurrent login requests make them, every
/// `default_every`-th one against a hash with argon2's default (19 MiB) parameters.
async fn burst(hasher: &PasswordHasher, logins: usize, default_every: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..logins {
        let hasher = hasher.clone();
        let stored = (n % default_every == 0).then_some(DEFAULT_PARAMS_HASH);
        tasks.spawn(async move { hasher.verify("strata-demo", stored).await.unwrap() });
    }
    while let Some(matched) = tasks.join_next().await {
        assert!(!matched.unwrap());
    }
}

// Regressions: each hash freed its 19 MiB to glibc, which kept it per thread (430-470 MiB
// resident after logins); then each worker kept a 19 MiB block for good (51 MiB).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bursts_of_logins_hold_at_most_the_budget_and_give_it_back() {
    // More workers than the budget has room for: the budget, not the workers, bounds it.
    let hasher = PasswordHasher::with_limits(4, 64);
    // Warm: the runtime's and the workers' own allocations.
    burst(&hasher, 4, 4).await;
    let before = status_bytes("VmRSS:");
    reset_peak();
    for _ in 0..2 {
        burst(&hasher, 8, 4).await;
    }
    let peak = status_bytes("VmHWM:");
    let after = status_bytes("VmRSS:");
    eprintln!(
        "resident: {} MiB before, peak {} MiB during 2 bursts of 8 concurrent logins, {} MiB after",
        before / MIB,
        peak / MIB,
        after / MIB
    );
    let budget = u64::from(MEMORY_BUDGET_KIB) * 1024;
    // The budget, plus slack for the jobs' and the runtime's small allocations.
    assert!(
        peak.saturating_sub(before) <= budget + 4 * MIB,
        "peak grew by {} MiB, more than the {} MiB budget",
        peak.saturating_sub(before) / MIB,
        budget / MIB
    );
    // The hashes' memory went back to the operating system.
    assert!(after.saturating_sub(before) <= 3 * MIB, "{} MiB stayed resident", after.saturating_sub(before) / MIB);
}
