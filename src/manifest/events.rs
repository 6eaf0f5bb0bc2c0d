//! One walk over the YAML event stream of the manifest's first document, with keys told
//! from values, for the passes serde cannot do: `structure` reports every structural
//! error at once (serde stops at the first), and `mask` finds the literal passwords to
//! hide in error snippets, from the document as parsed rather than as spelt.

use std::borrow::Cow;

use serde_saphyr::granit_parser::{Event, Marker, Parser, ScalarStyle};

use super::diagnostic::Pos;

/// A place in the text: 1-based line, 0-based column in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Mark {
    pub line: u32,
    pub col: u32,
}

impl From<&Marker> for Mark {
    fn from(m: &Marker) -> Mark {
        let clamp = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Mark {
            line: clamp(m.line()).max(1),
            col: clamp(m.col()),
        }
    }
}

/// Where a node is written, end exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: Mark,
    pub end: Mark,
}

impl Span {
    /// The start, underlined to the end when that is on the same line.
    pub fn pos(self) -> Pos {
        let len = if self.end.line == self.start.line {
            self.end.col.saturating_sub(self.start.col)
        } else {
            1
        };
        Pos {
            line: self.start.line,
            column: self.start.col + 1,
            len: len.max(1),
        }
    }
}

/// Where a node stands in its parent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Root,
    Key,
    Value,
    Item,
}

/// A node as it starts: scalars and aliases are whole, a collection's children follow
/// until the matching [`Visitor::end`].
pub enum Node<'a> {
    Scalar(Cow<'a, str>, ScalarStyle),
    Map,
    Seq,
    /// `*name`: the node anchored with this id.
    Alias(usize),
}

pub trait Visitor<'a> {
    /// `anchor` is the id of the `&name` on this node, 0 for none. For a collection,
    /// `span` is its opening (`{`, `[`, or empty before a block collection's first entry).
    fn node(&mut self, role: Role, node: Node<'a>, span: Span, anchor: usize);
    /// The innermost open collection ends; `span` covers all of it, from its opening
    /// to its `}`/`]` or, in block style, to the end of its last entry.
    fn end(&mut self, span: Span);
}

/// Where the YAML stops being YAML, in the parser's words.
#[derive(Debug)]
pub struct SyntaxError {
    pub at: Mark,
    pub message: String,
}

struct Open {
    start: Mark,
    /// For a mapping: whether the next node is a key. `None` for a sequence.
    next_is_key: Option<bool>,
}

/// Walks the first document. Events before a syntax error are all visited, so the
/// passes see as much of a broken file as the parser could read.
pub fn walk<'a>(text: &'a str, visitor: &mut impl Visitor<'a>) -> Result<(), SyntaxError> {
    let mut parser = Parser::new_from_str(text);
    let mut open: Vec<Open> = Vec::new();
    let mut last_end = Mark { line: 1, col: 0 };
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| SyntaxError {
            at: Mark::from(e.marker()),
            message: e.info(),
        })?;
        let span = Span {
            start: Mark::from(&span.start),
            end: Mark::from(&span.end),
        };
        let role = |open: &mut Vec<Open>| match open.last_mut() {
            None => Role::Root,
            Some(Open {
                next_is_key: Some(key),
                ..
            }) => {
                *key = !*key;
                if *key { Role::Value } else { Role::Key }
            }
            Some(_) => Role::Item,
        };
        match event {
            Event::Scalar(value, style, anchor, _) => {
                let role = role(&mut open);
                last_end = span.end;
                visitor.node(role, Node::Scalar(value, style), span, anchor);
            }
            Event::Alias(id) => {
                let role = role(&mut open);
                last_end = span.end;
                visitor.node(role, Node::Alias(id), span, 0);
            }
            Event::MappingStart(_, anchor, _) | Event::SequenceStart(_, anchor, _) => {
                let map = matches!(event, Event::MappingStart(..));
                let role = role(&mut open);
                last_end = span.end;
                open.push(Open {
                    start: span.start,
                    next_is_key: map.then_some(true),
                });
                let node = if map { Node::Map } else { Node::Seq };
                visitor.node(role, node, span, anchor);
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let Some(o) = open.pop() else { continue };
                // A flow collection ends at its bracket; a block one where its last entry
                // does (its end event sits at the next line's content).
                if span.end.col > span.start.col {
                    last_end = span.end;
                }
                visitor.end(Span {
                    start: o.start,
                    end: last_end.max(o.start),
                });
            }
            Event::DocumentEnd => return Ok(()),
            _ => {}
        }
    }
    Ok(())
}
