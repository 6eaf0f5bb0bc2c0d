//! `policy:` (design.md 1.1): the rules read from the manifest, and the manifest's
//! own entries checked against them before any request is made.
//!
//! An entry breaks a rule when what it *manages* breaks it: `access: editing` under
//! `forbid_access: [editing]`, `expires: never` under `max_lifetime`. A field it
//! leaves unmanaged is the portal's, and is checked on the portal by the plan. One
//! exception: a level that `require_password` names, written in an entry, needs the
//! entry to say which password, or the link would be made (or kept) without one.

use std::collections::HashSet;

use jiff::{SignedDuration, Timestamp};
use serde_saphyr::Spanned;

use super::diagnostic::{Code, Diagnostic, Pos};
use super::raw::{RawLink, RawLinkFields, RawManifest, RawPassword, RawPolicy};
use super::validate::parse_expiry;
use super::yaml::span_pos;
use crate::model::{Access, Expiry, Policy};

/// The policy, and every problem: in the rules themselves, and every entry that
/// breaks one (each at its line, with a note at the rule).
pub fn validate(raw: &RawManifest, now: Timestamp) -> (Policy, Vec<Diagnostic>) {
    let Some(rules) = &raw.policy else {
        return (Policy::default(), Vec::new());
    };
    let mut errors = Vec::new();
    let policy = parse(&rules.value, &mut errors);
    let defaults = raw.defaults.as_ref().map(|d| &d.value);
    let mut seen = HashSet::new();
    // Every link an entry describes: the primary one and each additional one.
    let described = raw.folders.iter().flat_map(|entry| {
        std::iter::once(&entry.value.link.value).chain(
            entry
                .value
                .extra_links
                .iter()
                .flat_map(|x| x.value.0.iter().map(|(_, l)| &l.value)),
        )
    });
    for link in described {
        let RawLink::Present(fields) = link else {
            continue;
        };
        for d in check_entry(&policy, &rules.value, fields, defaults, now) {
            // A field that comes from `defaults` breaks the rule once, not per entry.
            if seen.insert(format!("{:?} {}", d.pos, d.message)) {
                errors.push(d);
            }
        }
    }
    (policy, errors)
}

/// `90d` or `12w` in days.
pub fn parse_lifetime(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.len().saturating_sub(1));
    let per_unit = match unit {
        "d" => 1,
        "w" => 7,
        _ => return Err(format!("`{text}` is not a lifetime")),
    };
    match number.parse::<u32>() {
        Ok(n) if n > 0 && !number.starts_with('+') => n
            .checked_mul(per_unit)
            .ok_or_else(|| format!("`{text}` is too long a lifetime")),
        _ => Err(format!("`{text}` is not a lifetime")),
    }
}

fn parse(raw: &RawPolicy, errors: &mut Vec<Diagnostic>) -> Policy {
    let max_lifetime_days = raw
        .max_lifetime
        .as_ref()
        .and_then(|m| match parse_lifetime(&m.value) {
            Ok(days) => Some(days),
            Err(message) => {
                errors.push(
                    Diagnostic::at(span_pos(m), message)
                        .code(Code::PolicyRule)
                        .label("expected a number of days or weeks")
                        .help("write `90d` (days) or `12w` (weeks); a link that never expires always breaks the rule"),
                );
                None
            }
        });
    let levels = |list: &Option<Vec<Spanned<Access>>>| {
        let mut levels: Vec<Access> = list.iter().flatten().map(|a| a.value).collect();
        levels.sort();
        levels.dedup();
        levels
    };
    Policy {
        max_lifetime_days,
        require_password: levels(&raw.require_password),
        forbid_access: levels(&raw.forbid_access),
        require_deny_download: raw.require_deny_download.as_ref().is_some_and(|b| b.value),
        require_internal: raw.require_internal.as_ref().is_some_and(|b| b.value),
    }
}

