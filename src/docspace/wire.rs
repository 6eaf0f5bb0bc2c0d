//! The client's own view of DocSpace's JSON (docspace-api.md 2-3, 5).
//!
//! Only the fields the tool reads are declared; everything else the server sends is
//! ignored. The simulator has separate types on purpose (design.md 3).

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::model::{LinkValues, ObservedAccess, ObservedLink, utc};

/// One element of `GET folder/{id}/links` (a `FileShareDto`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkEntry {
    pub access: i64,
    /// Official SDKs read `sharedLink`, older clients `sharedTo`; both carry the link.
    pub shared_link: Option<LinkDto>,
    pub shared_to: Option<LinkDto>,
    /// Always sent by the server; missing means "may not", never "may".
    #[serde(default)]
    pub can_edit_internal: bool,
    #[serde(default)]
    pub can_edit_expiration_date: bool,
    /// 4 = primary external link, 1 = additional one (docspace-api.md 1).
    #[serde(default)]
    pub subject_type: Option<i64>,
}

/// `subjectType` of a primary external link.
pub const SUBJECT_PRIMARY_LINK: i64 = 4;

impl LinkEntry {
    pub fn link(&self) -> Option<&LinkDto> {
        self.shared_link.as_ref().or(self.shared_to.as_ref())
    }
}

/// `FileShareLink`: the link object inside a link entry.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkDto {
    pub id: String,
    /// Always sent; a link without one is not guessed to be titled "".
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub share_link: Option<String>,
    #[serde(default)]
    pub expiration_date: Option<String>,
    /// 1 = external link; 0 = invitation link (rooms only).
    #[serde(default)]
    pub link_type: Option<i64>,
    /// Clear text in every server release (docspace-api.md 2.3); wrapped at once so
    /// it can never be printed.
    #[serde(default, deserialize_with = "secret")]
    pub password: Option<SecretString>,
    #[serde(default)]
    pub deny_download: Option<bool>,
    /// Always sent; `subjectType` backs it up when it is not.
    #[serde(default)]
    pub primary: Option<bool>,
    #[serde(default)]
    pub is_expired: Option<bool>,
    #[serde(default)]
    pub internal: Option<bool>,
}

fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<SecretString>, D::Error> {
    let text: Option<String> = Option::deserialize(d)?;
    Ok(text.filter(|t| !t.is_empty()).map(SecretString::from))
}

/// A folder or room as `GET folder/{id}`, `GET rooms` and folder listings describe it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FolderDto {
    pub id: serde_json::Value,
    pub title: String,
    /// `RoomType`: present on rooms only.
    #[serde(default)]
    pub room_type: Option<i64>,
    /// `FolderType` of the room a folder lives in.
    #[serde(default)]
    pub parent_room_type: Option<i64>,
    /// `FolderType` of the tree the entry belongs to (5 = My Documents).
    #[serde(default)]
    pub root_folder_type: Option<i64>,
    /// Whether the folder has any external-link record (docspace-api.md 5).
    #[serde(default)]
    pub shared: Option<bool>,
    /// Who made the folder (`FileEntryDto.CreatedBy`, an `EmployeeDto`): only they
    /// may revoke its links. Absent or unreadable is "unsaid", never a guess.
    #[serde(default, deserialize_with = "lenient")]
    pub created_by: Option<EmployeeDto>,
}

/// `EmployeeDto`: a user as folder entries and `GET people/@self` name one.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmployeeDto {
    pub id: String,
    #[serde(default)]
    pub display_name: Option<String>,
}

/// A field that only informs (who made a folder): a shape the tool does not
/// expect makes it unsaid instead of failing the whole listing.
fn lenient<'de, D: serde::Deserializer<'de>, T: serde::de::DeserializeOwned>(
    d: D,
) -> Result<Option<T>, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(v).ok())
}

/// A page of `GET rooms`, `GET @my` or `GET {folderId}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListingDto {
    #[serde(default)]
    pub folders: Vec<FolderDto>,
    pub current: Option<FolderDto>,
    pub total: u64,
}

/// `FolderLinkRequest`: the body of `POST folder/{id}/link` and `PUT folder/{id}/links`.
/// Every field is always sent: a PUT resets whatever it is not given (docspace-api.md 2).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkRequest<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_id: Option<&'a str>,
    /// Always a number: a string the server cannot parse revokes the link.
    pub access: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<&'a str>,
    pub expiration_date: Option<String>,
    pub deny_download: bool,
    pub internal: bool,
    pub primary: bool,
}

impl<'a> LinkRequest<'a> {
    /// The full body that gives the link `link_id` (or a new one, for `None`)
    /// exactly `values`.
    pub fn write(link_id: Option<&'a str>, values: &'a LinkValues) -> Self {
        LinkRequest {
            link_id,
            access: match values.access {
                ObservedAccess::Known(a) => file_share::from_access(a),
                ObservedAccess::Other(n) => n,
            },
            title: values.title.as_deref(),
            password: values.password.as_ref().map(|p| p.expose_secret()),
            expiration_date: values.expires.map(utc),
            deny_download: values.deny_download,
            internal: values.internal,
            primary: true,
        }
    }

    /// The full body for an additional link: `primary: false`, which matters when
    /// the PUT creates one (no `linkId`, or one the server no longer knows, which
    /// becomes a new link under that id: docspace-api.md 1, 2.6).
    pub fn additional(link_id: Option<&'a str>, values: &'a LinkValues) -> Self {
        LinkRequest {
            primary: false,
            ..LinkRequest::write(link_id, values)
        }
    }

