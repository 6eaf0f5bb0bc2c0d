//! The DocSpace routes the tool uses, typed. Reads are `GET folder/{id}/links`,
//! `GET folder/{id}` and listings only: never `GET folder/{id}/link`, which creates
//! a link (docspace-api.md 1).

use std::collections::HashMap;

use jiff::Timestamp;
use reqwest::Method;

use super::error::ApiError;
use super::transport::{Request, SELF_PATH, Transport};
use super::wire::{self, FolderDto, LinkEntry, LinkRequest, ListingDto, file_share};
use crate::model::{LinkValues, ObservedAccess, ObservedLink, ObservedPassword, User};

/// Listings are read in pages of this many entries (the server's maximum).
const PAGE: u64 = 100;
/// A listing claiming more entries than this is a broken or hostile answer.
const MAX_LISTING: u64 = 1_000_000;

/// A folder's external links.
#[derive(Clone, Debug, Default)]
pub struct FolderLinks {
    /// Primary external links in server order; the first is the one the tool manages.
    pub primary: Vec<ObservedLink>,
    /// Additional (non-primary) external links: never managed by an entry, but seen
    /// by scopes and policies.
    pub additional: Vec<ObservedLink>,
}

impl FolderLinks {
    /// No external link at all, primary or additional.
    pub fn is_empty(&self) -> bool {
        self.primary.is_empty() && self.additional.is_empty()
    }

    /// Read as none from a folder whose listing says `shared`: true exactly when
    /// the folder has an external link row (docspace-api.md third reading 4), so
    /// these are links this key may not see (11), never "no link".
    pub fn hidden(&self, shared: Option<bool>) -> bool {
        shared == Some(true) && self.is_empty()
    }
}

/// Which folder listing to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Listing {
    Rooms,
    MyDocuments,
    Subfolders(u64),
}

/// A child in a listing.
#[derive(Debug, Clone)]
pub struct Child {
    pub id: u64,
    pub title: String,
    pub room_type: Option<i64>,
    /// The entry's `shared` flag, when the server sent one (see `walk::may_have_links`).
    pub shared: Option<bool>,
    /// Who made it, when the entry says.
    pub created_by: Option<User>,
}

/// Everything a listing tells: its children and, for My Documents, its own id.
#[derive(Debug, Default)]
pub struct ListingResult {
    pub children: Vec<Child>,
    pub current_id: Option<u64>,
    /// Children by exact title: every entry under a folder looks its title up here,
    /// so a scan per entry would make resolving a big folder quadratic.
    by_title: HashMap<String, Vec<usize>>,
}

impl ListingResult {
    /// The children titled exactly `title`, in listing order.
    pub fn named(&self, title: &str) -> impl Iterator<Item = &Child> {
        self.by_title
            .get(title)
            .into_iter()
            .flatten()
            .map(|&i| &self.children[i])
    }

    fn index(&mut self) {
        for (i, c) in self.children.iter().enumerate() {
            self.by_title.entry(c.title.clone()).or_default().push(i);
        }
    }
}

impl Transport {
    pub async fn folder_links(&self, folder: u64) -> Result<FolderLinks, ApiError> {
        let path = format!("folder/{folder}/links");
        let entries: Vec<LinkEntry> = self
            .call(Request {
                method: Method::GET,
                path: &path,
                query: &[],
                body: None,
            })
            .await?
            // An answer without a list is not "no links": a failed read never is.
            .ok_or_else(|| {
                ApiError::Decode(format!("folder {folder}: the links answer carries no list"))
            })?;
        let mut links = FolderLinks::default();
        for entry in &entries {
            let Some(link) = entry.link() else {
                return Err(ApiError::Decode(format!(
                    "a link of folder {folder} has neither sharedLink nor sharedTo"
                )));
            };
            let is_primary = match (link.primary, entry.subject_type) {
                (Some(p), _) => p,
                (None, Some(t)) => t == wire::SUBJECT_PRIMARY_LINK,
                (None, None) => {
                    return Err(ApiError::Decode(format!(
                        "link {} of folder {folder} says neither `primary` nor `subjectType`",
                        link.id
                    )));
                }
            };
            // linkType 0 is a room invitation, not an external link.
            if link.link_type.unwrap_or(1) != 1 {
                continue;
            }
            let observed = observed(entry, link)?;
            if is_primary {
                links.primary.push(observed);
            } else {
                links.additional.push(observed);
            }
        }
        Ok(links)
    }

