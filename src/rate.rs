//! Token buckets: per socket for audio frames and for audio time, and one
//! per client address for session creation.
//!
//! Our own ~60 lines rather than a crate: tower's `RateLimit` is one global
//! bucket (no per-address keys) and makes callers wait instead of refusing,
//! and `governor` would bring its own clock and a concurrent map for what a
//! mutex over a small map does here.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Up to `capacity` at once, refilled at `per_second`.
#[derive(Clone, Debug)]
pub struct TokenBucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub fn new(capacity: u32, per_second: f64, now: Instant) -> TokenBucket {
        TokenBucket {
            capacity: f64::from(capacity.max(1)),
            per_second,
            tokens: f64::from(capacity.max(1)),
            last: now,
        }
    }

    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.per_second).min(self.capacity);
        self.last = now;
    }

    /// Takes one token, or says how long until one is available.
    pub fn take(&mut self, now: Instant) -> Result<(), Duration> {
        self.take_n(1.0, now)
    }

    /// Takes `n` tokens (at most the capacity, so any request can be met
    /// once the bucket is full), or says how long until they are there.
    pub fn take_n(&mut self, n: f64, now: Instant) -> Result<(), Duration> {
        self.refill(now);
        let n = n.min(self.capacity);
        if self.tokens >= n {
            self.tokens -= n;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((n - self.tokens) / self.per_second))
        }
    }

    fn is_full(&mut self, now: Instant) -> bool {
        self.refill(now);
        self.tokens >= self.capacity
    }
}

/// One bucket per key (a client address).
pub struct KeyedLimiter<K> {
    capacity: u32,
    per_second: f64,
    buckets: Mutex<HashMap<K, TokenBucket>>,
}

/// Above this many tracked keys, full buckets (clients that have been quiet
/// long enough to be back at capacity) are forgotten: they would start full
/// anyway, so forgetting them changes nothing but memory.
const PRUNE_ABOVE: usize = 4_096;

impl<K: Eq + Hash + Clone> KeyedLimiter<K> {
    pub fn per_minute(per_minute: u32) -> KeyedLimiter<K> {
        KeyedLimiter {
            capacity: per_minute,
            per_second: f64::from(per_minute.max(1)) / 60.0,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    pub fn take(&self, key: &K, now: Instant) -> Result<(), Duration> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > PRUNE_ABOVE {
            buckets.retain(|_, bucket| !bucket.is_full(now));
        }
        buckets
            .entry(key.clone())
            .or_insert_with(|| TokenBucket::new(self.capacity, self.per_second, now))
            .take(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refuses_until_it_refills() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(2, 1.0, start);
        assert!(bucket.take(start).is_ok());
        assert!(bucket.take(start).is_ok());
        let wait = bucket.take(start).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(1));
        assert!(bucket.take(start + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn audio_time_is_paced_to_real_time_after_a_burst() {
        // Samples at 16 kHz with a 3 s burst: 10 s sent at once is taken
        // 3 s at once, then at the rate it was spoken.
        let start = Instant::now();
        let mut bucket = TokenBucket::new(48_000, 16_000.0, start);
        for _ in 0..3 {
            assert!(bucket.take_n(16_000.0, start).is_ok());
        }
        let wait = bucket.take_n(16_000.0, start).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        assert!(bucket.take_n(16_000.0, start + wait).is_ok());
        // A request larger than the bucket is met once it is full.
        assert!(bucket.take_n(1e9, start + Duration::from_secs(10)).is_ok());
    }

    #[test]
    fn each_key_has_its_own_bucket() {
        let now = Instant::now();
        let limiter = KeyedLimiter::per_minute(1);
        assert!(limiter.take(&"a", now).is_ok());
        let wait = limiter.take(&"a", now).unwrap_err();
        assert!(wait > Duration::from_secs(59) && wait <= Duration::from_secs(60));
        assert!(limiter.take(&"b", now).is_ok());
    }
}
