//! A saved plan against a plan made now from the same manifest (issue 19): the
//! file is applied only if it is what the tool itself would have written.
//!
//! - Each item must name the folder the manifest's entry resolves to now, and want
//!   what the entry wants: an edited `folder_id` would send the manifest's writes
//!   (a password among them) to a folder the manifest never names.
//! - Where the portal still shows exactly the links the plan saw (`seen`), the item
//!   must be the item a plan makes now, field for field: any other difference is an
//!   edit. Where the portal changed, the folder is left to apply's re-read right
//!   before its write, which refuses it as stale (design.md 2).
//! - Facts about the portal come from this run only: a plan made on another release,
//!   or while the portal returned passwords that it no longer does, is stale as a
//!   whole, since every unmanaged password it would copy is in doubt.

use serde_json::Value as Json;

use super::saved::{Error, SavedPlan};
use super::{Action, Item, Plan, UnlistedAction, UnlistedFolder};

impl SavedPlan {
    /// `now` is the plan the same manifest gives against the portal as it is.
    pub fn check_against(&self, path: &str, now: &Plan) -> Result<(), Error> {
        let planned = &self.plan;
        let stale = |what: String| Error::PortalChanged {
            path: path.to_owned(),
            what,
        };
        if planned.portal_version != now.portal_version {
            return Err(stale(format!(
                "the portal said release {} when the plan was made and says {} now",
                shown(planned.portal_version.as_deref()),
                shown(now.portal_version.as_deref()),
            )));
        }
        if planned.portal_echoes_passwords && !now.portal_echoes_passwords {
            return Err(stale(
                "the portal returned link passwords when the plan was made and does not now, so \
                 no unmanaged password can be copied"
                    .to_owned(),
            ));
        }
        let edited = |item: &str, field: String, why: &'static str| Error::Edited {
            path: path.to_owned(),
            item: item.to_owned(),
            field,
            why,
        };
        for item in &planned.items {
            // An entry's primary link and each `extra_links` key are items of
            // their own, by line and title.
            // Two entries may share a line (YAML flow style): the one for the
            // same folder.
            let mut at_line = now
                .items
                .iter()
                .filter(|i| i.line == item.line && i.extra == item.extra);
            let Some(fresh) = at_line
                .clone()
                .find(|i| i.path == item.path)
                .or_else(|| at_line.next())
            else {
                return Err(edited(
                    &item.path,
                    "line".into(),
                    "no manifest entry is there",
                ));
            };
            if let Some(field) = identity_difference(item, fresh) {
                return Err(edited(
                    &item.path,
                    field.to_owned(),
                    "the manifest's entry names another folder or wants something else",
                ));
            }
            // A folder refused or unreadable now is held to that by `hold_to`,
            // whatever the file says: nothing to compare.
            if !matches!(
                fresh.action,
                Action::Refused { .. } | Action::Unknown { .. }
            ) && item.seen == fresh.seen
                && let Some(field) = first_difference(&json(item), &json(&older(item, fresh)))
            {
                return Err(edited(
                    &item.path,
                    field,
                    "the portal shows what the plan saw, and a plan made now says otherwise",
                ));
            }
        }
        for u in &planned.unlisted {
            let fresh = now
                .unlisted
                .iter()
                .find(|f| f.folder_id == u.folder_id && f.line == u.line);
            let Some(fresh) = fresh else {
                // Revoked already (an earlier apply of this plan, or by hand): the
                // folder is under that scope, unlisted, and has no link now. Apply
                // re-reads it and finds it already as planned.
                if matches!(u.action, UnlistedAction::Revoke { .. })
                    && u.folder_id
                        .is_some_and(|id| now.cleared.contains(&(id, u.line)))
                {
                    continue;
                }
                return Err(edited(
                    &u.path,
                    "folder_id".into(),
                    "no folder with this id is an unlisted folder of that scope now",
                ));
            };
            if fresh.path != u.path || fresh.scope != u.scope || fresh.named != u.named {
                return Err(edited(
                    &u.path,
                    "path".into(),
                    "the folder has another path now",
                ));
            }
            if !matches!(
                fresh.action,
                UnlistedAction::Refused { .. } | UnlistedAction::Unknown { .. }
            ) && links(u) == links(fresh)
                && let Some(field) = first_difference(&json(u), &json(&older_unlisted(u, fresh)))
            {
                return Err(edited(
                    &u.path,
                    field,
                    "the portal shows what the plan saw, and a plan made now says otherwise",
                ));
            }
        }
        Ok(())
    }
}

