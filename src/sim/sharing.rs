//! The `shared`, `sharedExternal` and `parentShared` flags of folder entries
//! (`FileEntryBaseDto`, docspace-api.md 5), computed the way the server computes
//! them.
//!
//! What the server does (ONLYOFFICE/DocSpace-server; line numbers for release
//! 3.7.2 = `master` ed2994e74f, then for `develop` d45942e413 and `release/v3.8.0`
//! 99e9af9898, which agree with each other):
//!
//! - Every folder query that feeds a listing, `GET folder/{id}` and `GET rooms/{id}`
//!   selects the folder's raw share records: `FolderDao.FromQuery`
//!   (`products/ASC.Files/Core/Core/Dao/TeamlabDao/FolderDao.cs` 1883-1886; develop
//!   1941-1944) and `FolderQueries.DbFolderQueryWithSharedAsync`
//!   (`.../Core/EF/Queries/FolderQueries.cs` 413-416; develop 425-428) read
//!   `files_security` rows with `entry_id` = the folder, keeping only each row's
//!   `SubjectType` and `Options.Internal` (`UserShareInfo`, `Internal` is `null` for a
//!   row without options). No filter on expiry, on who created the row or on what
//!   the caller may see. Room listings (both `GetRoomsAsync`, 161-250) and subfolder
//!   listings, searches with `withSubFolders` included (`GetFoldersAsync`, 277-312),
//!   go through that same `FromQuery`.
//! - `FolderMapper.MapDbFolderQueryToDbFolderInternal`
//!   (`.../Core/Entries/Folder.cs` 373-378; develop 365-370):
//!   `Shared` = any row with `SubjectType` `ExternalLink` (1) or
//!   `PrimaryExternalLink` (4); `SharedExternal` = any such row whose
//!   `Internal is false`; `SharedForUser` = any `User` or `Group` row. Invitation
//!   links (3) count for none of them.
//! - `ParentShared` (`FolderDao.cs` 1887-1891; develop 1945-1949): any external-link
//!   row (1 or 4, internal or not, expired or not) on a folder of the `files_folder_tree`
//!   rows of the folder's *parent*, that is the parent itself and every ancestor up to
//!   the root, the room included. Never the folder's own links.
//! - `FileEntryDtoHelper` copies the three flags unchanged
//!   (`.../ApiModels/ResponseDto/FileEntryDto.cs` 195-198 and 441-446).
//! - Expired links are still rows: `FileShareOptions.IsExpired`
//!   (`.../Core/Security/FileShareOptions.cs` 80) is only consulted when a link is
//!   opened (`ExternalShare.cs` 106); nothing deletes them.
//! - No cross-request cache: `CacheFolderDao` (`FolderDao.cs` 2396, its cache at 2438) is
//!   a scoped service, one per request; every listing re-reads the rows.
//! - Folders in connected third-party storage (string ids) are different: `Shared`
//!   only from a primary link, `SharedExternal` never set (`ThirdPartyFolderDao.cs`
//!   89). Out of the simulator's scope.
//!
//! So `sharedExternal: true` does **not** reliably mean "this folder has at least
//! one external link": it means "at least one non-internal external link row, primary
//! or additional, possibly expired". An internal-only link leaves it `false`. The
//! flag to trust for "has no external link of any kind" is `shared`: `false` means
//! no link row on the folder at all (primary or additional, internal or not, expired
//! or not, whoever made it), as of that request. `true` can still come with an empty
//! `GET folder/{id}/links` for a caller who may read the folder but not manage its
//! links.

use super::state::{Portal, Pos};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SharingFlags {
    pub(crate) shared: bool,
    pub(crate) shared_external: bool,
    pub(crate) parent_shared: bool,
}

impl SharingFlags {
    /// Simulated links are all external links; expired ones count like the rest.
    pub(crate) fn of(portal: &Portal, pos: Pos) -> SharingFlags {
        let folder = portal.folder(pos);
        let mut parent_shared = false;
        let mut at = pos;
        while portal.folder(at).parent != at {
            at = portal.folder(at).parent;
            parent_shared |= !portal.folder(at).links.is_empty();
        }
        SharingFlags {
            shared: !folder.links.is_empty(),
            shared_external: folder.links.iter().any(|l| !l.internal),
            parent_shared,
        }
    }
}
