//! (desired, observed) → plan. Pure and synchronous: mistakes in the manifest that
//! only the portal can reveal (a path that leads nowhere, an access level the room
//! does not allow, two entries for one folder) come back together as diagnostics.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::Timestamp;

use super::reconcile::{Context, decide};
use super::{Action, Item, Plan, placement};
use crate::docspace::observe::Observed;
use crate::docspace::resolve::ResolveError;
use crate::manifest::{Code, Diagnostic, Manifest};

pub fn build(
    manifest: &Manifest,
    observed: &Observed,
    now: Timestamp,
) -> Result<Plan, Vec<Diagnostic>> {
    debug_assert_eq!(manifest.entries.len(), observed.entries.len());
    let file: Arc<str> = manifest.source.name.as_str().into();
    let ctx = Context {
        secrets: &manifest.secrets,
        echoes_passwords: observed.echoes_passwords(),
        now,
    };
    let mut diagnostics = Vec::new();
    let mut items = Vec::with_capacity(manifest.entries.len());
    let mut seen: HashMap<u64, usize> = HashMap::new();

    for (index, (entry, obs)) in manifest.entries.iter().zip(&observed.entries).enumerate() {
        let item = |folder_id, action, notes| Item {
            path: obs.path.clone(),
            folder_id,
            manifest: file.clone(),
            line: entry.target_pos.line,
            desired: entry.link.clone(),
            action,
            notes,
            label: None,
        };
        let unknown = |folder_id, error: &dyn std::fmt::Display| {
            item(
                folder_id,
                Action::Unknown {
                    error: error.to_string(),
                },
                Vec::new(),
            )
        };
        let (folder, links) = match &obs.folder {
            Ok(f) => (&f.folder, &f.links),
            Err(ResolveError::Api(e)) => {
                items.push(unknown(None, e));
                continue;
            }
            Err(e) => {
                let code = match e {
                    ResolveError::NotFound(_) => Code::FolderNotFound,
                    ResolveError::Ambiguous(_) => Code::AmbiguousFolder,
                    ResolveError::CannotHaveLinks(_) | ResolveError::Api(_) => {
                        Code::NoExternalLinks
                    }
                };
                diagnostics.push(
                    Diagnostic::at(entry.target_pos, e.to_string())
                        .code(code)
                        .label("this folder"),
                );
                continue;
            }
        };
        if let Some(&first) = seen.get(&folder.id) {
            let other = &manifest.entries[first];
            diagnostics.push(
                Diagnostic::at(
                    entry.target_pos,
                    format!("two entries name the same folder (id {})", folder.id),
                )
                .code(Code::DuplicateEntry)
                .label("second entry")
                .note(other.target_pos, "first entry for this folder")
                .help("keep one entry per folder"),
            );
            continue;
        }
        seen.insert(folder.id, index);

        let links = match links {
            Ok(l) => l,
            Err(e) => {
                items.push(unknown(Some(folder.id), e));
                continue;
            }
        };
        if let Some(d) = placement::check(entry, folder.placement, links.primary.is_empty()) {
            diagnostics.push(d);
            continue;
        }
        let decision = decide(&entry.link, &links.primary, &ctx);
        items.push(item(Some(folder.id), decision.action, decision.notes));
    }
    if diagnostics.is_empty() {
        Ok(Plan::new(items, ctx.echoes_passwords))
    } else {
        Err(diagnostics)
    }
}
