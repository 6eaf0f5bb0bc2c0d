//! Safety shares (design.md 1.1): how much of what the manifest manages one plan
//! revokes or exposes more. Over a share, apply writes nothing unless forced: one
//! edit of `defaults:` must not be able to revoke or widen every link at once.
//! octoDNS and Peribolos have such guards; Terraform does not.

use std::fmt;

use serde::Serialize;

use super::{Action, Change, Field, Kind, Plan, UnlistedAction, Value};
use crate::model::{Access, ObservedAccess, Safety};

/// Which share a plan went over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    MaxRevokeShare,
    MaxWidenShare,
}

impl Rule {
    /// The manifest key that sets it.
    pub fn key(self) -> &'static str {
        match self {
            Rule::MaxRevokeShare => "safety.max_revoke_share",
            Rule::MaxWidenShare => "safety.max_widen_share",
        }
    }
}

/// What a plan does against the shares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SafetyCheck {
    /// Folders the manifest manages (its entries).
    pub managed: usize,
    /// Folders whose links the plan revokes.
    pub revoke: usize,
    /// Folders whose link the plan exposes more.
    pub widen: usize,
    pub max_revoke_share: u8,
    pub max_widen_share: u8,
    /// Managed folders (listed, or unlisted under a scope) that have a link now.
    pub existing: usize,
    /// `safety.min_existing`: below this many `existing` the shares do not apply.
    pub min_existing: u32,
    /// Why the shares did not apply to a plan they would have refused (too few
    /// folders have a link now: a first adoption); `None` otherwise.
    pub not_applied: Option<String>,
    /// The shares this plan goes over; empty when it may be applied unforced.
    pub exceeded: Vec<Rule>,
}

impl SafetyCheck {
    pub fn is_exceeded(&self) -> bool {
        !self.exceeded.is_empty()
    }

    /// One sentence per share gone over: the rule, the count and the share.
    pub fn violations(&self) -> Vec<String> {
        self.exceeded
            .iter()
            .map(|rule| {
                let (what, count, max) = match rule {
                    Rule::MaxRevokeShare => ("revokes links on", self.revoke, self.max_revoke_share),
                    Rule::MaxWidenShare => ("widens exposure on", self.widen, self.max_widen_share),
                };
                format!(
                    "the plan {what} {count} of the {} folders the manifest manages ({}), more than {} ({max}%)",
                    self.managed,
                    Percent(count, self.managed),
                    rule.key()
                )
            })
            .collect()
    }
}

/// `count` of `total` as a percentage, to one decimal when not whole: "30%" must
/// never be shown for a share that is over 30%.
struct Percent(usize, usize);

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Percent(count, total) = *self;
        if total == 0 {
            return f.write_str("0%");
        }
        let tenths = count * 1000 / total;
        if (count * 100).is_multiple_of(total) {
            write!(f, "{}%", count * 100 / total)
        } else {
            write!(f, "{}.{}%", tenths / 10, tenths % 10)
        }
    }
}

