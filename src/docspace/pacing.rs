//! Staying under the portal's rate limits instead of bouncing off them
//! (docspace-api.md 4).
//!
//! DocSpace says nothing about its limits on the requests it admits: only a `429`
//! carries `X-RateLimit-Limit` and `X-RateLimit-Remaining: 0`, and the per-minute and
//! concurrency limits' `429`s carry neither `Retry-After` nor `X-RateLimit-Reset`
//! (the server's source, as `sim::faults` quotes it). So no client can meet an unknown
//! limit without being turned away once: up to the first `429` a limited portal
//! answers exactly as an unlimited one does. From that `429` on, the pacer mirrors
//! the server's sliding window (`pacing/window.rs`): it learns the limit from the
//! header and the window's length from which of its own requests were admitted, and
//! starts a request only when the window certainly has room for it.
//!
//! Besides: a `Retry-After` pauses everyone, not just the request that got it; a
//! `429` the window does not explain (no limit header, or another limit's) slows
//! everyone down; and a portal that sends `X-RateLimit-Remaining` and `-Reset` on its
//! answers (a proxy in front, another server) is paced by them.
//!
//! Whatever a header says, no wait it causes is longer than [`MAX_SERVER_WAIT`]: a
//! broken or hostile proxy can send `Retry-After: 100000` or a reset a year ahead.

mod window;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tokio::sync::Notify;
use tokio::time::Instant;

use window::{Answer, Gate, Mirror};

/// The longest wait any header can cause. DocSpace's windows are a minute long; a
/// longer wait (the daily write cap's) is not worth waiting for in one run.
pub const MAX_SERVER_WAIT: Duration = Duration::from_secs(60);

/// A bare `429` (or a run of failures) spaces request starts at least this much,
/// doubling on each further one ...
const PENALTY_MIN: Duration = Duration::from_millis(50);
/// ... up to this (about 60 requests a minute with the default parallelism)...
const PENALTY_MAX: Duration = Duration::from_secs(1);
/// ... but not more often than this: parallel requests that bounced together are
/// one signal, not sixteen.
const PENALTY_REACT_EVERY: Duration = Duration::from_millis(500);

/// Decides when requests start. Requests take their turns in the order they ask.
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
    /// Wakes the request waiting for its turn when an answer changes what is known.
    news: Notify,
    /// Held by the request whose turn is next.
    queue: tokio::sync::Mutex<()>,
    /// Requests the tool may have in flight; the server's `Remaining` does not count
    /// them yet, so they are held back from it.
    in_flight_cap: u64,
    /// The time turns waited (and, through the transport, retries after a `429`).
    waited: Arc<WaitClock>,
}

/// Wall time during which at least one request waited for the rate limit: the
/// progress lines' "waited for the rate limit". Sixteen requests waiting the same
/// second count one second, not sixteen.
#[derive(Debug, Default)]
pub struct WaitClock {
    state: Mutex<ClockState>,
}

#[derive(Debug, Default)]
struct ClockState {
    waiting: usize,
    since: Option<Instant>,
    total: Duration,
}

/// One wait, counted until it is dropped (however it ends: a turn, a refusal, or
/// the caller giving up on it).
pub struct Waiting<'a> {
    clock: &'a WaitClock,
}

impl WaitClock {
    pub fn enter(&self) -> Waiting<'_> {
        let mut s = self.state.lock().expect("wait clock lock");
        s.waiting += 1;
        if s.waiting == 1 {
            s.since = Some(Instant::now());
        }
        Waiting { clock: self }
    }

    /// The time waited so far, the wait going on now included.
    pub fn total(&self) -> Duration {
        let s = self.state.lock().expect("wait clock lock");
        s.total + s.since.map_or(Duration::ZERO, |t| t.elapsed())
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut s = self.clock.state.lock().expect("wait clock lock");
        s.waiting -= 1;
        if s.waiting == 0
            && let Some(since) = s.since.take()
        {
            s.total += since.elapsed();
        }
    }
}

#[derive(Debug)]
struct State {
    next_start: Instant,
    /// The spacing the `X-RateLimit-*` headers call for.
    interval: Duration,
    /// The spacing bare `429`s have called for; fades with every success.
    penalty: Duration,
    last_penalty: Option<Instant>,
    paused_until: Option<Instant>,
    /// When a window-style allowance comes back whole: no start waits past it.
    window_reset: Option<Instant>,
    mirror: Mirror,
}

/// A request's turn, taken: tell it how the request ended with [`Turn::answered`].
/// Dropped unanswered (no answer came), the request may or may not have counted.
#[must_use = "a turn says how its request ended"]
#[derive(Debug)]
pub struct Turn<'a> {
    pacer: &'a Pacer,
    id: u64,
    settled: bool,
}

impl Turn<'_> {
    /// The portal answered `status` with `headers`.
    pub fn answered(mut self, status: StatusCode, headers: &HeaderMap) {
        self.settled = true;
        self.pacer.answered(self.id, status, headers);
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.pacer.settle(self.id, Answer::Unsure);
        }
    }
}

