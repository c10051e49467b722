//! argon2id hashing on a fixed set of worker threads, within a bound on memory.
//!
//! One argon2 hash takes tens of milliseconds of CPU and its memory cost in memory
//! (7 MiB for new hashes, 19 MiB for hashes made with argon2's defaults, as the
//! demo seed's). It runs on worker threads of its own, so it never stalls the request
//! threads, and there is one worker per core, so a burst of logins queues instead of
//! competing for the cores.
//!
//! Memory: the hashes running at once hold at most [`MEMORY_BUDGET_KIB`] (19 MiB)
//! together: two new hashes side by side, a 19 MiB one alone; a job waits, in arrival
//! order, until its memory fits. Each job hashes in a mapping of its own that goes back
//! to the operating system when it ends, so between logins the process holds none of
//! it. (Allocating and freeing per hash through malloc, what `Argon2::hash_password`
//! does, left glibc holding the freed blocks in the arena of every thread that had
//! hashed: a burst of logins kept the server at 430-470 MiB resident for good; keeping
//! one block per worker, the fix after that, still held 19 MiB per core:
//! bench/RESULTS.md.)
//!
//! The queue is bounded: beyond `workers + queue` jobs in flight, a new one is refused
//! at once ([`PasswordHashError::Busy`], answered 503 with `Retry-After`) rather than
//! waiting behind a flood, so no login waits longer than `queue / workers + 1` hashes.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Condvar, Mutex};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{self, Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

/// A hash of a random password with the same parameters as real ones: verifying a
/// login for an unknown email against it takes as long as for a known one, so the
/// response time does not tell which emails have accounts.
/// (Its output is random bytes: it only has to cost a real verification and never match.)
const TIMING_DUMMY_HASH: &str =
    "$argon2id$v=19$m=7168,t=5,p=1$AyerwbSNBl2rqUyl3pG+7A$JMKNH3Te40jU9uyyae8lV6VscLMcUr3k08CQrmCwe0I";

/// The parameters of new hashes: argon2id with m=7168 KiB (7 MiB), t=5, p=1, 32 bytes,
/// one of the settings OWASP's Password Storage Cheat Sheet recommends as equivalent
/// (m=19 MiB t=2, m=12 MiB t=3, m=9 MiB t=4, m=7 MiB t=5). It costs about the CPU of
/// argon2's defaults (m=19456 KiB, t=2: 7168 x 5 against 19456 x 2 block passes) in
/// 37% of the memory, so two logins side by side take 14 MiB where one took 19: the
/// server stays within 30 MiB through a burst of logins (bench/RESULTS.md,
/// "api-vs-node"). Stored hashes keep their own parameters (m=9216 KiB t=4 from
/// earlier releases, argon2's defaults in the demo seed).
const PARAMS: Params = match Params::new(7168, 5, 1, Some(Params::DEFAULT_OUTPUT_LEN)) {
    Ok(params) => params,
    Err(_) => panic!("valid argon2 parameters"),
};

/// The argon2 memory (KiB) of the hashes running at once, at most: the memory cost of
/// argon2's defaults (19 MiB), so two hashes with [`PARAMS`] run side by side and one
/// with the defaults runs alone. A stored hash with a larger cost than this runs alone.
pub const MEMORY_BUDGET_KIB: u32 = Params::DEFAULT_M_COST;

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

