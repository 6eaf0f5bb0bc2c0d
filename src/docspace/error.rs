//! What can go wrong talking to the portal, phrased for the person reading it.

use std::time::Duration;

/// A failed request. Error bodies are only ever mined for the server's `message`:
/// they are never mistaken for data (docspace-api.md 3).
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error(
        "the portal rejected the API token (401); check DOCSPACE_TOKEN and that the key is not expired or revoked"
    )]
    Unauthorized,
    #[error("{}", forbidden_text(.message))]
    Forbidden { message: Option<String> },
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
    #[error("rate limited (429) and still limited after {attempts} attempts")]
    RateLimited { attempts: u32 },
    #[error("server error {status} after {attempts} attempts")]
    Server { status: u16, attempts: u32 },
    #[error("no answer from the portal after {attempts} attempts: {reason}")]
    Transport {
        reason: String,
        attempts: u32,
        /// False when no connection was made, so the server cannot have acted.
        request_sent: bool,
    },
    #[error("unexpected answer from the portal: {0}")]
    Decode(String),
}

fn detail(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!(": {m}"),
        _ => String::new(),
    }
}

fn forbidden_text(message: &Option<String>) -> String {
    match message {
        Some(m) if !m.is_empty() => format!("the portal refused the request (403): {m}"),
        // An API key without the needed scope gets a 403 with an empty body.
        _ => "access denied (403); the API key may lack the files:read / files:write scopes, or the user may not manage this folder's links".to_owned(),
    }
}

impl ApiError {
    /// Whether the request may have been carried out even though it failed: a write
    /// that ends like this must be checked by re-reading before it is sent again.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ApiError::Server { .. } | ApiError::Decode(_) => true,
            ApiError::Transport { request_sent, .. } => *request_sent,
            _ => false,
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
    },
    Final(ApiError),
}

impl ApiError {
    /// An error that says nothing about one folder and everything about the run:
    /// going on would only repeat it.
    pub fn is_fatal(&self) -> bool {
        matches!(self, ApiError::Unauthorized)
    }
}
