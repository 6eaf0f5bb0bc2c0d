//! Raw manifest → the model the rest of the tool uses. Every problem is collected,
//! so one run reports them all.

use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;

use jiff::civil::{Date, DateTime};
use jiff::{Timestamp, ToSpan, tz::TimeZone};
use serde_saphyr::Spanned;

use super::diagnostic::{Code, Diagnostic, Pos};
use super::password::{self, Problem};
use super::raw::{RawEntry, RawExtraLinks, RawLink, RawLinkFields, RawManifest};
use super::yaml::span_pos;
use super::{DesiredLink, Entry, Environment, ExtraLink, FolderPath, LinkSpec, Target};
use crate::model::{Access, DesiredPassword, Expiry, Secrets, Unlisted, utc};

pub const SUPPORTED_VERSION: u32 = 1;
/// The server's limit for `title` (docspace-api.md 2).
const MAX_TITLE: usize = 255;
/// The server refuses expiry dates further ahead (docspace-api.md 2.2).
const MAX_EXPIRY_YEARS: i64 = 10;
const MY_DOCUMENTS: &str = "@my";

pub fn validate(
    raw: &RawManifest,
    env: &Environment,
) -> Result<(Vec<Entry>, Secrets), Vec<Diagnostic>> {
    if raw.version.value != SUPPORTED_VERSION {
        // Another version may mean anything: checking the rest would only add noise.
        return Err(vec![
            Diagnostic::at(
                span_pos(&raw.version),
                format!(
                    "unsupported manifest version {} (this docspace-links reads version {SUPPORTED_VERSION})",
                    raw.version.value
                ),
            )
            .code(Code::Version)
            .label("unsupported version")
            .help(format!("write `version: {SUPPORTED_VERSION}`, or use the docspace-links release made for this manifest")),
        ]);
    }
    let mut errors = Vec::new();
    let mut secrets = Secrets::default();
    // Defaults are checked once, even when no entry uses them, so a mistake there is
    // reported once and at its own line.
    let defaults = raw
        .defaults
        .as_ref()
        .map(|d| Fields::check(&d.value, env, &mut secrets, &mut errors))
        .unwrap_or_default();
    let mut seen_paths: HashMap<String, Pos> = HashMap::new();
    let mut seen_ids: HashMap<u64, Pos> = HashMap::new();
    let mut entries = Vec::new();
    for raw_entry in &raw.folders {
        let link_pos = span_pos(&raw_entry.value.link);
        let (link, access_pos) = match &raw_entry.value.link.value {
            RawLink::Absent => (DesiredLink::Absent, None),
            RawLink::Present(fields) => {
                let (spec, access_pos) = Fields::check(fields, env, &mut secrets, &mut errors)
                    .or(&defaults)
                    .into_spec();
                (DesiredLink::Present(spec), access_pos)
            }
        };
        let Some((target, target_pos)) = check_target(raw_entry, &mut errors) else {
            continue;
        };
        let first = match &target {
            Target::Path(p) => match seen_paths.entry(p.to_string()) {
                Slot::Occupied(o) => Some((*o.get(), format!("two entries for the folder `{p}`"))),
                Slot::Vacant(v) => {
                    v.insert(target_pos);
                    None
                }
            },
            Target::Id(id) => match seen_ids.entry(*id) {
                Slot::Occupied(o) => {
                    Some((*o.get(), format!("two entries for the folder with id {id}")))
                }
                Slot::Vacant(v) => {
                    v.insert(target_pos);
                    None
                }
            },
        };
        if let Some((first, message)) = first {
            errors.push(
                Diagnostic::at(target_pos, message)
                    .code(Code::DuplicateEntry)
                    .label("second entry")
                    .note(first, "the first entry for this folder is here")
                    .help("keep one entry per folder"),
            );
            continue;
        }
        let extra_links = raw_entry
            .value
            .extra_links
            .as_ref()
            .map(|x| extra_links(&x.value, &defaults, env, &mut secrets, &mut errors))
            .unwrap_or_default();
        entries.push(Entry {
            target,
            target_pos,
            link,
            link_pos,
            access_pos,
            extra_links,
            extra_links_pos: raw_entry.value.extra_links.as_ref().map(span_pos),
            extra_unlisted: raw_entry
                .value
                .extra_unlisted
                .as_ref()
                .map_or(Unlisted::default(), |u| u.value),
        });
    }
    if errors.is_empty() {
        Ok((entries, secrets))
    } else {
        Err(errors)
    }
}

