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

    /// Text shown after the underline.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
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
    /// Renders one diagnostic as a snippet of this file. Literal passwords in the
    /// shown lines are masked, whatever the diagnostic is about: CI logs are read
    /// by many.
    pub fn render(&self, d: &Diagnostic) -> String {
        let shown = redact(&self.text);
        let mut out = format!("error: {}\n", d.message);
        let width = d
            .notes
            .iter()
            .map(|(p, _)| p.line)
            .chain(d.pos.map(|p| p.line))
            .max()
            .map_or(1, |l| l.to_string().len());
        match d.pos {
            Some(pos) => self.snippet(&mut out, &shown, pos, d.label.as_deref(), width),
            None => {
                let _ = writeln!(out, "{:width$}--> {}", "", self.name);
            }
        }
        for (pos, text) in &d.notes {
            let _ = writeln!(out, "{:width$} |\nnote: {text}", "");
            self.snippet(&mut out, &shown, *pos, None, width);
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "{:width$} |\n{:width$} = help: {help}", "", "");
        }
        out
    }

    fn snippet(
        &self,
        out: &mut String,
        shown: &[ShownLine],
        pos: Pos,
        label: Option<&str>,
        width: usize,
    ) {
        let _ = writeln!(
            out,
            "{:width$}--> {}:{}:{}",
            "", self.name, pos.line, pos.column
        );
        let Some(line) = shown.get((pos.line as usize).wrapping_sub(1)) else {
            return;
        };
        let chars: Vec<char> = line.text.chars().collect();
        let from = (pos.column as usize - 1).min(chars.len());
        let start = line.map_start(from).min(chars.len());
        let mut end = line
            .map_end(from + pos.len.max(1) as usize)
            .clamp(start + 1, chars.len().max(start + 1));
        // The parser places a flow mapping or list at its opening bracket only;
        // underlining up to the closing one shows the whole value.
        if end == start + 1 && matches!(chars.get(start), Some('{' | '[')) {
            end = (closing(&chars, start) + 1).min(chars.len());
        }
        let _ = writeln!(out, "{:width$} |", "");
        let _ = writeln!(out, "{:>width$} | {}", pos.line, line.text);
        let _ = write!(
            out,
            "{:width$} | {}{}",
            "",
            " ".repeat(start),
            "^".repeat(end - start)
        );
        match label {
            Some(l) => {
                let _ = writeln!(out, " {l}");
            }
            None => out.push('\n'),
        }
    }
}

const MASK: &str = "********";

/// A source line as it may be shown, and where masking moved its characters.
struct ShownLine {
    text: String,
    /// `(start, old length, new length)` in characters of the original line, in order.
    edits: Vec<(usize, usize, usize)>,
}

impl ShownLine {
    /// Where original column `c` (0-based) starts in the shown line.
    fn map_start(&self, c: usize) -> usize {
        let mut shift = 0isize;
        for &(at, old, new) in &self.edits {
            if c >= at + old {
                shift += new as isize - old as isize;
            } else if c >= at {
                return (at as isize + shift) as usize;
            }
        }
        (c as isize + shift) as usize
    }

    /// Where an underline ending before original column `c` ends in the shown line.
    fn map_end(&self, c: usize) -> usize {
        let mut shift = 0isize;
        for &(at, old, new) in &self.edits {
            if c >= at + old {
                shift += new as isize - old as isize;
            } else if c > at {
                return (at as isize + shift) as usize + new;
            }
        }
        (c as isize + shift) as usize
    }
}

/// The value of a `password:` key continues on the lines below that are indented
/// past the key: a block mapping (references allowed) or a multi-line scalar.
#[derive(Clone, Copy)]
struct Continuation {
    key_column: usize,
    scalar: bool,
}

/// Masks every literal password in the text. It works on the text, not on the parsed
/// YAML, so it also protects files that fail to parse: anything after a `password`
/// key that is not `false`, `true` or an `env`/`file` reference is masked.
fn redact(text: &str) -> Vec<ShownLine> {
    let mut lines = Vec::new();
    let mut open: Option<Continuation> = None;
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let body_is_blank = chars[indent..].first().is_none_or(|c| *c == '#');
        if let Some(Continuation { key_column, scalar }) = open {
            if body_is_blank {
                lines.push(ShownLine {
                    text: line.to_owned(),
                    edits: Vec::new(),
                });
                continue;
            }
            if indent > key_column {
                lines.push(mask_block_line(&chars, indent, scalar));
                continue;
            }
        }
        let (shown, cont) = mask_line(&chars);
        open = cont;
        lines.push(shown);
    }
    lines
}

