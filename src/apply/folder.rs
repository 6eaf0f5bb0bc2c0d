//! One folder: re-read, re-derive, write, check. Hand edits made between plan and
//! apply are caught here, per folder, right before each write.

use std::time::Duration;

use jiff::Timestamp;

use super::creator::{Refusals, Turn};
use super::verify::{describe_drift, verify, wider};
use super::{Done, During, Failure, PlanRead};
use crate::diagnostic::Code;
use crate::docspace::api::FolderLinks;
use crate::docspace::{ApiError, Transport};
use crate::model::{
    DesiredLink, LinkIdentity, LinkSpec, LinkValues, ObservedLink, ObservedPassword, Secrets,
};
use crate::plan::{Action, Context, Item, SeenPassword, Write, decide};

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
    read: PlanRead,
    transport: &Transport,
    refusals: &Refusals,
) -> Result<Done, Failure> {
    let mut last_error: Option<ApiError> = None;
    let release = transport.release();
    for round in 0..ROUNDS {
        if let Some(e) = &last_error {
            // A write whose answer was lost may still be running on the server: a
            // re-read too soon would miss it, and a second POST beside it can make
            // a second primary link (docspace-api.md 1).
            tokio::time::sleep(settle(e, round)).await;
        }
        // Only the folder's creator may revoke: what the portal answered one
        // revoke of a creator's folders holds for all of them (`creator.rs`).
        // Waited for before the read, so that the wait does not widen the gap
        // between the read and the write.
        let turn = match item.action {
            Action::Revoke { .. } => Some(refusals.turn(item.creator.as_deref()).await),
            _ => None,
        };
        if let Some(refused) = turn.as_ref().and_then(Turn::refused) {
            return Err(refused);
        }
        // The write may or may not have happened (after a lost answer), and someone
        // may have edited the folder since the plan: look before every update and
        // revoke. A failed read stops here; it is never taken for "no link".
        //
        // Not before a planned create's first write: `POST folder/{id}/link` is
        // get-or-create (docspace-api.md 1), so a link made by hand meanwhile comes
        // back unchanged instead of a second one, and the answer check below says
        // so (`not_ours`). After a lost answer the folder is read like any other,
        // and so is every folder of a saved plan (`PlanRead::Saved`).
        //
        // An additional link is always read first: its create is a `PUT` with an
        // empty `linkId`, which makes a new link every time it is sent.
        let fresh = if round == 0
            && read == PlanRead::JustNow
            && item.extra.is_none()
            && matches!(item.action, Action::Create { .. })
        {
            FolderLinks::default()
        } else {
            transport.folder_links(folder).await.map_err(|e| match &last_error {
                Some(w) => Failure::Uncertain(format!(
                    "{w}; re-reading the folder then failed, so whether the write happened is unknown: {e}"
                )),
                None => Failure::Request {
                    during: During::ReadBefore,
                    source: e,
                },
            })?
        };
        if last_error.is_none() && !item.seen.is_empty() {
            links_not_hidden(folder, &fresh, transport).await?;
        }
        // The links this item is about: the primary ones, or the additional ones
        // with its title (design.md 1.2).
        let targeted = targeted(item, &fresh);
        let ctx = Context {
            secrets,
            echoes_passwords: echoes || targeted.iter().any(|l| l.password.is_set()),
            release: &release,
            now: Timestamp::now(),
            placement: item.placement,
            additional: item.extra.is_some(),
        };
        let current = targeted.first();
        if let Some(reason) = password_vanished(item, current) {
            return Err(Failure::Stale(reason));
        }
        if let (Some(title), true) = (&item.extra, targeted.len() > 1) {
            return Err(Failure::Stale(format!(
                "the folder now has {} additional links titled {title:?}: which one is meant is not guessed; revoke or rename the one not wanted by hand, then run plan again",
                targeted.len()
            )));
        }
        if let (Action::Create { .. }, Some(lost), true) =
            (&item.action, &last_error, fresh.primary.len() > 1)
        {
            // The create's answer was lost and the folder now has several primary
            // links: a concurrent create raced it (`after_create`), and which link
            // is this run's is unknown. Named, not guessed.
            return Err(Failure::SecondPrimaryLink {
                created: false,
                why: format!(
                    "a concurrent create made a second primary link: the answer to this run's create was lost ({lost}), and the folder now has {}; neither was removed: revoke the one not wanted by hand, then run plan again",
                    named(&fresh.primary)
                ),
            });
        }
        let decision = decide(&item.desired, &targeted, &ctx);
        if let (Action::Update { target, .. }, Some(link), Some(_)) =
            (&item.action, current, &last_error)
            && link.id == target.link_id
            && !same_share_link(target, link)
        {
            // Our own update, whose answer was lost, went to a link revoked
            // meanwhile and made a new one under its id: take it back.
            return undo_stray(folder, link, transport)
                .await
                .map(|()| Done::Written)
                .map_err(|s| match s {
                    Step::Failed(f) => f,
                    Step::Api(e) => written(e),
                });
        }
        let same_link = match &item.action {
            Action::Update { target, .. } => current.map(|l| l.identity()).as_ref() == Some(target),
            _ => true,
        };
        if decision.action == Action::Unchanged && same_link {
            // Converged. After a write whose answer was lost, by that write; before
            // any write of this run, by an earlier apply of the same plan or by a
            // hand edit to the same end: nothing was written, and the report says so.
            return Ok(if last_error.is_some() {
                Done::Written
            } else {
                Done::AlreadyAsPlanned
            });
        }
        let planned = item.action == decision.action
            || (last_error.is_some() && continues(&item.action, &decision.action));
        let (true, true, Some(write)) = (planned, same_link, decision.write) else {
            return Err(Failure::Stale(describe_drift(
                &item.action,
                &decision.action,
                current,
            )));
        };
        // Where the folder may have several primary links, a create is followed
        // by a read (`after_create`); where this run could not tell, too. An
        // additional link's create is read before instead.
        let may_race = item.extra.is_none()
            && item
                .placement
                .is_none_or(|p| p.allows_several_primary_links());
        match perform(folder, item, &write, &targeted, &ctx, may_race, transport).await {
            Ok(done) => {
                if let Some(t) = turn {
                    t.allowed();
                }
                return Ok(done);
            }
            Err(Step::Failed(f)) => {
                // A revoke fails this way only once the portal answered it
                // without the creator rule's 403: the key's user may revoke
                // this creator's folders, and the others need not go one by one.
                if let Some(t) = turn {
                    t.allowed();
                }
                return Err(f);
            }
            Err(Step::Api(e)) if e.outcome_unknown() => last_error = Some(e),
            Err(Step::Api(e)) => {
                return Err(turn.and_then(|t| t.learn(&e)).unwrap_or_else(|| written(e)));
            }
        }
    }
    Err(Failure::Uncertain(format!(
        "gave up after {ROUNDS} writes whose outcome was unknown: {}",
        last_error.map_or_else(String::new, |e| e.to_string())
    )))
}

