//! argon2id hashing on a fixed set of worker threads, each reusing one block of memory.
//!
//! One argon2 hash takes tens of milliseconds of CPU and 19 MiB of memory. It runs on
//! worker threads of its own, so it never stalls the request threads, and there is one
//! worker per core, so a burst of logins queues instead of competing for the cores.
//!
//! Each worker allocates its 19 MiB at its first job and hashes in it from then on.
//! Allocating and freeing the memory per hash (what `Argon2::hash_password` does) left
//! glibc's malloc holding the freed blocks in the arena of every thread that had hashed:
//! a burst of logins kept the server at 430-470 MiB resident for good (bench/RESULTS.md).
//! Now the process holds at most one block per worker.
//!
//! The queue is bounded: beyond `workers + queue` jobs in flight, a new one is refused
//! at once ([`PasswordHashError::Busy`], answered 503 with `Retry-After`) rather than
//! waiting behind a flood, so no login waits longer than `queue / workers + 1` hashes.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

/// A hash of a random password with the same parameters as real ones: verifying a
/// login for an unknown email against it takes as long as for a known one, so the
/// response time does not tell which emails have accounts.
const TIMING_DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$TCggHJxuQei8kWKqdLphKg$f+nsVPKgTLvYzTdH9eSYHHFHA0A7gdQHHAxEMpIcWF4";

/// The parameters of new hashes: argon2's defaults (m=19456 KiB, t=2, p=1, 32 bytes),
/// which OWASP recommends and which the demo seed's hash was made with.
const PARAMS: Params = Params::DEFAULT;

/// Why hashing failed: never the user's fault.
#[derive(Debug, thiserror::Error)]
pub enum PasswordHashError {
    /// argon2 refused (a malformed stored hash, or a parameter error).
    #[error("argon2: {0}")]
    Argon2(password_hash::Error),
    /// The job was dropped unanswered: it panicked, or the workers were gone.
    #[error("the password hashing worker failed")]
    Worker,
    /// Every worker is busy and the queue is full: the job was not queued.
    #[error("the password hashing queue is full ({capacity} jobs in flight)")]
    Busy {
        /// Jobs in flight (running and queued) at most.
        capacity: usize,
    },
}

impl From<password_hash::Error> for PasswordHashError {
    fn from(err: password_hash::Error) -> PasswordHashError {
        PasswordHashError::Argon2(err)
    }
}

impl From<argon2::Error> for PasswordHashError {
    fn from(err: argon2::Error) -> PasswordHashError {
        PasswordHashError::Argon2(err.into())
    }
}

/// Work for a worker, given the worker's memory.
type Job = Box<dyn FnOnce(&mut Memory) + Send>;

/// Hashes and verifies passwords with argon2id on its worker threads. Cloning shares
/// the workers; they stop when the last clone is dropped.
#[derive(Clone)]
pub struct PasswordHasher {
    jobs: mpsc::Sender<Job>,
    workers: usize,
    /// Jobs in flight (queued or running) at most.
    capacity: usize,
    /// Jobs in flight now.
    in_flight: Arc<AtomicUsize>,
}

impl std::fmt::Debug for PasswordHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PasswordHasher")
            .field("workers", &self.workers)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

/// Jobs that may wait for a worker when none is given.
pub const DEFAULT_QUEUE: usize = 16;

/// A place in the queue, held by a job until it is done (or dropped).
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn reserve(in_flight: &Arc<AtomicUsize>, capacity: usize) -> Result<Slot, PasswordHashError> {
        in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| (n < capacity).then_some(n + 1))
            .map_err(|_| PasswordHashError::Busy { capacity })?;
        Ok(Slot(Arc::clone(in_flight)))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Default for PasswordHasher {
    fn default() -> Self {
        PasswordHasher::new()
    }
}

impl PasswordHasher {
    /// A hasher with one worker per available core: as many hashes at once as the
    /// machine can compute, so up to 19 MiB per core; [`DEFAULT_QUEUE`] jobs may wait.
    pub fn new() -> PasswordHasher {
        PasswordHasher::with_limits(0, DEFAULT_QUEUE)
    }

    /// A hasher with `workers` threads and [`DEFAULT_QUEUE`] places in its queue.
    pub fn with_workers(workers: usize) -> PasswordHasher {
        PasswordHasher::with_limits(workers, DEFAULT_QUEUE)
    }

