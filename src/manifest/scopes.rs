//! `scopes:` (design.md 1.1): the subtrees a manifest is authoritative for. Under a
//! scope, the external links of every folder that no entry lists are part of the
//! plan; which folders those are, only the portal can tell.

use std::collections::HashMap;

use serde_saphyr::Spanned;

use super::diagnostic::{Code, Diagnostic, Pos};
use super::raw::{RawManifest, RawScope};
use super::validate::{TargetWords, parse_path, target_of};
use super::yaml::span_pos;
use crate::model::{FolderPath, Target, Unlisted};

/// One validated scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// A path (`@my` alone is My Documents as a whole) or an id.
    pub target: Target,
    /// Where the `path:` or `id:` value is.
    pub pos: Pos,
    pub unlisted: Unlisted,
}

impl Scope {
    /// As plans name the scope: `Marketing`, `@my`, `id 100`.
    pub fn display(&self) -> String {
        match &self.target {
            Target::Path(p) => p.to_string(),
            Target::Id(id) => format!("id {id}"),
        }
    }
}

/// The manifest's scopes, or what is wrong with them (every problem, each at its line).
pub fn validate(raw: &RawManifest) -> (Vec<Scope>, Vec<Diagnostic>) {
    let mut scopes = Vec::new();
    let mut errors = Vec::new();
    let mut seen: HashMap<Target, Pos> = HashMap::new();
    for raw_scope in raw.scopes.iter().flatten() {
        let Some((target, pos)) = target(raw_scope, &mut errors) else {
            continue;
        };
        if let Some(first) = seen.get(&target) {
            errors.push(
                Diagnostic::at(pos, "this scope is listed twice")
                    .code(Code::DuplicateScope)
                    .label("second time")
                    .note(*first, "first listed here")
                    .help("keep one of them"),
            );
            continue;
        }
        seen.insert(target.clone(), pos);
        scopes.push(Scope {
            target,
            pos,
            unlisted: raw_scope
                .value
                .unlisted
                .as_ref()
                .map_or(Unlisted::default(), |u| u.value),
        });
    }
    (scopes, errors)
}

/// A scope's path: a manifest path, or `@my` alone for all of My Documents.
/// On failure a message and a hint.
pub fn parse_scope_path(text: &str) -> Result<FolderPath, (String, String)> {
    if text.trim() == "@my" {
        return Ok(FolderPath {
            my_documents: true,
            segments: Vec::new(),
        });
    }
    parse_path(text)
}

fn target(raw: &Spanned<RawScope>, errors: &mut Vec<Diagnostic>) -> Option<(Target, Pos)> {
    target_of(
        (
            raw.value.path.as_ref(),
            raw.value.id.as_ref(),
            span_pos(raw),
        ),
        &TargetWords {
            what: "scope",
            names: "subtree",
            both_label: "one subtree, named twice",
            both_help: "name the room or folder by `path` or by `id`: remove one of them",
            neither_help: "add `path: Room` (or `path: \"@my\"` for My Documents) or `id: 12345`",
        },
        parse_scope_path,
        errors,
    )
}