/// Counts what `plan` revokes and widens against `safety`. Folders a scope covers
/// and no entry lists are managed too (by the scope): revoking them all at once is
/// what the revoke share is for.
pub fn check(plan: &Plan, safety: Safety) -> SafetyCheck {
    let unlisted_revokes = plan
        .unlisted
        .iter()
        .filter(|u| matches!(u.action, UnlistedAction::Revoke { .. }))
        .count();
    let managed = plan.items.len() + plan.unlisted.len();
    let revoke = plan
        .items
        .iter()
        .filter(|i| i.action.kind() == Kind::Revoke)
        .count()
        + unlisted_revokes;
    let widen = plan.items.iter().filter(|i| widens(&i.action)).count();
    // The shares guard what exists (octoDNS's rule, design.md 1.1): revoking or
    // widening most of what is shared is what they stop; creating links where
    // there are none (a first adoption) exposes nothing that was guarded, and the
    // plan shows each one. Small manifests pass the same way.
    let existing = plan.items.iter().filter(|i| !i.seen.is_empty()).count()
        + plan
            .unlisted
            .iter()
            .filter(|u| !matches!(u.action, UnlistedAction::Unknown { .. }))
            .count();
    let applies = existing >= usize::try_from(safety.min_existing).unwrap_or(usize::MAX);
    let beyond = |count: usize, max: u8| count * 100 > usize::from(max) * managed;
    // Said only where it matters: a plan the shares would have refused, in a
    // manifest big enough for them (in a smaller one every change is a large
    // share, and each is shown anyway).
    let big = managed >= usize::try_from(safety.min_existing).unwrap_or(usize::MAX);
    let would_exceed =
        big && (beyond(revoke, safety.max_revoke_share) || beyond(widen, safety.max_widen_share));
    let not_applied = (!applies && would_exceed).then(|| {
        format!(
            "the safety shares did not apply: {existing} of the {managed} folders the manifest manages {} a link now, fewer than safety.min_existing ({})",
            if existing == 1 { "has" } else { "have" },
            safety.min_existing
        )
    });
    let over = |count: usize, max: u8| applies && beyond(count, max);
    let mut exceeded = Vec::new();
    if over(revoke, safety.max_revoke_share) {
        exceeded.push(Rule::MaxRevokeShare);
    }
    if over(widen, safety.max_widen_share) {
        exceeded.push(Rule::MaxWidenShare);
    }
    SafetyCheck {
        managed,
        revoke,
        widen,
        max_revoke_share: safety.max_revoke_share,
        max_widen_share: safety.max_widen_share,
        existing,
        min_existing: safety.min_existing,
        not_applied,
        exceeded,
    }
}

/// Whether an action leaves the folder more exposed than before.
pub fn widens(action: &Action) -> bool {
    match action {
        Action::Create { .. } => true,
        Action::Update { changes, .. } => changes.iter().any(change_widens),
        _ => false,
    }
}

fn change_widens(c: &Change) -> bool {
    match (c.field, &c.old, &c.new) {
        (Field::Access, Some(Value::Access(old)), Value::Access(ObservedAccess::Known(new))) => {
            !includes(*old, *new)
        }
        (Field::Password, Some(Value::Password { set: true }), Value::Password { set: false }) => {
            true
        }
        (Field::Expires, Some(Value::Expiry(Some(_))), Value::Expiry(None)) => true,
        (Field::Internal, Some(Value::Bool(true)), Value::Bool(false)) => true,
        _ => false,
    }
}

