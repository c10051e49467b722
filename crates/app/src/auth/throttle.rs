//! Rate limits on attempts, per key (an account, a client address), in memory.
//!
//! Each key has a bucket of `burst` attempts that refills at one attempt per `refill`
//! (the generic cell rate algorithm: a key stores only the time at which its bucket is
//! full again). An attempt takes its token *before* the work it guards, so a thousand
//! concurrent guesses cannot all pass the check before the first one is counted; an
//! attempt that turns out fine gives its token back.
//!
//! The state lives in the process: a restart forgets it, and several API processes
//! each keep their own (so the limits multiply by the number of processes).

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `burst` attempts at once, then one more per `refill`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Attempts allowed in a row before waiting (0 refuses every attempt).
    pub burst: u32,
    /// The time after which one more attempt is allowed.
    pub refill: Duration,
}

impl RateLimit {
    /// `burst` attempts, then one per `refill`.
    pub const fn new(burst: u32, refill: Duration) -> RateLimit {
        RateLimit { burst, refill }
    }
}

/// Keys kept before the idle ones (whose buckets are full again) are dropped.
const PRUNE_AT: usize = 1 << 16;

/// Rate limits for many keys of one kind.
#[derive(Debug)]
pub struct Throttle<K> {
    limit: RateLimit,
    /// Per key: when its bucket is full again. A key whose time has passed is as
    /// good as absent.
    full_at: Mutex<HashMap<K, Instant>>,
}

impl<K: Hash + Eq + Clone> Throttle<K> {
    /// A throttle applying `limit` to every key.
    pub fn new(limit: RateLimit) -> Throttle<K> {
        Throttle { limit, full_at: Mutex::new(HashMap::new()) }
    }

    /// Takes one attempt for `key`, or says how long to wait for the next one.
    pub fn take(&self, key: &K) -> Result<(), Duration> {
        self.take_at(key, Instant::now())
    }

    /// Gives back an attempt taken by [`Throttle::take`] (it turned out not to count).
    pub fn give_back(&self, key: &K) {
        let mut full_at = self.lock();
        if let Some(at) = full_at.get_mut(key) {
            *at = at.checked_sub(self.limit.refill).unwrap_or(*at);
        }
    }

    /// Forgets every attempt of `key`.
    pub fn forget(&self, key: &K) {
        self.lock().remove(key);
    }

    /// How many keys are held (for tests of the memory bound).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn take_at(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let RateLimit { burst, refill } = self.limit;
        if burst == 0 {
            return Err(refill.max(Duration::from_secs(1)));
        }
        let mut full_at = self.lock();
        if full_at.len() >= PRUNE_AT && !full_at.contains_key(key) {
            prune(&mut full_at, now);
        }
        let current = full_at.get(key).copied().filter(|at| *at > now).unwrap_or(now);
        let after = current + refill;
        // The bucket holds `burst` attempts: the attempt fits while, with it, the
        // bucket would be full again within `burst` refills.
        let window = refill.saturating_mul(burst);
        if after > now + window {
            return Err(after - (now + window));
        }
        full_at.insert(key.clone(), after);
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Instant>> {
        // Nothing panics while the lock is held; a poisoned map is still consistent.
        self.full_at.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Drops the keys whose buckets are full again; if that frees too little (a flood of
/// fresh keys), the half closest to full. Amortised, as it halves the map at least.
fn prune<K: Hash + Eq + Clone>(full_at: &mut HashMap<K, Instant>, now: Instant) {
    full_at.retain(|_, at| *at > now);
    if full_at.len() >= PRUNE_AT / 2 {
        let mut times: Vec<Instant> = full_at.values().copied().collect();
        let middle = times.len() / 2;
        let (_, cut, _) = times.select_nth_unstable(middle);
        let cut = *cut;
        full_at.retain(|_, at| *at > cut);
    }
}

/// Who a client is, for per-client limits: its IPv4 address, or the /64 network of its
/// IPv6 address (one subscriber usually holds a whole /64).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientKey {
    /// An IPv4 address (also when written IPv4-mapped in IPv6).
    V4(u32),
    /// The first 64 bits of an IPv6 address.
    V6(u64),
}

impl From<IpAddr> for ClientKey {
    fn from(ip: IpAddr) -> ClientKey {
        match ip.to_canonical() {
            IpAddr::V4(v4) => ClientKey::V4(u32::from(v4)),
            IpAddr::V6(v6) => ClientKey::V6((u128::from(v6) >> 64) as u64),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(burst: u32, refill_secs: u64) -> Throttle<&'static str> {
        Throttle::new(RateLimit::new(burst, Duration::from_secs(refill_secs)))
    }

    #[test]
    fn a_burst_then_one_per_refill() {
        let t = throttle(3, 10);
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(t.take_at(&"a", start), Ok(()));
        }
        assert_eq!(t.take_at(&"a", start), Err(Duration::from_secs(10)));
        assert_eq!(t.take_at(&"a", start + Duration::from_secs(4)), Err(Duration::from_secs(6)));
        assert_eq!(t.take_at(&"a", start + Duration::from_secs(10)), Ok(()));
        assert!(t.take_at(&"a", start + Duration::from_secs(10)).is_err());
        // Other keys are not affected.
        assert_eq!(t.take_at(&"b", start), Ok(()));
        // After a long pause the whole burst is back, not more.
        let later = start + Duration::from_secs(3600);
        for _ in 0..3 {
            assert_eq!(t.take_at(&"a", later), Ok(()));
        }
        assert!(t.take_at(&"a", later).is_err());
    }

    #[test]
    fn giving_back_and_forgetting() {
        let t = throttle(2, 60);
        let now = Instant::now();
        t.take_at(&"a", now).unwrap();
        t.take_at(&"a", now).unwrap();
        t.give_back(&"a");
        assert_eq!(t.take_at(&"a", now), Ok(()));
        assert!(t.take_at(&"a", now).is_err());
        t.forget(&"a");
        assert_eq!(t.take_at(&"a", now), Ok(()));
    }

    #[test]
    fn a_zero_burst_refuses_everything() {
        assert!(throttle(0, 60).take(&"a").is_err());
    }

    #[test]
    fn the_map_is_bounded_under_a_flood_of_keys() {
        let t: Throttle<u32> = Throttle::new(RateLimit::new(5, Duration::from_secs(60)));
        let now = Instant::now();
        for key in 0..(PRUNE_AT as u32 * 3) {
            t.take_at(&key, now).unwrap();
        }
        assert!(t.len() <= PRUNE_AT, "{}", t.len());
    }

    #[test]
    fn clients_are_ipv4_addresses_or_ipv6_networks() {
        let key = |s: &str| ClientKey::from(s.parse::<IpAddr>().unwrap());
        assert_eq!(key("192.0.2.1"), key("::ffff:192.0.2.1"));
        assert_ne!(key("192.0.2.1"), key("192.0.2.2"));
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_ne!(key("0.0.0.1"), key("::1"));
    }
}
