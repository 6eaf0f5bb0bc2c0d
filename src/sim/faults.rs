//! Injected faults: latency, error answers, dropped connections, the server's
//! rate limiter (docspace-api.md 4) and two hostile answer shapes. Every random draw
//! comes from one generator seeded by [`Faults::seed`], so a failing run can be
//! replayed.
//!
//! The limiter is the server's chain (`BaseStartup`: a sliding window, then the
//! concurrency caps, then the daily write cap), each rejecting with its own headers.
//! A permit the window handed out stays spent when a later limit rejects, as in the
//! server's Redis limiters.
//!
//! Which headers the server sends, read in its source (ONLYOFFICE/DocSpace-server at
//! `ed2994e7`, and RedisRateLimiting 1.2.1, the version `Directory.Packages.props:166-167`
//! pins):
//! - `common/ASC.Api.Core/Core/BaseStartup.cs:191-412` builds the chain with
//!   `PartitionedRateLimiter.CreateChained`: `GetSlidingWindowRateLimiter` (1 minute,
//!   `SlidingWindowLimit`, lines 228-248), `GetConcurrencyRateLimiter` (`QueueLimit = 0`,
//!   lines 249-277), `GetFixedWindowRateLimiter` (a day, POST/PUT only, lines 278-303);
//!   line 412 sets `options.OnRejected = RateLimitMetadata.OnRejected`, and lines
//!   621-626 add the middleware only when `core:hosting:rateLimiterOptions:enable`.
//! - Admitted requests: **no rate-limit header at all**. ASP.NET Core's
//!   `RateLimitingMiddleware` only calls the next handler for an acquired lease; the
//!   only code that writes these headers is `OnRejected`
//!   (`RedisRateLimiting.AspNetCore/RateLimitMetadata.cs:11-36`), which runs for
//!   rejections only. `X-RateLimit` appears nowhere else in the server's C# code but
//!   in `common/ASC.Api.Core/Extensions/RateLimitOperationFilter.cs:76-82`, which
//!   writes them into the OpenAPI document's 200 responses: documentation, not
//!   behaviour.
//! - Rejected by the window: `429`, empty body, `X-RateLimit-Limit` (the permit
//!   limit) and `X-RateLimit-Remaining: 0` (`max(limit - count, 0)`, the count being
//!   the limit). The sliding-window lease offers no other metadata
//!   (`RedisSlidingWindowRateLimiter.cs:118-150`), so no `X-RateLimit-Reset` and no
//!   `Retry-After`. Its Lua script adds a request to the window only when it admits
//!   it (`RedisSlidingWindowManager.cs:16-43`): rejections do not count.
//! - Rejected by a concurrency cap: the same two headers, the cap as the limit
//!   (`RedisConcurrencyRateLimiter.cs:257-292`).
//! - Rejected by the daily write cap: also `Retry-After` (seconds) and
//!   `X-RateLimit-Reset` (when the window closes) (`RedisFixedWindowRateLimiter.cs:113-157`).
//!
//! The chain hands `OnRejected` the failing limiter's own lease
//! (`ChainedPartitionedRateLimiter` in System.Threading.RateLimiting), so each
//! rejection carries only its own limit's headers.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::http::Method;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::auth::UserId;

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
    /// Turns the server's limiter on: at most this many requests in any sliding
    /// window of one second (the server counts 1,500 per minute; a rate below 1 is
    /// one request per `1 / rate` seconds). The concurrency caps (50 GETs, 15 other
    /// requests in flight) and the daily write cap apply too. Admitted requests carry
    /// no rate-limit header; a rejection is an empty `429` with only
    /// `X-RateLimit-Limit` and `X-RateLimit-Remaining: 0`.
    pub rate_limit_per_sec: Option<f64>,
    /// The server's own shape: at most this many requests per user in any sliding
    /// window of 60 s (1,500 on the server, `RateLimiterSettings.cs:38-49`), with the
    /// concurrency caps and the daily write cap. Rejections as for
    /// `rate_limit_per_sec`; both may be set.
    pub rate_limit_per_min: Option<u64>,
    /// Time between a get-or-create's read of the primary link and its write, which
    /// the server does not hold a lock across (`FileStorageService.cs:3989-4022`):
    /// two racing `GET`/`POST .../link` then both create. 0: the two steps are only
    /// a task switch apart.
    pub create_gap_ms: u64,
    /// POST and PUT requests allowed per day, counted from the first one; a rejection
    /// also carries `Retry-After` and `X-RateLimit-Reset`. Unset: the server's 10,000
    /// while `rate_limit_per_sec` is set, otherwise no cap.
    pub daily_write_limit: Option<u64>,
    /// Share of API connections closed without an answer.
    pub drop_rate: f64,
    pub seed: u64,
    /// Hostile: link entries come without `title` (in `sharedLink` and `sharedTo`).
    pub omit_link_titles: bool,
    /// Hostile: every 200 answer's envelope says `"status": 1`, which is not data.
    pub envelope_status_one: bool,
}

