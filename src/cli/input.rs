//! Where a manifest comes from: a file, or standard input when it is `-` (`-f -`, so
//! that a generated manifest can be piped in, `... | docspace-links plan -f -`). Read
//! from standard input, the manifest is named `<stdin>` in every diagnostic, and its
//! `{ file: ... }` password references are relative to the working directory.

use std::path::Path;

use crate::error::Error;
use crate::manifest::{self, Environment, Manifest};

/// How diagnostics name a manifest read from standard input.
pub const STDIN_NAME: &str = "<stdin>";

/// Whether `-f` asked for standard input.
pub fn is_stdin(file: &Path) -> bool {
    file.as_os_str() == "-"
}

/// The name diagnostics and saved plans give the manifest at `file`.
pub fn name(file: &Path) -> String {
    if is_stdin(file) {
        STDIN_NAME.to_owned()
    } else {
        file.display().to_string()
    }
}

/// Where `{ file: ... }` password references start: beside the manifest, or the
/// working directory for standard input (a stream has no folder).
pub fn base_dir(file: &Path) -> &Path {
    match file.parent() {
        Some(dir) if !is_stdin(file) => dir,
        _ => Path::new("."),
    }
}

/// Reads and validates the manifest at `file`, or from standard input.
pub fn load(file: &Path, env: &Environment) -> Result<Manifest, Error> {
    if is_stdin(file) {
        Ok(manifest::read(STDIN_NAME, std::io::stdin().lock(), env)?)
    } else {
        Ok(manifest::load(file, env)?)
    }
}

/// The manifest's text as it is, for a saved plan's digest (`apply --plan -f -`).
pub fn read_text(file: &Path) -> Result<String, Error> {
    if is_stdin(file) {
        let bytes = manifest::read_bytes(STDIN_NAME, std::io::stdin().lock())?;
        return String::from_utf8(bytes).map_err(|e| Error::Io {
            what: "read the manifest the saved plan was made from",
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error()),
        });
    }
    crate::input::read_text(file, crate::input::MANIFEST).map_err(|source| Error::Input {
        what: "read the manifest the saved plan was made from",
        path: file.display().to_string(),
        source,
    })
}

/// Standard input can be read once: `plan -f - --baseline -` or `validate -f - -`
/// cannot have both. `flags` says which options the files came from.
pub fn at_most_one_stdin<'a>(
    files: impl IntoIterator<Item = &'a Path>,
    flags: &str,
) -> Result<(), Error> {
    if files.into_iter().filter(|f| is_stdin(f)).count() > 1 {
        return Err(Error::Io {
            what: "read two manifests from standard input",
            source: std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("only one of {flags} can be `-`"),
            ),
        });
    }
    Ok(())
}
