//! Making the portal match the plan: every write checked against its answer, and
//! a write whose outcome is unknown re-read before it is tried again.

use futures::StreamExt;
use secrecy::ExposeSecret;

use crate::docspace::wire::{LinkRequest, file_share};
use crate::docspace::{ApiError, Transport};
use crate::manifest::{DesiredLink, Manifest};
use crate::model::ObservedAccess;
use crate::plan::{Action, Item, Kind, LinkValues, Plan};
use crate::progress::Progress;
use crate::reconcile::{reconcile, verify};

/// How many times a folder is re-read and written again after writes that failed
/// with an unknown outcome.
const ROUNDS: usize = 4;

/// How one folder ended.
#[derive(Debug)]
pub struct Outcome {
    pub path: String,
    pub folder_id: Option<u64>,
    pub line: u32,
    pub kind: Kind,
    pub result: Result<(), String>,
}

#[derive(Debug, Default)]
pub struct Report {
    /// In plan order.
    pub outcomes: Vec<Outcome>,
}

impl Report {
    pub fn failed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.result.is_err()).count()
    }
    pub fn done(&self, kind: Kind) -> usize {
        self.outcomes
            .iter()
            .filter(|o| o.kind == kind && o.result.is_ok())
            .count()
    }
}

/// Carries out every change of `plan`. Folders that were refused or unreadable at
/// plan time are reported as failed, untouched.
pub async fn apply(
    plan: &Plan,
    manifest: &Manifest,
    transport: &Transport,
    progress: &Progress,
) -> Report {
    let work: Vec<&Item> = plan
        .items
        .iter()
        .filter(|i| i.action.kind() != Kind::Unchanged)
        .collect();
    progress.start("applying", work.len());
    let mut outcomes: Vec<(usize, Outcome)> = futures::stream::iter(work.into_iter().enumerate())
        .map(|(order, item)| async move {
            let result = match &item.action {
                Action::Refused { reason } => Err(format!("refused: {reason}")),
                Action::Unknown { error } => Err(format!("not changed, state unknown: {error}")),
                _ => converge(item, manifest, transport).await,
            };
            progress.inc();
            let outcome = Outcome {
                path: item.path.clone(),
                folder_id: item.folder_id,
                line: item.line,
                kind: item.action.kind(),
                result,
            };
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

async fn converge(item: &Item, manifest: &Manifest, transport: &Transport) -> Result<(), String> {
    let Some(folder) = item.folder_id else {
        return Err("the folder was not found".to_owned());
    };
    let desired = &manifest.entries[item.entry].link;
    let mut action = item.action.clone();
    let mut last_error = String::new();
    for _ in 0..ROUNDS {
        match perform(folder, &action, desired, transport).await {
            Ok(()) => return Ok(()),
            Err(Failure::DidNotTake(msg)) => return Err(msg),
            Err(Failure::Api(e)) if !e.outcome_unknown() => return Err(e.to_string()),
            Err(Failure::Api(e)) => last_error = e.to_string(),
        }
        // The write may or may not have happened: look before writing again. A
        // failed read stops here; it is never taken for "no link".
        let links = transport
            .folder_links(folder)
            .await
            .map_err(|e| format!("{last_error}; re-reading the folder then failed: {e}"))?;
        action = match reconcile(desired, &links.primary).0 {
            Action::Unchanged => return Ok(()),
            Action::Refused { reason } => return Err(format!("refused after a retry: {reason}")),
            next => next,
        };
    }
    Err(format!("gave up after {ROUNDS} attempts: {last_error}"))
}

enum Failure {
    Api(ApiError),
    /// The server answered OK but the link is not what was asked for.
    DidNotTake(String),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        Failure::Api(e)
    }
}

async fn perform(
    folder: u64,
    action: &Action,
    desired: &DesiredLink,
    transport: &Transport,
) -> Result<(), Failure> {
    match action {
        Action::Create { values, .. } => {
            let got = transport
                .create_primary(folder, &request(None, values))
                .await?;
            let wrong = verify(values, &got);
            if wrong.is_empty() {
                return Ok(());
            }
            // POST returns an existing primary link unchanged when one appeared since
            // the plan was made: bring that link in line, by the rules of any update.
            // Otherwise the server made the link but dropped part of what was asked.
            match reconcile(desired, std::slice::from_ref(&got)).0 {
                Action::Unchanged => Ok(()),
                Action::Update {
                    link_id, values, ..
                } => update(folder, &link_id, &values, transport).await,
                _ => Err(Failure::DidNotTake(format!(
                    "the portal made the link but not as asked: {}",
                    wrong.join("; ")
                ))),
            }
        }
        Action::Update {
            link_id, values, ..
        } => update(folder, link_id, values, transport).await,
        Action::Revoke { links } => {
            for link in links {
                let body = LinkRequest::revoke(&link.id);
                if let Some(replacement) = transport.put_link(folder, &body).await? {
                    return Err(Failure::DidNotTake(format!(
                        "the portal replaced the revoked link with a new one ({})",
                        replacement.id
                    )));
                }
            }
            Ok(())
        }
        Action::Unchanged | Action::Refused { .. } | Action::Unknown { .. } => Ok(()),
    }
}

async fn update(
    folder: u64,
    link_id: &str,
    values: &LinkValues,
    transport: &Transport,
) -> Result<(), Failure> {
    match transport
        .put_link(folder, &request(Some(link_id), values))
        .await?
    {
        None => Err(Failure::DidNotTake(
            "the portal answered as if the link had been revoked".to_owned(),
        )),
        Some(got) => {
            let wrong = verify(values, &got);
            if wrong.is_empty() {
                Ok(())
            } else {
                Err(Failure::DidNotTake(format!(
                    "the portal accepted the change but did not make it: {}",
                    wrong.join("; ")
                )))
            }
        }
    }
}

fn request<'a>(link_id: Option<&'a str>, v: &'a LinkValues) -> LinkRequest<'a> {
    LinkRequest {
        link_id,
        access: match v.access {
            ObservedAccess::Known(a) => file_share::from_access(a),
            ObservedAccess::Other(n) => n,
        },
        title: v.title.as_deref(),
        password: v.password.as_ref().map(|p| p.expose_secret()),
        expiration_date: v
            .expires
            .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
        deny_download: v.deny_download,
        internal: v.internal,
        primary: true,
    }
}
