//! Reading the portal for a manifest: each target's folder, where it lives, and its
//! links, or the error that left it unknown; then every scope's subtree.
//!
//! Each target runs its own small pipeline (resolve the folder, read its links) and
//! targets run concurrently; the transport bounds what is actually in flight. Scopes
//! are walked after the targets, through the same reader: a listing or a folder's
//! links already read for an entry is not read again.

use std::collections::HashMap;
use std::sync::Arc;

use futures::StreamExt;

use super::api::FolderLinks;
use super::reader::Reader;
use super::release::Release;
use super::resolve::{FolderRef, ResolveError};
use super::walk::{Walk, WalkRoot, may_have_links, walk};
use super::{ApiError, Transport};
use crate::model::{Target, User};
use crate::progress::Progress;

/// What the portal said about every target and every scope, keyed by the target
/// it was read for: the plan looks each entry up by what it names, never by place.
#[derive(Debug)]
pub struct Observed {
    /// The portal's release, as the portal check read it in this run.
    pub release: Release,
    pub entries: HashMap<Target, ObservedEntry>,
    pub scopes: HashMap<Target, ObservedScope>,
    /// The API key's own user, read only when the plan needs it (see [`Me`]).
    pub me: Me,
}

/// The API key's own user, as far as this run knows it. Only a folder's creator
/// may revoke its links (docspace-api.md, third reading 3), so `GET people/@self`
/// is read once, and only when the plan revokes links of a folder whose creator
/// the portal named (`cli::build_plan`).
#[derive(Debug, Clone, Default)]
pub enum Me {
    /// Not asked: nothing in the plan needs it.
    #[default]
    NotRead,
    Known(User),
    /// The read failed (a key without `accounts.self:read` gets an empty 403).
    /// Nothing is guessed: revokes are planned, and apply learns from the portal.
    Unreadable,
}

/// A scope's subtree, or why its root could not be found.
#[derive(Debug)]
pub struct ObservedScope {
    pub walk: Result<Walk, ResolveError>,
}

/// What was learnt about one target's folder.
#[derive(Debug)]
pub struct ObservedEntry {
    /// As the manifest names it, or `id N (title)` for a target by id.
    pub path: String,
    pub folder: Result<ObservedFolder, ResolveError>,
}

/// A folder that was found, and its links or why they could not be read.
#[derive(Debug)]
pub struct ObservedFolder {
    pub folder: FolderRef,
    pub links: Result<Arc<FolderLinks>, ApiError>,
}

impl Observed {
    /// Whether a link without a `password` key has none: the portal runs a release
    /// known to return passwords (`Release::echoes_passwords`), or some link came
    /// back with its password in this run.
    pub fn echoes_passwords(&self) -> bool {
        self.release.echoes_passwords() || self.some_password_echoed()
    }

    fn some_password_echoed(&self) -> bool {
        let any_set = |l: &FolderLinks| {
            l.primary
                .iter()
                .chain(&l.additional)
                .any(|p| p.password.is_set())
        };
        self.entries
            .values()
            .any(|e| matches!(&e.folder, Ok(ObservedFolder { links: Ok(l), .. }) if any_set(l)))
            || self.scopes.values().any(|s| {
                s.walk.as_ref().is_ok_and(|w| {
                    w.folders
                        .iter()
                        .any(|f| f.links.as_ref().is_ok_and(|l| any_set(l)))
                })
            })
    }
}

