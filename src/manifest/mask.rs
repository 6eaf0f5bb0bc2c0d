//! Literal passwords are hidden in every line an error report shows, whatever the error
//! is about: CI logs are read by many. What to hide comes from the document as parsed,
//! so every YAML spelling of the key counts (`"pass\u0077ord"`, `? password`,
//! `Password`) and an alias under it hides the anchored value too. A file that does not
//! parse gets the text heuristic of `text_mask` on top.

use std::collections::HashMap;
use std::ops::Range;

use serde_saphyr::granit_parser::ScalarStyle;

use super::events::{self, Node, Role, Span, Visitor};
use super::text_mask;

pub const MASK: &str = "********";

/// What to hide, as character ranges of each (1-based) line.
#[derive(Default)]
pub struct Masks {
    lines: HashMap<u32, Vec<Range<usize>>>,
}

impl Masks {
    /// `lines` are `text`'s lines, as `Source::lines` splits them.
    pub fn of(text: &str, lines: &[&str]) -> Masks {
        let mut finder = Finder::default();
        let parsed = events::walk(text, &mut finder).is_ok();
        let mut masks = Masks::default();
        for span in finder.secrets() {
            masks.add_span(lines, span);
        }
        if !parsed {
            for (i, ranges) in text_mask::ranges(text).into_iter().enumerate() {
                let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
                for r in ranges {
                    masks.lines.entry(line).or_default().push(r);
                }
            }
        }
        masks
    }

    /// Line `line` (1-based) as it may be shown.
    pub fn show(&self, line: u32, text: &str) -> ShownLine {
        let mut ranges = self.lines.get(&line).cloned().unwrap_or_default();
        ranges.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::new();
        for r in ranges {
            match merged.last_mut() {
                Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
                _ => merged.push(r),
            }
        }
        let chars: Vec<char> = text.chars().collect();
        let mut shown = String::with_capacity(text.len());
        let mut edits = Vec::with_capacity(merged.len());
        let mut i = 0;
        for r in merged {
            let (start, end) = (r.start.max(i), r.end.min(chars.len()));
            if start >= end {
                continue;
            }
            shown.extend(&chars[i..start]);
            shown.push_str(MASK);
            edits.push((start, end - start, MASK.len()));
            i = end;
        }
        shown.extend(&chars[i..]);
        ShownLine { text: shown, edits }
    }

    /// A span, line by line: from its start (or a line's first non-blank) to its end
    /// (or the line's last non-blank).
    fn add_span(&mut self, lines: &[&str], span: Span) {
        for line in span.start.line..=span.end.line {
            let Some(text) = lines.get(line as usize - 1) else {
                break;
            };
            let chars: Vec<char> = text.chars().collect();
            let from = if line == span.start.line {
                span.start.col as usize
            } else {
                chars.iter().take_while(|c| c.is_whitespace()).count()
            };
            let mut to = if line == span.end.line {
                (span.end.col as usize).min(chars.len())
            } else {
                chars.len()
            };
            while to > from && chars[to - 1].is_whitespace() {
                to -= 1;
            }
            if to > from {
                self.lines.entry(line).or_default().push(from..to);
            }
        }
    }
}

/// A source line as it may be shown, and where masking moved its characters.
pub struct ShownLine {
    pub text: String,
    /// `(start, old length, new length)` in characters of the original line, in order.
    edits: Vec<(usize, usize, usize)>,
}

