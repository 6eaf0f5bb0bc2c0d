//! Failing fast on a sick portal. Each request retries on its own; without this, a
//! portal answering 503 everywhere costs every one of 2,000 entries its whole retry
//! budget (hours). Once the portal has failed again and again with no success in
//! between, every later request fails at once with one error that says so.

use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::error::ApiError;

/// Requests in a row that gave up on a portal failure (each after its own retries).
const FAILED_REQUESTS: u32 = 5;
/// Failed attempts in a row (5xx, dropped or timed-out connections, non-JSON
/// answers) ...
const FAILED_ATTEMPTS: u32 = 6;
/// ... spread over at least this long with not one success: a blip shorter than
/// this (a proxy restarting) is ridden out by the retries.
const UNWELL_FOR: Duration = Duration::from_secs(2);

#[derive(Debug)]
pub(crate) struct Breaker {
    state: Mutex<State>,
    /// Tells requests sleeping between attempts (or waiting for their turn) that
    /// there is no point waking up normally.
    opened: watch::Sender<bool>,
}

#[derive(Debug, Default)]
struct State {
    failed_requests: u32,
    failed_attempts: u32,
    unwell_since: Option<Instant>,
    /// What every request gets once the breaker is open.
    open: Option<ApiError>,
}

impl Breaker {
    pub(crate) fn new() -> Self {
        Breaker {
            state: Mutex::default(),
            opened: watch::Sender::new(false),
        }
    }

    /// The error every request now fails with, if the breaker is open.
    pub(crate) fn open(&self) -> Option<ApiError> {
        self.state.lock().expect("breaker lock").open.clone()
    }

    /// Resolves once the breaker opens (at once if it already is).
    pub(crate) async fn opened(&self) {
        let mut rx = self.opened.subscribe();
        // The sender lives as long as `self`, so this only ends by opening.
        let _ = rx.wait_for(|open| *open).await;
    }

    /// The portal answered as a working portal does: data, or a clear no (404, 403).
    pub(crate) fn healthy(&self) {
        let mut s = self.state.lock().expect("breaker lock");
        s.failed_requests = 0;
        s.failed_attempts = 0;
        s.unwell_since = None;
    }

    /// One attempt failed in a way that says the portal is unwell. Returns whether
    /// it has failed enough in a row that requests should be slowed down while it
    /// is given [`UNWELL_FOR`] to recover: many entries' first attempts and
    /// retries would otherwise hammer it hundreds of times before the breaker
    /// opens.
    pub(crate) fn failed_attempt(&self, error: &ApiError) -> bool {
        let now = Instant::now();
        let mut s = self.state.lock().expect("breaker lock");
        s.failed_attempts += 1;
        let since = *s.unwell_since.get_or_insert(now);
        let unwell = s.failed_attempts >= FAILED_ATTEMPTS;
        if unwell && now - since >= UNWELL_FOR {
            self.trip(&mut s, error);
        }
        unwell
    }

    /// A request gave up on a portal failure.
    pub(crate) fn failed_request(&self, error: &ApiError) {
        let mut s = self.state.lock().expect("breaker lock");
        s.failed_requests += 1;
        if s.failed_requests >= FAILED_REQUESTS {
            self.trip(&mut s, error);
        }
    }

    /// A failure that no retry heals and every request would meet (the host does
    /// not resolve, its certificate is not trusted, it redirects elsewhere): later
    /// requests get the same error without trying.
    pub(crate) fn unreachable(&self, error: &ApiError) {
        let mut s = self.state.lock().expect("breaker lock");
        if s.open.is_none() {
            s.open = Some(error.clone());
            self.opened.send_replace(true);
        }
    }

    fn trip(&self, s: &mut State, cause: &ApiError) {
        if s.open.is_some() {
            return;
        }
        s.open = Some(match cause {
            ApiError::PortalDown { .. } => cause.clone(),
            _ => ApiError::PortalDown {
                cause: Box::new(cause.clone()),
            },
        });
        self.opened.send_replace(true);
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

    #[tokio::test(start_paused = true)]
    async fn a_run_of_failures_over_time_opens_it() {
        let b = Breaker::new();
        let unwell: Vec<bool> = (0..20).map(|_| b.failed_attempt(&server_error())).collect();
        assert_eq!(
            unwell.iter().position(|u| *u),
            Some(FAILED_ATTEMPTS as usize - 1)
        );
        assert!(b.open().is_none(), "a burst at one instant is a blip");
        tokio::time::advance(UNWELL_FOR).await;
        b.failed_attempt(&server_error());
        let Some(ApiError::PortalDown { cause }) = b.open() else {
            panic!("open after failing for {UNWELL_FOR:?}")
        };
        assert!(matches!(*cause, ApiError::Server { status: 503, .. }));
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
        assert!(b.open().is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn requests_that_each_gave_up_open_it() {
        let b = Breaker::new();
        for _ in 0..FAILED_REQUESTS {
            assert!(b.open().is_none());
            b.failed_request(&server_error());
        }
        assert!(matches!(b.open(), Some(ApiError::PortalDown { .. })));
    }

    #[tokio::test(start_paused = true)]
    async fn an_unhealable_failure_opens_it_with_that_error() {
        let b = Breaker::new();
        let waiting = b.opened();
        let e = ApiError::Unreachable {
            reason: "could not resolve host `x`".to_owned(),
        };
        b.unreachable(&e);
        waiting.await;
        assert!(matches!(b.open(), Some(ApiError::Unreachable { .. })));
        // Later failures do not replace the first cause.
        b.failed_request(&server_error());
        assert!(matches!(b.open(), Some(ApiError::Unreachable { .. })));
    }
}
