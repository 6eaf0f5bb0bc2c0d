//! The portal's folder tree and links, kept compact: a portal of 100,000 folders
//! must fit in well under 200 MB.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use super::access::{Level, RoomType, Scope};
use super::auth::{ApiKey, UserId};
use super::seed::{OWNER, Seed, SeedFolder, SeedLink, SeedRole};

/// Position of a folder in [`Portal::folders`]; ids are looked up once per request.
pub(crate) type Pos = u32;

pub(crate) struct Portal {
    pub(crate) folders: Vec<Folder>,
    index: HashMap<u32, Pos>,
    pub(crate) rooms_root: Pos,
    pub(crate) my_root: Pos,
    /// Drives link ids and share keys: deterministic, so two runs of a test or the
    /// demo show the same links.
    rng: SmallRng,
    pub(crate) keys: Box<[ApiKey]>,
    /// Names and roles; the owner first.
    pub(crate) users: Vec<(Box<str>, SeedRole)>,
}

pub(crate) struct Folder {
    pub(crate) id: u32,
    /// Roots are their own parent.
    pub(crate) parent: Pos,
    pub(crate) title: Box<str>,
    pub(crate) kind: Kind,
    pub(crate) children: Vec<Pos>,
    /// Primary links first, then additional ones, each in creation order.
    pub(crate) links: Vec<Link>,
    /// The primary link was deliberately revoked (newer servers then answer 404 on
    /// `GET .../link`).
    pub(crate) primary_revoked: bool,
    /// Only the creator may revoke a folder's links (`FileSecurity.cs:3375-3384`).
    pub(crate) created_by: UserId,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    RoomsRoot,
    MyRoot,
    Room(RoomType),
    Plain(Home),
}

/// Where a plain folder lives, precomputed so a request never walks the tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Home {
    MyDocuments,
    Room(RoomType),
}

#[derive(Clone, Debug)]
pub(crate) struct Link {
    pub(crate) id: Uuid,
    /// The short-link key: stable for the link's lifetime.
    pub(crate) key: Box<str>,
    pub(crate) level: Level,
    pub(crate) title: Box<str>,
    pub(crate) password: Option<Box<str>>,
    pub(crate) expires: Option<Timestamp>,
    pub(crate) deny_download: bool,
    pub(crate) internal: bool,
    pub(crate) primary: bool,
}

const LINK_RNG_SEED: u64 = 0xD0C5_9ACE;

/// The server's default, localized link title.
pub(crate) const DEFAULT_LINK_TITLE: &str = "Shared link";

impl Folder {
    /// `None` for the two roots, which carry no links.
    pub(crate) fn scope(&self) -> Option<Scope> {
        match self.kind {
            Kind::RoomsRoot | Kind::MyRoot => None,
            Kind::Room(t) => Some(Scope::Room(t)),
            Kind::Plain(Home::MyDocuments) => Some(Scope::MyDocuments),
            Kind::Plain(Home::Room(t)) => Some(Scope::InsideRoom(t)),
        }
    }
}

/// A user's id as the server spells it (`Guid`): fixed per user, so that two runs
/// of a seed agree, and distinct from every link id (those come from the rng).
pub(crate) fn user_guid(user: UserId) -> Uuid {
    Uuid::from_u128(0x0d0c_5ace_0000_4000_8000_0000_0000_0000 | u128::from(user))
}

