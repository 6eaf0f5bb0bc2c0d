//! From the walks of the portal to the folders export writes: each folder once,
//! the scopes asked for without the nested ones, and every password seen kept
//! apart (to scrub from anything shown) so that what reaches the writer holds none.
//! Any read that failed, or that this key could not make, ends here: a manifest
//! written from a partial read would claim a subtree it has not seen.

use std::collections::HashSet;

use secrecy::SecretString;

use super::{Folder, Link, Scope};
use crate::docspace::ApiError;
use crate::docspace::walk::{Walk, WalkRoot};
use crate::error::{Error, ExportPart};
use crate::model::{FolderPath, ObservedPassword};

pub struct Found {
    pub folders: Vec<Folder>,
    pub scopes: Vec<Scope>,
    /// Every password seen, to scrub them from anything shown.
    pub passwords: Vec<SecretString>,
}

/// My Documents as a scope path.
pub fn my_documents() -> FolderPath {
    FolderPath {
        my_documents: true,
        segments: Vec::new(),
    }
}

/// Every folder walked, once, or the first read that failed: a manifest written
/// from a partial read would claim a subtree it has not seen.
pub fn collect(roots: &[WalkRoot], walks: Vec<Walk>) -> Result<Found, Error> {
    let failed = |part: ExportPart, e: &ApiError| {
        if e.is_fatal() {
            Error::Api(e.clone())
        } else {
            Error::ExportIncomplete {
                part,
                source: e.clone(),
            }
        }
    };
    for walk in &walks {
        if let Some(f) = walk.failures.first() {
            return Err(failed(ExportPart::Listing(f.display.clone()), &f.error));
        }
        for folder in &walk.folders {
            match &folder.links {
                Err(e) => return Err(failed(ExportPart::Links(folder.display.clone()), e)),
                Ok(l) if l.hidden(folder.shared) => {
                    return Err(Error::ExportLinksHidden {
                        folder: folder.display.clone(),
                    });
                }
                Ok(_) => {}
            }
        }
    }
    // A subtree inside another one asked for is covered by it: one scope, each
    // folder once.
    let below: HashSet<u64> = walks
        .iter()
        .flat_map(|w| w.folders.iter().filter(|f| f.depth > 0).map(|f| f.id))
        .collect();
    let mut scopes = Vec::new();
    let mut seen_roots = HashSet::new();
    for root in roots {
        let id = root.folder.as_ref().map(|f| f.id);
        let nested = id.is_some_and(|id| below.contains(&id));
        if !nested && seen_roots.insert(id) {
            scopes.push(Scope {
                id,
                path: root.path.clone().unwrap_or_else(my_documents),
            });
        }
    }
    let all: Vec<_> = walks.into_iter().flat_map(|w| w.folders).collect();
    let echoes = all.iter().any(|f| {
        f.links.as_ref().is_ok_and(|l| {
            l.primary
                .iter()
                .chain(&l.additional)
                .any(|x| x.password.is_set())
        })
    });
    let mut passwords = Vec::new();
    let mut seen = HashSet::new();
    let mut folders = Vec::new();
    for f in all {
        if !seen.insert(f.id) {
            continue;
        }
        let links = f.links.expect("failures returned above");
        for l in links.primary.iter().chain(&links.additional) {
            if let ObservedPassword::Known(p) = &l.password {
                passwords.push(p.clone());
            }
        }
        folders.push(Folder {
            id: f.id,
            path: f.path.expect("export roots are named by path"),
            placement: f.placement,
            primary: links
                .primary
                .first()
                .map(|l| Link::from_observed(l, echoes)),
            more_primary: links.primary.len().saturating_sub(1),
            additional: links
                .additional
                .iter()
                .map(|l| Link::from_observed(l, echoes))
                .collect(),
        });
    }
    Ok(Found {
        folders,
        scopes,
        passwords,
    })
}
