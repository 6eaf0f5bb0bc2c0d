//! Diagnostics as snippets of the user's file, drawn by annotate-snippets (which places
//! carets by display width, so wide characters such as CJK titles keep them aligned):
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
//!
//! Every shown line goes through the manifest's password mask first, then, like the
//! file's name and the messages (which quote the manifest), through `printable`: a
//! manifest line or path holding `##[`, a leading `::` or a line break cannot put a
//! workflow command of its own on stderr. The underline follows the escaped text.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Padding, Renderer, Snippet};

use super::{printable, printable_mapped};
use crate::diagnostic::Severity;
use crate::manifest::{Diagnostic, ManifestError, Masks, Pos, Source, closing_bracket};

/// Everything wrong with a manifest as people read it: a snippet per problem, with
/// literal passwords masked, and no newline at the end.
pub fn manifest_text(e: &ManifestError) -> String {
    render_all(e.source(), e.diagnostics())
        .trim_end()
        .to_owned()
}

/// One diagnostic, ending in a newline.
#[cfg(test)]
pub fn render(source: &Source, d: &Diagnostic) -> String {
    Shown::new(source).render(d)
}

/// Diagnostics one after the other, a blank line between them. The file is read and
/// masked once, however many there are.
pub fn render_all(source: &Source, diagnostics: &[Diagnostic]) -> String {
    let shown = Shown::new(source);
    diagnostics
        .iter()
        .map(|d| shown.render(d))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The file as error reports may show it.
struct Shown<'a> {
    name: String,
    lines: Vec<&'a str>,
    masks: Masks,
}

/// A header the renderer wrote from the masked line, and the one that points into the file.
struct Header {
    drawn: String,
    real: String,
}

