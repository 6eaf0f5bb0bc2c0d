//! The domain vocabulary shared by the manifest, the client, the plan and apply.
//!
//! Nothing here knows about YAML or HTTP: the manifest layer produces desired
//! [`LinkSpec`]s, the client produces [`ObservedLink`]s, and the plan compares them.
//! The simulator deliberately does not use these types (see design.md 3).

use std::collections::HashMap;
use std::fmt;

use std::borrow::Cow;

use jiff::Timestamp;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

/// The variable that holds the API key. Read from the environment only: a flag
/// would leave it in shell history and process listings. Named here, below `cli`
/// which reads it, because the manifest must also refuse it as a link password.
pub const TOKEN_VAR: &str = "DOCSPACE_TOKEN";

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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
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

impl RoomType {
    /// "a custom", "an editing", "an AI".
    fn with_article(self) -> String {
        let word = self.word();
        let article = if word.starts_with(['a', 'e', 'i', 'o', 'u', 'A']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {word}")
    }
}

/// Where a folder lives, which decides the access levels its links may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
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
            // Custom and public rooms themselves take FillForms too (docspace-api.md 2.1).
            Placement::MyDocuments
            | Placement::InRoom {
                room_type: RoomType::VirtualData,
            }
            | Placement::Room {
                room_type: RoomType::Custom | RoomType::Public,
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
            Placement::InRoom {
                room_type: RoomType::Custom | RoomType::Public | RoomType::Editing | RoomType::Ai,
            } => &[Editing, Review, Comment, Read],
        }
    }

    /// Whether the server lets a folder here have more than one primary link: 6 in
    /// My Documents and in folders of custom, virtual data, editing and AI rooms,
    /// 1 in rooms themselves and in public and form-filling rooms' folders
    /// (docspace-api.md 2.6). Only where it is more than one can two racing
    /// get-or-creates both create (no lock, `FileStorageService.cs:3989-4022`;
    /// third reading 6); elsewhere the loser gets 403 "The maximum number of
    /// links may not exceed 1".
    pub fn allows_several_primary_links(self) -> bool {
        match self {
            Placement::MyDocuments => true,
            Placement::Room { .. } => false,
            Placement::InRoom { room_type } => {
                !matches!(room_type, RoomType::Public | RoomType::FillingForms)
            }
        }
    }

    /// Describes the place for error messages: "a folder in a custom room".
    pub fn describe(self) -> String {
        match self {
            Placement::MyDocuments => "a folder in My Documents".to_owned(),
            Placement::Room { room_type } => format!("{} room", room_type.with_article()),
            Placement::InRoom { room_type } => {
                format!("a folder in {} room", room_type.with_article())
            }
        }
    }
}

/// A portal user: the server's id (a `Guid`) and, for messages, the display name.
/// Only a folder's creator may revoke its links (docspace-api.md, third reading 3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct User {
    pub id: String,
    pub name: Option<String>,
}

impl fmt::Display for User {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(n) if !n.is_empty() => write!(f, "{n} ({})", self.id),
            _ => f.write_str(&self.id),
        }
    }
}

/// Which folder a manifest entry names.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Path(FolderPath),
    Id(u64),
}

/// Titles from the room (or My Documents) down to the folder.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FolderPath {
    pub my_documents: bool,
    pub segments: Vec<String>,
}

impl fmt::Display for FolderPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.my_documents, self.segments.is_empty()) {
            // My Documents itself: only a scope names it.
            (true, true) => f.write_str("@my"),
            (true, false) => write!(f, "@my/{}", self.segments.join("/")),
            (false, _) => f.write_str(&self.segments.join("/")),
        }
    }
}

/// What a scope does with the external links of folders no entry lists
/// (design.md 1.1).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Unlisted {
    /// Shown in the plan and counted as a change; nothing is written.
    #[default]
    Report,
    /// Revoked by apply.
    Revoke,
}