impl Default for Faults {
    fn default() -> Faults {
        Faults {
            latency_ms: 0,
            error_rate: 0.0,
            error_status: 503,
            rate_limit_per_sec: None,
            rate_limit_per_min: None,
            create_gap_ms: 0,
            daily_write_limit: None,
            drop_rate: 0.0,
            seed: 0,
            omit_link_titles: false,
            envelope_status_one: false,
        }
    }
}

impl Faults {
    /// The hostile shapes are read by the handlers, not by [`FaultEngine::judge`].
    fn is_quiet(&self) -> bool {
        self.latency_ms == 0
            && self.error_rate <= 0.0
            && !self.limited()
            && self.daily_write_limit.is_none()
            && self.drop_rate <= 0.0
    }

    fn limited(&self) -> bool {
        self.rate_limit_per_sec.is_some() || self.rate_limit_per_min.is_some()
    }

    fn daily_cap(&self) -> Option<u64> {
        self.daily_write_limit
            .or(self.limited().then_some(DEFAULT_DAILY_WRITES))
    }
}

/// The server's concurrency caps per user: the excess is rejected at once, not queued.
const MAX_PARALLEL_GETS: usize = 50;
const MAX_PARALLEL_WRITES: usize = 15;
/// `RateLimiterSettings.DailyWriteLimit`.
const DEFAULT_DAILY_WRITES: u64 = 10_000;
const A_DAY: Duration = Duration::from_secs(24 * 3600);

/// What the `X-RateLimit-*` and `Retry-After` headers say; `None` is no header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateHeaders {
    pub(crate) limit: u64,
    pub(crate) remaining: u64,
    pub(crate) reset: Option<u64>,
    pub(crate) retry_after: Option<u64>,
}

/// The per-minute sliding window, scaled to `limit` requests per `window`: a log of
/// the admitted requests still inside it, as the server's Redis sorted set keeps.
#[derive(Debug)]
pub(crate) struct SlidingWindow {
    limit: usize,
    window: Duration,
    admitted: VecDeque<Instant>,
}

impl SlidingWindow {
    /// `limit` requests in any 60 s, the server's window.
    pub(crate) fn per_minute(limit: u64) -> SlidingWindow {
        let limit = limit.max(1) as usize;
        SlidingWindow {
            limit,
            window: Duration::from_secs(60),
            admitted: VecDeque::with_capacity(limit.min(4096)),
        }
    }

    pub(crate) fn new(rate_per_sec: f64) -> SlidingWindow {
        let rate = rate_per_sec.max(0.001);
        let limit = rate.floor().max(1.0);
        SlidingWindow {
            limit: limit as usize,
            window: Duration::from_secs_f64(limit / rate),
            admitted: VecDeque::with_capacity(limit as usize),
        }
    }