impl<'a> Shown<'a> {
    fn new(source: &'a Source) -> Shown<'a> {
        let lines = source.lines();
        let masks = Masks::of(&source.text, &lines);
        Shown {
            name: printable(&source.name).into_owned(),
            lines,
            masks,
        }
    }

    fn render(&self, d: &Diagnostic) -> String {
        let mut headers = Vec::new();
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group = Group::with_title(level.primary_title(printable(&d.message)));
        group = match d.pos {
            Some(pos) => self.snippet(group, pos, d.label.as_deref().map(printable), &mut headers),
            None => group.element(Origin::path(self.name.as_str())),
        };
        let mut groups = Vec::with_capacity(1 + d.notes.len());
        for (pos, text) in &d.notes {
            groups.push(group);
            group = Group::with_title(Level::NOTE.secondary_title(printable(text)));
            group = self.snippet(group, *pos, None, &mut headers);
        }
        if let Some(help) = &d.help {
            // After a note's snippet the renderer draws no gutter line by itself.
            if !d.notes.is_empty() {
                group = group.element(Padding);
            }
            group = group.element(Level::HELP.message(printable(help)));
        }
        groups.push(group);
        let mut out = Renderer::plain().render(&groups);
        // The renderer counts columns in the masked line; the file has the secret's own
        // length there. Headers come in order, so each is looked for after the last.
        let mut from = 0;
        for h in headers {
            if let Some(at) = out[from..].find(&h.drawn) {
                let at = from + at;
                out.replace_range(at..at + h.drawn.len(), &h.real);
                from = at + h.real.len();
            }
        }
        out.push('\n');
        out
    }

    fn snippet<'g>(
        &self,
        group: Group<'g>,
        pos: Pos,
        label: Option<std::borrow::Cow<'g, str>>,
        headers: &mut Vec<Header>,
    ) -> Group<'g> {
        let Some(line) = self.lines.get((pos.line as usize).wrapping_sub(1)) else {
            return group.element(
                Origin::path(self.name.clone())
                    .line(pos.line as usize)
                    .char_column(pos.column as usize),
            );
        };
        let shown = self.masks.show(pos.line, line);
        let chars: Vec<char> = shown.text.chars().collect();
        let from = (pos.column as usize).saturating_sub(1);
        let start = shown.start(from).min(chars.len());
        let mut end = shown
            .end(from + pos.len.max(1) as usize)
            .clamp(start, chars.len());
        // The parser places a flow mapping or list at its opening bracket only;
        // underlining up to the closing one shows the whole value.
        if end <= start + 1 && matches!(chars.get(start), Some('{' | '[')) {
            end = (closing_bracket(&chars, start) + 1).min(chars.len());
        }
        if end == start && start < chars.len() {
            end = start + 1;
        }
        // Shown escaped: the span moves with the characters it covers.
        let (text, map) = printable_mapped(&shown.text);
        let (start, end) = (map[start], map[end]);
        let chars: Vec<char> = text.chars().collect();
        let byte = |c: usize| chars[..c].iter().map(|ch| ch.len_utf8()).sum::<usize>();
        if start + 1 != pos.column as usize {
            headers.push(Header {
                drawn: format!("--> {}:{}:{}\n", self.name, pos.line, start + 1),
                real: format!("--> {}:{}:{}\n", self.name, pos.line, pos.column),
            });
        }
        let annotation = AnnotationKind::Primary.span(byte(start)..byte(end));
        group.element(
            Snippet::source(text)
                .path(self.name.clone())
                .line_start(pos.line as usize)
                .annotation(match label {
                    Some(l) => annotation.label(l),
                    None => annotation,
                }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Code;

    fn source(text: &str) -> Source {
        Source {
            name: "links.yaml".into(),
            text: text.into(),
        }
    }

    fn pos(line: u32, column: u32, len: u32) -> Pos {
        Pos { line, column, len }
    }

    #[test]
    fn position_line_caret_label_and_help() {
        let s = source("version: 1\nfolders:\n  - path: x\n    link:\n      access: fill-forms\n");
        let d = Diagnostic::at(
            pos(5, 15, 10),
            "access level `fill-forms` is not allowed for a folder in a custom room",
        )
        .label("here")
        .help("allowed here: editing, review, comment, read");
        insta::assert_snapshot!(render(&s, &d), @r"
        error: access level `fill-forms` is not allowed for a folder in a custom room
         --> links.yaml:5:15
          |
        5 |       access: fill-forms
          |               ^^^^^^^^^^ here
          |
          = help: allowed here: editing, review, comment, read
        ");
    }

    #[test]
    fn notes_show_the_other_place_and_help_comes_last() {
        let s = source(&"x\n".repeat(12));
        let d = Diagnostic::at(pos(12, 1, 1), "two entries")
            .note(pos(3, 1, 1), "first here")
            .help("keep one");
        insta::assert_snapshot!(render(&s, &d), @r"
        error: two entries
          --> links.yaml:12:1
           |
        12 | x
           | ^
           |
        note: first here
          --> links.yaml:3:1
           |
         3 | x
           | ^
           |
           = help: keep one
        ");
    }

    #[test]
    fn headers_keep_the_files_column_after_a_mask() {
        let s = source("link: { password: a-long-secret, acess: read }\n");
        let d = Diagnostic::at(pos(1, 34, 5), "unknown key `acess`");
        insta::assert_snapshot!(render(&s, &d), @r"
        error: unknown key `acess`
         --> links.yaml:1:34
          |
        1 | link: { password: ********, acess: read }
          |                             ^^^^^
        ");
        // An underline on the secret covers the mask, never the secret's length.
        let on_secret = render(&s, &Diagnostic::at(pos(1, 19, 13), "literal"));
        assert!(
            on_secret.contains("\n  |                   ^^^^^^^^\n"),
            "{on_secret}"
        );
    }

    #[test]
    fn a_flow_collection_is_underlined_to_its_bracket() {
        let s = source("title: { a: 1, b: [2] }\n");
        let out = render(&s, &Diagnostic::at(pos(1, 8, 1), "not a string"));
        assert!(out.contains("  |        ^^^^^^^^^^^^^^^^\n"), "{out}");
    }

    #[test]
    fn without_a_line_to_show() {
        let s = source("version: 1\n");
        let whole = render(&s, &Diagnostic::file(Code::Empty, "the manifest is empty"));
        assert_eq!(whole, "error: the manifest is empty\n--> links.yaml\n");
        let past = render(&s, &Diagnostic::at(pos(9, 1, 1), "ends early"));
        assert!(past.contains("--> links.yaml:9:1"), "{past}");
        let end = render(&s, &Diagnostic::at(pos(1, 11, 1), "at the end"));
        assert!(end.contains("1 | version: 1\n  |           ^"), "{end}");
    }

    #[test]
    fn control_characters_in_the_file_are_not_sent_to_the_terminal() {
        let s = source("title: \u{1b}[2Jgone\n");
        let out = render(&s, &Diagnostic::at(pos(1, 8, 3), "odd \u{1b}[31m"));
        assert!(!out.contains('\u{1b}'), "{out:?}");
    }

    #[test]
    fn an_escaped_line_keeps_its_underline_and_column() {
        let s = Source {
            name: "a\n::error::x.yaml".into(),
            text: "title: \"a##[b\u{2028}\" acess: 1\n".into(),
        };
        let out = render(&s, &Diagnostic::at(pos(1, 17, 5), "unknown key `a##[b`"));
        assert!(!out.contains("##[") && !out.contains('\u{2028}'), "{out}");
        assert!(
            out.lines().all(|l| !l.trim_start().starts_with("::")),
            "{out}"
        );
        // The header names the file's own column; the carets sit under `acess`.
        assert!(out.contains("--> a\\n::error::x.yaml:1:17\n"), "{out}");
        let line = out.lines().find(|l| l.starts_with("1 |")).unwrap();
        let carets = out.lines().find(|l| l.contains('^')).unwrap();
        let at = carets.find('^').unwrap();
        assert_eq!(&line[at..at + 5], "acess", "{out}");
    }

    #[test]
    fn render_all_separates_reports_with_a_blank_line() {
        let s = source("a\nb\n");
        let all = render_all(
            &s,
            &[
                Diagnostic::at(pos(1, 1, 1), "one"),
                Diagnostic::at(pos(2, 1, 1), "two"),
            ],
        );
        assert!(all.contains("  | ^\n\nerror: two\n"), "{all}");
        assert_eq!(all.matches("error:").count(), 2);
    }
}
