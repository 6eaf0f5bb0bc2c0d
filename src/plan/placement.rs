//! The room-type rules of docspace-api.md 2.1, 2.4 and 2.5: which links a folder
//! may have at all, checked before anything is sent so the error can point into the
//! manifest. Pure: every rule has a unit test below.

use crate::manifest::{Code, Diagnostic, Entry, Pos};
use crate::model::{Access, DesiredLink, Expiry, Placement, RoomType};

/// The access the server gives a link it creates without being told.
pub const SERVER_DEFAULT_ACCESS: Access = Access::Read;

/// Revoking the primary link of a public or form-filling room, or of a folder
/// inside one, makes the portal create a fresh default one (docspace-api.md 2.5).
pub fn primary_link_is_permanent(placement: Placement) -> bool {
    matches!(
        placement,
        Placement::Room {
            room_type: RoomType::Public | RoomType::FillingForms
        } | Placement::InRoom {
            room_type: RoomType::Public | RoomType::FillingForms
        }
    )
}

/// Rules the server enforces per room type (docspace-api.md 2.1, 2.4, 2.5), checked
/// before anything is sent so the error can point into the manifest.
pub fn check(entry: &Entry, placement: Placement, creating: bool) -> Option<Diagnostic> {
    check_link(
        Described {
            link: &entry.link,
            link_pos: entry.link_pos,
            access_pos: entry.access_pos,
            primary: true,
        },
        placement,
        creating,
    )
}

/// One link an entry describes, and where: its primary link or an additional one.
pub struct Described<'a> {
    pub link: &'a DesiredLink,
    pub link_pos: Pos,
    pub access_pos: Option<Pos>,
    pub primary: bool,
}

/// The rules of [`check`] for any link: an additional link has no permanent
/// twin to revoke, and only a form-filling room's contents fix its expiry (only a
/// public or form-filling room's *own primary* link loses it, third reading 1).
pub fn check_link(
    described: Described,
    placement: Placement,
    creating: bool,
) -> Option<Diagnostic> {
    let Described {
        link,
        link_pos,
        access_pos,
        primary,
    } = described;
    let here = placement.describe();
    let at = |code, pos, message: String, help: String| {
        Some(Diagnostic::at(pos, message).code(code).help(help))
    };
    let allowed = placement.allowed_access();
    let list = |a: &[Access]| a.iter().map(|x| x.word()).collect::<Vec<_>>().join(", ");
    let own_link_is_permanent = primary && primary_link_is_permanent(placement);
    let fixed_expiry = expiry_is_fixed_for(placement, primary);
    let spec = match link {
        DesiredLink::Absent if own_link_is_permanent => {
            return at(
                Code::ForcedValue,
                link_pos,
                format!(
                    "{here} always has a primary link: the portal makes a new one as soon as it is revoked"
                ),
                "manage its fields instead, or remove this entry".to_owned(),
            );
        }
        DesiredLink::Absent => return None,
        DesiredLink::Present(spec) => spec,
    };
    if allowed.is_empty() {
        return at(
            Code::NoExternalLinks,
            link_pos,
            format!("{here} cannot have external links"),
            "use `link: absent`, or share a folder inside the room".to_owned(),
        );
    }
    match spec.access {
        Some(a) if !allowed.contains(&a) => {
            return at(
                Code::AccessNotAllowed,
                access_pos.unwrap_or(link_pos),
                format!("access level `{a}` is not allowed for {here}"),
                format!("allowed here: {}", list(allowed)),
            );
        }
        None if creating && !allowed.contains(&SERVER_DEFAULT_ACCESS) => {
            return at(
                Code::AccessNotAllowed,
                link_pos,
                format!(
                    "the link must be created, and the portal's default access `{SERVER_DEFAULT_ACCESS}` is not allowed for {here}"
                ),
                format!("set `access:` to one of: {}", list(allowed)),
            );
        }
        _ => {}
    }
    match (forced_internal(placement), spec.internal) {
        (Some(true), Some(false)) => {
            return at(
                Code::ForcedValue,
                link_pos,
                format!("links in {here} are always internal; the portal forces `internal: true`"),
                "remove `internal: false` or set it to true".to_owned(),
            );
        }
        (Some(false), Some(true)) => {
            return at(
                Code::ForcedValue,
                link_pos,
                format!("links in {here} are never internal; the portal forces `internal: false`"),
                "remove `internal: true` or set it to false".to_owned(),
            );
        }
        _ => {}
    }
    if fixed_expiry && matches!(spec.expires, Some(Expiry::At(_))) {
        return at(
            Code::ForcedValue,
            link_pos,
            format!("links in {here} cannot expire: the portal answers OK and saves no expiry"),
            "use `expires: never` or leave it out".to_owned(),
        );
    }
    None
}

