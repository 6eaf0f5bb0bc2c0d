//! A plan: what `apply` would do to each folder, and why, as plain data.
//!
//! A plan stands alone (design.md 4): every item names its manifest file and line,
//! its folder, the link it targets and the changes, and holds passwords only as
//! references. It can be rendered in any format, saved, compared with another plan
//! and applied later; nothing in it points back into the manifest or holds a secret.

mod build;
pub(crate) mod creator;
mod extra;
mod label;
pub(crate) mod placement;
pub mod policy;
mod reconcile;
mod replan;

/// Why a folder whose links this key cannot see is unknown (`FolderLinks::hidden`).
const LINKS_HIDDEN: &str = "the portal lists this folder as shared, but shows this API key none of its \
     links: its user may see the folder without managing its links";
pub use replan::Drift;
pub(crate) mod safety;
pub(crate) mod saved;
#[cfg(test)]
mod schema;
mod strict_json;
mod unlisted;

use std::fmt;
use std::sync::Arc;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Code;
use crate::model::{
    Access, DesiredLink, LinkIdentity, ObservedAccess, ObservedLink, ObservedPassword, Placement,
    utc,
};

pub(crate) use build::build;
pub(crate) use label::{Label, label_against};
pub(crate) use reconcile::{Context, Write, decide};
pub(crate) use unlisted::{EXTRA_UNLISTED, UnlistedAction, UnlistedFolder, UnlistedLink};

use policy::Violation;

/// One folder's part of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// As the manifest names it: `Marketing/Press kit`, `@my/Drafts`, `id 20202 (Kit)`.
    pub path: String,
    /// `None` when the folder could not even be found (its state is unknown).
    pub folder_id: Option<u64>,
    /// The manifest file and line of the entry, for messages and annotations.
    #[schemars(with = "String")]
    pub manifest: Arc<str>,
    /// The line of the entry, or of the `extra_links` key of an additional link.
    pub line: u32,
    /// For one of the folder's additional links (design.md 1.2): its title, the
    /// `extra_links` key. `None`: the folder's primary link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extra: Option<String>,
    /// What the entry wants, passwords as references: apply re-derives the change
    /// from a fresh read with it, and refuses when that differs from `action`.
    pub desired: DesiredLink,
    pub action: Action,
    /// Facts worth knowing that change nothing (another primary link, an
    /// unverifiable password).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
    /// Policy rules the link breaks as it will be after this item (its unmanaged
    /// fields are the portal's), and on a primary link's item those any further
    /// primary link of the folder breaks as it is: counted as changes, fixed only
    /// in the manifest (or by hand).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
    /// Against a baseline manifest (`plan --baseline`): why this change is pending.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
    /// The links this item is about as the plan read them: the folder's primary
    /// links, or its additional links with the item's title (no secret: a password is
    /// only set, none or unsaid). `apply --plan` reads the folder again: where it
    /// still sees exactly this, the item must be what a plan made now says, or the
    /// file was edited.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub seen: Vec<SeenLink>,
    /// For a revoke of a folder (not a room): the id of the folder's creator, when
    /// the portal named one. Only the creator may revoke (`plan::creator`): apply,
    /// told by a 403 that the key's user is not this creator, skips the other
    /// revokes of folders the same user made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<String>,
    /// Where the folder lives, as this run read it: apply sends what the room
    /// forces (`Context::placement`). Never saved: a saved plan takes it from the
    /// plan made now, a fact about the portal being this run's, never the file's.
    #[serde(skip)]
    #[schemars(skip)]
    pub placement: Option<Placement>,
}

impl Item {
    /// How every output names the item: the folder's path, and for an additional
    /// link its title after it (`Team/Press · "Agency"`). Foreign text: shown
    /// through `render::printable`.
    pub fn shown(&self) -> String {
        match &self.extra {
            None => self.path.clone(),
            Some(title) => format!("{} \u{b7} {title:?}", self.path),
        }
    }
}

