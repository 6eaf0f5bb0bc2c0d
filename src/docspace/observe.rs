//! Reading the portal for a list of manifest targets: each target's folder, where
//! it lives, and its primary links, or the error that left it unknown.
//!
//! Each target runs its own small pipeline (resolve the folder, read its links) and
//! targets run concurrently; the transport bounds what is actually in flight.

use futures::StreamExt;

use super::api::FolderLinks;
use super::resolve::{FolderRef, ResolveError, Resolver};
use super::{ApiError, Transport};
use crate::model::Target;
use crate::progress::Progress;

/// What the portal said about every target, in the order given.
#[derive(Debug)]
pub struct Observed {
    pub entries: Vec<ObservedEntry>,
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
    pub links: Result<FolderLinks, ApiError>,
}

impl Observed {
    /// Whether any link came back with its password: then the portal echoes them
    /// (every server release does, docspace-api.md 2.3), and a link without a
    /// `password` key has none.
    pub fn echoes_passwords(&self) -> bool {
        self.entries.iter().any(|e| {
            matches!(&e.folder, Ok(ObservedFolder { links: Ok(l), .. })
                if l.primary.iter().any(|p| p.password.is_set()))
        })
    }
}

/// Reads the portal for `targets`. Fails as a whole only when going on is pointless
/// (the key was refused): anything else leaves that target unknown.
pub async fn observe(
    targets: &[&Target],
    transport: &Transport,
    progress: &Progress,
) -> Result<Observed, ApiError> {
    let resolver = Resolver::new(transport);
    let resolver = &resolver;
    progress.start("reading the portal", targets.len());
    // Targets in the pipe well beyond the request slots: the listing a later room
    // needs is then asked for while earlier targets still keep every slot busy,
    // instead of when the last of them finishes. Bounded, to bound memory.
    let width = transport.parallelism() * 32;
    let mut entries: Vec<(usize, ObservedEntry)> =
        futures::stream::iter(targets.iter().enumerate())
            .map(|(i, target)| async move {
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
                        links: transport.folder_links(folder.id).await,
                        folder,
                    }),
                    Err(e) => Err(e),
                };
                progress.inc();
                (i, ObservedEntry { path, folder })
            })
            .buffer_unordered(width)
            .collect()
            .await;
    progress.finish();
    if let Some(fatal) = entries.iter().find_map(|(_, e)| fatal(e)) {
        return Err(fatal);
    }
    entries.sort_by_key(|(i, _)| *i);
    Ok(Observed {
        entries: entries.into_iter().map(|(_, e)| e).collect(),
    })
}

/// An error that says nothing about one folder and everything about the run.
fn fatal(e: &ObservedEntry) -> Option<ApiError> {
    let api = match &e.folder {
        Err(ResolveError::Api(a)) | Ok(ObservedFolder { links: Err(a), .. }) => a,
        _ => return None,
    };
    api.is_fatal().then(|| api.clone())
}
