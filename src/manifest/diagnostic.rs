//! Everything wrong with a manifest, kept as data (`crate::diagnostic`) with the text
//! it points into. `render/` turns it into snippets at the edge; nothing here draws them.

use std::fmt;

use super::Source;
/// The model is the crate's (`crate::diagnostic`); the manifest's modules name it here.
pub use crate::diagnostic::{Code, Diagnostic, Pos};

/// Everything wrong with a manifest, reported at once, with the text it points into.
#[derive(Debug)]
pub struct ManifestError {
    source: Source,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl ManifestError {
    pub fn new(source: Source, diagnostics: Vec<Diagnostic>) -> Self {
        ManifestError {
            source,
            diagnostics,
        }
    }

    /// The file the diagnostics point into, as the user named it.
    pub fn file(&self) -> &str {
        &self.source.name
    }

    /// The text the diagnostics point into, for the snippets.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// The problems, still structured, for renderers other than the snippets.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

/// One line per problem, `file:line:column: message`, without the file's text: the
/// snippets people read (with literal passwords masked) are drawn by `render/`.
impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            match d.pos {
                Some(p) => write!(
                    f,
                    "{}:{}:{}: {}",
                    self.source.name, p.line, p.column, d.message
                )?,
                None => write!(f, "{}: {}", self.source.name, d.message)?,
            }
        }
        Ok(())
    }
}

impl std::error::Error for ManifestError {}