    pub async fn folder(&self, id: u64) -> Result<FolderDto, ApiError> {
        let path = format!("folder/{id}");
        self.call(Request {
            method: Method::GET,
            path: &path,
            query: &[],
            body: None,
        })
        .await?
        .ok_or_else(|| ApiError::Decode(format!("folder {id}: empty answer")))
    }

    /// Reads a whole listing, page after page, advancing by what each page
    /// returned. A short page is the last one; if by then fewer entries came than
    /// the listing's `total` claims, the listing is not believed (a proxy that cuts
    /// pages would otherwise hide folders, or the twin that makes a title ambiguous).
    pub async fn listing(&self, which: Listing) -> Result<ListingResult, ApiError> {
        let mut result = ListingResult::default();
        let mut start = 0;
        loop {
            let page = self.listing_page(which, start).await?;
            if page.total > MAX_LISTING {
                return Err(ApiError::Decode(format!(
                    "a listing claims {} entries; more than {MAX_LISTING} in one folder is not believed",
                    page.total
                )));
            }
            if start == 0 {
                result.current_id = page.current.as_ref().and_then(|c| id_of(&c.id));
            }
            let got = page.folders.len() as u64;
            push_children(&mut result.children, page.folders)?;
            start += got;
            if start >= page.total {
                result.index();
                return Ok(result);
            }
            if got < PAGE {
                return Err(ApiError::Decode(format!(
                    "a listing says it has {} entries but sent {start}",
                    page.total
                )));
            }
        }
    }

    async fn listing_page(&self, which: Listing, start: u64) -> Result<ListingDto, ApiError> {
        let path = match which {
            Listing::Rooms => "rooms".to_owned(),
            Listing::MyDocuments => "@my".to_owned(),
            Listing::Subfolders(id) => id.to_string(),
        };
        let mut query = vec![
            ("startIndex", start.to_string()),
            ("count", PAGE.to_string()),
        ];
        if which != Listing::Rooms {
            // Folders only, and this folder's own children: filtering otherwise
            // searches the whole subtree (docspace-api.md 5).
            query.push(("filterType", "2".to_owned()));
            query.push(("withSubfolders", "false".to_owned()));
        }
        self.call(Request {
            method: Method::GET,
            path: &path,
            query: &query,
            body: None,
        })
        .await?
        .ok_or_else(|| ApiError::Decode(format!("listing {path}: empty answer")))
    }

    /// The key's own user (see [`SELF_PATH`]).
    pub async fn self_user(&self) -> Result<User, ApiError> {
        let me: wire::EmployeeDto = self
            .call(Request {
                method: Method::GET,
                path: SELF_PATH,
                query: &[],
                body: None,
            })
            .await?
            .ok_or_else(|| ApiError::Decode("people/@self: empty answer".to_owned()))?;
        Ok(user(me))
    }

    /// `POST folder/{id}/link`: get-or-create the primary link. Safe to repeat: it
    /// never makes a second primary link, and returns an existing one unchanged.
    pub async fn create_primary(
        &self,
        folder: u64,
        values: &LinkValues,
    ) -> Result<ObservedLink, ApiError> {
        let path = format!("folder/{folder}/link");
        let entry: Option<LinkEntry> = self
            .write(Method::POST, &path, &LinkRequest::write(None, values))
            .await?;
        let entry = entry
            .ok_or_else(|| ApiError::Decode("the create answer carries no link".to_owned()))?;
        let link = entry
            .link()
            .ok_or_else(|| ApiError::Decode("the create answer carries no link".to_owned()))?;
        observed(&entry, link)
    }

    /// `PUT folder/{id}/links` with no `linkId` and `primary: false`: a new
    /// additional link (design.md 1.2). Not safe to repeat: every such PUT makes
    /// another link, so apply reads the folder before each one.
    pub async fn create_additional(
        &self,
        folder: u64,
        values: &LinkValues,
    ) -> Result<ObservedLink, ApiError> {
        self.put_link(folder, &LinkRequest::additional(None, values))
            .await?
            .ok_or_else(|| ApiError::Decode("the create answer carries no link".to_owned()))
    }

