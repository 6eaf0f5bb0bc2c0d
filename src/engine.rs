//! Reading the portal for a manifest and turning what it says into a plan.
//!
//! Each entry runs its own small pipeline (resolve the folder, read its links) and
//! entries run concurrently; the transport bounds what is actually in flight.

use futures::StreamExt;

use crate::docspace::api::FolderLinks;
use crate::docspace::resolve::{FolderRef, ResolveError, Resolver};
use crate::docspace::{ApiError, Transport};
use crate::error::Error;
use crate::manifest::{Code, DesiredLink, Diagnostic, Entry, Manifest, Target};
use crate::model::{Access, Expiry, Placement, RoomType};
use crate::plan::{Action, Item, Plan};
use crate::progress::Progress;
use crate::reconcile::{SERVER_DEFAULT_ACCESS, reconcile};

/// What was learnt about one entry's folder.
struct Observation {
    entry: usize,
    path: String,
    folder: Result<FolderRef, ResolveError>,
    links: Option<Result<FolderLinks, ApiError>>,
}

/// Reads the portal and builds the plan. Mistakes in the manifest that only the
/// portal can reveal (a path that leads nowhere, an access level the room does not
/// allow, two entries for one folder) are reported together, as manifest errors.
pub async fn plan(
    manifest: &Manifest,
    transport: &Transport,
    progress: &Progress,
) -> Result<Plan, Error> {
    let observations = observe(manifest, transport, progress).await;
    build(manifest, observations)
}

async fn observe(
    manifest: &Manifest,
    transport: &Transport,
    progress: &Progress,
) -> Vec<Observation> {
    let resolver = Resolver::new(transport);
    let resolver = &resolver;
    progress.start("reading the portal", manifest.entries.len());
    // Entries in the pipe well beyond the request slots: the listing a later room
    // needs is then asked for while earlier entries still keep every slot busy,
    // instead of when the last of them finishes. Bounded, to bound memory.
    let width = transport.parallelism() * 32;
    let mut out: Vec<Observation> = futures::stream::iter(manifest.entries.iter().enumerate())
        .map(|(i, entry)| async move {
            let (folder, path) = match &entry.target {
                Target::Path(p) => (
                    resolver.resolve_path(p.my_documents, &p.segments).await,
                    p.to_string(),
                ),
                Target::Id(id) => match resolver.resolve_id(*id).await {
                    Ok((f, title)) => (Ok(f), format!("id {id} ({title})")),
                    Err(e) => (Err(e), format!("id {id}")),
                },
            };
            let links = match &folder {
                Ok(f) => Some(transport.folder_links(f.id).await),
                Err(_) => None,
            };
            progress.inc();
            Observation {
                entry: i,
                path,
                folder,
                links,
            }
        })
        .buffer_unordered(width)
        .collect()
        .await;
    progress.finish();
    out.sort_by_key(|o| o.entry);
    out
}

fn build(manifest: &Manifest, observations: Vec<Observation>) -> Result<Plan, Error> {
    let mut diagnostics = Vec::new();
    let mut items = Vec::new();
    let mut seen: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();

    for obs in observations {
        let entry = &manifest.entries[obs.entry];
        let folder = match obs.folder {
            Ok(f) => f,
            Err(ResolveError::Api(ApiError::Unauthorized)) => {
                return Err(Error::Api(ApiError::Unauthorized));
            }
            Err(ResolveError::Api(e)) => {
                items.push(unknown(&obs.path, None, obs.entry, entry, &e));
                continue;
            }
            Err(e) => {
                diagnostics.push(Diagnostic {
                    code: Code::Other,
                    message: e.to_string(),
                    pos: Some(entry.target_pos),
                    label: Some("this folder".to_owned()),
                    notes: Vec::new(),
                    help: None,
                });
                continue;
            }
        };
        if let Some(&first) = seen.get(&folder.id) {
            let other = &manifest.entries[first];
            diagnostics.push(Diagnostic {
                code: Code::Other,
                message: format!("two entries name the same folder (id {})", folder.id),
                pos: Some(entry.target_pos),
                label: Some("second entry".to_owned()),
                notes: vec![(other.target_pos, "first entry for this folder".to_owned())],
                help: Some("keep one entry per folder".to_owned()),
            });
            continue;
        }
        seen.insert(folder.id, obs.entry);

        let links = match obs.links.expect("read when resolved") {
            Ok(l) => l,
            Err(ApiError::Unauthorized) => return Err(Error::Api(ApiError::Unauthorized)),
            Err(e) => {
                items.push(unknown(&obs.path, Some(folder.id), obs.entry, entry, &e));
                continue;
            }
        };
        if let Some(d) = check_placement(entry, folder.placement, links.primary.is_empty()) {
            diagnostics.push(d);
            continue;
        }
        let (action, notes) = reconcile(&entry.link, &links.primary);
        items.push(Item {
            entry: obs.entry,
            folder_id: Some(folder.id),
            path: obs.path,
            line: entry.target_pos.line,
            action,
            notes,
        });
    }
    if diagnostics.is_empty() {
        Ok(Plan::new(items))
    } else {
        Err(Error::Invalid(crate::render::snippet::render_all(
            &manifest.source,
            &diagnostics,
        )))
    }
}

