//! Every rule of `decide`, one test each.

use super::*;
use crate::docspace::release::Release;
use crate::model::{Access, Expiry, PasswordRef};
use crate::plan::Kind;
use secrecy::SecretString;

const NOW: &str = "2026-12-01T00:00:00Z";

fn link() -> ObservedLink {
    ObservedLink::example()
}

fn secrets() -> Secrets {
    let mut s = Secrets::default();
    for (name, value) in [
        ("KIT", "s3cret-pass"),
        ("OTHER", "another-pass"),
        ("SAME", "Str0ng!pass"),
    ] {
        s.insert(PasswordRef::Env(name.into()), SecretString::from(value));
    }
    s
}

fn run_with(desired: &DesiredLink, primary: &[ObservedLink], echoes: bool) -> Decision {
    decide_at(desired, primary, echoes, None)
}

fn decide_at(
    desired: &DesiredLink,
    primary: &[ObservedLink],
    echoes: bool,
    placement: Option<Placement>,
) -> Decision {
    let secrets = secrets();
    let ctx = Context {
        secrets: &secrets,
        echoes_passwords: echoes,
        release: &Release::default(),
        now: NOW.parse().unwrap(),
        placement,
        additional: false,
    };
    decide(desired, primary, &ctx)
}

fn run(desired: &DesiredLink, primary: &[ObservedLink]) -> Decision {
    run_with(desired, primary, true)
}

fn present(s: LinkSpec) -> DesiredLink {
    DesiredLink::Present(s)
}

fn env(name: &str) -> Option<DesiredPassword> {
    Some(DesiredPassword::Secret(PasswordRef::Env(name.into())))
}

fn update_values(d: Decision) -> (Vec<Change>, LinkValues) {
    let Action::Update { changes, target } = d.action else {
        panic!("{:?}", d.action)
    };
    let Some(Write::Update { values, target: t }) = d.write else {
        panic!("no write")
    };
    assert_eq!(t, target);
    (changes, values)
}

#[test]
fn nothing_managed_means_nothing_to_do() {
    let d = run(&present(LinkSpec::default()), &[link()]);
    assert_eq!(d.action.kind(), Kind::Unchanged);
    assert!(d.notes.is_empty() && d.write.is_none());
}

#[test]
fn missing_link_is_created_with_server_defaults_for_unmanaged_fields() {
    let d = run(&present(LinkSpec::default()), &[]);
    let Some(Write::Create(values)) = d.write else {
        panic!("{:?}", d.action)
    };
    assert_eq!(values.access, ObservedAccess::Known(Access::Read));
    assert!(values.title.is_none() && values.password.is_none() && values.expires.is_none());
    assert_eq!(
        d.action
            .changes()
            .iter()
            .find(|c| c.field == Field::Title)
            .unwrap()
            .new,
        Value::ServerDefault
    );
}

#[test]
fn create_carries_every_managed_field() {
    let t: Timestamp = "2030-06-30T00:00:00Z".parse().unwrap();
    let s = LinkSpec {
        access: Some(Access::Editing),
        title: Some("Kit".into()),
        expires: Some(Expiry::At(t)),
        password: env("KIT"),
        deny_download: Some(true),
        internal: Some(true),
    };
    let d = run(&present(s), &[]);
    assert!(
        d.action
            .changes()
            .contains(&created(Field::Password, Value::Password { set: true }))
    );
    let Some(Write::Create(values)) = d.write else {
        panic!()
    };
    assert_eq!(values.expires, Some(t));
    assert_eq!(values.password.unwrap().expose_secret(), "s3cret-pass");
    assert!(values.deny_download && values.internal);
}

#[test]
fn a_missing_secret_refuses_instead_of_writing_without_it() {
    let s = LinkSpec {
        password: env("NOT_RESOLVED"),
        ..LinkSpec::default()
    };
    let d = run(&present(s.clone()), &[]);
    assert!(
        matches!(d.action, Action::Refused { code: Code::PasswordUnavailable, ref reason } if reason.contains("env:NOT_RESOLVED"))
    );
    assert!(d.write.is_none());
    assert_eq!(run(&present(s), &[link()]).action.kind(), Kind::Refused);
}

#[test]
fn absent_revokes_every_primary_link_and_is_a_no_op_without_one() {
    let mut second = link();
    second.id = "other".into();
    let d = run(&DesiredLink::Absent, &[link(), second]);
    assert!(matches!(d.action, Action::Revoke { ref links } if links.len() == 2));
    assert!(matches!(d.write, Some(Write::Revoke(ref ids)) if ids[1].link_id == "other"));
    assert_eq!(
        run(&DesiredLink::Absent, &[]).action.kind(),
        Kind::Unchanged
    );
}

