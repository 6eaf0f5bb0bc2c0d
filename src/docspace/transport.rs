//! Every HTTP request the tool makes goes through here: authentication, bounded
//! concurrency, pacing, timeouts and retries.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::error::{ApiError, AttemptError};
use super::pacing::{self, Pacer};

/// The server rejects, without queueing, more than this many parallel GETs ...
pub const SERVER_MAX_PARALLEL_READS: usize = 50;
/// ... and more than this many parallel POST/PUT requests (docspace-api.md 4).
pub const SERVER_MAX_PARALLEL_WRITES: usize = 15;

#[derive(Clone, Debug)]
pub struct Settings {
    pub parallelism: usize,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Attempts per request, the first included.
    pub max_attempts: usize,
    /// The most a request may spend waiting between attempts.
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

/// Counters for the summary line and the benchmark.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub retries: AtomicU64,
    pub rate_limited: AtomicU64,
}

#[derive(Debug)]
pub struct Transport {
    http: reqwest::Client,
    /// `https://portal.example.com/api/2.0/files/`
    files_base: String,
    token: SecretString,
    settings: Settings,
    any: Semaphore,
    reads: Semaphore,
    writes: Semaphore,
    pacer: Pacer,
    /// Once the token is refused, every later request fails at once instead of
    /// hammering the portal with a bad credential.
    token_refused: AtomicBool,
    pub stats: Arc<Stats>,
}

/// A request as the retry loop sees it.
pub struct Request<'a> {
    pub method: Method,
    pub path: &'a str,
    pub query: &'a [(&'a str, String)],
    pub body: Option<Vec<u8>>,
}

impl Transport {
    pub fn new(portal: &str, token: SecretString, settings: Settings) -> Result<Self, String> {
        let portal = portal.trim_end_matches('/');
        let url = reqwest::Url::parse(portal)
            .map_err(|e| format!("portal URL `{portal}` is not a valid URL: {e}"))?;
        let host = url.host_str().unwrap_or_default();
        let loopback = host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        // Plain HTTP would hand the API key and every link password to anyone on
        // the path: only a simulator on this machine may use it.
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            _ => {
                return Err(format!(
                    "portal URL `{portal}` must start with https:// (plain http:// is accepted only for a simulator on this machine)"
                ));
            }
        }
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .user_agent(concat!("docspace-links/", env!("CARGO_PKG_VERSION")))
            .pool_max_idle_per_host(settings.parallelism.max(1))
            .build()
            .map_err(|e| format!("cannot start the HTTP client: {e}"))?;
        let parallelism = settings.parallelism.max(1);
        Ok(Transport {
            http,
            files_base: format!("{portal}/api/2.0/files/"),
            token,
            any: Semaphore::new(parallelism),
            reads: Semaphore::new(parallelism.min(SERVER_MAX_PARALLEL_READS)),
            writes: Semaphore::new(parallelism.min(SERVER_MAX_PARALLEL_WRITES)),
            pacer: Pacer::new(parallelism),
            token_refused: AtomicBool::new(false),
            stats: Arc::default(),
            settings,
        })
    }

    /// Whether the portal refused the API key during this run.
    pub fn token_refused(&self) -> bool {
        self.token_refused.load(Ordering::Relaxed)
    }

    pub fn parallelism(&self) -> usize {
        self.settings.parallelism.max(1)
    }

    /// Sends a request and decodes the envelope's `response`, retrying what is safe
    /// to retry. GETs are retried on every transient failure; writes only when the
    /// server certainly did not act on them (429, or no connection made): a write
    /// whose outcome is unknown is returned to the caller, who re-reads first.
    pub async fn call<T: DeserializeOwned>(&self, req: Request<'_>) -> Result<Option<T>, ApiError> {
        let is_read = req.method == Method::GET;
        let started = Instant::now();
        let mut delays = ExponentialBuilder::default()
            .with_min_delay(Duration::from_millis(100))
            .with_max_delay(Duration::from_secs(8))
            .with_factor(2.0)
            .with_jitter()
            .without_max_times()
            .build();
        let mut attempt = 1u32;
        loop {
            let outcome = self.attempt(&req, is_read, attempt).await;
            let (error, retry_after) = match outcome {
                Ok(body) => return decode(&body),
                Err(AttemptError::Final(e)) => return Err(e),
                Err(AttemptError::Transient { error, retry_after }) => (error, retry_after),
            };
            let safe_to_repeat = is_read || !error.outcome_unknown();
            let backoff = delays.next().unwrap_or(Duration::from_secs(8));
            let wait = retry_after.unwrap_or(Duration::ZERO).max(backoff);
            let out_of_budget = attempt as usize >= self.settings.max_attempts
                || started.elapsed() + wait > self.settings.max_retry_wait;
            if !safe_to_repeat || out_of_budget {
                return Err(error);
            }
            self.stats.retries.fetch_add(1, Ordering::Relaxed);
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    async fn attempt(
        &self,
        req: &Request<'_>,
        is_read: bool,
        attempt: u32,
    ) -> Result<Vec<u8>, AttemptError> {
        if self.token_refused.load(Ordering::Relaxed) {
            return Err(AttemptError::Final(ApiError::Unauthorized));
        }
        let _any = self.any.acquire().await.expect("semaphore never closed");
        let _kind = if is_read { &self.reads } else { &self.writes }
            .acquire()
            .await
            .expect("semaphore never closed");
        // Paced after the slot is won, right before sending: a request paced
        // earlier could sit in the queue and then leave at any moment.
        self.pacer.wait_turn().await;
        self.stats.requests.fetch_add(1, Ordering::Relaxed);

        let mut builder = self
            .http
            .request(
                req.method.clone(),
                format!("{}{}", self.files_base, req.path),
            )
            .bearer_auth(self.token.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        if !req.query.is_empty() {
            builder = builder.query(req.query);
        }
        if let Some(body) = &req.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return Err(transport_failure(&e, attempt)),
        };
        let status = response.status();
        self.pacer.observe(response.headers());
        let retry_after = pacing::retry_after(response.headers());
        let body = match response.bytes().await {
            Ok(b) => b.to_vec(),
            Err(e) => return Err(transport_failure(&e, attempt)),
        };
        if status.is_success() {
            return Ok(body);
        }
        Err(self.classify(status, &body, retry_after, attempt))
    }

    fn classify(
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
            403 => AttemptError::Final(ApiError::Forbidden { message }),
            404 => AttemptError::Final(ApiError::NotFound { message }),
            429 => {
                self.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                let wait = retry_after.unwrap_or(Duration::from_secs(1));
                self.pacer.pause(wait);
                AttemptError::Transient {
                    error: ApiError::RateLimited { attempts },
                    retry_after: Some(wait),
                }
            }
            // A 500 may come after the server acted: as unknown as a proxy's 502-504.
            500 | 502..=504 => AttemptError::Transient {
                error: ApiError::Server {
                    status: status.as_u16(),
                    attempts,
                },
                retry_after,
            },
            s => AttemptError::Final(ApiError::Rejected { status: s, message }),
        }
    }
}

