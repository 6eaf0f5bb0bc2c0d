//! The portal's sliding window, as far as the tool can know it from its own requests.
//!
//! DocSpace admits a request when fewer than `limit` requests it admitted arrived in
//! the last `window`, and says nothing on the requests it admits: only a rejection
//! carries `X-RateLimit-Limit` (see `sim::faults` for where the server does this).
//! So the limit is learnt from the first rejection, and the window is bracketed by
//! what the tool saw happen to its own requests, whose send and answer times it
//! logs (arrival at the server lies between the two):
//!
//! - an admitted request `y` proves `window <= answered(y) - sent(z)`, where `z` is
//!   the `limit`-th latest-sent of the requests certainly admitted and answered
//!   before `y` was sent: had all of those still been in the window when `y`
//!   arrived, `y` would have been turned away (the server counts arrivals, and a
//!   request arrives after it is sent and before it is answered);
//! - a request `y` turned away by the window shows `window > sent(y) - r`, where
//!   `r` is the `limit`-th latest of the times by which the requests sent before it
//!   that the server may have counted had arrived (an answer, or `y`'s own answer
//!   for one still in flight): at least `limit` of them were in the window.
//!
//! A request may then start when fewer than `limit` requests can still be in the
//! window for any window up to the proven upper bound: one in flight counts until its
//! answer, then for a window more. That is never turned away, whatever the latency,
//! as long as nobody else spends the same allowance.
//!
//! Finding the window costs `429`s (which the window does not count), one probe at a
//! time: while no upper bound is proven, probes at a gap growing by [`WIDEN`] until
//! one is admitted; then probes halfway between the two bounds until they are
//! [`CLOSE_IN`] apart. A probe proves something only if the requests before it in the
//! window were spaced by the gap it tries, so it takes the place of the oldest
//! request in the window early while every other request keeps to the proven bound.
//! When the requests before it are bunched (they were sent as fast as the tool could,
//! before the limit was known), that happens once per window; otherwise once per
//! request.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

/// While no window is known to be long enough, each probe waits this many times as
/// long as the longest window already ruled out: a few `429`s to find a window of any
/// length, at the price of waiting up to this factor too long once.
const WIDEN: f64 = 1.3;
/// The gap of the first probe when no window at all is ruled out yet.
pub(super) const FIRST_PROBE: Duration = Duration::from_millis(10);
/// Probing stops once the window proven long enough is at most this much longer than
/// one ruled out: the pace then wastes at most this share of the allowance.
const CLOSE_IN: f64 = 0.01;
/// Requests kept in the log before the limit is known: the first rejection can only
/// be explained by as many requests as the limit.
const LOG_BEFORE_LIMIT: usize = 8192;
/// The log's size once the limit is known: twice the limit, up to this (a window
/// with a larger limit is only ever probed, never proven).
const LOG_MAX: usize = 1 << 16;

/// What became of a request the log holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fate {
    InFlight,
    /// Answered by the portal itself (a 2xx), so certainly counted; arrived by then.
    Admitted(Instant),
    /// May have been counted (no answer, an error page, another limit's `429`);
    /// if it arrived, it did by then.
    Unsure(Instant),
    /// Turned away by the window, which counts no rejection.
    Rejected,
}

#[derive(Clone, Copy, Debug)]
struct Sent {
    id: u64,
    at: Instant,
    fate: Fate,
}

/// How an answer bears on the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Answer {
    /// A 2xx: past every limit.
    Admitted,
    /// Anything that may or may not have been counted.
    Unsure,
    /// A `429` with `X-RateLimit-Limit` and neither `Retry-After` nor a reset.
    Throttled { limit: u64 },
}

/// Whether a request may start now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gate {
    /// Yes; `probe` if it tests a shorter window than the one proven.
    Open { probe: bool },
    /// Not before then (an answer may open it sooner).
    Until(Instant),
    /// Not before an answer comes back.
    News,
}

#[derive(Debug, Default)]
pub(super) struct Mirror {
    limit: Option<u64>,
    /// The window is proven longer than this ...
    longer_than: Duration,
    /// ... and proven no longer than this.
    at_most: Option<Duration>,
    log: VecDeque<Sent>,
    /// The latest instant by which a request dropped from the log that the server
    /// may have counted had arrived: it may still be in the window.
    forgotten: Option<Instant>,
    /// The probe in flight: one at a time, so that a probe turned away costs one 429.
    probe: Option<u64>,
    next_id: u64,
}

