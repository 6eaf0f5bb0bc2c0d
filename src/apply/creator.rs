//! Revokes the portal refuses because the API key's user did not make the folder
//! (`plan::creator`). The plan refuses those it can tell; where it could not (the
//! key may not read `people/@self`), the first 403 of that kind says it: it is
//! reported by name and never retried, and since it proves that the key's user
//! is not that folder's creator, no other revoke of a folder the same user made
//! is sent.
//!
//! So that "the first" means something while folders run concurrently, the first
//! revoke of each creator's folders goes alone: the others wait for its answer,
//! and then all go at once (the portal took it) or none goes (it refused).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::OwnedMutexGuard;

use super::Failure;
use crate::diagnostic::Code;
use crate::docspace::ApiError;
use crate::plan::creator::REFUSED_MESSAGE;

/// What this run learnt about revoking one creator's folders.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Verdict {
    #[default]
    Untold,
    Refused,
    Allowed,
}

type Slot = Arc<tokio::sync::Mutex<Verdict>>;

#[derive(Default)]
pub(super) struct Refusals {
    /// By the creator's user id.
    creators: Mutex<HashMap<String, Slot>>,
}

/// One folder's revoke, as far as what was learnt about its creator goes.
pub(super) struct Turn {
    creator: Option<String>,
    /// Held while this revoke is the first of its creator's.
    first: Option<OwnedMutexGuard<Verdict>>,
    refused: bool,
}

impl Refusals {
    /// Waits, if another revoke of a folder `creator` made is the first and its
    /// answer is not in yet.
    pub(super) async fn turn(&self, creator: Option<&str>) -> Turn {
        let Some(creator) = creator else {
            return Turn {
                creator: None,
                first: None,
                refused: false,
            };
        };
        let slot = self
            .creators
            .lock()
            .expect("refusals lock")
            .entry(creator.to_owned())
            .or_default()
            .clone();
        let guard = slot.lock_owned().await;
        let verdict = *guard;
        Turn {
            creator: Some(creator.to_owned()),
            first: (verdict == Verdict::Untold).then_some(guard),
            refused: verdict == Verdict::Refused,
        }
    }
}

impl Turn {
    /// The refusal this revoke will get, if the portal refused one of the same
    /// creator's folders already: it is not sent.
    pub(super) fn refused(&self) -> Option<Failure> {
        let creator = self.creator.as_deref().filter(|_| self.refused)?;
        Some(Failure::Refused {
            code: Code::NotCreator,
            reason: format!(
                "not sent: only the folder's creator may revoke its links, and the portal refused the \
                 revoke of another folder made by the same user ({creator}) with 403 \"{REFUSED_MESSAGE}\""
            ),
        })
    }

    /// The portal took the revoke: the key's user made this creator's folders.
    pub(super) fn allowed(mut self) {
        if let Some(guard) = &mut self.first {
            **guard = Verdict::Allowed;
        }
    }

    /// If `e`, the answer to this revoke, is the creator rule's 403: learnt for the
    /// creator's other folders, and the refusal to report. Never retried.
    pub(super) fn learn(mut self, e: &ApiError) -> Option<Failure> {
        let ApiError::Forbidden {
            message: Some(message),
            ..
        } = e
        else {
            return None;
        };
        if message != REFUSED_MESSAGE {
            return None;
        }
        if let Some(guard) = &mut self.first {
            **guard = Verdict::Refused;
        }
        let by = self
            .creator
            .as_ref()
            .map(|c| format!(" (the folder was made by {c})"))
            .unwrap_or_default();
        Some(Failure::Refused {
            code: Code::NotCreator,
            reason: format!(
                "the portal refused the revoke with 403 \"{REFUSED_MESSAGE}\": only the folder's creator \
                 may revoke its links, and this API key's user did not make it{by}; nothing was revoked"
            ),
        })
    }
}
