//! The portal's folder tree and links, kept compact: a portal of 100,000 folders
//! must fit in well under 200 MB.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use super::access::{Level, RoomType, Scope};
use super::auth::ApiKey;
use super::seed::{Seed, SeedFolder, SeedLink};

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
                keys: seed
                    .tokens
                    .iter()
                    .map(|t| ApiKey {
                        key: t.key.as_str().into(),
                        scopes: t.scopes.iter().map(|s| s.as_str().into()).collect(),
                    })
                    .collect(),
            },
            explicit,
            next_id: 1,
        };
        let rooms_root = builder.add(None, None, "Rooms", Kind::RoomsRoot, None);
        let my_root = builder.add(None, None, "My documents", Kind::MyRoot, None);
        builder.portal.rooms_root = rooms_root;
        builder.portal.my_root = my_root;
        for room in &seed.rooms {
            let pos = builder.add(
                Some(rooms_root),
                room.id,
                &room.title,
                Kind::Room(room.room_type),
                room.link.as_ref(),
            );
            builder.add_folders(pos, &room.folders, Home::Room(room.room_type));
        }
        builder.add_folders(my_root, &seed.my_documents, Home::MyDocuments);
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

impl Builder {
    fn add(
        &mut self,
        parent: Option<Pos>,
        id: Option<u32>,
        title: &str,
        kind: Kind,
        link: Option<&SeedLink>,
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
        });
        if let (Some(seed), Some(scope)) = (link, self.portal.folder(pos).scope()) {
            let link = self.seed_link(seed, scope);
            self.portal.folder_mut(pos).links.push(link);
        }
        self.portal.index.insert(id, pos);
        if let Some(parent) = parent {
            self.portal.folder_mut(parent).children.push(pos);
        }
        pos
    }

    fn add_folders(&mut self, parent: Pos, folders: &[SeedFolder], home: Home) {
        for f in folders {
            let pos = self.add(
                Some(parent),
                f.id,
                &f.title,
                Kind::Plain(home),
                f.link.as_ref(),
            );
            self.add_folders(pos, &f.folders, home);
        }
        self.portal.folder_mut(parent).children.shrink_to_fit();
    }

    /// The seed is taken as the portal's history, except for values the server
    /// forces whatever was asked.
    fn seed_link(&mut self, seed: &SeedLink, scope: Scope) -> Link {
        Link {
            id: self.portal.fresh_link_id(),
            key: self.portal.fresh_share_key(),
            level: seed.access.level(),
            title: seed.title.as_deref().unwrap_or(DEFAULT_LINK_TITLE).into(),
            password: seed.password.as_deref().map(Into::into),
            // Where the portal lets no one set an expiry or `internal` (public,
            // form-filling and virtual data rooms and their folders,
            // docspace-api.md 2.4), no link ever got one.
            expires: seed
                .expires
                .filter(|_| scope.may_edit_internal_and_expiry()),
            deny_download: seed.deny_download,
            internal: scope
                .forced_internal()
                .unwrap_or(seed.internal && scope.may_edit_internal_and_expiry()),
            primary: true,
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
