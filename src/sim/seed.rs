//! The seed file: the portal the simulator starts with (design.md 3).
//!
//! Two layers, as in the manifest: raw serde types that keep source locations, and
//! the plain [`Seed`] that programs (tests, benchmarks) may also build by hand.

use std::collections::HashMap;
use std::path::Path;

use jiff::Timestamp;
use serde::Deserialize;
use serde_saphyr::{Location, Spanned};

use super::access::{Level, RoomType, Scope};
use super::auth::is_scope;
use super::portal_time::parse_seed_instant;

/// A portal to simulate.
#[derive(Clone, Debug, PartialEq)]
pub struct Seed {
    /// What `GET api/2.0/settings/version/build` says (`docSpace`); `None` is the
    /// simulator's default (3.7.2.1, or an unknown future version when passwords
    /// are hidden).
    pub version: Option<String>,
    /// Accepted API keys.
    pub tokens: Vec<SeedToken>,
    pub rooms: Vec<SeedRoom>,
    /// Folders under My Documents.
    pub my_documents: Vec<SeedFolder>,
}

/// An API key: `sk-test` in a seed, or `{key: sk-ro, scopes: [files:read]}`,
/// `{key: sk-bob, user: bob}`, `{key: sk-v, user: v, role: viewer}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedToken {
    pub key: String,
    /// `files:read`, `rooms:write`, `*:read`, `*`...; empty is full access, like a
    /// key created without scopes.
    pub scopes: Vec<String>,
    /// Whose key it is: all of one user's keys share one rate-limit budget
    /// (docspace-api.md, third reading 5). Default: the portal owner.
    pub user: String,
    pub role: SeedRole,
}

/// The portal owner's name in seeds (`created_by`, `user`).
pub const OWNER: &str = "owner";

/// What a user may do with links. A role belongs to the user: every key of one
/// user has the same.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeedRole {
    /// Manages every room's links (the owner, an admin, a room manager).
    #[default]
    Manager,
    /// Sees every folder, manages no link: `GET .../links` answers `[]`
    /// (`FileSharing.cs:719-728`).
    Viewer,
}

