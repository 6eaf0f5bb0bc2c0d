//! Failing fast on a sick portal, without giving up on a flaky one.
//!
//! Each request retries on its own; without this, a portal answering 503 everywhere
//! costs every one of 2,000 entries its whole retry budget (hours). A circuit
//! breaker with three states:
//! - **closed**: requests go. Portal-level failures (no connection, a timeout, a
//!   dropped answer, 502/503/504, an HTML page where JSON was due) are counted; one
//!   success starts the count again. A DocSpace JSON error (a 500 on one write, a
//!   400, a 404) is that request's failure, never the portal's: it is not counted.
//! - **open**: after failures in a row, requests wait instead of being sent. After
//!   a short wait ([`FIRST_PROBE`], doubling) one read probes the portal.
//! - **half-open**: that probe is in flight. Its success closes the breaker and the
//!   waiting requests go; its failure opens it again, until the portal has been
//!   failing for [`DOWN_AFTER`]: then the run is over, and every request fails at
//!   once with one error that says so.
//!
//! A run whose writes lose their answers (the server acted, the answer was lost)
//! while its reads succeed therefore pauses a second at most, and goes on: the
//! probe read succeeds.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::error::ApiError;

/// Requests in a row that gave up on a portal failure (each after its own retries,
/// or at once for a write whose answer was lost).
const FAILED_REQUESTS: u32 = 5;
/// Failed attempts in a row ...
const FAILED_ATTEMPTS: u32 = 6;
/// ... spread over at least this long with not one success: a blip shorter than
/// this (a proxy restarting) is ridden out by the retries.
const UNWELL_FOR: Duration = Duration::from_secs(2);
/// How long an open breaker waits before its first probe; each failed probe
/// doubles it, up to [`PROBE_EVERY_MAX`].
pub(crate) const FIRST_PROBE: Duration = Duration::from_secs(1);
const PROBE_EVERY_MAX: Duration = Duration::from_secs(4);
/// A portal that has failed every probe for this long is down: the run stops. With
/// the time to open (about [`UNWELL_FOR`]) and the probes' own time, a portal that
/// is down ends the run well within 30 s.
pub(crate) const DOWN_AFTER: Duration = Duration::from_secs(10);

#[derive(Debug)]
pub(crate) struct Breaker {
    state: Mutex<State>,
    /// Bumped on every change of phase: requests waiting at the gate (or sleeping
    /// between attempts) look again.
    changed: watch::Sender<u64>,
}

#[derive(Debug, Default)]
struct State {
    failed_requests: u32,
    failed_attempts: u32,
    unwell_since: Option<Instant>,
    phase: Phase,
    /// The failure that opened the breaker, or the last failed probe's.
    cause: Option<ApiError>,
}

#[derive(Debug, Default, Clone)]
enum Phase {
    #[default]
    Closed,
    Open {
        since: Instant,
        next_probe: Instant,
        every: Duration,
    },
    HalfOpen {
        since: Instant,
        every: Duration,
    },
    /// What every request gets: the run is over.
    Down(ApiError),
}

/// What a request may do now.
#[derive(Debug)]
pub(crate) enum Gate {
    Go,
    /// Send the probe read, then tell [`Breaker::probed`] how it went.
    Probe,
    /// Wait until this instant, or until the phase changes (`None`: until it changes).
    Wait(Option<Instant>),
    Down(ApiError),
}