/// Rules every link must obey (design.md 1.1). The default obliges nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// A link must expire within this many days of now.
    pub max_lifetime_days: Option<u32>,
    /// Levels that must have a password.
    pub require_password: Vec<Access>,
    /// Levels no external link may have.
    pub forbid_access: Vec<Access>,
    pub require_deny_download: bool,
    pub require_internal: bool,
}

impl Policy {
    pub fn is_empty(&self) -> bool {
        *self == Policy::default()
    }
}

/// A desired expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiry {
    Never,
    At(Timestamp),
}

impl Expiry {
    pub fn instant(self) -> Option<Timestamp> {
        match self {
            Expiry::Never => None,
            Expiry::At(t) => Some(t),
        }
    }
}

/// Plans spell an expiry as a manifest does: `never` or an RFC 3339 instant in UTC.
impl JsonSchema for Expiry {
    fn schema_name() -> Cow<'static, str> {
        "Expiry".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "`never`, or an RFC 3339 instant in UTC, whole seconds.",
            "type": "string",
            "anyOf": [
                { "const": "never" },
                { "format": "date-time" }
            ]
        })
    }
}

impl Serialize for Expiry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Expiry::Never => s.serialize_str("never"),
            Expiry::At(t) => s.serialize_str(&utc(*t)),
        }
    }
}

impl<'de> Deserialize<'de> for Expiry {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text == "never" {
            return Ok(Expiry::Never);
        }
        text.parse()
            .map(Expiry::At)
            .map_err(|e| serde::de::Error::custom(format!("expiry `{text}`: {e}")))
    }
}

/// An instant as plans and messages show it: whole seconds, UTC, `Z`.
pub fn utc(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Where a password comes from. Plans carry this, never the secret: the secret is
/// looked up in [`Secrets`] only when a write needs it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PasswordRef {
    /// An environment variable.
    Env(String),
    /// A file, as the manifest wrote it (relative to the manifest's directory).
    File(String),
}

/// A desired password: none at all, or the secret behind a reference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DesiredPassword {
    None,
    Secret(PasswordRef),
}

/// `none`, `env:NAME` or `file:PATH`: the saved plan's spelling.
impl fmt::Display for DesiredPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DesiredPassword::None => f.write_str("none"),
            DesiredPassword::Secret(PasswordRef::Env(n)) => write!(f, "env:{n}"),
            DesiredPassword::Secret(PasswordRef::File(p)) => write!(f, "file:{p}"),
        }
    }
}

impl JsonSchema for DesiredPassword {
    fn schema_name() -> Cow<'static, str> {
        "PasswordReference".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "Where the password comes from, never the password: `none` (the link must have none), `env:NAME` (an environment variable) or `file:PATH` (relative to the manifest).",
            "type": "string",
            "pattern": "^(none|env:.+|file:.+)$"
        })
    }
}

impl Serialize for DesiredPassword {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for DesiredPassword {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.split_once(':') {
            _ if text == "none" => Ok(DesiredPassword::None),
            Some(("env", n)) if !n.is_empty() => {
                Ok(DesiredPassword::Secret(PasswordRef::Env(n.to_owned())))
            }
            Some(("file", p)) if !p.is_empty() => {
                Ok(DesiredPassword::Secret(PasswordRef::File(p.to_owned())))
            }
            _ => Err(serde::de::Error::custom(
                "a password reference is `none`, `env:NAME` or `file:PATH`",
            )),
        }
    }
}

/// The secrets behind the manifest's password references, resolved when the
/// manifest is loaded. Kept apart from every plan value so that no plan can hold one.
#[derive(Clone, Default)]
pub struct Secrets {
    by_ref: HashMap<PasswordRef, SecretString>,
}

impl Secrets {
    pub fn insert(&mut self, reference: PasswordRef, secret: SecretString) {
        self.by_ref.insert(reference, secret);
    }

    pub fn get(&self, reference: &PasswordRef) -> Option<&SecretString> {
        self.by_ref.get(reference)
    }

    /// Every secret, for scrubbing them out of text shown to people.
    pub fn values(&self) -> impl Iterator<Item = &SecretString> {
        self.by_ref.values()
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.by_ref.keys()).finish()
    }
}

