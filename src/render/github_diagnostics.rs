//! Manifest errors as workflow commands: one `::error` per diagnostic at its file,
//! line and column, so the pull request shows it on the line that is wrong.
//!
//! Rendered from the diagnostic's structured fields (code, message, place, label, help),
//! never from the snippet: the snippet shows manifest lines, and a manifest that
//! failed validation may hold a literal password.

use super::github::{Annotation, Level};
use super::printable;
use crate::diagnostic::Severity;
use crate::manifest::ManifestError;

pub fn manifest_commands(e: &ManifestError) -> String {
    e.diagnostics()
        .iter()
        .map(|d| {
            let title = format!("docspace-links: {}", d.code);
            // The message, label and help quote the manifest (a path, a key, a
            // value): each made printable, so a newline inside one stays in it.
            let mut message = printable(&d.message).into_owned();
            if let Some(label) = &d.label {
                message.push_str(&format!(" ({})", printable(label)));
            }
            if let Some(help) = &d.help {
                message.push_str(&format!("\nhelp: {}", printable(help)));
            }
            Annotation {
                file: Some(e.file()),
                line: d.pos.map(|p| p.line),
                col: d.pos.map(|p| p.column),
                end_col: d.pos.map(|p| p.column + p.len.max(1)),
                title: Some(&title),
            }
            .render(
                match d.severity {
                    Severity::Error => Level::Error,
                    Severity::Warning => Level::Warning,
                },
                &message,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{Code, Diagnostic, Pos, Source};

    #[test]
    fn each_diagnostic_lands_on_its_line_and_column() {
        let source = Source {
            name: "ci/links,1.yaml".into(),
            text: "version: 1\nfolders:\n  - path: A\n    link: { access: owner }\n".into(),
        };
        let e = ManifestError::new(
            source,
            vec![
                Diagnostic::at(
                    Pos {
                        line: 4,
                        column: 21,
                        len: 5,
                    },
                    "unknown access level `owner`",
                )
                .code(Code::UnknownAccess)
                .label("here")
                .help("use one of: read, review"),
                Diagnostic::file(Code::Empty, "the manifest is empty"),
            ],
        );
        assert_eq!(
            manifest_commands(&e),
            "::error file=ci/links%2C1.yaml,line=4,col=21,endColumn=26,title=docspace-links%3A unknown-access::unknown access level `owner` (here)%0Ahelp: use one of: read, review\n\
             ::error file=ci/links%2C1.yaml,title=docspace-links%3A empty::the manifest is empty\n"
        );
    }
}
