//! The manifest's text as positions refer to it: UTF-8, with LF line ends.

use std::fmt;

use super::diagnostic::{Code, Diagnostic, ManifestError, Pos};

/// The manifest's text and the name the user gave it.
#[derive(Clone)]
pub struct Source {
    pub name: String,
    pub text: String,
}

/// The text is left out: a manifest that failed validation may hold a literal
/// password, and errors end up Debug-printed at the binary's edge.
impl fmt::Debug for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Source")
            .field("name", &self.name)
            .field("lines", &self.text.lines().count())
            .finish_non_exhaustive()
    }
}

impl Source {
    /// The file's bytes as text. Invalid UTF-8 is an error at the first bad byte, so the
    /// user can find it; the text kept for the snippet shows it as U+FFFD.
    pub fn decode(name: String, bytes: Vec<u8>) -> Result<Source, ManifestError> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source { name, text }),
            Err(e) => {
                let bad = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let text = String::from_utf8_lossy(&bytes).into_owned();
                let pos = end_of(&text[..bad]);
                let d = Diagnostic::at(
                    pos,
                    format!(
                        "the manifest is not UTF-8 text: byte 0x{:02X} at line {}, column {}",
                        bytes[bad], pos.line, pos.column
                    ),
                )
                .code(Code::Encoding)
                .label("not UTF-8")
                .help("save the manifest as UTF-8 (YAML's own encoding)");
                Err(ManifestError::new(Source::lf(name, text), vec![d]))
            }
        }
    }

    /// The text with CR LF and lone CR line ends turned into LF. YAML counts all three
    /// as line breaks (and so does the parser), while Rust's `lines()` knows only LF:
    /// unnormalised, a CR-only file would be one long line and snippets would not match
    /// the positions.
    pub fn lf(name: String, text: String) -> Source {
        Source {
            name,
            text: with_lf(text),
        }
    }

    /// The text's lines (1-based line `n` is `lines()[n - 1]`), for lookups by position.
    pub fn lines(&self) -> Vec<&str> {
        self.text.split('\n').collect()
    }
}

/// Line and column (in characters) just past `prefix`.
fn end_of(prefix: &str) -> Pos {
    let prefix = with_lf(prefix.to_owned());
    let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
    let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    Pos {
        line: clamp(prefix.matches('\n').count() + 1),
        column: clamp(prefix[line_start..].chars().count() + 1),
        len: 1,
    }
}

fn with_lf(text: String) -> String {
    if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    }
}
