//! What can go wrong talking to the portal, phrased for the person reading it.

use std::time::Duration;

use crate::diagnostic::Code;

/// A failed request. Error bodies are only ever mined for the server's `message`:
/// they are never mistaken for data (docspace-api.md 3). Every text a variant
/// carries has had the API key (and any other known secret) scrubbed out by the
/// transport before it leaves it.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error(
        "the portal refused the API key (401): check DOCSPACE_TOKEN, and that the key is not expired or revoked"
    )]
    Unauthorized,
    #[error("{}", forbidden_text(.message, .needs))]
    Forbidden {
        message: Option<String>,
        /// The API-key scope the request's route needs (`scope::needed`), when it
        /// went with the key: a key without it gets a 403.
        needs: Option<&'static str>,
    },
    #[error(
        "not found (404){}; the folder may have been deleted or moved, or the token's user cannot see it",
        detail(.message)
    )]
    NotFound { message: Option<String> },
    #[error("the portal refused the request ({status}){}", detail(.message))]
    Rejected {
        status: u16,
        message: Option<String>,
    },
    #[error("{}", rate_limited_text(*.attempts, *.waited, *.asked))]
    RateLimited {
        attempts: u32,
        /// What this request spent waiting between its attempts.
        waited: Duration,
        /// A wait the portal asked for that was longer than the request had left.
        asked: Option<Duration>,
    },
    #[error("server error {status} after {}", tries(*.attempts))]
    Server { status: u16, attempts: u32 },
    #[error("no answer from the portal after {}: {reason}", tries(*.attempts))]
    Transport {
        reason: String,
        attempts: u32,
        /// False when no connection was made, so the server cannot have acted.
        request_sent: bool,
    },
    /// No connection could be made for a reason that retrying does not heal (the
    /// name does not resolve, nothing listens, the certificate is not trusted).
    /// Nothing was sent.
    #[error("cannot reach the portal: {reason}")]
    Unreachable { reason: String },
    /// A 3xx. Redirects are never followed: the API key and link passwords would
    /// travel to wherever the answer points.
    #[error(
        "the portal answered {status} redirecting to {target}: docspace-links follows no redirect (the API key and link passwords must not travel to another address); check --portal"
    )]
    Redirected { status: u16, target: String },
    /// The address answers, but not as a DocSpace portal's API does.
    #[error(
        "{reason}: is --portal (DOCSPACE_URL) the portal's address without /api/2.0, e.g. https://portal.example.com?"
    )]
    WrongPortal { reason: String },
    /// The portal failed request after request: every later request fails with this
    /// at once instead of waiting out its own retries.
    #[error(
        "the portal is not working, so docspace-links stopped sending requests (last failure: {cause}); try again once the portal is back"
    )]
    PortalDown { cause: Box<ApiError> },
    #[error("unexpected answer from the portal: {0}")]
    Decode(String),
    /// The portal asked for a wait past the run's wait budget: the run ends
    /// instead of sleeping through it (`server_wait`).
    #[error(
        "the portal asked to wait {} ({header} on a {status} answer), until {until}: longer than docspace-links waits in one run ({}); it may have reached its daily write limit: try again later",
        human(*.wait),
        human(*.budget)
    )]
    WaitRefused {
        header: String,
        status: u16,
        wait: Duration,
        until: String,
        budget: Duration,
    },
}

fn detail(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(": {m}"),
        _ => String::new(),
    }
}

fn forbidden_text(message: &Option<String>, needs: &Option<&'static str>) -> String {
    match (message, needs) {
        // A key without a route's scope gets an empty-bodied 403; a message is the
        // server's own reason. Room routes are named anyway: `rooms:read` is the
        // scope a files-only key lacks (issue 14.6).
        (Some(m), Some(scope)) if !m.is_empty() && scope.starts_with("rooms:") => format!(
            "the portal refused the request (403): {m} (the room routes need an API key with {scope})"
        ),
        (Some(m), _) if !m.is_empty() => format!("the portal refused the request (403): {m}"),
        // An empty-bodied 403 is a bad key on routes that also serve visitors, or a
        // key without the route's scope (docspace-api.md 3, 6): never "this folder
        // is forbidden".
        (_, Some(scope)) => format!(
            "the portal refused the API key, or the key lacks the scope {scope} this request needs (403 with no explanation); plan and export need files:read and rooms:read, apply files:write too"
        ),
        (_, None) => "the portal refused the API key, or the key lacks the scopes files:read / files:write / rooms:read (403 with no explanation)".to_owned(),
    }
}

