//! The one error type at the top of a run, the exit codes of design.md 2, and the
//! exit policy of plan and apply, all in one place.

use crate::apply::{Failure, Report};
use crate::diagnostic::Code;
use crate::docspace::resolve::ResolveError;
use crate::docspace::{ApiError, SetupError};
use crate::manifest::ManifestError;
use crate::plan::Summary;
use crate::plan::safety::SafetyCheck;
use crate::plan::saved::Error as SavedPlanError;

/// Exit codes (a contract with CI scripts).
pub mod exit {
    /// Success; for `plan`, also "no changes".
    pub const OK: u8 = 0;
    /// Bad manifest, bad configuration, authentication or network: state unknown.
    pub const ERROR: u8 = 1;
    /// `plan --detailed-exitcode`: changes are pending.
    pub const CHANGES: u8 = 2;
    /// `apply` finished, but some folders failed or were stale (each one is named).
    pub const PARTIAL: u8 = 3;
    /// Refused as a whole, nothing written; for `plan`, some folder would be refused.
    pub const REFUSED: u8 = 4;
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Rendered as snippets of the manifest, with their own `error:` headings.
    #[error("{0}")]
    Manifest(#[from] ManifestError),
    #[error("no portal given: pass --portal https://your-portal.example or set DOCSPACE_URL")]
    NoPortal,
    #[error(
        "{var} is not set: create an API key in DocSpace (Developer Tools > API keys, \
         scopes files:read, rooms:read and files:write) and export it as {var}"
    )]
    NoToken { var: &'static str },
    /// The portal's address, or the certificates to trust, cannot be used.
    #[error("{0}")]
    Portal(#[from] SetupError),
    #[error("{0}")]
    Api(#[from] ApiError),
    /// The key stopped working, or the portal went down, half-way through an
    /// apply: `report` says what was done before (JSON carries it beside the error).
    #[error("{cause}")]
    ApplyStopped {
        cause: ApiError,
        report: Box<Report>,
    },
    #[error(
        "apply asks for confirmation, and there is no terminal to ask on; \
         pass --yes to apply without asking (as in CI)"
    )]
    NoTerminal,
    #[error("apply cancelled; nothing was changed")]
    Cancelled,
    #[error(
        "the portal changed while waiting for confirmation, so the plan shown is stale; \
         nothing was changed. Run apply again to review the new plan."
    )]
    StaleWhileConfirming,
    /// `export` would write over a file, and there is no one to ask.
    #[error(
        "export would write over {file}, shown above, and asks first; there is no terminal to ask on: \
         pass --yes to write without asking, or --check to only compare"
    )]
    OverwriteUnconfirmed { file: String },
    #[error("export cancelled; {file} was not changed")]
    ExportCancelled { file: String },
    /// `export --room` names no room, or two.
    #[error("no room is titled `{title}`{hint}")]
    NoSuchRoom {
        title: String,
        /// The titles it may have meant (`suggest::title_hint`), or empty.
        hint: String,
    },
    #[error("two rooms are titled `{title}` (ids {first} and {second}); export them with --all")]
    TwoRooms {
        title: String,
        first: u64,
        second: u64,
    },
    #[error("room `{title}` has a room type this tool does not know ({room_type:?})")]
    UnknownRoomType {
        title: String,
        room_type: Option<i64>,
    },
    /// `export --path` that is not a path; `message` and `help` are the manifest's
    /// rule for paths (`manifest::parse_scope_path`).
    #[error("--path {text}: {message} ({help})")]
    ExportPathSyntax {
        text: String,
        message: String,
        help: String,
    },
    /// `export --path` names no folder the portal has (or one that cannot have links).
    #[error("--path {path}: {source}")]
    ExportPathNotFound { path: String, source: ResolveError },
    /// `export` could not read part of what it was asked to export: a manifest
    /// written from a partial read would claim a subtree it has not seen.
    #[error("{part}: {source}; nothing was written")]
    ExportIncomplete { part: ExportPart, source: ApiError },
    /// A folder the listing says has links, whose links this key reads as none
    /// (docspace-api.md third reading 4 and 11): a manifest written from that read
    /// would say the folder has no link.
    #[error(
        "the portal lists `{folder}` as shared, but shows this API key none of its links (its user may \
         see the folder without managing its links); nothing was written: export with a key that \
         manages the links"
    )]
    ExportLinksHidden { folder: String },
    #[error(
        "apply --format json does not ask for confirmation (the question would break the JSON); \
         pass --yes, or review the plan with `plan --format json` first"
    )]
    ConfirmationInJson,
    /// A safety share (design.md 1.1) went over: one sentence per share.
    #[error(
        "apply refused, nothing was changed: {}. Review the plan; if it is meant, run apply again with --force",
        check.violations().join("; and ")
    )]
    SafetyShare { check: SafetyCheck },
    /// A saved plan that cannot be applied (`apply --plan`).
    #[error(transparent)]
    SavedPlan(#[from] SavedPlanError),
    #[error("apply needs a manifest (-f FILE) or a saved plan (--plan FILE)")]
    NothingToApply,
    #[error("there is no subcommand `{name}`: see `docspace-links --help`")]
    UnknownSubcommand { name: String },
    #[error("cannot {what}: {source}")]
    Io {
        what: &'static str,
        source: std::io::Error,
    },
    /// A file named as input that is not a regular file, too large, or unreadable
    /// (`input`).
    #[error("cannot {what} {path}: {source}")]
    Input {
        what: &'static str,
        path: String,
        source: crate::input::InputError,
    },
    /// The demo's built-in portal does not load (a defect of this build).
    #[error("{0}")]
    DemoSeed(#[from] crate::sim::SeedError),
    #[error("cannot start the simulated portal: {0}")]
    SimulatorStart(std::io::Error),
    /// `sim` failed; its causes are kept and shown in a chain.
    #[error("{0:#}")]
    Simulator(anyhow::Error),
}

impl Error {
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::NoTerminal
            | Error::Cancelled
            | Error::StaleWhileConfirming
            | Error::OverwriteUnconfirmed { .. }
            | Error::ExportCancelled { .. }
            | Error::ConfirmationInJson
            | Error::SafetyShare { .. } => exit::REFUSED,
            Error::SavedPlan(e) if e.refuses() => exit::REFUSED,
            _ => exit::ERROR,
        }
    }

    /// The stable code of the run-wide diagnostic (`"code"` in JSON errors; a
    /// manifest's own diagnostics carry theirs, the portal's answer its own).
    pub fn code(&self) -> Code {
        match self {
            Error::Manifest(_) => Code::InvalidManifest,
            Error::NoPortal => Code::NoPortal,
            Error::NoToken { .. } => Code::NoToken,
            Error::Portal(_) => Code::InvalidPortal,
            Error::Api(e) | Error::ApplyStopped { cause: e, .. } => e.code(),
            Error::NoTerminal => Code::NoTerminal,
            Error::Cancelled => Code::Cancelled,
            Error::StaleWhileConfirming => Code::StaleWhileConfirming,
            Error::ConfirmationInJson => Code::ConfirmationInJson,
            Error::SafetyShare { .. } => Code::SafetyShareExceeded,
            Error::SavedPlan(e) => e.code(),
            Error::UnknownSubcommand { .. } => Code::UnknownSubcommand,
            Error::NothingToApply => Code::NothingToApply,
            Error::OverwriteUnconfirmed { .. } => Code::OverwriteUnconfirmed,
            Error::ExportCancelled { .. } => Code::ExportCancelled,
            Error::NoSuchRoom { .. } => Code::NoSuchRoom,
            Error::TwoRooms { .. } => Code::AmbiguousRoom,
            Error::UnknownRoomType { .. } => Code::UnknownRoomType,
            Error::ExportPathSyntax { .. } => Code::Path,
            Error::ExportPathNotFound { source, .. } => source.code(),
            Error::ExportIncomplete { .. } => Code::ExportIncomplete,
            Error::ExportLinksHidden { .. } => Code::LinksHidden,
            Error::Io { .. } | Error::Input { .. } => Code::Io,
            Error::DemoSeed(_) | Error::SimulatorStart(_) | Error::Simulator(_) => Code::Simulator,
        }
    }

    /// A stable name for scripts (`"kind"` in JSON errors, docs/json.md).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Manifest(_) => "manifest",
            Error::NoPortal => "no_portal",
            Error::NoToken { .. } => "no_token",
            Error::Portal(_) => "portal",
            Error::Api(_) | Error::ApplyStopped { .. } => "api",
            Error::NoTerminal => "no_terminal",
            Error::Cancelled => "cancelled",
            Error::StaleWhileConfirming => "stale_while_confirming",
            Error::ConfirmationInJson => "confirmation_in_json",
            Error::SafetyShare { .. } => "safety_share",
            Error::SavedPlan(e) => e.kind(),
            Error::UnknownSubcommand { .. } => "unknown_subcommand",
            Error::NothingToApply => "nothing_to_apply",
            Error::OverwriteUnconfirmed { .. } => "overwrite_unconfirmed",
            Error::ExportCancelled { .. } => "export_cancelled",
            Error::NoSuchRoom { .. }
            | Error::TwoRooms { .. }
            | Error::UnknownRoomType { .. }
            | Error::ExportPathSyntax { .. }
            | Error::ExportPathNotFound { .. }
            | Error::ExportIncomplete { .. }
            | Error::ExportLinksHidden { .. } => "export",
            Error::Io { .. } | Error::Input { .. } => "io",
            Error::DemoSeed(_) | Error::SimulatorStart(_) | Error::Simulator(_) => "simulator",
        }
    }
}