impl Portal {
    pub(crate) fn build(seed: &Seed) -> Result<Portal, String> {
        let mut explicit = HashSet::new();
        collect_ids(seed, &mut explicit)?;
        let mut builder = Builder {
            portal: Portal {
                folders: Vec::new(),
                index: HashMap::new(),
                rooms_root: 0,
                my_root: 0,
                rng: SmallRng::seed_from_u64(LINK_RNG_SEED),
                keys: Box::new([]),
                users: vec![(OWNER.into(), SeedRole::Manager)],
            },
            explicit,
            next_id: 1,
        };
        let mut keys = Vec::with_capacity(seed.tokens.len());
        for t in &seed.tokens {
            let user = builder.user(&t.user, t.role)?;
            keys.push(ApiKey {
                key: t.key.as_str().into(),
                scopes: t.scopes.iter().map(|s| s.as_str().into()).collect(),
                user,
            });
        }
        builder.portal.keys = keys.into_boxed_slice();
        let none = Links::default();
        let rooms_root = builder.add(None, None, "Rooms", Kind::RoomsRoot, none);
        let my_root = builder.add(None, None, "My documents", Kind::MyRoot, none);
        builder.portal.rooms_root = rooms_root;
        builder.portal.my_root = my_root;
        for room in &seed.rooms {
            if room.link.is_none() && Scope::Room(room.room_type).keeps_a_primary_link() {
                return Err(format!(
                    "room {}: a {:?} room always has a primary link (the server makes it with the room)",
                    room.title, room.room_type
                ));
            }
            let links = Links {
                primary: room.link.as_ref(),
                extra: &room.extra_links,
                created_by: 0,
            };
            let pos = builder.add(
                Some(rooms_root),
                room.id,
                &room.title,
                Kind::Room(room.room_type),
                links,
            );
            builder.add_folders(pos, &room.folders, Home::Room(room.room_type))?;
        }
        builder.add_folders(my_root, &seed.my_documents, Home::MyDocuments)?;
        let mut portal = builder.portal;
        portal.folders.shrink_to_fit();
        Ok(portal)
    }

    pub(crate) fn find(&self, id: i64) -> Option<Pos> {
        u32::try_from(id)
            .ok()
            .and_then(|id| self.index.get(&id).copied())
    }

    pub(crate) fn folder(&self, pos: Pos) -> &Folder {
        &self.folders[pos as usize]
    }

    pub(crate) fn folder_mut(&mut self, pos: Pos) -> &mut Folder {
        &mut self.folders[pos as usize]
    }

    pub(crate) fn fresh_link_id(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(self.rng.random()).into_uuid()
    }

    pub(crate) fn fresh_share_key(&mut self) -> Box<str> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..7)
            .map(|_| ALPHABET[self.rng.random_range(0..ALPHABET.len())] as char)
            .collect::<String>()
            .into_boxed_str()
    }

    /// The enclosing room of a folder inside a room, for `parentRoomType`.
    pub(crate) fn room_of(&self, pos: Pos) -> Option<RoomType> {
        match self.folder(pos).kind {
            Kind::Plain(Home::Room(t)) => Some(t),
            _ => None,
        }
    }

    /// The folder's path in manifest vocabulary: `Marketing/Press kit`, `@my/Drafts`.
    pub(crate) fn manifest_path(&self, pos: Pos) -> String {
        let mut parts = Vec::new();
        let mut at = pos;
        loop {
            let f = self.folder(at);
            match f.kind {
                Kind::RoomsRoot => break,
                Kind::MyRoot => {
                    parts.push("@my");
                    break;
                }
                _ => parts.push(&f.title),
            }
            at = f.parent;
        }
        parts.reverse();
        parts.join("/")
    }

    /// Ancestors from the root down to the folder itself, for `pathParts`.
    pub(crate) fn ancestry(&self, pos: Pos) -> Vec<Pos> {
        let mut chain = vec![pos];
        let mut at = pos;
        while self.folder(at).parent != at {
            at = self.folder(at).parent;
            chain.push(at);
        }
        chain.reverse();
        chain
    }
}

struct Builder {
    portal: Portal,
    explicit: HashSet<u32>,
    next_id: u32,
}

/// A seeded folder's links and creator.
#[derive(Clone, Copy, Default)]
struct Links<'a> {
    primary: Option<&'a SeedLink>,
    extra: &'a [SeedLink],
    created_by: UserId,
}

impl Builder {
    /// The user with this name, made on first mention; a role belongs to the user.
    fn user(&mut self, name: &str, role: SeedRole) -> Result<UserId, String> {
        let users = &mut self.portal.users;
        if let Some(i) = users.iter().position(|(n, _)| &**n == name) {
            if users[i].1 != role {
                return Err(format!("user {name} has two roles"));
            }
            return Ok(i as UserId);
        }
        if name == OWNER && role == SeedRole::Viewer {
            return Err("the owner manages every link".into());
        }
        users.push((name.into(), role));
        UserId::try_from(users.len() - 1).map_err(|_| "too many users".to_owned())
    }

