//! What the server does to a folder's links on each write (docspace-api.md 2):
//! get-or-create, full-replacement PUT, revoke, forced values and silent no-ops.

use jiff::Timestamp;

use super::access::{Level, Scope};
use super::envelope::{ACCESS_DENIED, ApiError, ROLE_NOT_AVAILABLE};
use super::portal_time::ten_years_after;
use super::state::{DEFAULT_LINK_TITLE, Link, Portal, Pos};
use super::wire::LinkWrite;

/// How a portal version treats `GET .../link` after the primary link was revoked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RevokedPrimary {
    /// 3.7.2: a brand-new primary link is created.
    #[default]
    Recreate,
    /// Newer versions: 404.
    NotFound,
}

/// The outcome of a write: the index of the link to answer with, or nothing
/// (a revoke, or a POST that created nothing).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Written {
    Link(usize),
    /// A public or form-filling room's primary link, regenerated after a revoke.
    Regenerated(usize),
    Nothing,
}

/// Which route a PUT came through: the rooms route has no `primary` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Folder,
    Room,
}

const MIN_PASSWORD: usize = 8;

impl Portal {
    fn scope_of(&self, pos: Pos) -> Result<Scope, ApiError> {
        self.folder(pos)
            .scope()
            .ok_or_else(|| ApiError::Forbidden(ACCESS_DENIED.to_owned()))
    }

    /// `GET folder/{id}/link` and `GET rooms/{id}/link`.
    pub(crate) fn get_or_create_primary(
        &mut self,
        pos: Pos,
        mode: RevokedPrimary,
    ) -> Result<usize, ApiError> {
        let scope = self.scope_of(pos)?;
        let folder = self.folder(pos);
        if let Some(i) = folder.links.iter().position(|l| l.primary) {
            return Ok(i);
        }
        if mode == RevokedPrimary::NotFound && folder.primary_revoked {
            return Err(ApiError::NotFound("The link was not found"));
        }
        let level = scope.default_level();
        if !scope.allows(level) {
            return Err(ApiError::Forbidden(ROLE_NOT_AVAILABLE.to_owned()));
        }
        Ok(self.insert_default_primary(pos, scope, level))
    }

    /// `POST folder/{id}/link`: the body only matters when there is no primary link.
    pub(crate) fn post_primary(
        &mut self,
        pos: Pos,
        write: LinkWrite,
        now: Timestamp,
    ) -> Result<Written, ApiError> {
        let scope = self.scope_of(pos)?;
        if let Some(i) = self.folder(pos).links.iter().position(|l| l.primary) {
            return Ok(Written::Link(i));
        }
        if write.level == Level::NONE {
            return Ok(Written::Nothing);
        }
        let write = LinkWrite {
            primary: true,
            ..write
        };
        self.create(pos, scope, write, now).map(Written::Link)
    }

    /// `PUT folder/{id}/links` and `PUT rooms/{id}/links`: a full replacement of the
    /// named link, or a new link when the id is empty or unknown.
    pub(crate) fn put_link(
        &mut self,
        pos: Pos,
        write: LinkWrite,
        route: Route,
        now: Timestamp,
    ) -> Result<Written, ApiError> {
        let scope = self.scope_of(pos)?;
        let existing = write
            .link_id
            .and_then(|id| self.folder(pos).links.iter().position(|l| l.id == id));
        if write.level == Level::NONE {
            return Ok(match existing {
                Some(i) => self.revoke(pos, scope, i),
                None => Written::Nothing,
            });
        }
        let write = match route {
            Route::Folder => write,
            Route::Room => LinkWrite {
                primary: false,
                ..write
            },
        };
        match existing {
            Some(i) => {
                let (password, expires) = checked(&write, scope, now)?;
                let forced_internal = scope.forced_internal();
                let link = &mut self.folder_mut(pos).links[i];
                link.level = write.level;
                link.title = write.title.as_deref().unwrap_or(DEFAULT_LINK_TITLE).into();
                link.password = password;
                link.deny_download = write.deny_download;
                if scope.may_edit_internal_and_expiry() {
                    link.expires = expires;
                    link.internal = write.internal;
                }
                if let Some(forced) = forced_internal {
                    link.internal = forced;
                }
                Ok(Written::Link(i))
            }
            None => self.create(pos, scope, write, now).map(Written::Link),
        }
    }

