//! Raw manifest → the model the rest of the tool uses. Every problem is collected,
//! so one run reports them all.

use std::collections::HashMap;
use std::path::Path;

use jiff::{Timestamp, ToSpan, tz::TimeZone};
use secrecy::SecretString;
use serde_saphyr::Spanned;

use super::diagnostic::{Diagnostic, Pos};
use super::raw::{RawLink, RawLinkFields, RawManifest, RawPassword};
use super::yaml::span_pos;
use super::{DesiredLink, Entry, Environment, FolderPath, LinkSpec, Target};
use crate::model::{DesiredPassword, Expiry};

pub const SUPPORTED_VERSION: u32 = 1;
const MAX_TITLE: usize = 255;
/// The portal's default password policy (docspace-api.md 2.3).
const MIN_PASSWORD: usize = 8;
const MY_DOCUMENTS: &str = "@my";

pub fn validate(raw: RawManifest, env: &Environment) -> Result<Vec<Entry>, Vec<Diagnostic>> {
    let mut errors = Vec::new();
    if raw.version.value != SUPPORTED_VERSION {
        errors.push(
            Diagnostic::at(
                span_pos(&raw.version),
                format!(
                    "unsupported manifest version {} (this docspace-links reads version {SUPPORTED_VERSION})",
                    raw.version.value
                ),
            )
            .help("set `version: 1`"),
        );
        return Err(errors);
    }
    let defaults = raw.defaults.as_ref().map(|d| &d.value);
    let mut entries = Vec::new();
    let mut seen: HashMap<String, Pos> = HashMap::new();
    for raw_entry in &raw.folders {
        let entry_pos = span_pos(raw_entry);
        let e = &raw_entry.value;
        let (target, target_pos) = match (&e.path, &e.id) {
            (Some(p), None) => match parse_path(&p.value) {
                Ok(path) => (Target::Path(path), span_pos(p)),
                Err(d) => {
                    errors.push(Diagnostic::at(span_pos(p), d.0).help(d.1));
                    continue;
                }
            },
            (None, Some(id)) if id.value > 0 => (Target::Id(id.value as u64), span_pos(id)),
            (None, Some(id)) => {
                errors.push(
                    Diagnostic::at(span_pos(id), format!("`{}` is not a folder id", id.value))
                        .help("ids are positive integers"),
                );
                continue;
            }
            (Some(_), Some(id)) => {
                errors.push(
                    Diagnostic::at(
                        span_pos(id),
                        "an entry names its folder by `path` or by `id`, not both",
                    )
                    .help("remove one of them"),
                );
                continue;
            }
            (None, None) => {
                errors.push(
                    Diagnostic::at(entry_pos, "this entry names no folder")
                        .help("add `path: Room/Folder` or `id: 12345`"),
                );
                continue;
            }
        };
        let key = match &target {
            Target::Path(p) => format!("path {p}"),
            Target::Id(id) => format!("id {id}"),
        };
        if let Some(first) = seen.get(&key) {
            errors.push(
                Diagnostic::at(
                    target_pos,
                    format!("two entries for the same folder ({key})"),
                )
                .note(*first, "the first entry for it is here")
                .help("keep one entry per folder"),
            );
            continue;
        }
        seen.insert(key, target_pos);

        let link_pos = span_pos(&e.link);
        let (link, access_pos) = match &e.link.value {
            RawLink::Absent => (Some(DesiredLink::Absent), None),
            RawLink::Present(fields) => {
                let access_pos = fields
                    .access
                    .as_ref()
                    .or(defaults.and_then(|d| d.access.as_ref()))
                    .map(span_pos);
                (
                    link_spec(fields, defaults, env, &mut errors).map(DesiredLink::Present),
                    access_pos,
                )
            }
        };
        if let Some(link) = link {
            entries.push(Entry {
                target,
                target_pos,
                link,
                link_pos,
                access_pos,
            });
        }
    }
    if errors.is_empty() {
        Ok(entries)
    } else {
        Err(errors)
    }
}

/// `Room/Folder` or `@my/Folder` into titles; `None` with a message and a hint.
fn parse_path(text: &str) -> Result<FolderPath, (String, String)> {
    let segments: Vec<&str> = text.split('/').collect();
    if segments.iter().any(|s| s.trim().is_empty()) {
        return Err((
            format!("`{text}` has an empty part"),
            "write titles separated by single '/', without a leading or trailing '/'; a folder whose title contains '/' must be named by `id`".to_owned(),
        ));
    }
    let my_documents = segments[0] == MY_DOCUMENTS;
    let rest: Vec<String> = segments[usize::from(my_documents)..]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    if my_documents && rest.is_empty() {
        return Err((
            "My Documents itself cannot have an external link".to_owned(),
            "name a folder inside it: `@my/Folder`".to_owned(),
        ));
    }
    Ok(FolderPath {
        my_documents,
        segments: rest,
    })
}

fn pick<'a, T>(
    entry: &'a Option<Spanned<T>>,
    defaults: Option<&'a Option<Spanned<T>>>,
) -> Option<&'a Spanned<T>> {
    entry.as_ref().or(defaults.and_then(Option::as_ref))
}