    /// Admits a request or rejects it with the window's headers. An admitted request
    /// learns nothing: the server writes rate-limit headers only on a rejection.
    pub(crate) fn take(&mut self, now: Instant) -> Result<(), RateHeaders> {
        while self
            .admitted
            .front()
            .is_some_and(|&t| t + self.window <= now)
        {
            self.admitted.pop_front();
        }
        if self.admitted.len() >= self.limit {
            return Err(RateHeaders {
                limit: self.limit as u64,
                remaining: 0,
                reset: None,
                retry_after: None,
            });
        }
        self.admitted.push_back(now);
        Ok(())
    }
}

/// The daily POST/PUT cap: a fixed window opened by the first write.
#[derive(Debug)]
pub(crate) struct DailyWrites {
    limit: u64,
    used: u64,
    /// When the window closes, on the monotonic clock and as a Unix time.
    ends: Option<(Instant, SystemTime)>,
}

impl DailyWrites {
    pub(crate) fn new(limit: u64) -> DailyWrites {
        DailyWrites {
            limit,
            used: 0,
            ends: None,
        }
    }

    /// A rejection says when the window closes, as the fixed-window limiter's lease
    /// does: `Retry-After` in seconds from now, `X-RateLimit-Reset` as a Unix time.
    pub(crate) fn take(&mut self, now: Instant, wall: SystemTime) -> Result<(), RateHeaders> {
        let (end, wall_end) = match self.ends {
            Some((end, wall_end)) if end > now => (end, wall_end),
            _ => {
                self.used = 0;
                let ends = (now + A_DAY, wall + A_DAY);
                self.ends = Some(ends);
                ends
            }
        };
        if self.used < self.limit {
            self.used += 1;
            return Ok(());
        }
        Err(RateHeaders {
            limit: self.limit,
            remaining: 0,
            reset: Some(
                wall_end
                    .duration_since(UNIX_EPOCH)
                    .unwrap_or_default()
                    .as_secs(),
            ),
            retry_after: Some((end - now).as_secs_f64().ceil() as u64),
        })
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
        slot: Option<Slot>,
    },
    Throttle(RateHeaders),
}

pub(crate) struct FaultEngine {
    /// Lets the common, fault-free case skip the lock.
    active: AtomicBool,
    omit_link_titles: AtomicBool,
    envelope_status_one: AtomicBool,
    create_gap_ms: AtomicU64,
    inner: Mutex<Inner>,
}

struct Inner {
    faults: Faults,
    rng: SmallRng,
    /// One set of limiters per partition: a user, or (`None`) the address every
    /// caller without a known key comes from.
    partitions: HashMap<Option<UserId>, Limiters>,
}

/// The server's chain for one partition (`BaseStartup.cs:191-412`).
struct Limiters {
    windows: Vec<SlidingWindow>,
    daily: Option<DailyWrites>,
    gets: Arc<AtomicUsize>,
    writes: Arc<AtomicUsize>,
}

impl Limiters {
    fn new(faults: &Faults) -> Limiters {
        Limiters {
            windows: faults
                .rate_limit_per_sec
                .map(SlidingWindow::new)
                .into_iter()
                .chain(faults.rate_limit_per_min.map(SlidingWindow::per_minute))
                .collect(),
            daily: faults.daily_cap().map(DailyWrites::new),
            gets: Arc::new(AtomicUsize::new(0)),
            writes: Arc::new(AtomicUsize::new(0)),
        }
    }
}

impl FaultEngine {
    pub(crate) fn new(faults: Faults) -> FaultEngine {
        let engine = FaultEngine {
            active: AtomicBool::new(false),
            omit_link_titles: AtomicBool::new(false),
            envelope_status_one: AtomicBool::new(false),
            create_gap_ms: AtomicU64::new(0),
            inner: Mutex::new(Inner {
                faults: Faults::default(),
                rng: SmallRng::seed_from_u64(0),
                partitions: HashMap::new(),
            }),
        };
        engine.set(faults);
        engine
    }

