//! Checking a write's answer against the request, and saying how a folder changed
//! since the plan when apply refuses to write it.

use secrecy::ExposeSecret;

use crate::model::{Access, LinkSpec, LinkValues, ObservedAccess, ObservedLink, ObservedPassword};
use crate::plan::{Action, Context, Kind, Value};

/// What a write's answer got wrong: the managed fields that did not take.
/// Unmanaged fields are the server's to choose (it forces some, docspace-api.md 2.4).
pub(super) fn verify(
    spec: &LinkSpec,
    values: &LinkValues,
    got: &ObservedLink,
    ctx: &Context<'_>,
) -> Vec<String> {
    let mut wrong = Vec::new();
    if spec.access.is_some() && got.access != values.access {
        wrong.push(format!("access is {}, asked {}", got.access, values.access));
    }
    if spec.title.is_some()
        && let Some(t) = &values.title
        && *t != got.title
    {
        wrong.push(format!("title is {:?}, asked {t:?}", got.title));
    }
    if spec.expires.is_some() && got.expires != values.expires {
        wrong.push(format!(
            "expires is {}, asked {}",
            Value::Expiry(got.expires),
            Value::Expiry(values.expires)
        ));
    }
    if spec.password.is_some() {
        let ok = match (&values.password, &got.password) {
            (Some(w), ObservedPassword::Known(k)) => w.expose_secret() == k.expose_secret(),
            (None, ObservedPassword::Known(_)) => false,
            // Not echoed: on a portal that hides passwords there is nothing to check;
            // on one that echoes them, a missing key means none.
            (Some(_), ObservedPassword::Unknown) => !ctx.echoes_passwords,
            (None, ObservedPassword::Unknown) => true,
        };
        if !ok {
            wrong.push(format!(
                "password is {}, asked {}",
                match &got.password {
                    ObservedPassword::Known(_) => "a different one",
                    _ => "not set",
                },
                if values.password.is_some() {
                    "(sensitive)"
                } else {
                    "none"
                }
            ));
        }
    }
    if spec.deny_download.is_some() && got.deny_download != values.deny_download {
        wrong.push(format!(
            "deny_download is {}, asked {}",
            got.deny_download, values.deny_download
        ));
    }
    if spec.internal.is_some() && got.internal != values.internal {
        wrong.push(format!(
            "internal is {}, asked {}",
            got.internal, values.internal
        ));
    }
    wrong
}

/// Whether a link the portal just made exposes more than the write asked for: a
/// wider access, no password or expiry where one was asked (or a later expiry), not
/// internal or downloadable where asked otherwise.
pub(super) fn wider(values: &LinkValues, got: &ObservedLink, ctx: &Context<'_>) -> bool {
    let rank = |a: ObservedAccess| match a {
        ObservedAccess::Known(Access::Read) => 1,
        ObservedAccess::Known(Access::Comment) => 2,
        ObservedAccess::Known(Access::Review) => 3,
        ObservedAccess::Known(Access::FillForms) => 3,
        ObservedAccess::Known(Access::Editing) => 4,
        ObservedAccess::Other(_) => u8::MAX,
    };
    let no_password = match &got.password {
        ObservedPassword::Known(_) => false,
        ObservedPassword::Unknown => ctx.echoes_passwords,
    };
    rank(got.access) > rank(values.access)
        || (values.password.is_some() && no_password)
        || values
            .expires
            .is_some_and(|asked| got.expires.is_none_or(|t| t > asked))
        || (values.internal && !got.internal)
        || (values.deny_download && !got.deny_download)
}