    /// Deletes the link `link_id`: `access: 0` as a number (a name the server cannot
    /// parse would also revoke, but by accident). A revoke goes through the same
    /// checks as an update, so it carries the link's own `internal` and expiry as
    /// `current` shows them: where the caller may not edit one (a virtual data
    /// room forces `internal`), a revoke that differs there is dropped whole and
    /// answered 200 with the link unchanged (`FileSharing.cs:204-221`, third
    /// reading 2).
    pub fn revoke(link_id: &'a str, current: Option<&ObservedLink>) -> Self {
        LinkRequest {
            link_id: Some(link_id),
            access: file_share::NONE,
            title: None,
            password: None,
            expiration_date: current.and_then(|l| l.expires).map(utc),
            deny_download: false,
            internal: current.is_some_and(|l| l.internal),
            primary: true,
        }
    }
}

/// `FileShare` numbers (docspace-api.md 2.1).
pub mod file_share {
    use crate::model::Access;

    pub const NONE: i64 = 0;

    pub fn from_access(access: Access) -> i64 {
        match access {
            Access::Read => 2,
            Access::Review => 5,
            Access::Comment => 6,
            Access::FillForms => 7,
            Access::Editing => 10,
        }
    }

    pub fn to_access(n: i64) -> Option<Access> {
        Access::ALL.into_iter().find(|a| from_access(*a) == n)
    }
}

/// `RoomType` numbers in `roomType` (docspace-api.md 5).
pub fn room_type(n: i64) -> Option<crate::model::RoomType> {
    use crate::model::RoomType::*;
    Some(match n {
        1 => FillingForms,
        2 => Editing,
        5 => Custom,
        6 => Public,
        8 => VirtualData,
        9 => Ai,
        _ => return None,
    })
}

/// `FolderType` numbers of rooms, as `parentRoomType` carries them.
pub fn room_folder_type(n: i64) -> Option<crate::model::RoomType> {
    use crate::model::RoomType::*;
    Some(match n {
        15 => FillingForms,
        16 => Editing,
        19 => Custom,
        22 => Public,
        29 => VirtualData,
        31 => Ai,
        _ => return None,
    })
}

/// `FolderType::USER`: the My Documents tree.
pub const FOLDER_TYPE_MY_DOCUMENTS: i64 = 5;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Access, LinkValues};

    #[test]
    fn every_access_round_trips_through_its_number() {
        for a in Access::ALL {
            assert_eq!(file_share::to_access(file_share::from_access(a)), Some(a));
        }
        assert_eq!(
            file_share::to_access(1),
            None,
            "ReadWrite is not a link level"
        );
    }

    #[test]
    fn link_entry_prefers_shared_link_and_falls_back_to_shared_to() {
        let json = r#"{"access":2,"sharedTo":{"id":"x","primary":true,"password":""}}"#;
        let e: LinkEntry = serde_json::from_str(json).unwrap();
        assert_eq!(e.link().unwrap().id, "x");
        assert!(
            e.link().unwrap().password.is_none(),
            "an empty password is none"
        );
        assert!(!e.can_edit_internal, "a missing flag is no permission");
        let json = r#"{"access":2,"sharedLink":{"id":"a","primary":true},"sharedTo":{"id":"b"}}"#;
        let e: LinkEntry = serde_json::from_str(json).unwrap();
        assert_eq!(e.link().unwrap().id, "a");
    }

    #[test]
    fn an_additional_links_body_is_full_and_never_primary() {
        let values = LinkValues {
            access: crate::model::ObservedAccess::Known(Access::Review),
            title: Some("Agency".into()),
            password: None,
            expires: None,
            deny_download: true,
            internal: false,
        };
        let v = serde_json::to_value(LinkRequest::additional(None, &values)).unwrap();
        assert!(v.get("linkId").is_none(), "no id: a new link");
        assert_eq!(v["primary"], false);
        assert_eq!(v["access"], 5);
        assert_eq!(v["title"], "Agency");
        assert_eq!(v["denyDownload"], true);
        let v = serde_json::to_value(LinkRequest::additional(Some("id"), &values)).unwrap();
        assert_eq!((&v["linkId"], &v["primary"]), (&"id".into(), &false.into()));
        let v = serde_json::to_value(LinkRequest::write(Some("id"), &values)).unwrap();
        assert_eq!(v["primary"], true);
    }

    #[test]
    fn revoke_targets_the_link_with_access_zero_as_a_number() {
        let v = serde_json::to_value(LinkRequest::revoke("id", None)).unwrap();
        assert_eq!(v["linkId"], "id");
        assert_eq!(v["access"], 0);
        assert_eq!(v["expirationDate"], serde_json::Value::Null);
        assert_eq!(v["denyDownload"], false);
    }

    /// A revoke that differs from the link in a field the caller may not edit is
    /// dropped whole (`FileSharing.cs:204-221`): it carries the link's own.
    #[test]
    fn a_revoke_carries_the_links_own_internal_and_expiry() {
        let link = ObservedLink {
            internal: true,
            ..ObservedLink::example()
        };
        let v = serde_json::to_value(LinkRequest::revoke(&link.id, Some(&link))).unwrap();
        assert_eq!(v["access"], 0);
        assert_eq!(v["internal"], true);
        assert_eq!(v["expirationDate"], "2027-01-01T00:00:00Z");
    }
}