/// Work for a worker, given the memory budget it hashes within.
type Job = Box<dyn FnOnce(&Budget) + Send>;

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
    /// machine can compute and [`MEMORY_BUDGET_KIB`] allows; [`DEFAULT_QUEUE`] jobs may wait.
    pub fn new() -> PasswordHasher {
        PasswordHasher::with_limits(0, DEFAULT_QUEUE)
    }

    /// A hasher with `workers` threads and [`DEFAULT_QUEUE`] places in its queue.
    pub fn with_workers(workers: usize) -> PasswordHasher {
        PasswordHasher::with_limits(workers, DEFAULT_QUEUE)
    }

    /// A hasher with `workers` threads (0: one per available core): at most that many
    /// hashes run at once, and together they hold at most [`MEMORY_BUDGET_KIB`]. At
    /// most `queue` more jobs wait for a worker; beyond that, jobs are refused.
    pub fn with_limits(workers: usize, queue: usize) -> PasswordHasher {
        let workers = match workers {
            0 => std::thread::available_parallelism().map_or(2, usize::from),
            n => n,
        };
        let capacity = workers.saturating_add(queue);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let budget = Arc::new(Budget::new(MEMORY_BUDGET_KIB));
        for n in 0..workers {
            let queue = Arc::clone(&queue);
            let budget = Arc::clone(&budget);
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&queue, &budget))
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
        self.run(move |budget| hash_in(budget, password.as_bytes())).await
    }

    /// Whether `password` matches `stored` (a PHC string). With no stored hash (unknown
    /// account) it verifies against a dummy to spend the same time, and returns false.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> Result<bool, PasswordHashError> {
        let password = password.to_owned();
        let known = stored.is_some();
        let stored = stored.unwrap_or(TIMING_DUMMY_HASH).to_owned();
        self.run(move |budget| Ok(verify_in(budget, password.as_bytes(), &stored)? && known)).await
    }

    /// Queues `job` for the next free worker and waits for its answer; refuses it at
    /// once when the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&Budget) -> Result<T, PasswordHashError> + Send + 'static,
    ) -> Result<T, PasswordHashError> {
        let slot = Slot::reserve(&self.in_flight, self.capacity)?;
        let (answer, answered) = oneshot::channel();
        let job: Job = Box::new(move |budget| {
            // The request was dropped while the job queued (the client went away): a
            // burst of abandoned logins must not keep the workers busy.
            if answer.is_closed() {
                return;
            }
            let result = job(budget);
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
fn work(queue: &Mutex<Receiver<Job>>, budget: &Budget) {
    loop {
        // The lock is held only while waiting, never while hashing, so a panicking job
        // cannot poison it; `into_inner` covers a panic in `recv` itself.
        let job = queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).recv();
        let Ok(job) = job else { return };
        // A panic drops the job's answer (the request gets `Worker`, a 500) and keeps
        // the worker, so the pool never shrinks.
        let _ = catch_unwind(AssertUnwindSafe(|| job(budget)));
    }
}

/// The argon2 memory the running hashes may hold together, handed out in arrival order.
struct Budget {
    total: u32,
    state: Mutex<BudgetState>,
    changed: Condvar,
}

struct BudgetState {
    /// KiB not held by a running hash.
    free: u32,
    /// The ticket the next waiter draws.
    next: u64,
    /// The ticket whose turn it is to take memory.
    serving: u64,
}

/// Memory held by a running hash; given back when dropped (a panic included).
struct Held<'a> {
    budget: &'a Budget,
    kib: u32,
}

impl Budget {
    fn new(total: u32) -> Budget {
        Budget { total, state: Mutex::new(BudgetState { free: total, next: 0, serving: 0 }), changed: Condvar::new() }
    }

    /// Waits until it is this caller's turn and `kib` fits (more than the whole budget:
    /// until nothing else runs), then holds it.
    fn hold(&self, kib: u32) -> Held<'_> {
        let kib = kib.min(self.total);
        let mut state = self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let ticket = state.next;
        state.next += 1;
        while state.serving != ticket || state.free < kib {
            state = self.changed.wait(state).unwrap_or_else(|poisoned| poisoned.into_inner());
        }
        state.free -= kib;
        state.serving += 1;
        drop(state);
        // The next in line may fit too.
        self.changed.notify_all();
        Held { budget: self, kib }
    }
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut state = self.budget.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        state.free += self.kib;
        drop(state);
        self.budget.changed.notify_all();
    }
}

/// Blocks reserved (not touched) for each job's memory: more than glibc's largest
/// dynamic mmap threshold (32 MiB on 64-bit), so malloc always maps the job's memory
/// on its own and unmaps it when the job ends, instead of keeping it in a thread's
/// arena. Only the blocks a hash uses become resident.
const RESERVED_BLOCKS: usize = 33 * 1024;

/// Runs `hash` in memory enough for `params`, within the budget, in a mapping of its
/// own that is returned to the operating system afterwards.
fn with_blocks<T>(budget: &Budget, params: &Params, hash: impl FnOnce(&mut [Block]) -> T) -> T {
    let needed = params.block_count();
    let _held = budget.hold(params.m_cost());
    let mut blocks = Vec::with_capacity(needed.max(RESERVED_BLOCKS));
    blocks.resize(needed, Block::default());
    hash(&mut blocks)
}

/// What `Argon2::hash_password` computes with [`PARAMS`], in budgeted memory.
fn hash_in(budget: &Budget, password: &[u8]) -> Result<String, PasswordHashError> {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; Salt::MAX_LENGTH];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, PARAMS);
    let output_len = PARAMS.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(output_len, |out| {
        with_blocks(budget, &PARAMS, |blocks| {
            argon2.hash_password_into_with_memory(password, salt_bytes, out, blocks)
        })?;
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

/// What `Argon2::default().verify_password` decides, in budgeted memory: the
/// algorithm, version and parameters are the stored hash's own.
fn verify_in(budget: &Budget, password: &[u8], stored: &str) -> Result<bool, PasswordHashError> {
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
        with_blocks(budget, &params, |blocks| {
            argon2.hash_password_into_with_memory(password, salt_bytes, out, blocks)
        })?;
        Ok(())
    })?;
    // `Output`'s equality takes constant time.
    Ok(computed == expected)
}