/// Why the fresh read no longer matches the plan, in a sentence.
pub(super) fn describe_drift(
    planned: &Action,
    now: &Action,
    current: Option<&ObservedLink>,
) -> String {
    let word = |k: Kind| match k {
        Kind::Create => "create a link",
        Kind::Update => "update the link",
        Kind::Revoke => "revoke the link",
        Kind::Unchanged => "change nothing",
        Kind::Refused => "refuse the folder",
        Kind::Unknown => "read it",
    };
    if let (Action::Update { target, .. }, Some(link)) = (planned, current)
        && link.identity() != *target
    {
        if link.id == target.link_id {
            return "the planned link was removed, and a new link was made under its id (its share link differs); run plan again".to_owned();
        }
        return format!(
            "the primary link is no longer the one planned (planned link {}, now link {}); run plan again",
            target.link_id, link.id
        );
    }
    if let Action::Refused { reason, .. } = now {
        return format!("the fresh read is refused: {reason}");
    }
    if planned.kind() != now.kind() {
        return format!(
            "the plan was to {}, the portal now needs to {}; run plan again",
            word(planned.kind()),
            word(now.kind())
        );
    }
    let fields: Vec<&str> = now
        .changes()
        .iter()
        .filter(|c| !planned.changes().contains(c))
        .chain(
            planned
                .changes()
                .iter()
                .filter(|c| !now.changes().contains(c)),
        )
        .map(|c| c.field.name())
        .collect();
    if fields.is_empty() {
        "the links differ from what the plan showed; run plan again".to_owned()
    } else {
        let mut fields = fields;
        fields.dedup();
        format!(
            "changed by someone since the plan: {}; run plan again",
            fields.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docspace::release::Release;
    use crate::model::{Access, ObservedAccess, Secrets};
    use crate::plan::{Change, Field};
    use secrecy::SecretString;

    fn link() -> ObservedLink {
        ObservedLink::example()
    }

    fn values() -> LinkValues {
        LinkValues {
            access: ObservedAccess::Known(Access::Read),
            title: Some("Press kit".into()),
            password: Some(SecretString::from("Str0ng!pass")),
            expires: ObservedLink::example().expires,
            deny_download: true,
            internal: false,
        }
    }

    fn check(spec: &LinkSpec, got: &ObservedLink, echoes: bool) -> Vec<String> {
        let secrets = Secrets::default();
        let ctx = Context {
            secrets: &secrets,
            echoes_passwords: echoes,
            release: &Release::default(),
            now: jiff::Timestamp::now(),
            placement: None,
            additional: false,
        };
        verify(spec, &values(), got, &ctx)
    }

    #[test]
    fn only_managed_fields_are_checked() {
        let spec = LinkSpec {
            deny_download: Some(true),
            ..LinkSpec::default()
        };
        let mut got = link();
        got.internal = true; // forced by the server, unmanaged: fine
        assert_eq!(
            check(&spec, &got, true),
            vec!["deny_download is false, asked true".to_owned()]
        );
        got.deny_download = true;
        assert!(check(&spec, &got, true).is_empty());
    }

    #[test]
    fn a_password_not_echoed_is_no_failure_on_a_portal_that_hides_them() {
        let mut got = link();
        got.password = ObservedPassword::Unknown;
        let spec_set = LinkSpec {
            password: Some(crate::model::DesiredPassword::Secret(
                crate::model::PasswordRef::Env("X".into()),
            )),
            ..LinkSpec::default()
        };
        assert!(check(&spec_set, &got, false).is_empty());
        assert_eq!(check(&spec_set, &got, true).len(), 1);
        got.password = ObservedPassword::Known(SecretString::from("other-pass-1"));
        let wrong = check(&spec_set, &got, true);
        assert_eq!(
            wrong,
            vec!["password is a different one, asked (sensitive)"]
        );
        assert!(!wrong[0].contains("other-pass-1"));
    }

    #[test]
    fn a_link_made_wider_than_asked_is_told_apart() {
        let secrets = Secrets::default();
        let ctx = Context {
            secrets: &secrets,
            echoes_passwords: true,
            release: &Release::default(),
            now: jiff::Timestamp::now(),
            placement: None,
            additional: false,
        };
        let asked = values();
        let same = || {
            let mut l = link();
            l.deny_download = true;
            l
        };
        assert!(!wider(&asked, &same(), &ctx));
        let mut l = same();
        l.expires = None;
        assert!(wider(&asked, &l, &ctx), "no expiry");
        let mut l = same();
        l.password = ObservedPassword::Unknown;
        assert!(
            wider(&asked, &l, &ctx),
            "no password on a portal that echoes them"
        );
        let mut l = same();
        l.access = ObservedAccess::Known(Access::Editing);
        assert!(wider(&asked, &l, &ctx), "editing for read");
        let mut l = same();
        l.deny_download = false;
        assert!(wider(&asked, &l, &ctx), "downloads allowed");
        let mut narrower = values();
        narrower.access = ObservedAccess::Known(Access::Editing);
        assert!(
            !wider(&narrower, &same(), &ctx),
            "read for editing is narrower"
        );
    }

    #[test]
    fn drift_names_the_link_or_the_fields() {
        let target = link().identity();
        let change = |field, new| Change {
            field,
            old: Some(Value::Bool(false)),
            new,
            rotated: false,
        };
        let planned = Action::Update {
            target: target.clone(),
            changes: vec![change(Field::DenyDownload, Value::Bool(true))],
        };
        let mut other = link();
        other.id = "b".into();
        other.share_link = Some("https://p/s/b".into());
        let m = describe_drift(&planned, &planned, Some(&other));
        assert!(
            m.contains(&format!("planned link {}, now link b", link().id)),
            "{m}"
        );
        let now = Action::Update {
            target,
            changes: vec![
                change(Field::DenyDownload, Value::Bool(true)),
                change(Field::Title, Value::Text("x".into())),
            ],
        };
        let m = describe_drift(&planned, &now, Some(&link()));
        assert!(m.contains(": title;"), "{m}");
        let m = describe_drift(&planned, &Action::Create { changes: vec![] }, None);
        assert!(m.contains("now needs to create a link"), "{m}");
    }
}
