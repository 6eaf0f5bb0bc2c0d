//! Additional links in the plan (design.md 1.2): a listed folder's `extra_links`
//! keys, each decided like the primary link by `reconcile::decide` against the
//! additional links with its title, and its unnamed additional links
//! (`extra_unlisted`). Pure; here are the rules only additional links have: titles
//! as identities, the room's limits, and the unnamed ones.

use std::collections::HashSet;
use std::sync::Arc;

use jiff::Timestamp;

use super::placement::{self, Described, additional_limit};
use super::unlisted::{EXTRA_UNLISTED, UnlistedAction, UnlistedFolder, unlisted_link};
use crate::docspace::observe::Me;
use crate::docspace::resolve::FolderRef;
use crate::manifest::{Code, Diagnostic, Entry};
use crate::model::{DesiredLink, ObservedLink, Placement, Policy, Unlisted};

/// A title two additional links of the folder share, if any: with titles as
/// identities, which of them a key means cannot be told.
pub fn duplicate_title(additional: &[ObservedLink]) -> Option<&str> {
    let mut seen = HashSet::new();
    additional
        .iter()
        .find(|l| !seen.insert(l.title.as_str()))
        .map(|l| l.title.as_str())
}

/// The room rules for each `extra_links` key (access levels, forced values, at the
/// key), and the room's limit on additional links, at `extra_links:`, for what the
/// plan would leave: the links there now, less those it revokes, plus those it
/// creates (docspace-api.md 2.6). `None` when all is well.
pub fn check(
    entry: &Entry,
    placement: Placement,
    additional: &[ObservedLink],
) -> Option<Vec<Diagnostic>> {
    let named = |l: &ObservedLink| entry.extra_links.iter().find(|x| x.title == l.title);
    let mut out: Vec<Diagnostic> = entry
        .extra_links
        .iter()
        .filter_map(|x| {
            placement::check_link(
                Described {
                    link: &x.link,
                    link_pos: x.pos,
                    access_pos: x.access_pos,
                    primary: false,
                },
                placement,
                !additional.iter().any(|l| l.title == x.title),
            )
        })
        .collect();
    let kept = additional
        .iter()
        .filter(|l| match named(l) {
            Some(x) => matches!(x.link, DesiredLink::Present(_)),
            None => entry.extra_unlisted == Unlisted::Report,
        })
        .count();
    let created = entry
        .extra_links
        .iter()
        .filter(|x| {
            matches!(x.link, DesiredLink::Present(_))
                && !additional.iter().any(|l| l.title == x.title)
        })
        .count();
    let limit = additional_limit(placement);
    if created > 0 && kept + created > limit {
        let at = entry.extra_links_pos.unwrap_or(entry.target_pos);
        out.push(
            Diagnostic::at(
                at,
                format!(
                    "{} may have at most {limit} additional link{}; after this plan this folder would have {}",
                    placement.describe(),
                    if limit == 1 { "" } else { "s" },
                    kept + created
                ),
            )
            .code(Code::LinkLimit)
            .label("too many additional links")
            .help("mark some titles `absent`, or revoke unnamed ones with `extra_unlisted: revoke`"),
        );
    }
    (!out.is_empty()).then_some(out)
}