/// A link as a plan saw it, without its password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeenLink {
    pub target: LinkIdentity,
    pub access: ObservedAccess,
    pub title: String,
    pub password: SeenPassword,
    pub expires: Option<Timestamp>,
    pub deny_download: bool,
    pub internal: bool,
    pub expired: bool,
}

/// What a plan knew of a link's password.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SeenPassword {
    Set,
    None,
    /// The portal did not say, and its release is not known to return passwords.
    Unsaid,
}

impl SeenLink {
    pub fn of(link: &ObservedLink, echoes_passwords: bool) -> SeenLink {
        SeenLink {
            target: link.identity(),
            access: link.access,
            title: link.title.clone(),
            password: match &link.password {
                ObservedPassword::Known(_) => SeenPassword::Set,
                ObservedPassword::Unknown if echoes_passwords => SeenPassword::None,
                ObservedPassword::Unknown => SeenPassword::Unsaid,
            },
            expires: link.expires,
            deny_download: link.deny_download,
            internal: link.internal,
            expired: link.expired,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "action", deny_unknown_fields)]
pub enum Action {
    Unchanged,
    /// Every field of the link to create (`old` is `None` in each change).
    Create {
        changes: Vec<Change>,
    },
    Update {
        target: LinkIdentity,
        changes: Vec<Change>,
    },
    Revoke {
        links: Vec<RevokedLink>,
    },
    /// The tool will not touch this folder, for the reason given.
    Refused {
        /// Which rule refuses it (a plan saved before codes reads as `other`).
        #[serde(default = "unnamed")]
        code: Code,
        reason: String,
    },
    /// The folder's state could not be read: nothing is assumed about it.
    Unknown {
        /// What the portal answered.
        #[serde(default = "unnamed")]
        code: Code,
        error: String,
    },
}

fn unnamed() -> Code {
    Code::Other
}

/// A link a revoke removes, as the plan shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokedLink {
    pub target: LinkIdentity,
    pub title: String,
    pub access: ObservedAccess,
    pub password_set: bool,
}

impl Action {
    pub fn kind(&self) -> Kind {
        match self {
            Action::Unchanged => Kind::Unchanged,
            Action::Create { .. } => Kind::Create,
            Action::Update { .. } => Kind::Update,
            Action::Revoke { .. } => Kind::Revoke,
            Action::Refused { .. } => Kind::Refused,
            Action::Unknown { .. } => Kind::Unknown,
        }
    }

    /// Whether apply sends anything for it.
    pub fn writes(&self) -> bool {
        matches!(
            self,
            Action::Create { .. } | Action::Update { .. } | Action::Revoke { .. }
        )
    }

    /// The field-level changes of a create or an update.
    pub fn changes(&self) -> &[Change] {
        match self {
            Action::Create { changes } | Action::Update { changes, .. } => changes,
            _ => &[],
        }
    }
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Create,
    Update,
    Revoke,
    Unchanged,
    Refused,
    Unknown,
}

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Access,
    Title,
    Expires,
    Password,
    DenyDownload,
    Internal,
}

impl Field {
    pub fn name(self) -> &'static str {
        match self {
            Field::Access => "access",
            Field::Title => "title",
            Field::Expires => "expires",
            Field::Password => "password",
            Field::DenyDownload => "deny_download",
            Field::Internal => "internal",
        }
    }
}

/// A field's value as plans show it. Passwords are only ever "set" or "not set".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Value {
    Access(ObservedAccess),
    Text(String),
    /// The server's default, chosen by it when the link is made.
    ServerDefault,
    Expiry(Option<Timestamp>),
    /// A password: whether one is set, never what it is.
    Password {
        set: bool,
    },
    Bool(bool),
}

