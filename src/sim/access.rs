//! Access levels (`FileShare`) and the rules that depend on where a folder lives
//! (docspace-api.md 2.1, 2.4 and 2.6).

use serde::Deserialize;
use serde_json::Value;

/// The server's `FileShare` number. Kept as the raw number because a request may name
/// a value outside the enum, which the server accepts and then rejects as a role.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Level(pub(crate) i64);

impl Level {
    pub(crate) const NONE: Level = Level(0);
    pub(crate) const READ: Level = Level(2);
    pub(crate) const REVIEW: Level = Level(5);
    pub(crate) const COMMENT: Level = Level(6);
    pub(crate) const FILL_FORMS: Level = Level(7);
    pub(crate) const EDITING: Level = Level(10);

    const NAMES: [&'static str; 12] = [
        "None",
        "ReadWrite",
        "Read",
        "Restrict",
        "Varies",
        "Review",
        "Comment",
        "FillForms",
        "CustomFilter",
        "RoomManager",
        "Editing",
        "ContentCreator",
    ];

    /// Reads `access` from a request body. Numbers and member names are accepted;
    /// a string the server cannot parse becomes `None`, which revokes the link.
    /// `Err` is a body the model binder refuses outright (400).
    pub(crate) fn from_request(value: Option<&Value>) -> Result<Level, &'static str> {
        match value {
            None | Some(Value::Null) => Ok(Level::NONE),
            Some(Value::Number(n)) => n
                .as_i64()
                .map(Level)
                .ok_or("The access value is not an integer."),
            Some(Value::String(s)) => Ok(Level::parse_name(s)),
            Some(_) => Err("The access value must be a number or a member name."),
        }
    }

    fn parse_name(text: &str) -> Level {
        let text = text.trim();
        if let Ok(n) = text.parse::<i64>() {
            return Level(n);
        }
        Level::NAMES
            .iter()
            .position(|name| name.eq_ignore_ascii_case(text))
            .map_or(Level::NONE, |i| Level(i as i64))
    }

    pub(crate) fn manifest_word(self) -> &'static str {
        match self {
            Level::READ => "read",
            Level::REVIEW => "review",
            Level::COMMENT => "comment",
            Level::FILL_FORMS => "fill-forms",
            Level::EDITING => "editing",
            _ => "none",
        }
    }
}

/// The room types a seed can create, with the server's `RoomType` and `FolderType`
/// numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RoomType {
    Custom,
    Public,
    FillingForms,
    Editing,
    VirtualData,
    Ai,
}

impl RoomType {
    /// `roomType` on room entries.
    pub(crate) fn room_type_number(self) -> u8 {
        match self {
            RoomType::FillingForms => 1,
            RoomType::Editing => 2,
            RoomType::Custom => 5,
            RoomType::Public => 6,
            RoomType::VirtualData => 8,
            RoomType::Ai => 9,
        }
    }

    /// `FolderType` of the room, reported as `parentRoomType` of its contents.
    pub(crate) fn folder_type_number(self) -> u8 {
        match self {
            RoomType::FillingForms => 15,
            RoomType::Editing => 16,
            RoomType::Custom => 19,
            RoomType::Public => 22,
            RoomType::VirtualData => 29,
            RoomType::Ai => 31,
        }
    }
}

/// Where a folder lives decides which links it may carry and which fields the
/// caller may edit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scope {
    MyDocuments,
    Room(RoomType),
    InsideRoom(RoomType),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) primary: usize,
    pub(crate) additional: usize,
}

impl Scope {
    pub(crate) fn allows(self, level: Level) -> bool {
        use RoomType::*;
        let standard = [Level::EDITING, Level::REVIEW, Level::COMMENT, Level::READ];
        match self {
            // Custom and public rooms themselves take FillForms too (docspace-api.md 2.1).
            Scope::MyDocuments | Scope::InsideRoom(VirtualData) | Scope::Room(Custom | Public) => {
                standard.contains(&level) || level == Level::FILL_FORMS
            }
            Scope::InsideRoom(Custom | Public | Editing | Ai) => standard.contains(&level),
            Scope::InsideRoom(FillingForms) => level == Level::FILL_FORMS,
            Scope::Room(FillingForms) => level == Level::FILL_FORMS || level == Level::READ,
            Scope::Room(Editing | VirtualData | Ai) => false,
        }
    }

    /// The level `GET .../link` creates a link with.
    pub(crate) fn default_level(self) -> Level {
        match self {
            Scope::Room(RoomType::FillingForms) | Scope::InsideRoom(RoomType::FillingForms) => {
                Level::FILL_FORMS
            }
            _ => Level::READ,
        }
    }