#[test]
fn update_changes_one_field_and_keeps_the_rest_password_included() {
    let s = LinkSpec {
        deny_download: Some(true),
        ..LinkSpec::default()
    };
    let d = run(&present(s), &[link()]);
    let Action::Update { ref target, .. } = d.action else {
        panic!()
    };
    assert_eq!(target, &link().identity());
    let (changes, values) = update_values(d);
    assert_eq!(
        changes,
        vec![changed(
            Field::DenyDownload,
            Value::Bool(false),
            Value::Bool(true)
        )]
    );
    assert_eq!(values.password.unwrap().expose_secret(), "Str0ng!pass");
    assert_eq!(values.expires, link().expires);
    assert_eq!(values.title.as_deref(), Some("Press kit"));
    assert_eq!(values.access, ObservedAccess::Known(Access::Read));
}

#[test]
fn expiry_is_compared_as_an_instant() {
    let mut l = link();
    l.expires = Some("2027-01-01T01:00:00+01:00".parse().unwrap());
    let s = LinkSpec {
        expires: Some(Expiry::At("2027-01-01T00:00:00Z".parse().unwrap())),
        ..LinkSpec::default()
    };
    assert_eq!(run(&present(s), &[l]).action.kind(), Kind::Unchanged);
}

#[test]
fn never_removes_an_expiry() {
    let s = LinkSpec {
        expires: Some(Expiry::Never),
        ..LinkSpec::default()
    };
    let (changes, values) = update_values(run(&present(s), &[link()]));
    assert_eq!(values.expires, None);
    assert_eq!(changes[0].new, Value::Expiry(None));
}

#[test]
fn password_rotation_is_detected_and_flagged_without_the_value() {
    let s = LinkSpec {
        password: env("OTHER"),
        ..LinkSpec::default()
    };
    let (changes, values) = update_values(run(&present(s), &[link()]));
    assert_eq!(changes.len(), 1);
    assert!(changes[0].rotated);
    assert_eq!(changes[0].old, Some(Value::Password { set: true }));
    assert_eq!(values.password.unwrap().expose_secret(), "another-pass");
}

#[test]
fn same_password_is_no_change() {
    let s = LinkSpec {
        password: env("SAME"),
        ..LinkSpec::default()
    };
    assert_eq!(run(&present(s), &[link()]).action.kind(), Kind::Unchanged);
}

#[test]
fn password_false_removes_one() {
    let s = LinkSpec {
        password: Some(DesiredPassword::None),
        ..LinkSpec::default()
    };
    let (changes, values) = update_values(run(&present(s), &[link()]));
    assert!(values.password.is_none());
    assert_eq!(changes[0].new, Value::Password { set: false });
}

#[test]
fn a_missing_password_key_is_none_only_on_a_portal_that_echoes() {
    let mut l = link();
    l.password = ObservedPassword::Unknown;
    let s = LinkSpec {
        deny_download: Some(true),
        ..LinkSpec::default()
    };
    // The portal showed other passwords in this run: this link has none.
    let (_, values) = update_values(run_with(
        &present(s.clone()),
        std::slice::from_ref(&l),
        true,
    ));
    assert!(values.password.is_none());
    // It did not: the password may be hidden, and the update would drop it.
    let d = run_with(&present(s), &[l], false);
    assert!(
        matches!(d.action, Action::Refused { code: Code::PasswordUnseen, ref reason } if reason.contains("manage `password`")),
        "{:?}",
        d.action
    );
    assert!(d.write.is_none());
}

#[test]
fn an_unverifiable_managed_password_is_a_note_not_a_change_for_ever() {
    let mut l = link();
    l.password = ObservedPassword::Unknown;
    let s = LinkSpec {
        password: env("KIT"),
        ..LinkSpec::default()
    };
    let d = run_with(&present(s.clone()), std::slice::from_ref(&l), false);
    assert_eq!(d.action.kind(), Kind::Unchanged);
    assert_eq!(d.notes, vec![Note::PasswordUnverifiable]);
    // With another change, the managed password is sent, not refused.
    let s = LinkSpec {
        deny_download: Some(true),
        ..s
    };
    let (_, values) = update_values(run_with(&present(s), &[l], false));
    assert_eq!(values.password.unwrap().expose_secret(), "s3cret-pass");
}

#[test]
fn uneditable_internal_is_refused_up_front() {
    let mut l = link();
    l.can_edit_internal = false;
    let s = LinkSpec {
        internal: Some(true),
        ..LinkSpec::default()
    };
    assert_eq!(run(&present(s), &[l]).action.kind(), Kind::Refused);
}