impl Value {
    pub fn access(a: Access) -> Value {
        Value::Access(ObservedAccess::Known(a))
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Access(a) => a.fmt(f),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::ServerDefault => f.write_str("(server default)"),
            Value::Expiry(None) => f.write_str("never"),
            Value::Expiry(Some(t)) => f.write_str(&utc(*t)),
            Value::Password { set: true } => f.write_str("(sensitive)"),
            Value::Password { set: false } => f.write_str("(none)"),
            Value::Bool(b) => b.fmt(f),
        }
    }
}

/// One field that changes. `old` is `None` for a link that is being created.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub field: Field,
    pub old: Option<Value>,
    pub new: Value,
    /// A new password replaces an old one: both show as `(sensitive)`, so say so.
    #[serde(default)]
    pub rotated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Note {
    /// The portal did not say whether the link has a password, so whether it is
    /// the manifest's cannot be checked.
    PasswordUnverifiable,
    /// More primary links exist than the one the tool manages.
    OtherPrimaryLinks(usize),
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::PasswordUnverifiable => f.write_str(
                "password cannot be verified: the portal does not return link passwords",
            ),
            Note::OtherPrimaryLinks(n) => write!(
                f,
                "{n} more primary link{} on this folder {} not managed",
                if *n == 1 { "" } else { "s" },
                if *n == 1 { "is" } else { "are" }
            ),
        }
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Sorted by path, then folder id: output is stable run to run.
    pub items: Vec<Item>,
    /// Whether some link came back with its password in this run: only then does
    /// a link without a `password` key certainly have none (docspace-api.md 2.3).
    pub portal_echoes_passwords: bool,
    /// Folders under a scope that no entry lists and that have external links
    /// (design.md 1.1), sorted by path.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unlisted: Vec<UnlistedFolder>,
    /// The release the portal said it runs when the plan was made
    /// (`GET settings/version/build`); `apply --plan` refuses a plan made on
    /// another release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_version: Option<String>,
    /// Folders under a `unlisted: revoke` scope that no entry lists and that have
    /// no external link now, with the line of their scope: a saved plan's revoke
    /// of one of them was carried out before (`replan`). This run's, never saved.
    #[serde(skip)]
    #[schemars(skip)]
    pub cleared: Vec<(u64, u32)>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub revoke: usize,
    pub unchanged: usize,
    pub refused: usize,
    pub unknown: usize,
    pub unverifiable: usize,
    /// Unlisted folders under `unlisted: report` (their revokes count in `revoke`).
    pub unlisted: usize,
    /// Links that break the policy.
    pub violations: usize,
}

impl Plan {
    pub fn new(mut items: Vec<Item>, portal_echoes_passwords: bool) -> Self {
        items.sort_by(|a, b| {
            a.path
                .cmp(&b.path)
                .then(a.folder_id.cmp(&b.folder_id))
                .then(a.extra.cmp(&b.extra))
        });
        Plan {
            items,
            portal_echoes_passwords,
            unlisted: Vec::new(),
            portal_version: None,
            cleared: Vec::new(),
        }
    }

    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for item in &self.items {
            match item.action.kind() {
                Kind::Create => s.create += 1,
                Kind::Update => s.update += 1,
                Kind::Revoke => s.revoke += 1,
                Kind::Unchanged => s.unchanged += 1,
                Kind::Refused => s.refused += 1,
                Kind::Unknown => s.unknown += 1,
            }
            if item.notes.contains(&Note::PasswordUnverifiable) {
                s.unverifiable += 1;
            }
            s.violations += item.violations.len();
        }
        for u in &self.unlisted {
            match &u.action {
                UnlistedAction::Report { .. } => s.unlisted += 1,
                UnlistedAction::Revoke { .. } => s.revoke += 1,
                UnlistedAction::Refused { .. } => s.refused += 1,
                UnlistedAction::Unknown { .. } => s.unknown += 1,
            }
            s.violations += u
                .action
                .links()
                .iter()
                .map(|l| l.violations.len())
                .sum::<usize>();
        }
        s
    }
}

