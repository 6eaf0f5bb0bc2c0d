//! The writer's rules, one test per rule.

use std::collections::HashMap;

use super::*;
use crate::model::Access;

fn path(text: &str) -> FolderPath {
    FolderPath {
        my_documents: false,
        segments: text.split('|').map(str::to_owned).collect(),
    }
}

fn link() -> Link {
    Link {
        share_link: None,
        access: ObservedAccess::Known(Access::Read),
        title: "T".into(),
        password: Password::None,
        expires: None,
        expired: false,
        deny_download: false,
        internal: false,
    }
}

fn folder(id: u64, p: &str, primary: Option<Link>) -> Folder {
    Folder {
        id,
        path: path(p),
        placement: Placement::InRoom {
            room_type: RoomType::Custom,
        },
        primary,
        more_primary: 0,
        additional: Vec::new(),
    }
}

fn text(folders: &[Folder], passwords: Passwords) -> String {
    let variables = HashMap::new();
    let options = Options {
        passwords,
        schema_line: "# schema",
        kept: "",
        variables: &variables,
        prefix: "DOCSPACE_LINK_",
        now: "2026-06-01T00:00:00Z".parse().unwrap(),
    };
    write(folders, &[], &options).text
}

#[test]
fn ids_where_a_title_cannot_be_a_path() {
    let out = text(
        &[
            folder(1, "Room|a/b", Some(link())),
            folder(2, "Room|Twin", Some(link())),
            folder(3, "Room|Twin", None),
            folder(4, "Room|Twin|Below", Some(link())),
            folder(5, "@my|Inside", Some(link())),
            folder(6, "Room|Plain", Some(link())),
        ],
        Passwords::Unmanaged,
    );
    for id in [1, 2, 4, 5] {
        assert!(out.contains(&format!("  - id: {id}\n")), "{id}: {out}");
    }
    assert!(out.contains("  # Room/Twin/Below\n  - id: 4\n"), "{out}");
    assert!(out.contains("  - path: Room/Plain\n"), "{out}");
    assert!(
        !out.contains("id: 3"),
        "a folder without links has no entry: {out}"
    );
}

#[test]
fn a_room_whose_title_has_a_slash_is_a_scope_by_id() {
    let variables = HashMap::new();
    let options = Options {
        passwords: Passwords::Unmanaged,
        schema_line: "# schema",
        kept: "",
        variables: &variables,
        prefix: "DOCSPACE_LINK_",
        now: "2026-06-01T00:00:00Z".parse().unwrap(),
    };
    let scopes = [
        Scope {
            id: Some(9),
            path: path("Sales/EMEA"),
        },
        Scope {
            id: Some(10),
            path: path("Marketing"),
        },
        Scope {
            id: None,
            path: FolderPath {
                my_documents: true,
                segments: Vec::new(),
            },
        },
    ];
    let out = write(&[], &scopes, &options).text;
    assert!(
        out.ends_with(
            "scopes:\n  - path: \"@my\"\n    unlisted: report\n  - path: Marketing\n    unlisted: report\n  # Sales/EMEA\n  - id: 9\n    unlisted: report\nfolders: []\n"
        ),
        "{out}"
    );
}

#[test]
fn a_past_or_fractional_expiry_is_left_unmanaged_with_a_comment() {
    let expired = Link {
        expires: Some("2025-01-01T00:00:00Z".parse().unwrap()),
        expired: true,
        ..link()
    };
    let fraction = Link {
        expires: Some("2027-01-01T00:00:00.5Z".parse().unwrap()),
        ..link()
    };
    let future = Link {
        expires: Some("2027-01-01T09:30:00Z".parse().unwrap()),
        ..link()
    };
    let out = text(
        &[
            folder(1, "R|Expired", Some(expired)),
            folder(2, "R|Fraction", Some(fraction)),
            folder(3, "R|Future", Some(future)),
        ],
        Passwords::Unmanaged,
    );
    assert!(out.contains("# expired at 2025-01-01T00:00:00Z"), "{out}");
    assert!(out.contains("fraction of a second"), "{out}");
    assert!(out.contains("expires: 2027-01-01T09:30:00Z"), "{out}");
    assert_eq!(out.matches("expires:").count(), 1, "{out}");
}

#[test]
fn passwords_are_references_or_false_or_left_out_never_values() {
    let set = Link {
        password: Password::Set,
        ..link()
    };
    let hidden = Link {
        password: Password::Unknown,
        ..link()
    };
    let folders = [
        folder(1, "R|Set", Some(set)),
        folder(2, "R|None", Some(link())),
        folder(3, "R|Hidden", Some(hidden)),
    ];
    let env = text(&folders, Passwords::Env);
    assert!(
        env.contains("password: { env: DOCSPACE_LINK_R_SET }"),
        "{env}"
    );
    assert!(env.contains("password: false"), "{env}");
    assert!(
        env.contains("does not say whether this link has a password"),
        "{env}"
    );
    assert_eq!(env.matches("      password: ").count(), 2, "{env}");
    let unmanaged = text(&folders, Passwords::Unmanaged);
    assert!(!unmanaged.contains("      password: "), "{unmanaged}");
    assert!(
        unmanaged.contains("has a password: left unmanaged"),
        "{unmanaged}"
    );
}

#[test]
fn values_a_room_forbids_are_left_unmanaged() {
    // Third reading 1: a VDR folder keeps an expiry but its `internal` is forced true;
    // inside a form-filling room `internal` is editable but the expiry is not.
    let mut vdr = folder(
        1,
        "VDR|F",
        Some(Link {
            expires: Some("2027-01-01T00:00:00Z".parse().unwrap()),
            ..link()
        }),
    );
    vdr.placement = Placement::InRoom {
        room_type: RoomType::VirtualData,
    };
    let mut forms = folder(
        2,
        "Forms|F",
        Some(Link {
            access: ObservedAccess::Other(11),
            internal: true,
            expires: Some("2028-01-01T00:00:00Z".parse().unwrap()),
            ..link()
        }),
    );
    forms.placement = Placement::InRoom {
        room_type: RoomType::FillingForms,
    };
    let out = text(&[vdr, forms], Passwords::Unmanaged);
    assert!(
        out.contains("internal is false, which this room does not allow"),
        "{out}"
    );
    assert!(out.contains("access #11 cannot be written"), "{out}");
    assert!(
        out.contains("internal: true"),
        "forms folder manages it: {out}"
    );
    assert!(out.contains("expires: 2027-01-01T00:00:00Z"), "{out}");
    assert!(
        out.contains("expires at 2028-01-01T00:00:00Z, which links in this room cannot be set to"),
        "{out}"
    );
    assert!(!out.contains("expires: 2028"), "{out}");
    assert_eq!(
        out.matches("access: ").count(),
        1,
        "only the VDR's read: {out}"
    );
}

#[test]
fn a_title_with_whitespace_around_it_is_left_unmanaged() {
    let mut l = link();
    l.title = " Press ".into();
    let out = text(&[folder(7, "R|F", Some(l))], Passwords::Unmanaged);
    assert!(!out.contains("title:"), "{out}");
    assert!(out.contains("starts or ends with whitespace"), "{out}");
}
