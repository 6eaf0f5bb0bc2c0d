//! The reads of one run, each made at most once: listings (through the
//! [`Resolver`]'s cache) and folder links. Entries, scopes and export share it, so a
//! folder that an entry names inside a walked scope is listed and read once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::api::FolderLinks;
use super::resolve::Resolver;
use super::{ApiError, Transport};

/// Shared, not copied: the cache and every reader of a folder hold the same links.
type Cached = Arc<OnceCell<Result<Arc<FolderLinks>, ApiError>>>;

pub struct Reader<'t> {
    pub transport: &'t Transport,
    pub resolver: Resolver<'t>,
    links: Mutex<HashMap<u64, Cached>>,
}

impl<'t> Reader<'t> {
    pub fn new(transport: &'t Transport) -> Self {
        Reader {
            transport,
            resolver: Resolver::new(transport),
            links: Mutex::default(),
        }
    }

    /// `GET folder/{id}/links`, once per folder per run.
    pub async fn links(&self, folder: u64) -> Result<Arc<FolderLinks>, ApiError> {
        let cell = self
            .links
            .lock()
            .expect("links cache lock")
            .entry(folder)
            .or_default()
            .clone();
        cell.get_or_init(|| async { self.transport.folder_links(folder).await.map(Arc::new) })
            .await
            .clone()
    }
}