/// A revoke answered with a link: the same one, unchanged, when the portal
/// dropped the write (a field this key may not edit differs, third reading 2),
/// or a fresh default one that the portal put in its place (2.5).
pub(super) fn not_revoked(revoked: &str, answer: &ObservedLink) -> Failure {
    if answer.id == revoked {
        Failure::Ignored(
            "the portal answered the revoke with the link unchanged (it drops a whole write when a \
             field this key may not edit there differs, docspace-api.md third reading 2): \
             the link is still there"
                .to_owned(),
        )
    } else {
        Failure::DidNotTake(format!(
            "the portal replaced the revoked link with a new one ({})",
            answer.id
        ))
    }
}

/// The plan saw links on the folder, and the read right before writing shows
/// none at all. Gone by hand, or this key no longer sees them: a key whose user
/// may see a folder but not manage its links reads `[]` (docspace-api.md third
/// reading 11). The folder's own `shared` flag, false only when it has no link
/// row at all (third reading 4), tells the two apart; anything else is unknown,
/// never "no link".
pub(super) async fn links_not_hidden(
    folder: u64,
    fresh: &FolderLinks,
    transport: &Transport,
) -> Result<(), Failure> {
    if !fresh.is_empty() {
        return Ok(());
    }
    let dto = transport
        .folder(folder)
        .await
        .map_err(|source| Failure::Request {
            during: During::ReadBefore,
            source,
        })?;
    if dto.shared == Some(false) {
        return Ok(());
    }
    Err(Failure::Unknown {
        code: Code::LinksHidden,
        error: concat!(
            "the plan saw links on this folder, and now the portal shows this API key none ",
            "while it does not say the folder has none (`shared`): its user may see the folder ",
            "without managing its links; nothing was written"
        )
        .to_owned(),
    })
}

