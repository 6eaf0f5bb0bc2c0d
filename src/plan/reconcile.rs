//! Desired against observed, one folder at a time. Pure and synchronous: no I/O,
//! so every rule is unit-tested below. Plan building and apply's re-check right
//! before each write both decide here, so they cannot disagree.

use jiff::{SignedDuration, Timestamp};
use secrecy::ExposeSecret;

use super::placement::{SERVER_DEFAULT_ACCESS, expiry_is_fixed_for, forced_internal};
use super::{Action, Change, Field, Note, RevokedLink, Value};
use crate::diagnostic::Code;
use crate::docspace::release::Release;
use crate::model::{
    DesiredLink, DesiredPassword, LinkIdentity, LinkSpec, LinkValues, ObservedAccess, ObservedLink,
    ObservedPassword, Placement, RoomType, Secrets,
};

/// An unmanaged expiry this close is treated as past: by the time the PUT that
/// copies it lands it may have passed, and the server saves a past date as no
/// expiry at all (docspace-api.md 2.5), reviving the link for ever.
const EXPIRY_MARGIN: SignedDuration = SignedDuration::from_mins(10);

/// What a decision needs besides the desired and observed link.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    pub secrets: &'a Secrets,
    /// Whether the portal has shown in this run that it echoes passwords: only
    /// then is a link without a `password` key known to have none.
    pub echoes_passwords: bool,
    /// The portal's release, named when a password cannot be known.
    pub release: &'a Release,
    pub now: Timestamp,
    /// Where the folder lives, when known: the room rules of the third reading
    /// (`placement::forced_internal`, `placement::expiry_is_fixed`) decide what a
    /// write must send and which fields it may change. `None`: the link's own
    /// `canEdit*` flags alone.
    pub placement: Option<Placement>,
    /// The link is an additional one (design.md 1.2): only a public or
    /// form-filling room's own *primary* link has a fixed expiry (third reading 1).
    pub additional: bool,
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

fn refuse(code: Code, reason: impl Into<String>, notes: Vec<Note>) -> Decision {
    quiet(
        Action::Refused {
            code,
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
        return refuse(Code::ExpiryDue, reason, notes);
    }
    let password = match spec.password.as_ref().map(|p| secret(p, ctx)).transpose() {
        Ok(p) => p.flatten().cloned(),
        Err(reason) => return refuse(Code::PasswordUnavailable, reason, notes),
    };
    let values = LinkValues {
        access: ObservedAccess::Known(spec.access.unwrap_or(SERVER_DEFAULT_ACCESS)),
        title: spec.title.clone(),
        password,
        expires: spec.expires.and_then(|e| e.instant()),
        deny_download: spec.deny_download.unwrap_or(false),
        // Where the portal forces `internal` it stores the forced value whatever is
        // sent (`FileSharing.cs:235-240`): send it, so that the plan shows what the
        // link will be and the answer is checked against it.
        internal: spec
            .internal
            .or_else(|| ctx.placement.and_then(forced_internal))
            .unwrap_or(false),
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
            Err(reason) => return refuse(Code::PasswordUnavailable, reason, notes),
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
        return refuse(Code::ExpiryDue, reason, notes);
    }
    // An access level outside the manifest's words would be copied into the PUT as
    // a number the tool cannot vouch for (0 revokes, others may not be link levels).
    if let (None, ObservedAccess::Other(n)) = (spec.access, current.access) {
        return refuse(
            Code::PortalAccessUnknown,
            format!(
                "this link's access level (#{n}) is not one the tool knows, and an update would send it back; manage `access` for this folder"
            ),
            notes,
        );
    }

    // The server answers 200 and ignores these when the caller may not make them
    // (docspace-api.md 2.4): say so now rather than report a change that never takes.
    for (field, allowed) in [
        (Field::Internal, internal_editable(current, ctx.placement)),
        (
            Field::Expires,
            expiry_editable(current, ctx.placement, ctx.additional),
        ),
    ] {
        if !allowed && changes.iter().any(|c| c.field == field) {
            return refuse(
                Code::FieldNotEditable,
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
            Code::ExpiredLink,
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
            Err(reason) => return refuse(Code::PasswordUnavailable, reason, notes),
        },
        (None, Seen::Known(_), ObservedPassword::Known(p)) => Some(p.clone()),
        (None, Seen::Unknown, _) => {
            return refuse(
                Code::PasswordUnseen,
                format!(
                    "the portal ({}) did not say whether this link has a password, and an update would \
                     remove one; manage `password` for this folder in the manifest ({{ env: NAME }}, \
                     {{ file: PATH }} or false)",
                    ctx.release.describe()
                ),
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

/// Whether an update may change `internal` here: not where the room forces it
/// (docspace-api.md third reading 1, `FileSecurity.cs` ~1735-1745), else as the link says.
fn internal_editable(current: &ObservedLink, placement: Option<Placement>) -> bool {
    current.can_edit_internal && placement.and_then(forced_internal).is_none()
}

/// Whether an update may change the expiry here. Inside a public room the link's
/// `canEditExpirationDate` is false on primary links (`FileSharing.cs:1189-1192`)
/// while a write keeps the expiry (`FileSharing.cs:211-221` drops it only on the
/// room's own link, and `FileSecurity.cs` ~1735-1745 lets it be edited there): the
/// place, not the flag, decides. Where the expiry is fixed no change is made.
fn expiry_editable(current: &ObservedLink, placement: Option<Placement>, additional: bool) -> bool {
    match placement {
        Some(p) if expiry_is_fixed_for(p, !additional) => false,
        // The flag is wrong only on public rooms' primary links.
        Some(Placement::InRoom {
            room_type: RoomType::Public,
        }) if !additional => true,
        _ => current.can_edit_expiry,
    }
}

#[cfg(test)]
#[path = "reconcile_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "reconcile_spec.rs"]
mod spec;