/// A folder the saved plan leaves alone where a plan made now would write: the
/// portal changed since the plan (or the file was edited to drop the change).
/// Nothing is written for it, and apply says so instead of ending as if the
/// folder were in line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub path: String,
    /// The additional link's title, for an `extra_links` item.
    pub extra: Option<String>,
    pub folder_id: Option<u64>,
    pub manifest: std::sync::Arc<str>,
    pub line: u32,
    pub why: String,
}

impl Plan {
    /// Holds a saved plan (`self`, checked by `check_against`) to what this run
    /// knows: a folder that is unreadable or refused now is so for apply too,
    /// whatever the file says (a key that no longer sees a folder's links reads
    /// them as none, docspace-api.md third reading 11); where each folder lives
    /// is this run's (never saved: what a write must send there follows from it,
    /// `plan::placement`); and every change a plan made now has that the file
    /// lacks is returned, to be reported, not made.
    pub fn hold_to(&mut self, now: &Plan) -> Vec<Drift> {
        let mut drift = Vec::new();
        for item in &mut self.items {
            let Some(fresh) = now.items.iter().find(|i| {
                i.line == item.line && i.folder_id == item.folder_id && i.extra == item.extra
            }) else {
                item.placement = None;
                continue;
            };
            item.placement = fresh.placement;
            match (&item.action, &fresh.action) {
                (_, Action::Unknown { .. } | Action::Refused { .. })
                    if item.action.writes() =>
                {
                    item.action = fresh.action.clone();
                }
                (Action::Unchanged, now_action) if now_action.writes() => drift.push(Drift {
                    path: item.path.clone(),
                    extra: item.extra.clone(),
                    folder_id: item.folder_id,
                    manifest: item.manifest.clone(),
                    line: item.line,
                    why: format!(
                        "the plan left this folder as it was, and a plan made now would {} its link; run plan again",
                        verb(now_action)
                    ),
                }),
                _ => {}
            }
        }
        for u in &mut self.unlisted {
            let fresh = now
                .unlisted
                .iter()
                .find(|f| f.folder_id == u.folder_id && f.line == u.line);
            if let (UnlistedAction::Revoke { .. }, Some(fresh)) = (&u.action, fresh)
                && matches!(
                    fresh.action,
                    UnlistedAction::Unknown { .. } | UnlistedAction::Refused { .. }
                )
            {
                u.action = fresh.action.clone();
            }
            // A link is revoked only where a plan made now revokes it too: one it
            // keeps (the portal would only replace it) is never revoked because
            // the file says so.
            if let UnlistedAction::Revoke { links } = &mut u.action {
                let now_revokes = |l: &super::UnlistedLink| {
                    fresh.is_some_and(|f| match &f.action {
                        UnlistedAction::Revoke { links } => {
                            links.iter().any(|n| n.target == l.target && !n.kept)
                        }
                        _ => false,
                    })
                };
                for l in links.iter_mut() {
                    l.kept = l.kept || !now_revokes(l);
                }
            }
        }
        for fresh in &now.unlisted {
            let revoke = matches!(fresh.action, UnlistedAction::Revoke { .. });
            let in_file = self.unlisted.iter().any(|u| {
                u.folder_id == fresh.folder_id
                    && u.line == fresh.line
                    && matches!(u.action, UnlistedAction::Revoke { .. })
            });
            if revoke && !in_file {
                drift.push(Drift {
                    path: fresh.path.clone(),
                    extra: None,
                    folder_id: fresh.folder_id,
                    manifest: fresh.manifest.clone(),
                    line: fresh.line,
                    why: "a plan made now would revoke this unlisted folder's links, and the saved plan does not; run plan again".to_owned(),
                });
            }
        }
        drift
    }
}

fn verb(action: &Action) -> &'static str {
    match action {
        Action::Create { .. } => "create",
        Action::Update { .. } => "update",
        _ => "revoke",
    }
}

