//! The simulator's own wire types: request bodies read leniently the way the
//! server's model binder reads them, responses shaped like the server's DTOs
//! (`FileShareDto`, `FolderDto`, `FolderContentDto`). Nothing here is shared with the
//! client: a misunderstanding common to both would pass every test.

use jiff::Timestamp;
use jiff::tz::Offset;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::access::{Level, Scope};
use super::auth::UserId;
use super::envelope::ApiError;
use super::portal_time::{format_portal_instant, parse_request_instant};
use super::sharing::SharingFlags;
use super::state::{Folder, Kind, Link, Portal, Pos, user_guid};

/// A parsed `FolderLinkRequest` (or the room variant).
#[derive(Debug, Default, PartialEq)]
pub(crate) struct LinkWrite {
    pub(crate) link_id: Option<Uuid>,
    pub(crate) level: Level,
    pub(crate) title: Option<String>,
    pub(crate) password: Option<String>,
    /// Already `None` when the string was unparseable: the server does not complain.
    pub(crate) expires: Option<Timestamp>,
    pub(crate) deny_download: bool,
    pub(crate) internal: bool,
    pub(crate) primary: bool,
    /// Only on `PUT rooms/{id}/links`; 0 (invitation) when omitted.
    pub(crate) link_type: i64,
}

const MAX_TEXT: usize = 255;

impl LinkWrite {
    /// An empty body reads as `{}`, every field then takes its default.
    pub(crate) fn parse(body: &[u8], portal: Offset) -> Result<LinkWrite, ApiError> {
        let object: Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
            Map::new()
        } else {
            match serde_json::from_slice(body) {
                Ok(Value::Object(o)) => o,
                _ => {
                    return Err(invalid(
                        "$",
                        "The JSON value could not be converted to FolderLinkRequest.",
                    ));
                }
            }
        };
        // ASP.NET binds JSON properties case-insensitively.
        let field = |name: &str| {
            object
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v)
                .filter(|v| !v.is_null())
        };
        let link_id = match field("linkId") {
            None => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => match Uuid::try_parse(s.trim()) {
                Ok(id) if id.is_nil() => None,
                Ok(id) => Some(id),
                Err(_) => return Err(invalid("LinkId", "The value is not a valid GUID.")),
            },
            Some(_) => return Err(invalid("LinkId", "The value is not a valid GUID.")),
        };
        let level = Level::from_request(field("access")).map_err(|m| invalid("Access", m))?;
        let title = text(field("title"), "Title")?;
        if title.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
            return Err(invalid(
                "Title",
                "The field Title must be a string with a maximum length of 255.",
            ));
        }
        // Not trimmed here: the PUT routes trim it, POST does not ([`LinkWrite::trim_password`]).
        let password = text(field("password"), "Password")?;
        if password
            .as_ref()
            .is_some_and(|p| p.chars().count() > MAX_TEXT)
        {
            return Err(invalid(
                "Password",
                "The field Password must be a string with a maximum length of 255.",
            ));
        }
        let expires = match field("expirationDate") {
            None => None,
            Some(Value::String(s)) => parse_request_instant(s, portal),
            Some(_) => return Err(invalid("ExpirationDate", "The value is not a valid date.")),
        };
        let link_type = match field("linkType") {
            None => 0,
            Some(Value::Number(n)) => n
                .as_i64()
                .ok_or_else(|| invalid("LinkType", "Not an integer."))?,
            Some(_) => return Err(invalid("LinkType", "Not an integer.")),
        };
        Ok(LinkWrite {
            link_id,
            level,
            // `string.IsNullOrEmpty` on PUT (`FileStorageService.cs:5757`): kept as
            // sent. POST trims it first ([`LinkWrite::trim_title`]).
            title: title.filter(|t| !t.is_empty()),
            // `string.IsNullOrEmpty`: an empty password is none.
            password: password.filter(|p| !p.is_empty()),
            expires,
            deny_download: flag(field("denyDownload"), "DenyDownload")?,
            internal: flag(field("internal"), "Internal")?,
            primary: flag(field("primary"), "Primary")?,
            link_type,
        })
    }
}