impl Summary {
    /// What apply would write.
    pub fn changes(&self) -> usize {
        self.create + self.update + self.revoke
    }

    /// Everything that makes the portal differ from the manifest: writes, and
    /// what only the manifest can settle (reported unlisted links, policy
    /// violations). `--detailed-exitcode` exits 2 on any of it.
    pub fn pending(&self) -> usize {
        self.changes() + self.unlisted + self.violations
    }

    /// Whether the plan shows anything at all besides unchanged folders.
    pub fn is_empty(&self) -> bool {
        self.pending() + self.refused + self.unknown == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DesiredPassword, Expiry, LinkSpec, PasswordRef};

    #[test]
    fn a_plan_round_trips_through_json() {
        let target = LinkIdentity {
            link_id: "6b1c3e52-2f0a-4c1e-9a57-0d1f2e3a4b5c".into(),
            share_link: Some("https://portal.example.com/s/Ab3dE9x".into()),
        };
        let spec = LinkSpec {
            access: Some(Access::Review),
            expires: Some(Expiry::At("2030-06-30T00:00:00Z".parse().unwrap())),
            password: Some(DesiredPassword::Secret(PasswordRef::Env(
                "DOCSPACE_LINK_KIT".into(),
            ))),
            ..LinkSpec::default()
        };
        let item = |path: &str, action| Item {
            path: path.into(),
            folder_id: Some(101),
            manifest: "links.yaml".into(),
            line: 4,
            extra: None,
            desired: DesiredLink::Present(spec.clone()),
            action,
            notes: vec![Note::OtherPrimaryLinks(1)],
            violations: vec![Violation::RequireInternal],
            label: Some(Label::Conflict),
            seen: Vec::new(),
            creator: None,
            placement: None,
        };
        let plan = Plan::new(
            vec![
                item(
                    "A",
                    Action::Update {
                        target: target.clone(),
                        changes: vec![Change {
                            field: Field::Password,
                            old: Some(Value::Password { set: true }),
                            new: Value::Password { set: true },
                            rotated: true,
                        }],
                    },
                ),
                item(
                    "B",
                    Action::Revoke {
                        links: vec![RevokedLink {
                            target,
                            title: "Old".into(),
                            access: ObservedAccess::Other(11),
                            password_set: false,
                        }],
                    },
                ),
                item(
                    "C",
                    Action::Create {
                        changes: vec![Change {
                            field: Field::Expires,
                            old: None,
                            new: Value::Expiry(None),
                            rotated: false,
                        }],
                    },
                ),
                item(
                    "D",
                    Action::Refused {
                        code: Code::ExpiryDue,
                        reason: "no".into(),
                    },
                ),
            ],
            true,
        );
        let mut plan = plan;
        plan.unlisted = vec![UnlistedFolder {
            named: None,
            path: "Marketing/Old".into(),
            folder_id: Some(104),
            manifest: "links.yaml".into(),
            line: 3,
            creator: Some("0d0c5ace-0000-4000-8000-000000000001".into()),
            scope: "Marketing".into(),
            action: UnlistedAction::Revoke {
                links: vec![UnlistedLink {
                    target: LinkIdentity {
                        link_id: "x".into(),
                        share_link: None,
                    },
                    primary: false,
                    title: "By hand".into(),
                    access: ObservedAccess::Known(Access::Editing),
                    password_set: false,
                    expires: None,
                    expired: false,
                    deny_download: false,
                    internal: false,
                    violations: vec![Violation::ForbidAccess {
                        access: Access::Editing,
                    }],
                    kept: false,
                }],
            },
        }];
        let text = serde_json::to_string(&plan).unwrap();
        assert!(text.contains("env:DOCSPACE_LINK_KIT"), "{text}");
        let back: Plan = serde_json::from_str(&text).unwrap();
        assert_eq!(back, plan);
    }
}
