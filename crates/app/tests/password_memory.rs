//! The memory a burst of logins leaves resident. A test binary of its own, so that the
//! process's resident set is this test's alone.
#![cfg(target_os = "linux")]

use strata_app::auth::PasswordHasher;

const MIB: u64 = 1024 * 1024;
/// What one argon2id hash with the default parameters works in (m=19456 KiB).
const ARGON2_MEMORY: u64 = 19 * MIB;

/// The process's resident set, from `/proc/self/status`.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("a VmRSS line");
    let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("VmRSS in kB");
    kib * 1024
}

/// `logins` password checks at once, as concurrent login requests make them.
async fn burst(hasher: &PasswordHasher, logins: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..logins {
        let hasher = hasher.clone();
        tasks.spawn(async move { hasher.verify("strata-demo", None).await.unwrap() });
    }
    while let Some(matched) = tasks.join_next().await {
        assert!(!matched.unwrap());
    }
}

// Regression: each hash freed its 19 MiB to glibc, which kept it per thread: 430-470 MiB resident after logins.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bursts_of_logins_keep_one_argon2_block_per_worker_resident() {
    let workers = 2;
    let hasher = PasswordHasher::with_workers(workers);
    let before = resident_bytes();
    burst(&hasher, 8).await;
    let after_one = resident_bytes();
    for _ in 0..9 {
        burst(&hasher, 8).await;
    }
    let after = resident_bytes();
    let grown = after.saturating_sub(before);
    eprintln!(
        "resident: {} MiB before, {} MiB after 8 concurrent logins, {} MiB after 10 such bursts",
        before / MIB,
        after_one / MIB,
        after / MIB
    );
    // One block per worker, plus slack for the runtime's and the workers' own allocations.
    let bound = workers as u64 * (ARGON2_MEMORY + MIB) + 8 * MIB;
    assert!(grown <= bound, "grew by {} MiB, more than {} MiB", grown / MIB, bound / MIB);
}