impl LinkWrite {
    /// `PUT folder/{id}/links` and `PUT rooms/{id}/links` trim the password
    /// (`FoldersController.cs:466`, `VirtualRoomsController.cs:610`); `POST
    /// folder/{id}/link` passes it on as sent (`FoldersController.cs:416-425`).
    /// `POST folder/{id}/link` trims the title and takes a blank one as none
    /// (`FoldersController.cs:420`); the PUT routes pass it on as sent
    /// (`FoldersController.cs:463`, `VirtualRoomsController.cs:607`).
    pub(crate) fn trim_title(mut self) -> LinkWrite {
        self.title = self
            .title
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        self
    }

    pub(crate) fn trim_password(mut self) -> LinkWrite {
        self.password = self
            .password
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty());
        self
    }
}

fn invalid(field: &'static str, message: &str) -> ApiError {
    ApiError::Validation {
        field,
        message: message.to_owned(),
    }
}

fn text(value: Option<&Value>, name: &'static str) -> Result<Option<String>, ApiError> {
    match value {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(invalid(name, "The value must be a string.")),
    }
}

fn flag(value: Option<&Value>, name: &'static str) -> Result<bool, ApiError> {
    match value {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(invalid(name, "The value must be true or false.")),
    }
}

/// How answers are rendered: the portal's address, time zone, version quirks and
/// hostile switches.
pub(crate) struct View<'a> {
    pub(crate) base: &'a str,
    pub(crate) offset: Offset,
    pub(crate) echo_passwords: bool,
    pub(crate) omit_link_titles: bool,
    pub(crate) now: Timestamp,
    /// The caller may manage links (a viewer is shown a room's primary link with
    /// every `canEdit*` false: `CanEditInternalAsync` and the like need the right
    /// to edit access, `FileSecurity.cs:2268-2283`).
    pub(crate) manages: bool,
}

/// `FileShareDto` for an external link.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LinkEntry {
    access: i64,
    shared_to: SharedLink,
    shared_link: SharedLink,
    is_locked: bool,
    is_owner: bool,
    can_edit_access: bool,
    can_edit_internal: bool,
    can_edit_deny_download: bool,
    can_edit_expiration_date: bool,
    can_revoke: bool,
    subject_type: u8,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SharedLink {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<Box<str>>,
    share_link: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    expiration_date: Option<String>,
    link_type: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    password: Option<Box<str>>,
    deny_download: bool,
    is_expired: bool,
    primary: bool,
    internal: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_token: Option<String>,
}

impl LinkEntry {
    pub(crate) fn new(link: &Link, scope: Scope, view: &View) -> LinkEntry {
        let shared = SharedLink {
            id: link.id.hyphenated().to_string(),
            title: (!view.omit_link_titles).then(|| link.title.clone()),
            share_link: format!("{}/s/{}", view.base, link.key),
            expiration_date: link.expires.map(|e| format_portal_instant(e, view.offset)),
            link_type: 1,
            password: link.password.clone().filter(|_| view.echo_passwords),
            deny_download: link.deny_download,
            is_expired: link.expires.is_some_and(|e| e <= view.now),
            primary: link.primary,
            internal: link.internal,
            request_token: Some(format!("{}{}", link.key, link.id.simple())),
        };
        LinkEntry {
            access: link.level.0,
            shared_to: shared.clone(),
            shared_link: shared,
            is_locked: false,
            is_owner: false,
            can_edit_access: false,
            can_edit_internal: view.manages && scope.may_edit_internal(),
            can_edit_deny_download: true,
            can_edit_expiration_date: view.manages && scope.says_expiry_editable(link.primary),
            can_revoke: scope.revoking_regenerates(link.primary),
            subject_type: if link.primary { 4 } else { 1 },
        }
    }

    /// The server blanks the token when the answer is not the link the caller named
    /// (a regenerated primary link).
    pub(crate) fn without_request_token(mut self) -> LinkEntry {
        self.shared_link.request_token = None;
        self.shared_to.request_token = None;
        self
    }
}