impl Breaker {
    pub(crate) fn new() -> Self {
        Breaker {
            state: Mutex::default(),
            changed: watch::Sender::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().expect("breaker lock")
    }

    fn bump(&self) {
        self.changed.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The error every request now fails with, once the portal is down.
    pub(crate) fn down(&self) -> Option<ApiError> {
        match &self.lock().phase {
            Phase::Down(e) => Some(e.clone()),
            _ => None,
        }
    }

    /// Whether the breaker is open or probing (for tests and the summary).
    #[cfg(test)]
    fn is_open(&self) -> bool {
        matches!(
            self.lock().phase,
            Phase::Open { .. } | Phase::HalfOpen { .. }
        )
    }

    /// Whether a request may go now. The first request to ask once the probe is due
    /// becomes the probe.
    pub(crate) fn gate(&self) -> Gate {
        let now = Instant::now();
        let mut s = self.lock();
        match s.phase.clone() {
            Phase::Closed => Gate::Go,
            Phase::Down(e) => Gate::Down(e),
            Phase::HalfOpen { .. } => Gate::Wait(None),
            Phase::Open {
                since,
                next_probe,
                every,
            } => {
                if now >= next_probe {
                    s.phase = Phase::HalfOpen { since, every };
                    Gate::Probe
                } else {
                    Gate::Wait(Some(next_probe))
                }
            }
        }
    }

    /// Resolves when the phase changes (a probe ended, the breaker opened or closed).
    /// Subscribed at the call, not at the first poll: a change in between is not
    /// missed.
    pub(crate) fn changed(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut rx = self.changed.subscribe();
        async move {
            let _ = rx.changed().await;
        }
    }

    /// Resolves once the portal is down (at once if it already is).
    pub(crate) async fn went_down(&self) {
        loop {
            let changed = self.changed();
            if self.down().is_some() {
                return;
            }
            changed.await;
        }
    }

    /// The probe ended: `Ok` if the portal answered as a working portal does.
    pub(crate) fn probed(&self, result: Result<(), ApiError>) {
        let now = Instant::now();
        let mut s = self.lock();
        let Phase::HalfOpen { since, every } = s.phase.clone() else {
            return;
        };
        match result {
            Ok(()) => close(&mut s),
            Err(e) => {
                s.phase = if now - since >= DOWN_AFTER {
                    Phase::Down(portal_down(&e))
                } else {
                    let every = (every * 2).min(PROBE_EVERY_MAX);
                    Phase::Open {
                        since,
                        next_probe: now + every,
                        every,
                    }
                };
                s.cause = Some(e);
            }
        }
        drop(s);
        self.bump();
    }

    /// The portal answered as a working portal does: data, or a clear no (404, 403).
    /// An answer that arrives while the breaker is open (a request sent before it
    /// opened) closes it as a probe would.
    pub(crate) fn healthy(&self) {
        let mut s = self.lock();
        let reopen = matches!(s.phase, Phase::Open { .. });
        s.failed_requests = 0;
        s.failed_attempts = 0;
        s.unwell_since = None;
        if reopen {
            close(&mut s);
            drop(s);
            self.bump();
        }
    }

    /// One attempt failed at the portal level. Returns whether it has failed enough
    /// in a row that requests should be slowed down while it is given
    /// [`UNWELL_FOR`] to recover: many entries' first attempts and retries would
    /// otherwise hammer it hundreds of times before the breaker opens.
    pub(crate) fn failed_attempt(&self, error: &ApiError) -> bool {
        let now = Instant::now();
        let mut s = self.lock();
        s.failed_attempts += 1;
        let since = *s.unwell_since.get_or_insert(now);
        let unwell = s.failed_attempts >= FAILED_ATTEMPTS;
        if unwell && now - since >= UNWELL_FOR {
            self.trip(&mut s, error, now);
        }
        unwell
    }

    /// A request gave up on a portal-level failure.
    pub(crate) fn failed_request(&self, error: &ApiError) {
        let mut s = self.lock();
        s.failed_requests += 1;
        if s.failed_requests >= FAILED_REQUESTS {
            self.trip(&mut s, error, Instant::now());
        }
    }

    /// A failure that no retry heals and every request would meet (the host does
    /// not resolve, its certificate is not trusted, it redirects elsewhere): later
    /// requests get the same error without trying.
    pub(crate) fn unreachable(&self, error: &ApiError) {
        let mut s = self.lock();
        if !matches!(s.phase, Phase::Down(_)) {
            s.phase = Phase::Down(error.clone());
            drop(s);
            self.bump();
        }
    }

    /// The run is over for a reason of its own (a wait past the run's budget):
    /// every request fails with `error` at once.
    pub(crate) fn end(&self, error: &ApiError) {
        self.unreachable(error);
    }

    fn trip(&self, s: &mut State, cause: &ApiError, now: Instant) {
        if !matches!(s.phase, Phase::Closed) {
            return;
        }
        s.phase = Phase::Open {
            since: now,
            next_probe: now + FIRST_PROBE,
            every: FIRST_PROBE,
        };
        s.cause = Some(cause.clone());
        self.bump();
    }
}

fn close(s: &mut State) {
    s.phase = Phase::Closed;
    s.failed_requests = 0;
    s.failed_attempts = 0;
    s.unwell_since = None;
    s.cause = None;
}

fn portal_down(cause: &ApiError) -> ApiError {
    match cause {
        ApiError::PortalDown { .. } => cause.clone(),
        _ => ApiError::PortalDown {
            cause: Box::new(cause.clone()),
        },
    }
}

/// A probe that was started and never finished (its request was dropped) must not
/// leave the breaker half-open for good: dropped unsettled, it counts as failed.
pub(crate) struct ProbeGuard<'b> {
    pub(crate) breaker: &'b Breaker,
    pub(crate) settled: bool,
}

impl Drop for ProbeGuard<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.breaker.probed(Err(ApiError::Transport {
                reason: "the probe was not finished".to_owned(),
                attempts: 1,
                request_sent: false,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server_error() -> ApiError {
        ApiError::Server {
            status: 503,
            attempts: 1,
        }
    }

    fn trip(b: &Breaker) {
        for _ in 0..FAILED_REQUESTS {
            b.failed_request(&server_error());
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_run_of_failures_over_time_opens_it() {
        let b = Breaker::new();
        let unwell: Vec<bool> = (0..20).map(|_| b.failed_attempt(&server_error())).collect();
        assert_eq!(
            unwell.iter().position(|u| *u),
            Some(FAILED_ATTEMPTS as usize - 1)
        );
        assert!(!b.is_open(), "a burst at one instant is a blip");
        tokio::time::advance(UNWELL_FOR).await;
        b.failed_attempt(&server_error());
        assert!(b.is_open());
        assert!(matches!(b.gate(), Gate::Wait(Some(_))));
        assert!(b.down().is_none(), "open is not down");
    }

    #[tokio::test(start_paused = true)]
    async fn one_success_starts_the_count_again() {
        let b = Breaker::new();
        for _ in 0..FAILED_ATTEMPTS {
            b.failed_attempt(&server_error());
        }
        for _ in 0..FAILED_REQUESTS - 1 {
            b.failed_request(&server_error());
        }
        tokio::time::advance(UNWELL_FOR).await;
        b.healthy();
        b.failed_attempt(&server_error());
        b.failed_request(&server_error());
        assert!(!b.is_open());
        assert!(matches!(b.gate(), Gate::Go));
    }

    #[tokio::test(start_paused = true)]
    async fn after_a_short_wait_one_probe_goes_and_its_success_closes_it() {
        let b = Breaker::new();
        trip(&b);
        assert!(matches!(b.gate(), Gate::Wait(Some(_))));
        tokio::time::advance(FIRST_PROBE).await;
        assert!(matches!(b.gate(), Gate::Probe));
        // Only one probe: everyone else waits for its outcome.
        assert!(matches!(b.gate(), Gate::Wait(None)));
        let woken = b.changed();
        b.probed(Ok(()));
        woken.await;
        assert!(matches!(b.gate(), Gate::Go));
        // Closed again: the count starts afresh.
        for _ in 0..FAILED_REQUESTS - 1 {
            b.failed_request(&server_error());
        }
        assert!(!b.is_open());
    }

    #[tokio::test(start_paused = true)]
    async fn a_portal_that_fails_every_probe_is_down_after_a_bounded_time() {
        let b = Breaker::new();
        trip(&b);
        let start = Instant::now();
        let mut probes = 0;
        while b.down().is_none() {
            match b.gate() {
                Gate::Probe => {
                    probes += 1;
                    b.probed(Err(server_error()));
                }
                Gate::Wait(Some(t)) => tokio::time::advance(t - Instant::now()).await,
                other => panic!("{other:?}"),
            }
        }
        let took = Instant::now() - start;
        assert!(
            took >= DOWN_AFTER && took < DOWN_AFTER + PROBE_EVERY_MAX * 2,
            "{took:?}"
        );
        assert!((3..=6).contains(&probes), "{probes} probes");
        let Some(ApiError::PortalDown { cause }) = b.down() else {
            panic!("down with the portal's failure")
        };
        assert!(matches!(*cause, ApiError::Server { status: 503, .. }));
        assert!(matches!(b.gate(), Gate::Down(_)));
    }

    #[tokio::test(start_paused = true)]
    async fn a_probe_dropped_unfinished_counts_as_failed_not_as_half_open_forever() {
        let b = Breaker::new();
        trip(&b);
        tokio::time::advance(FIRST_PROBE).await;
        assert!(matches!(b.gate(), Gate::Probe));
        drop(ProbeGuard {
            breaker: &b,
            settled: false,
        });
        assert!(matches!(b.gate(), Gate::Wait(Some(_))));
    }

    #[tokio::test(start_paused = true)]
    async fn an_unhealable_failure_ends_the_run_with_that_error() {
        let b = Breaker::new();
        let waiting = b.went_down();
        let e = ApiError::Unreachable {
            reason: "could not resolve host `x`".to_owned(),
        };
        b.unreachable(&e);
        waiting.await;
        assert!(matches!(b.down(), Some(ApiError::Unreachable { .. })));
        // Later failures do not replace the first cause.
        trip(&b);
        assert!(matches!(b.down(), Some(ApiError::Unreachable { .. })));
    }
}