/// How many additional links the server lets a folder here have (docspace-api.md
/// 2.6): 5 on custom and public rooms and inside public rooms, none in form-filling
/// rooms and their folders (nor where no external link is allowed), 6 in My
/// Documents and inside custom, editing, virtual data and AI rooms.
pub fn additional_limit(placement: Placement) -> usize {
    match placement {
        Placement::Room {
            room_type: RoomType::Custom | RoomType::Public,
        }
        | Placement::InRoom {
            room_type: RoomType::Public,
        } => 5,
        Placement::Room { .. }
        | Placement::InRoom {
            room_type: RoomType::FillingForms,
        } => 0,
        Placement::MyDocuments | Placement::InRoom { .. } => 6,
    }
}

/// [`expiry_is_fixed`] for a primary link; for an additional one, only inside a
/// form-filling room: the rooms' rule is about their own primary link.
pub fn expiry_is_fixed_for(placement: Placement, primary: bool) -> bool {
    if primary {
        expiry_is_fixed(placement)
    } else {
        placement
            == Placement::InRoom {
                room_type: RoomType::FillingForms,
            }
    }
}

/// Whether a link here cannot be given an expiry (docspace-api.md third reading 1):
/// a public or form-filling room's own primary link loses it (`FileSharing.cs:189-192`),
/// and inside a form-filling room the expiry is not editable (`FileSecurity.cs`
/// ~1735-1745). Folders in public and virtual data rooms keep an expiry.
pub fn expiry_is_fixed(placement: Placement) -> bool {
    match placement {
        Placement::Room { room_type } => {
            matches!(room_type, RoomType::Public | RoomType::FillingForms)
        }
        Placement::InRoom { room_type } => room_type == RoomType::FillingForms,
        Placement::MyDocuments => false,
    }
}