impl ShownLine {
    /// Where original column `c` (0-based) starts in the shown line.
    pub fn start(&self, c: usize) -> usize {
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
    pub fn end(&self, c: usize) -> usize {
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

/// How a node is shown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Treat {
    Shown,
    /// The value of a `password` key.
    Password,
    /// `env: NAME` or `file: PATH` in a password reference: a name, not a secret.
    Reference,
    Hidden,
}

/// What an open collection holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Holds {
    Shown,
    /// The mapping after `password:`.
    Reference,
    Hidden,
}

struct Open {
    holds: Holds,
    /// How the value after the last key is shown.
    next: Treat,
    anchor: usize,
}

#[derive(Default)]
struct Finder {
    open: Vec<Open>,
    hidden: Vec<Span>,
    /// Anchors that an alias under a password key refers to.
    wanted: Vec<usize>,
    anchored: Vec<(usize, Span)>,
}

impl Finder {
    fn secrets(mut self) -> Vec<Span> {
        for (id, span) in self.anchored {
            if self.wanted.contains(&id) {
                self.hidden.push(span);
            }
        }
        self.hidden
    }
}

impl<'a> Visitor<'a> for Finder {
    fn node(&mut self, role: Role, node: Node<'a>, span: Span, anchor: usize) {
        let treat = match (role, self.open.last_mut()) {
            (Role::Key, Some(parent)) => {
                let (key, next) = match (parent.holds, &node) {
                    (Holds::Hidden, _) => (Treat::Hidden, Treat::Hidden),
                    (Holds::Reference, Node::Scalar(k, _)) if k == "env" || k == "file" => {
                        (Treat::Shown, Treat::Reference)
                    }
                    (Holds::Reference, _) => (Treat::Hidden, Treat::Hidden),
                    (Holds::Shown, Node::Scalar(k, _)) if super::text_mask::password_like(k) => {
                        (Treat::Shown, Treat::Password)
                    }
                    (Holds::Shown, _) => (Treat::Shown, Treat::Shown),
                };
                parent.next = next;
                key
            }
            (Role::Value, Some(parent)) => std::mem::replace(&mut parent.next, Treat::Shown),
            (Role::Item, Some(parent)) if parent.holds == Holds::Hidden => Treat::Hidden,
            _ => Treat::Shown,
        };
        let holds = match (&node, treat) {
            (Node::Scalar(value, style), _) => {
                let hide = match treat {
                    Treat::Hidden => true,
                    Treat::Password => !is_word(value, *style),
                    Treat::Shown | Treat::Reference => false,
                };
                if hide {
                    self.hidden.push(span);
                }
                if anchor != 0 {
                    self.anchored.push((anchor, span));
                }
                return;
            }
            (Node::Alias(id), Treat::Hidden | Treat::Password) => {
                self.wanted.push(*id);
                return;
            }
            (Node::Alias(_), _) => return,
            (Node::Map, Treat::Password) => Holds::Reference,
            (_, Treat::Shown) => Holds::Shown,
            _ => Holds::Hidden,
        };
        self.open.push(Open {
            holds,
            next: Treat::Shown,
            anchor,
        });
    }