fn unknown(path: &str, folder_id: Option<u64>, index: usize, entry: &Entry, e: &ApiError) -> Item {
    Item {
        entry: index,
        folder_id,
        path: path.to_owned(),
        line: entry.target_pos.line,
        action: Action::Unknown {
            error: e.to_string(),
        },
        notes: Vec::new(),
    }
}

/// Rules the server enforces per room type (docspace-api.md 2.1, 2.4, 2.5), checked
/// before anything is sent so the error can point into the manifest.
fn check_placement(entry: &Entry, placement: Placement, creating: bool) -> Option<Diagnostic> {
    let here = placement.describe();
    let at = |pos, message: String, help: Option<String>| {
        Some(Diagnostic {
            code: Code::Other,
            message,
            pos: Some(pos),
            label: None,
            notes: Vec::new(),
            help,
        })
    };
    let allowed = placement.allowed_access();
    let list = |a: &[Access]| a.iter().map(|x| x.word()).collect::<Vec<_>>().join(", ");
    let own_link_is_permanent = matches!(
        placement,
        Placement::Room {
            room_type: RoomType::Public | RoomType::FillingForms
        }
    );
    let spec = match &entry.link {
        DesiredLink::Absent if own_link_is_permanent => {
            return at(
                entry.link_pos,
                format!(
                    "{here} always has a primary link: the portal makes a new one as soon as it is revoked"
                ),
                Some("manage its fields instead, or remove this entry".to_owned()),
            );
        }
        DesiredLink::Absent => return None,
        DesiredLink::Present(spec) => spec,
    };
    if allowed.is_empty() {
        return at(
            entry.link_pos,
            format!("{here} cannot have external links"),
            Some("use `link: absent`, or share a folder inside the room".to_owned()),
        );
    }
    match spec.access {
        Some(a) if !allowed.contains(&a) => {
            return at(
                entry.access_pos.unwrap_or(entry.link_pos),
                format!("access level `{a}` is not allowed for {here}"),
                Some(format!("allowed here: {}", list(allowed))),
            );
        }
        None if creating && !allowed.contains(&SERVER_DEFAULT_ACCESS) => {
            return at(
                entry.link_pos,
                format!(
                    "the link must be created, and the portal's default access `{SERVER_DEFAULT_ACCESS}` is not allowed for {here}"
                ),
                Some(format!("set `access:` to one of: {}", list(allowed))),
            );
        }
        _ => {}
    }
    let room_type = match placement {
        Placement::Room { room_type } | Placement::InRoom { room_type } => Some(room_type),
        Placement::MyDocuments => None,
    };
    match (room_type, spec.internal) {
        (Some(RoomType::VirtualData), Some(false)) => {
            return at(
                entry.link_pos,
                format!("links in {here} are always internal; the portal forces `internal: true`"),
                Some("remove `internal: false` or set it to true".to_owned()),
            );
        }
        (Some(RoomType::Public), Some(true)) => {
            return at(
                entry.link_pos,
                format!("links in {here} are never internal; the portal forces `internal: false`"),
                Some("remove `internal: true` or set it to false".to_owned()),
            );
        }
        _ => {}
    }
    if own_link_is_permanent && matches!(spec.expires, Some(Expiry::At(_))) {
        return at(
            entry.link_pos,
            format!("the primary link of {here} cannot expire; the portal drops the date"),
            Some("use `expires: never` or leave it out".to_owned()),
        );
    }
    None
}