    /// Replaces every setting and restarts the generator and the limiters.
    pub(crate) fn set(&self, faults: Faults) {
        let mut inner = self.lock();
        self.active.store(!faults.is_quiet(), Ordering::Release);
        self.omit_link_titles
            .store(faults.omit_link_titles, Ordering::Release);
        self.envelope_status_one
            .store(faults.envelope_status_one, Ordering::Release);
        self.create_gap_ms
            .store(faults.create_gap_ms, Ordering::Release);
        inner.rng = SmallRng::seed_from_u64(faults.seed);
        inner.partitions.clear();
        inner.faults = faults;
    }

    pub(crate) fn current(&self) -> Faults {
        self.lock().faults.clone()
    }

    pub(crate) fn omit_link_titles(&self) -> bool {
        self.omit_link_titles.load(Ordering::Acquire)
    }

    pub(crate) fn create_gap(&self) -> Duration {
        Duration::from_millis(self.create_gap_ms.load(Ordering::Acquire))
    }

    pub(crate) fn envelope_status_one(&self) -> bool {
        self.envelope_status_one.load(Ordering::Acquire)
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

    /// `partition` is the caller's user, `None` for a caller without a known key.
    pub(crate) fn judge(&self, method: &Method, partition: Option<UserId>) -> Verdict {
        if !self.active.load(Ordering::Acquire) {
            return Verdict::Serve {
                latency: Duration::ZERO,
                error: None,
                slot: None,
            };
        }
        let mut inner = self.lock();
        let inner = &mut *inner;
        let (now, wall) = (Instant::now(), SystemTime::now());
        let latency = Duration::from_millis(inner.faults.latency_ms);
        let limiters = inner
            .partitions
            .entry(partition)
            .or_insert_with(|| Limiters::new(&inner.faults));
        let mut slot = None;
        if inner.faults.limited() {
            for window in &mut limiters.windows {
                if let Err(rejected) = window.take(now) {
                    return Verdict::Throttle(rejected);
                }
            }
            let (counter, cap) = if method == Method::GET {
                (&limiters.gets, MAX_PARALLEL_GETS)
            } else {
                (&limiters.writes, MAX_PARALLEL_WRITES)
            };
            if counter.fetch_add(1, Ordering::AcqRel) >= cap {
                counter.fetch_sub(1, Ordering::AcqRel);
                return Verdict::Throttle(RateHeaders {
                    limit: cap as u64,
                    remaining: 0,
                    reset: None,
                    retry_after: None,
                });
            }
            slot = Some(Slot(Arc::clone(counter)));
        }
        if matches!(*method, Method::POST | Method::PUT)
            && let Some(daily) = limiters.daily.as_mut()
            && let Err(rejected) = daily.take(now, wall)
        {
            return Verdict::Throttle(rejected);
        }
        let error_rate = inner.faults.error_rate;
        let error = (error_rate > 0.0 && inner.rng.random_bool(error_rate.min(1.0)))
            .then_some(inner.faults.error_status);
        Verdict::Serve {
            latency,
            error,
            slot,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_admits_its_limit_then_rejects_until_the_oldest_leaves() {
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        let mut window = SlidingWindow::new(2.0);
        assert_eq!(window.take(at(0)), Ok(()));
        assert_eq!(window.take(at(500)), Ok(()));
        // The rejection says the limit and nothing left, and nothing of when.
        assert_eq!(
            window.take(at(900)),
            Err(RateHeaders {
                limit: 2,
                remaining: 0,
                reset: None,
                retry_after: None
            })
        );
        // The first request left the window; the second is still in it, and the
        // rejected one was never counted.
        assert_eq!(window.take(at(1000)), Ok(()));
        assert!(window.take(at(1100)).is_err());
        assert_eq!(window.take(at(1500)), Ok(()));
    }

    #[test]
    fn slow_rates_widen_the_window() {
        let t0 = Instant::now();
        let mut window = SlidingWindow::new(0.25);
        assert!(window.take(t0).is_ok());
        assert!(window.take(t0 + Duration::from_millis(3900)).is_err());
        assert!(window.take(t0 + Duration::from_secs(4)).is_ok());
    }

    #[test]
    fn admitted_requests_carry_no_rate_headers_and_rejections_only_theirs() {
        let engine = FaultEngine::new(Faults {
            rate_limit_per_sec: Some(1.0),
            ..Faults::default()
        });
        let Verdict::Serve { .. } = engine.judge(&Method::GET, Some(0)) else {
            panic!("the first request was throttled")
        };
        match engine.judge(&Method::GET, Some(0)) {
            Verdict::Throttle(h) => assert_eq!(
                h,
                RateHeaders {
                    limit: 1,
                    remaining: 0,
                    reset: None,
                    retry_after: None
                }
            ),
            Verdict::Serve { .. } => panic!("the second request in the second was served"),
        }
    }

    #[test]
    fn the_daily_cap_says_when_its_window_closes() {
        let t0 = Instant::now();
        let wall = UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let mut daily = DailyWrites::new(2);
        assert!(daily.take(t0, wall).is_ok());
        let later = Duration::from_secs(3600);
        assert!(daily.take(t0 + later, wall + later).is_ok());
        let rejected = daily
            .take(t0 + later, wall + later)
            .expect_err("third write rejected");
        assert_eq!(
            rejected,
            RateHeaders {
                limit: 2,
                remaining: 0,
                reset: Some(1_800_000_000 + 24 * 3600),
                retry_after: Some(23 * 3600),
            }
        );
        assert!(daily.take(t0 + A_DAY, wall + A_DAY).is_ok(), "a new day");
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
                .map(|_| {
                    matches!(
                        engine.judge(&Method::GET, Some(0)),
                        Verdict::Serve { error: Some(_), .. }
                    )
                })
                .collect()
        };
        let a = draws(&FaultEngine::new(faults.clone()));
        let b = draws(&FaultEngine::new(faults));
        assert_eq!(a, b);
        assert!(a.iter().any(|e| *e) && a.iter().any(|e| !*e));
    }

    #[test]
    fn concurrency_cap_rejects_the_excess_at_once_with_its_own_limit() {
        let engine = FaultEngine::new(Faults {
            rate_limit_per_sec: Some(1000.0),
            ..Faults::default()
        });
        let held: Vec<Verdict> = (0..MAX_PARALLEL_WRITES)
            .map(|_| engine.judge(&Method::PUT, Some(0)))
            .collect();
        assert!(held.iter().all(|v| matches!(v, Verdict::Serve { .. })));
        match engine.judge(&Method::PUT, Some(0)) {
            Verdict::Throttle(h) => assert_eq!((h.limit, h.remaining, h.reset), (15, 0, None)),
            Verdict::Serve { .. } => panic!("the sixteenth write was served"),
        }
        assert!(matches!(
            engine.judge(&Method::GET, Some(0)),
            Verdict::Serve { .. }
        ));
        drop(held);
        assert!(matches!(
            engine.judge(&Method::PUT, Some(0)),
            Verdict::Serve { .. }
        ));
    }

    #[test]
    fn the_daily_cap_counts_posts_and_puts_only() {
        let engine = FaultEngine::new(Faults {
            daily_write_limit: Some(1),
            ..Faults::default()
        });
        assert!(matches!(
            engine.judge(&Method::POST, Some(0)),
            Verdict::Serve { .. }
        ));
        assert!(matches!(
            engine.judge(&Method::GET, Some(0)),
            Verdict::Serve { .. }
        ));
        assert!(matches!(
            engine.judge(&Method::PUT, Some(0)),
            Verdict::Throttle(_)
        ));
    }

    #[test]
    fn the_limiter_brings_the_servers_daily_cap() {
        let limited = Faults {
            rate_limit_per_sec: Some(5.0),
            ..Faults::default()
        };
        assert_eq!(limited.daily_cap(), Some(DEFAULT_DAILY_WRITES));
        assert_eq!(Faults::default().daily_cap(), None);
    }
}
