//! `validate -f FILE`: everything about a manifest that can be checked without a
//! portal (YAML syntax, the schema, paths, expiries, scopes, the policy against the
//! entries, safety shares, password references' names and prefix), reported all at
//! once, with no request and no secret needed: for a pre-commit hook or an editor
//! task, where neither the portal nor CI's secrets are at hand.
//!
//! A password variable that is not set here (or a password file that is not there)
//! is a warning: plan and apply would stop on it, but on a laptop it is expected. A
//! password that *is* at hand is held to the portal's policy like plan does, and is
//! never shown.

use std::path::PathBuf;

use super::Output;
use super::args::{ValidateArgs, ValidateFormat};
use super::config::{env_var, environment};
use crate::error::{Error, exit};
use crate::manifest::{Code, Manifest, ManifestError};
use crate::render;

/// Exit 0 when every manifest is valid (warnings or not), 1 when one has an error.
pub fn run(args: ValidateArgs, out: &mut Output) -> Result<u8, Error> {
    super::input::at_most_one_stdin(args.files.iter().map(PathBuf::as_path), "the -f files")?;
    let mut checked = Vec::with_capacity(args.files.len());
    for file in &args.files {
        let found = match super::input::load(file, &environment(file, &env_var)) {
            Ok(manifest) => {
                // Nothing prints a password; this keeps it so should a message quote one.
                out.hide(manifest.secrets.values());
                Found::Valid(manifest)
            }
            Err(Error::Manifest(m)) => Found::Problems(as_offline(m)),
            Err(e) => return Err(e),
        };
        checked.push((super::input::name(file), found));
    }
    let problems: Vec<&ManifestError> = checked
        .iter()
        .filter_map(|(_, found)| match found {
            Found::Valid(_) => None,
            Found::Problems(m) => Some(m),
        })
        .collect();
    let names: Vec<&str> = checked.iter().map(|(name, _)| name.as_str()).collect();
    match args.format {
        ValidateFormat::Json => out.print(&render::validate_json(&names, &problems))?,
        ValidateFormat::Github => {
            for m in &problems {
                out.commands(&render::manifest_commands(m))?;
            }
        }
        ValidateFormat::Human => {}
    }
    let mut errors = 0;
    for (name, found) in &checked {
        let (e, w) = match found {
            Found::Valid(_) => (0, 0),
            Found::Problems(m) => {
                out.eprint(&format!("{}\n", render::manifest_text(m)));
                counts(m)
            }
        };
        errors += e;
        if args.format != ValidateFormat::Json {
            out.print(&summary(name, found, e, w))?;
        }
    }
    Ok(if errors == 0 { exit::OK } else { exit::ERROR })
}

enum Found {
    Valid(Manifest),
    Problems(ManifestError),
}

/// A password that is not at hand is a warning here, not an error: the rest of the
/// manifest was checked all the same (validation goes on past it).
fn as_offline(m: ManifestError) -> ManifestError {
    let diagnostics = m
        .diagnostics()
        .iter()
        .cloned()
        .map(|d| {
            if d.code == Code::PasswordUnavailable {
                d.warning()
            } else {
                d
            }
        })
        .collect();
    ManifestError::new(m.source().clone(), diagnostics)
}

fn counts(m: &ManifestError) -> (usize, usize) {
    let errors = m
        .diagnostics()
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .count();
    (errors, m.diagnostics().len() - errors)
}

fn summary(name: &str, found: &Found, errors: usize, warnings: usize) -> String {
    let name = render::printable(name);
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    match found {
        Found::Valid(m) => format!(
            "{name} is valid: {}, {}; nothing was sent to a portal.\n",
            plural(m.entries.len(), "folder entry", "folder entries"),
            plural(m.scopes.len(), "scope", "scopes"),
        ),
        Found::Problems(_) if errors == 0 => format!(
            "{name} is valid, with {} (see above); nothing was sent to a portal.\n",
            plural(warnings, "warning", "warnings")
        ),
        Found::Problems(_) => format!(
            "{name} is not valid: {}, {}.\n",
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings")
        ),
    }
}
