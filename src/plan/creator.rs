//! Revokes the portal will refuse, known before apply: only a plain folder's
//! creator may revoke its links. `GetAccesses` offers `FileShare.None` to
//! `folder.CreateBy` alone, with no owner or admin exception
//! (products/ASC.Files/Core/Core/Security/FileSecurity.cs:3375-3384 at ed2994e),
//! and `FileSharing.cs:195-200` answers everyone else 403 "The role is not
//! available for this user type" (docspace-api.md, third reading 3). Rooms take
//! their accesses from `AvailableRoomAccesses` (`FileSharing.cs:180-184`), where
//! revoking is a room manager's right: the rule is not applied to them.
//!
//! The plan compares the folder's `createdBy` (listing or `GET folder/{id}`) with
//! the key's user (`GET people/@self`). Either one unsaid is no refusal: the revoke
//! is planned, and apply learns from the portal's answer.

use super::{Action, Plan, UnlistedAction};
use crate::diagnostic::Code;
use crate::docspace::observe::Me;
use crate::model::{Placement, User};

/// Whether the creator rule governs revokes here.
pub fn applies(placement: Placement) -> bool {
    !matches!(placement, Placement::Room { .. })
}

/// The refusal of a revoke of a folder `creator` made, for the key's user `me`;
/// `None` when the portal will take it, or when either is not known.
pub fn refusal(placement: Placement, creator: Option<&User>, me: &Me) -> Option<(Code, String)> {
    let (Some(creator), Me::Known(me)) = (creator, me) else {
        return None;
    };
    (applies(placement) && creator.id != me.id).then(|| {
        (
            Code::NotCreator,
            format!(
                "only the folder's creator may revoke its links, and the portal says {creator} made this folder, \
                 not this API key's user {me}: the portal would refuse the revoke (403); revoke with a key of the creator's, or stop managing this link"
            ),
        )
    })
}

/// Whether the plan revokes links of a folder whose creator the portal named: only
/// then does the key's own user decide anything.
pub fn needs_me(plan: &Plan) -> bool {
    plan.items
        .iter()
        .any(|i| i.creator.is_some() && matches!(i.action, Action::Revoke { .. }))
        || plan
            .unlisted
            .iter()
            .any(|u| u.creator.is_some() && matches!(u.action, UnlistedAction::Revoke { .. }))
}

/// The 403 the portal answers a revoke by someone who did not make the folder.
/// On a revoke it can only mean the creator rule: the other 403 with these words
/// is an access level the room does not allow (docspace-api.md 2.1), and a
/// revoke sends none.
pub const REFUSED_MESSAGE: &str = "The role is not available for this user type";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RoomType;

    fn user(id: &str) -> User {
        User {
            id: id.into(),
            name: Some(format!("user {id}")),
        }
    }

    #[test]
    fn only_a_known_other_creator_of_a_plain_folder_refuses() {
        let inside = Placement::InRoom {
            room_type: RoomType::Custom,
        };
        let me = Me::Known(user("a"));
        let (code, reason) = refusal(inside, Some(&user("b")), &me).expect("refused");
        assert_eq!(code, Code::NotCreator);
        assert!(
            reason.contains("user b (b)") && reason.contains("user a (a)"),
            "{reason}"
        );
        assert!(refusal(Placement::MyDocuments, Some(&user("a")), &me).is_none());
        assert!(refusal(inside, None, &me).is_none(), "creator unsaid");
        let unread = Me::Unreadable;
        assert!(refusal(inside, Some(&user("b")), &unread).is_none());
        assert!(refusal(inside, Some(&user("b")), &Me::NotRead).is_none());
        let room = Placement::Room {
            room_type: RoomType::Custom,
        };
        assert!(
            refusal(room, Some(&user("b")), &me).is_none(),
            "rooms: managers revoke"
        );
    }
}
