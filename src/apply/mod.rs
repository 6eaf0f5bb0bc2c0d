//! Making the portal match a plan. Apply takes the plan and the secrets its
//! password references name, never the manifest: a saved plan applies the same way
//! as one made a moment ago.
//!
//! Per folder (design.md 2): re-read the links right before writing, re-derive the
//! change from that fresh read, write only if it is the change the plan showed, then
//! check which link answered and what it says.

mod creator;
mod folder;
mod unlisted;
mod verify;

use std::sync::Arc;

use futures::StreamExt;

use crate::diagnostic::Code;
use crate::docspace::{ApiError, Transport};
use crate::model::Secrets;
use crate::plan::{Action, Item, Kind, Plan, UnlistedAction, UnlistedFolder};
use crate::progress::Progress;

/// How one folder ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub path: String,
    /// For an additional link: its title (`Item::extra`).
    pub extra: Option<String>,
    pub folder_id: Option<u64>,
    /// The manifest file and line of the entry, for messages and annotations.
    pub manifest: Arc<str>,
    pub line: u32,
    pub kind: Kind,
    pub result: Result<Done, Failure>,
}

impl Outcome {
    /// As every output names it (`Item::shown`).
    pub fn shown(&self) -> String {
        match &self.extra {
            None => self.path.clone(),
            Some(title) => format!("{} \u{b7} {title:?}", self.path),
        }
    }
}

/// How a folder that is in line got there. A report counts only writes that
/// happened: a saved plan applied a second time, or a folder fixed by hand between
/// plan and apply, is "already as planned", never "created" or "updated".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    /// Apply wrote the change and checked it (or, after a lost answer, a re-read
    /// found that its write had taken).
    Written,
    /// The fresh read right before writing found the folder already as planned:
    /// nothing was written.
    AlreadyAsPlanned,
}

impl Done {
    /// A stable word for scripts (`apply --format json`).
    pub fn kind(self) -> &'static str {
        match self {
            Done::Written => "applied",
            Done::AlreadyAsPlanned => "already_as_planned",
        }
    }
}

/// What is said of a folder found already as planned, in every format.
pub const ALREADY_AS_PLANNED: &str = "already as planned, nothing written";

/// Why a folder was not brought in line.
#[derive(Debug, Clone)]
pub enum Failure {
    /// Refused when the plan was made, by the rule `code` names; nothing was sent.
    /// Also a revoke the portal refused with the creator rule's 403 (or that such a
    /// 403 showed would be refused, `creator.rs`): nothing was written.
    Refused { code: Code, reason: String },
    /// Unreadable when the plan was made (`code`: what the portal answered);
    /// nothing was sent.
    Unknown { code: Code, error: String },
    /// The folder is no longer as the plan showed it; nothing was sent, or what
    /// was sent by mistake was undone.
    Stale(String),
    /// The portal answered, but the link is not what was asked for.
    DidNotTake(String),
    /// A request failed with a clear answer: nothing was written.
    Request { during: During, source: ApiError },
    /// Writes whose answers were lost, and no read since says what they did: the
    /// folder's state is unknown.
    Uncertain(String),
    /// The portal answered the update with the link exactly as it was before,
    /// while the plan changed it: the server drops a write whole when a field the
    /// caller may not edit differs (docspace-api.md third reading 2,
    /// `FileSharing.cs:204-223`). The state is known (unchanged), the change not made.
    Ignored(String),
    /// A concurrent create (another apply) made a second primary link beside
    /// this run's; the message names both, neither is removed. `created`: this
    /// run's create took (its answer came back); after a lost answer which link
    /// is ours is unknown, and nothing is counted.
    SecondPrimaryLink { created: bool, why: String },
    /// The write took (its answer came back), but the read after it that checks
    /// it failed with a clear answer: after a create, the read that looks for a
    /// concurrent apply's second primary link; after a revoke, the read that
    /// checks the folder is clear.
    WrittenUnchecked(String),
}

impl Failure {
    /// Whether this folder's write took even so: it is counted as written (a
    /// report counts what happened) and as one to check by hand, not as failed.
    pub fn wrote(&self) -> bool {
        matches!(
            self,
            Failure::SecondPrimaryLink { created: true, .. } | Failure::WrittenUnchecked(_)
        )
    }

