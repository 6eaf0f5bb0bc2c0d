//! The manifest (design.md 1): YAML in, a validated desired state out, and errors
//! that point at the line, column and text that are wrong.

mod diagnostic;
mod events;
pub mod existing;
mod mask;
mod password;
mod policy;
mod raw;
mod safety;
#[cfg(test)]
mod schema;
mod scopes;
mod source;
mod structure;
mod text_mask;
mod validate;
mod yaml;

use std::path::Path;

use crate::input::{self, InputError};

pub use diagnostic::{Code, Diagnostic, ManifestError, Pos};
pub use mask::Masks;
pub use password::{
    DEFAULT_PREFIX as PASSWORD_PREFIX, PREFIX_VARIABLE as PASSWORD_PREFIX_VARIABLE,
};
pub use scopes::{Scope, parse_scope_path};
pub use source::Source;
pub use text_mask::closing_bracket;
pub use yaml::MAX_MANIFEST_BYTES;
#[cfg(test)]
pub(crate) use yaml::parse as parse_yaml;

pub use crate::model::{DesiredLink, FolderPath, LinkSpec, Target};
use crate::model::{Policy, Safety, Secrets, Unlisted};

/// A validated manifest: the desired state, with its text kept for later error
/// reports and the secrets its password references name, kept apart.
#[derive(Debug)]
pub struct Manifest {
    pub source: Source,
    pub entries: Vec<Entry>,
    pub secrets: Secrets,
    /// Subtrees whose unlisted links the plan shows (design.md 1.1).
    pub scopes: Vec<Scope>,
    pub policy: Policy,
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
    /// `extra_links:` in the order written (design.md 1.2): each additional link by
    /// its title, the identity of an additional link.
    pub extra_links: Vec<ExtraLink>,
    /// Where `extra_links:` is, for the room's link limits.
    pub extra_links_pos: Option<Pos>,
    /// What becomes of additional links no `extra_links` key names.
    pub extra_unlisted: Unlisted,
}

/// One `extra_links:` key: an additional link, named by its title.
#[derive(Debug, Clone)]
pub struct ExtraLink {
    pub title: String,
    /// Where the key (the title) is written.
    pub pos: Pos,
    /// `Present` always carries `title`: the key.
    pub link: DesiredLink,
    /// Where the effective `access` was written (the link or `defaults`).
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
    let bytes = input::read(path, input::MANIFEST).map_err(|e| {
        let empty = Source::lf(name.clone(), String::new());
        match e {
            InputError::TooLarge { size, .. } => too_large(empty, size),
            e => {
                let d =
                    Diagnostic::file(Code::Read, format!("cannot read the manifest {name}: {e}"));
                ManifestError::new(empty, vec![d])
            }
        }
    })?;
    parse(Source::decode(name.clone(), bytes)?, env)
}

/// Reads and validates a manifest from a stream that has no size to look at first
/// (`-f -`, standard input), named `name` in every diagnostic. At most one byte past
/// the limit is read: a larger stream is refused without being held in memory.
pub fn read(
    name: &str,
    reader: impl std::io::Read,
    env: &Environment,
) -> Result<Manifest, ManifestError> {
    parse(
        Source::decode(name.to_owned(), read_bytes(name, reader)?)?,
        env,
    )
}

/// The stream's bytes, refused past the size the tool reads (the read itself
/// stops there, `input::read_from`).
pub fn read_bytes(name: &str, reader: impl std::io::Read) -> Result<Vec<u8>, ManifestError> {
    input::read_from(reader, input::MANIFEST, 0).map_err(|e| {
        let empty = Source::lf(name.to_owned(), String::new());
        match e {
            InputError::TooLarge { size, .. } => too_large(empty, size),
            e => {
                let d = Diagnostic::file(
                    Code::Read,
                    format!("cannot read the manifest from {name}: {e}"),
                );
                ManifestError::new(empty, vec![d])
            }
        }
    })
}

/// Validates manifest text, reporting every problem: all structural ones at once, then,
/// once the structure is sound, every validation problem.
pub fn parse(source: Source, env: &Environment) -> Result<Manifest, ManifestError> {
    let source = Source::lf(source.name, source.text);
    if source.text.len() > MAX_MANIFEST_BYTES {
        let size = source.text.len() as u64;
        return Err(too_large(source, Some(size)));
    }
    let raw = match structure_of(&source.text) {
        Ok(raw) => raw,
        Err(diagnostics) => return Err(ManifestError::new(source, diagnostics)),
    };
    let (scopes, mut problems) = scopes::validate(&raw);
    let (policy, policy_problems) = policy::validate(&raw, env.now);
    problems.extend(policy_problems);
    let (safety, safety_problems) = safety::validate(&raw);
    problems.extend(safety_problems);
    match validate::validate(&raw, env) {
        Ok((entries, secrets)) if problems.is_empty() => Ok(Manifest {
            source,
            entries,
            secrets,
            scopes,
            policy,
            safety,
        }),
        Ok(_) => Err(ManifestError::new(source, problems)),
        Err(mut diagnostics) => {
            diagnostics.extend(problems);
            Err(ManifestError::new(source, diagnostics))
        }
    }
}

/// Only the `safety:` shares of a manifest, read without its environment (no
/// password is looked up): `show` renders a saved plan against the shares of the
/// manifest it was made from.
pub fn safety_of(source: Source) -> Result<Safety, ManifestError> {
    let source = Source::lf(source.name, source.text);
    let raw = match structure_of(&source.text) {
        Ok(raw) => raw,
        Err(diagnostics) => return Err(ManifestError::new(source, diagnostics)),
    };
    match safety::validate(&raw) {
        (safety, problems) if problems.is_empty() => Ok(safety),
        (_, problems) => Err(ManifestError::new(source, problems)),
    }
}

/// The manifest's raw structure, or every structural problem in it.
fn structure_of(text: &str) -> Result<raw::RawManifest, Vec<Diagnostic>> {
    yaml::parse(text).map_err(|first| explain_structure(text, first))
}

/// serde stopped at `first`; the structure pass finds the rest. A budget error is not
/// walked again, and when the pass finds nothing serde's own error stands.
fn explain_structure(text: &str, first: Diagnostic) -> Vec<Diagnostic> {
    if first.code == Code::TooLarge {
        return vec![first];
    }
    match structure::check(text) {
        structure::Outcome::Empty => vec![
            Diagnostic::file(Code::Empty, "the manifest is empty")
                .help("start with `version: 1` and a `folders:` list"),
        ],
        // Only the syntax error: serde has it too, in words explain() has polished.
        structure::Outcome::Problems(found) if found.iter().all(|d| d.code == Code::YamlSyntax) => {
            vec![first]
        }
        structure::Outcome::Problems(found) => found,
    }
}

/// `size` is unknown when the file grew past the limit while it was read.
fn too_large(source: Source, size: Option<u64>) -> ManifestError {
    let mib = |n: u64| n as f64 / f64::from(1 << 20);
    let is = match size {
        Some(size) => format!("{:.1} MiB", mib(size)),
        None => format!("larger than {} MiB", MAX_MANIFEST_BYTES >> 20),
    };
    let d = Diagnostic::file(
        Code::TooLarge,
        format!(
            "the manifest is {is}; docspace-links reads manifests of at most {} MiB",
            MAX_MANIFEST_BYTES >> 20
        ),
    )
    .help("split it into several manifests (each is planned and applied on its own)");
    ManifestError::new(source, vec![d])
}

#[cfg(test)]
mod tests;
