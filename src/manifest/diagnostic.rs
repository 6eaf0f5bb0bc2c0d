//! Errors that point into the user's file, rendered as snippets:
//!
//! ```text
//! error: access level `fill-forms` is not allowed for a folder in a custom room
//!   --> links.yaml:12:15
//!    |
//! 12 |       access: fill-forms
//!    |               ^^^^^^^^^^
//!    |
//!    = help: allowed here: editing, review, comment, read
//! ```

use std::fmt::{self, Write};

/// A place in the manifest: 1-based line and column, and how many characters to underline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub len: u32,
}

/// One problem, with where it is and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    pub pos: Option<Pos>,
    pub label: Option<String>,
    /// Other places worth showing, e.g. the first of two duplicate entries.
    pub notes: Vec<(Pos, String)>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn at(pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            pos: Some(pos),
            label: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, pos: Pos, text: impl Into<String>) -> Self {
        self.notes.push((pos, text.into()));
        self
    }
}

/// The manifest's text and the name the user gave it.
#[derive(Clone, Debug)]
pub struct Source {
    pub name: String,
    pub text: String,
}

impl Source {
    /// Renders one diagnostic as a snippet of this file.
    pub fn render(&self, d: &Diagnostic) -> String {
        let mut out = format!("error: {}\n", d.message);
        let width = d
            .notes
            .iter()
            .map(|(p, _)| p.line)
            .chain(d.pos.map(|p| p.line))
            .max()
            .map_or(1, |l| l.to_string().len());
        match d.pos {
            Some(pos) => self.snippet(&mut out, pos, d.label.as_deref(), width),
            None => {
                let _ = writeln!(out, "{:width$}--> {}", "", self.name);
            }
        }
        for (pos, text) in &d.notes {
            let _ = writeln!(out, "{:width$} |\nnote: {text}", "");
            self.snippet(&mut out, *pos, None, width);
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "{:width$} |\n{:width$} = help: {help}", "", "");
        }
        out
    }

    fn snippet(&self, out: &mut String, pos: Pos, label: Option<&str>, width: usize) {
        let _ = writeln!(
            out,
            "{:width$}--> {}:{}:{}",
            "", self.name, pos.line, pos.column
        );
        let Some(line) = self.text.lines().nth(pos.line as usize - 1) else {
            return;
        };
        let line = redact_passwords(line);
        let shown = line.chars().count();
        let start = (pos.column as usize).saturating_sub(1).min(shown);
        let len = (pos.len as usize).clamp(1, shown.saturating_sub(start).max(1));
        let _ = writeln!(out, "{:width$} |", "");
        let _ = writeln!(out, "{:>width$} | {line}", pos.line);
        let _ = write!(
            out,
            "{:width$} | {}{}",
            "",
            " ".repeat(start),
            "^".repeat(len)
        );
        match label {
            Some(l) => {
                let _ = writeln!(out, " {l}");
            }
            None => out.push('\n'),
        }
    }
}

/// Source lines are shown in errors, and CI logs are read by many: a literal
/// password value is masked, whatever the error is about.
pub fn redact_passwords(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find("password:") {
        let (head, tail) = rest.split_at(i + "password:".len());
        out.push_str(head);
        let value_start = tail.len() - tail.trim_start().len();
        out.push_str(&tail[..value_start]);
        let value = &tail[value_start..];
        let end = value.find([',', '}', '#']).unwrap_or(value.len());
        let word = value[..end].trim_end();
        let is_reference =
            word.is_empty() || word.starts_with('{') || word == "false" || word == "true";
        if is_reference {
            rest = value;
        } else {
            out.push_str("********");
            rest = &value[word.len()..];
        }
    }
    out.push_str(rest);
    out
}

/// Everything wrong with a manifest, reported at once.
#[derive(Debug)]
pub struct ManifestError {
    source: Source,
    diagnostics: Vec<Diagnostic>,
}

impl ManifestError {
    pub fn new(source: Source, diagnostics: Vec<Diagnostic>) -> Self {
        ManifestError {
            source,
            diagnostics,
        }
    }

    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rendered: Vec<String> = self
            .diagnostics
            .iter()
            .map(|d| self.source.render(d))
            .collect();
        f.write_str(rendered.join("\n").trim_end())
    }
}

impl std::error::Error for ManifestError {}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> Source {
        Source {
            name: "links.yaml".into(),
            text: text.into(),
        }
    }

    #[test]
    fn renders_position_line_and_caret() {
        let s = source("version: 1\nfolders:\n  - path: x\n    link:\n      access: fill-forms\n");
        let d = Diagnostic::at(
            Pos {
                line: 5,
                column: 15,
                len: 10,
            },
            "access level `fill-forms` is not allowed for a folder in a custom room",
        )
        .help("allowed here: editing, review, comment, read");
        insta::assert_snapshot!(s.render(&d), @r"
        error: access level `fill-forms` is not allowed for a folder in a custom room
         --> links.yaml:5:15
          |
        5 |       access: fill-forms
          |               ^^^^^^^^^^
          |
          = help: allowed here: editing, review, comment, read
        ");
    }

    #[test]
    fn notes_show_the_other_place() {
        let s = source("a\nb\nc\n");
        let d = Diagnostic::at(
            Pos {
                line: 3,
                column: 1,
                len: 1,
            },
            "two entries",
        )
        .note(
            Pos {
                line: 1,
                column: 1,
                len: 1,
            },
            "first here",
        );
        let r = s.render(&d);
        assert!(
            r.contains("links.yaml:3:1")
                && r.contains("note: first here")
                && r.contains("links.yaml:1:1"),
            "{r}"
        );
    }

    #[test]
    fn literal_passwords_are_masked_in_any_snippet() {
        assert_eq!(
            redact_passwords("    link: { password: hunter22, title: x }"),
            "    link: { password: ********, title: x }"
        );
        assert_eq!(
            redact_passwords("      password: \"hunter22\"  # old"),
            "      password: ********  # old"
        );
        assert_eq!(
            redact_passwords("      password: { env: P }"),
            "      password: { env: P }"
        );
        assert_eq!(
            redact_passwords("      password: false"),
            "      password: false"
        );
        assert_eq!(redact_passwords("      password:"), "      password:");
    }
}
