//! The manifest (design.md 1): YAML in, a validated desired state out, and errors
//! that point at the line, column and text that are wrong.

mod diagnostic;
mod raw;
#[cfg(test)]
mod schema;
mod validate;
mod yaml;

use std::path::Path;

pub use diagnostic::{Diagnostic, ManifestError, Pos, Source};

pub use crate::model::{DesiredLink, FolderPath, LinkSpec, Target};
use crate::model::{Safety, Secrets};

/// A validated manifest: the desired state, with its text kept for later error
/// reports and the secrets its password references name, kept apart.
#[derive(Debug)]
pub struct Manifest {
    pub source: Source,
    pub entries: Vec<Entry>,
    pub secrets: Secrets,
    /// The shares over which apply refuses a plan unless forced.
    pub safety: Safety,
}

/// One folder and the link it must have.
#[derive(Debug)]
pub struct Entry {
    pub target: Target,
    /// Where the `path:` or `id:` value is.
    pub target_pos: Pos,
    pub link: DesiredLink,
    pub link_pos: Pos,
    /// Where the effective `access` was written (the entry or `defaults`).
    pub access_pos: Option<Pos>,
}

/// What validation needs from the outside world.
pub struct Environment<'a> {
    /// Looks up an environment variable (`password: { env: NAME }`).
    pub var: &'a dyn Fn(&str) -> Option<String>,
    /// Where `password: { file: PATH }` paths start.
    pub base_dir: &'a Path,
    /// Expiry must lie after this.
    pub now: jiff::Timestamp,
}

/// Reads and validates the manifest at `path`.
pub fn load(path: &Path, env: &Environment) -> Result<Manifest, ManifestError> {
    let name = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse(Source { name, text }, env),
        Err(e) => Err(ManifestError::new(
            Source {
                name: name.clone(),
                text: String::new(),
            },
            vec![Diagnostic {
                message: format!("cannot read the manifest {name}: {e}"),
                pos: None,
                label: None,
                notes: Vec::new(),
                help: None,
            }],
        )),
    }
}

/// Validates manifest text; every validation problem is reported, a YAML error stops
/// at the first (the parser cannot go on past it).
pub fn parse(source: Source, env: &Environment) -> Result<Manifest, ManifestError> {
    if source.text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "---"
    }) {
        let d = Diagnostic {
            message: "the manifest is empty".to_owned(),
            pos: None,
            label: None,
            notes: Vec::new(),
            help: Some("start with `version: 1` and a `folders:` list".to_owned()),
        };
        return Err(ManifestError::new(source, vec![d]));
    }
    let raw: raw::RawManifest = match yaml::parse(&source.text) {
        Ok(raw) => raw,
        Err(d) => return Err(ManifestError::new(source, vec![d])),
    };
    match validate::validate(&raw, env) {
        Ok((entries, secrets)) => Ok(Manifest {
            source,
            entries,
            secrets,
            safety: Safety::default(),
        }),
        Err(diagnostics) => Err(ManifestError::new(source, diagnostics)),
    }
}

#[cfg(test)]
mod tests;