/// The listed folder's additional links no key names, as `extra_unlisted` says
/// (report by default). `None` when there are none; then, under `revoke`, the
/// folder is noted in `cleared` (a saved plan's revoke of them was carried out).
#[allow(clippy::too_many_arguments)]
pub fn unlisted(
    entry: &Entry,
    path: &str,
    folder: &FolderRef,
    additional: &[ObservedLink],
    file: &Arc<str>,
    (echoes_passwords, policy, now): (bool, &Policy, Timestamp),
    me: &Me,
    cleared: &mut Vec<(u64, u32)>,
) -> Option<UnlistedFolder> {
    let line = entry.target_pos.line;
    let named: Vec<String> = entry.extra_links.iter().map(|x| x.title.clone()).collect();
    let links: Vec<_> = additional
        .iter()
        .filter(|l| !named.contains(&l.title))
        .map(|l| unlisted_link(l, false, policy, echoes_passwords, now))
        .collect();
    if links.is_empty() {
        if entry.extra_unlisted == Unlisted::Revoke {
            cleared.push((folder.id, line));
        }
        return None;
    }
    let mut creator = None;
    let action = match entry.extra_unlisted {
        Unlisted::Report => UnlistedAction::Report { links },
        Unlisted::Revoke => {
            if super::creator::applies(folder.placement) {
                creator = folder.created_by.as_ref().map(|u| u.id.clone());
            }
            match super::creator::refusal(folder.placement, folder.created_by.as_ref(), me) {
                Some((code, reason)) => UnlistedAction::Refused {
                    code,
                    reason,
                    links,
                },
                None => UnlistedAction::Revoke { links },
            }
        }
    };
    Some(UnlistedFolder {
        path: path.to_owned(),
        folder_id: Some(folder.id),
        manifest: file.clone(),
        line,
        scope: EXTRA_UNLISTED.to_owned(),
        action,
        creator,
        named: Some(named),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Access, RoomType};

    fn entry(text: &str) -> Entry {
        let env = crate::manifest::Environment {
            var: &|_| None,
            base_dir: std::path::Path::new("."),
            now: "2026-12-01T00:00:00Z".parse().unwrap(),
        };
        let source = crate::manifest::Source {
            name: "links.yaml".into(),
            text: format!("version: 1\nfolders:\n  - id: 7\n    link: absent\n{text}"),
        };
        let mut m = crate::manifest::parse(source, &env).unwrap_or_else(|e| panic!("{e}"));
        m.entries.remove(0)
    }

    fn link(title: &str, access: Access) -> ObservedLink {
        ObservedLink {
            title: title.into(),
            access: crate::model::ObservedAccess::Known(access),
            id: format!("id-{title}"),
            ..ObservedLink::example()
        }
    }

    const PUBLIC: Placement = Placement::Room {
        room_type: RoomType::Public,
    };

    #[test]
    fn a_title_twice_is_found() {
        let links = [
            link("A", Access::Read),
            link("B", Access::Read),
            link("A", Access::Editing),
        ];
        assert_eq!(duplicate_title(&links), Some("A"));
        assert_eq!(duplicate_title(&links[..2]), None);
    }

    /// The limit counts what the plan leaves: kept, less revoked, plus created.
    #[test]
    fn the_limit_counts_what_the_plan_leaves() {
        let four: Vec<ObservedLink> = (0..4)
            .map(|i| link(&format!("H{i}"), Access::Read))
            .collect();
        let two_new = "    extra_links:\n      N1: { access: read }\n      N2: { access: read }\n";
        let over = check(&entry(two_new), PUBLIC, &four).expect("6 > 5");
        assert_eq!(over[0].code, Code::LinkLimit);
        assert_eq!(over[0].pos.map(|p| p.line), Some(6));
        // Revoking the unnamed ones leaves room.
        let revoked = format!("{two_new}    extra_unlisted: revoke\n");
        assert!(check(&entry(&revoked), PUBLIC, &four).is_none());
        // So does an `absent` key for one of them.
        let absent = format!("{two_new}      H0: absent\n");
        assert!(check(&entry(&absent), PUBLIC, &four).is_none());
        // Nothing created: never over the limit by this plan.
        assert!(
            check(
                &entry("    extra_links:\n      H0: { access: review }\n"),
                PUBLIC,
                &four
            )
            .is_none()
        );
        // A form-filling room's contents have none, and fill-forms is all they take.
        let inside = Placement::InRoom {
            room_type: RoomType::FillingForms,
        };
        let codes: Vec<Code> = check(
            &entry("    extra_links:\n      N: { access: read }\n"),
            inside,
            &[],
        )
        .unwrap()
        .iter()
        .map(|d| d.code)
        .collect();
        assert_eq!(codes, [Code::AccessNotAllowed, Code::LinkLimit]);
    }

    #[test]
    fn unnamed_links_are_reported_or_revoked_and_a_clear_folder_is_noted() {
        let folder = FolderRef {
            id: 7,
            placement: PUBLIC,
            shared: Some(true),
            created_by: None,
        };
        let links = [
            link("Agency", Access::Read),
            link("By hand", Access::Editing),
        ];
        let policy = Policy {
            forbid_access: vec![Access::Editing],
            ..Policy::default()
        };
        let file: Arc<str> = "links.yaml".into();
        let now = "2026-12-01T00:00:00Z".parse().unwrap();
        let mut cleared = Vec::new();
        let mut plan = |entry: &Entry, links: &[ObservedLink]| {
            unlisted(
                entry,
                "P",
                &folder,
                links,
                &file,
                (true, &policy, now),
                &Me::NotRead,
                &mut cleared,
            )
        };
        let named = entry("    extra_links:\n      Agency: absent\n");
        let u = plan(&named, &links).expect("one unnamed link");
        let UnlistedAction::Report { links: shown } = &u.action else {
            panic!("{:?}", u.action)
        };
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].title, "By hand");
        assert_eq!(shown[0].violations.len(), 1);
        assert_eq!(u.named.as_deref(), Some(&["Agency".to_owned()][..]));
        assert_eq!(u.scope, EXTRA_UNLISTED);
        let revoke = entry("    extra_links:\n      Agency: absent\n    extra_unlisted: revoke\n");
        let u = plan(&revoke, &links).unwrap();
        assert!(matches!(u.action, UnlistedAction::Revoke { .. }));
        assert!(plan(&revoke, &links[..1]).is_none());
        assert_eq!(cleared, [(7, 3)]);
    }
}