    /// A stable word for scripts (`apply --format json`).
    pub fn kind(&self) -> &'static str {
        match self {
            Failure::Refused { .. } => "refused",
            Failure::Unknown { .. } => "unknown",
            Failure::Stale(_) => "stale",
            Failure::DidNotTake(_) => "did_not_take",
            Failure::Request { .. } => "request_failed",
            Failure::Uncertain(_) => "uncertain",
            Failure::Ignored(_) => "ignored_by_portal",
            Failure::SecondPrimaryLink { .. } => "second_primary_link",
            Failure::WrittenUnchecked(_) => "written_unchecked",
        }
    }

    /// A stable code for scripts: a refused or unknown folder keeps the one its
    /// plan gave it.
    pub fn code(&self) -> Code {
        match self {
            Failure::Refused { code, .. } | Failure::Unknown { code, .. } => *code,
            Failure::Stale(_) => Code::Stale,
            Failure::DidNotTake(_) => Code::DidNotTake,
            Failure::Request { .. } => Code::RequestFailed,
            Failure::Uncertain(_) => Code::Uncertain,
            Failure::Ignored(_) => Code::IgnoredByPortal,
            Failure::SecondPrimaryLink { .. } => Code::SecondPrimaryLink,
            Failure::WrittenUnchecked(_) => Code::WrittenUnchecked,
        }
    }

    /// A few words for people (annotation titles).
    pub fn headline(&self) -> &'static str {
        match self {
            Failure::Refused { .. } => "refused",
            Failure::Unknown { .. } | Failure::Uncertain(_) => "state unknown",
            Failure::Stale(_) => "changed since the plan",
            Failure::DidNotTake(_) => "change did not take",
            Failure::Request { .. } => "request failed",
            Failure::Ignored(_) => "ignored by the portal",
            Failure::SecondPrimaryLink { .. } => "two primary links",
            Failure::WrittenUnchecked(_) => "written, not checked",
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Refused { reason, .. } => write!(f, "refused: {reason}"),
            Failure::Unknown { error, .. } => write!(f, "not changed, state unknown: {error}"),
            Failure::Stale(why) => write!(f, "changed since the plan, not written: {why}"),
            Failure::DidNotTake(why) => f.write_str(why),
            Failure::Request { during, source } => match during {
                During::Write => write!(f, "{source}"),
                During::ReadBefore => {
                    write!(f, "re-reading the folder before writing failed: {source}")
                }
                During::ReadAfterRevoke => {
                    write!(f, "re-reading the folder after revoking failed: {source}")
                }
                During::RevokeLeft { title } => {
                    write!(f, "{source}; link {title:?} is still there")
                }
            },
            Failure::Uncertain(why) => write!(f, "state unknown: {why}"),
            Failure::Ignored(why) => write!(f, "ignored by the portal, nothing changed: {why}"),
            Failure::SecondPrimaryLink { why, .. } | Failure::WrittenUnchecked(why) => {
                f.write_str(why)
            }
        }
    }
}

fn not_found() -> Failure {
    Failure::Unknown {
        code: Code::FolderNotFound,
        error: "the folder was not found".to_owned(),
    }
}

/// Which request of a folder's apply failed.
#[derive(Debug, Clone)]
pub enum During {
    /// A write (create, update, revoke).
    Write,
    /// The fresh read before the first write.
    ReadBefore,
    /// The read that checks a revoke of unlisted links.
    ReadAfterRevoke,
    /// A revoke whose answer was lost, and the link it was for is still there.
    RevokeLeft { title: String },
}

#[derive(Debug, Default, Clone)]
pub struct Report {
    /// In plan order.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    /// Folders not brought in line, whose change did not happen (or may not have).
    pub fn failed(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.result.as_ref().is_err_and(|f| !f.wrote()))
            .count()
    }

    /// Folders of `kind` whose change apply wrote (not those found already so),
    /// those to check by hand included.
    pub fn done(&self, kind: Kind) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.kind == kind)
            .filter(|o| match &o.result {
                Ok(done) => *done == Done::Written,
                Err(f) => f.wrote(),
            })
            .count()
    }

    /// Folders whose write took but need a look by hand (a second primary link
    /// beside it, or the check after it failed): counted in `done`, never in
    /// `failed`.
    pub fn to_check(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.result.as_ref().is_err_and(Failure::wrote))
            .count()
    }

    /// Folders found already as planned: nothing was written for them.
    pub fn already(&self) -> usize {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.result, Ok(Done::AlreadyAsPlanned)))
            .count()
    }
}