impl SeedToken {
    pub fn full(key: impl Into<String>) -> SeedToken {
        SeedToken {
            key: key.into(),
            scopes: Vec::new(),
            user: OWNER.to_owned(),
            role: SeedRole::Manager,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct SeedRoom {
    /// Assigned when missing, never colliding with an explicit one.
    pub id: Option<u32>,
    pub title: String,
    pub room_type: RoomType,
    /// The primary link. Public and form-filling rooms always have one: the server
    /// makes it with the room (`FileStorageService.cs:843-851`).
    pub link: Option<SeedLink>,
    /// Additional external links (`subjectType` 1).
    pub extra_links: Vec<SeedLink>,
    pub folders: Vec<SeedFolder>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SeedFolder {
    pub id: Option<u32>,
    pub title: String,
    pub link: Option<SeedLink>,
    /// Additional external links (`subjectType` 1).
    pub extra_links: Vec<SeedLink>,
    /// Who created the folder: only they may revoke its links
    /// (`FileSecurity.cs:3375-3384`). Default: the owner.
    pub created_by: String,
    pub folders: Vec<SeedFolder>,
}

/// A primary link, in manifest vocabulary. Stored as given: a seed may hold an
/// expired link, which the API itself would never create.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedLink {
    pub access: SeedAccess,
    pub title: Option<String>,
    pub password: Option<String>,
    pub expires: Option<Timestamp>,
    pub deny_download: bool,
    pub internal: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeedAccess {
    Read,
    Review,
    Comment,
    FillForms,
    Editing,
}

impl SeedAccess {
    pub(crate) fn level(self) -> Level {
        match self {
            SeedAccess::Read => Level::READ,
            SeedAccess::Review => Level::REVIEW,
            SeedAccess::Comment => Level::COMMENT,
            SeedAccess::FillForms => Level::FILL_FORMS,
            SeedAccess::Editing => Level::EDITING,
        }
    }
}

impl SeedLink {
    /// A read link with the server's defaults.
    pub fn read() -> SeedLink {
        SeedLink {
            access: SeedAccess::Read,
            title: None,
            password: None,
            expires: None,
            deny_download: false,
            internal: false,
        }
    }
}

impl SeedFolder {
    pub fn new(title: impl Into<String>) -> SeedFolder {
        SeedFolder {
            id: None,
            title: title.into(),
            link: None,
            extra_links: Vec::new(),
            created_by: OWNER.to_owned(),
            folders: Vec::new(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The cause is part of the message, not a `source()`: printed with its
    /// chain, it would otherwise appear twice.
    #[error("cannot read the seed {path}: {cause}")]
    Read { path: String, cause: std::io::Error },
    #[error("{origin}:{line}:{column}: {message}")]
    Invalid {
        origin: String,
        line: u64,
        column: u64,
        message: String,
    },
}

/// Benchmark portals: `rooms` custom rooms titled `Room 01`..., each holding
/// `folders_per_room` plain folders titled `Folder 0001`..., every `link_every`-th
/// of which has a read link titled like the folder (`0` = no links).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GeneratedPortal {
    pub rooms: usize,
    pub folders_per_room: usize,
    pub link_every: usize,
}

impl Default for Seed {
    fn default() -> Seed {
        Seed {
            version: None,
            tokens: default_tokens(),
            rooms: Vec::new(),
            my_documents: Vec::new(),
        }
    }
}

impl Seed {
    pub fn from_yaml_file(path: &Path) -> Result<Seed, SeedError> {
        let text = std::fs::read_to_string(path).map_err(|cause| SeedError::Read {
            path: path.display().to_string(),
            cause,
        })?;
        Seed::from_yaml_str(&text, &path.display().to_string())
    }

    pub fn from_yaml_str(text: &str, origin: &str) -> Result<Seed, SeedError> {
        // The default node budget stops near 13,000 folders; a seed's nodes are
        // bounded by its length (each takes at least a byte, at most two events).
        let options = serde_saphyr::options! {
            strict_booleans: true,
            with_snippet: false,
            budget: serde_saphyr::budget! {
                max_nodes: text.len() + 16,
                max_events: 2 * text.len() + 16,
            },
        };
        let raw: RawSeed = serde_saphyr::from_str_with_options(text, options).map_err(|err| {
            let at = err.location().unwrap_or(Location::UNKNOWN);
            let message = err.without_snippet().to_string();
            // The location leads our message; saphyr repeats it at the end.
            let repeated = format!(" at line {}, column {}", at.line(), at.column());
            let message = message
                .strip_suffix(&repeated)
                .unwrap_or(&message)
                .to_owned();
            invalid(origin, at, message)
        })?;
        raw.validate(origin)
    }

    pub fn generated(spec: GeneratedPortal) -> Seed {
        let width = spec.folders_per_room.to_string().len().max(4);
        let rooms = (1..=spec.rooms)
            .map(|r| SeedRoom {
                id: None,
                title: format!("Room {r:02}"),
                room_type: RoomType::Custom,
                link: None,
                extra_links: Vec::new(),
                folders: (1..=spec.folders_per_room)
                    .map(|f| {
                        let title = format!("Folder {f:0width$}");
                        let linked = spec.link_every > 0 && f % spec.link_every == 0;
                        SeedFolder {
                            link: linked.then(|| SeedLink {
                                title: Some(title.clone()),
                                ..SeedLink::read()
                            }),
                            ..SeedFolder::new(title)
                        }
                    })
                    .collect(),
            })
            .collect();
        Seed {
            rooms,
            ..Seed::default()
        }
    }
}

fn default_tokens() -> Vec<SeedToken> {
    vec![SeedToken::full("sk-test")]
}

fn invalid(origin: &str, at: Location, message: String) -> SeedError {
    SeedError::Invalid {
        origin: origin.to_owned(),
        line: at.line(),
        column: at.column(),
        message,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSeed {
    version: Option<String>,
    tokens: Option<Vec<Spanned<RawToken>>>,
    #[serde(default)]
    rooms: Vec<RawRoom>,
    #[serde(default)]
    my_documents: Option<RawMyDocuments>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawToken {
    Key(String),
    Scoped(RawScopedToken),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScopedToken {
    key: String,
    #[serde(default)]
    scopes: Vec<String>,
    user: Option<String>,
    #[serde(default)]
    role: SeedRole,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMyDocuments {
    #[serde(default)]
    folders: Vec<RawFolder>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoom {
    title: Spanned<String>,
    #[serde(rename = "type")]
    room_type: RoomType,
    id: Option<Spanned<u32>>,
    link: Option<Spanned<RawLink>>,
    #[serde(default)]
    extra_links: Vec<Spanned<RawLink>>,
    #[serde(default)]
    folders: Vec<RawFolder>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFolder {
    title: String,
    id: Option<Spanned<u32>>,
    link: Option<Spanned<RawLink>>,
    #[serde(default)]
    extra_links: Vec<Spanned<RawLink>>,
    created_by: Option<String>,
    #[serde(default)]
    folders: Vec<RawFolder>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    #[serde(default = "read")]
    access: SeedAccess,
    title: Option<String>,
    password: Option<String>,
    expires: Option<Spanned<String>>,
    #[serde(default)]
    deny_download: bool,
    #[serde(default)]
    internal: bool,
}

fn read() -> SeedAccess {
    SeedAccess::Read
}

/// Checks what serde cannot: unique ids, link levels the folder's room allows,
/// readable expiry dates.
struct Validator<'a> {
    origin: &'a str,
    ids: HashMap<u32, Location>,
    roles: HashMap<String, (SeedRole, Location)>,
}

impl RawSeed {
    fn validate(self, origin: &str) -> Result<Seed, SeedError> {
        let mut v = Validator {
            origin,
            ids: HashMap::new(),
            roles: HashMap::new(),
        };
        let mut rooms = Vec::with_capacity(self.rooms.len());
        for room in self.rooms {
            let scope = Scope::Room(room.room_type);
            let link = v.link(room.link, scope)?;
            if link.is_none() && scope.keeps_a_primary_link() {
                let message = format!(
                    "room `{}`: a {:?} room always has a primary link (the server makes it \
                     with the room): add `link:`",
                    room.title.value, room.room_type
                );
                return Err(invalid(origin, room.title.referenced, message));
            }
            rooms.push(SeedRoom {
                id: v.id(room.id)?,
                link,
                extra_links: v.extra_links(room.extra_links, scope)?,
                folders: v.folders(room.folders, Scope::InsideRoom(room.room_type))?,
                title: room.title.value,
                room_type: room.room_type,
            });
        }
        let tokens: Vec<SeedToken> = match self.tokens {
            None => default_tokens(),
            Some(raw) => raw
                .into_iter()
                .map(|t| v.token(t))
                .collect::<Result<_, _>>()?,
        };
        let my = self.my_documents.map(|m| m.folders).unwrap_or_default();
        Ok(Seed {
            version: self.version,
            tokens,
            rooms,
            my_documents: v.folders(my, Scope::MyDocuments)?,
        })
    }
}

impl Validator<'_> {
    fn token(&mut self, raw: Spanned<RawToken>) -> Result<SeedToken, SeedError> {
        let token = match raw.value {
            RawToken::Key(key) => SeedToken::full(key),
            RawToken::Scoped(RawScopedToken {
                key,
                scopes,
                user,
                role,
            }) => SeedToken {
                key,
                scopes,
                user: user.unwrap_or_else(|| OWNER.to_owned()),
                role,
            },
        };
        if token.user == OWNER && token.role == SeedRole::Viewer {
            let message = "the owner manages every link: a viewer needs its own `user`".to_owned();
            return Err(invalid(self.origin, raw.referenced, message));
        }
        if let Some(&(role, _)) = self.roles.get(&token.user)
            && role != token.role
        {
            let message = format!(
                "user `{}` already has another role: a role belongs to the user, not the key",
                token.user
            );
            return Err(invalid(self.origin, raw.referenced, message));
        }
        self.roles
            .insert(token.user.clone(), (token.role, raw.referenced));
        if let Some(bad) = token.scopes.iter().find(|s| !is_scope(s)) {
            let message =
                format!("scope `{bad}` is not `*`, `AREA:read` or `AREA:write` (files, rooms, *)");
            return Err(invalid(self.origin, raw.referenced, message));
        }
        Ok(token)
    }

    fn id(&mut self, id: Option<Spanned<u32>>) -> Result<Option<u32>, SeedError> {
        let Some(id) = id else { return Ok(None) };
        if id.value == 0 {
            return Err(invalid(
                self.origin,
                id.referenced,
                "folder ids start at 1".into(),
            ));
        }
        if let Some(first) = self.ids.insert(id.value, id.referenced) {
            let message = format!(
                "id {} is already used at line {}, column {}",
                id.value,
                first.line(),
                first.column()
            );
            return Err(invalid(self.origin, id.referenced, message));
        }
        Ok(Some(id.value))
    }

    fn link(
        &self,
        link: Option<Spanned<RawLink>>,
        scope: Scope,
    ) -> Result<Option<SeedLink>, SeedError> {
        let Some(Spanned {
            value: raw,
            referenced,
            ..
        }) = link
        else {
            return Ok(None);
        };
        if !scope.allows(raw.access.level()) {
            let message = match scope {
                Scope::Room(t) if scope.limits().primary == 0 => {
                    format!("a {t:?} room cannot have external links")
                }
                _ => format!(
                    "access `{}` is not available here",
                    raw.access.level().manifest_word()
                ),
            };
            return Err(invalid(self.origin, referenced, message));
        }
        let expires = match raw.expires {
            Some(e) => Some(
                parse_seed_instant(&e.value).map_err(|m| invalid(self.origin, e.referenced, m))?,
            ),
            None => None,
        };
        Ok(Some(SeedLink {
            access: raw.access,
            title: raw.title,
            password: raw.password,
            expires,
            deny_download: raw.deny_download,
            internal: raw.internal,
        }))
    }

    /// Additional links, within the place's limit (docspace-api.md 2.6).
    fn extra_links(
        &self,
        raw: Vec<Spanned<RawLink>>,
        scope: Scope,
    ) -> Result<Vec<SeedLink>, SeedError> {
        let max = scope.limits().additional;
        let mut out = Vec::with_capacity(raw.len());
        for link in raw {
            let at = link.referenced;
            if out.len() >= max {
                let message = format!("at most {max} additional links here (docspace-api.md 2.6)");
                return Err(invalid(self.origin, at, message));
            }
            out.extend(self.link(Some(link), scope)?);
        }
        Ok(out)
    }

    fn folders(&mut self, raw: Vec<RawFolder>, scope: Scope) -> Result<Vec<SeedFolder>, SeedError> {
        let mut out = Vec::with_capacity(raw.len());
        for f in raw {
            out.push(SeedFolder {
                id: self.id(f.id)?,
                link: self.link(f.link, scope)?,
                extra_links: self.extra_links(f.extra_links, scope)?,
                created_by: f.created_by.unwrap_or_else(|| OWNER.to_owned()),
                folders: self.folders(f.folders, scope)?,
                title: f.title,
            });
        }
        Ok(out)
    }
}
