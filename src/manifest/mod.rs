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
use crate::model::{Policy, Safety, Secrets};

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
    let unreadable = |e: std::io::Error| unreadable(&name, &format!("the manifest {name}"), e);
    // Checked before reading, so a huge file is refused without being read.
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > MAX_MANIFEST_BYTES as u64 {
        return Err(too_large(Source::lf(name.clone(), String::new()), size));
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
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

/// The stream's bytes, refused past the size the tool reads.
pub fn read_bytes(name: &str, reader: impl std::io::Read) -> Result<Vec<u8>, ManifestError> {
    use std::io::Read as _;
    let mut bytes = Vec::new();
    reader
        .take(MAX_MANIFEST_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(name, &format!("the manifest from {name}"), e))?;
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(too_large(
            Source::lf(name.to_owned(), String::new()),
            bytes.len() as u64,
        ));
    }
    Ok(bytes)
}

fn unreadable(name: &str, what: &str, e: std::io::Error) -> ManifestError {
    let d = Diagnostic::file(Code::Read, format!("cannot read {what}: {e}"));
    ManifestError::new(Source::lf(name.to_owned(), String::new()), vec![d])
}

/// Validates manifest text, reporting every problem: all structural ones at once, then,
/// once the structure is sound, every validation problem.
pub fn parse(source: Source, env: &Environment) -> Result<Manifest, ManifestError> {
    let source = Source::lf(source.name, source.text);
    if source.text.len() > MAX_MANIFEST_BYTES {
        let size = source.text.len() as u64;
        return Err(too_large(source, size));
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

fn too_large(source: Source, size: u64) -> ManifestError {
    let mib = |n: u64| n as f64 / f64::from(1 << 20);
    let d = Diagnostic::file(
        Code::TooLarge,
        format!(
            "the manifest is {:.1} MiB; docspace-links reads manifests of at most {} MiB",
            mib(size),
            MAX_MANIFEST_BYTES >> 20
        ),
    )
    .help("split it into several manifests (each is planned and applied on its own)");
    ManifestError::new(source, vec![d])
}

#[cfg(test)]
mod tests;
