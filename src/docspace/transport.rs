//! Every HTTP request the tool makes goes through here: authentication, bounded
//! concurrency, pacing, timeouts, retries within a budget, and the breaker that
//! stops the run on a sick portal. (What a body may be taken for is in `body.rs`,
//! failures in words in `failure.rs`; the tests that need a live transport stay
//! here, which is what takes this file past 500 lines.)

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::body::{
    Body, MAX_BODY, MAX_ERROR_BODY, Undecodable, decode, looks_like_html, read_capped,
    server_message, too_large,
};
use super::breaker::{Breaker, Gate, ProbeGuard};
use super::error::{ApiError, AttemptError};
use super::failure::{SetupError, check_cert_file, redirect_target, transport_failure};
use super::pacing::{self, MAX_SERVER_WAIT, Pacer, Turn};
use super::portal_url;
use super::server_wait::{self, WaitBook};

/// The server rejects, without queueing, more than this many parallel GETs ...
pub const SERVER_MAX_PARALLEL_READS: usize = 50;
/// ... and more than this many parallel POST/PUT requests (docspace-api.md 4).
pub const SERVER_MAX_PARALLEL_WRITES: usize = 15;

/// The half-open breaker's probe: the portal check's route (`probe.rs`).
const PROBE_READ: &str = "@my";
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Secrets shorter than this are not scrubbed: replacing every `abc` in a
/// message would mangle it, and no key or valid link password is that short.
const MIN_SCRUBBED_LEN: usize = 6;
const SCRUBBED: &str = "[hidden]";

#[derive(Clone, Debug)]
pub struct Settings {
    pub parallelism: usize,
    pub connect_timeout: Duration,
    /// One attempt, from connecting to the last byte of the answer.
    pub request_timeout: Duration,
    /// Attempts per request, the first included.
    pub max_attempts: usize,
    /// The most one request may spend on its attempts and on every wait between
    /// them (backoff, `Retry-After`, its turn at the pacer); waiting behind other
    /// requests for a connection slot does not count.
    pub max_retry_wait: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            parallelism: 16,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_attempts: 8,
            max_retry_wait: Duration::from_secs(60),
        }
    }
}

/// Counters for the summary line, the progress lines and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub rate_limited: AtomicU64,
    /// Time waited for the rate limit: turns at the pacer, retries after a `429`.
    pub paced: Arc<pacing::WaitClock>,
}

impl crate::progress::Counters for Stats {
    fn traffic(&self) -> crate::progress::Traffic {
        crate::progress::Traffic {
            requests: self.requests.load(Ordering::Relaxed),
            rate_waited: self.paced.total(),
        }
    }
}

#[derive(Debug)]
pub struct Transport {
    http: reqwest::Client,
    /// `https://portal.example.com/api/2.0/files/`
    files_base: String,
    token: SecretString,
    /// Scrubbed from every text the transport hands out: the token, and whatever
    /// [`Transport::add_secret`] adds.
    secrets: RwLock<Vec<SecretString>>,
    settings: Settings,
    any: Semaphore,
    reads: Semaphore,
    writes: Semaphore,
    pacer: Pacer,
    breaker: Breaker,
    /// The waits the portal asked for, against the run's budget.
    waits: WaitBook,
    /// Once the token is refused, every later request fails at once instead of
    /// hammering the portal with a bad credential.
    token_refused: AtomicBool,
    pub stats: Arc<Stats>,
    /// Read once by the portal check: what the portal's release does with link
    /// passwords is decided from it in this run, never taken from a saved plan.
    pub(super) release: std::sync::OnceLock<super::release::Release>,
}

/// `GET api/2.0/people/@self`: the key's own user (`api.rs`). Needs the scope
/// `accounts.self:read` (`AuthorizationExtension.cs:45`), which the recommended
/// `files:read`/`rooms:read` key lacks. The one route outside `files/` that the
/// key goes to (see `send`), so it is named here, where that rule lives.
pub const SELF_PATH: &str = "../people/@self";

