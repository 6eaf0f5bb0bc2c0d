//! Staying under the portal's rate limits instead of bouncing off them
//! (docspace-api.md 4): requests are spaced out from the server's own
//! `X-RateLimit-*` signals, and a `429`'s `Retry-After` pauses everyone, not just
//! the request that got it.

use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// Spaces request starts. Cheap to call: one short lock, then a sleep outside it.
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
    interval: Duration,
    paused_until: Option<Instant>,
}

impl Pacer {
    pub fn new(in_flight_cap: usize) -> Self {
        Pacer {
            state: Mutex::new(State {
                next_start: Instant::now(),
                interval: Duration::ZERO,
                paused_until: None,
            }),
            in_flight_cap: in_flight_cap as u64,
        }
    }

    /// Waits until this request may start.
    pub async fn wait_turn(&self) {
        let start = {
            let mut s = self.state.lock().expect("pacer lock");
            let now = Instant::now();
            let mut start = now.max(s.next_start);
            if let Some(p) = s.paused_until {
                if p > start {
                    start = p;
                } else {
                    s.paused_until = None;
                }
            }
            s.next_start = start + s.interval;
            start
        };
        // Sleeping until an instant already past still waits for a timer tick.
        if start > Instant::now() {
            tokio::time::sleep_until(start).await;
        }
    }

    /// Everyone waits `delay` (a `Retry-After`).
    pub fn pause(&self, delay: Duration) {
        let until = Instant::now() + delay;
        let mut s = self.state.lock().expect("pacer lock");
        if s.paused_until.is_none_or(|p| p < until) {
            s.paused_until = Some(until);
        }
        if s.next_start < until {
            s.next_start = until;
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
        self.state.lock().expect("pacer lock").interval = interval;
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
        const A_YEAR: u64 = 365 * 24 * 3600;
        if value > A_YEAR {
            let now = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs_f64();
            Reset::Window(Duration::from_secs_f64(
                (value as f64 - now).clamp(0.0, 3600.0),
            ))
        } else {
            Reset::Refill(Duration::from_secs(value))
        }
    }
}

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

/// `Retry-After` in seconds (the only form DocSpace sends), capped so a hostile or
/// broken header cannot park the tool for a day.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    header_u64(headers, "retry-after").map(|s| Duration::from_secs(s.min(120)))
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
    fn retry_after_is_capped() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "86400".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(120)));
        h.insert("retry-after", "junk".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_back_every_later_request() {
        let pacer = Pacer::new(4);
        pacer.pause(Duration::from_secs(3));
        let before = Instant::now();
        pacer.wait_turn().await;
        assert!(Instant::now() - before >= Duration::from_secs(3));
    }
}
