//! (desired, observed) → plan. Pure and synchronous: mistakes in the manifest that
//! only the portal can reveal (a path that leads nowhere, an access level the room
//! does not allow, two entries for one folder) come back together as diagnostics.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jiff::Timestamp;

use super::placement::SERVER_DEFAULT_ACCESS;
use super::policy::{self, Facts};
use super::reconcile::{Context, decide};
use super::unlisted::{facts, unlisted};
use super::{Action, Item, Plan, SeenLink, creator, extra, placement};
use crate::docspace::observe::Observed;
use crate::docspace::resolve::ResolveError;
use crate::manifest::{Code, Diagnostic, ExtraLink, Manifest};
use crate::model::{DesiredLink, DesiredPassword, ObservedAccess, ObservedLink, Target};

fn unread_path(target: &Target) -> String {
    match target {
        Target::Path(p) => p.to_string(),
        Target::Id(id) => format!("id {id}"),
    }
}

pub fn build(
    manifest: &Manifest,
    observed: &Observed,
    now: Timestamp,
) -> Result<Plan, Vec<Diagnostic>> {
    let file: Arc<str> = manifest.source.name.as_str().into();
    let ctx = Context {
        secrets: &manifest.secrets,
        echoes_passwords: observed.echoes_passwords(),
        release: &observed.release,
        now,
        placement: None,
        additional: false,
    };
    let mut diagnostics = Vec::new();
    let mut items = Vec::with_capacity(manifest.entries.len());
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let mut cleared = Vec::new();

    let mut extra_unlisted = Vec::new();
    for (index, entry) in manifest.entries.iter().enumerate() {
        let obs = observed.entries.get(&entry.target);
        let item = |folder_id, action, notes| Item {
            path: obs.map_or_else(|| unread_path(&entry.target), |o| o.path.clone()),
            folder_id,
            manifest: file.clone(),
            line: entry.target_pos.line,
            extra: None,
            desired: entry.link.clone(),
            action,
            notes,
            violations: Vec::new(),
            label: None,
            seen: Vec::new(),
            creator: None,
            placement: None,
        };
        // The item of one additional link: at its key's line, by its title.
        let extra_item = |x: &ExtraLink, folder_id, action, notes| Item {
            line: x.pos.line,
            extra: Some(x.title.clone()),
            desired: x.link.clone(),
            ..item(folder_id, action, notes)
        };
        // An unknown folder: its primary link and every additional one it names.
        let unknown = |folder_id, code: Code, error: &dyn std::fmt::Display| {
            let action = Action::Unknown {
                code,
                error: error.to_string(),
            };
            std::iter::once(item(folder_id, action.clone(), Vec::new()))
                .chain(
                    entry
                        .extra_links
                        .iter()
                        .map(|x| extra_item(x, folder_id, action.clone(), Vec::new())),
                )
                .collect::<Vec<_>>()
        };
        // A target the portal was not read for is unknown, never "no link".
        let Some(obs) = obs else {
            items.extend(unknown(
                None,
                Code::NotRead,
                &"the portal was not read for this folder",
            ));
            continue;
        };
        let (folder, links) = match &obs.folder {
            Ok(f) => (&f.folder, &f.links),
            Err(ResolveError::Api(e)) => {
                items.extend(unknown(None, e.code(), e));
                continue;
            }
            Err(e) => {
                diagnostics.push(
                    Diagnostic::at(entry.target_pos, e.to_string())
                        .code(e.code())
                        .label("this folder"),
                );
                continue;
            }
        };
        if let Some(&first) = seen.get(&folder.id) {
            let other = &manifest.entries[first];
            diagnostics.push(
                Diagnostic::at(
                    entry.target_pos,
                    format!("two entries name the same folder (id {})", folder.id),
                )
                .code(Code::DuplicateEntry)
                .label("second entry")
                .note(other.target_pos, "first entry for this folder")
                .help("keep one entry per folder"),
            );
            continue;
        }
        seen.insert(folder.id, index);

        let links = match links {
            Ok(l) => l,
            Err(e) => {
                items.extend(unknown(Some(folder.id), e.code(), e));
                continue;
            }
        };
        if links.hidden(folder.shared) {
            items.extend(unknown(
                Some(folder.id),
                Code::LinksHidden,
                &super::LINKS_HIDDEN,
            ));
            continue;
        }
        // A title is an additional link's identity (design.md 1.2): two with one
        // title leave the key that names it, and the folder, unknown.
        if !entry.extra_links.is_empty()
            && let Some(twice) = extra::duplicate_title(&links.additional)
        {
            items.extend(unknown(
                Some(folder.id),
                Code::DuplicateLinkTitle,
                &format!(
                    "two additional links of this folder are titled {twice:?}: a title is an additional link's identity, so which one is meant is not guessed; rename or revoke one by hand"
                ),
            ));
            continue;
        }
        if let Some(d) = placement::check(entry, folder.placement, links.primary.is_empty()) {
            diagnostics.push(d);
            continue;
        }
        if let Some(d) = extra::check(entry, folder.placement, &links.additional) {
            diagnostics.extend(d);
            continue;
        }
        let ctx = Context {
            placement: Some(folder.placement),
            ..ctx
        };
        let mut one = |desired: &DesiredLink, current: &[ObservedLink], base: Item| {
            let ctx = Context {
                additional: base.extra.is_some(),
                ..ctx
            };
            let mut decision = decide(desired, current, &ctx);
            let mut creator = None;
            if matches!(decision.action, Action::Revoke { .. })
                && creator::applies(folder.placement)
            {
                creator = folder.created_by.as_ref().map(|u| u.id.clone());
                if let Some((code, reason)) =
                    creator::refusal(folder.placement, folder.created_by.as_ref(), &observed.me)
                {
                    decision.action = Action::Refused { code, reason };
                    decision.write = None;
                }
            }
            let mut violations = after(desired, current.first(), &decision.action, &ctx)
                .map(|f| policy::check(&manifest.policy, &f, now))
                .unwrap_or_default();
            // More primary links than the one managed: not written, but seen, so
            // held to the policy as they are (design.md 1.2: every link a plan sees).
            if !matches!(decision.action, Action::Revoke { .. }) {
                violations.extend(current.iter().skip(1).flat_map(|l| {
                    policy::check(&manifest.policy, &facts(l, ctx.echoes_passwords), now)
                }));
            }
            items.push(Item {
                placement: Some(folder.placement),
                violations,
                seen: current
                    .iter()
                    .map(|l| SeenLink::of(l, ctx.echoes_passwords))
                    .collect(),
                creator,
                action: decision.action,
                notes: decision.notes,
                ..base
            });
        };
        one(
            &entry.link,
            &links.primary,
            item(Some(folder.id), Action::Unchanged, Vec::new()),
        );
        for x in &entry.extra_links {
            let same: Vec<ObservedLink> = links
                .additional
                .iter()
                .filter(|l| l.title == x.title)
                .cloned()
                .collect();
            one(
                &x.link,
                &same,
                extra_item(x, Some(folder.id), Action::Unchanged, Vec::new()),
            );
        }
        extra_unlisted.extend(extra::unlisted(
            entry,
            &obs.path,
            folder,
            &links.additional,
            &file,
            (ctx.echoes_passwords, &manifest.policy, now),
            &observed.me,
            &mut cleared,
        ));
    }
    let listed: HashSet<u64> = seen.keys().copied().collect();
    let unlisted = match unlisted(
        manifest,
        observed,
        &listed,
        ctx.echoes_passwords,
        now,
        &mut cleared,
    ) {
        Ok(mut u) => {
            u.extend(extra_unlisted);
            u.sort_by(|a, b| a.path.cmp(&b.path).then(a.folder_id.cmp(&b.folder_id)));
            u
        }
        Err(d) => {
            diagnostics.extend(d);
            Vec::new()
        }
    };
    if diagnostics.is_empty() {
        let mut plan = Plan::new(items, ctx.echoes_passwords);
        plan.unlisted = unlisted;
        plan.cleared = cleared;
        plan.portal_version = observed.release.version.clone();
        Ok(plan)
    } else {
        Err(diagnostics)
    }
}