/// The API-key scope a request to `path` (under `api/2.0/files/`) needs, as the
/// server maps routes to scopes (DocSpace-server
/// `common/ASC.Api.Core/Auth/AuthorizationExtension.cs:39-52`, `ScopesMap`, first
/// match wins, unanchored): `files/rooms…` needs `rooms:read` to read
/// (`rooms:write` also does), anything else under `files/` `files:read`
/// (`files:write` also does); a write needs the `:write` scope. `*:read` and
/// `*:write` cover every area. The simplest scope that grants it is named.
pub(crate) fn needed_scope(method: &reqwest::Method, path: &str) -> Option<&'static str> {
    if path.starts_with("../") {
        // Outside the files API, sent without the key (`transport.rs`).
        return None;
    }
    let read = *method == reqwest::Method::GET;
    Some(match (path.starts_with("rooms"), read) {
        (true, true) => "rooms:read",
        (true, false) => "rooms:write",
        (false, true) => "files:read",
        (false, false) => "files:write",
    })
}

fn rate_limited_text(attempts: u32, waited: Duration, asked: Option<Duration>) -> String {
    match asked {
        Some(asked) => format!(
            "the portal asked to wait {} before the next try (429), longer than docspace-links waits for one request; it may have reached its daily write limit: try again later",
            human(asked)
        ),
        None => format!(
            "the portal kept asking to wait (429, too many requests): gave up after {} and {} of waiting; try again later, or with a lower --parallelism",
            tries(attempts),
            human(waited)
        ),
    }
}

/// `45 s`, `3 min 5 s`, `27 h 46 min`: a wait as a person reads it.
fn human(d: Duration) -> String {
    let s = d.as_secs_f64().ceil() as u64;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => match s % 60 {
            0 => format!("{} min", s / 60),
            r => format!("{} min {r} s", s / 60),
        },
        _ => match (s % 3600) / 60 {
            0 => format!("{} h", s / 3600),
            m => format!("{} h {m} min", s / 3600),
        },
    }
}

impl ApiError {
    /// What the portal answered, as a stable code for scripts.
    pub fn code(&self) -> Code {
        match self {
            ApiError::Unauthorized => Code::Unauthorized,
            ApiError::Forbidden { .. } => Code::Forbidden,
            ApiError::NotFound { .. } => Code::NotFound,
            ApiError::Rejected { .. } => Code::Rejected,
            ApiError::RateLimited { .. } => Code::RateLimited,
            ApiError::Server { .. } => Code::ServerError,
            ApiError::Transport { .. } => Code::NoAnswer,
            ApiError::Unreachable { .. } => Code::Unreachable,
            ApiError::Redirected { .. } => Code::Redirected,
            ApiError::WrongPortal { .. } => Code::WrongPortal,
            ApiError::PortalDown { .. } => Code::PortalDown,
            ApiError::WaitRefused { .. } => Code::WaitRefused,
            ApiError::Decode(_) => Code::BadAnswer,
        }
    }

    /// Whether the request may have been carried out even though it failed: a write
    /// that ends like this must be checked by re-reading before it is sent again.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiError::Server { .. } | ApiError::Decode(_) => true,
            ApiError::Transport { request_sent, .. } => *request_sent,
            _ => false,
        }
    }

    /// Whether this says the portal itself is unwell (or out of reach), rather than
    /// answering one request with a clear no.
    pub fn portal_unwell(&self) -> bool {
        matches!(
            self,
            ApiError::RateLimited { .. }
                | ApiError::Server { .. }
                | ApiError::Transport { .. }
                | ApiError::Unreachable { .. }
                | ApiError::PortalDown { .. }
                | ApiError::Decode(_)
        )
    }

    /// The same error with `f` applied to every text that came from the server or
    /// the network (the transport scrubs secrets out with it).
    pub(crate) fn map_text(self, f: &impl Fn(&str) -> String) -> ApiError {
        let opt = |m: Option<String>| m.map(|m| f(&m));
        match self {
            ApiError::Forbidden { message, needs } => ApiError::Forbidden {
                message: opt(message),
                needs,
            },
            ApiError::NotFound { message } => ApiError::NotFound {
                message: opt(message),
            },
            ApiError::Rejected { status, message } => ApiError::Rejected {
                status,
                message: opt(message),
            },
            ApiError::Transport {
                reason,
                attempts,
                request_sent,
            } => ApiError::Transport {
                reason: f(&reason),
                attempts,
                request_sent,
            },
            ApiError::Unreachable { reason } => ApiError::Unreachable { reason: f(&reason) },
            ApiError::Redirected { status, target } => ApiError::Redirected {
                status,
                target: f(&target),
            },
            ApiError::WrongPortal { reason } => ApiError::WrongPortal { reason: f(&reason) },
            ApiError::PortalDown { cause } => ApiError::PortalDown {
                cause: Box::new(cause.map_text(f)),
            },
            ApiError::Decode(m) => ApiError::Decode(f(&m)),
            e @ (ApiError::Unauthorized
            | ApiError::RateLimited { .. }
            | ApiError::Server { .. }
            | ApiError::WaitRefused { .. }) => e,
        }
    }
}

