//! The policy checked on links as the portal has them (design.md 1.1): every link
//! the plan sees, listed or under a scope. Pure; the plan keeps what it finds as
//! [`Violation`]s, plain values that render in every format.

use std::fmt;

use jiff::{SignedDuration, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::model::{Access, ObservedAccess, Policy, utc};

/// A link's facts as far as the policy cares.
#[derive(Clone, Copy, Debug)]
pub struct Facts {
    pub access: ObservedAccess,
    /// `None`: the portal does not say.
    pub password: Option<bool>,
    pub expires: Option<Timestamp>,
    pub expired: bool,
    pub deny_download: bool,
    pub internal: bool,
}

/// One rule a link breaks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "rule", deny_unknown_fields)]
pub enum Violation {
    /// The link never expires, or expires after the allowed lifetime.
    MaxLifetime {
        days: u32,
        expires: Option<Timestamp>,
    },
    RequirePassword {
        access: Access,
    },
    ForbidAccess {
        access: Access,
    },
    RequireDenyDownload,
    RequireInternal,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::MaxLifetime {
                days,
                expires: None,
            } => write!(
                f,
                "never expires; the policy allows at most {days} days (max_lifetime)"
            ),
            Violation::MaxLifetime {
                days,
                expires: Some(t),
            } => write!(
                f,
                "expires {}, later than the policy's {days} days from now (max_lifetime)",
                utc(*t)
            ),
            Violation::RequirePassword { access } => {
                write!(f, "{access} access without a password (require_password)")
            }
            Violation::ForbidAccess { access } => {
                write!(f, "{access} links are forbidden (forbid_access)")
            }
            Violation::RequireDenyDownload => {
                f.write_str("allows downloads (require_deny_download)")
            }
            Violation::RequireInternal => f.write_str("is not internal (require_internal)"),
        }
    }
}

/// Every rule `link` breaks, in the order the policy lists them.
pub fn check(policy: &Policy, link: &Facts, now: Timestamp) -> Vec<Violation> {
    let mut out = Vec::new();
    if let Some(days) = policy.max_lifetime_days {
        let deadline = now
            .checked_add(SignedDuration::from_hours(i64::from(days) * 24))
            .unwrap_or(Timestamp::MAX);
        // An expired link no longer works: it outlives nothing.
        let too_long = !link.expired && link.expires.is_none_or(|t| t > deadline);
        if too_long {
            out.push(Violation::MaxLifetime {
                days,
                expires: link.expires,
            });
        }
    }
    if let ObservedAccess::Known(access) = link.access {
        // A password the portal hides cannot be proven missing.
        if policy.require_password.contains(&access) && link.password == Some(false) {
            out.push(Violation::RequirePassword { access });
        }
        if policy.forbid_access.contains(&access) {
            out.push(Violation::ForbidAccess { access });
        }
    }
    if policy.require_deny_download && !link.deny_download {
        out.push(Violation::RequireDenyDownload);
    }
    if policy.require_internal && !link.internal {
        out.push(Violation::RequireInternal);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-01-01T00:00:00Z".parse().unwrap()
    }

    fn link() -> Facts {
        Facts {
            access: ObservedAccess::Known(Access::Editing),
            password: Some(false),
            expires: None,
            expired: false,
            deny_download: false,
            internal: false,
        }
    }

    fn strict() -> Policy {
        Policy {
            max_lifetime_days: Some(90),
            require_password: vec![Access::Editing, Access::Review],
            forbid_access: vec![Access::Comment],
            require_deny_download: true,
            require_internal: true,
        }
    }

    #[test]
    fn an_empty_policy_obliges_nothing() {
        assert!(check(&Policy::default(), &link(), now()).is_empty());
    }

    #[test]
    fn every_rule_is_checked() {
        let v = check(&strict(), &link(), now());
        assert_eq!(
            v,
            vec![
                Violation::MaxLifetime {
                    days: 90,
                    expires: None
                },
                Violation::RequirePassword {
                    access: Access::Editing
                },
                Violation::RequireDenyDownload,
                Violation::RequireInternal,
            ]
        );
        let comment = Facts {
            access: ObservedAccess::Known(Access::Comment),
            ..link()
        };
        assert!(
            check(&strict(), &comment, now()).contains(&Violation::ForbidAccess {
                access: Access::Comment
            })
        );
    }

    #[test]
    fn a_compliant_link_passes() {
        let ok = Facts {
            password: Some(true),
            expires: Some("2026-03-01T00:00:00Z".parse().unwrap()),
            deny_download: true,
            internal: true,
            ..link()
        };
        assert!(check(&strict(), &ok, now()).is_empty());
    }

    #[test]
    fn lifetime_is_measured_from_now_and_expired_links_pass() {
        let policy = Policy {
            max_lifetime_days: Some(90),
            ..Policy::default()
        };
        let at = |t: &str| Facts {
            expires: Some(t.parse().unwrap()),
            ..link()
        };
        assert!(check(&policy, &at("2026-03-31T00:00:00Z"), now()).is_empty());
        assert_eq!(check(&policy, &at("2026-04-01T00:00:01Z"), now()).len(), 1);
        let expired = Facts {
            expired: true,
            ..at("2025-01-01T00:00:00Z")
        };
        assert!(check(&policy, &expired, now()).is_empty());
    }

    #[test]
    fn a_hidden_password_is_not_a_violation_and_unknown_levels_are_not_judged() {
        let hidden = Facts {
            password: None,
            ..link()
        };
        let policy = Policy {
            require_password: vec![Access::Editing],
            ..Policy::default()
        };
        assert!(check(&policy, &hidden, now()).is_empty());
        let other = Facts {
            access: ObservedAccess::Other(11),
            ..link()
        };
        assert!(check(&policy, &other, now()).is_empty());
    }

    #[test]
    fn violations_say_which_rule() {
        let v = Violation::RequirePassword {
            access: Access::Editing,
        };
        assert_eq!(
            v.to_string(),
            "editing access without a password (require_password)"
        );
    }
}