#[test]
fn an_expired_or_expiring_link_is_not_revived_by_an_update() {
    let s = LinkSpec {
        deny_download: Some(true),
        ..LinkSpec::default()
    };
    let mut expired = link();
    expired.expired = true;
    let mut due = link();
    due.expires = Some("2026-12-01T00:05:00Z".parse().unwrap());
    for l in [&expired, &due] {
        let d = run(&present(s.clone()), std::slice::from_ref(l));
        assert!(
            matches!(d.action, Action::Refused { code: Code::ExpiredLink, ref reason } if reason.contains("manage `expires`"))
        );
    }
    // Managing the expiry makes the update safe.
    let s = LinkSpec {
        expires: Some(Expiry::Never),
        ..s
    };
    assert_eq!(run(&present(s), &[expired]).action.kind(), Kind::Update);
}

#[test]
fn an_unknown_access_level_is_never_copied_into_a_write() {
    for n in [0, 11] {
        let mut l = link();
        l.access = ObservedAccess::Other(n);
        let s = LinkSpec {
            title: Some("New".into()),
            ..LinkSpec::default()
        };
        let d = run(&present(s.clone()), std::slice::from_ref(&l));
        assert!(
            matches!(d.action, Action::Refused { code: Code::PortalAccessUnknown, ref reason } if reason.contains("manage `access`")),
            "{:?}",
            d.action
        );
        // Managing the access replaces it.
        let s = LinkSpec {
            access: Some(Access::Read),
            ..s
        };
        let (_, values) = update_values(run(&present(s), &[l]));
        assert_eq!(values.access, ObservedAccess::Known(Access::Read));
    }
}

#[test]
fn a_managed_expiry_due_before_the_write_lands_is_refused() {
    for at in ["2026-12-01T00:05:00Z", "2026-11-30T00:00:00Z"] {
        let s = LinkSpec {
            expires: Some(Expiry::At(at.parse().unwrap())),
            ..LinkSpec::default()
        };
        for primary in [vec![], vec![link()]] {
            let d = run(&present(s.clone()), &primary);
            assert!(
                matches!(d.action, Action::Refused { code: Code::ExpiryDue, ref reason } if reason.contains("no expiry at all")),
                "{at}: {:?}",
                d.action
            );
        }
    }
}

#[test]
fn extra_primary_links_are_noted() {
    let d = run(&present(LinkSpec::default()), &[link(), link(), link()]);
    assert_eq!(d.notes, vec![Note::OtherPrimaryLinks(2)]);
}

fn run_in(desired: &DesiredLink, primary: &[ObservedLink], placement: Placement) -> Decision {
    decide_at(desired, primary, true, Some(placement))
}

#[test]
fn a_create_sends_the_internal_the_room_forces() {
    let inside = |room_type| Placement::InRoom { room_type };
    for (place, forced) in [
        (inside(RoomType::VirtualData), true),
        (inside(RoomType::Public), false),
        (inside(RoomType::Custom), false),
    ] {
        let d = run_in(&present(LinkSpec::default()), &[], place);
        let Some(Write::Create(values)) = d.write else {
            panic!("{:?}", d.action)
        };
        assert_eq!(values.internal, forced, "{place:?}");
    }
}

#[test]
fn a_public_room_folders_expiry_is_editable_whatever_its_flag_says() {
    // FileSharing.cs:1189-1192 says `canEditExpirationDate: false` on a public room
    // folder's primary link; the write keeps the expiry (third reading 1).
    let mut l = link();
    l.can_edit_expiry = false;
    let s = LinkSpec {
        expires: Some(Expiry::At("2030-01-01T00:00:00Z".parse().unwrap())),
        ..LinkSpec::default()
    };
    let public = Placement::InRoom {
        room_type: RoomType::Public,
    };
    let (_, values) = update_values(run_in(&present(s.clone()), &[l.clone()], public));
    assert_eq!(
        values.expires,
        Some("2030-01-01T00:00:00Z".parse().unwrap())
    );
    // Inside a form-filling room the expiry is fixed: refused, whatever the flag.
    l.can_edit_expiry = true;
    let forms = Placement::InRoom {
        room_type: RoomType::FillingForms,
    };
    assert!(matches!(
        run_in(&present(s), &[l.clone()], forms).action,
        Action::Refused {
            code: Code::FieldNotEditable,
            ..
        }
    ));
    // `internal` is forced inside a virtual data room: a change of it is refused.
    let s = LinkSpec {
        internal: Some(true),
        ..LinkSpec::default()
    };
    let vdr = Placement::InRoom {
        room_type: RoomType::VirtualData,
    };
    assert_eq!(run_in(&present(s), &[l], vdr).action.kind(), Kind::Refused);
}