/// The part of the portal export could not read.
#[derive(Debug)]
pub enum ExportPart {
    /// The folders in this folder could not be listed.
    Listing(String),
    /// This folder's links could not be read.
    Links(String),
}

impl std::fmt::Display for ExportPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportPart::Listing(folder) => {
                write!(f, "the folders in `{folder}` could not be listed")
            }
            ExportPart::Links(folder) => write!(f, "the links of `{folder}` could not be read"),
        }
    }
}

/// `plan`: unknown state is an error; a folder that apply would refuse is a safety
/// stop whatever else is pending; changes are news only when asked for.
pub fn plan_exit_code(summary: &Summary, detailed: bool) -> u8 {
    if summary.unknown > 0 {
        exit::ERROR
    } else if summary.refused > 0 {
        exit::REFUSED
    } else if detailed && summary.pending() > 0 {
        exit::CHANGES
    } else {
        exit::OK
    }
}

/// `apply`: a folder whose state was unknown, at plan time or after writes whose
/// answers were lost, leaves the portal's state unknown (1);
/// nothing done because every change was refused is 4; a run that changed some
/// folders and failed others is 3. A write the portal ignored (answered with the
/// link unchanged) is 3 too: that folder was not brought in line, and its state is
/// known (the answer shows it as it was), so it is neither 1 nor a refusal.
pub fn apply_exit_code(report: &Report) -> u8 {
    let failures: Vec<&Failure> = report
        .outcomes
        .iter()
        .filter_map(|o| o.result.as_ref().err())
        .collect();
    if failures.is_empty() {
        exit::OK
    } else if failures
        .iter()
        .any(|f| matches!(f, Failure::Unknown { .. } | Failure::Uncertain(_)))
    {
        exit::ERROR
    } else if failures.len() == report.outcomes.len()
        && failures
            .iter()
            .all(|f| matches!(f, Failure::Refused { .. }))
    {
        exit::REFUSED
    } else {
        exit::PARTIAL
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply::{Done, Outcome};
    use crate::plan::Kind;

    fn report(results: Vec<Result<Done, Failure>>) -> Report {
        Report {
            outcomes: results
                .into_iter()
                .map(|result| Outcome {
                    extra: None,
                    path: "A".into(),
                    folder_id: Some(1),
                    manifest: "links.yaml".into(),
                    line: 1,
                    kind: Kind::Update,
                    result,
                })
                .collect(),
        }
    }

    #[test]
    fn apply_exit_codes() {
        let refused = || {
            Err(Failure::Refused {
                code: crate::diagnostic::Code::ExpiryDue,
                reason: "r".into(),
            })
        };
        assert_eq!(apply_exit_code(&report(vec![Ok(Done::Written)])), exit::OK);
        assert_eq!(
            apply_exit_code(&report(vec![refused(), refused()])),
            exit::REFUSED
        );
        assert_eq!(
            apply_exit_code(&report(vec![Ok(Done::Written), refused()])),
            exit::PARTIAL
        );
        assert_eq!(
            apply_exit_code(&report(vec![
                Ok(Done::Written),
                Err(Failure::Stale("s".into()))
            ])),
            exit::PARTIAL
        );
        // A write the portal dropped whole: that folder failed, its state is known.
        assert_eq!(
            apply_exit_code(&report(vec![Err(Failure::Ignored("i".into()))])),
            exit::PARTIAL
        );
        assert_eq!(
            apply_exit_code(&report(vec![Ok(Done::AlreadyAsPlanned)])),
            exit::OK
        );
        assert_eq!(
            apply_exit_code(&report(vec![
                Ok(Done::Written),
                refused(),
                Err(Failure::Unknown {
                    code: crate::diagnostic::Code::Forbidden,
                    error: "u".into(),
                })
            ])),
            exit::ERROR
        );
    }

    #[test]
    fn plan_exit_codes() {
        let s = |create, refused, unknown| Summary {
            create,
            refused,
            unknown,
            ..Summary::default()
        };
        assert_eq!(plan_exit_code(&s(0, 0, 0), true), exit::OK);
        assert_eq!(plan_exit_code(&s(1, 0, 0), false), exit::OK);
        assert_eq!(plan_exit_code(&s(1, 0, 0), true), exit::CHANGES);
        assert_eq!(plan_exit_code(&s(1, 1, 0), true), exit::REFUSED);
        assert_eq!(plan_exit_code(&s(1, 1, 1), false), exit::ERROR);
    }
}