#[cfg(test)]
mod tests {
    use argon2::{PasswordHasher as _, PasswordVerifier as _};

    use super::*;

    /// A job that holds one of a hasher's workers until [`BusyWorker::finish`].
    struct BusyWorker {
        release: mpsc::Sender<()>,
        job: tokio::task::JoinHandle<Result<(), PasswordHashError>>,
    }

    impl BusyWorker {
        /// Queues the job and returns once a worker runs it.
        async fn start(hasher: &PasswordHasher) -> BusyWorker {
            let (started, has_started) = oneshot::channel();
            let (release, released) = mpsc::channel::<()>();
            let hasher = hasher.clone();
            let job = tokio::spawn(async move {
                hasher
                    .run(move |_| {
                        let _ = started.send(());
                        let _ = released.recv();
                        Ok(())
                    })
                    .await
            });
            has_started.await.unwrap();
            BusyWorker { release, job }
        }

        /// Lets the job end, and waits until it has.
        async fn finish(self) {
            self.release.send(()).unwrap();
            self.job.await.unwrap().unwrap();
        }
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hasher = PasswordHasher::new();
        let hash = hasher.hash("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{hash}");
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
        // Hashing in budgeted memory must not change a bit of the result, either way.
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
        let busy = BusyWorker::start(&hasher).await;
        let ran = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = Arc::clone(&ran);
        let abandoned = hasher.run(move |_| {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        });
        // Queued behind the busy job, then given up on.
        assert!(tokio::time::timeout(std::time::Duration::from_millis(10), abandoned).await.is_err());
        busy.finish().await;
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
        let busy = BusyWorker::start(&hasher).await;
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
        busy.finish().await;
        assert!(!queued.await.unwrap().unwrap());
        assert_eq!(hasher.in_flight(), 0);
        assert!(!hasher.verify("anything", None).await.unwrap());
    }

    #[test]
    fn two_new_hashes_run_side_by_side_and_one_with_the_defaults_alone() {
        let budget = Arc::new(Budget::new(MEMORY_BUDGET_KIB));
        let first = budget.hold(PARAMS.m_cost());
        // Would wait for ever if two did not fit.
        let second = budget.hold(PARAMS.m_cost());
        let (done, finished) = mpsc::channel();
        let default_cost = std::thread::spawn({
            let budget = Arc::clone(&budget);
            move || {
                let _held = budget.hold(Params::DEFAULT_M_COST);
                done.send(()).unwrap();
            }
        });
        let wait = std::time::Duration::from_millis(100);
        assert!(finished.recv_timeout(wait).is_err(), "a 19 MiB hash ran beside two 7 MiB ones");
        drop(first);
        assert!(finished.recv_timeout(wait).is_err(), "a 19 MiB hash ran beside a 7 MiB one");
        drop(second);
        finished.recv_timeout(std::time::Duration::from_secs(5)).expect("it runs once the others are done");
        default_cost.join().unwrap();
        // More than the whole budget (a stronger stored hash) runs alone, and does not wait for ever.
        drop(budget.hold(MEMORY_BUDGET_KIB * 2));
    }

    #[test]
    fn memory_is_handed_out_in_arrival_order() {
        // A 19 MiB hash waiting for memory is not overtaken by later 7 MiB ones that
        // would fit beside the one running: a stream of new logins cannot starve it.
        let budget = Arc::new(Budget::new(MEMORY_BUDGET_KIB));
        let running = budget.hold(PARAMS.m_cost());
        let (order, arrivals) = mpsc::channel();
        let mut waiters = Vec::new();
        for (name, kib) in [("default", Params::DEFAULT_M_COST), ("new", PARAMS.m_cost())] {
            let (mine, order) = (Arc::clone(&budget), order.clone());
            waiters.push(std::thread::spawn(move || {
                let _held = mine.hold(kib);
                order.send(name).unwrap();
                std::thread::sleep(std::time::Duration::from_millis(20));
            }));
            // The first waiter has drawn its ticket before the second arrives.
            while budget.state.lock().unwrap().next < waiters.len() as u64 + 1 {
                std::thread::yield_now();
            }
        }
        assert!(arrivals.recv_timeout(std::time::Duration::from_millis(100)).is_err(), "the later 7 MiB hash overtook");
        drop(running);
        assert_eq!(arrivals.recv().unwrap(), "default");
        assert_eq!(arrivals.recv().unwrap(), "new");
        for waiter in waiters {
            waiter.join().unwrap();
        }
    }

    #[tokio::test]
    async fn a_panicking_job_fails_its_request_and_keeps_the_worker() {
        let hasher = PasswordHasher::with_workers(1);
        let failed = hasher.run::<()>(|_| panic!("a bug in a job")).await;
        assert!(matches!(failed, Err(PasswordHashError::Worker)));
        assert!(!hasher.verify("anything", None).await.unwrap());
    }
}