/// A request as the retry loop sees it.
pub struct Request<'a> {
    pub method: Method,
    pub path: &'a str,
    pub query: &'a [(&'a str, String)],
    pub body: Option<Vec<u8>>,
}

/// How much one request may spend.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) attempts: u32,
    pub(crate) time: Duration,
}

/// An answer the caller takes as is (a success, or for the portal check, an
/// error that proves the API is there).
pub(crate) struct Answer {
    pub(crate) status: StatusCode,
    pub(crate) body: Body,
}

impl Transport {
    pub fn new(portal: &str, token: SecretString, settings: Settings) -> Result<Self, SetupError> {
        let url = portal_url::parse(portal)?;
        check_cert_file()?;
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .user_agent(concat!("docspace-links/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(settings.parallelism.max(1))
            // A redirect would carry the API key and a write's body (link
            // passwords) to wherever it points; a 3xx is reported instead.
            .redirect(reqwest::redirect::Policy::none())
            // And nothing can ever send an https portal's key over plain http.
            .https_only(url.https)
            .build()
            .map_err(|source| SetupError::Client { source })?;
        let parallelism = settings.parallelism.max(1);
        let pacer = Pacer::new(parallelism);
        let stats = Arc::new(Stats {
            paced: pacer.waited(),
            ..Stats::default()
        });
        Ok(Transport {
            http,
            files_base: url.files_base,
            secrets: RwLock::new(vec![token.clone()]),
            token,
            any: Semaphore::new(parallelism),
            reads: Semaphore::new(parallelism.min(SERVER_MAX_PARALLEL_READS)),
            writes: Semaphore::new(parallelism.min(SERVER_MAX_PARALLEL_WRITES)),
            pacer,
            breaker: Breaker::new(),
            waits: WaitBook::new(),
            token_refused: AtomicBool::new(false),
            stats,
            settings,
            release: std::sync::OnceLock::new(),
        })
    }

    /// The portal's release as the portal check read it (unsaid before the check).
    pub fn release(&self) -> super::release::Release {
        self.release.get().cloned().unwrap_or_default()
    }

    /// Whether the portal refused the API key during this run.
    pub fn token_refused(&self) -> bool {
        self.token_refused.load(Ordering::Relaxed)
    }

    /// Set once the portal has failed again and again (or cannot be reached at
    /// all): the error every request now fails with at once. A run that sees it
    /// should stop and print it once.
    pub fn portal_down(&self) -> Option<ApiError> {
        self.breaker.down().map(|e| self.scrub_error(e))
    }

    pub fn parallelism(&self) -> usize {
        self.settings.parallelism.max(1)
    }

    /// Adds a secret (a link password) to those scrubbed from every message the
    /// transport hands out.
    pub fn add_secret(&self, secret: SecretString) {
        self.secrets.write().expect("secrets lock").push(secret);
    }

    /// `text` with every known secret (the API key, and those given to
    /// [`Transport::add_secret`]) replaced: for any server text that is shown.
    pub fn scrub(&self, text: &str) -> String {
        let secrets = self.secrets.read().expect("secrets lock");
        let mut out = text.to_owned();
        for s in secrets.iter() {
            let s = s.expose_secret();
            if s.len() >= MIN_SCRUBBED_LEN && out.contains(s) {
                out = out.replace(s, SCRUBBED);
            }
        }
        out
    }

    fn scrub_error(&self, e: ApiError) -> ApiError {
        e.map_text(&|t: &str| self.scrub(t))
    }

    /// Sends a request and decodes the envelope's `response`, retrying what is safe
    /// to retry. GETs are retried on every transient failure; writes only when the
    /// server certainly did not act on them (429, or no connection made): a write
    /// whose outcome is unknown is returned to the caller, who re-reads first.
    pub async fn call<T: DeserializeOwned>(&self, req: Request<'_>) -> Result<Option<T>, ApiError> {
        let limits = Limits {
            attempts: u32::try_from(self.settings.max_attempts.max(1)).unwrap_or(u32::MAX),
            time: self.settings.max_retry_wait,
        };
        let result = self
            .exchange(&req, limits, |status, _| status.is_success())
            .await
            .and_then(|answer| {
                let Body::Whole(body) = answer.body else {
                    return Err(too_large());
                };
                match decode(&body) {
                    Ok(v) => {
                        self.breaker.healthy();
                        Ok(v)
                    }
                    Err(Undecodable { error, json }) => {
                        // JSON that is not what was expected is a quirk of one
                        // answer; a page that is not JSON at all (a proxy's
                        // maintenance page) is a portal that is not working.
                        if json {
                            self.breaker.healthy();
                        } else {
                            self.failed_attempt(&error);
                            self.breaker.failed_request(&error);
                        }
                        Err(error)
                    }
                }
            });
        result.map_err(|e| self.scrub_error(e))
    }

    /// The retry loop. Returns the first answer `accept` takes; everything else is
    /// classified, retried while the budget lasts, and counted by the breaker.
    pub(crate) async fn exchange(
        &self,
        req: &Request<'_>,
        limits: Limits,
        accept: impl Fn(StatusCode, &Body) -> bool,
    ) -> Result<Answer, ApiError> {
        let is_read = req.method == Method::GET;
        let mut delays = backoff(Duration::from_millis(100));
        // A bare 429 carries no hint: start at a second, not at once.
        let mut limited_delays = backoff(Duration::from_secs(1));
        let mut spent = Duration::ZERO;
        let mut waited = Duration::ZERO;
        let mut attempt = 1u32;
        loop {
            let left = limits.time.saturating_sub(spent);
            let (outcome, took) = self.attempt(req, is_read, attempt, left, &accept).await;
            spent += took;
            let error = match outcome {
                Ok(answer) => return Ok(answer),
                Err(AttemptError::Final(e)) => {
                    self.settle(&e);
                    return Err(e);
                }
                Err(AttemptError::Transient {
                    error,
                    retry_after,
                    portal,
                }) => {
                    if portal {
                        self.failed_attempt(&error);
                    }
                    (error, retry_after, portal)
                }
            };
            let (error, retry_after, portal) = error;
            let limited = matches!(error, ApiError::RateLimited { .. });
            let safe_to_repeat = is_read || !error.outcome_unknown();
            let backoff = if limited {
                limited_delays.next()
            } else {
                delays.next()
            }
            .unwrap_or(Duration::from_secs(8));
            let wait = retry_after.unwrap_or(Duration::ZERO).max(backoff);
            let left = limits.time.saturating_sub(spent);
            let give_up = if !safe_to_repeat {
                Some(error)
            } else if attempt >= limits.attempts {
                Some(exhausted(error, attempt, waited, None))
            } else if wait > left || retry_after.is_some_and(|ra| ra > MAX_SERVER_WAIT) {
                // A wait the portal asked for that cannot fit is reported as such;
                // a backoff that cannot fit is just the end of the budget.
                let asked = retry_after.filter(|ra| *ra > left.min(MAX_SERVER_WAIT));
                Some(exhausted(error, attempt, waited, asked))
            } else {
                None
            };
            if let Some(e) = give_up {
                // Only the portal's own failures count: a DocSpace JSON error (a
                // 500 on one write) is that request's, and a rate limit is paced.
                if portal {
                    self.breaker.failed_request(&e);
                }
                return Err(e);
            }
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            let _counted = limited.then(|| self.stats.paced.enter());
            self.sleep_until(Instant::now() + wait).await?;
            spent += wait;
            waited += wait;
            attempt += 1;
        }
    }

    /// A portal that keeps failing gets its requests spaced out, for everyone,
    /// until it answers again or the breaker opens.
    fn failed_attempt(&self, error: &ApiError) {
        if self.breaker.failed_attempt(error) {
            self.pacer.back_off();
        }
    }

    /// Breaker bookkeeping for a final error.
    fn settle(&self, e: &ApiError) {
        match e {
            ApiError::Unreachable { .. } | ApiError::Redirected { .. } => {
                self.breaker.unreachable(e)
            }
            // A refused wait is the pacer's, not the portal's health.
            ApiError::Unauthorized | ApiError::PortalDown { .. } | ApiError::RateLimited { .. } => {
            }
            e if e.portal_unwell() => self.breaker.failed_request(e),
            // A clear no (403, 404, 400) comes from a working portal.
            _ => self.breaker.healthy(),
        }
    }

    /// Sleeps until `deadline`, or fails as soon as the portal is found down: a
    /// request waiting out a backoff has nothing to wait for once the run is over.
    async fn sleep_until(&self, deadline: Instant) -> Result<(), ApiError> {
        if deadline <= Instant::now() {
            // Sleeping until an instant already past still waits for a timer tick.
            return self.breaker.down().map_or(Ok(()), Err);
        }
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => Ok(()),
            () = self.breaker.went_down() => Err(self.breaker.down().expect("the portal is down")),
        }
    }

    /// Waits while the breaker is open; the first request to find the probe due
    /// sends it. Fails once the portal is down.
    async fn pass_breaker(&self) -> Result<(), ApiError> {
        loop {
            let changed = self.breaker.changed();
            match self.breaker.gate() {
                Gate::Go => return Ok(()),
                Gate::Down(e) => return Err(e),
                Gate::Probe => {
                    let mut guard = ProbeGuard {
                        breaker: &self.breaker,
                        settled: false,
                    };
                    let outcome = self.probe().await;
                    guard.settled = true;
                    self.breaker.probed(outcome);
                }
                Gate::Wait(Some(until)) => tokio::select! {
                    () = tokio::time::sleep_until(until) => {}
                    () = changed => {}
                },
                Gate::Wait(None) => changed.await,
            }
        }
    }

    /// The half-open breaker's one read: the portal check's own route (a key this
    /// run has used may read it), one attempt, a short timeout. `Ok` when the portal
    /// answers as a working portal does, a clear no or a rate limit included.
    async fn probe(&self) -> Result<(), ApiError> {
        let query = [("count", "1".to_owned()), ("filterType", "2".to_owned())];
        let req = Request {
            method: Method::GET,
            path: PROBE_READ,
            query: &query,
            body: None,
        };
        let accept = |status: StatusCode, body: &Body| {
            (status.is_success() || status.is_client_error())
                && !matches!(body, Body::Whole(b) if looks_like_html(b))
        };
        let sent = tokio::time::timeout(PROBE_TIMEOUT, self.send(&req, 1, None, &accept));
        match sent.await {
            Err(_) => Err(ApiError::Transport {
                reason: "timed out".to_owned(),
                attempts: 1,
                request_sent: true,
            }),
            Ok(Ok(_)) => Ok(()),
            Ok(Err(AttemptError::Transient { error, portal, .. })) if portal => Err(error),
            Ok(Err(AttemptError::Final(e @ ApiError::Unreachable { .. }))) => {
                self.breaker.unreachable(&e);
                Err(e)
            }
            // 429, a refused key (which ends the run on its own), a 3xx: the
            // portal is there.
            Ok(Err(_)) => Ok(()),
        }
    }

    /// One attempt, and the time it spent once it had a connection slot (its turn
    /// at the pacer included): what counts against the request's budget.
    async fn attempt(
        &self,
        req: &Request<'_>,
        is_read: bool,
        attempt: u32,
        budget_left: Duration,
        accept: &impl Fn(StatusCode, &Body) -> bool,
    ) -> (Result<Answer, AttemptError>, Duration) {
        if let Err(e) = self.ready() {
            return (Err(AttemptError::Final(e)), Duration::ZERO);
        }
        if let Err(e) = self.pass_breaker().await {
            return (Err(AttemptError::Final(e)), Duration::ZERO);
        }
        let _any = self.any.acquire().await.expect("semaphore never closed");
        let _kind = if is_read { &self.reads } else { &self.writes }
            .acquire()
            .await
            .expect("semaphore never closed");
        let slot_won = Instant::now();
        let result = self.send(req, attempt, Some(budget_left), accept).await;
        (result, slot_won.elapsed())
    }

    /// Sends one attempt: paced when `paced` gives the budget left for the turn;
    /// the breaker's one probe is not (it must not queue behind the requests
    /// waiting for their turn while the portal is failing, and it is one request).
    async fn send(
        &self,
        req: &Request<'_>,
        attempt: u32,
        paced: Option<Duration>,
        accept: &impl Fn(StatusCode, &Body) -> bool,
    ) -> Result<Answer, AttemptError> {
        // Queued requests may find the run over by the time they get a slot.
        self.ready().map_err(AttemptError::Final)?;
        // Paced after the slot is won, right before sending: a request paced
        // earlier could sit in the queue and then leave at any moment.
        let turn = match paced {
            Some(budget_left) => Some(self.turn(attempt, budget_left).await?),
            None => None,
        };
        self.stats.requests.fetch_add(1, Ordering::Relaxed);

        let mut builder = self
            .http
            .request(
                req.method.clone(),
                format!("{}{}", self.files_base, req.path),
            )
            .header(reqwest::header::ACCEPT, "application/json");
        // The key goes to the files API and to `people/@self` (`api.rs`, the
        // key's own user). The anonymous version route (`probe.rs`) goes without
        // it: the server still checks a key's scopes there and refuses one
        // without `*:read` (ApiKeyScopesFilter.cs:36-72), the read-only key the
        // README recommends.
        if !req.path.starts_with("../") || req.path == SELF_PATH {
            builder = builder.bearer_auth(self.token.expose_secret());
        }
        if !req.query.is_empty() {
            builder = builder.query(req.query);
        }
        if let Some(body) = &req.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = builder
            .send()
            .await
            .map_err(|e| transport_failure(&e, attempt, self.settings.request_timeout))?;
        let status = response.status();
        if let Some(turn) = turn {
            turn.answered(status, response.headers());
        }
        if let Some(asked) = server_wait::asked(status, response.headers())
            && let Err(e) = self.waits.ask(&asked)
        {
            // Past the run's wait budget: the run ends, for every request at once
            // (also those the pacer holds in a pause), with this one error.
            self.breaker.end(&e);
            return Err(AttemptError::Final(e));
        }
        if status.is_redirection() {
            return Err(AttemptError::Final(ApiError::Redirected {
                status: status.as_u16(),
                target: redirect_target(response.url(), response.headers()),
            }));
        }
        let retry_after = pacing::retry_after(response.headers()).or_else(|| {
            // A 429 with a reset but no Retry-After asks to wait until the reset.
            (status == StatusCode::TOO_MANY_REQUESTS)
                .then(|| pacing::reset_after(response.headers()))
                .flatten()
        });
        let cap = if status.is_success() {
            MAX_BODY
        } else {
            MAX_ERROR_BODY
        };
        let body = read_capped(response, cap)
            .await
            .map_err(|e| transport_failure(&e, attempt, self.settings.request_timeout))?;
        if accept(status, &body) {
            return Ok(Answer { status, body });
        }
        let body = match &body {
            Body::Whole(b) => b.as_slice(),
            Body::TooLarge => &[],
        };
        Err(match self.classify(status, body, retry_after, attempt) {
            AttemptError::Final(ApiError::Forbidden { message, .. }) => {
                AttemptError::Final(ApiError::Forbidden {
                    message,
                    needs: super::error::needed_scope(&req.method, req.path),
                })
            }
            other => other,
        })
    }

    /// Fails at once when the run cannot succeed any more.
    fn ready(&self) -> Result<(), ApiError> {
        if self.token_refused.load(Ordering::Relaxed) {
            return Err(ApiError::Unauthorized);
        }
        self.breaker.down().map_or(Ok(()), Err)
    }

    /// Waits for the pacer's turn, or fails as soon as the portal is down: a request
    /// waiting for its turn has nothing to wait for once the run is over.
    async fn turn(&self, attempt: u32, budget_left: Duration) -> Result<Turn<'_>, AttemptError> {
        tokio::select! {
            turn = self.pacer.turn(budget_left) => turn.map_err(|asked| {
                AttemptError::Final(ApiError::RateLimited {
                    attempts: attempt,
                    // Out of time waiting for answers that would open the way.
                    waited: if asked.is_none() { budget_left } else { Duration::ZERO },
                    asked,
                })
            }),
            () = self.breaker.went_down() => Err(AttemptError::Final(
                self.breaker.down().expect("the portal is down"),
            )),
        }
    }

