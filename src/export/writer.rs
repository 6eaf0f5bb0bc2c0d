//! Folders → manifest text. Every field of each primary link is written, except
//! where writing it would break the round trip (a past expiry, which no manifest may
//! hold), and each such case says so in a comment beside the entry.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;

use super::names;
use super::scalar::scalar;
use super::{Exported, Folder, Link, Options, Password, Passwords, Scope};
use crate::model::{FolderPath, ObservedAccess, Placement, RoomType, utc};
use crate::render::printable;

/// The portal's limit for a title (docspace-api.md 2); the manifest refuses longer.
const MAX_TITLE: usize = 255;

pub fn write(folders: &[Folder], scopes: &[Scope], options: &Options) -> Exported {
    let unnameable = unnameable_paths(folders);
    let needs_id = |path: &FolderPath| {
        (1..=path.segments.len()).any(|n| {
            let prefix = FolderPath {
                my_documents: path.my_documents,
                segments: path.segments[..n].to_vec(),
            };
            unnameable.contains(&prefix.to_string())
                || !segment_is_writable(&path.segments[n - 1], n == 1 && !path.my_documents)
        })
    };

    // A folder with only additional links where a primary one is always made again
    // cannot be written as `link: absent`; left out, its links show as unlisted.
    let mut entries: Vec<&Folder> = folders
        .iter()
        .filter(|f| f.has_links())
        .filter(|f| f.primary.is_some() || !always_has_a_primary_link(f.placement))
        .collect();
    entries.sort_by(|a, b| {
        a.path
            .to_string()
            .cmp(&b.path.to_string())
            .then(a.id.cmp(&b.id))
    });
    let with_password: Vec<(u64, &FolderPath)> = entries
        .iter()
        .filter(|f| matches!(&f.primary, Some(l) if l.password == Password::Set))
        .map(|f| (f.id, &f.path))
        .collect();
    let variables = match options.passwords {
        Passwords::Env => names::assign(&with_password, options.variables, options.prefix),
        Passwords::Unmanaged => HashMap::new(),
    };

    let mut out = String::new();
    out.push_str(options.schema_line.trim_end());
    out.push('\n');
    out.push_str(
        "# Written by `docspace-links export`: it plans to zero changes against the portal it was read from.\n",
    );
    out.push_str("version: 1\n");
    if !options.kept.trim().is_empty() {
        out.push_str(options.kept.trim_end());
        out.push('\n');
    }

    if !scopes.is_empty() {
        out.push_str("scopes:\n");
        let mut scopes: Vec<&Scope> = scopes.iter().collect();
        scopes.sort_by_key(|s| s.path.to_string());
        for s in scopes {
            match s.id {
                Some(id) if needs_id(&s.path) => {
                    let _ = writeln!(out, "  # {}", printable(&s.path.to_string()));
                    let _ = writeln!(out, "  - id: {id}");
                }
                _ => {
                    let _ = writeln!(out, "  - path: {}", scalar(&s.path.to_string()));
                }
            }
            out.push_str("    unlisted: report\n");
        }
    }

    let mut lines = HashMap::new();
    if entries.is_empty() {
        out.push_str("folders: []\n");
    } else {
        out.push_str("folders:\n");
    }
    for folder in &entries {
        let shown = printable(&folder.path.to_string()).into_owned();
        let mut comments = Vec::new();
        let by_id = needs_id(&folder.path);
        if by_id {
            comments.push(shown.clone());
        }
        let body = match &folder.primary {
            Some(link) => link_fields(
                link,
                folder.placement,
                options,
                variables.get(&folder.id),
                &mut comments,
            ),
            None => " absent".to_owned(),
        };
        if folder.more_primary > 0 {
            comments.push(format!(
                "{} more primary link{} (not managed: an entry manages the first)",
                folder.more_primary,
                plural(folder.more_primary)
            ));
        }
        if folder.additional > 0 {
            comments.push(format!(
                "{} additional link{} (not managed: entries manage the primary link)",
                folder.additional,
                plural(folder.additional)
            ));
        }
        for c in &comments {
            let _ = writeln!(out, "  # {c}");
        }
        lines.insert(folder.id, line_count(&out) + 1);
        if by_id {
            let _ = writeln!(out, "  - id: {}", folder.id);
        } else {
            let _ = writeln!(out, "  - path: {}", scalar(&folder.path.to_string()));
        }
        let _ = writeln!(out, "    link:{body}");
    }

    let mut listed: Vec<(String, String)> = entries
        .iter()
        .filter_map(|f| {
            variables
                .get(&f.id)
                .map(|v| (v.clone(), f.path.to_string()))
        })
        .collect();
    listed.sort();
    Exported {
        text: out,
        variables: listed,
        lines,
        entries: entries.len(),
    }
}