/// One folder apply has to do something about.
enum Work<'p> {
    Listed(&'p Item),
    /// Under a scope, listed by no entry: its links are revoked (or it was unreadable).
    Unlisted(&'p UnlistedFolder),
}

/// When the plan's reads were made, which decides whether a create is read first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanRead {
    /// In this run, moments ago (`apply -f`): a create goes without a read of its
    /// own, `POST folder/{id}/link` being get-or-create (see `folder.rs`).
    JustNow,
    /// A saved plan, maybe days old and maybe applied before: each create is read
    /// first, so that a folder already as planned is found so and not written.
    Saved,
}

/// Carries out every change of `plan`. Folders that were refused or unreadable at
/// plan time are reported as failed, untouched; reported unlisted links are only
/// the plan's news, and nothing is written for them.
pub async fn apply(
    plan: &Plan,
    secrets: &Secrets,
    transport: &Transport,
    progress: &Progress,
    read: PlanRead,
) -> Report {
    let work: Vec<Work> = plan
        .items
        .iter()
        .filter(|i| i.action.kind() != Kind::Unchanged)
        .map(Work::Listed)
        .chain(
            plan.unlisted
                .iter()
                .filter(|u| !matches!(u.action, UnlistedAction::Report { .. }))
                .map(Work::Unlisted),
        )
        .collect();
    progress.start("applying", work.len());
    let echoes = plan.portal_echoes_passwords;
    let refusals = creator::Refusals::default();
    let refusals = &refusals;
    let mut outcomes: Vec<(usize, Outcome)> = futures::stream::iter(work.into_iter().enumerate())
        .map(|(order, work)| async move {
            let outcome = match work {
                Work::Listed(item) => {
                    let result = match (&item.action, item.folder_id) {
                        (Action::Refused { code, reason }, _) => Err(Failure::Refused {
                            code: *code,
                            reason: reason.clone(),
                        }),
                        (Action::Unknown { code, error }, _) => Err(Failure::Unknown {
                            code: *code,
                            error: error.clone(),
                        }),
                        (_, None) => Err(not_found()),
                        (_, Some(id)) => {
                            folder::converge(item, id, secrets, echoes, read, transport, refusals)
                                .await
                        }
                    };
                    Outcome {
                        path: item.path.clone(),
                        extra: item.extra.clone(),
                        folder_id: item.folder_id,
                        manifest: item.manifest.clone(),
                        line: item.line,
                        kind: item.action.kind(),
                        result,
                    }
                }
                Work::Unlisted(u) => {
                    let result = match (&u.action, u.folder_id) {
                        (UnlistedAction::Revoke { links }, Some(id)) => {
                            unlisted::revoke(
                                u,
                                links,
                                id,
                                u.creator.as_deref(),
                                transport,
                                refusals,
                            )
                            .await
                        }
                        (UnlistedAction::Unknown { code, error }, _) => Err(Failure::Unknown {
                            code: *code,
                            error: error.clone(),
                        }),
                        (UnlistedAction::Refused { code, reason, .. }, _) => {
                            Err(Failure::Refused {
                                code: *code,
                                reason: reason.clone(),
                            })
                        }
                        _ => Err(not_found()),
                    };
                    Outcome {
                        path: u.path.clone(),
                        extra: None,
                        folder_id: u.folder_id,
                        manifest: u.manifest.clone(),
                        line: u.line,
                        kind: match u.action {
                            UnlistedAction::Unknown { .. } => Kind::Unknown,
                            UnlistedAction::Refused { .. } => Kind::Refused,
                            _ => Kind::Revoke,
                        },
                        result,
                    }
                }
            };
            progress.inc();
            (order, outcome)
        })
        .buffer_unordered(transport.parallelism() * 2)
        .collect()
        .await;
    progress.finish();
    outcomes.sort_by_key(|(order, _)| *order);
    Report {
        outcomes: outcomes.into_iter().map(|(_, o)| o).collect(),
    }
}