    fn revoke(&mut self, pos: Pos, scope: Scope, index: usize) -> Written {
        let folder = self.folder_mut(pos);
        let removed = folder.links.remove(index);
        if !removed.primary {
            return Written::Nothing;
        }
        if scope.keeps_a_primary_link() {
            let level = scope.default_level();
            return Written::Regenerated(self.insert_default_primary(pos, scope, level));
        }
        folder.primary_revoked = true;
        Written::Nothing
    }

    fn create(
        &mut self,
        pos: Pos,
        scope: Scope,
        write: LinkWrite,
        now: Timestamp,
    ) -> Result<usize, ApiError> {
        let (password, expires) = checked(&write, scope, now)?;
        let limits = scope.limits();
        let max = if write.primary {
            limits.primary
        } else {
            limits.additional
        };
        let same_kind = self
            .folder(pos)
            .links
            .iter()
            .filter(|l| l.primary == write.primary)
            .count();
        if same_kind >= max {
            return Err(ApiError::too_many_links(max));
        }
        let editable = scope.may_edit_internal_and_expiry();
        let link = Link {
            id: match write.link_id {
                Some(id) => id,
                None => self.fresh_link_id(),
            },
            key: self.fresh_share_key(),
            level: write.level,
            title: write.title.as_deref().unwrap_or(DEFAULT_LINK_TITLE).into(),
            password,
            expires: expires.filter(|_| editable),
            deny_download: write.deny_download,
            internal: scope
                .forced_internal()
                .unwrap_or(editable && write.internal),
            primary: write.primary,
        };
        Ok(self.insert(pos, link))
    }

    fn insert_default_primary(&mut self, pos: Pos, scope: Scope, level: Level) -> usize {
        let link = Link {
            id: self.fresh_link_id(),
            key: self.fresh_share_key(),
            level,
            title: DEFAULT_LINK_TITLE.into(),
            password: None,
            expires: None,
            deny_download: false,
            internal: scope.forced_internal().unwrap_or(false),
            primary: true,
        };
        self.insert(pos, link)
    }

    /// Keeps primary links ahead of additional ones, as the listing returns them.
    fn insert(&mut self, pos: Pos, link: Link) -> usize {
        let folder = self.folder_mut(pos);
        if link.primary {
            folder.primary_revoked = false;
            let at = folder.links.iter().take_while(|l| l.primary).count();
            folder.links.insert(at, link);
            at
        } else {
            folder.links.push(link);
            folder.links.len() - 1
        }
    }
}

/// The checks every write of a link goes through, in the server's order; returns
/// the password and the expiry to store (a past expiry is silently dropped).
fn checked(
    write: &LinkWrite,
    scope: Scope,
    now: Timestamp,
) -> Result<(Option<Box<str>>, Option<Timestamp>), ApiError> {
    if !scope.allows(write.level) {
        return Err(ApiError::Forbidden(ROLE_NOT_AVAILABLE.to_owned()));
    }
    if let Some(p) = &write.password
        && p.chars().count() < MIN_PASSWORD
    {
        return Err(ApiError::Validation {
            field: "Password",
            message: format!("The password must be at least {MIN_PASSWORD} characters long."),
        });
    }
    if write.expires.is_some_and(|e| e > ten_years_after(now)) {
        return Err(ApiError::Validation {
            field: "ExpirationDate",
            message: "The expiration date cannot be more than 10 years from now.".to_owned(),
        });
    }
    Ok((
        write.password.as_deref().map(Into::into),
        write.expires.filter(|e| *e > now),
    ))
}