fn written(source: ApiError) -> Failure {
    Failure::Request {
        during: During::Write,
        source,
    }
}

/// How long to let a write whose answer was lost settle before looking: longer
/// after a timeout, or a gateway's 504 (a proxy in front of the portal gave up
/// on a slow answer while the server may still be working on the write; a create
/// sent again beside it can make a second primary link, third reading 6),
/// growing each round. A 502 or 503 is most often a write that never reached
/// the server, and is looked at sooner.
fn settle(e: &ApiError, round: usize) -> Duration {
    let base = match e {
        ApiError::Transport { reason, .. } if reason.contains("timed out") => {
            Duration::from_secs(5)
        }
        ApiError::Server { status: 504, .. } => Duration::from_secs(5),
        _ => Duration::from_millis(250),
    };
    (base * 2u32.saturating_pow(u32::try_from(round).unwrap_or(u32::MAX))).min(SETTLE_MAX)
}

/// The most a folder waits before re-reading after a lost answer.
const SETTLE_MAX: Duration = Duration::from_secs(20);

/// After a lost answer, the fresh decision may be the rest of the planned one: a
/// revoke of several links of which the first already went.
fn continues(planned: &Action, now: &Action) -> bool {
    match (planned, now) {
        (Action::Revoke { links: all }, Action::Revoke { links: left }) => {
            left.iter().all(|l| all.contains(l))
        }
        _ => false,
    }
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

/// `seen` is the links this item is about (primary, or additional with the
/// item's title) as the fresh read showed them right before this write.
async fn perform(
    folder: u64,
    item: &Item,
    write: &Write,
    seen: &[ObservedLink],
    ctx: &Context<'_>,
    may_race: bool,
    transport: &Transport,
) -> Result<Done, Step> {
    // The link this item manages.
    let before = seen.first();
    let (extra, desired) = (item.extra.as_deref(), &item.desired);
    match write {
        Write::Create(values) => {
            let got = match extra {
                // `PUT folder/{id}/links` with an empty `linkId` and `primary:
                // false` (design.md 1.2); read just before, so nobody's link is there.
                Some(_) => transport.create_additional(folder, values).await?,
                None => {
                    let got = transport.create_primary(folder, values).await?;
                    // A link that was already there and matches the create in every field
                    // cannot be told from one just made: the answer carries no creation
                    // time (`FileShareDto.cs`, `FileShareLink`). Only the race between this
                    // run's plan read and the POST can hide it, and then it counts as
                    // created; a saved plan's creates are read first, and a folder found
                    // so there is "already as planned".
                    if let Some(why) = not_ours(values, &got) {
                        // A link was there already: made by hand since the plan (the plan
                        // read none, or the folder was listed as not shared). It is not
                        // ours to judge or revoke.
                        return Err(Step::Failed(Failure::Stale(format!(
                            "a primary link was made since the plan (link {}; {why}): the create returned it unchanged and wrote nothing; run plan again",
                            got.id
                        ))));
                    }
                    got
                }
            };
            let made = check(
                spec(desired),
                values,
                &got,
                ctx,
                "the portal made the link but not as asked",
            );
            match made {
                // A link just made that exposes more than asked (no expiry, no
                // password, not internal, wider access) is not left live.
                Err(Step::Failed(Failure::DidNotTake(why))) if wider(values, &got, ctx) => {
                    Err(undo_wider(folder, &got, why, transport).await)
                }
                Ok(()) if may_race => after_create(folder, &got, transport).await,
                other => other.map(|()| Done::Written),
            }
        }
        Write::Update { target, values } => {
            let got = transport
                .update_link(folder, &target.link_id, values, extra.is_none())
                .await?
                .ok_or_else(|| {
                    Step::Failed(Failure::DidNotTake(
                        "the portal answered as if the link had been revoked".to_owned(),
                    ))
                })?;
            if !same_share_link(target, &got) {
                return undo_stray(folder, &got, transport)
                    .await
                    .map(|()| Done::Written);
            }
            if let Some(before) = before
                && let Some(why) = ignored(values, before, &got, ctx.echoes_passwords)
            {
                return Err(Step::Failed(Failure::Ignored(why)));
            }
            check(
                spec(desired),
                values,
                &got,
                ctx,
                "the portal accepted the change but did not make it",
            )
            .map(|()| Done::Written)
        }
        Write::Revoke(targets) => {
            for (done, target) in targets.iter().enumerate() {
                let current = seen.iter().find(|l| l.id == target.link_id);
                let replaced = match transport
                    .revoke_link(folder, &target.link_id, current)
                    .await
                {
                    Ok(r) => r,
                    // Some links went already, and this one was clearly refused:
                    // not "nothing written". (A lost answer is re-read instead.)
                    Err(e) if done > 0 && !e.outcome_unknown() => {
                        return Err(Step::Failed(Failure::DidNotTake(format!(
                            "{done} of {} primary links revoked, then revoking link {} failed: {e}",
                            targets.len(),
                            target.link_id
                        ))));
                    }
                    Err(e) => return Err(Step::Api(e)),
                };
                if let Some(answer) = replaced {
                    return Err(Step::Failed(not_revoked(&target.link_id, &answer)));
                }
            }
            // A revoke of an id that no longer exists answers like a revoke
            // (docspace-api.md 2.5): only a read says whether the folder is clear.
            // The revokes were answered: a clear failure of this read leaves them
            // written, and unchecked.
            let after = match transport.folder_links(folder).await {
                Ok(after) => after,
                Err(e) if e.outcome_unknown() => return Err(Step::Api(e)),
                Err(e) => {
                    return Err(Step::Failed(Failure::WrittenUnchecked(format!(
                        "the revoke was answered, but the read that checks the folder is clear failed ({e}); look at the folder or run plan"
                    ))));
                }
            };
            if let Some(title) = extra {
                return match after.additional.iter().find(|l| l.title == title) {
                    None => Ok(Done::Written),
                    Some(left) => Err(Step::Failed(Failure::Stale(format!(
                        "the folder still has an additional link titled {title:?} after the revoke (link {}); someone may have created it meanwhile",
                        left.id
                    )))),
                };
            }
            match after.primary.first() {
                None => Ok(Done::Written),
                Some(left) => Err(Step::Failed(Failure::Stale(format!(
                    "the folder still has a primary link after the revoke (link {}); someone may have created it meanwhile",
                    left.id
                )))),
            }
        }
    }
}

/// A link just made that exposes more than asked (no expiry, no password, not
/// internal, wider access) is not left live: revoked again, and said so.
async fn undo_wider(folder: u64, got: &ObservedLink, why: String, transport: &Transport) -> Step {
    let undone = match transport.revoke_link(folder, &got.id, Some(got)).await {
        Ok(None) => "it exposed more than asked, so it was revoked again".to_owned(),
        Ok(Some(_)) => "it exposed more than asked; revoking it made the portal put a default link in its place: check the folder".to_owned(),
        Err(e) => format!("it exposes more than asked, and revoking it failed ({e}): check the folder by hand"),
    };
    Step::Failed(Failure::DidNotTake(format!("{why}; {undone}")))
}

/// The links `item` is about in a fresh read: the folder's primary links, or its
/// additional links with the item's title.
fn targeted(item: &Item, fresh: &FolderLinks) -> Vec<ObservedLink> {
    match &item.extra {
        None => fresh.primary.clone(),
        Some(title) => fresh
            .additional
            .iter()
            .filter(|l| l.title == *title)
            .cloned()
            .collect(),
    }
}

/// Whether the portal dropped an update whole: it answered with the link exactly
/// as the fresh read showed it before the write, while the write changed some of
/// it. The server drops a write whose `internal` or expiry differs from the
/// link's where the caller may not edit them, and answers 200 with the link
/// unchanged, title, access and password included (docspace-api.md third reading
/// 2, `FileSharing.cs:204-223`). The tool sends what the room forces and the
/// link's current expiry where it is fixed (`plan::placement`), so this is an
/// editability the tool did not know of: told as such, never as done.
fn ignored(
    values: &LinkValues,
    before: &ObservedLink,
    got: &ObservedLink,
    echoes: bool,
) -> Option<String> {
    use secrecy::ExposeSecret;
    let password = |p: &ObservedPassword| match p {
        ObservedPassword::Known(s) => Some(s.expose_secret().to_owned()),
        ObservedPassword::Unknown => None,
    };
    // A password the portal does not show cannot be seen to change: only where
    // it echoes passwords does "no password key" mean none.
    let asked_password_change = match &before.password {
        ObservedPassword::Known(k) => values
            .password
            .as_ref()
            .is_none_or(|w| w.expose_secret() != k.expose_secret()),
        ObservedPassword::Unknown => echoes && values.password.is_some(),
    };
    let unchanged = got.access == before.access
        && got.title == before.title
        && password(&got.password) == password(&before.password)
        && got.expires == before.expires
        && got.deny_download == before.deny_download
        && got.internal == before.internal;
    let asked_change = values.access != before.access
        || values.title.as_ref().is_some_and(|t| *t != before.title)
        || asked_password_change
        || values.expires != before.expires
        || values.deny_download != before.deny_download
        || values.internal != before.internal;
    (unchanged && asked_change).then(|| {
        "the portal answered OK with the link exactly as it was (it drops a whole write when a \
         field this key may not edit here differs, docspace-api.md third reading 2): no field \
         was changed; check which fields the room lets this key edit"
            .to_owned()
    })
}

/// Two applies at once (two CI jobs, two people) can both create: get-or-create
/// reads and then creates with no lock between (`FileStorageService.cs:3989-4022`,
/// docspace-api.md third reading 6), so where the folder may have several primary
/// links both racing POSTs make one, and each answer shows only its own link.
/// Only a read after the create can tell, and `GET folder/{id}/links` is the one
/// read that lists primary links without creating any (`GET .../link` creates).
/// One such read per create, and only where the server allows a second primary
/// link: of two racing applies, whichever reads last sees both links, so one of
/// them always says so. Which link to keep is not ours to guess: both are named,
/// neither is removed.
async fn after_create(
    folder: u64,
    made: &ObservedLink,
    transport: &Transport,
) -> Result<Done, Step> {
    let now = transport.folder_links(folder).await.map_err(|e| {
        Step::Failed(Failure::WrittenUnchecked(format!(
            "the link {} ({:?}) was created, but the read that checks the folder has no other primary link failed ({e}): another apply at the same time may have made a second one; look at the folder or run plan",
            made.id, made.title
        )))
    })?;
    let others: Vec<ObservedLink> = now
        .primary
        .into_iter()
        .filter(|l| l.id != made.id)
        .collect();
    if others.is_empty() {
        return Ok(Done::Written);
    }
    Err(Step::Failed(Failure::SecondPrimaryLink {
        created: true,
        why: format!(
            "a concurrent create made a second primary link: this run made link {} ({:?}), and the folder also has {}; neither was removed: revoke the one not wanted by hand, then run plan again",
            made.id,
            made.title,
            named(&others)
        ),
    }))
}

/// `link ID ("title") and link ID ("title")`, as the second-link messages name them.
fn named(links: &[ObservedLink]) -> String {
    links
        .iter()
        .map(|l| format!("link {} ({:?})", l.id, l.title))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Whether the link a create answered with is one that was already there rather
/// than the one just made from the request: `POST folder/{id}/link` returns an
/// existing primary link unchanged and ignores the body (docspace-api.md 1). The
/// server may force `internal` and the expiry on a link it creates (2.4) but never
/// the access (an invalid one is a 403, 2.1), `denyDownload`, the title asked for, or the password
/// (POST does not even trim it, 2.3): a difference there is somebody else's link.
fn not_ours(values: &LinkValues, got: &ObservedLink) -> Option<String> {
    use secrecy::ExposeSecret;
    if got.access != values.access {
        return Some(format!("its access is {}", got.access));
    }
    if got.deny_download != values.deny_download {
        return Some(format!(
            "it {} downloads",
            if got.deny_download {
                "denies"
            } else {
                "allows"
            }
        ));
    }
    if let Some(title) = &values.title
        && *title != got.title
    {
        return Some(format!("its title is {:?}", got.title));
    }
    match (&values.password, &got.password) {
        (Some(w), ObservedPassword::Known(k)) if w.expose_secret() != k.expose_secret() => {
            Some("its password is another one".to_owned())
        }
        (None, ObservedPassword::Known(_)) => Some("it has a password".to_owned()),
        _ => None,
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
    let undone = match transport.revoke_link(folder, &stray.id, Some(stray)).await {
        Ok(None) => "it was revoked again".to_owned(),
        Ok(Some(fresh)) => format!(
            "it was revoked again, and the portal put a default link ({}) in its place",
            fresh.id
        ),
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

/// The plan saw a password on the link it targets, the manifest leaves it
/// unmanaged (an update copies it), and the portal now answers the link without
/// one. Removed by hand, or hidden by a release or a proxy that stopped returning
/// passwords: the two cannot be told apart, and guessing "none" would write the
/// link without its password. The folder changed since the plan either way.
fn password_vanished(item: &Item, current: Option<&ObservedLink>) -> Option<String> {
    let DesiredLink::Present(spec) = &item.desired else {
        return None;
    };
    let (seen, now) = (item.seen.first()?, current?);
    let unmanaged = spec.password.is_none();
    let same_link = seen.target == now.identity();
    (unmanaged && same_link && seen.password == SeenPassword::Set && !now.password.is_set()).then(
        || {
            "the plan saw a password on this link and the portal now answers it without one \
         (removed by hand, or no longer returned): an update would write the link without \
         a password; run plan again"
                .to_owned()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Access, ObservedAccess};
    use secrecy::SecretString;

    #[test]
    fn a_gateway_timeout_settles_as_long_as_a_timeout() {
        let server = |status| ApiError::Server {
            status,
            attempts: 1,
        };
        let timeout = ApiError::Transport {
            reason: "operation timed out".into(),
            attempts: 1,
            request_sent: true,
        };
        assert_eq!(settle(&server(504), 1), settle(&timeout, 1));
        assert_eq!(settle(&server(504), 1), Duration::from_secs(10));
        assert_eq!(settle(&server(502), 1), Duration::from_millis(500));
        assert_eq!(settle(&server(500), 8), SETTLE_MAX);
    }

    fn asked(from: &ObservedLink) -> LinkValues {
        LinkValues {
            access: from.access,
            title: Some(from.title.clone()),
            password: match &from.password {
                ObservedPassword::Known(p) => Some(p.clone()),
                ObservedPassword::Unknown => None,
            },
            expires: from.expires,
            deny_download: from.deny_download,
            internal: from.internal,
        }
    }

    #[test]
    fn an_answer_equal_to_the_link_before_a_change_is_ignored() {
        let before = ObservedLink::example();
        let mut values = asked(&before);
        values.access = ObservedAccess::Known(Access::Editing);
        assert!(ignored(&values, &before, &before, true).is_some());
        // The change took: not ignored.
        let mut got = before.clone();
        got.access = ObservedAccess::Known(Access::Editing);
        assert!(ignored(&values, &before, &got, true).is_none());
        // Nothing was asked to change: not ignored either.
        assert!(ignored(&asked(&before), &before, &before, true).is_none());
    }

    #[test]
    fn a_password_the_portal_does_not_show_is_no_evidence() {
        let mut before = ObservedLink::example();
        before.password = ObservedPassword::Unknown;
        let mut values = asked(&before);
        values.password = Some(SecretString::from("New-pass-42"));
        // Hidden passwords: the answer cannot show the new one.
        assert!(ignored(&values, &before, &before, false).is_none());
        // Echoed passwords: "none" before and after while one was sent.
        assert!(ignored(&values, &before, &before, true).is_some());
        // A known password asked to change, answered unchanged.
        let before = ObservedLink::example();
        let mut values = asked(&before);
        values.password = Some(SecretString::from("Other-pass-9"));
        assert!(ignored(&values, &before, &before, true).is_some());
    }
}