/// The `internal` value the portal forces here, if any (docspace-api.md third
/// reading 1, `FileSecurity.cs` ~1735-1745): true inside a virtual data room, false in
/// a public room and its folders and on a form-filling room's own link. Inside a
/// form-filling room `internal` is editable. A write that contradicts a forced value is
/// dropped whole (third reading 2, `FileSharing.cs:204-223`), so apply always sends it.
pub fn forced_internal(placement: Placement) -> Option<bool> {
    match placement {
        Placement::InRoom {
            room_type: RoomType::VirtualData,
        } => Some(true),
        Placement::Room {
            room_type: RoomType::Public | RoomType::FillingForms,
        }
        | Placement::InRoom {
            room_type: RoomType::Public,
        } => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Pos;
    use crate::model::{LinkSpec, Target};

    const LINK: Pos = Pos {
        line: 4,
        column: 11,
        len: 1,
    };
    const ACCESS: Pos = Pos {
        line: 5,
        column: 15,
        len: 4,
    };

    fn entry(link: DesiredLink) -> Entry {
        Entry {
            target: Target::Id(1),
            target_pos: Pos {
                line: 3,
                column: 9,
                len: 1,
            },
            access_pos: matches!(&link, DesiredLink::Present(s) if s.access.is_some())
                .then_some(ACCESS),
            link,
            link_pos: LINK,
            extra_links: Vec::new(),
            extra_links_pos: None,
            extra_unlisted: Default::default(),
        }
    }

    fn with(spec: LinkSpec) -> Entry {
        entry(DesiredLink::Present(spec))
    }

    fn access(a: Access) -> Entry {
        with(LinkSpec {
            access: Some(a),
            ..LinkSpec::default()
        })
    }

    const fn room(room_type: RoomType) -> Placement {
        Placement::Room { room_type }
    }

    const fn inside(room_type: RoomType) -> Placement {
        Placement::InRoom { room_type }
    }

    #[test]
    fn every_place_accepts_exactly_its_access_levels() {
        use Access::{Comment, Editing, FillForms, Read, Review};
        let all: &[Access] = &[Editing, FillForms, Review, Comment, Read];
        let standard: &[Access] = &[Editing, Review, Comment, Read];
        let cases: [(Placement, &[Access]); 9] = [
            (Placement::MyDocuments, all),
            (inside(RoomType::VirtualData), all),
            (inside(RoomType::Custom), standard),
            (inside(RoomType::Public), standard),
            (inside(RoomType::Editing), standard),
            (inside(RoomType::FillingForms), &[FillForms]),
            (room(RoomType::Custom), all),
            (room(RoomType::Public), all),
            (room(RoomType::FillingForms), &[FillForms, Read]),
        ];
        for (place, allowed) in cases {
            for a in Access::ALL {
                let d = check(&access(a), place, false);
                assert_eq!(d.is_none(), allowed.contains(&a), "{a} in {place:?}: {d:?}");
                if let Some(d) = d {
                    assert_eq!(d.pos, Some(ACCESS), "points at the access value");
                    assert_eq!(d.code, Code::AccessNotAllowed);
                }
            }
        }
    }

    #[test]
    fn rooms_without_external_links_refuse_any_link_but_absent() {
        for t in [RoomType::Editing, RoomType::VirtualData, RoomType::Ai] {
            let d = check(&with(LinkSpec::default()), room(t), true).expect("refused");
            assert!(
                d.message.contains("cannot have external links"),
                "{}",
                d.message
            );
            assert!(check(&entry(DesiredLink::Absent), room(t), false).is_none());
        }
    }

    #[test]
    fn a_created_link_with_default_access_must_suit_the_room() {
        let d = check(
            &with(LinkSpec::default()),
            inside(RoomType::FillingForms),
            true,
        )
        .expect("read is not allowed there");
        assert!(d.message.contains("default access `read`"), "{}", d.message);
        // An existing link keeps its access when access is unmanaged.
        assert!(
            check(
                &with(LinkSpec::default()),
                inside(RoomType::FillingForms),
                false
            )
            .is_none()
        );
    }

    #[test]
    fn public_and_form_filling_rooms_and_their_folders_keep_a_primary_link() {
        for t in [RoomType::Public, RoomType::FillingForms] {
            for place in [room(t), inside(t)] {
                let d = check(&entry(DesiredLink::Absent), place, false).expect("refused");
                assert!(
                    d.message.contains("always has a primary link"),
                    "{}",
                    d.message
                );
            }
        }
        assert!(check(&entry(DesiredLink::Absent), inside(RoomType::Custom), false).is_none());
    }

    #[test]
    fn an_expiry_the_portal_would_drop_is_refused() {
        let expiring = with(LinkSpec {
            expires: Some(Expiry::At("2030-01-01T00:00:00Z".parse().unwrap())),
            ..LinkSpec::default()
        });
        for place in [
            room(RoomType::Public),
            room(RoomType::FillingForms),
            inside(RoomType::FillingForms),
        ] {
            let d = check(&expiring, place, false).expect("keeps no expiry");
            assert_eq!(d.code, Code::ForcedValue);
            assert!(d.message.contains("cannot expire"), "{}", d.message);
        }
        // Third reading 1: folders in public and virtual data rooms keep an expiry.
        for t in [RoomType::Public, RoomType::VirtualData] {
            assert!(check(&expiring, inside(t), false).is_none(), "{t:?}");
        }
        let never = with(LinkSpec {
            expires: Some(Expiry::Never),
            ..LinkSpec::default()
        });
        assert!(check(&never, inside(RoomType::VirtualData), false).is_none());
        for place in [
            Placement::MyDocuments,
            inside(RoomType::Custom),
            room(RoomType::Custom),
        ] {
            assert!(check(&expiring, place, false).is_none(), "{place:?}");
        }
    }

    #[test]
    fn forced_internal_values_are_refused_when_contradicted() {
        let internal = |v| {
            with(LinkSpec {
                internal: Some(v),
                ..LinkSpec::default()
            })
        };
        assert!(check(&internal(false), inside(RoomType::VirtualData), false).is_some());
        assert!(check(&internal(true), inside(RoomType::VirtualData), false).is_none());
        assert!(check(&internal(true), inside(RoomType::Public), false).is_some());
        // Editable inside a form-filling room (third reading 1), not on the room's link.
        assert!(check(&internal(true), inside(RoomType::FillingForms), false).is_none());
        assert!(check(&internal(true), room(RoomType::FillingForms), false).is_some());
        assert!(check(&internal(false), inside(RoomType::Public), false).is_none());
        assert!(check(&internal(true), Placement::MyDocuments, false).is_none());
    }
}