/// The `extra_links:` of one entry. A key is the link's title, so a `title` field
/// inside is refused rather than guessed between. Unlike `link: { title }`, a key
/// with whitespace around it is kept: additional links are created and updated by
/// `PUT folder/{id}/links`, which keeps a title as sent (docs/server-facts.md), so
/// such a title converges.
fn extra_links(
    raw: &RawExtraLinks,
    defaults: &Fields,
    env: &Environment,
    secrets: &mut Secrets,
    errors: &mut Vec<Diagnostic>,
) -> Vec<ExtraLink> {
    let mut out = Vec::new();
    for (key, link) in &raw.0 {
        let pos = span_pos(key);
        let n = key.value.chars().count();
        let title_error = if key.value.trim().is_empty() {
            Some(
                Diagnostic::at(pos, "an additional link's title cannot be empty")
                    .code(Code::Title)
                    .label("the key is the link's title"),
            )
        } else if n > MAX_TITLE {
            Some(
                Diagnostic::at(
                    pos,
                    format!(
                        "the title is {n} characters long; the portal allows at most {MAX_TITLE}"
                    ),
                )
                .code(Code::Title)
                .label("too long"),
            )
        } else {
            None
        };
        let (desired, access_pos) = match &link.value {
            RawLink::Absent => (DesiredLink::Absent, None),
            RawLink::Present(fields) => {
                if let Some(t) = &fields.title {
                    errors.push(
                        Diagnostic::at(
                            span_pos(t),
                            "an additional link's title is its key under `extra_links`",
                        )
                        .code(Code::Title)
                        .label("a second title")
                        .help("remove `title`; to rename the link, rename its key"),
                    );
                }
                let (mut spec, access_pos) = Fields::check(fields, env, secrets, errors)
                    .or(defaults)
                    .into_spec();
                spec.title = Some(key.value.clone());
                (DesiredLink::Present(spec), access_pos)
            }
        };
        match title_error {
            Some(d) => errors.push(d),
            None => out.push(ExtraLink {
                title: key.value.clone(),
                pos,
                link: desired,
                access_pos,
            }),
        }
    }
    out
}

fn check_target(raw: &Spanned<RawEntry>, errors: &mut Vec<Diagnostic>) -> Option<(Target, Pos)> {
    target_of(
        (
            raw.value.path.as_ref(),
            raw.value.id.as_ref(),
            span_pos(raw),
        ),
        &TargetWords {
            what: "entry",
            names: "folder",
            both_label: "one folder, named twice",
            both_help: "name the folder by `path` or by `id`: remove one of them",
            neither_help: "add `path: Room/Folder` or `id: 12345`",
        },
        parse_path,
        errors,
    )
}

/// How an entry or a scope speaks of what it names, in `target_of`'s errors.
pub(super) struct TargetWords {
    /// "entry", "scope".
    pub(super) what: &'static str,
    /// "folder", "subtree".
    pub(super) names: &'static str,
    pub(super) both_label: &'static str,
    pub(super) both_help: &'static str,
    pub(super) neither_help: &'static str,
}

/// The folder that exactly one of `path` and `id` names (`whole` is where the
/// mapping is); every problem goes to `errors`.
pub(super) fn target_of(
    (path, id, whole): (Option<&Spanned<String>>, Option<&Spanned<i64>>, Pos),
    words: &TargetWords,
    parse: fn(&str) -> Result<FolderPath, (String, String)>,
    errors: &mut Vec<Diagnostic>,
) -> Option<(Target, Pos)> {
    match (path, id) {
        (Some(path), None) => match parse(&path.value) {
            Ok(p) => Some((Target::Path(p), span_pos(path))),
            Err((message, help)) => {
                errors.push(
                    Diagnostic::at(span_pos(path), message)
                        .code(Code::Path)
                        .help(help),
                );
                None
            }
        },
        (None, Some(id)) => match u64::try_from(id.value) {
            Ok(n) if n > 0 => Some((Target::Id(n), span_pos(id))),
            _ => {
                errors.push(
                    Diagnostic::at(span_pos(id), format!("`{}` is not a folder id", id.value))
                        .code(Code::Id)
                        .label("not a positive integer")
                        .help("folder and room ids are positive integers, as in the portal's URLs"),
                );
                None
            }
        },
        (Some(_), Some(_)) => {
            errors.push(
                Diagnostic::at(
                    whole,
                    format!("this {} has both `path` and `id`", words.what),
                )
                .code(Code::Target)
                .label(words.both_label)
                .help(words.both_help),
            );
            None
        }
        (None, None) => {
            errors.push(
                Diagnostic::at(
                    whole,
                    format!("this {} does not say which {}", words.what, words.names),
                )
                .code(Code::Target)
                .label("no `path` or `id`")
                .help(words.neither_help),
            );
            None
        }
    }
}

