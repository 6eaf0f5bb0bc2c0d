//! `decide` as a specification: each case is a manifest link and what the portal
//! shows, and the snapshot is what the plan says and what apply would send. One
//! document to read (and review in a diff) where a rule changes, beside the
//! field-by-field tests in `reconcile_tests.rs`.
//!
//! What a write sends is spelled without secrets: a password is named by where it
//! comes from (`env:KIT`, the link's own, none).

use std::fmt::Write as _;

use secrecy::{ExposeSecret, SecretString};

use super::*;
use crate::docspace::release::Release;
use crate::model::{Access, Expiry, PasswordRef};

const NOW: &str = "2026-12-01T00:00:00Z";
const KIT: &str = "s3cret-pass";
const OWN: &str = "Str0ng!pass";

struct Case {
    name: &'static str,
    desired: DesiredLink,
    portal: Vec<ObservedLink>,
    /// Whether the portal returns link passwords (docspace-api.md 2.3).
    echoes: bool,
    placement: Option<Placement>,
}

fn case(name: &'static str, desired: DesiredLink, portal: Vec<ObservedLink>) -> Case {
    Case {
        name,
        desired,
        portal,
        echoes: true,
        placement: None,
    }
}

fn link() -> ObservedLink {
    ObservedLink::example()
}

fn want(spec: LinkSpec) -> DesiredLink {
    DesiredLink::Present(spec)
}

fn kit() -> Option<DesiredPassword> {
    Some(DesiredPassword::Secret(PasswordRef::Env("KIT".into())))
}

fn at(t: &str) -> Timestamp {
    t.parse().expect("a timestamp")
}

fn cases() -> Vec<Case> {
    let editing = LinkSpec {
        access: Some(Access::Editing),
        ..LinkSpec::default()
    };
    vec![
        case(
            "in line: nothing managed differs",
            want(LinkSpec::default()),
            vec![link()],
        ),
        case(
            "no link: created, unmanaged fields left to the server",
            want(LinkSpec::default()),
            vec![],
        ),
        case(
            "no link: created with every managed field",
            want(LinkSpec {
                access: Some(Access::Editing),
                title: Some("Kit".into()),
                expires: Some(Expiry::At(at("2030-06-30T00:00:00Z"))),
                password: kit(),
                deny_download: Some(true),
                internal: Some(true),
            }),
            vec![],
        ),
        case(
            "access widened: the link's own password and expiry are sent back",
            want(editing.clone()),
            vec![link()],
        ),
        case(
            "a password-less link updated where the portal echoes passwords: none is sent, none is lost",
            want(editing.clone()),
            vec![ObservedLink {
                password: ObservedPassword::Unknown,
                ..link()
            }],
        ),
        Case {
            echoes: false,
            ..case(
                "the portal hides passwords: an update that would drop one is refused",
                want(editing.clone()),
                vec![ObservedLink {
                    password: ObservedPassword::Unknown,
                    ..link()
                }],
            )
        },
        case(
            "password rotated to the manifest's",
            want(LinkSpec {
                password: kit(),
                ..LinkSpec::default()
            }),
            vec![link()],
        ),
        case(
            "password removed on purpose",
            want(LinkSpec {
                password: Some(DesiredPassword::None),
                ..LinkSpec::default()
            }),
            vec![link()],
        ),
        case(
            "an expired link with a field to change is refused: an update would revive it",
            want(LinkSpec {
                title: Some("Kit".into()),
                ..LinkSpec::default()
            }),
            vec![ObservedLink {
                expires: Some(at("2026-11-01T00:00:00Z")),
                expired: true,
                ..link()
            }],
        ),
        case(
            "absent: the primary link is revoked",
            DesiredLink::Absent,
            vec![link()],
        ),
        case(
            "absent and there is none: in line",
            DesiredLink::Absent,
            vec![],
        ),
        case(
            "two primary links: the first is managed, the other noted",
            want(editing.clone()),
            vec![
                link(),
                ObservedLink {
                    id: "0d1f2e3a-0000-4c1e-9a57-6b1c3e522f0a".into(),
                    share_link: Some("https://portal.example.com/s/Zz9".into()),
                    title: "Other".into(),
                    ..link()
                },
            ],
        ),
        Case {
            placement: Some(Placement::InRoom {
                room_type: RoomType::Public,
            }),
            ..case(
                "in a public room: the expiry the room fixes is sent as it is",
                want(LinkSpec {
                    title: Some("Kit".into()),
                    ..LinkSpec::default()
                }),
                vec![ObservedLink {
                    can_edit_expiry: false,
                    ..link()
                }],
            )
        },
    ]
}

fn decide_case(c: &Case) -> Decision {
    let mut secrets = Secrets::default();
    secrets.insert(PasswordRef::Env("KIT".into()), SecretString::from(KIT));
    let ctx = Context {
        secrets: &secrets,
        echoes_passwords: c.echoes,
        release: &Release::default(),
        now: NOW.parse().expect("a timestamp"),
        placement: c.placement,
        additional: false,
    };
    decide(&c.desired, &c.portal, &ctx)
}

/// Where a password sent comes from, never the password.
fn source(p: Option<&SecretString>) -> &'static str {
    match p.map(|s| s.expose_secret()) {
        None => "none",
        Some(KIT) => "env:KIT",
        Some(OWN) => "the link's own",
        Some(_) => "ANOTHER",
    }
}

fn values(v: &LinkValues) -> String {
    format!(
        "access={} title={} password={} expires={} deny_download={} internal={}",
        v.access,
        v.title
            .as_deref()
            .map_or_else(|| "(server default)".to_owned(), |t| format!("{t:?}")),
        source(v.password.as_ref()),
        v.expires
            .map_or_else(|| "never".to_owned(), |t| t.to_string()),
        v.deny_download,
        v.internal,
    )
}

fn describe(d: &Decision) -> String {
    let mut out = String::new();
    let _ = write!(out, "plan: {:?}", d.action.kind());
    match &d.action {
        Action::Refused { code, reason } => {
            let _ = write!(out, " ({code}): {reason}");
        }
        Action::Unknown { code, error } => {
            let _ = write!(out, " ({code}): {error}");
        }
        Action::Revoke { links } => {
            for l in links {
                let _ = write!(out, "\n  - {:?} ({})", l.title, l.access);
            }
        }
        _ => {}
    }
    for c in d.action.changes() {
        let old = c
            .old
            .as_ref()
            .map_or_else(String::new, |o| format!("{o} -> "));
        let rotated = if c.rotated { " (rotated)" } else { "" };
        let _ = write!(out, "\n  {}: {old}{}{rotated}", c.field.name(), c.new);
    }
    for n in &d.notes {
        let _ = write!(out, "\nnote: {n}");
    }
    let sends = match &d.write {
        None => "nothing".to_owned(),
        Some(Write::Create(v)) => format!("create {}", values(v)),
        Some(Write::Update { target, values: v }) => {
            format!("update {} {}", target.link_id, values(v))
        }
        Some(Write::Revoke(targets)) => format!(
            "revoke {}",
            targets
                .iter()
                .map(|t| t.link_id.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let _ = write!(out, "\nsends: {sends}");
    out
}

#[test]
fn what_each_case_plans_and_sends() {
    let doc: Vec<String> = cases()
        .iter()
        .map(|c| format!("== {}\n{}", c.name, describe(&decide_case(c))))
        .collect();
    let doc = doc.join("\n\n");
    // Whatever a rule says, no write carries a password that is neither the
    // manifest's nor the link's own.
    assert!(!doc.contains("ANOTHER"), "{doc}");
    insta::assert_snapshot!(doc);
}
