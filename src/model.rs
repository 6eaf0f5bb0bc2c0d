//! The domain vocabulary shared by the manifest, the client and reconciliation.
//!
//! Nothing here knows about YAML or HTTP: the manifest layer produces a [`Desired`]
//! state, the client produces [`ObservedFolder`]s, and `reconcile` compares them.
//! The simulator deliberately does not use these types (see design.md 3).

use std::fmt;

use jiff::Timestamp;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// An access level a link may grant, in the manifest's vocabulary
/// (docspace-api.md 2.1 lists which ones the server accepts for links).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    Read,
    Review,
    Comment,
    FillForms,
    Editing,
}

impl Access {
    pub const ALL: [Access; 5] = [
        Access::Read,
        Access::Review,
        Access::Comment,
        Access::FillForms,
        Access::Editing,
    ];

    /// The word used in manifests, plans and `/__sim/state`.
    pub fn word(self) -> &'static str {
        match self {
            Access::Read => "read",
            Access::Review => "review",
            Access::Comment => "comment",
            Access::FillForms => "fill-forms",
            Access::Editing => "editing",
        }
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// The type of a DocSpace room (`roomType` in listings, docspace-api.md 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoomType {
    FillingForms,
    Editing,
    Custom,
    Public,
    VirtualData,
    Ai,
}

impl RoomType {
    pub fn word(self) -> &'static str {
        match self {
            RoomType::FillingForms => "form-filling",
            RoomType::Editing => "editing",
            RoomType::Custom => "custom",
            RoomType::Public => "public",
            RoomType::VirtualData => "virtual data",
            RoomType::Ai => "AI",
        }
    }
}

/// Where a folder lives, which decides the access levels its links may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Placement {
    /// A folder under My Documents.
    MyDocuments,
    /// The room itself.
    Room { room_type: RoomType },
    /// A folder somewhere inside a room.
    InRoom { room_type: RoomType },
}

impl Placement {
    /// The access levels the server accepts for an external link here
    /// (docspace-api.md 2.1). Empty when the place cannot have external links at all.
    pub fn allowed_access(self) -> &'static [Access] {
        use Access::*;
        match self {
            Placement::MyDocuments
            | Placement::InRoom {
                room_type: RoomType::VirtualData,
            } => &[Editing, FillForms, Review, Comment, Read],
            Placement::InRoom {
                room_type: RoomType::FillingForms,
            } => &[FillForms],
            Placement::Room {
                room_type: RoomType::FillingForms,
            } => &[FillForms, Read],
            Placement::Room {
                room_type: RoomType::Editing | RoomType::VirtualData | RoomType::Ai,
            } => &[],
            Placement::Room {
                room_type: RoomType::Custom | RoomType::Public,
            }
            | Placement::InRoom {
                room_type: RoomType::Custom | RoomType::Public | RoomType::Editing | RoomType::Ai,
            } => &[Editing, Review, Comment, Read],
        }
    }

    /// Describes the place for error messages: "a folder in a custom room".
    pub fn describe(self) -> String {
        match self {
            Placement::MyDocuments => "a folder in My Documents".to_owned(),
            Placement::Room { room_type } => format!("a {} room", room_type.word()),
            Placement::InRoom { room_type } => format!("a folder in a {} room", room_type.word()),
        }
    }
}

/// A desired expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    Never,
    At(Timestamp),
}

/// A desired password: none at all, or a secret taken from the environment or a file.
#[derive(Clone, Debug)]
pub enum DesiredPassword {
    None,
    Secret(SecretString),
}

/// What an observed link says about its password.
#[derive(Clone, Debug)]
pub enum ObservedPassword {
    None,
    /// Set, and echoed by the server (release 3.7.2).
    Known(SecretString),
    /// Set, but the server does not say what it is.
    Hidden,
}

impl ObservedPassword {
    pub fn is_set(&self) -> bool {
        !matches!(self, ObservedPassword::None)
    }
}

/// The access a link grants as the server reports it. Links made by other tools can
/// carry levels the manifest cannot name; they are kept, not guessed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObservedAccess {
    Known(Access),
    /// A `FileShare` number outside the manifest's vocabulary.
    Other(i64),
}

impl fmt::Display for ObservedAccess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObservedAccess::Known(a) => a.fmt(f),
            ObservedAccess::Other(n) => write!(f, "access #{n}"),
        }
    }
}

/// A primary external link as read from the portal.
#[derive(Clone, Debug)]
pub struct ObservedLink {
    pub id: String,
    pub access: ObservedAccess,
    pub title: String,
    pub password: ObservedPassword,
    pub expires: Option<Timestamp>,
    pub deny_download: bool,
    pub internal: bool,
    /// The server ignores changes the caller may not make (docspace-api.md 2.4) and
    /// says so in these flags; a plan that needs such a change cannot converge.
    pub can_edit_internal: bool,
    pub can_edit_expiry: bool,
    /// Past its expiry. Copying that date into a PUT would revive the link: the
    /// server drops a past date and saves no expiry at all (docspace-api.md 2.2).
    pub expired: bool,
}
