//! Desired against observed, one folder at a time. Pure and synchronous: no I/O,
//! so every rule is unit-tested below.

use secrecy::ExposeSecret;

use crate::manifest::{DesiredLink, LinkSpec};
use crate::model::{
    Access, DesiredPassword, Expiry, ObservedAccess, ObservedLink, ObservedPassword,
};
use crate::plan::{Action, Change, Field, LinkValues, Managed, Note, Value, access_value};

/// The access the server gives a link it creates without being told.
pub const SERVER_DEFAULT_ACCESS: Access = Access::Read;

/// Decides what one folder needs. `primary` lists the folder's primary external
/// links in server order; the first is the one the manifest describes.
pub fn reconcile(desired: &DesiredLink, primary: &[ObservedLink]) -> (Action, Vec<Note>) {
    match desired {
        DesiredLink::Absent if primary.is_empty() => (Action::Unchanged, Vec::new()),
        DesiredLink::Absent => (
            Action::Revoke {
                links: primary.to_vec(),
            },
            Vec::new(),
        ),
        DesiredLink::Present(spec) => {
            let mut notes = Vec::new();
            if primary.len() > 1 {
                notes.push(Note::OtherPrimaryLinks(primary.len() - 1));
            }
            let action = match primary.first() {
                None => create(spec),
                Some(current) => update(spec, current, &mut notes),
            };
            (action, notes)
        }
    }
}

fn managed(spec: &LinkSpec) -> Managed {
    Managed {
        access: spec.access.is_some(),
        title: spec.title.is_some(),
        password: spec.password.is_some(),
        expires: spec.expires.is_some(),
        deny_download: spec.deny_download.is_some(),
        internal: spec.internal.is_some(),
    }
}

fn desired_expiry(e: Expiry) -> Option<jiff::Timestamp> {
    match e {
        Expiry::Never => None,
        Expiry::At(t) => Some(t),
    }
}

fn create(spec: &LinkSpec) -> Action {
    let values = LinkValues {
        access: ObservedAccess::Known(spec.access.unwrap_or(SERVER_DEFAULT_ACCESS)),
        title: spec.title.clone(),
        password: match &spec.password {
            Some(DesiredPassword::Secret(s)) => Some(s.clone()),
            _ => None,
        },
        expires: spec.expires.and_then(desired_expiry),
        deny_download: spec.deny_download.unwrap_or(false),
        internal: spec.internal.unwrap_or(false),
        managed: managed(spec),
    };
    let shown = vec![
        created(Field::Access, Value::Access(values.access)),
        created(
            Field::Title,
            values
                .title
                .clone()
                .map_or(Value::ServerDefault, Value::Text),
        ),
        created(Field::Expires, Value::Expiry(values.expires)),
        created(
            Field::Password,
            Value::Password {
                set: values.password.is_some(),
            },
        ),
        created(Field::DenyDownload, Value::Bool(values.deny_download)),
        created(Field::Internal, Value::Bool(values.internal)),
    ];
    Action::Create { values, shown }
}

fn created(field: Field, new: Value) -> Change {
    Change {
        field,
        old: None,
        new,
        rotated: false,
    }
}

fn changed(field: Field, old: Value, new: Value) -> Change {
    Change {
        field,
        old: Some(old),
        new,
        rotated: false,
    }
}

