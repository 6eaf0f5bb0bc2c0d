//! `export`: walk the rooms and folders asked for, write them as a manifest, and
//! show what that changes in the file it replaces.

use std::path::Path;

use super::Output;
use super::args::{ExportArgs, PasswordsArg};
use super::config::PortalConfig;
use crate::docspace::api::Listing;
use crate::docspace::reader::Reader;
use crate::docspace::resolve::{FolderRef, ResolveError};
use crate::docspace::walk::{WalkRoot, walk};
use crate::docspace::wire;
use crate::error::{Error, exit};
use crate::export::{self, Folder, Options, Passwords, my_documents};
use crate::manifest::existing::{self, Existing};
use crate::manifest::{PASSWORD_PREFIX, PASSWORD_PREFIX_VARIABLE, parse_scope_path};
use crate::model::{FolderPath, Placement, Policy};
use crate::plan::policy::{self, Facts};
use crate::progress::Progress;
use crate::render::{Style, printable};

/// The schema reference of a new file, as the example manifests write it.
const SCHEMA_LINE: &str = "# yaml-language-server: $schema=../schemas/manifest.schema.json";

pub async fn run(args: ExportArgs, style: Style, out: &mut Output) -> Result<u8, Error> {
    let config = PortalConfig::connect_without_manifest(
        args.portal.as_deref(),
        args.parallelism,
        args.timeout,
        out,
    )
    .await?;
    let now = jiff::Timestamp::now();
    let reader = Reader::new(&config.transport);
    let roots = roots(&args, &reader).await?;
    let walks = walk(
        &reader,
        &roots,
        &Progress::for_stderr(config.transport.stats.clone()),
    )
    .await;
    let found = export::collect(&roots, walks)?;
    out.hide(found.passwords.iter());

    let file = args.output.as_deref();
    let old = match file {
        Some(path) => read_old(path)?,
        None => None,
    };
    let existing = match (&old, file) {
        (Some(text), Some(path)) => existing::read(text, now).unwrap_or_else(|why| {
            out.eprint(&format!(
                "warning: {} is not a manifest that can be read ({}); nothing of it is kept\n",
                printable(&path.display().to_string()),
                printable(&why)
            ));
            Existing::default()
        }),
        _ => Existing::default(),
    };
    let variables = existing::variables_by_id(
        &existing,
        found.folders.iter().map(|f| (f.id, f.path.to_string())),
    );
    // The prefix the manifest's password rule asks for; empty lifts the rule, and
    // the default prefix is as good a start as any then.
    let prefix = std::env::var(PASSWORD_PREFIX_VARIABLE)
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| PASSWORD_PREFIX.to_owned());
    let options = Options {
        passwords: match args.passwords {
            PasswordsArg::Unmanaged => Passwords::Unmanaged,
            PasswordsArg::Env => Passwords::Env,
        },
        schema_line: existing.schema_line.as_deref().unwrap_or(SCHEMA_LINE),
        kept: &existing.kept,
        variables: &variables,
        prefix: &prefix,
        now,
    };
    let exported = export::write(&found.folders, &found.scopes, &options);

    if let Some(path) = file {
        report_policy(&existing.policy, &found.folders, &exported, path, now, out);
    }
    if options.passwords == Passwords::Env {
        report_variables(&exported, &found.folders, out);
    }

    let Some(path) = file else {
        out.print(&exported.text)?;
        return Ok(exit::OK);
    };
    let name = printable(&path.display().to_string()).into_owned();
    if old.as_deref() == Some(exported.text.as_str()) {
        out.eprint(&format!("{name} is up to date.\n"));
        return Ok(exit::OK);
    }
    if let Some(old) = &old {
        out.print(&coloured(
            &export::diff::unified(old, &exported.text, &name),
            style,
        ))?;
    }
    if args.check {
        out.eprint(&format!("{name} would change.\n"));
        return Ok(exit::CHANGES);
    }
    if old.is_some() && !args.yes {
        confirm(out, &name)?;
    }
    write_atomically(path, &exported.text)?;
    out.eprint(&format!(
        "Wrote {name}: {} folder{}, {} scope{}.\n",
        exported.entries,
        if exported.entries == 1 { "" } else { "s" },
        found.scopes.len(),
        if found.scopes.len() == 1 { "" } else { "s" },
    ));
    Ok(exit::OK)
}