    pub(crate) fn classify(
        &self,
        status: StatusCode,
        body: &[u8],
        retry_after: Option<Duration>,
        attempts: u32,
    ) -> AttemptError {
        let message = server_message(body);
        match status.as_u16() {
            401 => {
                self.token_refused.store(true, Ordering::Relaxed);
                AttemptError::Final(ApiError::Unauthorized)
            }
            403 => AttemptError::Final(ApiError::Forbidden {
                message,
                needs: None,
            }),
            404 => AttemptError::Final(ApiError::NotFound { message }),
            429 => {
                // The pacer has heard it already (the turn's answer): it paused or
                // slowed everyone, or learnt the portal's window from it.
                self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                AttemptError::Transient {
                    error: ApiError::RateLimited {
                        attempts,
                        waited: Duration::ZERO,
                        asked: None,
                    },
                    retry_after,
                    portal: false,
                }
            }
            // A 500 may come after the server acted: as unknown as a proxy's 502-504.
            // A gateway's 502-504, and any page that is not JSON, say the portal is
            // unwell; DocSpace's JSON 500 is one request's failure.
            500 | 502..=504 => AttemptError::Transient {
                error: ApiError::Server {
                    status: status.as_u16(),
                    attempts,
                },
                retry_after,
                portal: status != StatusCode::INTERNAL_SERVER_ERROR
                    || serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err(),
            },
            s => AttemptError::Final(ApiError::Rejected { status: s, message }),
        }
    }
}