impl Pacer {
    pub fn new(in_flight_cap: usize) -> Self {
        Pacer {
            state: Mutex::new(State {
                next_start: Instant::now(),
                interval: Duration::ZERO,
                penalty: Duration::ZERO,
                last_penalty: None,
                paused_until: None,
                window_reset: None,
                mirror: Mirror::default(),
            }),
            news: Notify::new(),
            queue: tokio::sync::Mutex::new(()),
            in_flight_cap: in_flight_cap as u64,
            waited: Arc::default(),
        }
    }

    /// The clock of the time waited for the rate limit, as it grows.
    pub fn waited(&self) -> Arc<WaitClock> {
        Arc::clone(&self.waited)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("pacer lock")
    }

    /// Waits for the turn to start a request, at most `limit` once it is next in line
    /// (waiting behind other requests' turns does not count, as waiting for a
    /// connection slot does not). When the turn is further away than that, fails at
    /// once with the wait it would need; when the wait depends on answers still to
    /// come and `limit` passes, fails with `None`.
    pub async fn turn(&self, limit: Duration) -> Result<Turn<'_>, Option<Duration>> {
        let _next = self.queue.lock().await;
        let deadline = Instant::now().checked_add(limit);
        let mut waiting = None;
        loop {
            let news = self.news.notified();
            tokio::pin!(news);
            // Registered before looking, so an answer in between is not missed.
            news.as_mut().enable();
            let now = Instant::now();
            let until = {
                let mut s = self.lock();
                match s.gate(now) {
                    Gate::Open { probe } => {
                        let id = s.start(now, probe);
                        return Ok(Turn {
                            pacer: self,
                            id,
                            settled: false,
                        });
                    }
                    Gate::Until(t) => Some(t),
                    Gate::News => None,
                }
            };
            if let (Some(t), Some(d)) = (until, deadline)
                && t > d
            {
                return Err(Some(t - now));
            }
            if waiting.is_none() {
                waiting = Some(self.waited.enter());
            }
            match until.or(deadline) {
                Some(t) => tokio::select! {
                    () = tokio::time::sleep_until(t) => {
                        if until.is_none() {
                            return Err(None);
                        }
                    }
                    () = &mut news => {}
                },
                None => news.await,
            }
        }
    }

    /// Everyone waits `delay` (a `Retry-After`), at most [`MAX_SERVER_WAIT`].
    pub fn pause(&self, delay: Duration) {
        self.lock().pause(Instant::now(), delay);
    }

    /// A `429` that said nothing about how long to wait, or a portal failing
    /// attempt after attempt: start requests further apart, for everyone.
    pub fn back_off(&self) {
        self.lock().back_off(Instant::now());
    }

    fn answered(&self, id: u64, status: StatusCode, headers: &HeaderMap) {
        self.observe(headers);
        let answer = if status.is_success() {
            self.lock().relax();
            Answer::Admitted
        } else if status == StatusCode::TOO_MANY_REQUESTS {
            self.throttled(headers)
        } else {
            Answer::Unsure
        };
        self.settle(id, answer);
    }

    /// What a `429` asks: a wait it names pauses everyone (the daily write cap's;
    /// one past [`MAX_SERVER_WAIT`] is left to the request to give up on), a bare
    /// one with a limit is the sliding window's or a concurrency cap's, and one
    /// without even that slows everyone down.
    fn throttled(&self, headers: &HeaderMap) -> Answer {
        if let Some(wait) = retry_after(headers).or_else(|| reset_after(headers)) {
            if wait <= MAX_SERVER_WAIT {
                self.pause(wait);
            }
            return Answer::Unsure;
        }
        match header_u64(headers, "x-ratelimit-limit").filter(|l| *l > 0) {
            Some(limit) => Answer::Throttled { limit },
            None => {
                self.back_off();
                Answer::Unsure
            }
        }
    }

    fn settle(&self, id: u64, answer: Answer) {
        let now = Instant::now();
        let mut s = self.lock();
        if !s.mirror.resolved(id, now, answer) {
            // Not the window's: another limit, or somebody else's requests.
            s.back_off(now);
        }
        drop(s);
        self.news.notify_waiters();
    }

    /// Learns from an answer's `X-RateLimit-Limit`, `-Remaining` and `-Reset`.
    fn observe(&self, headers: &HeaderMap) {
        let (Some(remaining), Some(reset)) = (
            header_u64(headers, "x-ratelimit-remaining"),
            header_u64(headers, "x-ratelimit-reset").map(Reset::from_header),
        ) else {
            return;
        };
        let limit = header_u64(headers, "x-ratelimit-limit");
        let interval = spacing(remaining, limit, reset, self.in_flight_cap);
        let mut s = self.lock();
        s.interval = interval;
        s.window_reset = match reset {
            Reset::Window(until) if !interval.is_zero() => Some(Instant::now() + until),
            _ => None,
        };
    }
}