/// The subtrees asked for, each resolved to its folder.
async fn roots(args: &ExportArgs, reader: &Reader<'_>) -> Result<Vec<WalkRoot>, Error> {
    let mut roots = Vec::new();
    if args.all || !args.room.is_empty() {
        let rooms = reader.resolver.listing(Listing::Rooms).await?;
        let room_root = |c: &crate::docspace::api::Child| {
            let room_type = c.room_type.and_then(wire::room_type)?;
            Some(WalkRoot {
                folder: Some(FolderRef {
                    id: c.id,
                    placement: Placement::Room { room_type },
                    shared: c.shared,
                    created_by: c.created_by.clone(),
                }),
                display: c.title.clone(),
                path: Some(FolderPath {
                    my_documents: false,
                    segments: vec![c.title.clone()],
                }),
                shared: c.shared,
            })
        };
        if args.all {
            roots.extend(rooms.children.iter().filter_map(room_root));
        }
        for title in &args.room {
            let mut matches = rooms.children.iter().filter(|c| c.title == *title);
            let room = match (matches.next(), matches.next()) {
                (Some(c), None) => c,
                (None, _) => {
                    return Err(Error::NoSuchRoom {
                        title: title.clone(),
                        hint: crate::suggest::title_hint(
                            title,
                            rooms.children.iter().map(|c| c.title.as_str()),
                        ),
                    });
                }
                (Some(a), Some(b)) => {
                    return Err(Error::TwoRooms {
                        title: title.clone(),
                        first: a.id,
                        second: b.id,
                    });
                }
            };
            roots.push(room_root(room).ok_or_else(|| Error::UnknownRoomType {
                title: title.clone(),
                room_type: room.room_type,
            })?);
        }
    }
    let mut paths: Vec<FolderPath> = Vec::new();
    if args.all {
        paths.push(my_documents());
    }
    for text in &args.path {
        let path = parse_scope_path(text).map_err(|(message, help)| Error::ExportPathSyntax {
            text: text.clone(),
            message,
            help,
        })?;
        paths.push(path);
    }
    for path in paths {
        let folder = if path.segments.is_empty() {
            None
        } else {
            Some(
                reader
                    .resolver
                    .resolve_path(path.my_documents, &path.segments)
                    .await
                    .map_err(|e| match e {
                        ResolveError::Api(a) => Error::Api(a),
                        other => Error::ExportPathNotFound {
                            path: path.to_string(),
                            source: other,
                        },
                    })?,
            )
        };
        roots.push(WalkRoot {
            folder,
            display: path.to_string(),
            path: Some(path),
            shared: None,
        });
    }
    Ok(roots)
}

/// The exported links that break the policy of the file being replaced.
fn report_policy(
    policy: &Policy,
    folders: &[Folder],
    exported: &export::Exported,
    file: &Path,
    now: jiff::Timestamp,
    out: &Output,
) {
    if policy.is_empty() {
        return;
    }
    let mut lines = Vec::new();
    let mut sorted: Vec<&Folder> = folders.iter().collect();
    sorted.sort_by_key(|f| f.path.to_string());
    for f in sorted {
        let Some(link) = &f.primary else { continue };
        let facts = Facts {
            access: link.access,
            password: match link.password {
                export::Password::Set => Some(true),
                export::Password::None => Some(false),
                export::Password::Unknown => None,
            },
            expires: link.expires,
            expired: link.expired,
            deny_download: link.deny_download,
            internal: link.internal,
        };
        let line = exported.lines.get(&f.id).copied().unwrap_or(0);
        for v in policy::check(policy, &facts, now) {
            lines.push(format!(
                "  {} (line {line}): {}\n",
                printable(&f.path.to_string()),
                printable(&v.to_string())
            ));
        }
    }
    if !lines.is_empty() {
        out.eprint(&format!(
            "warning: {} exported link{} break{} the policy in {}:\n{}",
            lines.len(),
            if lines.len() == 1 { "" } else { "s" },
            if lines.len() == 1 { "s" } else { "" },
            printable(&file.display().to_string()),
            lines.concat()
        ));
    }
}