fn update(spec: &LinkSpec, current: &ObservedLink, notes: &mut Vec<Note>) -> Action {
    let mut changes = Vec::new();

    if let Some(want) = spec.access
        && current.access != ObservedAccess::Known(want)
    {
        changes.push(changed(
            Field::Access,
            Value::Access(current.access),
            access_value(want),
        ));
    }
    if let Some(want) = &spec.title
        && *want != current.title
    {
        changes.push(changed(
            Field::Title,
            Value::Text(current.title.clone()),
            Value::Text(want.clone()),
        ));
    }
    if let Some(want) = spec.expires.map(desired_expiry)
        // Instants, not strings: the server answers in its own time zone.
        && want != current.expires
    {
        changes.push(changed(
            Field::Expires,
            Value::Expiry(current.expires),
            Value::Expiry(want),
        ));
    }
    if let Some(want) = &spec.password {
        match (want, &current.password) {
            (DesiredPassword::None, ObservedPassword::None) => {}
            (DesiredPassword::Secret(w), ObservedPassword::Known(k))
                if w.expose_secret() == k.expose_secret() => {}
            (DesiredPassword::Secret(_), ObservedPassword::Hidden) => {
                notes.push(Note::PasswordUnverifiable)
            }
            (DesiredPassword::None, _) => changes.push(changed(
                Field::Password,
                Value::Password { set: true },
                Value::Password { set: false },
            )),
            (DesiredPassword::Secret(_), old) => {
                let rotated = old.is_set();
                changes.push(Change {
                    rotated,
                    ..changed(
                        Field::Password,
                        Value::Password { set: rotated },
                        Value::Password { set: true },
                    )
                });
            }
        }
    }
    if let Some(want) = spec.deny_download
        && want != current.deny_download
    {
        changes.push(changed(
            Field::DenyDownload,
            Value::Bool(current.deny_download),
            Value::Bool(want),
        ));
    }
    if let Some(want) = spec.internal
        && want != current.internal
    {
        changes.push(changed(
            Field::Internal,
            Value::Bool(current.internal),
            Value::Bool(want),
        ));
    }

    if changes.is_empty() {
        return Action::Unchanged;
    }

    // The server answers 200 and ignores these when the caller may not make them
    // (docspace-api.md 2.4): say so now rather than report a change that never takes.
    for (field, allowed) in [
        (Field::Internal, current.can_edit_internal),
        (Field::Expires, current.can_edit_expiry),
    ] {
        if !allowed && changes.iter().any(|c| c.field == field) {
            return Action::Refused {
                reason: format!(
                    "the portal does not allow changing `{}` on this link (it would answer OK and change nothing)",
                    field.name()
                ),
            };
        }
    }

    if spec.expires.is_none() && current.expired {
        return Action::Refused {
            reason: "this link has expired, and an update would bring it back with no expiry at all \
                     (the portal drops a past date); manage `expires` for this folder in the manifest"
                .to_owned(),
        };
    }

    // A PUT resets every field it is not sent, the password included: an unmanaged
    // password must be copied, and one the server will not show cannot be.
    let password = match (&spec.password, &current.password) {
        (Some(DesiredPassword::Secret(s)), _) => Some(s.clone()),
        (Some(DesiredPassword::None), _) => None,
        (None, ObservedPassword::Known(p)) => Some(p.clone()),
        (None, ObservedPassword::None) => None,
        (None, ObservedPassword::Hidden) => {
            return Action::Refused {
                reason: "this link has a password the portal does not return, and an update would remove it; \
                         manage `password` for this folder in the manifest ({ env: NAME } or { file: PATH })"
                    .to_owned(),
            };
        }
    };
    let values = LinkValues {
        access: spec.access.map_or(current.access, ObservedAccess::Known),
        title: Some(spec.title.clone().unwrap_or_else(|| current.title.clone())),
        password,
        expires: spec.expires.map_or(current.expires, desired_expiry),
        deny_download: spec.deny_download.unwrap_or(current.deny_download),
        internal: spec.internal.unwrap_or(current.internal),
        managed: managed(spec),
    };
    Action::Update {
        link_id: current.id.clone(),
        values,
        changes,
    }
}