/// The primary link as it will be once `action` is done, for the policy: the
/// managed fields as the manifest wants them, the rest as the portal has them (or,
/// for a new link, as the server will make them). `None` when there will be none,
/// or nothing is known.
fn after(
    desired: &DesiredLink,
    current: Option<&ObservedLink>,
    action: &Action,
    ctx: &Context,
) -> Option<Facts> {
    let spec = match desired {
        DesiredLink::Present(spec) => spec,
        DesiredLink::Absent => return None,
    };
    let managed_password = spec
        .password
        .as_ref()
        .map(|p| matches!(p, DesiredPassword::Secret(_)));
    match action {
        Action::Revoke { .. } | Action::Unknown { .. } => None,
        Action::Create { .. } => Some(Facts {
            access: ObservedAccess::Known(spec.access.unwrap_or(SERVER_DEFAULT_ACCESS)),
            password: Some(managed_password.unwrap_or(false)),
            expires: spec.expires.and_then(|e| e.instant()),
            expired: false,
            deny_download: spec.deny_download.unwrap_or(false),
            internal: spec.internal.unwrap_or(false),
        }),
        // Refused: nothing is written, so the link stays as it is.
        Action::Refused { .. } => current.map(|c| facts(c, ctx.echoes_passwords)),
        Action::Unchanged | Action::Update { .. } => {
            let now = facts(current?, ctx.echoes_passwords);
            Some(Facts {
                access: spec.access.map_or(now.access, ObservedAccess::Known),
                password: managed_password.or(now.password),
                expires: spec.expires.map_or(now.expires, |e| e.instant()),
                expired: spec.expires.is_none() && now.expired,
                deny_download: spec.deny_download.unwrap_or(now.deny_download),
                internal: spec.internal.unwrap_or(now.internal),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docspace::observe::Observed;
    use crate::plan::UnlistedAction;

    /// Observations are looked up by the target an entry names: one the portal was
    /// not read for is unknown, never "no link" (and never another entry's read).
    #[test]
    fn a_target_not_observed_is_unknown() {
        let env = crate::manifest::Environment {
            var: &|_| None,
            base_dir: std::path::Path::new("."),
            now: "2026-12-01T00:00:00Z".parse().unwrap(),
        };
        let manifest = crate::manifest::parse(
            crate::manifest::Source {
                name: "links.yaml".into(),
                text: "version: 1\nscopes:\n  - path: A\nfolders:\n  - id: 7\n    link: absent\n"
                    .into(),
            },
            &env,
        )
        .unwrap();
        let observed = Observed {
            release: Default::default(),
            entries: HashMap::new(),
            scopes: HashMap::new(),
            me: Default::default(),
        };
        let plan = build(&manifest, &observed, env.now).unwrap();
        assert_eq!(plan.items.len(), 1);
        assert_eq!(plan.items[0].path, "id 7");
        assert!(
            matches!(
                plan.items[0].action,
                Action::Unknown {
                    code: Code::NotRead,
                    ..
                }
            ),
            "{:?}",
            plan.items[0].action
        );
        assert!(matches!(
            plan.unlisted[0].action,
            UnlistedAction::Unknown {
                code: Code::NotRead,
                ..
            }
        ));
    }
}
