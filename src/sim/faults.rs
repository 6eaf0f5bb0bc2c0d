//! Injected faults: latency, error answers, dropped connections and the server's
//! rate limiter (docspace-api.md 4). Every random draw comes from one generator
//! seeded by [`Faults::seed`], so a failing run can be replayed.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Fault settings, as `POST /__sim/faults` takes them and as the `sim` flags set them.
/// Every field is optional; a field left out is off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every API request before it is answered.
    pub latency_ms: u64,
    /// Share of API requests answered with `error_status` instead.
    pub error_rate: f64,
    pub error_status: u16,
    /// Token-bucket rate; when set, the concurrency caps apply too.
    pub rate_limit_per_sec: Option<f64>,
    /// Share of API connections closed without an answer.
    pub drop_rate: f64,
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            latency_ms: 0,
            error_rate: 0.0,
            error_status: 503,
            rate_limit_per_sec: None,
            drop_rate: 0.0,
            seed: 0,
        }
    }
}

impl Faults {
    fn is_quiet(&self) -> bool {
        self.latency_ms == 0
            && self.error_rate <= 0.0
            && self.rate_limit_per_sec.is_none()
            && self.drop_rate <= 0.0
    }
}

/// The server's concurrency caps per user: the excess is rejected at once, not queued.
const MAX_PARALLEL_GETS: usize = 50;
const MAX_PARALLEL_WRITES: usize = 15;

/// What the `X-RateLimit-*` headers say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    pub(crate) limit: u64,
    pub(crate) remaining: u64,
    /// Seconds until the bucket is full again.
    pub(crate) reset: u64,
    /// Seconds until a retry can succeed; set on rejections only.
    pub(crate) retry_after: Option<u64>,
}

/// A token bucket holding one second's worth of requests.
#[derive(Debug)]
pub(crate) struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    last: Instant,
}

impl TokenBucket {
    pub(crate) fn new(rate: f64, now: Instant) -> TokenBucket {
        let rate = rate.max(0.001);
        let capacity = rate.max(1.0);
        TokenBucket {
            rate,
            capacity,
            tokens: capacity,
            last: now,
        }
    }

    pub(crate) fn take(&mut self, now: Instant) -> Result<RateHeaders, RateHeaders> {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.last = now;
        let admitted = self.tokens >= 1.0;
        if admitted {
            self.tokens -= 1.0;
        }
        let headers = RateHeaders {
            limit: self.capacity as u64,
            remaining: self.tokens as u64,
            reset: ((self.capacity - self.tokens) / self.rate).ceil() as u64,
            retry_after: (!admitted)
                .then(|| (((1.0 - self.tokens) / self.rate).ceil() as u64).max(1)),
        };
        if admitted { Ok(headers) } else { Err(headers) }
    }
}