/// What a write's answer got wrong: the managed fields that did not take.
/// Unmanaged fields are the server's to choose (it forces some, docspace-api.md 2.4).
pub fn verify(values: &LinkValues, got: &ObservedLink) -> Vec<String> {
    let m = values.managed;
    let mut wrong = Vec::new();
    if m.access && got.access != values.access {
        wrong.push(format!("access is {}, asked {}", got.access, values.access));
    }
    if m.title
        && let Some(t) = &values.title
        && *t != got.title
    {
        wrong.push(format!("title is {:?}, asked {t:?}", got.title));
    }
    if m.expires && got.expires != values.expires {
        wrong.push(format!(
            "expires is {}, asked {}",
            Value::Expiry(got.expires),
            Value::Expiry(values.expires)
        ));
    }
    if m.password {
        let ok = match (&values.password, &got.password) {
            (None, ObservedPassword::None) => true,
            (Some(w), ObservedPassword::Known(k)) => w.expose_secret() == k.expose_secret(),
            // Not echoed: the fact that one is set is all there is to check.
            (Some(_), ObservedPassword::Hidden) => true,
            _ => false,
        };
        if !ok {
            wrong.push(format!(
                "password is {}, asked {}",
                if got.password.is_set() {
                    "a different one"
                } else {
                    "not set"
                },
                if values.password.is_some() {
                    "(sensitive)"
                } else {
                    "none"
                }
            ));
        }
    }
    if m.deny_download && got.deny_download != values.deny_download {
        wrong.push(format!(
            "deny_download is {}, asked {}",
            got.deny_download, values.deny_download
        ));
    }
    if m.internal && got.internal != values.internal {
        wrong.push(format!(
            "internal is {}, asked {}",
            got.internal, values.internal
        ));
    }
    wrong
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Kind;
    use jiff::Timestamp;
    use secrecy::SecretString;

    fn link() -> ObservedLink {
        ObservedLink {
            id: "6b1c3e52-2f0a-4c1e-9a57-0d1f2e3a4b5c".into(),
            access: ObservedAccess::Known(Access::Read),
            title: "Press kit".into(),
            password: ObservedPassword::Known(SecretString::from("Str0ng!pass")),
            expires: Some("2027-01-01T00:00:00Z".parse().unwrap()),
            deny_download: false,
            internal: false,
            can_edit_internal: true,
            can_edit_expiry: true,
            expired: false,
        }
    }

    fn spec() -> LinkSpec {
        LinkSpec {
            access: None,
            title: None,
            expires: None,
            password: None,
            deny_download: None,
            internal: None,
        }
    }

    fn present(s: LinkSpec) -> DesiredLink {
        DesiredLink::Present(s)
    }

    fn secret(s: &str) -> Option<DesiredPassword> {
        Some(DesiredPassword::Secret(SecretString::from(s)))
    }

    #[test]
    fn nothing_managed_means_nothing_to_do() {
        let (a, notes) = reconcile(&present(spec()), &[link()]);
        assert_eq!(a.kind(), Kind::Unchanged);
        assert!(notes.is_empty());
    }

    #[test]
    fn missing_link_is_created_with_server_defaults_for_unmanaged_fields() {
        let (a, _) = reconcile(&present(spec()), &[]);
        let Action::Create { values, shown } = a else {
            panic!("{a:?}")
        };
        assert_eq!(values.access, ObservedAccess::Known(Access::Read));
        assert!(values.title.is_none() && values.password.is_none() && values.expires.is_none());
        assert_eq!(
            shown.iter().find(|c| c.field == Field::Title).unwrap().new,
            Value::ServerDefault
        );
        assert_eq!(values.managed, Managed::default());
    }

    #[test]
    fn create_carries_every_managed_field() {
        let t: Timestamp = "2030-06-30T00:00:00Z".parse().unwrap();
        let s = LinkSpec {
            access: Some(Access::Editing),
            title: Some("Kit".into()),
            expires: Some(Expiry::At(t)),
            password: secret("s3cret-pass"),
            deny_download: Some(true),
            internal: Some(true),
        };
        let (a, _) = reconcile(&present(s), &[]);
        let Action::Create { values, shown } = a else {
            panic!()
        };
        assert_eq!(values.expires, Some(t));
        assert_eq!(values.password.unwrap().expose_secret(), "s3cret-pass");
        assert!(values.deny_download && values.internal);
        assert!(shown.contains(&created(Field::Password, Value::Password { set: true })));
    }

    #[test]
    fn absent_revokes_every_primary_link_and_is_a_no_op_without_one() {
        let (a, _) = reconcile(&DesiredLink::Absent, &[link(), link()]);
        assert!(matches!(a, Action::Revoke { ref links } if links.len() == 2));
        let (a, _) = reconcile(&DesiredLink::Absent, &[]);
        assert_eq!(a.kind(), Kind::Unchanged);
    }

    #[test]
    fn update_changes_one_field_and_keeps_the_rest_password_included() {
        let s = LinkSpec {
            deny_download: Some(true),
            ..spec()
        };
        let (a, _) = reconcile(&present(s), &[link()]);
        let Action::Update {
            link_id,
            values,
            changes,
        } = a
        else {
            panic!()
        };
        assert_eq!(link_id, link().id);
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
            ..spec()
        };
        assert_eq!(reconcile(&present(s), &[l]).0.kind(), Kind::Unchanged);
    }

    #[test]
    fn never_removes_an_expiry() {
        let s = LinkSpec {
            expires: Some(Expiry::Never),
            ..spec()
        };
        let (a, _) = reconcile(&present(s), &[link()]);
        let Action::Update {
            values, changes, ..
        } = a
        else {
            panic!()
        };
        assert_eq!(values.expires, None);
        assert_eq!(changes[0].new, Value::Expiry(None));
    }

    #[test]
    fn password_rotation_is_detected_and_flagged_without_the_value() {
        let s = LinkSpec {
            password: secret("another-pass"),
            ..spec()
        };
        let (a, _) = reconcile(&present(s), &[link()]);
        let Action::Update { changes, .. } = a else {
            panic!()
        };
        assert_eq!(changes.len(), 1);
        assert!(changes[0].rotated);
        assert_eq!(changes[0].old, Some(Value::Password { set: true }));
    }

    #[test]
    fn same_password_is_no_change() {
        let s = LinkSpec {
            password: secret("Str0ng!pass"),
            ..spec()
        };
        assert_eq!(reconcile(&present(s), &[link()]).0.kind(), Kind::Unchanged);
    }

    #[test]
    fn password_false_removes_one() {
        let s = LinkSpec {
            password: Some(DesiredPassword::None),
            ..spec()
        };
        let (a, _) = reconcile(&present(s), &[link()]);
        let Action::Update {
            values, changes, ..
        } = a
        else {
            panic!()
        };
        assert!(values.password.is_none());
        assert_eq!(changes[0].new, Value::Password { set: false });
    }

    #[test]
    fn hidden_password_is_unverifiable_not_a_change() {
        let mut l = link();
        l.password = ObservedPassword::Hidden;
        let s = LinkSpec {
            password: secret("whatever-pass"),
            ..spec()
        };
        let (a, notes) = reconcile(&present(s), &[l]);
        assert_eq!(a.kind(), Kind::Unchanged);
        assert_eq!(notes, vec![Note::PasswordUnverifiable]);
    }

    #[test]
    fn hidden_unmanaged_password_refuses_an_update_that_would_drop_it() {
        let mut l = link();
        l.password = ObservedPassword::Hidden;
        let s = LinkSpec {
            deny_download: Some(true),
            ..spec()
        };
        let (a, _) = reconcile(&present(s), &[l]);
        assert!(
            matches!(a, Action::Refused { ref reason } if reason.contains("manage `password`"))
        );
    }

    #[test]
    fn uneditable_internal_is_refused_up_front() {
        let mut l = link();
        l.can_edit_internal = false;
        let s = LinkSpec {
            internal: Some(true),
            ..spec()
        };
        assert_eq!(reconcile(&present(s), &[l]).0.kind(), Kind::Refused);
    }

    #[test]
    fn an_expired_link_is_not_revived_by_an_update() {
        let mut l = link();
        l.expired = true;
        let s = LinkSpec {
            deny_download: Some(true),
            ..spec()
        };
        let (a, _) = reconcile(&present(s), std::slice::from_ref(&l));
        assert!(matches!(a, Action::Refused { ref reason } if reason.contains("manage `expires`")));
        // Managing the expiry makes the update safe.
        let s = LinkSpec {
            deny_download: Some(true),
            expires: Some(Expiry::Never),
            ..spec()
        };
        assert_eq!(reconcile(&present(s), &[l]).0.kind(), Kind::Update);
    }

    #[test]
    fn unknown_access_level_is_kept_when_unmanaged() {
        let mut l = link();
        l.access = ObservedAccess::Other(11);
        let s = LinkSpec {
            title: Some("New".into()),
            ..spec()
        };
        let Action::Update { values, .. } = reconcile(&present(s), &[l]).0 else {
            panic!()
        };
        assert_eq!(values.access, ObservedAccess::Other(11));
    }

    #[test]
    fn extra_primary_links_are_noted() {
        let (_, notes) = reconcile(&present(spec()), &[link(), link(), link()]);
        assert_eq!(notes, vec![Note::OtherPrimaryLinks(2)]);
    }

    #[test]
    fn verify_checks_managed_fields_only() {
        let s = LinkSpec {
            deny_download: Some(true),
            ..spec()
        };
        let Action::Update { values, .. } = reconcile(&present(s), &[link()]).0 else {
            panic!()
        };
        let mut got = link();
        got.internal = true; // forced by the server, unmanaged: fine
        assert_eq!(
            verify(&values, &got),
            vec!["deny_download is false, asked true".to_owned()]
        );
        got.deny_download = true;
        assert!(verify(&values, &got).is_empty());
    }
}
