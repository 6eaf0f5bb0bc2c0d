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
//! Every shown line goes through the manifest's password mask first.

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Padding, Renderer, Snippet};

use crate::manifest::{Diagnostic, Masks, Pos, Source, closing_bracket};

/// One diagnostic, ending in a newline.
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
            name: annotate_snippets::normalize_untrusted_str(&source.name),
            lines,
            masks,
        }
    }

    fn render(&self, d: &Diagnostic) -> String {
        let mut headers = Vec::new();
        let mut group = Group::with_title(Level::ERROR.primary_title(d.message.as_str()));
        group = match d.pos {
            Some(pos) => self.snippet(group, pos, d.label.as_deref(), &mut headers),
            None => group.element(Origin::path(self.name.as_str())),
        };
        let mut groups = Vec::with_capacity(1 + d.notes.len());
        for (pos, text) in &d.notes {
            groups.push(group);
            group = Group::with_title(Level::NOTE.secondary_title(text.as_str()));
            group = self.snippet(group, *pos, None, &mut headers);
        }
        if let Some(help) = &d.help {
            // After a note's snippet the renderer draws no gutter line by itself.
            if !d.notes.is_empty() {
                group = group.element(Padding);
            }
            group = group.element(Level::HELP.message(help.as_str()));
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
        label: Option<&'g str>,
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
        let byte = |c: usize| chars[..c].iter().map(|ch| ch.len_utf8()).sum::<usize>();
        if start + 1 != pos.column as usize {
            headers.push(Header {
                drawn: format!("--> {}:{}:{}\n", self.name, pos.line, start + 1),
                real: format!("--> {}:{}:{}\n", self.name, pos.line, pos.column),
            });
        }
        let annotation = AnnotationKind::Primary.span(byte(start)..byte(end));
        group.element(
            Snippet::source(shown.text)
                .path(self.name.clone())
                .line_start(pos.line as usize)
                .annotation(match label {
                    Some(l) => annotation.label(l),
                    None => annotation,
                }),
        )
    }
}