fn transport_failure(e: &reqwest::Error, attempts: u32) -> AttemptError {
    let reason = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        format!("could not connect ({})", root_cause(e))
    } else {
        format!("connection failed ({})", root_cause(e))
    };
    AttemptError::Transient {
        error: ApiError::Transport {
            reason,
            attempts,
            request_sent: !e.is_connect(),
        },
        retry_after: None,
    }
}

/// The innermost cause, which says what actually happened ("connection refused")
/// without the URL reqwest prefixes.
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// The `error.message` of a JSON error envelope; `None` for an empty or HTML body.
fn server_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let m = v.get("error")?.get("message")?.as_str()?;
    Some(m.chars().take(300).collect())
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<Option<T>, ApiError> {
    let envelope: super::wire::Envelope<T> = serde_json::from_slice(body).map_err(|e| {
        let looks_like_html = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<');
        if looks_like_html {
            ApiError::Decode("an HTML page instead of JSON (is the portal URL right?)".to_owned())
        } else {
            ApiError::Decode(e.to_string())
        }
    })?;
    Ok(envelope.response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_this_machine() {
        let token = || SecretString::from("sk-x");
        let settings = Settings::default;
        assert!(Transport::new("https://portal.example.com", token(), settings()).is_ok());
        assert!(Transport::new("http://127.0.0.1:8080", token(), settings()).is_ok());
        assert!(Transport::new("http://localhost:8080", token(), settings()).is_ok());
        let err = Transport::new("http://portal.example.com", token(), settings()).unwrap_err();
        assert!(err.contains("https://"), "{err}");
        assert!(Transport::new("ftp://portal.example.com", token(), settings()).is_err());
        assert!(Transport::new("not a url", token(), settings()).is_err());
    }

    #[test]
    fn only_json_error_envelopes_yield_a_message() {
        let body =
            br#"{"status":1,"statusCode":403,"error":{"message":"Access denied","type":"x"}}"#;
        assert_eq!(server_message(body).as_deref(), Some("Access denied"));
        assert_eq!(
            server_message(b"<html><body>502 Bad Gateway</body></html>"),
            None
        );
        assert_eq!(server_message(b""), None);
    }

    #[test]
    fn an_html_success_body_is_an_error_not_data() {
        let r: Result<Option<serde_json::Value>, _> = decode(b"<!DOCTYPE html><html></html>");
        assert!(matches!(r, Err(ApiError::Decode(m)) if m.contains("HTML")));
    }

    #[test]
    fn a_missing_response_key_is_nothing() {
        let r: Option<serde_json::Value> =
            decode(br#"{"count":0,"status":0,"statusCode":200}"#).unwrap();
        assert!(r.is_none());
    }
}
