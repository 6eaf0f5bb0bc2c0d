//! Folders → manifest text. Every field of each link (primary, and additional ones
//! under `extra_links:` by title) is written, except
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
                Kind::Primary,
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
        let extra = extra_links(folder, options, &mut comments);
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
        out.push_str(&extra);
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

/// Which link `link_fields` writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Primary,
    /// An additional link under its `extra_links` key: no `title` (the key is it).
    Additional,
}

/// `extra_links:` with every additional link of the folder by title (design.md
/// 1.2), or nothing. Two with one title cannot be told apart by a manifest, nor
/// can a title no key may be: then none is named (the plan reports them under
/// `extra_unlisted`), and a comment says why.
fn extra_links(folder: &Folder, options: &Options, comments: &mut Vec<String>) -> String {
    if folder.additional.is_empty() {
        return String::new();
    }
    let mut titles = HashSet::new();
    let unnameable = folder.additional.iter().find(|l| {
        l.title.trim().is_empty()
            || l.title.chars().count() > MAX_TITLE
            || !titles.insert(l.title.as_str())
    });
    if let Some(l) = unnameable {
        comments.push(format!(
            "{} additional link{} not managed: the title {:?} is empty, too long or shared by two links",
            folder.additional.len(),
            plural(folder.additional.len()),
            printable(&l.title)
        ));
        return String::new();
    }
    let mut sorted: Vec<&Link> = folder.additional.iter().collect();
    sorted.sort_by(|a, b| a.title.cmp(&b.title));
    let mut out = String::from("    extra_links:\n");
    for link in sorted {
        let mut notes = Vec::new();
        let fields = link_fields(
            link,
            Kind::Additional,
            folder.placement,
            options,
            None,
            &mut notes,
        );
        for n in &notes {
            let _ = writeln!(out, "      # {n}");
        }
        let _ = writeln!(out, "      {}:{fields}", scalar(&link.title));
    }
    out
}

/// The fields of a link, starting with a newline (a block under `link:` or an
/// `extra_links` key).
fn link_fields(
    link: &Link,
    kind: Kind,
    placement: Placement,
    options: &Options,
    variable: Option<&String>,
    comments: &mut Vec<String>,
) -> String {
    let indent = match kind {
        Kind::Primary => "      ",
        Kind::Additional => "        ",
    };
    let mut fields = String::new();
    let mut field = |name: &str, value: String| {
        let _ = write!(fields, "\n{indent}{name}: {value}");
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
    if kind == Kind::Additional {
        // The key is the title (checked by `extra_links`).
    } else if link.title.trim().is_empty() || title_chars > MAX_TITLE {
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
    let fixed_expiry =
        crate::plan::placement::expiry_is_fixed_for(placement, kind == Kind::Primary);
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
        (Passwords::Env, Password::Set, None) => comments.push(
            "has a password: left unmanaged (variables are named for primary links only)"
                .to_owned(),
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
