//! The one error type at the top of a run, and the exit codes of design.md 2.

use crate::docspace::ApiError;
use crate::manifest::ManifestError;

/// Exit codes (a contract with CI scripts).
pub mod exit {
    /// Success; for `plan`, also "no changes".
    pub const OK: u8 = 0;
    /// Bad manifest, bad configuration, authentication or network: state unknown.
    pub const ERROR: u8 = 1;
    /// `plan --detailed-exitcode`: changes are pending.
    pub const CHANGES: u8 = 2;
    /// `apply` finished, but some folders failed (each one is named).
    pub const PARTIAL: u8 = 3;
    /// Refused by a safety rule, or the plan went stale.
    pub const REFUSED: u8 = 4;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Manifest(#[from] ManifestError),
    /// Manifest errors only the portal could reveal, already rendered as snippets.
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Api(#[from] ApiError),
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Io(String),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Refused(_) => exit::REFUSED,
            _ => exit::ERROR,
        }
    }

    /// Manifest errors print their own `error:` headings.
    pub fn is_rendered(&self) -> bool {
        matches!(self, Error::Manifest(_) | Error::Invalid(_))
    }
}
