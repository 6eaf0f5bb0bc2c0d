//! Drift or pending change (design.md 2, `plan --baseline`): each change is told
//! apart by comparing the manifest with the one last applied (the baseline), and
//! the portal with what that baseline wanted. Pure: the caller reads the portal once,
//! for both manifests, and passes what it saw.

use std::collections::HashMap;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::reconcile::{Context, decide};
use super::{Action, Kind, Plan};
use crate::docspace::observe::Observed;
use crate::manifest::Manifest;
use crate::model::{DesiredLink, ObservedLink, Target};

/// Why a change is in the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// The manifest changed for this folder since the baseline, and the portal is
    /// still as the baseline wanted: a reviewed change waiting to be applied.
    Pending,
    /// The manifest did not change, but the portal moved away from it: someone
    /// changed the link by hand.
    Drift,
    /// Both: the manifest changed, and the portal no longer matches the baseline
    /// either. Applying overwrites a hand edit nobody reviewed.
    Conflict,
}

impl Label {
    pub fn word(self) -> &'static str {
        match self {
            Label::Pending => "pending",
            Label::Drift => "drift",
            Label::Conflict => "conflict",
        }
    }
}

/// The rule itself. A change whose manifest entry did not change can only come
/// from the portal, so it is drift whatever the portal looks like.
pub fn label(manifest_changed: bool, portal_moved: bool) -> Label {
    match (manifest_changed, portal_moved) {
        (true, false) => Label::Pending,
        (true, true) => Label::Conflict,
        (false, _) => Label::Drift,
    }
}

/// Labels every change of `plan` against the `baseline` manifest, from the portal
/// as `observed` in this run (read for both manifests' targets): the baseline's
/// entries are matched to folders by the target each names, then by folder id.
pub fn label_against(plan: &mut Plan, baseline: &Manifest, observed: &Observed, now: Timestamp) {
    let folder_of = |t: &Target| {
        let entry = observed.entries.get(t)?;
        entry.folder.as_ref().ok().map(|f| f.folder.id)
    };
    let wanted: HashMap<u64, &DesiredLink> = baseline
        .entries
        .iter()
        .filter_map(|e| Some((folder_of(&e.target)?, &e.link)))
        .collect();
    let links: HashMap<u64, &[ObservedLink]> = observed
        .entries
        .values()
        .filter_map(|e| {
            let f = e.folder.as_ref().ok()?;
            Some((f.folder.id, f.links.as_ref().ok()?.primary.as_slice()))
        })
        .collect();
    let ctx = Context {
        secrets: &baseline.secrets,
        echoes_passwords: plan.portal_echoes_passwords,
        release: &observed.release,
        now,
        // The labels ask only whether anything would change, which the room rules
        // do not decide.
        placement: None,
        additional: false,
    };
    label_plan(plan, &wanted, &links, &ctx);
    // Additional links: by folder and title, as the plan decides them.
    let extra_wanted: HashMap<(u64, &str), &DesiredLink> = baseline
        .entries
        .iter()
        .filter_map(|e| Some((folder_of(&e.target)?, e)))
        .flat_map(|(f, e)| {
            e.extra_links
                .iter()
                .map(move |x| ((f, x.title.as_str()), &x.link))
        })
        .collect();
    let additional: HashMap<u64, &[ObservedLink]> = observed
        .entries
        .values()
        .filter_map(|e| {
            let f = e.folder.as_ref().ok()?;
            Some((f.folder.id, f.links.as_ref().ok()?.additional.as_slice()))
        })
        .collect();
    for item in &mut plan.items {
        let (Some(title), Some(folder)) = (&item.extra, item.folder_id) else {
            continue;
        };
        if !matches!(
            item.action.kind(),
            Kind::Create | Kind::Update | Kind::Revoke
        ) {
            continue;
        }
        item.label = Some(match extra_wanted.get(&(folder, title.as_str())) {
            None => Label::Pending,
            Some(wanted) => {
                let same: Vec<ObservedLink> = additional
                    .get(&folder)
                    .copied()
                    .unwrap_or_default()
                    .iter()
                    .filter(|l| l.title == *title)
                    .cloned()
                    .collect();
                let portal_moved = decide(wanted, &same, &ctx).action != Action::Unchanged;
                label(**wanted != item.desired, portal_moved)
            }
        });
    }
}

