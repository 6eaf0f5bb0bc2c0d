//! One folder: re-read, re-derive, write, check. Hand edits made between plan and
//! apply are caught here, per folder, right before each write.

use jiff::Timestamp;

use super::Failure;
use super::verify::{describe_drift, verify};
use crate::docspace::{ApiError, Transport};
use crate::model::{DesiredLink, LinkIdentity, LinkSpec, LinkValues, ObservedLink, Secrets};
use crate::plan::{Action, Context, Item, Write, decide};

/// How many times a folder is re-read and written again after writes whose
/// outcome is unknown (a lost answer, a 5xx). Writes are not retried inside the
/// transport (a repeat could act twice), so this is their whole retry budget: with
/// one write in five failing, four rounds left about one folder in 600 unwritten,
/// eight leave about one in 400,000.
const ROUNDS: usize = 8;

pub(super) async fn converge(
    item: &Item,
    folder: u64,
    secrets: &Secrets,
    echoes: bool,
    transport: &Transport,
) -> Result<(), Failure> {
    let mut last_error: Option<ApiError> = None;
    for _ in 0..ROUNDS {
        // The write may or may not have happened (after a lost answer), and someone
        // may have edited the folder since the plan: look before every write. A
        // failed read stops here; it is never taken for "no link".
        let fresh = transport.folder_links(folder).await.map_err(|e| {
            Failure::Request(match &last_error {
                Some(w) => format!("{w}; re-reading the folder then failed: {e}"),
                None => format!("re-reading the folder before writing failed: {e}"),
            })
        })?;
        let ctx = Context {
            secrets,
            echoes_passwords: echoes || fresh.primary.iter().any(|l| l.password.is_set()),
            now: Timestamp::now(),
        };
        let decision = decide(&item.desired, &fresh.primary, &ctx);
        let same_link = match &item.action {
            Action::Update { target, .. } => {
                fresh.primary.first().map(|l| l.identity()).as_ref() == Some(target)
            }
            _ => true,
        };
        if decision.action == Action::Unchanged && same_link {
            // Converged: by an earlier round's write, or by someone else.
            return Ok(());
        }
        if decision.action != item.action || !same_link {
            return Err(Failure::Stale(describe_drift(
                &item.action,
                &decision.action,
                fresh.primary.first(),
            )));
        }
        let Some(write) = decision.write else {
            return Err(Failure::Stale(describe_drift(
                &item.action,
                &decision.action,
                fresh.primary.first(),
            )));
        };
        match perform(folder, &item.desired, &write, &ctx, transport).await {
            Ok(()) => return Ok(()),
            Err(Step::Failed(f)) => return Err(f),
            Err(Step::Api(e)) if e.outcome_unknown() => last_error = Some(e),
            Err(Step::Api(e)) => return Err(Failure::Request(e.to_string())),
        }
    }
    Err(Failure::Request(format!(
        "gave up after {ROUNDS} writes whose outcome was unknown: {}",
        last_error.map_or_else(String::new, |e| e.to_string())
    )))
}

/// How a write ended when it did not succeed.
enum Step {
    /// A request failed; whether it may have been carried out is in the error.
    Api(ApiError),
    Failed(Failure),
}

impl From<ApiError> for Step {
    fn from(e: ApiError) -> Self {
        Step::Api(e)
    }
}

fn spec(desired: &DesiredLink) -> Option<&LinkSpec> {
    match desired {
        DesiredLink::Present(s) => Some(s),
        DesiredLink::Absent => None,
    }
}

async fn perform(
    folder: u64,
    desired: &DesiredLink,
    write: &Write,
    ctx: &Context<'_>,
    transport: &Transport,
) -> Result<(), Step> {
    match write {
        Write::Create(values) => {
            let got = transport.create_primary(folder, values).await?;
            check(
                spec(desired),
                values,
                &got,
                ctx,
                "the portal made the link but not as asked",
            )
        }
        Write::Update { target, values } => {
            let got = transport
                .update_link(folder, &target.link_id, values)
                .await?
                .ok_or_else(|| {
                    Step::Failed(Failure::DidNotTake(
                        "the portal answered as if the link had been revoked".to_owned(),
                    ))
                })?;
            if !same_share_link(target, &got) {
                return undo_stray(folder, &got, transport).await;
            }
            check(
                spec(desired),
                values,
                &got,
                ctx,
                "the portal accepted the change but did not make it",
            )
        }
        Write::Revoke(targets) => {
            for target in targets {
                if let Some(replacement) = transport.revoke_link(folder, &target.link_id).await? {
                    return Err(Step::Failed(Failure::DidNotTake(format!(
                        "the portal replaced the revoked link with a new one ({})",
                        replacement.id
                    ))));
                }
            }
            // A revoke of an id that no longer exists answers like a revoke
            // (docspace-api.md 2.5): only a read says whether the folder is clear.
            let after = transport.folder_links(folder).await?;
            match after.primary.first() {
                None => Ok(()),
                Some(left) => Err(Step::Failed(Failure::Stale(format!(
                    "the folder still has a primary link after the revoke (link {}); someone may have created it meanwhile",
                    left.id
                )))),
            }
        }
    }
}

/// The share URL tells a link apart from a new one that the server made under the
/// same id: a PUT to an unknown `linkId` creates a link with that id.
fn same_share_link(target: &LinkIdentity, got: &ObservedLink) -> bool {
    match (&target.share_link, &got.share_link) {
        (Some(want), Some(have)) => want == have,
        _ => got.id == target.link_id,
    }
}

/// The update created a link instead of changing the planned one (it was revoked
/// by hand in the meantime): remove what was created by mistake, and say so.
async fn undo_stray(folder: u64, stray: &ObservedLink, transport: &Transport) -> Result<(), Step> {
    let undone = match transport.revoke_link(folder, &stray.id).await {
        Ok(_) => "it was revoked again".to_owned(),
        Err(e) => format!("revoking it again failed ({e}): check the folder by hand"),
    };
    Err(Step::Failed(Failure::Stale(format!(
        "the planned link was removed meanwhile, and the update created a new link in its place; {undone}"
    ))))
}

fn check(
    spec: Option<&LinkSpec>,
    values: &LinkValues,
    got: &ObservedLink,
    ctx: &Context<'_>,
    what: &str,
) -> Result<(), Step> {
    let wrong = spec
        .map(|s| verify(s, values, got, ctx))
        .unwrap_or_default();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(Step::Failed(Failure::DidNotTake(format!(
            "{what}: {}",
            wrong.join("; ")
        ))))
    }
}