    /// A hasher with `workers` threads (0: one per available core): at most that many
    /// hashes run at once, and at most that many 19 MiB blocks are held. At most
    /// `queue` more jobs wait for a worker; beyond that, jobs are refused.
    pub fn with_limits(workers: usize, queue: usize) -> PasswordHasher {
        let workers = match workers {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            n => n,
        };
        let capacity = workers.saturating_add(queue);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..workers {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&queue))
                .expect("the operating system starts a password hashing thread");
        }
        PasswordHasher { jobs, workers, capacity, in_flight: Arc::default() }
    }

    /// Jobs in flight now (running or queued): at most [`PasswordHasher::capacity`].
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::Acquire)
    }

    /// Jobs in flight at most: workers plus places in the queue.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// The PHC string (`$argon2id$...`) of `password` with a fresh random salt.
    pub async fn hash(&self, password: &str) -> Result<String, PasswordHashError> {
        let password = password.to_owned();
        self.run(move |memory| hash_in(memory, password.as_bytes())).await
    }

    /// Whether `password` matches `stored` (a PHC string). With no stored hash (unknown
    /// account) it verifies against a dummy to spend the same time, and returns false.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, PasswordHashError> {
        let password = password.to_owned();
        let known = stored.is_some();
        let stored = stored.unwrap_or(TIMING_DUMMY_HASH).to_owned();
        self.run(move |memory| Ok(verify_in(memory, password.as_bytes(), &stored)? && known)).await
    }

    /// Queues `job` for the next free worker and waits for its answer; refuses it at
    /// once when the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Memory) -> Result<T, PasswordHashError> + Send + 'static,
    ) -> Result<T, PasswordHashError> {
        let slot = Slot::reserve(&self.in_flight, self.capacity)?;
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |memory| {
            // The request was dropped while the job queued (the client went away): a
            // burst of abandoned logins must not keep the workers busy.
            if answer.is_closed() {
                return;
            }
            let result = job(memory);
            // The place is free before the answer arrives (a panic frees it too, as
            // the closure's captures are dropped).
            drop(slot);
            let _ = answer.send(result);
        });
        self.jobs.send(job).map_err(|_| PasswordHashError::Worker)?;
        answered.await.map_err(|_| PasswordHashError::Worker)?
    }
}

/// A worker: takes jobs until every [`PasswordHasher`] clone is dropped.
fn work(queue: &Mutex<Receiver<Job>>) {
    let mut memory = Memory::default();
    loop {
        // The lock is held only while waiting, never while hashing, so a panicking job
        // cannot poison it; `into_inner` covers a panic in `recv` itself.
        let job = queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).recv();
        let Ok(job) = job else { return };
        // A panic drops the job's answer (the request gets `Worker`, a 500) and keeps
        // the worker, so the pool never shrinks.
        let _ = catch_unwind(AssertUnwindSafe(|| job(&mut memory)));
    }
}

/// A worker's argon2 memory: allocated by its first hash and reused by every later one.
#[derive(Default)]
struct Memory(Vec<Block>);

impl Memory {
    /// Runs `hash` in memory enough for `params`.
    fn with_blocks<T>(&mut self, params: &Params, hash: impl FnOnce(&mut [Block]) -> T) -> T {
        let needed = params.block_count();
        if needed > PARAMS.block_count() {
            // A stored hash made with a larger memory cost than new ones: this one job
            // allocates, rather than every worker keeping the larger block for good.
            return hash(&mut vec![Block::default(); needed]);
        }
        if self.0.is_empty() {
            self.0 = vec![Block::default(); PARAMS.block_count()];
        }
        hash(&mut self.0[..needed])
    }
}

/// What `Argon2::default().hash_password` computes, in the worker's memory.
fn hash_in(memory: &mut Memory, password: &[u8]) -> Result<String, PasswordHashError> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS);
    let output_len = PARAMS.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(output_len, |out| {
        memory
            .with_blocks(&PARAMS, |blocks| argon2.hash_password_into_with_memory(password, salt_bytes, out, blocks))?;
        Ok(())
    })?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&PARAMS)?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    };
    Ok(hash.to_string())
}

/// What `Argon2::default().verify_password` decides, in the worker's memory: the
/// algorithm, version and parameters are the stored hash's own.
fn verify_in(memory: &mut Memory, password: &[u8], stored: &str) -> Result<bool, PasswordHashError> {
    let stored = PasswordHash::new(stored)?;
    let (Some(salt), Some(expected)) = (stored.salt, stored.hash) else {
        return Err(password_hash::Error::PhcStringField.into());
    };
    let algorithm = Algorithm::try_from(stored.algorithm)?;
    let version = stored.version.map(Version::try_from).transpose()?.unwrap_or_default();
    let params = Params::try_from(&stored)?;
    let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
    let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let computed = Output::init_with(expected.len(), |out| {
        memory
            .with_blocks(&params, |blocks| argon2.hash_password_into_with_memory(password, salt_bytes, out, blocks))?;
        Ok(())
    })?;
    // `Output`'s equality takes constant time.
    Ok(computed == expected)
}