/// Labels every change of `plan`. `baseline` is what the baseline manifest wanted
/// of each folder it names (by folder id: the two manifests may name one folder
/// differently); `links` the primary links seen on each folder in this run; `ctx`
/// resolves the baseline's password references.
pub fn label_plan(
    plan: &mut Plan,
    baseline: &HashMap<u64, &DesiredLink>,
    links: &HashMap<u64, &[ObservedLink]>,
    ctx: &Context,
) {
    for item in &mut plan.items {
        let is_change = matches!(
            item.action.kind(),
            Kind::Create | Kind::Update | Kind::Revoke
        );
        // Additional links are labelled by `label_against`, by title.
        let Some(folder) = item.folder_id.filter(|_| is_change && item.extra.is_none()) else {
            continue;
        };
        item.label = Some(match baseline.get(&folder) {
            // The baseline did not manage this folder: the manifest added it.
            None => Label::Pending,
            Some(wanted) => {
                let primary = links.get(&folder).copied().unwrap_or_default();
                let portal_moved = decide(wanted, primary, ctx).action != Action::Unchanged;
                label(**wanted != item.desired, portal_moved)
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::docspace::release::Release;
    use std::sync::Arc;

    use secrecy::SecretString;

    use super::*;
    use crate::model::{
        Access, DesiredPassword, LinkSpec, ObservedAccess, ObservedPassword, PasswordRef, Secrets,
    };
    use crate::plan::Item;

    #[test]
    fn the_rule() {
        assert_eq!(label(true, false), Label::Pending);
        assert_eq!(label(false, true), Label::Drift);
        assert_eq!(label(true, true), Label::Conflict);
        assert_eq!(label(false, false), Label::Drift);
    }

    fn link(access: Access, title: &str) -> ObservedLink {
        ObservedLink {
            id: "l1".into(),
            share_link: Some("https://portal.example.com/s/x".into()),
            access: ObservedAccess::Known(access),
            title: title.into(),
            password: ObservedPassword::Known(SecretString::from("kit-pass-1")),
            expires: None,
            deny_download: false,
            internal: false,
            can_edit_internal: true,
            can_edit_expiry: true,
            expired: false,
        }
    }

    fn want(access: Access) -> DesiredLink {
        DesiredLink::Present(LinkSpec {
            access: Some(access),
            ..LinkSpec::default()
        })
    }

    fn plan_for(desired: DesiredLink, seen: &ObservedLink) -> Plan {
        let secrets = Secrets::default();
        let ctx = ctx(&secrets);
        let action = decide(&desired, std::slice::from_ref(seen), &ctx).action;
        Plan::new(
            vec![Item {
                path: "Marketing/Press kit".into(),
                folder_id: Some(101),
                manifest: Arc::from("links.yaml"),
                line: 3,
                extra: None,
                desired,
                action,
                notes: Vec::new(),
                violations: Vec::new(),
                label: None,
                seen: Vec::new(),
                creator: None,
                placement: None,
            }],
            true,
        )
    }

    fn ctx(secrets: &Secrets) -> Context<'_> {
        Context {
            secrets,
            echoes_passwords: true,
            release: const { &Release { version: None } },
            now: "2026-12-01T00:00:00Z".parse().unwrap(),
            placement: None,
            additional: false,
        }
    }

    fn labelled(current: Access, baseline: Option<Access>, portal: Access) -> Option<Label> {
        let seen = link(portal, "Kit");
        let mut plan = plan_for(want(current), &seen);
        let baseline_link = baseline.map(want);
        let by_folder: HashMap<u64, &DesiredLink> =
            baseline_link.iter().map(|d| (101, d)).collect();
        let links: HashMap<u64, &[ObservedLink]> =
            HashMap::from([(101, std::slice::from_ref(&seen))]);
        let secrets = Secrets::default();
        label_plan(&mut plan, &by_folder, &links, &ctx(&secrets));
        plan.items[0].label
    }

    #[test]
    fn a_manifest_edit_on_an_untouched_portal_is_pending() {
        use Access::*;
        assert_eq!(labelled(Review, Some(Read), Read), Some(Label::Pending));
    }

    #[test]
    fn a_hand_edit_under_an_unchanged_manifest_is_drift() {
        use Access::*;
        assert_eq!(labelled(Read, Some(Read), Editing), Some(Label::Drift));
    }

    #[test]
    fn both_at_once_is_a_conflict() {
        use Access::*;
        assert_eq!(labelled(Review, Some(Read), Editing), Some(Label::Conflict));
    }

    #[test]
    fn a_folder_the_baseline_did_not_manage_is_pending() {
        use Access::*;
        assert_eq!(labelled(Review, None, Read), Some(Label::Pending));
    }

    #[test]
    fn unchanged_folders_get_no_label() {
        use Access::*;
        assert_eq!(labelled(Read, Some(Review), Read), None);
    }

    #[test]
    fn the_baseline_passwords_come_from_the_context() {
        // The baseline wanted the password the portal has: no drift there, so a
        // changed access is only pending.
        let seen = link(Access::Read, "Kit");
        let mut plan = plan_for(want(Access::Review), &seen);
        let reference = PasswordRef::Env("KIT".into());
        let baseline = DesiredLink::Present(LinkSpec {
            access: Some(Access::Read),
            password: Some(DesiredPassword::Secret(reference.clone())),
            ..LinkSpec::default()
        });
        let mut secrets = Secrets::default();
        secrets.insert(reference, SecretString::from("kit-pass-1"));
        let by_folder = HashMap::from([(101, &baseline)]);
        let links: HashMap<u64, &[ObservedLink]> =
            HashMap::from([(101, std::slice::from_ref(&seen))]);
        label_plan(&mut plan, &by_folder, &links, &ctx(&secrets));
        assert_eq!(plan.items[0].label, Some(Label::Pending));

        // A different password on the portal than the baseline's is a move away.
        let mut other = Secrets::default();
        other.insert(
            PasswordRef::Env("KIT".into()),
            SecretString::from("another-pass"),
        );
        label_plan(&mut plan, &by_folder, &links, &ctx(&other));
        assert_eq!(plan.items[0].label, Some(Label::Conflict));
    }
}
