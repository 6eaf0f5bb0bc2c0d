//! Desired against observed, one folder at a time. Pure and synchronous: no I/O,
//! so every rule is unit-tested below. Plan building and apply's re-check right
//! before each write both decide here, so they cannot disagree.

use jiff::{SignedDuration, Timestamp};
use secrecy::ExposeSecret;

use super::{Action, Change, Field, Note, RevokedLink, Value};
use crate::model::{
    Access, DesiredLink, DesiredPassword, LinkIdentity, LinkSpec, LinkValues, ObservedAccess,
    ObservedLink, ObservedPassword, Secrets,
};

/// The access the server gives a link it creates without being told.
pub const SERVER_DEFAULT_ACCESS: Access = Access::Read;

/// An unmanaged expiry this close is treated as past: by the time the PUT that
/// copies it lands it may have passed, and the server saves a past date as no
/// expiry at all (docspace-api.md 2.5), reviving the link for ever.
const EXPIRY_MARGIN: SignedDuration = SignedDuration::from_mins(10);

/// What a decision needs besides the desired and observed link.
pub struct Context<'a> {
    pub secrets: &'a Secrets,
    /// Whether the portal has shown in this run that it echoes passwords: only
    /// then is a link without a `password` key known to have none.
    pub echoes_passwords: bool,
    pub now: Timestamp,
}

/// What one folder needs: the plan's view of it, and the write that carries it out.
#[derive(Debug)]
pub struct Decision {
    pub action: Action,
    pub notes: Vec<Note>,
    /// `None` for anything that writes nothing.
    pub write: Option<Write>,
}

/// A write with every value it sends, secrets included. Never stored in a plan.
#[derive(Debug)]
pub enum Write {
    Create(LinkValues),
    Update {
        target: LinkIdentity,
        values: LinkValues,
    },
    Revoke(Vec<LinkIdentity>),
}

/// What a password comes to once the portal's echo behaviour is known.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Seen<'a> {
    None,
    Known(&'a str),
    Unknown,
}

fn seen<'a>(p: &'a ObservedPassword, ctx: &Context) -> Seen<'a> {
    match p {
        ObservedPassword::Known(s) => Seen::Known(s.expose_secret()),
        ObservedPassword::Unknown if ctx.echoes_passwords => Seen::None,
        ObservedPassword::Unknown => Seen::Unknown,
    }
}

/// Decides what one folder needs. `primary` lists the folder's primary external
/// links in server order; the first is the one the manifest describes.
pub fn decide(desired: &DesiredLink, primary: &[ObservedLink], ctx: &Context) -> Decision {
    match desired {
        DesiredLink::Absent if primary.is_empty() => quiet(Action::Unchanged, Vec::new()),
        DesiredLink::Absent => Decision {
            action: Action::Revoke {
                links: primary
                    .iter()
                    .map(|l| RevokedLink {
                        target: l.identity(),
                        title: l.title.clone(),
                        access: l.access,
                        password_set: l.password.is_set(),
                    })
                    .collect(),
            },
            notes: Vec::new(),
            write: Some(Write::Revoke(
                primary.iter().map(ObservedLink::identity).collect(),
            )),
        },
        DesiredLink::Present(spec) => {
            let mut notes = Vec::new();
            if primary.len() > 1 {
                notes.push(Note::OtherPrimaryLinks(primary.len() - 1));
            }
            match primary.first() {
                None => create(spec, ctx, notes),
                Some(current) => update(spec, current, ctx, notes),
            }
        }
    }
}

fn quiet(action: Action, notes: Vec<Note>) -> Decision {
    Decision {
        action,
        notes,
        write: None,
    }
}

fn refuse(reason: impl Into<String>, notes: Vec<Note>) -> Decision {
    quiet(
        Action::Refused {
            reason: reason.into(),
        },
        notes,
    )
}

/// The secret a desired password names; `Err` with a refusal when it is missing
/// (a saved plan applied where the variable is not set).
fn secret<'a>(
    want: &DesiredPassword,
    ctx: &'a Context,
) -> Result<Option<&'a secrecy::SecretString>, String> {
    match want {
        DesiredPassword::None => Ok(None),
        DesiredPassword::Secret(r) => ctx.secrets.get(r).map(Some).ok_or_else(|| {
            format!("the password `{want}` is not available, so the link cannot be written")
        }),
    }
}

/// A managed expiry that will have passed by the time the write lands: the portal
/// would save no expiry at all (docspace-api.md 2.2), exposing the link for ever.
fn expiry_too_close(spec: &LinkSpec, ctx: &Context) -> Option<String> {
    let at = spec.expires?.instant()?;
    (at <= ctx.now.saturating_add(EXPIRY_MARGIN).unwrap_or(Timestamp::MAX)).then(|| {
        format!(
            "the manifest's expiry {} is past or due within minutes, and the portal would save a link with no expiry at all; set a later `expires`",
            crate::model::utc(at)
        )
    })
}