fn backoff(min: Duration) -> ExponentialBackoff {
    ExponentialBuilder::default()
        .with_min_delay(min)
        .with_max_delay(Duration::from_secs(16))
        .with_factor(2.0)
        .with_jitter()
        .without_max_times()
        .build()
}

/// The error a request gives up with once its budget is spent.
fn exhausted(
    error: ApiError,
    attempts: u32,
    waited: Duration,
    asked: Option<Duration>,
) -> ApiError {
    match error {
        ApiError::RateLimited { .. } => ApiError::RateLimited {
            attempts,
            waited,
            asked,
        },
        e => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport() -> Transport {
        Transport::new(
            "https://portal.example.com",
            SecretString::from("sk-secret-token"),
            Settings::default(),
        )
        .unwrap()
    }

    #[test]
    fn the_address_is_checked() {
        let t = |p: &str| Transport::new(p, SecretString::from("sk-x"), Settings::default());
        assert!(t("https://portal.example.com").is_ok());
        let err = t("127.0.0.1:8080").unwrap_err().to_string();
        assert!(err.contains("add https://"), "{err}");
        let err = t("https://u:pa55word-x@portal.example.com")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("pa55word-x"), "{err}");
    }

    #[test]
    fn known_secrets_are_scrubbed_from_text() {
        let t = transport();
        assert_eq!(
            t.scrub("bad header: Bearer sk-secret-token!"),
            "bad header: Bearer [hidden]!"
        );
        t.add_secret(SecretString::from("Str0ng!pass"));
        t.add_secret(SecretString::from("abc"));
        assert_eq!(
            t.scrub("password Str0ng!pass rejected, abc"),
            "password [hidden] rejected, abc"
        );
        let e = t.scrub_error(ApiError::Rejected {
            status: 400,
            message: Some("token sk-secret-token is odd".to_owned()),
        });
        assert!(!e.to_string().contains("sk-secret-token"), "{e}");
    }

    /// A resolver that knows no name: the same failure a real lookup gives, with
    /// no network involved.
    struct NoNames;

    impl reqwest::dns::Resolve for NoNames {
        fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
            Box::pin(async {
                Err(std::io::Error::other("failed to lookup address information").into())
            })
        }
    }

    #[tokio::test]
    async fn a_name_that_does_not_resolve_is_final_and_said_in_words() {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(NoNames))
            .build()
            .unwrap();
        let e = client
            .get("http://portal.invalid:8080/")
            .send()
            .await
            .unwrap_err();
        let AttemptError::Final(ApiError::Unreachable { reason }) =
            transport_failure(&e, 1, Duration::from_secs(30))
        else {
            panic!("a failed lookup is retried")
        };
        assert_eq!(
            reason,
            "could not resolve host `portal.invalid`: check --portal and this machine's DNS"
        );
    }

    #[tokio::test]
    async fn a_refused_connection_is_final_and_names_the_address() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let e = reqwest::get(format!("http://127.0.0.1:{port}/"))
            .await
            .unwrap_err();
        let AttemptError::Final(ApiError::Unreachable { reason }) =
            transport_failure(&e, 1, Duration::from_secs(30))
        else {
            panic!("a refused connection is retried")
        };
        assert!(
            reason.starts_with(&format!("connection refused by 127.0.0.1:{port}")),
            "{reason}"
        );
    }

    #[tokio::test]
    async fn a_timeout_is_retried() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        // Accepts and never answers.
        let _server = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((s, _)) = listener.accept().await {
                held.push(s);
            }
        });
        let e = reqwest::Client::builder()
            .timeout(Duration::from_millis(200))
            .build()
            .unwrap()
            .get(format!("http://127.0.0.1:{port}/"))
            .send()
            .await
            .unwrap_err();
        assert!(matches!(
            transport_failure(&e, 1, Duration::from_secs(30)),
            AttemptError::Transient {
                error: ApiError::Transport { .. },
                ..
            }
        ));
    }

    /// A loopback server that answers every request with `response` and counts them.
    async fn always(response: &'static str) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen = count.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let seen = seen.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 4096];
                    let mut read = Vec::new();
                    while !read.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => read.extend_from_slice(&buf[..n]),
                        }
                        if read.windows(4).any(|w| w == b"\r\n\r\n") {
                            seen.fetch_add(1, Ordering::SeqCst);
                            let _ = socket.write_all(response.as_bytes()).await;
                            read.clear();
                        }
                    }
                });
            }
        });
        (url, count)
    }

    async fn get_rooms(url: &str, settings: Settings) -> ApiError {
        let t = Transport::new(url, SecretString::from("sk-x"), settings).unwrap();
        t.call::<serde_json::Value>(Request {
            method: Method::GET,
            path: "rooms",
            query: &[],
            body: None,
        })
        .await
        .unwrap_err()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_portal_that_keeps_asking_to_wait_is_given_up_on_clearly() {
        // The per-minute limit's 429: no Retry-After, no reset (docspace-api.md 4).
        let (url, count) = always(
            "HTTP/1.1 429 Too Many Requests\r\nX-RateLimit-Limit: 1500\r\nX-RateLimit-Remaining: 0\r\nContent-Length: 0\r\n\r\n",
        )
        .await;
        let attempts = Settings {
            max_attempts: 2,
            ..Settings::default()
        };
        let shown = get_rooms(&url, attempts).await.to_string();
        assert!(
            shown.contains("kept asking to wait") && shown.contains("after 2 attempts"),
            "{shown}"
        );
        assert_eq!(count.load(Ordering::SeqCst), 2);

        // Out of time before attempts: the first backoff (a second) does not fit.
        let time = Settings {
            max_retry_wait: Duration::from_millis(500),
            ..Settings::default()
        };
        let shown = get_rooms(&url, time).await.to_string();
        assert!(
            shown.contains("after 1 attempt and 0 s of waiting"),
            "{shown}"
        );
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }
}