/// The entry's field, or the one `defaults` fills in.
fn effective<'a, T>(
    fields: &'a RawLinkFields,
    defaults: Option<&'a RawLinkFields>,
    get: impl Fn(&'a RawLinkFields) -> Option<&'a Spanned<T>>,
) -> Option<&'a Spanned<T>> {
    get(fields).or_else(|| defaults.and_then(&get))
}

fn rule_pos<T>(rule: &[Spanned<T>], pick: impl Fn(&T) -> bool) -> Option<Pos> {
    rule.iter().find(|r| pick(&r.value)).map(span_pos)
}

fn check_entry(
    policy: &Policy,
    rules: &RawPolicy,
    fields: &RawLinkFields,
    defaults: Option<&RawLinkFields>,
    now: Timestamp,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let with_rule = |d: Diagnostic, rule: Option<Pos>, what: &str| {
        let d = d.code(Code::PolicyViolation);
        match rule {
            Some(p) => d.note(p, format!("the policy's `{what}` rule")),
            None => d,
        }
    };
    let access = effective(fields, defaults, |f| f.access.as_ref());
    if let Some(a) = access {
        if policy.forbid_access.contains(&a.value) {
            let rule = rules
                .forbid_access
                .as_deref()
                .and_then(|r| rule_pos(r, |x| *x == a.value));
            out.push(with_rule(
                Diagnostic::at(
                    span_pos(a),
                    format!("the policy forbids `{}` links", a.value),
                )
                .label("forbidden by the policy")
                .help("choose another access level, or `link: absent`"),
                rule,
                "forbid_access",
            ));
        }
        if policy.require_password.contains(&a.value) {
            let password = effective(fields, defaults, |f| f.password.as_ref());
            let has_one = password.is_some_and(|p| {
                matches!(
                    p.value,
                    RawPassword::Env(_) | RawPassword::File(_) | RawPassword::Literal
                )
            });
            if !has_one {
                let rule = rules
                    .require_password
                    .as_deref()
                    .and_then(|r| rule_pos(r, |x| *x == a.value));
                let at = password.map_or(span_pos(a), span_pos);
                out.push(with_rule(
                    Diagnostic::at(
                        at,
                        format!("the policy requires a password on `{}` links", a.value),
                    )
                    .label(if password.is_some() {
                        "no password"
                    } else {
                        "needs a password"
                    })
                    .help("add `password: { env: NAME }` or `password: { file: PATH }`"),
                    rule,
                    "require_password",
                ));
            }
        }
    }
    if let (Some(days), Some(e)) = (
        policy.max_lifetime_days,
        effective(fields, defaults, |f| f.expires.as_ref()),
    ) {
        let deadline = now
            .checked_add(SignedDuration::from_hours(i64::from(days) * 24))
            .unwrap_or(Timestamp::MAX);
        let message = match parse_expiry(&e.value, now) {
            Ok(Expiry::Never) => Some(format!(
                "the policy requires links to expire within {days} days; this one never expires"
            )),
            Ok(Expiry::At(t)) if t > deadline => Some(format!(
                "the policy requires links to expire within {days} days (by {}); this one expires later",
                crate::model::utc(deadline)
            )),
            // Fine, or wrong in a way validation already reports.
            _ => None,
        };
        if let Some(message) = message {
            out.push(with_rule(
                Diagnostic::at(span_pos(e), message)
                    .label("too far ahead")
                    .help(format!("use a date at most {days} days from now")),
                rules.max_lifetime.as_ref().map(span_pos),
                "max_lifetime",
            ));
        }
    }
    for (on, field, rule, name, what) in [
        (
            policy.require_deny_download,
            effective(fields, defaults, |f| f.deny_download.as_ref()),
            rules.require_deny_download.as_ref(),
            "require_deny_download",
            "deny downloads",
        ),
        (
            policy.require_internal,
            effective(fields, defaults, |f| f.internal.as_ref()),
            rules.require_internal.as_ref(),
            "require_internal",
            "be internal",
        ),
    ] {
        if let Some(f) = field
            && on
            && !f.value
        {
            out.push(with_rule(
                Diagnostic::at(
                    span_pos(f),
                    format!("the policy requires every link to {what}"),
                )
                .label("breaks the policy")
                .help("set it to true, or leave it out to keep the portal's value"),
                rule.map(span_pos),
                name,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{Environment, Manifest, ManifestError, Source, parse};

    fn check(text: &str) -> Result<Manifest, ManifestError> {
        let var = |n: &str| (n == "DOCSPACE_LINK_P").then(|| "long-enough-pass".to_owned());
        let env = Environment {
            var: &var,
            base_dir: std::path::Path::new("/nonexistent"),
            now: "2026-06-01T00:00:00Z".parse().unwrap(),
        };
        parse(
            Source {
                name: "links.yaml".into(),
                text: text.into(),
            },
            &env,
        )
    }

    const POLICY: &str = "version: 1\npolicy:\n  max_lifetime: 4w\n  require_password: [editing]\n  forbid_access: [comment]\n  require_deny_download: true\n";

    #[test]
    fn a_manifest_that_obeys_the_policy_passes_and_keeps_it() {
        let m = check(&format!(
            "{POLICY}folders:\n  - path: A/B\n    link: {{ access: editing, password: {{ env: DOCSPACE_LINK_P }}, expires: 2026-06-29, deny_download: true }}\n  - path: A/C\n    link: {{ title: unmanaged fields are the portal's }}\n  - path: A/D\n    link: absent\n"
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.policy.max_lifetime_days, Some(28));
        assert_eq!(m.policy.require_password, vec![Access::Editing]);
        assert_eq!(m.policy.forbid_access, vec![Access::Comment]);
        assert!(m.policy.require_deny_download && !m.policy.require_internal);
    }

    #[test]
    fn each_managed_field_against_a_rule_is_an_error_at_its_line() {
        let e = check(&format!(
            "{POLICY}folders:\n  - path: A/B\n    link: {{ access: editing, expires: 2026-07-01 }}\n  - path: A/C\n    link: {{ access: comment, deny_download: false }}\n"
        ))
        .unwrap_err()
        .to_string();
        for (message, line) in [
            ("requires a password on `editing` links", "links.yaml:9:21"),
            ("expire within 28 days", "links.yaml:9:39"),
            ("forbids `comment` links", "links.yaml:11:21"),
            ("every link to deny downloads", "links.yaml:11:45"),
        ] {
            assert!(
                e.contains(message) && e.contains(line),
                "{message} at {line}:\n{e}"
            );
        }
    }

    #[test]
    fn a_default_that_breaks_a_rule_is_reported_once() {
        let e = check(&format!(
            "{POLICY}defaults:\n  deny_download: false\nfolders:\n  - path: A/B\n    link: {{ title: x }}\n  - path: A/C\n    link: {{ title: y }}\n"
        ))
        .unwrap_err()
        .to_string();
        assert_eq!(e.matches("deny downloads").count(), 1, "{e}");
        assert!(e.contains("links.yaml:8:18"), "{e}");
    }

    #[test]
    fn a_malformed_lifetime_is_an_error_at_its_line() {
        let e = check("version: 1\npolicy:\n  max_lifetime: 3 months\nfolders: []\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`3 months` is not a lifetime") && e.contains("links.yaml:3:17"),
            "{e}"
        );
    }

    #[test]
    fn lifetimes_are_days_or_weeks() {
        assert_eq!(parse_lifetime("90d"), Ok(90));
        assert_eq!(parse_lifetime("12w"), Ok(84));
        for bad in [
            "0d",
            "90",
            "d",
            "",
            "1.5d",
            "-3d",
            "+3d",
            "3m",
            "99999999999d",
        ] {
            assert!(parse_lifetime(bad).is_err(), "{bad}");
        }
        assert!(
            parse_lifetime("999999999w")
                .unwrap_err()
                .contains("too long")
        );
    }
}