/// The fields of a link, starting with a newline (a block under `link:`), or ` absent`.
fn link_fields(
    link: &Link,
    placement: Placement,
    options: &Options,
    variable: Option<&String>,
    comments: &mut Vec<String>,
) -> String {
    let mut fields = String::new();
    let mut field = |name: &str, value: String| {
        let _ = write!(fields, "\n      {name}: {value}");
    };
    if let Some(share) = &link.share_link {
        comments.push(format!("share link: {}", printable(share)));
    }
    match link.access {
        ObservedAccess::Known(a) if placement.allowed_access().contains(&a) => {
            field("access", a.word().to_owned());
        }
        other => {
            let shown = match other {
                ObservedAccess::Known(a) => format!("access {a}"),
                unknown => unknown.to_string(),
            };
            comments.push(format!(
                "{shown} cannot be written for this folder: left unmanaged"
            ));
        }
    }
    let title_chars = link.title.chars().count();
    if link.title.trim().is_empty() || title_chars > MAX_TITLE {
        comments.push("the title is empty or too long for a manifest: left unmanaged".to_owned());
    } else if link.title.trim() != link.title {
        // A manifest may not write it (manifest/validate.rs: a create would trim it).
        comments.push(
            "the title starts or ends with whitespace, which a manifest cannot write: left unmanaged"
                .to_owned(),
        );
    } else {
        field("title", scalar(&link.title));
    }
    // The plan's own rule (plan/placement.rs, docspace-api.md third reading 1), so an
    // exported manifest plans zero changes.
    let fixed_expiry = crate::plan::placement::expiry_is_fixed(placement);
    match link.expires {
        None => field("expires", "never".to_owned()),
        Some(t) if link.expired || t <= options.now => comments.push(format!(
            "expired at {} (the portal keeps expired links): `expires` is left unmanaged, as a past date cannot be written",
            utc(t)
        )),
        Some(t) if t.subsec_nanosecond() != 0 => comments.push(format!(
            "expires at {} and a fraction of a second, which a manifest cannot write: left unmanaged",
            utc(t)
        )),
        Some(t) if fixed_expiry => comments.push(format!(
            "expires at {}, which links in this room cannot be set to: left unmanaged",
            utc(t)
        )),
        Some(t) => field("expires", utc(t)),
    }
    match (options.passwords, link.password, variable) {
        (Passwords::Env, Password::Set, Some(name)) => {
            field("password", format!("{{ env: {name} }}"));
        }
        (Passwords::Env, Password::None, _) => field("password", "false".to_owned()),
        (Passwords::Unmanaged, Password::Set, _) => comments.push(
            "has a password: left unmanaged (`export --passwords env` manages it)".to_owned(),
        ),
        (_, Password::Unknown, _) => comments.push(
            "the portal does not say whether this link has a password: left unmanaged".to_owned(),
        ),
        _ => {}
    }
    field("deny_download", link.deny_download.to_string());
    // The portal forces these; a value against them would be refused by the plan.
    match crate::plan::placement::forced_internal(placement) {
        Some(forced) if forced != link.internal => comments.push(format!(
            "internal is {}, which this room does not allow: left unmanaged",
            link.internal
        )),
        _ => field("internal", link.internal.to_string()),
    }
    fields
}

fn room_type(placement: Placement) -> Option<RoomType> {
    match placement {
        Placement::Room { room_type } | Placement::InRoom { room_type } => Some(room_type),
        Placement::MyDocuments => None,
    }
}

/// Public and form-filling rooms, and the folders in them, always have a primary
/// link: the portal makes a new one as soon as it is revoked, and the plan refuses
/// `link: absent` there.
fn always_has_a_primary_link(placement: Placement) -> bool {
    matches!(
        room_type(placement),
        Some(RoomType::Public | RoomType::FillingForms)
    )
}

/// Paths that two folders share (two siblings with one title): no path can name
/// either of them, nor anything below.
fn unnameable_paths(folders: &[Folder]) -> HashSet<String> {
    let mut seen = HashSet::new();
    let mut twice = HashSet::new();
    for f in folders {
        let p = f.path.to_string();
        if !seen.insert(p.clone()) {
            twice.insert(p);
        }
    }
    twice
}

/// Whether a title can be one segment of a manifest path. The manifest splits on
/// `/`, refuses blank segments, and reads a leading `@my` as My Documents.
fn segment_is_writable(title: &str, first_of_room_path: bool) -> bool {
    let breaks_a_path = title.contains('/') || title.trim().is_empty();
    let reads_as_my_documents = first_of_room_path && title == "@my";
    !breaks_a_path && !reads_as_my_documents
}

fn line_count(text: &str) -> u32 {
    u32::try_from(text.lines().count()).unwrap_or(u32::MAX)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