fn apply(chars: &[char], edits: Vec<(usize, usize, usize)>) -> ShownLine {
    let mut text = String::with_capacity(chars.len());
    let mut i = 0;
    for &(at, old, _) in &edits {
        text.extend(&chars[i..at]);
        text.push_str(MASK);
        i = at + old;
    }
    text.extend(&chars[i..]);
    ShownLine { text, edits }
}

fn mask(at: usize, end: usize) -> Option<(usize, usize, usize)> {
    (end > at).then_some((at, end - at, MASK.chars().count()))
}

/// A line inside a block value of `password:`: references stay readable, anything
/// else is masked.
fn mask_block_line(chars: &[char], indent: usize, scalar: bool) -> ShownLine {
    let body: String = chars[indent..].iter().collect();
    let end = chars.len();
    if !scalar {
        let key = body
            .split(':')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches(['"', '\'']);
        if body.contains(':') && matches!(key, "env" | "file") {
            return apply(chars, Vec::new());
        }
        if let Some(colon) = body.find(": ")
            && body[..colon]
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_')
        {
            let at = indent + body[..colon + 2].chars().count();
            return apply(chars, mask(at, end).into_iter().collect());
        }
    }
    apply(chars, mask(indent, end).into_iter().collect())
}

fn mask_line(chars: &[char]) -> (ShownLine, Option<Continuation>) {
    const KEY: [char; 8] = ['p', 'a', 's', 's', 'w', 'o', 'r', 'd'];
    let mut edits = Vec::new();
    let mut cont = None;
    let mut i = 0;
    while i + KEY.len() <= chars.len() {
        let boundary = i == 0 || matches!(chars[i - 1], ' ' | '{' | ',' | '"' | '\'');
        if !boundary || chars[i..i + KEY.len()] != KEY {
            i += 1;
            continue;
        }
        let key_column = if i > 0 && matches!(chars[i - 1], '"' | '\'') {
            i - 1
        } else {
            i
        };
        let mut j = i + KEY.len();
        if j < chars.len() && matches!(chars[j], '"' | '\'') {
            j += 1;
        }
        while j < chars.len() && chars[j] == ' ' {
            j += 1;
        }
        if j >= chars.len() || chars[j] != ':' || chars.get(j + 1).is_some_and(|c| *c != ' ') {
            i += 1;
            continue;
        }
        let mut v = j + 1;
        while v < chars.len() && chars[v] == ' ' {
            v += 1;
        }
        let in_flow = depth(&chars[..i]) > 0;
        match chars.get(v) {
            None | Some('#') => {
                cont = Some(Continuation {
                    key_column,
                    scalar: false,
                });
                i = chars.len();
            }
            Some('|' | '>') => {
                cont = Some(Continuation {
                    key_column,
                    scalar: true,
                });
                i = chars.len();
            }
            Some('{') => {
                let end = closing(chars, v);
                edits.extend(mask_references(chars, v + 1, end));
                i = end;
            }
            Some('[') => {
                let end = (closing(chars, v) + 1).min(chars.len());
                edits.extend(mask(v, end));
                i = end;
            }
            Some(&q @ ('"' | '\'')) => {
                // Skips `\"` in double quotes and `''` in single quotes.
                let mut end = v + 1;
                while end < chars.len() {
                    let escaped = match q {
                        '"' => chars[end] == '\\',
                        _ => chars[end] == q && chars.get(end + 1) == Some(&q),
                    };
                    if escaped {
                        end += 2;
                    } else if chars[end] == q {
                        break;
                    } else {
                        end += 1;
                    }
                }
                let end = (end + 1).min(chars.len());
                if end == chars.len() && chars.last() != Some(&q) {
                    cont = Some(Continuation {
                        key_column,
                        scalar: true,
                    });
                }
                edits.extend(mask(v, end));
                i = end;
            }
            Some(_) => {
                let end = plain_end(chars, v, in_flow);
                let word: String = chars[v..end].iter().collect();
                if !matches!(word.as_str(), "false" | "true" | "null" | "~") {
                    edits.extend(mask(v, end));
                    if !in_flow && end == chars.len() {
                        cont = Some(Continuation {
                            key_column,
                            scalar: true,
                        });
                    }
                }
                i = end.max(v + 1);
            }
        }
    }
    (apply(chars, edits), cont)
}