    pub(crate) fn limits(self) -> Limits {
        match self {
            Scope::Room(RoomType::Custom | RoomType::Public) => Limits {
                primary: 1,
                additional: 5,
            },
            Scope::Room(RoomType::FillingForms) => Limits {
                primary: 1,
                additional: 0,
            },
            Scope::Room(_) => Limits {
                primary: 0,
                additional: 0,
            },
            // docspace-api.md 2.6: folders inside public rooms 1 + 5, inside
            // form-filling rooms 1 + 0.
            Scope::InsideRoom(RoomType::Public) => Limits {
                primary: 1,
                additional: 5,
            },
            Scope::InsideRoom(RoomType::FillingForms) => Limits {
                primary: 1,
                additional: 0,
            },
            Scope::MyDocuments | Scope::InsideRoom(_) => Limits {
                primary: 6,
                additional: 6,
            },
        }
    }

    fn room_type(self) -> Option<RoomType> {
        match self {
            Scope::MyDocuments => None,
            Scope::Room(t) | Scope::InsideRoom(t) => Some(t),
        }
    }

    /// `internal` cannot be edited in public and virtual data rooms, the rooms
    /// themselves and their contents (`FileSecurity.cs:1377` for rooms,
    /// `:1741` for contents, ed2994e); a write that changes it is dropped whole.
    pub(crate) fn may_edit_internal(self) -> bool {
        !matches!(
            self.room_type(),
            Some(RoomType::Public | RoomType::VirtualData)
        )
    }

    /// The expiry cannot be edited in form-filling rooms and their contents
    /// (`FileSecurity.cs:1382` and `:1742`); it is taken when a link is created.
    pub(crate) fn may_edit_expiry(self) -> bool {
        self.room_type() != Some(RoomType::FillingForms)
    }

    /// A public or form-filling room's own primary link never has an expiry: the
    /// server blanks the one asked for (`FileSharing.cs:189-192`).
    pub(crate) fn primary_has_no_expiry(self) -> bool {
        matches!(self, Scope::Room(RoomType::Public | RoomType::FillingForms))
    }

    /// `canRevoke` on a link entry means "revoking regenerates": a public room's
    /// primary links (room and contents) and every link in a form-filling room
    /// (`FileSharing.cs:1189-1198`).
    pub(crate) fn revoking_regenerates(self, primary: bool) -> bool {
        match self.room_type() {
            Some(RoomType::FillingForms) => true,
            Some(RoomType::Public) => primary,
            _ => false,
        }
    }

    /// `canEditExpirationDate` is false on a public room's primary links, room and
    /// contents alike (`FileSharing.cs:1189-1192`), although the server does keep
    /// an expiry written on a folder's link there.
    pub(crate) fn says_expiry_editable(self, primary: bool) -> bool {
        self.may_edit_expiry() && !(primary && self.room_type() == Some(RoomType::Public))
    }

    pub(crate) fn forced_internal(self) -> Option<bool> {
        match self.room_type() {
            Some(RoomType::VirtualData) => Some(true),
            Some(RoomType::Public) => Some(false),
            _ => None,
        }
    }

    /// A public or form-filling room, and every folder inside one, always has a
    /// primary link: revoking it makes a fresh default one (docspace-api.md 2.5).
    pub(crate) fn keeps_a_primary_link(self) -> bool {
        matches!(
            self,
            Scope::Room(RoomType::Public | RoomType::FillingForms)
                | Scope::InsideRoom(RoomType::Public | RoomType::FillingForms)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn access_accepts_numbers_and_member_names() {
        assert_eq!(Level::from_request(Some(&json!(2))), Ok(Level::READ));
        assert_eq!(
            Level::from_request(Some(&json!("Editing"))),
            Ok(Level::EDITING)
        );
        assert_eq!(
            Level::from_request(Some(&json!("fillforms"))),
            Ok(Level::FILL_FORMS)
        );
        assert_eq!(Level::from_request(Some(&json!("5"))), Ok(Level::REVIEW));
        assert_eq!(Level::from_request(Some(&json!(42))), Ok(Level(42)));
    }

    #[test]
    fn unparseable_access_strings_revoke() {
        assert_eq!(Level::from_request(Some(&json!("Raed"))), Ok(Level::NONE));
        assert_eq!(
            Level::from_request(Some(&json!("read-only"))),
            Ok(Level::NONE)
        );
        assert_eq!(Level::from_request(None), Ok(Level::NONE));
        assert!(Level::from_request(Some(&json!(true))).is_err());
        assert!(Level::from_request(Some(&json!(2.5))).is_err());
    }

    #[test]
    fn levels_depend_on_the_room_type() {
        assert!(Scope::MyDocuments.allows(Level::FILL_FORMS));
        assert!(!Scope::InsideRoom(RoomType::Custom).allows(Level::FILL_FORMS));
        assert!(Scope::InsideRoom(RoomType::FillingForms).allows(Level::FILL_FORMS));
        assert!(!Scope::InsideRoom(RoomType::FillingForms).allows(Level::READ));
        assert!(Scope::Room(RoomType::FillingForms).allows(Level::READ));
        assert!(!Scope::Room(RoomType::VirtualData).allows(Level::READ));
        assert!(Scope::InsideRoom(RoomType::VirtualData).allows(Level::EDITING));
        assert!(!Scope::MyDocuments.allows(Level(1)));
    }
}