    fn end(&mut self, span: Span) {
        let Some(open) = self.open.pop() else {
            return;
        };
        if open.holds == Holds::Hidden {
            self.hidden.push(span);
        }
        if open.anchor != 0 {
            self.anchored.push((open.anchor, span));
        }
    }
}

/// `password: false` (or true, or null) is not a secret.
fn is_word(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain
        && matches!(
            value,
            "" | "~"
                | "null"
                | "Null"
                | "NULL"
                | "true"
                | "True"
                | "TRUE"
                | "false"
                | "False"
                | "FALSE"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text as error reports show it.
    fn shown(text: &str) -> String {
        let lines: Vec<&str> = text.split('\n').collect();
        let masks = Masks::of(text, &lines);
        let shown: Vec<String> = lines
            .iter()
            .enumerate()
            .map(|(i, l)| masks.show(i as u32 + 1, l).text)
            .collect();
        shown.join("\n")
    }

    /// The same, when the YAML breaks before it: the text heuristic alone.
    fn shown_broken(text: &str) -> String {
        let out = shown(&format!("]\n{text}"));
        out.strip_prefix("]\n").unwrap().to_owned()
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
            ("      \"password\": s3cret", "      \"password\": ********"),
        ];
        for (line, masked) in cases {
            assert_eq!(shown(line), masked, "parsed");
            assert_eq!(shown_broken(line), masked, "broken");
        }
        // Parsed, a key beside `env` may be the secret too; the text heuristic keeps it.
        assert_eq!(
            shown("      password: { value: s3cret, env: P }"),
            "      password: { ********: ********, env: P }"
        );
        assert_eq!(
            shown_broken("      password: { value: s3cret, env: P }"),
            "      password: { value: ********, env: P }"
        );
    }

    #[test]
    fn every_spelling_of_the_key() {
        for (text, masked) in [
            ("\"pass\\u0077ord\": s3cret", "\"pass\\u0077ord\": ********"),
            ("'PASSWORD': s3cret", "'PASSWORD': ********"),
            ("Password: s3cret", "Password: ********"),
            ("? password\n: s3cret", "? password\n: ********"),
            ("a: { ? password : s3cret }", "a: { ? password : ******** }"),
            (
                "a: &p s3cret\nb: { password: *p }",
                "a: &p ********\nb: { password: *p }",
            ),
            (
                "a: &p [s3cret, more]\npassword: *p",
                "a: &p ********\npassword: *p",
            ),
        ] {
            assert_eq!(shown(text), masked, "{text}");
        }
    }

    #[test]
    fn references_and_other_keys_stay_readable() {
        for line in [
            "      password: { env: P }",
            "      password: {file: 'p.txt'}",
            "      password: false",
            "      password:",
            "      password: ~",
            "      title: my password is elsewhere",
            "      access: read",
        ] {
            assert_eq!(shown(line), line);
            assert_eq!(shown_broken(line), line, "broken");
        }
    }

    /// A mistyped `password` key still holds what was meant as a password: its
    /// value is hidden in the snippet of the unknown-key error, parsed or not.
    #[test]
    fn values_of_keys_that_look_like_password_are_masked() {
        for key in ["pasword", "Passwd", "passwords", "pass", "secret", "pwd"] {
            let line = format!("      {key}: s3cret-literal");
            assert!(!shown(&line).contains("s3cret-literal"), "{line}");
            assert!(
                !shown_broken(&line).contains("s3cret-literal"),
                "broken {line}"
            );
            let flow = format!("      link: {{ access: read, {key}: s3cret-literal");
            assert!(
                !shown_broken(&flow).contains("s3cret-literal"),
                "broken {flow}"
            );
        }
    }

    #[test]
    fn block_values_below_a_password_key_are_masked() {
        for text in [
            "link:\n  password:\n    env: P\n  title: T",
            "link:\n  password:\n    file: p.txt\n  title: T",
        ] {
            assert_eq!(shown(text), text);
        }
        let cases = [
            (
                "link:\n  password: |\n    s3cret: x\n\n  title: T",
                "link:\n  password: |\n    ********\n\n  title: T",
            ),
            (
                "link:\n  password: two\n    words\n  title: T",
                "link:\n  password: ********\n    ********\n  title: T",
            ),
            (
                "link:\n  password:\n    - s3cret\n    - more\n  title: T",
                "link:\n  password:\n    ********\n    ********\n  title: T",
            ),
        ];
        for (text, masked) in cases {
            assert_eq!(shown(text), masked, "{text}");
            assert_eq!(shown_broken(text), masked, "broken: {text}");
        }
        assert_eq!(
            shown("link:\n  password:\n    value: s3cret\n  title: T"),
            "link:\n  password:\n    ********: ********\n  title: T"
        );
    }

    #[test]
    fn what_parsed_before_a_syntax_error_is_masked_by_its_spans() {
        assert_eq!(
            shown("a: { \"pass\\u0077ord\": s3cret }\nb: 'x"),
            "a: { \"pass\\u0077ord\": ******** }\nb: 'x"
        );
    }

    #[test]
    fn columns_map_around_a_mask() {
        let text = "{ password: a-long-secret, acess: read }";
        let masks = Masks::of(text, &[text]);
        let line = masks.show(1, text);
        assert_eq!(line.text, "{ password: ********, acess: read }");
        let acess = text.find("acess").unwrap();
        assert_eq!(line.start(acess), line.text.find("acess").unwrap());
        assert_eq!(line.end(acess + 5), line.text.find("acess").unwrap() + 5);
        // An underline that starts inside the secret covers the whole mask.
        assert_eq!((line.start(14), line.end(20)), (12, 20));
    }
}