/// Whether a link with `old` access already lets visitors do all that `new` does.
/// Levels outside the manifest's vocabulary are not ranked: only a change to the
/// narrowest level is taken as no wider.
fn includes(old: ObservedAccess, new: Access) -> bool {
    use Access::*;
    let ObservedAccess::Known(old) = old else {
        return new == Read;
    };
    match old {
        Editing => true,
        Review => matches!(new, Review | Comment | Read),
        Comment => matches!(new, Comment | Read),
        FillForms => matches!(new, FillForms | Read),
        Read => new == Read,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{DesiredLink, LinkIdentity};
    use crate::plan::{Item, RevokedLink};

    /// A listed folder; it has a link now unless the plan creates one.
    fn item(action: Action) -> Item {
        let seen = match action {
            Action::Create { .. } => Vec::new(),
            _ => vec![crate::plan::SeenLink::of(
                &crate::model::ObservedLink::example(),
                true,
            )],
        };
        Item {
            path: "A".into(),
            folder_id: Some(1),
            manifest: Arc::from("links.yaml"),
            line: 1,
            extra: None,
            desired: DesiredLink::Absent,
            action,
            notes: Vec::new(),
            violations: Vec::new(),
            label: None,
            seen,
            creator: None,
            placement: None,
        }
    }

    fn target() -> LinkIdentity {
        LinkIdentity {
            link_id: "l".into(),
            share_link: None,
        }
    }

    fn revoke() -> Action {
        Action::Revoke {
            links: vec![RevokedLink {
                target: target(),
                title: "t".into(),
                access: ObservedAccess::Known(Access::Read),
                password_set: false,
            }],
        }
    }

    fn update(field: Field, old: Value, new: Value) -> Action {
        Action::Update {
            target: target(),
            changes: vec![Change {
                field,
                old: Some(old),
                new,
                rotated: false,
            }],
        }
    }

    fn plan(actions: Vec<Action>, unchanged: usize) -> Plan {
        let mut items: Vec<Item> = actions.into_iter().map(item).collect();
        items.extend((0..unchanged).map(|_| item(Action::Unchanged)));
        Plan::new(items, true)
    }

    /// An `extra_links` key is an item of its own: its revoke counts like a
    /// primary link's (design.md 1.2).
    #[test]
    fn additional_links_count_like_primary_ones() {
        let mut p = plan(vec![revoke(); 4], 6);
        for i in &mut p.items[..3] {
            i.extra = Some("Agency".into());
        }
        let c = check(&p, Safety::default());
        assert_eq!((c.managed, c.revoke), (10, 4));
        assert_eq!(c.exceeded, vec![Rule::MaxRevokeShare]);
    }

    #[test]
    fn unlisted_revokes_count_against_the_revoke_share() {
        use crate::plan::UnlistedFolder;
        let mut p = plan(Vec::new(), 2);
        p.unlisted = (0..9)
            .map(|i| UnlistedFolder {
                named: None,
                path: format!("A/{i}"),
                folder_id: Some(i),
                manifest: Arc::from("links.yaml"),
                line: 3,
                scope: "A".into(),
                action: UnlistedAction::Revoke { links: Vec::new() },
                creator: None,
            })
            .collect();
        let c = check(&p, Safety::default());
        assert_eq!((c.managed, c.revoke), (11, 9));
        assert_eq!(c.exceeded, vec![Rule::MaxRevokeShare]);
    }

    #[test]
    fn over_the_revoke_share_is_exceeded_and_named() {
        let c = check(&plan(vec![revoke(); 4], 6), Safety::default());
        assert_eq!((c.managed, c.revoke, c.widen), (10, 4, 0));
        assert_eq!(c.exceeded, vec![Rule::MaxRevokeShare]);
        assert_eq!(
            c.violations(),
            vec![
                "the plan revokes links on 4 of the 10 folders the manifest manages (40%), more than safety.max_revoke_share (30%)"
            ]
        );
    }

    #[test]
    fn exactly_the_share_is_allowed() {
        let c = check(&plan(vec![revoke(); 3], 7), Safety::default());
        assert!(!c.is_exceeded(), "{c:?}");
    }

    #[test]
    fn small_manifests_are_not_checked() {
        let c = check(&plan(vec![revoke(); 9], 0), Safety::default());
        assert_eq!(c.revoke, 9);
        assert!(!c.is_exceeded());
    }

    #[test]
    fn the_shares_are_the_manifests() {
        let strict = Safety {
            max_revoke_share: 10,
            max_widen_share: 0,
            ..Safety::default()
        };
        let c = check(&plan(vec![revoke(), revoke()], 8), strict);
        assert_eq!(c.exceeded, vec![Rule::MaxRevokeShare]);
        let c = check(
            &plan(vec![Action::Create { changes: vec![] }], 9),
            Safety {
                max_revoke_share: 100,
                max_widen_share: 100,
                ..Safety::default()
            },
        );
        assert!(!c.is_exceeded());
    }

    #[test]
    fn widening_changes() {
        use Access::*;
        let acc = |a: ObservedAccess, b: Access| {
            widens(&update(Field::Access, Value::Access(a), Value::access(b)))
        };
        let k = ObservedAccess::Known;
        assert!(acc(k(Read), Editing));
        assert!(acc(k(Comment), Review));
        assert!(
            acc(k(Comment), FillForms),
            "a lateral move grants something new"
        );
        assert!(!acc(k(Editing), Read));
        assert!(!acc(k(Review), Comment));
        assert!(acc(ObservedAccess::Other(11), Comment));
        assert!(!acc(ObservedAccess::Other(11), Read));

        assert!(widens(&Action::Create { changes: vec![] }), "a new link");
        let pw = |old, new| {
            widens(&update(
                Field::Password,
                Value::Password { set: old },
                Value::Password { set: new },
            ))
        };
        assert!(pw(true, false));
        assert!(!pw(false, true) && !pw(true, true));
        let t = "2030-01-01T00:00:00Z".parse().unwrap();
        assert!(widens(&update(
            Field::Expires,
            Value::Expiry(Some(t)),
            Value::Expiry(None)
        )));
        assert!(!widens(&update(
            Field::Expires,
            Value::Expiry(None),
            Value::Expiry(Some(t))
        )));
        let b = |field, old, new| widens(&update(field, Value::Bool(old), Value::Bool(new)));
        assert!(b(Field::Internal, true, false));
        assert!(!b(Field::Internal, false, true));
        assert!(!b(Field::DenyDownload, true, false));
        assert!(!widens(&revoke()));
        assert!(!widens(&Action::Unchanged));
    }

    #[test]
    fn over_the_widen_share() {
        let widen = update(Field::Internal, Value::Bool(true), Value::Bool(false));
        let c = check(&plan(vec![widen; 4], 6), Safety::default());
        assert_eq!(c.widen, 4);
        assert_eq!(c.exceeded, vec![Rule::MaxWidenShare]);
    }

    #[test]
    fn a_first_adoption_passes_and_says_why() {
        let c = check(
            &plan(vec![Action::Create { changes: vec![] }; 12], 0),
            Safety::default(),
        );
        assert_eq!((c.managed, c.widen, c.existing), (12, 12, 0));
        assert!(!c.is_exceeded(), "{c:?}");
        assert_eq!(
            c.not_applied.as_deref(),
            Some(
                "the safety shares did not apply: 0 of the 12 folders the manifest manages have a link now, fewer than safety.min_existing (10)"
            )
        );
        // Nothing to guard and nothing guarded: no note.
        let quiet = check(&plan(Vec::new(), 3), Safety::default());
        assert_eq!(quiet.not_applied, None);
    }

    #[test]
    fn a_mass_change_of_existing_links_is_still_exceeded() {
        let widen = update(Field::Internal, Value::Bool(true), Value::Bool(false));
        let c = check(&plan(vec![widen; 12], 0), Safety::default());
        assert_eq!(c.existing, 12);
        assert_eq!(c.exceeded, vec![Rule::MaxWidenShare]);
        assert_eq!(c.not_applied, None);
        // 9 existing links and 3 creates: under min_existing, so not applied.
        let mut actions = vec![revoke(); 9];
        actions.extend(vec![Action::Create { changes: vec![] }; 3]);
        let c = check(&plan(actions.clone(), 0), Safety::default());
        assert!(!c.is_exceeded() && c.not_applied.is_some(), "{c:?}");
        // The manifest lowers the threshold: the shares apply.
        let c = check(
            &plan(actions, 0),
            Safety {
                min_existing: 5,
                ..Safety::default()
            },
        );
        assert_eq!(c.exceeded, vec![Rule::MaxRevokeShare]);
    }

    #[test]
    fn percentages_never_round_down_to_the_share() {
        assert_eq!(Percent(4, 10).to_string(), "40%");
        assert_eq!(Percent(301, 1000).to_string(), "30.1%");
        assert_eq!(Percent(1, 3).to_string(), "33.3%");
    }
}