/// Reads the portal for `targets`. Fails as a whole only when going on is pointless
/// (the key was refused): anything else leaves that target unknown.
pub async fn observe(
    targets: &[&Target],
    scopes: &[&Target],
    transport: &Transport,
    progress: &Progress,
) -> Result<Observed, ApiError> {
    let reader = Reader::new(transport);
    let reader = &reader;
    let resolver = &reader.resolver;
    progress.start("reading the portal", targets.len());
    // Targets in the pipe well beyond the request slots: the listing a later room
    // needs is then asked for while earlier targets still keep every slot busy,
    // instead of when the last of them finishes. Bounded, to bound memory.
    let width = transport.parallelism() * 32;
    let entries: HashMap<Target, ObservedEntry> = futures::stream::iter(targets)
        .map(|target| async move {
            let (folder, path) = match target {
                Target::Path(p) => (
                    resolver.resolve_path(p.my_documents, &p.segments).await,
                    p.to_string(),
                ),
                Target::Id(id) => match resolver.resolve_id(*id).await {
                    Ok((f, title)) => (Ok(f), format!("id {id} ({title})")),
                    Err(e) => (Err(e), format!("id {id}")),
                },
            };
            let folder = match folder {
                Ok(folder) => Ok(ObservedFolder {
                    // Only a folder its listing entry (or `GET folder/{id}`)
                    // calls shared can have a link (docspace-api.md, third
                    // reading 4; `walk::may_have_links`): the others cost no read.
                    links: if may_have_links(folder.shared) {
                        reader.links(folder.id).await
                    } else {
                        Ok(Arc::default())
                    },
                    folder,
                }),
                Err(e) => Err(e),
            };
            progress.inc();
            ((*target).clone(), ObservedEntry { path, folder })
        })
        .buffer_unordered(width)
        .collect()
        .await;
    progress.finish();
    if let Some(fatal) = entries.values().find_map(fatal) {
        return Err(fatal);
    }
    let scopes = observe_scopes(scopes, reader, progress).await?;
    Ok(Observed {
        release: transport.release(),
        entries,
        scopes,
        me: Me::NotRead,
    })
}

async fn observe_scopes(
    scopes: &[&Target],
    reader: &Reader<'_>,
    progress: &Progress,
) -> Result<HashMap<Target, ObservedScope>, ApiError> {
    let mut roots: Vec<Result<WalkRoot, ResolveError>> = Vec::with_capacity(scopes.len());
    for target in scopes {
        roots.push(match target {
            Target::Path(p) if p.my_documents && p.segments.is_empty() => Ok(WalkRoot {
                folder: None,
                display: p.to_string(),
                path: Some(p.clone()),
                shared: None,
            }),
            Target::Path(p) => reader
                .resolver
                .resolve_path(p.my_documents, &p.segments)
                .await
                .map(|folder| WalkRoot {
                    folder: Some(folder),
                    display: p.to_string(),
                    path: Some(p.clone()),
                    shared: None,
                }),
            Target::Id(id) => reader
                .resolver
                .resolve_id(*id)
                .await
                .map(|(folder, title)| WalkRoot {
                    folder: Some(folder),
                    display: format!("id {id} ({title})"),
                    path: None,
                    shared: None,
                }),
        });
    }
    let found: Vec<WalkRoot> = roots
        .iter()
        .filter_map(|r| r.as_ref().ok())
        .cloned()
        .collect();
    let mut walks = walk(reader, &found, progress).await.into_iter();
    let mut observed = HashMap::with_capacity(roots.len());
    for (target, root) in scopes.iter().zip(roots) {
        let walk = match root {
            Ok(_) => Ok(walks.next().expect("one walk per root")),
            Err(ResolveError::Api(e)) if e.is_fatal() => return Err(e),
            Err(e) => Err(e),
        };
        if let Ok(w) = &walk {
            let fatal = w
                .failures
                .iter()
                .map(|f| &f.error)
                .chain(w.folders.iter().filter_map(|f| f.links.as_ref().err()))
                .find(|e| e.is_fatal());
            if let Some(e) = fatal {
                return Err(e.clone());
            }
        }
        observed.insert((*target).clone(), ObservedScope { walk });
    }
    Ok(observed)
}

/// An error that says nothing about one folder and everything about the run.
fn fatal(e: &ObservedEntry) -> Option<ApiError> {
    let api = match &e.folder {
        Err(ResolveError::Api(a)) | Ok(ObservedFolder { links: Err(a), .. }) => a,
        _ => return None,
    };
    api.is_fatal().then(|| api.clone())
}