/// The variable names only: the values are for the user to fill in.
fn report_variables(exported: &export::Exported, folders: &[Folder], out: &Output) {
    if !exported.variables.is_empty() {
        let width = exported
            .variables
            .iter()
            .map(|(v, _)| v.len())
            .max()
            .unwrap_or(0);
        let mut text = String::from(
            "Set these environment variables to the links' passwords before plan or apply:\n",
        );
        for (var, path) in &exported.variables {
            text.push_str(&format!("  {var:width$}  {}\n", printable(path)));
        }
        out.eprint(&text);
    }
    let hidden = folders
        .iter()
        .filter(|f| matches!(&f.primary, Some(l) if l.password == export::Password::Unknown))
        .count();
    if hidden > 0 {
        out.eprint(&format!(
            "warning: the portal does not return link passwords, so {hidden} link{} keep{} an unmanaged password\n",
            if hidden == 1 { "" } else { "s" },
            if hidden == 1 { "s" } else { "" },
        ));
    }
}

fn read_old(path: &Path) -> Result<Option<String>, Error> {
    // The file to write over is a manifest too, bounded the same way.
    match crate::input::read_text(path, crate::input::MANIFEST) {
        Ok(text) => Ok(Some(text)),
        Err(crate::input::InputError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            Ok(None)
        }
        Err(source) => Err(Error::Input {
            what: "read the file to write over",
            path: path.display().to_string(),
            source,
        }),
    }
}

/// Written beside the target and renamed over it: an interrupted export leaves the
/// old file whole. The file holds share URLs (anyone holding the URL of a link
/// without a password opens the folder), so a new file is readable by its owner
/// only (0600), and a replaced file keeps the mode it had: the rename would
/// otherwise give it the temporary file's.
fn write_atomically(path: &Path, text: &str) -> Result<(), Error> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = dir.join(format!(".{name}.export-{}", std::process::id()));
    let io = |source| Error::Io {
        what: "write the manifest",
        source,
    };
    let written = create_private(&temp, existing_mode(path)).and_then(|mut f| {
        use std::io::Write;
        f.write_all(text.as_bytes())?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(io(e));
    }
    std::fs::rename(&temp, path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io(e)
    })
}

/// The permission bits of the file to be replaced, if there is one.
#[cfg(unix)]
fn existing_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn existing_mode(_: &Path) -> Option<u32> {
    None
}

/// A new file with `mode` (0600 when there was no file), set on the open file
/// itself: the umask cannot widen it, and no moment passes with it readable by
/// others.
#[cfg(unix)]
fn create_private(path: &Path, mode: Option<u32>) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let _ = std::fs::remove_file(path);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.set_permissions(std::fs::Permissions::from_mode(mode.unwrap_or(0o600)))?;
    Ok(file)
}

#[cfg(not(unix))]
fn create_private(path: &Path, _: Option<u32>) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

/// The diff as shown: each line printable (it quotes the file, and the portal's
/// titles), then coloured.
fn coloured(diff: &str, style: Style) -> String {
    diff.lines()
        .map(|l| {
            let l = &*printable(l);
            let l = if l.starts_with('+') && !l.starts_with("+++") {
                style.green(l)
            } else if l.starts_with('-') && !l.starts_with("---") {
                style.red(l)
            } else {
                l.to_owned()
            };
            l + "\n"
        })
        .collect()
}

fn confirm(out: &Output, file: &str) -> Result<(), Error> {
    let file = file.to_owned();
    match out.ask_yes(&format!("Write these changes to {file}?"))? {
        None => Err(Error::OverwriteUnconfirmed { file }),
        Some(true) => Ok(()),
        Some(false) => Err(Error::ExportCancelled { file }),
    }
}