/// Holds one of the parallel-request slots until the answer is produced.
pub(crate) struct Slot(Arc<AtomicUsize>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The verdict for one API request.
pub(crate) enum Verdict {
    Serve {
        latency: Duration,
        error: Option<u16>,
        rate: Option<RateHeaders>,
        slot: Option<Slot>,
    },
    Throttle(RateHeaders),
}

pub(crate) struct FaultEngine {
    /// Lets the common, fault-free case skip the lock.
    active: AtomicBool,
    inner: Mutex<Inner>,
    gets: Arc<AtomicUsize>,
    writes: Arc<AtomicUsize>,
}

struct Inner {
    faults: Faults,
    rng: SmallRng,
    bucket: Option<TokenBucket>,
}

impl FaultEngine {
    pub(crate) fn new(faults: Faults) -> FaultEngine {
        let engine = FaultEngine {
            active: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                faults: Faults::default(),
                rng: SmallRng::seed_from_u64(0),
                bucket: None,
            }),
            gets: Arc::new(AtomicUsize::new(0)),
            writes: Arc::new(AtomicUsize::new(0)),
        };
        engine.set(faults);
        engine
    }

    /// Replaces every setting and restarts the generator and the bucket.
    pub(crate) fn set(&self, faults: Faults) {
        let mut inner = self.lock();
        self.active.store(!faults.is_quiet(), Ordering::Release);
        inner.rng = SmallRng::seed_from_u64(faults.seed);
        inner.bucket = faults
            .rate_limit_per_sec
            .map(|r| TokenBucket::new(r, Instant::now()));
        inner.faults = faults;
    }

    pub(crate) fn current(&self) -> Faults {
        self.lock().faults.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn should_drop(&self) -> bool {
        if !self.active.load(Ordering::Acquire) {
            return false;
        }
        let mut inner = self.lock();
        let rate = inner.faults.drop_rate;
        rate > 0.0 && inner.rng.random_bool(rate.min(1.0))
    }

    pub(crate) fn judge(&self, is_get: bool) -> Verdict {
        if !self.active.load(Ordering::Acquire) {
            return Verdict::Serve {
                latency: Duration::ZERO,
                error: None,
                rate: None,
                slot: None,
            };
        }
        let mut inner = self.lock();
        let latency = Duration::from_millis(inner.faults.latency_ms);
        let (rate, slot) = match inner.bucket.as_mut() {
            None => (None, None),
            Some(bucket) => {
                let (counter, cap) = if is_get {
                    (&self.gets, MAX_PARALLEL_GETS)
                } else {
                    (&self.writes, MAX_PARALLEL_WRITES)
                };
                if counter.fetch_add(1, Ordering::AcqRel) >= cap {
                    counter.fetch_sub(1, Ordering::AcqRel);
                    let mut headers = bucket.take(Instant::now()).unwrap_or_else(|h| h);
                    headers.retry_after = Some(1);
                    return Verdict::Throttle(headers);
                }
                let slot = Slot(Arc::clone(counter));
                match bucket.take(Instant::now()) {
                    Ok(headers) => (Some(headers), Some(slot)),
                    Err(headers) => return Verdict::Throttle(headers),
                }
            }
        };
        let error_rate = inner.faults.error_rate;
        let error = (error_rate > 0.0 && inner.rng.random_bool(error_rate.min(1.0)))
            .then_some(inner.faults.error_status);
        Verdict::Serve {
            latency,
            error,
            rate,
            slot,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_admits_a_burst_then_throttles_then_refills() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(2.0, t0);
        let first = bucket.take(t0).expect("first admitted");
        assert_eq!((first.limit, first.remaining), (2, 1));
        assert!(bucket.take(t0).is_ok());
        let rejected = bucket.take(t0).expect_err("third throttled");
        assert_eq!(rejected.retry_after, Some(1));
        assert_eq!(rejected.remaining, 0);
        assert!(bucket.take(t0 + Duration::from_millis(600)).is_ok());
    }

    #[test]
    fn slow_buckets_ask_for_longer_waits() {
        let t0 = Instant::now();
        let mut bucket = TokenBucket::new(0.25, t0);
        assert!(bucket.take(t0).is_ok());
        assert_eq!(bucket.take(t0).expect_err("empty").retry_after, Some(4));
    }

    #[test]
    fn same_seed_same_faults() {
        let faults = Faults {
            error_rate: 0.5,
            seed: 7,
            ..Faults::default()
        };
        let draws = |engine: &FaultEngine| -> Vec<bool> {
            (0..64)
                .map(|_| matches!(engine.judge(true), Verdict::Serve { error: Some(_), .. }))
                .collect()
        };
        let a = draws(&FaultEngine::new(faults.clone()));
        let b = draws(&FaultEngine::new(faults));
        assert_eq!(a, b);
        assert!(a.iter().any(|e| *e) && a.iter().any(|e| !*e));
    }

    #[test]
    fn concurrency_cap_rejects_the_excess_at_once() {
        let engine = FaultEngine::new(Faults {
            rate_limit_per_sec: Some(1000.0),
            ..Faults::default()
        });
        let held: Vec<Verdict> = (0..MAX_PARALLEL_WRITES)
            .map(|_| engine.judge(false))
            .collect();
        assert!(held.iter().all(|v| matches!(v, Verdict::Serve { .. })));
        assert!(matches!(engine.judge(false), Verdict::Throttle(_)));
        assert!(matches!(engine.judge(true), Verdict::Serve { .. }));
        drop(held);
        assert!(matches!(engine.judge(false), Verdict::Serve { .. }));
    }
}