/// `FolderDto`: the fields a client reads to find folders, the room's own fields
/// and the sharing flags. `GET folder/{id}`, `GET rooms/{id}` and every listing
/// render folders alike.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FolderEntry {
    id: u32,
    title: Box<str>,
    parent_id: u32,
    files_count: u32,
    folders_count: usize,
    new: u32,
    mute: bool,
    pinned: bool,
    private: bool,
    indexing: bool,
    deny_download: bool,
    shared: bool,
    shared_for_user: bool,
    shared_external: bool,
    parent_shared: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    room_type: Option<u8>,
    /// Flattened: nothing at all on a folder that is not a room.
    #[serde(flatten)]
    room: Option<RoomFields>,
    #[serde(rename = "type")]
    folder_type: u8,
    root_folder_id: u32,
    root_folder_type: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    parent_room_type: Option<u8>,
    access: u8,
    can_share: bool,
    created: String,
    /// `FileEntryDto.CreatedBy`, an `EmployeeDto` (`FileEntryDto.cs:449`): only the
    /// creator may revoke a folder's links.
    created_by: Employee,
    updated: String,
    file_entry_type: u8,
}

/// `EmployeeDto` (`common/ASC.Api.Core/Model/EmployeeDto.cs`), as folder entries
/// and `GET people/@self` carry it; the simulator has no avatars.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Employee {
    id: String,
    display_name: Box<str>,
    avatar: &'static str,
    avatar_original: &'static str,
    avatar_max: &'static str,
    avatar_medium: &'static str,
    avatar_small: &'static str,
    profile_url: String,
    has_avatar: bool,
    is_anonim: bool,
}

impl Employee {
    pub(crate) fn new(portal: &Portal, user: UserId, base: &str) -> Employee {
        let id = user_guid(user).to_string();
        Employee {
            profile_url: format!("{base}/accounts/view/{id}"),
            id,
            display_name: portal.users[usize::from(user)].0.clone(),
            avatar: "",
            avatar_original: "",
            avatar_max: "",
            avatar_medium: "",
            avatar_small: "",
            has_avatar: false,
            is_anonim: false,
        }
    }
}

/// What `GET people/@self` answers (`EmployeeFullDto`, `UserController.cs:1590`):
/// the `EmployeeDto` fields and a few of the full profile's.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SelfProfile {
    #[serde(flatten)]
    pub(crate) employee: Employee,
    pub(crate) user_name: Box<str>,
    pub(crate) is_admin: bool,
    pub(crate) is_owner: bool,
    pub(crate) is_visitor: bool,
    pub(crate) has_personal_folder: bool,
}

/// What `FolderDtoHelper` adds for a room, as the owner of the API key sees it: no
/// tags, the default logo, a member of the room.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoomFields {
    tags: [&'static str; 0],
    logo: Logo,
    in_room: bool,
    used_space: u64,
}

/// A room without an uploaded logo: empty image URLs and a generated colour.
#[derive(Serialize)]
struct Logo {
    original: &'static str,
    large: &'static str,
    medium: &'static str,
    small: &'static str,
    color: &'static str,
}

const DEFAULT_LOGO: Logo = Logo {
    original: "",
    large: "",
    medium: "",
    small: "",
    color: "6191DC",
};

/// Folder types of the two roots (`FolderType.VirtualRooms`, `FolderType.USER`).
const ROOMS_ROOT_TYPE: u8 = 14;
const MY_ROOT_TYPE: u8 = 5;

