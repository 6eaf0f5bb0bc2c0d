//! A plan: what `apply` would do to each folder, and why. Built by `reconcile`,
//! read by `render` and `apply`.

use std::fmt;

use jiff::Timestamp;
use secrecy::SecretString;

use crate::model::{Access, ObservedAccess, ObservedLink};

/// One folder's part of the plan.
#[derive(Debug)]
pub struct Item {
    /// Index of the manifest entry this item comes from.
    pub entry: usize,
    /// `None` when the folder could not even be found (its state is unknown).
    pub folder_id: Option<u64>,
    /// As the manifest names it: `Marketing/Press kit`, `@my/Drafts`, `id 20202`.
    pub path: String,
    /// The manifest line of the entry, for messages.
    pub line: u32,
    pub action: Action,
    /// Facts worth knowing that change nothing (another primary link, an
    /// unverifiable password).
    pub notes: Vec<Note>,
}

#[derive(Debug, Clone)]
pub enum Action {
    Unchanged,
    Create {
        values: LinkValues,
        shown: Vec<Change>,
    },
    Update {
        link_id: String,
        values: LinkValues,
        changes: Vec<Change>,
    },
    Revoke {
        links: Vec<ObservedLink>,
    },
    /// The tool will not touch this folder, for the reason given.
    Refused {
        reason: String,
    },
    /// The folder's state could not be read: nothing is assumed about it.
    Unknown {
        error: String,
    },
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Create,
    Update,
    Revoke,
    Unchanged,
    Refused,
    Unknown,
}

/// Every field of a link as it must be after a write. Writes always send all of
/// them: the server resets what a PUT leaves out.
#[derive(Debug, Clone)]
pub struct LinkValues {
    pub access: ObservedAccess,
    /// `None` only when creating: the server picks its default title.
    pub title: Option<String>,
    pub password: Option<SecretString>,
    pub expires: Option<Timestamp>,
    pub deny_download: bool,
    pub internal: bool,
    /// The fields the manifest manages: only these are checked in the server's answer.
    pub managed: Managed,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Managed {
    pub access: bool,
    pub title: bool,
    pub password: bool,
    pub expires: bool,
    pub deny_download: bool,
    pub internal: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq)]
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

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Access(a) => a.fmt(f),
            Value::Text(t) => write!(f, "{t:?}"),
            Value::ServerDefault => f.write_str("(server default)"),
            Value::Expiry(None) => f.write_str("never"),
            Value::Expiry(Some(t)) => write!(f, "{}", t.strftime("%Y-%m-%dT%H:%M:%SZ")),
            Value::Password { set: true } => f.write_str("(sensitive)"),
            Value::Password { set: false } => f.write_str("(none)"),
            Value::Bool(b) => b.fmt(f),
        }
    }
}

/// One field that changes. `old` is `None` for a link that is being created.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub field: Field,
    pub old: Option<Value>,
    pub new: Value,
    /// A new password replaces an old one: both show as `(sensitive)`, so say so.
    pub rotated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Note {
    /// The server does not return passwords, so whether the link's password is the
    /// manifest's cannot be checked.
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

#[derive(Debug, Default)]
pub struct Plan {
    /// Sorted by path, then folder id: output is stable run to run.
    pub items: Vec<Item>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub revoke: usize,
    pub unchanged: usize,
    pub refused: usize,
    pub unknown: usize,
    pub unverifiable: usize,
}

impl Plan {
    pub fn new(mut items: Vec<Item>) -> Self {
        items.sort_by(|a, b| a.path.cmp(&b.path).then(a.folder_id.cmp(&b.folder_id)));
        Plan { items }
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
        }
        s
    }

    pub fn has_changes(&self) -> bool {
        let s = self.summary();
        s.create + s.update + s.revoke > 0
    }
}

impl Summary {
    pub fn changes(&self) -> usize {
        self.create + self.update + self.revoke
    }
}

/// Handy for tests and rendering.
pub fn access_value(a: Access) -> Value {
    Value::Access(ObservedAccess::Known(a))
}