    /// A folder's creator: a user named by a token, or one who has no key.
    fn creator(&mut self, name: &str) -> Result<UserId, String> {
        match self.portal.users.iter().position(|(n, _)| &**n == name) {
            Some(i) => Ok(i as UserId),
            None => self.user(name, SeedRole::Manager),
        }
    }

    fn add(
        &mut self,
        parent: Option<Pos>,
        id: Option<u32>,
        title: &str,
        kind: Kind,
        links: Links,
    ) -> Pos {
        let id = id.unwrap_or_else(|| {
            while self.explicit.contains(&self.next_id) {
                self.next_id += 1;
            }
            self.next_id += 1;
            self.next_id - 1
        });
        let pos = self.portal.folders.len() as Pos;
        self.portal.folders.push(Folder {
            id,
            parent: parent.unwrap_or(pos),
            title: title.into(),
            kind,
            children: Vec::new(),
            links: Vec::new(),
            primary_revoked: false,
            created_by: links.created_by,
        });
        if let Some(scope) = self.portal.folder(pos).scope() {
            let primary = links.primary.map(|seed| self.seed_link(seed, scope, true));
            let extra: Vec<Link> = links
                .extra
                .iter()
                .map(|seed| self.seed_link(seed, scope, false))
                .collect();
            let folder = self.portal.folder_mut(pos);
            folder.links.extend(primary);
            folder.links.extend(extra);
        }
        self.portal.index.insert(id, pos);
        if let Some(parent) = parent {
            self.portal.folder_mut(parent).children.push(pos);
        }
        pos
    }

    fn add_folders(
        &mut self,
        parent: Pos,
        folders: &[SeedFolder],
        home: Home,
    ) -> Result<(), String> {
        for f in folders {
            let links = Links {
                primary: f.link.as_ref(),
                extra: &f.extra_links,
                created_by: self.creator(&f.created_by)?,
            };
            let pos = self.add(Some(parent), f.id, &f.title, Kind::Plain(home), links);
            self.add_folders(pos, &f.folders, home)?;
        }
        self.portal.folder_mut(parent).children.shrink_to_fit();
        Ok(())
    }

    /// The seed is taken as the portal's history, except for values the server
    /// forces whatever was asked.
    fn seed_link(&mut self, seed: &SeedLink, scope: Scope, primary: bool) -> Link {
        Link {
            id: self.portal.fresh_link_id(),
            key: self.portal.fresh_share_key(),
            level: seed.access.level(),
            title: seed.title.as_deref().unwrap_or(DEFAULT_LINK_TITLE).into(),
            password: seed.password.as_deref().map(Into::into),
            // A public or form-filling room's own primary link never has an
            // expiry; `internal` is forced in public and virtual data rooms
            // (docspace-api.md, third reading 1). Everything else was possible
            // when the link was created.
            expires: seed
                .expires
                .filter(|_| !(primary && scope.primary_has_no_expiry())),
            deny_download: seed.deny_download,
            internal: scope.forced_internal().unwrap_or(seed.internal),
            primary,
        }
    }
}

/// Explicit ids must be unique; a seed built in code skips the YAML validation.
fn collect_ids(seed: &Seed, ids: &mut HashSet<u32>) -> Result<(), String> {
    fn folders(list: &[SeedFolder], ids: &mut HashSet<u32>) -> Result<(), String> {
        for f in list {
            claim(f.id, ids)?;
            folders(&f.folders, ids)?;
        }
        Ok(())
    }
    fn claim(id: Option<u32>, ids: &mut HashSet<u32>) -> Result<(), String> {
        match id {
            Some(0) => Err("folder ids start at 1".into()),
            Some(id) if !ids.insert(id) => Err(format!("id {id} is used twice")),
            _ => Ok(()),
        }
    }
    for room in &seed.rooms {
        claim(room.id, ids)?;
        folders(&room.folders, ids)?;
    }
    folders(&seed.my_documents, ids)
}