fn create(spec: &LinkSpec, ctx: &Context, notes: Vec<Note>) -> Decision {
    if let Some(reason) = expiry_too_close(spec, ctx) {
        return refuse(reason, notes);
    }
    let password = match spec.password.as_ref().map(|p| secret(p, ctx)).transpose() {
        Ok(p) => p.flatten().cloned(),
        Err(reason) => return refuse(reason, notes),
    };
    let values = LinkValues {
        access: ObservedAccess::Known(spec.access.unwrap_or(SERVER_DEFAULT_ACCESS)),
        title: spec.title.clone(),
        password,
        expires: spec.expires.and_then(|e| e.instant()),
        deny_download: spec.deny_download.unwrap_or(false),
        internal: spec.internal.unwrap_or(false),
    };
    let changes = vec![
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
    Decision {
        action: Action::Create { changes },
        notes,
        write: Some(Write::Create(values)),
    }
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

fn update(
    spec: &LinkSpec,
    current: &ObservedLink,
    ctx: &Context,
    mut notes: Vec<Note>,
) -> Decision {
    let mut changes = Vec::new();
    let have_password = seen(&current.password, ctx);

    if let Some(want) = spec.access
        && current.access != ObservedAccess::Known(want)
    {
        changes.push(changed(
            Field::Access,
            Value::Access(current.access),
            Value::access(want),
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
    if let Some(want) = spec.expires.map(|e| e.instant())
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
        let wanted = match secret(want, ctx) {
            Ok(w) => w.map(|s| s.expose_secret()),
            Err(reason) => return refuse(reason, notes),
        };
        match (wanted, have_password) {
            (_, Seen::Unknown) => notes.push(Note::PasswordUnverifiable),
            (None, Seen::None) => {}
            (Some(w), Seen::Known(k)) if w == k => {}
            (None, Seen::Known(_)) => changes.push(changed(
                Field::Password,
                Value::Password { set: true },
                Value::Password { set: false },
            )),
            (Some(_), old) => {
                let rotated = matches!(old, Seen::Known(_));
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
        return quiet(Action::Unchanged, notes);
    }
    if let Some(reason) = expiry_too_close(spec, ctx) {
        return refuse(reason, notes);
    }
    // An access level outside the manifest's words would be copied into the PUT as
    // a number the tool cannot vouch for (0 revokes, others may not be link levels).
    if let (None, ObservedAccess::Other(n)) = (spec.access, current.access) {
        return refuse(
            format!(
                "this link's access level (#{n}) is not one the tool knows, and an update would send it back; manage `access` for this folder"
            ),
            notes,
        );
    }

    // The server answers 200 and ignores these when the caller may not make them
    // (docspace-api.md 2.4): say so now rather than report a change that never takes.
    for (field, allowed) in [
        (Field::Internal, current.can_edit_internal),
        (Field::Expires, current.can_edit_expiry),
    ] {
        if !allowed && changes.iter().any(|c| c.field == field) {
            return refuse(
                format!(
                    "the portal does not allow changing `{}` on this link (it would answer OK and change nothing)",
                    field.name()
                ),
                notes,
            );
        }
    }

    let expiring = current.expired
        || current.expires.is_some_and(|t| {
            t <= ctx
                .now
                .saturating_add(EXPIRY_MARGIN)
                .unwrap_or(Timestamp::MAX)
        });
    if spec.expires.is_none() && expiring {
        return refuse(
            "this link has expired (or expires within minutes), and an update would bring it back with \
             no expiry at all (the portal drops a past date); manage `expires` for this folder in the manifest",
            notes,
        );
    }

    // A PUT resets every field it is not sent, the password included: an unmanaged
    // password must be copied, and one the portal does not show cannot be.
    let password = match (&spec.password, have_password, &current.password) {
        (Some(want), _, _) => match secret(want, ctx) {
            Ok(p) => p.cloned(),
            Err(reason) => return refuse(reason, notes),
        },
        (None, Seen::Known(_), ObservedPassword::Known(p)) => Some(p.clone()),
        (None, Seen::Unknown, _) => {
            return refuse(
                "the portal did not say whether this link has a password, and an update would remove one; \
                 manage `password` for this folder in the manifest ({ env: NAME }, { file: PATH } or false)",
                notes,
            );
        }
        (None, _, _) => None,
    };
    let values = LinkValues {
        access: spec.access.map_or(current.access, ObservedAccess::Known),
        title: Some(spec.title.clone().unwrap_or_else(|| current.title.clone())),
        password,
        expires: spec.expires.map_or(current.expires, |e| e.instant()),
        deny_download: spec.deny_download.unwrap_or(current.deny_download),
        internal: spec.internal.unwrap_or(current.internal),
    };
    Decision {
        action: Action::Update {
            target: current.identity(),
            changes,
        },
        notes,
        write: Some(Write::Update {
            target: current.identity(),
            values,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Expiry, PasswordRef};
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
        let secrets = secrets();
        let ctx = Context {
            secrets: &secrets,
            echoes_passwords: echoes,
            now: NOW.parse().unwrap(),
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
            matches!(d.action, Action::Refused { ref reason } if reason.contains("env:NOT_RESOLVED"))
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
            matches!(d.action, Action::Refused { ref reason } if reason.contains("manage `password`")),
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
                matches!(d.action, Action::Refused { ref reason } if reason.contains("manage `expires`"))
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
                matches!(d.action, Action::Refused { ref reason } if reason.contains("manage `access`")),
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
                    matches!(d.action, Action::Refused { ref reason } if reason.contains("no expiry at all")),
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
}