#[cfg(test)]
mod tests {
    use argon2::{PasswordHasher as _, PasswordVerifier as _};

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

    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crates_own() {
        // The workers' memory reuse must not change a bit of the result, either way.
        let hasher = PasswordHasher::with_workers(1);
        let ours = hasher.hash("correct horse").await.unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &PasswordHash::new(&ours).unwrap()).is_ok());
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default().hash_password(b"correct horse", &salt).unwrap().to_string();
        for _ in 0..2 {
            assert!(hasher.verify("correct horse", Some(&theirs)).await.unwrap());
            assert!(!hasher.verify("correct horsf", Some(&theirs)).await.unwrap());
        }
    }

    #[tokio::test]
    async fn stored_hashes_with_other_parameters_still_verify() {
        // Older or stronger settings than today's: a smaller and a larger memory cost,
        // more passes, two lanes, argon2i.
        let hasher = PasswordHasher::with_workers(1);
        let salt = SaltString::generate(&mut OsRng);
        for (algorithm, m, t, p) in
            [(Algorithm::Argon2id, 8192, 3, 1), (Algorithm::Argon2id, 24576, 1, 2), (Algorithm::Argon2i, 4096, 4, 1)]
        {
            let params = Params::new(m, t, p, None).unwrap();
            let argon2 = Argon2::new(algorithm, Version::V0x13, params);
            let stored = argon2.hash_password(b"correct horse", &salt).unwrap().to_string();
            assert!(hasher.verify("correct horse", Some(&stored)).await.unwrap(), "{stored}");
            assert!(!hasher.verify("wrong horse", Some(&stored)).await.unwrap(), "{stored}");
        }
    }

    #[tokio::test]
    async fn a_malformed_stored_hash_is_an_error_not_a_mismatch() {
        let hasher = PasswordHasher::with_workers(1);
        for stored in ["", "plain", "$argon2id$v=19$m=19456,t=2,p=1$TCggHJxuQei8kWKqdLphKg"] {
            assert!(matches!(hasher.verify("x", Some(stored)).await, Err(PasswordHashError::Argon2(_))), "{stored:?}");
        }
    }

    #[tokio::test]
    async fn at_most_one_hash_per_worker_runs_at_once() {
        // The bound on memory: never more hashes in flight than workers (and blocks).
        let hasher = PasswordHasher::with_workers(2);
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (running, most) = (Arc::clone(&running), Arc::clone(&most));
            let hasher = hasher.clone();
            tasks.spawn(async move {
                hasher
                    .run(move |_| {
                        use std::sync::atomic::Ordering::SeqCst;
                        most.fetch_max(running.fetch_add(1, SeqCst) + 1, SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        running.fetch_sub(1, SeqCst);
                        Ok(())
                    })
                    .await
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap().unwrap();
        }
        assert_eq!(most.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_job_whose_request_went_away_is_skipped() {
        // Abandoned logins (clients that gave up) must not keep the workers busy.
        let hasher = PasswordHasher::with_workers(1);
        let (started, has_started) = oneshot::channel();
        let (release, released) = mpsc::channel::<()>();
        let busy = tokio::spawn({
            let hasher = hasher.clone();
            async move {
                hasher
                    .run(move |_| {
                        let _ = started.send(());
                        let _ = released.recv();
                        Ok(())
                    })
                    .await
            }
        });
        has_started.await.unwrap();
        let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&ran);
        let abandoned = hasher.run(move |_| {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        });
        // Queued behind the busy job, then given up on.
        assert!(tokio::time::timeout(std::time::Duration::from_millis(10), abandoned).await.is_err());
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        // The queue is in order: once this answers, the abandoned job has been taken.
        assert!(!hasher.verify("anything", None).await.unwrap());
        assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once_instead_of_waiting() {
        // Regression: the queue was unbounded, so a login flood made every login wait
        // behind every queued hash (2 s and more).
        let hasher = PasswordHasher::with_limits(1, 1);
        assert_eq!(hasher.capacity(), 2);
        let (started, has_started) = oneshot::channel();
        let (release, released) = mpsc::channel::<()>();
        let busy = tokio::spawn({
            let hasher = hasher.clone();
            async move {
                hasher
                    .run(move |_| {
                        let _ = started.send(());
                        let _ = released.recv();
                        Ok(())
                    })
                    .await
            }
        });
        has_started.await.unwrap();
        let queued = tokio::spawn({
            let hasher = hasher.clone();
            async move { hasher.verify("anything", None).await }
        });
        while hasher.in_flight() < 2 {
            tokio::task::yield_now().await;
        }
        let refused = tokio::time::timeout(std::time::Duration::from_secs(1), hasher.verify("anything", None))
            .await
            .expect("a full queue answers at once");
        assert!(matches!(refused, Err(PasswordHashError::Busy { capacity: 2 })), "{refused:?}");
        release.send(()).unwrap();
        busy.await.unwrap().unwrap();
        assert!(!queued.await.unwrap().unwrap());
        assert_eq!(hasher.in_flight(), 0);
        assert!(!hasher.verify("anything", None).await.unwrap());
    }

    #[tokio::test]
    async fn a_panicking_job_fails_its_request_and_keeps_the_worker() {
        let hasher = PasswordHasher::with_workers(1);
        let failed = hasher.run::<()>(|_| panic!("a bug in a job")).await;
        assert!(matches!(failed, Err(PasswordHashError::Worker)));
        assert!(!hasher.verify("anything", None).await.unwrap());
    }
}