    /// `PUT folder/{id}/links`: a full replacement of the link `link_id`, a
    /// primary or an additional one (`primary` is what a PUT to an id the server
    /// no longer knows would create). Returns the link as saved.
    pub async fn update_link(
        &self,
        folder: u64,
        link_id: &str,
        values: &LinkValues,
        primary: bool,
    ) -> Result<Option<ObservedLink>, ApiError> {
        let body = if primary {
            LinkRequest::write(Some(link_id), values)
        } else {
            LinkRequest::additional(Some(link_id), values)
        };
        self.put_link(folder, &body).await
    }

    /// `PUT folder/{id}/links` with `access: 0`. Returns the link the server put in
    /// its place, if it did (public and form-filling rooms, docspace-api.md 2.5).
    /// Revokes `link_id`; `current` is the link as the last read showed it (see
    /// `LinkRequest::revoke`).
    pub async fn revoke_link(
        &self,
        folder: u64,
        link_id: &str,
        current: Option<&ObservedLink>,
    ) -> Result<Option<ObservedLink>, ApiError> {
        self.put_link(folder, &LinkRequest::revoke(link_id, current))
            .await
    }

    async fn put_link(
        &self,
        folder: u64,
        body: &LinkRequest<'_>,
    ) -> Result<Option<ObservedLink>, ApiError> {
        let path = format!("folder/{folder}/links");
        let entry: Option<LinkEntry> = self.write(Method::PUT, &path, body).await?;
        match entry {
            None => Ok(None),
            Some(entry) => {
                let link = entry.link().ok_or_else(|| {
                    ApiError::Decode("the update answer carries no link".to_owned())
                })?;
                observed(&entry, link).map(Some)
            }
        }
    }

    async fn write<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &LinkRequest<'_>,
    ) -> Result<Option<T>, ApiError> {
        let bytes = serde_json::to_vec(body).map_err(|e| ApiError::Decode(e.to_string()))?;
        self.call(Request {
            method,
            path,
            query: &[],
            body: Some(bytes),
        })
        .await
    }
}

fn push_children(into: &mut Vec<Child>, folders: Vec<FolderDto>) -> Result<(), ApiError> {
    for f in folders {
        let id = id_of(&f.id).ok_or_else(|| {
            ApiError::Decode(format!(
                "folder `{}` has a non-numeric id (third-party storage is not supported)",
                f.title
            ))
        })?;
        into.push(Child {
            id,
            title: f.title,
            room_type: f.room_type,
            shared: f.shared,
            created_by: f.created_by.map(user),
        });
    }
    Ok(())
}

pub fn user(e: wire::EmployeeDto) -> User {
    User {
        id: e.id,
        name: e.display_name,
    }
}

/// Ids are integers; some servers send them as strings.
pub fn id_of(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn observed(entry: &LinkEntry, link: &wire::LinkDto) -> Result<ObservedLink, ApiError> {
    let expires = match link.expiration_date.as_deref() {
        None | Some("") => None,
        Some(s) => Some(s.parse::<Timestamp>().map_err(|e| {
            ApiError::Decode(format!(
                "link {}: expiry `{s}` is not a timestamp: {e}",
                link.id
            ))
        })?),
    };
    let missing = |what: &str| {
        ApiError::Decode(format!(
            "link {} came without `{what}`; its state is not guessed",
            link.id
        ))
    };
    // No `password` key is "not said", not "none": whether the portal echoes
    // passwords is decided over the whole run (plan::Context).
    let password = match &link.password {
        Some(p) => ObservedPassword::Known(p.clone()),
        None => ObservedPassword::Unknown,
    };
    let access = match file_share::to_access(entry.access) {
        Some(a) => ObservedAccess::Known(a),
        None => ObservedAccess::Other(entry.access),
    };
    Ok(ObservedLink {
        id: link.id.clone(),
        share_link: link.share_link.clone(),
        access,
        title: link.title.clone().ok_or_else(|| missing("title"))?,
        password,
        expires,
        deny_download: link.deny_download.ok_or_else(|| missing("denyDownload"))?,
        internal: link.internal.ok_or_else(|| missing("internal"))?,
        can_edit_internal: entry.can_edit_internal,
        can_edit_expiry: entry.can_edit_expiration_date,
        expired: link.is_expired.unwrap_or(false),
    })
}