impl Mirror {
    pub(super) fn gate(&self, now: Instant) -> Gate {
        let Some(limit) = self.limit else {
            return Gate::Open { probe: false };
        };
        let safe = self.at_most.map(|hi| self.opens(limit, hi, now));
        if let Some(Ok(())) = safe {
            return Gate::Open { probe: false };
        }
        let probe = match (self.probe, self.probe_gap()) {
            (None, Some(w)) => Some(self.opens(limit, w, now)),
            _ => None,
        };
        if let Some(Ok(())) = probe {
            return Gate::Open { probe: true };
        }
        [safe, probe]
            .into_iter()
            .flatten()
            .filter_map(Result::err)
            .flatten()
            .min()
            .map_or(Gate::News, Gate::Until)
    }

    /// Logs a request starting now; the id is for [`Mirror::resolved`].
    pub(super) fn sent(&mut self, now: Instant, probe: bool) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.log.push_back(Sent {
            id,
            at: now,
            fate: Fate::InFlight,
        });
        if probe {
            self.probe = Some(id);
        }
        id
    }

    /// Learns from how request `id` ended. Returns false for a throttle the window
    /// does not explain (another limit's, or one the log cannot account for), which
    /// the caller answers by slowing down.
    pub(super) fn resolved(&mut self, id: u64, now: Instant, answer: Answer) -> bool {
        if self.probe == Some(id) {
            self.probe = None;
        }
        // Ids are consecutive and the log only loses its oldest entries.
        let Some(index) = self
            .log
            .front()
            .and_then(|f| usize::try_from(id.checked_sub(f.id)?).ok())
            .filter(|&i| i < self.log.len())
        else {
            return true;
        };
        let sent = self.log[index].at;
        let explained = match answer {
            Answer::Admitted => {
                self.log[index].fate = Fate::Admitted(now);
                // Once probing is over, requests keep to the bound: they cannot
                // prove a tighter one.
                if self.probe_gap().is_some()
                    && let Some(bound) = self.bound(sent, now)
                {
                    self.proven(bound);
                }
                true
            }
            Answer::Unsure => {
                self.log[index].fate = Fate::Unsure(now);
                true
            }
            Answer::Throttled { limit } if self.limit.is_none_or(|l| l == limit) => {
                self.log[index].fate = Fate::Rejected;
                if self.limit.is_none() {
                    self.limit = Some(limit.max(1));
                    // Admissions before the limit was known prove as much as later ones.
                    if let Some(bound) = self.tightest_bound() {
                        self.proven(bound);
                    }
                }
                self.rejected(sent, now)
            }
            Answer::Throttled { .. } => {
                self.log[index].fate = Fate::Unsure(now);
                false
            }
        };
        self.trim();
        explained
    }

    /// The window the next probe tries, if one is worth sending: while nothing is
    /// proven, [`WIDEN`] times the longest ruled out; then halfway between what is
    /// ruled out and what is proven, until the two are [`CLOSE_IN`] apart.
    fn probe_gap(&self) -> Option<Duration> {
        let lo = self.longer_than;
        let Some(hi) = self.at_most else {
            return Some(lo.mul_f64(WIDEN).max(FIRST_PROBE));
        };
        let close = hi.mul_f64(1.0 - CLOSE_IN);
        (close > lo).then(|| ((lo + hi) / 2).min(close))
    }

    /// Whether fewer than `limit` requests can be in a window of `window` for a
    /// request starting now; if not, when that changes (`None`: only an answer can).
    fn opens(&self, limit: u64, window: Duration, now: Instant) -> Result<(), Option<Instant>> {
        let mut in_flight = 0usize;
        let mut leave: Vec<Instant> = Vec::new();
        for s in &self.log {
            match s.fate {
                Fate::InFlight => in_flight += 1,
                Fate::Admitted(t) | Fate::Unsure(t) if t + window > now => leave.push(t + window),
                _ => {}
            }
        }
        let forgotten = self.forgotten.map(|t| t + window).filter(|t| *t > now);
        let room = usize::try_from(limit).unwrap_or(usize::MAX);
        let busy = in_flight + leave.len();
        if busy < room && forgotten.is_none() {
            return Ok(());
        }
        // This many must leave the window first.
        let must_leave = (busy + 1).saturating_sub(room);
        let ready = if must_leave == 0 {
            now
        } else if must_leave > leave.len() {
            return Err(None);
        } else {
            *leave.select_nth_unstable(must_leave - 1).1
        };
        Err(Some(ready.max(forgotten.unwrap_or(ready))))
    }

    /// What an admission, sent at `sent` and answered at `answered`, proves of the
    /// window's length (see the module's doc).
    fn bound(&self, sent: Instant, answered: Instant) -> Option<Duration> {
        let l = usize::try_from(self.limit?).unwrap_or(usize::MAX);
        let mut before: Vec<Instant> = self
            .log
            .iter()
            .filter_map(|s| match s.fate {
                Fate::Admitted(a) if a < sent => Some(s.at),
                _ => None,
            })
            .collect();
        if before.len() < l {
            return None;
        }
        let k = before.len() - l;
        Some(answered.saturating_duration_since(*before.select_nth_unstable(k).1))
    }

    /// The tightest bound every admission in the log proves, in one pass: for the
    /// log kept while the limit was unknown.
    fn tightest_bound(&self) -> Option<Duration> {
        let l = usize::try_from(self.limit?).unwrap_or(usize::MAX);
        let mut by_answer: Vec<(Instant, Instant)> = self
            .log
            .iter()
            .filter_map(|s| match s.fate {
                Fate::Admitted(answered) => Some((answered, s.at)),
                _ => None,
            })
            .collect();
        let mut by_send = by_answer.clone();
        by_send.sort_unstable_by_key(|&(_, sent)| sent);
        by_answer.sort_unstable_by_key(|&(answered, _)| answered);
        // The `l` latest sends among the admissions answered so far, earliest on top.
        let mut latest = BinaryHeap::new();
        let mut answered_before = by_answer.iter().peekable();
        let mut best: Option<Duration> = None;
        for &(answered, sent) in &by_send {
            while let Some(&&(a, s)) = answered_before.peek() {
                if a >= sent {
                    break;
                }
                latest.push(Reverse(s));
                if latest.len() > l {
                    latest.pop();
                }
                answered_before.next();
            }
            if latest.len() == l
                && let Some(Reverse(oldest)) = latest.peek()
            {
                let bound = answered.saturating_duration_since(*oldest);
                best = Some(best.map_or(bound, |b| b.min(bound)));
            }
        }
        best
    }

    /// Keeps an upper bound if it is tighter than the one known. One at or below the
    /// floor shows the floor too high (it is an estimate, the bound a proof): the
    /// search is over.
    fn proven(&mut self, bound: Duration) {
        if self.at_most.is_some_and(|hi| bound >= hi) {
            return;
        }
        self.at_most = Some(bound);
        let closed = bound.mul_f64(1.0 - CLOSE_IN);
        if self.longer_than > closed {
            self.longer_than = closed;
        }
    }

    /// Learns from a request sent at `sent` that the window turned away, answered
    /// `now`. False when the tool's own requests cannot account for it: too few of
    /// them for a full window, or a floor past the proven bound (somebody else
    /// spends the same allowance, or the limit is not what was learnt).
    ///
    /// Only requests sent before it are taken to have arrived before it. That makes
    /// the floor an estimate rather than a proof when the network reorders requests,
    /// which is harmless: the floor only steers probes and tells when to stop
    /// probing, while every request that is not a probe keeps to the proven bound.
    fn rejected(&mut self, sent: Instant, now: Instant) -> bool {
        let Some(limit) = self.limit else {
            return false;
        };
        let l = usize::try_from(limit).unwrap_or(usize::MAX);
        let mut arrived_by: Vec<Instant> = self
            .log
            .iter()
            .filter(|s| s.at < sent)
            .filter_map(|s| match s.fate {
                Fate::InFlight => Some(now),
                Fate::Admitted(t) | Fate::Unsure(t) => Some(t.min(now)),
                Fate::Rejected => None,
            })
            .collect();
        let nth = (arrived_by.len() >= l).then(|| {
            let k = arrived_by.len() - l;
            *arrived_by.select_nth_unstable(k).1
        });
        // Requests the log forgot may be among the `limit` latest.
        let Some(latest_full) = nth.into_iter().chain(self.forgotten).max() else {
            return false;
        };
        let floor = sent.saturating_duration_since(latest_full);
        if self.at_most.is_some_and(|hi| floor >= hi) {
            return false;
        }
        if floor > self.longer_than {
            self.longer_than = floor;
        }
        true
    }

    /// Forgets the oldest answered requests past what can still matter: the latest
    /// `limit` of them, and as many again for the proofs.
    fn trim(&mut self) {
        let keep = self.limit.map_or(LOG_BEFORE_LIMIT, |l| {
            usize::try_from(l)
                .unwrap_or(usize::MAX)
                .saturating_mul(2)
                .saturating_add(64)
                .min(LOG_MAX)
        });
        while self.log.len() > keep {
            let Some(front) = self.log.front() else { break };
            match front.fate {
                Fate::InFlight => break,
                Fate::Admitted(t) | Fate::Unsure(t) => {
                    self.forgotten = Some(self.forgotten.map_or(t, |f| f.max(t)));
                }
                Fate::Rejected => {}
            }
            self.log.pop_front();
        }
    }
}

#[cfg(test)]
#[path = "window_tests.rs"]
mod tests;