fn link_spec(
    fields: &RawLinkFields,
    defaults: Option<&RawLinkFields>,
    env: &Environment,
    errors: &mut Vec<Diagnostic>,
) -> Option<LinkSpec> {
    let before = errors.len();
    let title = pick(&fields.title, defaults.map(|d| &d.title)).and_then(|t| {
        let n = t.value.chars().count();
        if t.value.trim().is_empty() {
            errors.push(
                Diagnostic::at(span_pos(t), "a link title cannot be empty")
                    .help("leave `title` out to keep the portal's"),
            );
            None
        } else if n > MAX_TITLE {
            errors.push(Diagnostic::at(
                span_pos(t),
                format!("the title is {n} characters long; the portal allows at most {MAX_TITLE}"),
            ));
            None
        } else {
            Some(t.value.clone())
        }
    });
    let expires = pick(&fields.expires, defaults.map(|d| &d.expires)).and_then(|e| {
        match parse_expiry(&e.value, env.now) {
            Ok(x) => Some(x),
            Err((message, help)) => {
                errors.push(Diagnostic::at(span_pos(e), message).help(help));
                None
            }
        }
    });
    let password =
        pick(&fields.password, defaults.map(|d| &d.password)).and_then(|p| match resolve_password(
            &p.value,
            env.var,
            env.base_dir,
        ) {
            Ok(x) => Some(x),
            Err((message, help)) => {
                errors.push(Diagnostic::at(span_pos(p), message).help(help));
                None
            }
        });
    if errors.len() > before {
        return None;
    }
    Some(LinkSpec {
        access: pick(&fields.access, defaults.map(|d| &d.access)).map(|a| a.value),
        title,
        expires,
        password,
        deny_download: pick(&fields.deny_download, defaults.map(|d| &d.deny_download))
            .map(|b| b.value),
        internal: pick(&fields.internal, defaults.map(|d| &d.internal)).map(|b| b.value),
    })
}

const EXPIRY_FORMS: &str = "write an RFC 3339 timestamp (2027-06-30T00:00:00Z), a date (2027-06-30, meaning 00:00 UTC) or `never`";

fn parse_expiry(text: &str, now: Timestamp) -> Result<Expiry, (String, String)> {
    let text = text.trim();
    if text == "never" {
        return Ok(Expiry::Never);
    }
    let at = match text.parse::<Timestamp>() {
        Ok(t) => t,
        Err(_) => match text.parse::<jiff::civil::Date>() {
            Ok(d) => d
                .to_zoned(TimeZone::UTC)
                .map_err(|e| {
                    (
                        format!("`{text}` is not a usable date: {e}"),
                        EXPIRY_FORMS.to_owned(),
                    )
                })?
                .timestamp(),
            Err(_) => {
                return Err((
                    format!("`{text}` is not a date or timestamp"),
                    EXPIRY_FORMS.to_owned(),
                ));
            }
        },
    };
    if at.subsec_nanosecond() != 0 {
        return Err((
            format!("`{text}` has fractions of a second"),
            "use whole seconds: links expire to the second".to_owned(),
        ));
    }
    if at <= now {
        return Err((
            format!("the expiry {at} is in the past"),
            "the portal silently saves a past expiry as no expiry at all; use a future date or `never`".to_owned(),
        ));
    }
    let limit = now
        .to_zoned(TimeZone::UTC)
        .checked_add(10.years())
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::MAX);
    if at > limit {
        return Err((
            format!("the expiry {at} is more than 10 years ahead"),
            "the portal refuses expiry dates more than 10 years away".to_owned(),
        ));
    }
    Ok(Expiry::At(at))
}

const PASSWORD_FORMS: &str = "reference it: `password: { env: NAME }` or `password: { file: path }`, or `password: false` for none";

fn resolve_password(
    raw: &RawPassword,
    var: &dyn Fn(&str) -> Option<String>,
    base_dir: &Path,
) -> Result<DesiredPassword, (String, String)> {
    let (value, origin) = match raw {
        RawPassword::Off => return Ok(DesiredPassword::None),
        RawPassword::On => {
            return Err((
                "`password: true` does not say which password".to_owned(),
                PASSWORD_FORMS.to_owned(),
            ));
        }
        RawPassword::Literal => {
            return Err((
                "a password cannot be written in the manifest: secrets do not belong in git"
                    .to_owned(),
                PASSWORD_FORMS.to_owned(),
            ));
        }
        RawPassword::Env(name) => match var(name) {
            Some(v) => (v, format!("environment variable {name}")),
            None => {
                return Err((
                    format!("environment variable {name} is not set"),
                    format!("export {name} (in CI, from the secret store) before running"),
                ));
            }
        },
        RawPassword::File(file) => {
            let path = base_dir.join(file);
            match std::fs::read_to_string(&path) {
                Ok(text) => (
                    text.strip_suffix('\n')
                        .map(|t| t.strip_suffix('\r').unwrap_or(t))
                        .unwrap_or(&text)
                        .to_owned(),
                    format!("file {}", path.display()),
                ),
                Err(e) => {
                    return Err((
                        format!("cannot read password file {}: {}", path.display(), e.kind()),
                        "the path is relative to the manifest's directory".to_owned(),
                    ));
                }
            }
        }
    };
    let secret = SecretString::from(value);
    let length = secrecy::ExposeSecret::expose_secret(&secret)
        .chars()
        .count();
    if length == 0 {
        return Err((
            format!("the password from {origin} is empty"),
            PASSWORD_FORMS.to_owned(),
        ));
    }
    if length < MIN_PASSWORD {
        return Err((
            format!("the password from {origin} is shorter than {MIN_PASSWORD} characters"),
            "the portal's default password policy rejects it".to_owned(),
        ));
    }
    Ok(DesiredPassword::Secret(secret))
}