/// `Room/Folder` or `@my/Folder` into titles; on failure a message and a hint.
pub(super) fn parse_path(text: &str) -> Result<FolderPath, (String, String)> {
    if text.trim().is_empty() {
        return Err((
            "the path is empty".to_owned(),
            "write the room title, then folder titles, separated by '/': `Room/Folder`".to_owned(),
        ));
    }
    let segments: Vec<&str> = text.split('/').collect();
    if segments.iter().any(|s| s.trim().is_empty()) {
        let what = if text.starts_with('/') {
            "starts with '/'"
        } else if text.ends_with('/') {
            "ends with '/'"
        } else {
            "has an empty folder title"
        };
        return Err((
            format!("the path `{text}` {what}"),
            "write titles separated by single '/', with none at the start or end; a folder whose title contains '/' must be named by `id`".to_owned(),
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

/// The checked fields of one `link:` mapping or of `defaults`. A field that is left
/// out, or that has an error (already reported), is `None`.
#[derive(Default)]
struct Fields {
    access: Option<(Access, Pos)>,
    title: Option<String>,
    expires: Option<Expiry>,
    password: Option<DesiredPassword>,
    deny_download: Option<bool>,
    internal: Option<bool>,
}

impl Fields {
    fn check(
        raw: &RawLinkFields,
        env: &Environment,
        secrets: &mut Secrets,
        errors: &mut Vec<Diagnostic>,
    ) -> Fields {
        Fields {
            access: raw.access.as_ref().map(|a| (a.value, span_pos(a))),
            title: reported(raw.title.as_ref().map(check_title), errors),
            expires: reported(
                raw.expires
                    .as_ref()
                    .map(|e| at_value(e, parse_expiry(&e.value, env.now))),
                errors,
            ),
            password: reported(
                raw.password
                    .as_ref()
                    .map(|p| at_value(p, password::resolve(&p.value, env, secrets))),
                errors,
            ),
            deny_download: raw.deny_download.as_ref().map(|b| b.value),
            internal: raw.internal.as_ref().map(|b| b.value),
        }
    }

    /// Fills what this mapping leaves out from `defaults`.
    fn or(self, defaults: &Fields) -> Fields {
        Fields {
            access: self.access.or(defaults.access),
            title: self.title.or_else(|| defaults.title.clone()),
            expires: self.expires.or(defaults.expires),
            password: self.password.or_else(|| defaults.password.clone()),
            deny_download: self.deny_download.or(defaults.deny_download),
            internal: self.internal.or(defaults.internal),
        }
    }

    fn into_spec(self) -> (LinkSpec, Option<Pos>) {
        let spec = LinkSpec {
            access: self.access.map(|(a, _)| a),
            title: self.title,
            expires: self.expires,
            password: self.password,
            deny_download: self.deny_download,
            internal: self.internal,
        };
        (spec, self.access.map(|(_, pos)| pos))
    }
}

fn at_value<T, V>(field: &Spanned<V>, checked: Result<T, Problem>) -> Result<T, Diagnostic> {
    checked.map_err(|(code, message, help)| {
        Diagnostic::at(span_pos(field), message)
            .code(code)
            .help(help)
    })
}

/// A checked field's value; its error, if any, goes to the list.
fn reported<T>(field: Option<Result<T, Diagnostic>>, errors: &mut Vec<Diagnostic>) -> Option<T> {
    match field? {
        Ok(v) => Some(v),
        Err(d) => {
            errors.push(d);
            None
        }
    }
}

fn check_title(t: &Spanned<String>) -> Result<String, Diagnostic> {
    let n = t.value.chars().count();
    if t.value.trim().is_empty() {
        Err(Diagnostic::at(span_pos(t), "a link title cannot be empty")
            .code(Code::Title)
            .help("leave `title` out to keep whatever title the portal has"))
    } else if t.value.trim() != t.value {
        // A create trims the title (`POST folder/{id}/link`, FoldersController.cs:420)
        // and an update keeps it as sent (`PUT folder/{id}/links`, :463): the link
        // would get another title than this one, or only on the second apply.
        Err(Diagnostic::at(
            span_pos(t),
            "the title starts or ends with whitespace, which the portal trims when it creates a link",
        )
        .code(Code::Title)
        .help("remove the whitespace around the title"))
    } else if n > MAX_TITLE {
        Err(Diagnostic::at(
            span_pos(t),
            format!("the title is {n} characters long; the portal allows at most {MAX_TITLE}"),
        )
        .code(Code::Title)
        .label("too long"))
    } else {
        Ok(t.value.clone())
    }
}

const EXPIRY_FORMS: &str = "write an RFC 3339 timestamp with an offset (2027-06-30T00:00:00Z, 2027-06-30T09:00:00+02:00), a date (2027-06-30, meaning 00:00 UTC) or `never`";

pub(super) fn parse_expiry(text: &str, now: Timestamp) -> Result<Expiry, Problem> {
    let text = text.trim();
    if text == "never" {
        return Ok(Expiry::Never);
    }
    let is_date = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    let at = if is_date {
        // Checked apart because jiff's date parser also takes a full date-time and
        // would silently drop its time of day.
        text.parse::<Date>()
            .and_then(|d| d.to_zoned(TimeZone::UTC))
            .map(|z| z.timestamp())
            .map_err(|_| {
                (
                    Code::ExpiryFormat,
                    format!("`{text}` is not a valid date"),
                    EXPIRY_FORMS.to_owned(),
                )
            })?
    } else {
        match text.parse::<Timestamp>() {
            Ok(t) => t,
            Err(_) if text.parse::<DateTime>().is_ok() => {
                return Err((
                    Code::ExpiryFormat,
                    format!("the timestamp `{text}` has no UTC offset"),
                    "add `Z` for UTC or an offset such as `+02:00`: without one the instant is ambiguous".to_owned(),
                ));
            }
            Err(_) => {
                return Err((
                    Code::ExpiryFormat,
                    format!("`{text}` is not a date or timestamp"),
                    EXPIRY_FORMS.to_owned(),
                ));
            }
        }
    };
    if at.subsec_nanosecond() != 0 {
        return Err((
            Code::ExpiryFormat,
            format!("`{text}` has fractions of a second"),
            "use whole seconds: links expire to the second".to_owned(),
        ));
    }
    if at <= now {
        return Err((
            Code::ExpiryPast,
            format!("the expiry {at} is in the past"),
            "the portal silently saves a past expiry as no expiry at all; use a future date or `never`".to_owned(),
        ));
    }
    let limit = now
        .to_zoned(TimeZone::UTC)
        .checked_add(MAX_EXPIRY_YEARS.years())
        .map_or(Timestamp::MAX, |z| z.timestamp());
    if at > limit {
        return Err((
            Code::ExpiryTooFar,
            format!("the expiry {at} is more than {MAX_EXPIRY_YEARS} years ahead"),
            format!("the portal refuses expiry dates after {}", utc(limit)),
        ));
    }
    Ok(Expiry::At(at))
}

#[cfg(test)]
mod expiry_tests {
    use super::*;

    #[test]
    fn the_expiry_limit_is_shown_in_whole_seconds() {
        let now: Timestamp = "2026-12-01T07:13:42.123456789Z".parse().unwrap();
        let (_, message, help) = parse_expiry("2040-01-01", now).unwrap_err();
        assert!(message.contains("more than 10 years ahead"), "{message}");
        assert!(help.ends_with("after 2036-12-01T07:13:42Z"), "{help}");
    }
}
