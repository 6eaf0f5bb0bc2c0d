//! What the server does to a folder's links on each write (docspace-api.md 2):
//! get-or-create, full-replacement PUT, revoke, forced values and silent no-ops.

use jiff::Timestamp;

use super::access::{Level, Scope};
use super::auth::UserId;
use super::envelope::{ACCESS_DENIED, ApiError, ROLE_NOT_AVAILABLE};
use super::portal_time::ten_years_after;
use super::state::{DEFAULT_LINK_TITLE, Kind, Link, Portal, Pos};
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
const MAX_PASSWORD: usize = 30;

impl Portal {
    fn scope_of(&self, pos: Pos) -> Result<Scope, ApiError> {
        self.folder(pos)
            .scope()
            .ok_or_else(|| ApiError::Forbidden(ACCESS_DENIED.to_owned()))
    }

    /// The first half of `GET .../link` and `POST folder/{id}/link`: the primary
    /// link if there is one. The server reads it and, when there is none, creates
    /// one in a separate step with no lock between the two
    /// (`FileStorageService.cs:3989-4022`): see [`Portal::create_primary`].
    pub(crate) fn find_primary(
        &self,
        pos: Pos,
        mode: RevokedPrimary,
    ) -> Result<Option<usize>, ApiError> {
        self.scope_of(pos)?;
        let folder = self.folder(pos);
        if let Some(i) = folder.links.iter().position(|l| l.primary) {
            return Ok(Some(i));
        }
        if mode == RevokedPrimary::NotFound && folder.primary_revoked {
            return Err(ApiError::NotFound("The link was not found"));
        }
        Ok(None)
    }

    /// The body `GET .../link` creates a primary link from.
    pub(crate) fn default_primary_write(&self, pos: Pos) -> Result<LinkWrite, ApiError> {
        let scope = self.scope_of(pos)?;
        Ok(LinkWrite {
            level: scope.default_level(),
            primary: true,
            ..LinkWrite::default()
        })
    }

    /// The second half of a get-or-create: a new primary link, under the server's
    /// count check (taken with a lock, `FileSharing.cs:343-361`). Where the limit
    /// is 6 a racing get-or-create makes a second primary link; where it is 1 the
    /// loser gets 403 "The maximum number of links may not exceed 1".
    /// `write.level` None (a POST without `access`) creates nothing, and is a
    /// revoke as far as permissions go.
    pub(crate) fn create_primary(
        &mut self,
        pos: Pos,
        write: LinkWrite,
        who: UserId,
        now: Timestamp,
    ) -> Result<Written, ApiError> {
        let scope = self.scope_of(pos)?;
        if write.level == Level::NONE {
            self.may_revoke(pos, who)?;
            return Ok(Written::Nothing);
        }
        let write = LinkWrite {
            primary: true,
            ..write
        };
        self.create(pos, scope, write, now).map(Written::Link)
    }

    /// Only a plain folder's creator may revoke its links (or send `access: 0` at
    /// all): `GetAccesses` offers `FileShare.None` to `folder.CreateBy` alone, no
    /// owner or admin exception (`FileSecurity.cs:3375-3384`). Rooms take their
    /// accesses from `AvailableRoomAccesses`, where None is always offered.
    fn may_revoke(&self, pos: Pos, who: UserId) -> Result<(), ApiError> {
        let folder = self.folder(pos);
        if matches!(folder.kind, Kind::Plain(_)) && folder.created_by != who {
            return Err(ApiError::Forbidden(ROLE_NOT_AVAILABLE.to_owned()));
        }
        Ok(())
    }

    /// `PUT folder/{id}/links` and `PUT rooms/{id}/links`: a full replacement of the
    /// named link, or a new link when the id is empty or unknown.
    pub(crate) fn put_link(
        &mut self,
        pos: Pos,
        write: LinkWrite,
        route: Route,
        who: UserId,
        now: Timestamp,
    ) -> Result<Written, ApiError> {
        let scope = self.scope_of(pos)?;
        if write.level == Level::NONE {
            // Checked before the link is looked up: a non-creator's revoke of an
            // unknown id is refused too.
            self.may_revoke(pos, who)?;
        }
        let existing = write
            .link_id
            .and_then(|id| self.folder(pos).links.iter().position(|l| l.id == id));
        if write.level == Level::NONE {
            return Ok(match existing {
                // A revoke passes the same checks as an update: one whose
                // `internal` or expiry differs from the link's where the caller
                // may not edit them is dropped, 200 and the link unchanged
                // (`FileSharing.cs:204-221`, the revoke is in the same loop).
                Some(i) if self.drops(pos, scope, i, &write) => Written::Link(i),
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
                let link = &self.folder(pos).links[i];
                let expires = expires.filter(|_| !(link.primary && scope.primary_has_no_expiry()));
                // A write that changes a field the caller may not edit is dropped
                // whole: 200 and the link unchanged, title, access and password
                // included (`FileSharing.cs:204-223`, each check a `continue`). The
                // comparison is with what was sent, before `internal` is forced.
                if (write.internal != link.internal && !scope.may_edit_internal())
                    || (expires != link.expires && !scope.may_edit_expiry())
                {
                    return Ok(Written::Link(i));
                }
                let forced_internal = scope.forced_internal();
                let link = &mut self.folder_mut(pos).links[i];
                link.level = write.level;
                link.title = write.title.as_deref().unwrap_or(DEFAULT_LINK_TITLE).into();
                link.password = password;
                link.deny_download = write.deny_download;
                link.expires = expires;
                link.internal = forced_internal.unwrap_or(write.internal);
                Ok(Written::Link(i))
            }
            None => self.create(pos, scope, write, now).map(Written::Link),
        }
    }

    /// Whether a revoke differs from link `index` in a field this scope does not
    /// let the caller edit (see `put_link`).
    fn drops(&self, pos: Pos, scope: Scope, index: usize, write: &LinkWrite) -> bool {
        let link = &self.folder(pos).links[index];
        (write.internal != link.internal && !scope.may_edit_internal())
            || (write.expires != link.expires && !scope.may_edit_expiry())
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
        // A new link takes the expiry and `internal` it is created with, except
        // where the server forces them (`FileSharing.cs:189-192` and 226-240).
        let expires = expires.filter(|_| !(write.primary && scope.primary_has_no_expiry()));
        let link = Link {
            id: match write.link_id {
                Some(id) => id,
                None => self.fresh_link_id(),
            },
            key: self.fresh_share_key(),
            level: write.level,
            title: write.title.as_deref().unwrap_or(DEFAULT_LINK_TITLE).into(),
            password,
            expires,
            deny_download: write.deny_download,
            internal: scope.forced_internal().unwrap_or(write.internal),
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
    // `PasswordSettingsManager.CheckPassword`: `[\x21-\x7E]{8,30}`, printable
    // ASCII without spaces, 8 (the portal minimum) to 30 (`MaxLength`)
    // characters (web/ASC.Web.Core/Utility/PasswordSettings.cs:89,114,130-150).
    if let Some(p) = &write.password
        && (!(MIN_PASSWORD..=MAX_PASSWORD).contains(&p.len())
            || p.bytes().any(|b| !(0x21..=0x7e).contains(&b)))
    {
        return Err(ApiError::Validation {
            field: "Password",
            message: format!(
                "The password must be {MIN_PASSWORD} to {MAX_PASSWORD} printable ASCII characters, without spaces."
            ),
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
