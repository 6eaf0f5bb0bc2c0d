//! Turning manifest paths into folder ids: one listing per parent folder, read once
//! per run however many entries share that parent (issue 4), and shared between
//! entries that resolve at the same time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::api::{Child, Listing, ListingResult, id_of};
use super::error::ApiError;
use super::transport::Transport;
use super::wire::{self, FOLDER_TYPE_MY_DOCUMENTS};
use crate::diagnostic::Code;
use crate::model::{Placement, User};

/// A folder the portal knows, and where it lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FolderRef {
    pub id: u64,
    pub placement: Placement,
    /// The portal's `shared` flag for it: whether it has any external link at all,
    /// whoever may see them (docspace-api.md 5, `sim::sharing`). `None` when unsaid.
    pub shared: Option<bool>,
    /// Who made it, when the portal says: only they may revoke its links.
    pub created_by: Option<User>,
}

/// Why a folder could not be found.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The manifest names something that is not there: bad input.
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Ambiguous(String),
    #[error("{0}")]
    CannotHaveLinks(String),
    /// The portal could not be read: the folder's state is unknown.
    #[error(transparent)]
    Api(#[from] ApiError),
}

impl ResolveError {
    /// The manifest's problem, or what the portal answered.
    pub fn code(&self) -> Code {
        match self {
            ResolveError::NotFound(_) => Code::FolderNotFound,
            ResolveError::Ambiguous(_) => Code::AmbiguousFolder,
            ResolveError::CannotHaveLinks(_) => Code::NoExternalLinks,
            ResolveError::Api(e) => e.code(),
        }
    }
}

/// A listing, read once per run. A failure is kept too: every entry under a
/// listing that could not be read would otherwise repeat the whole retry chain.
type Cached = Arc<OnceCell<Result<Arc<ListingResult>, ApiError>>>;

pub struct Resolver<'t> {
    transport: &'t Transport,
    listings: Mutex<HashMap<Listing, Cached>>,
}

impl<'t> Resolver<'t> {
    pub fn new(transport: &'t Transport) -> Self {
        Resolver {
            transport,
            listings: Mutex::default(),
        }
    }

    pub async fn listing(&self, which: Listing) -> Result<Arc<ListingResult>, ApiError> {
        let cell = self
            .listings
            .lock()
            .expect("listing cache lock")
            .entry(which)
            .or_default()
            .clone();
        cell.get_or_init(|| async { self.transport.listing(which).await.map(Arc::new) })
            .await
            .clone()
    }

    /// Resolves `segments` (room title, then folder titles), or a path under My
    /// Documents when `my_documents` is set.
    pub async fn resolve_path(
        &self,
        my_documents: bool,
        segments: &[String],
    ) -> Result<FolderRef, ResolveError> {
        let (mut shared, mut created_by);
        let (mut parent, mut placement, rest) = if my_documents {
            let my = self.listing(Listing::MyDocuments).await?;
            let Some((first, rest)) = segments.split_first() else {
                return Err(ResolveError::CannotHaveLinks(
                    "My Documents itself cannot have an external link".to_owned(),
                ));
            };
            let folder = unique(&my, first, || "My Documents".to_owned())?;
            shared = folder.shared;
            created_by = folder.created_by.clone();
            (folder.id, Placement::MyDocuments, rest)
        } else {
            let rooms = self.listing(Listing::Rooms).await?;
            let Some((room_title, rest)) = segments.split_first() else {
                return Err(ResolveError::NotFound(
                    "an empty path names no folder".to_owned(),
                ));
            };
            let room = unique(&rooms, room_title, || "the rooms".to_owned())?;
            let id = room.id;
            shared = room.shared;
            created_by = room.created_by.clone();
            let room_type = room.room_type.and_then(wire::room_type).ok_or_else(|| {
                ResolveError::CannotHaveLinks(format!(
                    "room `{room_title}` has a room type this tool does not know ({:?})",
                    room.room_type
                ))
            })?;
            (id, Placement::Room { room_type }, rest)
        };
        let mut walked = vec![segments[0].clone()];
        for title in rest {
            let children = self.listing(Listing::Subfolders(parent)).await?;
            let within = walked.join("/");
            let child = unique(&children, title, || format!("`{within}`"))?;
            (parent, shared) = (child.id, child.shared);
            created_by = child.created_by.clone();
            placement = match placement {
                Placement::Room { room_type } | Placement::InRoom { room_type } => {
                    Placement::InRoom { room_type }
                }
                Placement::MyDocuments => Placement::MyDocuments,
            };
            walked.push(title.clone());
        }
        Ok(FolderRef {
            id: parent,
            placement,
            shared,
            created_by,
        })
    }

    /// Looks a folder or room up by id. Returns its title too, for display.
    pub async fn resolve_id(&self, id: u64) -> Result<(FolderRef, String), ResolveError> {
        let dto = match self.transport.folder(id).await {
            Ok(dto) => dto,
            Err(ApiError::NotFound { .. }) => {
                return Err(ResolveError::NotFound(format!(
                    "no folder or room with id {id} (or the token's user cannot see it)"
                )));
            }
            Err(e) => return Err(e.into()),
        };
        if id_of(&dto.id) != Some(id) {
            return Err(ApiError::Decode(format!("asked for folder {id}, got {}", dto.id)).into());
        }
        let placement = if let Some(rt) = dto.room_type {
            Placement::Room {
                room_type: wire::room_type(rt).ok_or_else(|| {
                    ResolveError::CannotHaveLinks(format!(
                        "room {id} has an unknown room type ({rt})"
                    ))
                })?,
            }
        } else if dto.root_folder_type == Some(FOLDER_TYPE_MY_DOCUMENTS) {
            Placement::MyDocuments
        } else if let Some(room_type) = dto.parent_room_type.and_then(wire::room_folder_type) {
            Placement::InRoom { room_type }
        } else {
            return Err(ResolveError::CannotHaveLinks(format!(
                "folder {id} (`{}`) is neither in a room nor in My Documents, so it cannot have external links",
                dto.title
            )));
        };
        Ok((
            FolderRef {
                id,
                placement,
                shared: dto.shared,
                created_by: dto.created_by.map(super::api::user),
            },
            dto.title,
        ))
    }
}

/// The one child titled exactly `title` (listing filters are substring searches, so
/// the exact match is ours to make).
fn unique<'l>(
    listing: &'l ListingResult,
    title: &str,
    within: impl Fn() -> String,
) -> Result<&'l Child, ResolveError> {
    let mut matches = listing.named(title);
    match (matches.next(), matches.next()) {
        (Some(c), None) => Ok(c),
        (None, _) => {
            let hint = crate::suggest::title_hint(
                title,
                listing.children.iter().map(|c| c.title.as_str()),
            );
            Err(ResolveError::NotFound(format!(
                "no folder named `{title}` in {}{hint}",
                within()
            )))
        }
        (Some(a), Some(b)) => Err(ResolveError::Ambiguous(format!(
            "two folders are named `{title}` in {} (ids {} and {}); name the one you mean by `id:`",
            within(),
            a.id,
            b.id
        ))),
    }
}