impl State {
    /// Whether a request may start now: the pauses and spacing first, then the window.
    fn gate(&mut self, now: Instant) -> Gate {
        if self.window_reset.is_some_and(|reset| reset <= now) {
            // The allowance the spacing was spreading is whole again.
            self.window_reset = None;
            self.interval = Duration::ZERO;
            self.next_start = self.next_start.min(now);
        }
        let mut start = now.max(self.next_start);
        if let Some(reset) = self.window_reset {
            // The whole allowance is back then: spreading further is waste.
            start = start.min(reset);
        }
        if let Some(p) = self.paused_until {
            if p > start {
                start = p;
            } else if p <= now {
                self.paused_until = None;
            }
        }
        if start > now {
            return Gate::Until(start);
        }
        self.mirror.gate(now)
    }

    fn start(&mut self, now: Instant, probe: bool) -> u64 {
        self.next_start = now + self.interval.max(self.penalty);
        self.mirror.sent(now, probe)
    }

    fn pause(&mut self, now: Instant, delay: Duration) {
        let until = now + delay.min(MAX_SERVER_WAIT);
        if self.paused_until.is_none_or(|p| p < until) {
            self.paused_until = Some(until);
        }
        if self.next_start < until {
            self.next_start = until;
        }
    }

    fn back_off(&mut self, now: Instant) {
        if self
            .last_penalty
            .is_some_and(|t| now < t + PENALTY_REACT_EVERY)
        {
            return;
        }
        self.last_penalty = Some(now);
        self.penalty = (self.penalty * 2).clamp(PENALTY_MIN, PENALTY_MAX);
        if self.next_start < now + self.penalty {
            self.next_start = now + self.penalty;
        }
    }

    /// A request went through: the spacing bare `429`s imposed fades, an eighth at
    /// a time, so the pace finds its way back up.
    fn relax(&mut self) {
        if self.penalty.is_zero() {
            return;
        }
        let penalty = self.penalty;
        self.penalty = penalty - penalty / 8;
        if self.penalty < PENALTY_MIN / 4 {
            self.penalty = Duration::ZERO;
        }
    }
}

/// What `X-RateLimit-Reset` says. DocSpace documents a Unix timestamp: the moment
/// its sliding window starts afresh. Token-bucket limiters (and proxies) send the
/// seconds until the allowance is whole again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reset {
    /// The allowance comes back all at once, this long from now.
    Window(Duration),
    /// The allowance refills steadily, and is full this long from now.
    Refill(Duration),
}

impl Reset {
    fn from_header(value: u64) -> Reset {
        if value > A_YEAR {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs_f64();
            Reset::Window(Duration::from_secs_f64(
                (value as f64 - now).clamp(0.0, MAX_SERVER_WAIT.as_secs_f64()),
            ))
        } else {
            Reset::Refill(Duration::from_secs(value).min(MAX_SERVER_WAIT))
        }
    }
}

/// `X-RateLimit-Reset` values above this are Unix timestamps, below it deltas.
const A_YEAR: u64 = 365 * 24 * 3600;

/// Share of a refilling allowance the tool aims to use: the rest absorbs timing
/// jitter so that requests are not turned away.
const REFILL_SHARE: f64 = 0.95;

/// The gap between request starts once the allowance runs low enough to matter.
fn spacing(remaining: u64, limit: Option<u64>, reset: Reset, in_flight_cap: u64) -> Duration {
    // Plenty left: full speed. The margin covers requests already in flight, which
    // the server has not counted yet.
    if remaining > 2 * in_flight_cap {
        return Duration::ZERO;
    }
    match reset {
        // Nothing comes back before the reset: spread what is left until then.
        Reset::Window(until) => {
            let usable = remaining.saturating_sub(in_flight_cap / 2).max(1);
            until / u32::try_from(usable).unwrap_or(u32::MAX)
        }
        // `limit` requests come back per `until` (at least the header's one-second
        // resolution): run just under that rate.
        Reset::Refill(until) => match limit {
            Some(limit) if limit > 0 => {
                let period = until.max(Duration::from_secs(1)).as_secs_f64();
                Duration::from_secs_f64(period / (limit as f64 * REFILL_SHARE))
            }
            _ => {
                until.max(Duration::from_secs(1))
                    / u32::try_from(remaining.max(1)).unwrap_or(u32::MAX)
            }
        },
    }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers
        .get(name)?
        .to_str()
        .ok()?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v.ceil() as u64)
}

/// `Retry-After` in seconds (the only form DocSpace sends), as asked: the caller
/// decides whether it can wait that long (and [`Pacer::pause`] caps what it
/// imposes on everyone).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    header_u64(headers, "retry-after").map(Duration::from_secs)
}

/// How long `X-RateLimit-Reset` says it is until the allowance is back, as asked
/// (a timestamp a year ahead is a year). On a `429` without `Retry-After` this is
/// the server's only hint of how long to wait.
pub fn reset_after(headers: &HeaderMap) -> Option<Duration> {
    let value = header_u64(headers, "x-ratelimit-reset")?;
    if value > A_YEAR {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Some(Duration::from_secs(value).saturating_sub(now))
    } else {
        Some(Duration::from_secs(value))
    }
}

#[cfg(test)]
mod tests;