/// How a single attempt ended, before retry policy decides what to do with it.
#[derive(Debug)]
pub(crate) enum AttemptError {
    /// Worth another try after a pause; `retry_after` is the server's own hint.
    Transient {
        error: ApiError,
        retry_after: Option<Duration>,
        /// A failure of the portal itself (no connection, a timeout, a dropped
        /// answer, a gateway's 502-504, a page that is not JSON), which the breaker
        /// counts; not a DocSpace JSON error or a rate limit.
        portal: bool,
    },
    Final(ApiError),
}

impl ApiError {
    /// An error that says nothing about one folder and everything about the run:
    /// going on would only repeat it (a refused key, a portal that is down or out
    /// of reach, a wrong address).
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            ApiError::Unauthorized
                | ApiError::PortalDown { .. }
                | ApiError::Unreachable { .. }
                | ApiError::Redirected { .. }
                | ApiError::WrongPortal { .. }
                | ApiError::WaitRefused { .. }
        )
    }
}

/// "1 attempt", "3 attempts".
fn tries(attempts: u32) -> String {
    if attempts == 1 {
        "1 attempt".to_owned()
    } else {
        format!("{attempts} attempts")
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn each_route_needs_the_scope_the_server_maps_it_to() {
        use reqwest::Method;
        assert_eq!(needed_scope(&Method::GET, "rooms"), Some("rooms:read"));
        assert_eq!(needed_scope(&Method::GET, "rooms/12"), Some("rooms:read"));
        assert_eq!(
            needed_scope(&Method::PUT, "rooms/12/links"),
            Some("rooms:write")
        );
        assert_eq!(
            needed_scope(&Method::GET, "folder/5/links"),
            Some("files:read")
        );
        assert_eq!(needed_scope(&Method::GET, "@my"), Some("files:read"));
        assert_eq!(
            needed_scope(&Method::PUT, "folder/5/links"),
            Some("files:write")
        );
        assert_eq!(
            needed_scope(&Method::POST, "folder/5/link"),
            Some("files:write")
        );
        assert_eq!(
            needed_scope(&Method::GET, "../settings/version/build"),
            None
        );
    }

    use super::*;

    #[test]
    fn waits_read_as_a_person_says_them() {
        assert_eq!(human(Duration::from_millis(400)), "1 s");
        assert_eq!(human(Duration::from_secs(45)), "45 s");
        assert_eq!(human(Duration::from_secs(180)), "3 min");
        assert_eq!(human(Duration::from_secs(185)), "3 min 5 s");
        assert_eq!(human(Duration::from_secs(100_000)), "27 h 46 min");
    }

    #[test]
    fn a_rate_limit_says_whether_the_portal_kept_asking_or_asked_too_much() {
        let kept = ApiError::RateLimited {
            attempts: 8,
            waited: Duration::from_secs(59),
            asked: None,
        };
        assert!(
            kept.to_string().contains("kept asking to wait")
                && kept.to_string().contains("8 attempts"),
            "{kept}"
        );
        let too_long = ApiError::RateLimited {
            attempts: 1,
            waited: Duration::ZERO,
            asked: Some(Duration::from_secs(100_000)),
        };
        assert!(too_long.to_string().contains("27 h 46 min"), "{too_long}");
    }

    #[test]
    fn map_text_reaches_nested_causes() {
        let e = ApiError::PortalDown {
            cause: Box::new(ApiError::Decode("said sk-1".to_owned())),
        };
        let scrubbed = e.map_text(&|t: &str| t.replace("sk-1", "[hidden]"));
        assert!(scrubbed.to_string().contains("said [hidden]"), "{scrubbed}");
    }
}
