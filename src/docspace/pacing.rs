//! Staying under the portal's rate limits instead of bouncing off them
//! (docspace-api.md 4): requests are spaced out from the server's own
//! `X-RateLimit-*` signals, a `429`'s `Retry-After` pauses everyone, not just
//! the request that got it, and a bare `429` (the per-minute and concurrency
//! limits send neither `Retry-After` nor `X-RateLimit-Reset`) slows everyone down.
//!
//! Whatever a header says, no wait it causes is longer than [`MAX_SERVER_WAIT`]: a
//! broken or hostile proxy can send `Retry-After: 100000` or a reset a year ahead.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

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

/// Spaces request starts. Cheap to call: one short lock; the caller sleeps.
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
    /// Requests the tool may have in flight; the server's `Remaining` does not count
    /// them yet, so they are held back from it.
    in_flight_cap: u64,
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
            }),
            in_flight_cap: in_flight_cap as u64,
        }
    }

    /// Takes the next turn to start a request: the instant to start at, which the
    /// caller sleeps until. When that is more than `limit` away the turn is not
    /// taken and the wait it would need is returned instead.
    pub fn take_turn(&self, limit: Duration) -> Result<Instant, Duration> {
        let mut s = self.state.lock().expect("pacer lock");
        let now = Instant::now();
        let mut start = now.max(s.next_start);
        if let Some(reset) = s.window_reset {
            if reset <= now {
                s.window_reset = None;
            } else {
                // The whole allowance is back then: spreading further is waste.
                start = start.min(reset);
            }
        }
        if let Some(p) = s.paused_until {
            if p > start {
                start = p;
            } else if p <= now {
                s.paused_until = None;
            }
        }
        let wait = start - now;
        if wait > limit {
            return Err(wait);
        }
        s.next_start = start + s.interval.max(s.penalty);
        Ok(start)
    }

    /// Everyone waits `delay` (a `Retry-After`), at most [`MAX_SERVER_WAIT`].
    pub fn pause(&self, delay: Duration) {
        let until = Instant::now() + delay.min(MAX_SERVER_WAIT);
        let mut s = self.state.lock().expect("pacer lock");
        if s.paused_until.is_none_or(|p| p < until) {
            s.paused_until = Some(until);
        }
        if s.next_start < until {
            s.next_start = until;
        }
    }

    /// A `429` that said nothing about how long to wait, or a portal failing
    /// attempt after attempt: start requests further apart, for everyone.
    pub fn back_off(&self) {
        let now = Instant::now();
        let mut s = self.state.lock().expect("pacer lock");
        if s.last_penalty
            .is_some_and(|t| now < t + PENALTY_REACT_EVERY)
        {
            return;
        }
        s.last_penalty = Some(now);
        s.penalty = (s.penalty * 2).clamp(PENALTY_MIN, PENALTY_MAX);
        let penalty = s.penalty;
        if s.next_start < now + penalty {
            s.next_start = now + penalty;
        }
    }

    /// A request went through: the spacing bare `429`s imposed fades, an eighth at
    /// a time, so the pace finds its way back up.
    pub fn relax(&self) {
        let mut s = self.state.lock().expect("pacer lock");
        if s.penalty.is_zero() {
            return;
        }
        let penalty = s.penalty;
        s.penalty = penalty - penalty / 8;
        if s.penalty < PENALTY_MIN / 4 {
            s.penalty = Duration::ZERO;
        }
    }

    /// Learns from a response's `X-RateLimit-Limit`, `-Remaining` and `-Reset`.
    pub fn observe(&self, headers: &HeaderMap) {
        let (Some(remaining), Some(reset)) = (
            header_u64(headers, "x-ratelimit-remaining"),
            header_u64(headers, "x-ratelimit-reset").map(Reset::from_header),
        ) else {
            return;
        };
        let limit = header_u64(headers, "x-ratelimit-limit");
        let interval = spacing(remaining, limit, reset, self.in_flight_cap);
        let mut s = self.state.lock().expect("pacer lock");
        s.interval = interval;
        s.window_reset = match reset {
            Reset::Window(until) if !interval.is_zero() => Some(Instant::now() + until),
            _ => None,
        };
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
mod tests {
    use super::*;

    #[test]
    fn no_spacing_while_the_allowance_is_large() {
        let reset = Reset::Window(Duration::from_secs(60));
        assert_eq!(spacing(1000, Some(1500), reset, 16), Duration::ZERO);
    }

    #[test]
    fn a_low_window_allowance_is_spread_until_the_reset() {
        let reset = Reset::Window(Duration::from_secs(1));
        assert_eq!(
            spacing(10, Some(1500), reset, 16),
            Duration::from_millis(500)
        );
        assert_eq!(
            spacing(30, Some(1500), reset, 16),
            Duration::from_secs(1) / 22
        );
    }

    #[test]
    fn a_refilling_allowance_runs_just_under_its_rate() {
        let gap = spacing(20, Some(100), Reset::Refill(Duration::from_secs(1)), 16);
        let rate = 1.0 / gap.as_secs_f64();
        assert!((94.0..=96.0).contains(&rate), "{rate}");
        // A reset of 0 s (rounded down) still means about a second's worth.
        assert_eq!(
            gap,
            spacing(20, Some(100), Reset::Refill(Duration::ZERO), 16)
        );
    }

    #[test]
    fn reset_accepts_timestamps_and_deltas() {
        assert_eq!(Reset::from_header(5), Reset::Refill(Duration::from_secs(5)));
        let soon = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 30;
        let Reset::Window(d) = Reset::from_header(soon) else {
            panic!("a timestamp is a window reset")
        };
        assert!(
            d > Duration::from_secs(28) && d <= Duration::from_secs(31),
            "{d:?}"
        );
    }

    #[test]
    fn a_reset_is_read_as_the_wait_it_asks_for() {
        let year = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 365 * 86400;
        let h = headers(&[("x-ratelimit-reset", year.to_string())]);
        let wait = reset_after(&h).unwrap();
        assert!(wait > Duration::from_secs(364 * 86400), "{wait:?}");
        let h = headers(&[("x-ratelimit-reset", "7".into())]);
        assert_eq!(reset_after(&h), Some(Duration::from_secs(7)));
        assert_eq!(reset_after(&HeaderMap::new()), None);
    }

    #[test]
    fn retry_after_is_read_as_asked() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "86400".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(86400)));
        h.insert("retry-after", "junk".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    fn headers(pairs: &[(&'static str, String)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    /// Starts `n` turns with no limit and returns how far the last is from now.
    fn queue(pacer: &Pacer, n: usize) -> Duration {
        let now = Instant::now();
        let mut last = now;
        for _ in 0..n {
            last = pacer.take_turn(Duration::MAX).unwrap();
        }
        last - now
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_back_every_later_request() {
        let pacer = Pacer::new(4);
        pacer.pause(Duration::from_secs(3));
        let start = pacer.take_turn(Duration::MAX).unwrap();
        assert!(start - Instant::now() >= Duration::from_secs(3));
    }

    #[tokio::test(start_paused = true)]
    async fn no_header_pauses_anyone_longer_than_the_cap() {
        let pacer = Pacer::new(4);
        pacer.pause(Duration::from_secs(100_000));
        let start = pacer.take_turn(Duration::MAX).unwrap();
        assert_eq!(start - Instant::now(), MAX_SERVER_WAIT);

        // A reset a year ahead with nothing left: spread over at most the cap.
        let pacer = Pacer::new(4);
        let year = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 365 * 86400;
        pacer.observe(&headers(&[
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-reset", year.to_string()),
        ]));
        assert!(queue(&pacer, 50) <= MAX_SERVER_WAIT);
        // A delta reset just under a year (read as a refill) is capped the same way.
        let pacer = Pacer::new(4);
        pacer.observe(&headers(&[
            ("x-ratelimit-remaining", "0".into()),
            ("x-ratelimit-limit", "1".into()),
            ("x-ratelimit-reset", (364 * 86400).to_string()),
        ]));
        let gap = queue(&pacer, 2);
        assert!(gap <= MAX_SERVER_WAIT * 2, "{gap:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_turn_further_away_than_the_limit_is_not_taken() {
        let pacer = Pacer::new(4);
        pacer.pause(Duration::from_secs(10));
        assert_eq!(
            pacer.take_turn(Duration::from_secs(5)),
            Err(Duration::from_secs(10))
        );
        // Refusing took no turn: the next caller is not pushed back by it.
        let start = pacer.take_turn(Duration::from_secs(10)).unwrap();
        assert_eq!(start - Instant::now(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn a_window_allowance_is_spread_but_never_past_its_reset() {
        let pacer = Pacer::new(16);
        let reset = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 30;
        pacer.observe(&headers(&[
            ("x-ratelimit-remaining", "10".into()),
            ("x-ratelimit-limit", "1500".into()),
            ("x-ratelimit-reset", reset.to_string()),
        ]));
        // Two usable requests over ~30 s: the third and later wait for the reset,
        // not for 15 s more each.
        let last = queue(&pacer, 16);
        assert!(last <= Duration::from_secs(31), "{last:?}");
        assert!(last >= Duration::from_secs(28), "{last:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn bare_429s_slow_everyone_down_then_fade() {
        let pacer = Pacer::new(4);
        assert_eq!(queue(&pacer, 10), Duration::ZERO);
        pacer.back_off();
        // Parallel requests bouncing together count once.
        pacer.back_off();
        pacer.back_off();
        let first = queue(&pacer, 3);
        assert!(
            first >= PENALTY_MIN * 2 && first <= PENALTY_MIN * 3,
            "{first:?}"
        );
        tokio::time::advance(PENALTY_REACT_EVERY).await;
        pacer.back_off();
        tokio::time::advance(Duration::from_secs(1)).await;
        let now = Instant::now();
        pacer.take_turn(Duration::MAX).unwrap();
        let gap = pacer.take_turn(Duration::MAX).unwrap() - now;
        assert_eq!(gap, PENALTY_MIN * 2);
        // Repeated bare 429s never space starts more than the cap.
        for _ in 0..20 {
            tokio::time::advance(PENALTY_REACT_EVERY).await;
            pacer.back_off();
        }
        tokio::time::advance(Duration::from_secs(2)).await;
        let now = Instant::now();
        pacer.take_turn(Duration::MAX).unwrap();
        assert_eq!(pacer.take_turn(Duration::MAX).unwrap() - now, PENALTY_MAX);
        // Successes bring the pace back.
        for _ in 0..64 {
            pacer.relax();
        }
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(queue(&pacer, 10), Duration::ZERO);
    }
}