/// A plan saved before an item carried `creator` is not edited for lacking it:
/// without it apply only does more (it learns each creator refusal from the
/// portal). Where it is, it must be what the portal says now.
fn older(planned: &Item, now: &Item) -> Item {
    let mut now = now.clone();
    if planned.creator.is_none() {
        now.creator = None;
    }
    now
}

fn shown(version: Option<&str>) -> &str {
    version.unwrap_or("(none)")
}

/// The fields the manifest and the folder's place decide, whatever the links are.
fn identity_difference(planned: &Item, now: &Item) -> Option<&'static str> {
    if planned.path != now.path {
        Some("path")
    } else if planned.folder_id != now.folder_id {
        Some("folder_id")
    } else if planned.desired != now.desired {
        Some("desired")
    } else {
        None
    }
}

/// The links as the portal showed them: what the plan made of them (`kept`) is
/// compared apart, so that an edit of it is an edit, not a changed portal.
fn links(u: &UnlistedFolder) -> Option<Vec<super::UnlistedLink>> {
    let shown = |links: &[super::UnlistedLink]| {
        links
            .iter()
            .map(|l| super::UnlistedLink {
                kept: false,
                ..l.clone()
            })
            .collect()
    };
    match &u.action {
        UnlistedAction::Report { links }
        | UnlistedAction::Revoke { links }
        | UnlistedAction::Refused { links, .. } => Some(shown(links)),
        UnlistedAction::Unknown { .. } => None,
    }
}

/// `older` for an unlisted folder's record.
fn older_unlisted(planned: &UnlistedFolder, now: &UnlistedFolder) -> UnlistedFolder {
    let mut now = now.clone();
    if planned.creator.is_none() {
        now.creator = None;
    }
    now
}

fn json<T: serde::Serialize>(value: &T) -> Json {
    serde_json::to_value(value).expect("plan items serialise")
}

/// The first place two JSON values differ, as `action.target.link_id` or
/// `action.changes[1].new`; `None` when they are equal. Left out at the top: the
/// manifest file's name (it may be given as another relative path), the baseline
/// label (apply has no baseline) and policy violations (they tell, and write
/// nothing; a lifetime rule moves with the clock).
fn first_difference(a: &Json, b: &Json) -> Option<String> {
    fn walk(a: &Json, b: &Json, at: &str) -> Option<String> {
        match (a, b) {
            (Json::Object(x), Json::Object(y)) => {
                let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
                keys.sort();
                keys.dedup();
                keys.into_iter()
                    .filter(|k| {
                        !(at.is_empty()
                            && matches!(k.as_str(), "manifest" | "label" | "violations"))
                    })
                    .find_map(|k| {
                        let here = if at.is_empty() {
                            k.clone()
                        } else {
                            format!("{at}.{k}")
                        };
                        match (x.get(k), y.get(k)) {
                            (Some(p), Some(q)) => walk(p, q, &here),
                            _ => Some(here),
                        }
                    })
            }
            (Json::Array(x), Json::Array(y)) if x.len() == y.len() => x
                .iter()
                .zip(y)
                .enumerate()
                .find_map(|(i, (p, q))| walk(p, q, &format!("{at}[{i}]"))),
            _ if a == b => None,
            _ => Some(at.to_owned()),
        }
    }
    walk(a, b, "")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let a = json!({"path": "A", "action": {"action": "update", "target": {"link_id": "1"}}});
        let b = json!({"path": "A", "action": {"action": "update", "target": {"link_id": "2"}}});
        assert_eq!(
            first_difference(&a, &b).as_deref(),
            Some("action.target.link_id")
        );
        let c = json!({"changes": [{"new": 1}, {"new": 2}]});
        let d = json!({"changes": [{"new": 1}, {"new": 3}]});
        assert_eq!(first_difference(&c, &d).as_deref(), Some("changes[1].new"));
        assert_eq!(first_difference(&c, &c), None);
        let e = json!({"notes": ["x"]});
        assert_eq!(first_difference(&e, &json!({})).as_deref(), Some("notes"));
        let f = json!({"manifest": "links.yaml", "line": 3});
        let g = json!({"manifest": "./links.yaml", "line": 3});
        assert_eq!(first_difference(&f, &g), None);
    }
}