impl FolderEntry {
    pub(crate) fn new(portal: &Portal, pos: Pos, view: &View) -> FolderEntry {
        let folder: &Folder = portal.folder(pos);
        let (root, root_type) = match folder.kind {
            Kind::MyRoot | Kind::Plain(super::state::Home::MyDocuments) => {
                (portal.my_root, MY_ROOT_TYPE)
            }
            _ => (portal.rooms_root, ROOMS_ROOT_TYPE),
        };
        let (room_type, folder_type) = match folder.kind {
            Kind::Room(t) => (Some(t.room_type_number()), t.folder_type_number()),
            Kind::RoomsRoot => (None, ROOMS_ROOT_TYPE),
            Kind::MyRoot => (None, MY_ROOT_TYPE),
            Kind::Plain(_) => (None, 0),
        };
        let sharing = SharingFlags::of(portal, pos);
        let stamp = format_portal_instant(portal_epoch(), view.offset);
        FolderEntry {
            id: folder.id,
            title: folder.title.clone(),
            parent_id: if folder.parent == pos {
                0
            } else {
                portal.folder(folder.parent).id
            },
            files_count: 0,
            folders_count: folder.children.len(),
            new: 0,
            mute: false,
            pinned: false,
            private: false,
            indexing: false,
            deny_download: false,
            shared: sharing.shared,
            shared_for_user: false,
            shared_external: sharing.shared_external,
            parent_shared: sharing.parent_shared,
            room_type,
            room: room_type.map(|_| RoomFields {
                tags: [],
                logo: DEFAULT_LOGO,
                in_room: true,
                used_space: 0,
            }),
            folder_type,
            root_folder_id: portal.folder(root).id,
            root_folder_type: root_type,
            parent_room_type: portal.room_of(pos).map(|t| t.folder_type_number()),
            access: 0,
            can_share: folder.scope().is_some_and(|s| s.limits().primary > 0),
            created: stamp.clone(),
            created_by: Employee::new(portal, folder.created_by, view.base),
            updated: stamp,
            file_entry_type: 1,
        }
    }
}

/// The simulated portal was created, and its folders last changed, at this instant.
fn portal_epoch() -> Timestamp {
    Timestamp::constant(1_735_725_600, 0)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PathPart {
    pub(crate) id: u32,
    pub(crate) title: Box<str>,
}

/// `FolderContentDto`: one page of a folder's (or a search's) entries.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct FolderContent {
    pub(crate) files: [(); 0],
    pub(crate) folders: Vec<FolderEntry>,
    pub(crate) current: FolderEntry,
    pub(crate) path_parts: Vec<PathPart>,
    pub(crate) start_index: usize,
    pub(crate) count: usize,
    pub(crate) total: usize,
    pub(crate) new: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> Result<LinkWrite, ApiError> {
        LinkWrite::parse(body.as_bytes(), Offset::constant(1))
    }

    #[test]
    fn empty_body_is_all_defaults() {
        let w = parse("").expect("parses");
        assert_eq!(w.level, Level::NONE);
        assert_eq!(
            (w.link_id, w.title, w.password, w.expires),
            (None, None, None, None)
        );
    }

    #[test]
    fn fields_bind_case_insensitively() {
        let w = parse(r#"{"Access": "Review", "DENYDOWNLOAD": true}"#).expect("parses");
        assert_eq!(w.level, Level::REVIEW);
        assert!(w.deny_download);
    }

    #[test]
    fn malformed_fields_are_validation_problems() {
        assert!(matches!(
            parse(r#"{"linkId": "nope"}"#),
            Err(ApiError::Validation {
                field: "LinkId",
                ..
            })
        ));
        assert!(matches!(
            parse(r#"{"internal": "yes"}"#),
            Err(ApiError::Validation {
                field: "Internal",
                ..
            })
        ));
        assert!(matches!(
            parse("[1]"),
            Err(ApiError::Validation { field: "$", .. })
        ));
        let long = format!(r#"{{"title": "{}"}}"#, "x".repeat(256));
        assert!(matches!(
            parse(&long),
            Err(ApiError::Validation { field: "Title", .. })
        ));
    }

    #[test]
    fn blank_title_and_password_mean_none() {
        let w = parse(r#"{"title": "", "password": "   "}"#).expect("parses");
        assert_eq!(w.title, None);
        assert_eq!(w.password.as_deref(), Some("   "), "POST keeps it");
        assert_eq!(w.trim_password().password, None, "PUT trims it");
    }

    #[test]
    fn post_trims_the_title_put_keeps_it() {
        let w = parse(r#"{"title": "  Press  "}"#).expect("parses");
        assert_eq!(w.title.as_deref(), Some("  Press  "), "PUT keeps it");
        assert_eq!(
            w.trim_title().title.as_deref(),
            Some("Press"),
            "POST trims it"
        );
        let blank = parse(r#"{"title": "   "}"#).expect("parses");
        assert_eq!(blank.trim_title().title, None, "POST: blank is none");
    }

    #[test]
    fn unparseable_expiry_is_no_expiry() {
        let w = parse(r#"{"expirationDate": "tomorrow-ish"}"#).expect("parses");
        assert_eq!(w.expires, None);
    }
}