/// Within `{ ... }` after `password:`, values of keys other than `env` and `file`.
fn mask_references(chars: &[char], from: usize, to: usize) -> Vec<(usize, usize, usize)> {
    let mut edits = Vec::new();
    let mut start = from;
    for k in from..=to.min(chars.len()) {
        if k < to && chars[k] != ',' {
            continue;
        }
        let item: String = chars[start..k].iter().collect();
        let lead = item.chars().take_while(|c| *c == ' ').count();
        match item.split_once(':') {
            Some((key, _)) if matches!(key.trim().trim_matches(['"', '\'']), "env" | "file") => {}
            Some((key, value)) => {
                let at = start + key.chars().count() + 1;
                let at = at + value.chars().take_while(|c| *c == ' ').count();
                let end = start + item.trim_end().chars().count();
                edits.extend(mask(at, end));
            }
            None => {
                let end = start + item.trim_end().chars().count();
                edits.extend(mask(start + lead, end));
            }
        }
        start = k + 1;
    }
    edits
}

/// The index of the bracket closing the one at `open`, or the line's end.
fn closing(chars: &[char], open: usize) -> usize {
    let mut level = 0;
    for (k, c) in chars.iter().enumerate().skip(open) {
        match c {
            '{' | '[' => level += 1,
            '}' | ']' => {
                level -= 1;
                if level == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    chars.len()
}

/// How many flow collections are open at the end of `chars`.
fn depth(chars: &[char]) -> i32 {
    chars.iter().fold(0, |d, c| match c {
        '{' | '[' => d + 1,
        '}' | ']' => d - 1,
        _ => d,
    })
}

/// Where a plain scalar starting at `from` ends: at a comment, and inside `{}`/`[]`
/// also at `,`, `}` or `]`.
fn plain_end(chars: &[char], from: usize, in_flow: bool) -> usize {
    let mut end = chars.len();
    for k in from..chars.len() {
        let c = chars[k];
        if (in_flow && matches!(c, ',' | '}' | ']')) || (c == '#' && chars[k - 1] == ' ') {
            end = k;
            break;
        }
    }
    while end > from && chars[end - 1] == ' ' {
        end -= 1;
    }
    end
}

/// Everything wrong with a manifest, reported at once.
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

    /// The problems, still structured, for renderers other than the snippets.
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

    fn shown(text: &str) -> String {
        let lines: Vec<String> = redact(text).into_iter().map(|l| l.text).collect();
        lines.join("\n")
    }

    #[test]
    fn literal_passwords_are_masked_on_their_line() {
        let cases = [
            (
                "    link: { password: hunter22, title: x }",
                "    link: { password: ********, title: x }",
            ),
            (
                "      password: \"hunter22\"  # old",
                "      password: ********  # old",
            ),
            (
                "      password: 'it''s, a secret'",
                "      password: ********",
            ),
            ("      password: ab,cd # x", "      password: ******** # x"),
            ("      password: [a, b]", "      password: ********"),
            (
                "      password: { value: s3cret, env: P }",
                "      password: { value: ********, env: P }",
            ),
            ("      \"password\": s3cret", "      \"password\": ********"),
        ];
        for (line, masked) in cases {
            assert_eq!(shown(line), masked);
        }
    }

    #[test]
    fn references_and_other_keys_stay_readable() {
        for line in [
            "      password: { env: P }",
            "      password: {file: 'p.txt'}",
            "      password: false",
            "      password:",
            "      old_password_hint: x",
            "      title: my password is elsewhere",
        ] {
            assert_eq!(shown(line), line);
        }
    }

    #[test]
    fn block_values_below_a_password_key_are_masked() {
        assert_eq!(
            shown("link:\n  password:\n    env: P\n  title: T\n"),
            "link:\n  password:\n    env: P\n  title: T"
        );
        assert_eq!(
            shown("link:\n  password:\n    value: s3cret\n  title: T\n"),
            "link:\n  password:\n    value: ********\n  title: T"
        );
        assert_eq!(
            shown("link:\n  password: |\n    s3cret: x\n\n  title: T\n"),
            "link:\n  password: |\n    ********\n\n  title: T"
        );
        assert_eq!(
            shown("link:\n  password: two\n    words\n  title: T\n"),
            "link:\n  password: ********\n    ********\n  title: T"
        );
    }

    #[test]
    fn carets_follow_the_mask() {
        let s = source("link: { password: a-long-secret, acess: read }\n");
        let d = Diagnostic::at(
            Pos {
                line: 1,
                column: 34,
                len: 5,
            },
            "unknown key `acess`",
        );
        insta::assert_snapshot!(s.render(&d), @r"
        error: unknown key `acess`
         --> links.yaml:1:34
          |
        1 | link: { password: ********, acess: read }
          |                             ^^^^^
        ");
        let on_secret = Diagnostic::at(
            Pos {
                line: 1,
                column: 19,
                len: 13,
            },
            "literal",
        );
        assert!(
            s.render(&on_secret)
                .contains("\n  |                   ^^^^^^^^\n"),
            "{}",
            s.render(&on_secret)
        );
    }
}
