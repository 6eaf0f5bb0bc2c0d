//! Walking subtrees, for scopes and `export`: every folder below some roots, found
//! with one listing per folder, and the external links of every folder that may
//! have any. Read-only: listings and `GET folder/{id}/links`, never `GET .../link`.
//!
//! Folders are visited concurrently, a bounded number at a time; the transport
//! bounds what is actually in flight.

use std::collections::VecDeque;
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::FuturesUnordered;

use super::ApiError;
use super::api::{FolderLinks, Listing, ListingResult};
use super::reader::Reader;
use super::resolve::FolderRef;
use crate::model::{FolderPath, Placement, User};
use crate::progress::Progress;

/// Where a walk starts.
#[derive(Clone, Debug)]
pub struct WalkRoot {
    /// `None` for My Documents itself, which has no links of its own.
    pub folder: Option<FolderRef>,
    /// As messages show the root: `Marketing`, `@my`, `id 100 (Marketing)`.
    pub display: String,
    /// The root's path, when it was named by one: every folder below gets its own.
    pub path: Option<FolderPath>,
    /// The root's `shared` flag, when a listing showed it (see [`may_have_links`]).
    pub shared: Option<bool>,
}

/// One folder of a walked subtree, the root included.
#[derive(Debug)]
pub struct WalkedFolder {
    pub id: u64,
    /// The root's display, then the titles below it.
    pub display: String,
    pub path: Option<FolderPath>,
    pub placement: Placement,
    /// Steps below the root (0 for the root): the nearest scope wins a folder that
    /// two nested scopes cover.
    pub depth: usize,
    /// Who made it, when the portal says: only they may revoke its links.
    pub created_by: Option<User>,
    /// The listing's `shared`: true exactly when the folder has an external link
    /// row (docspace-api.md third reading 4), so links read as none then are
    /// links this key cannot see (11).
    pub shared: Option<bool>,
    pub links: Result<Arc<FolderLinks>, ApiError>,
}

/// A folder whose subfolders could not be listed: whatever is below it is unknown.
#[derive(Debug)]
pub struct ListingFailure {
    /// `None` for My Documents itself.
    pub id: Option<u64>,
    pub display: String,
    pub error: ApiError,
}

/// Everything found below one root.
#[derive(Debug, Default)]
pub struct Walk {
    pub folders: Vec<WalkedFolder>,
    pub failures: Vec<ListingFailure>,
}

/// Whether a listing entry may have external links, so that its links must be read.
///
/// The server sets `shared` from the folder's own link records, every external
/// link counted (primary or additional, internal or not, expired or not, whoever
/// made it), as of that very listing: `FolderDao.FromQuery` and
/// `FolderMapper.MapDbFolderQueryToDbFolderInternal` in ONLYOFFICE/DocSpace-server
/// (3.7.2, 3.8.0, develop). So `shared: false` means no external link at all, and
/// only `true` (or a server that does not send the flag) costs a read.
/// `sharedExternal` is not that signal: an internal-only link leaves it false.
pub fn may_have_links(shared: Option<bool>) -> bool {
    shared != Some(false)
}

struct Visit {
    root: usize,
    id: u64,
    listing: Listing,
    display: String,
    path: Option<FolderPath>,
    /// `None` for My Documents itself.
    placement: Option<Placement>,
    depth: usize,
    created_by: Option<User>,
    read_links: bool,
    shared: Option<bool>,
}

/// Walks every root's subtree; one [`Walk`] per root, in the order given. A failed
/// read is kept with the folder it concerns and never taken for "nothing there".
pub async fn walk(reader: &Reader<'_>, roots: &[WalkRoot], progress: &Progress) -> Vec<Walk> {
    let mut walks: Vec<Walk> = roots.iter().map(|_| Walk::default()).collect();
    let mut queue: VecDeque<Visit> = roots
        .iter()
        .enumerate()
        .map(|(i, r)| match &r.folder {
            Some(f) => Visit {
                root: i,
                id: f.id,
                listing: Listing::Subfolders(f.id),
                display: r.display.clone(),
                path: r.path.clone(),
                placement: Some(f.placement),
                depth: 0,
                created_by: f.created_by.clone(),
                read_links: may_have_links(r.shared),
                shared: r.shared,
            },
            None => Visit {
                root: i,
                id: 0,
                listing: Listing::MyDocuments,
                display: r.display.clone(),
                path: r.path.clone(),
                placement: None,
                depth: 0,
                created_by: None,
                read_links: false,
                shared: None,
            },
        })
        .collect();
    progress.start("walking the portal", queue.len());
    // Each visit has up to two requests in flight; twice the request slots keeps
    // them all busy while some visits wait for their second answer.
    let width = reader.transport.parallelism() * 2;
    let mut running = FuturesUnordered::new();
    loop {
        while running.len() < width
            && let Some(v) = queue.pop_front()
        {
            running.push(visit(reader, v));
        }
        let Some((v, links, listing)) = running.next().await else {
            break;
        };
        progress.inc();
        let walk = &mut walks[v.root];
        match listing {
            Ok(listing) => {
                progress.grow(listing.children.len());
                for child in &listing.children {
                    queue.push_back(child_visit(&v, child));
                }
            }
            Err(error) => walk.failures.push(ListingFailure {
                id: v.placement.map(|_| v.id),
                display: v.display.clone(),
                error,
            }),
        }
        if let (Some(placement), Some(links)) = (v.placement, links) {
            walk.folders.push(WalkedFolder {
                id: v.id,
                display: v.display,
                path: v.path,
                placement,
                depth: v.depth,
                created_by: v.created_by,
                shared: v.shared,
                links,
            });
        }
    }
    progress.finish();
    walks
}

async fn visit(
    reader: &Reader<'_>,
    v: Visit,
) -> (
    Visit,
    Option<Result<Arc<FolderLinks>, ApiError>>,
    Result<Arc<ListingResult>, ApiError>,
) {
    let links = async {
        match v.placement {
            None => None,
            Some(_) if v.read_links => Some(reader.links(v.id).await),
            Some(_) => Some(Ok(Arc::default())),
        }
    };
    let (links, listing) = futures::join!(links, reader.resolver.listing(v.listing));
    (v, links, listing)
}

fn child_visit(parent: &Visit, child: &super::api::Child) -> Visit {
    let placement = match parent.placement {
        Some(Placement::Room { room_type } | Placement::InRoom { room_type }) => {
            Placement::InRoom { room_type }
        }
        Some(Placement::MyDocuments) | None => Placement::MyDocuments,
    };
    Visit {
        root: parent.root,
        id: child.id,
        listing: Listing::Subfolders(child.id),
        display: format!("{}/{}", parent.display, child.title),
        path: parent.path.as_ref().map(|p| {
            let mut segments = p.segments.clone();
            segments.push(child.title.clone());
            FolderPath {
                my_documents: p.my_documents,
                segments,
            }
        }),
        placement: Some(placement),
        depth: parent.depth + 1,
        created_by: child.created_by.clone(),
        read_links: may_have_links(child.shared),
        shared: child.shared,
    }
}