/// What a manifest entry wants of the folder's primary link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "link")]
pub enum DesiredLink {
    Absent,
    Present(LinkSpec),
}

/// The managed fields of a link; a field left out leaves the portal's value alone.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<Access>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<Expiry>,
    /// A reference to the password, never the password itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<DesiredPassword>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deny_download: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub internal: Option<bool>,
}

/// What an observed link says about its password.
#[derive(Clone, Debug)]
pub enum ObservedPassword {
    /// Set, and echoed by the server (every release in the server source does).
    Known(SecretString),
    /// The answer does not say: no `password` key on a portal that has not shown in
    /// this run that it echoes passwords. Never taken for "none".
    Unknown,
}

impl ObservedPassword {
    /// Whether a password is certainly set.
    pub fn is_set(&self) -> bool {
        matches!(self, ObservedPassword::Known(_))
    }
}

/// The access a link grants as the server reports it. Links made by other tools can
/// carry levels the manifest cannot name; they are kept, not guessed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
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

/// Which link a plan item targets: the id a write names, and the share URL that
/// tells the link apart from a new one the server may create under the same id
/// (an unknown `linkId` in a PUT becomes a new link with that id, docspace-api.md 1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkIdentity {
    pub link_id: String,
    pub share_link: Option<String>,
}

/// A primary external link as read from the portal.
#[derive(Clone, Debug)]
pub struct ObservedLink {
    pub id: String,
    pub share_link: Option<String>,
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
    /// The server's `isExpired`. Copying a past date into a PUT would revive the
    /// link: the server drops a past date and saves no expiry at all (docspace-api.md 2.2).
    pub expired: bool,
}

impl ObservedLink {
    /// A typical link for unit tests: read, titled, with a password and an expiry.
    #[cfg(test)]
    pub fn example() -> ObservedLink {
        ObservedLink {
            id: "6b1c3e52-2f0a-4c1e-9a57-0d1f2e3a4b5c".into(),
            share_link: Some("https://portal.example.com/s/Ab3dE9x".into()),
            access: ObservedAccess::Known(Access::Read),
            title: "Press kit".into(),
            password: ObservedPassword::Known(SecretString::from("Str0ng!pass")),
            expires: Some("2027-01-01T00:00:00Z".parse().expect("a timestamp")),
            deny_download: false,
            internal: false,
            can_edit_internal: true,
            can_edit_expiry: true,
            expired: false,
        }
    }

    pub fn identity(&self) -> LinkIdentity {
        LinkIdentity {
            link_id: self.id.clone(),
            share_link: self.share_link.clone(),
        }
    }
}

/// Every field of a link as a write sets it. Writes always send all of them: the
/// server resets what a PUT leaves out. It holds the password itself, so it is built
/// right before a write and is never part of a plan.
#[derive(Clone, Debug)]
pub struct LinkValues {
    pub access: ObservedAccess,
    /// `None` only when creating: the server picks its default title.
    pub title: Option<String>,
    pub password: Option<SecretString>,
    pub expires: Option<Timestamp>,
    pub deny_download: bool,
    pub internal: bool,
}

/// How much of what the manifest manages one apply may revoke or expose more
/// (design.md 1.1): a plan over a share is refused as a whole unless `--force`d, so
/// that one edit of `defaults:` cannot quietly revoke or widen every link at once.
/// The shares are whole percents of the folders the manifest manages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Safety {
    /// Folders whose primary link the plan revokes.
    pub max_revoke_share: u8,
    /// Folders whose link the plan makes more exposed: wider access, password or
    /// expiry removed, `internal` true to false, a new link.
    pub max_widen_share: u8,
    /// The shares guard what exists (octoDNS's rule, design.md 1.1): they apply
    /// only once at least this many managed folders have a link now, so that a
    /// first adoption is not refused.
    pub min_existing: u32,
}

impl Default for Safety {
    fn default() -> Self {
        Safety {
            max_revoke_share: 30,
            max_widen_share: 30,
            min_existing: 10,
        }
    }
}
