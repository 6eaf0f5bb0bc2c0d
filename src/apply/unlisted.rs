//! Revoking the links of a folder that a scope covers and no entry lists
//! (`unlisted: revoke`), or a listed folder's unnamed additional links
//! (`extra_unlisted: revoke`). As for every write: re-read first, and write only what the
//! plan showed.

use super::creator::Refusals;
use super::{Done, During, Failure};
use crate::docspace::Transport;
use crate::docspace::api::FolderLinks;
use crate::model::ObservedLink;
use crate::plan::{UnlistedFolder, UnlistedLink};

/// The folder's links that are unlisted: all of a folder no entry lists; a listed
/// folder's additional links that no `extra_links` key names (`extra_unlisted`).
fn covered<'a>(unlisted: &UnlistedFolder, links: &'a FolderLinks) -> Vec<&'a ObservedLink> {
    let primary = links.primary.iter().map(|l| (l, true));
    let additional = links.additional.iter().map(|l| (l, false));
    primary
        .chain(additional)
        .filter(|(l, p)| unlisted.covers(l, *p))
        .map(|(l, _)| l)
        .collect()
}

pub(super) async fn revoke(
    unlisted: &UnlistedFolder,
    planned: &[UnlistedLink],
    folder: u64,
    creator: Option<&str>,
    transport: &Transport,
    refusals: &Refusals,
) -> Result<Done, Failure> {
    let turn = refusals.turn(creator).await;
    if let Some(refused) = turn.refused() {
        return Err(refused);
    }
    let mut turn = Some(turn);
    let fresh = transport
        .folder_links(folder)
        .await
        .map_err(|source| Failure::Request {
            during: During::ReadBefore,
            source,
        })?;
    let current = covered(unlisted, &fresh);
    // A link made since the plan was never shown to anyone: revoke nothing here.
    if let Some(new) = current
        .iter()
        .find(|l| !planned.iter().any(|p| p.target == l.identity()))
    {
        return Err(Failure::Stale(format!(
            "a link the plan did not show is on the folder now ({:?}, link {}); run plan again",
            new.title, new.id
        )));
    }
    // The links to revoke; a kept one (the portal would only replace it) stays.
    let revoke: Vec<&UnlistedLink> = planned.iter().filter(|p| !p.kept).collect();
    if !revoke
        .iter()
        .any(|p| current.iter().any(|l| l.identity() == p.target))
    {
        // Every planned link is gone already (an earlier apply, or by hand), if
        // the folder says it has none: not when this key no longer sees them.
        super::folder::links_not_hidden(folder, &fresh, transport).await?;
        return Ok(Done::AlreadyAsPlanned);
    }
    let mut last_error = None;
    let mut replaced = None;
    let mut answered = 0;
    for link in &revoke {
        let Some(seen) = current.iter().find(|l| l.identity() == link.target) else {
            // Gone already: revoked by an earlier run, or by hand.
            continue;
        };
        match transport
            .revoke_link(folder, &link.target.link_id, Some(seen))
            .await
        {
            Ok(None) => {
                answered += 1;
                if let Some(t) = turn.take() {
                    t.allowed();
                }
            }
            Ok(Some(replacement)) => {
                answered += 1;
                // The others are revoked all the same: one replaced link is no
                // reason to leave the rest live.
                replaced.get_or_insert(super::folder::not_revoked(
                    &link.target.link_id,
                    &replacement,
                ));
            }
            Err(e) if e.outcome_unknown() => last_error = Some(e),
            Err(source) => {
                if let Some(refused) = turn.take().and_then(|t| t.learn(&source)) {
                    return Err(refused);
                }
                if answered > 0 {
                    // Not "nothing written": some links went already.
                    return Err(Failure::DidNotTake(format!(
                        "{answered} of {} links revoked, then revoking {:?} failed: {source}",
                        revoke.len(),
                        link.title
                    )));
                }
                return Err(Failure::Request {
                    during: During::Write,
                    source,
                });
            }
        }
    }
    // A revoke of an id that no longer exists answers like a revoke
    // (docspace-api.md 2.5): only a read says whether the folder is clear.
    let after = transport.folder_links(folder).await.map_err(|source| {
        if let Some(lost) = &last_error {
            // A revoke whose answer was lost, and no read since: unknown.
            Failure::Uncertain(format!(
                "{lost}; re-reading the folder then failed, so whether the revoke happened is unknown: {source}"
            ))
        } else if answered > 0 {
            // Every revoke was answered: they are written, only unchecked.
            Failure::WrittenUnchecked(format!(
                "the revokes were answered, but the read that checks the folder is clear failed ({source}); look at the folder or run plan"
            ))
        } else {
            Failure::Request {
                during: During::ReadAfterRevoke,
                source,
            }
        }
    })?;
    let left: Vec<&ObservedLink> = covered(unlisted, &after)
        .into_iter()
        .filter(|l| revoke.iter().any(|p| p.target == l.identity()))
        .collect();
    if let Some(failure) = replaced {
        return Err(failure);
    }
    match (left.first(), last_error) {
        (None, _) => Ok(Done::Written),
        (Some(l), Some(source)) => Err(Failure::Request {
            during: During::RevokeLeft {
                title: l.title.clone(),
            },
            source,
        }),
        (Some(l), None) => Err(Failure::DidNotTake(format!(
            "link {:?} is still there after the revoke",
            l.title
        ))),
    }
}
