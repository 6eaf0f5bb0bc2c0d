//! Every structural error at once. serde stops at the first unknown key or wrong type,
//! so when it fails, this pass walks the whole document against the manifest's shape
//! (the keys and value kinds of `raw.rs`) and reports each problem where it is written.
//! Over 500 lines because it is one walk over one shape, with its tests beside it.
//!
//! It is never stricter than serde: what it cannot judge (aliases, merge keys, tags)
//! it accepts, and when it finds nothing, serde's own error is reported instead.

use serde_saphyr::granit_parser::ScalarStyle;

use super::diagnostic::{Code, Diagnostic, Pos};
use super::events::{self, Node, Role, Span, Visitor};
use super::yaml::{BOOLEAN_HELP, missing_help};
use crate::model::Access;

const MANIFEST_KEYS: [&str; 6] = [
    "version", "defaults", "folders", "scopes", "policy", "safety",
];
const ENTRY_KEYS: [&str; 5] = ["path", "id", "link", "extra_links", "extra_unlisted"];
const LINK_KEYS: [&str; 6] = [
    "access",
    "title",
    "expires",
    "password",
    "deny_download",
    "internal",
];
const REFERENCE_KEYS: [&str; 2] = ["env", "file"];

const REFERENCE_HELP: &str =
    "a password is referenced as `{ env: NAME }` or `{ file: PATH }`, or is `false`";
const ID_HELP: &str = "folder ids are positive integers";

pub enum Outcome {
    /// No document, or one without any value.
    Empty,
    /// Structural problems and the syntax error the walk stopped at, if any, in file order.
    Problems(Vec<Diagnostic>),
}

pub fn check(text: &str) -> Outcome {
    let mut checker = Checker {
        stack: Vec::new(),
        problems: Vec::new(),
        empty_root: true,
    };
    match events::walk(text, &mut checker) {
        Ok(()) if checker.empty_root => Outcome::Empty,
        Ok(()) => Outcome::Problems(checker.problems),
        Err(e) => {
            let at = Span {
                start: e.at,
                end: e.at,
            };
            checker.problems.push(
                Diagnostic::at(at.pos(), e.message)
                    .code(Code::YamlSyntax)
                    .label("the YAML cannot be read from here"),
            );
            Outcome::Problems(checker.problems)
        }
    }
}

/// What a value must be, named by the key it belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    Manifest,
    Version,
    Defaults,
    Folders,
    Entry,
    Path,
    Id,
    Link,
    Access,
    /// `title`, `expires`: any scalar is read as a string.
    Text(&'static str),
    Password,
    Flag(&'static str),
    /// `env` or `file` in a password reference.
    Reference(&'static str),
    /// Not judged: the key is already an error, or the value is not ours to check.
    Any,
}

/// What an open collection is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Manifest,
    LinkFields,
    Entry,
    Reference,
    Folders,
    Skip,
}

struct Frame {
    shape: Shape,
    /// Where a missing key is reported: the first key, else the opening.
    at: Pos,
    first_key: bool,
    keys: Vec<(&'static str, Pos)>,
    /// What the value after the last key must be.
    value: Want,
    /// A `<<` merge key may bring keys this pass cannot see.
    merges: bool,
    /// `env`/`file` keys with a value, in a password reference.
    references: usize,
    /// An unknown key was reported here (so a missing one need not be).
    unknown_keys: bool,
    /// The last key: an empty value is reported there.
    key_at: Pos,
}

struct Checker {
    stack: Vec<Frame>,
    problems: Vec<Diagnostic>,
    empty_root: bool,
}

impl<'a> Visitor<'a> for Checker {
    fn node(&mut self, role: Role, node: Node<'a>, span: Span, _anchor: usize) {
        let want = match role {
            Role::Root => {
                self.empty_root = matches!(&node, Node::Scalar(v, style) if is_null(v, *style));
                if self.empty_root {
                    return;
                }
                Want::Manifest
            }
            Role::Key => return self.key(node, span),
            Role::Value => {
                let Some(frame) = self.stack.last_mut() else {
                    return;
                };
                let want = std::mem::replace(&mut frame.value, Want::Any);
                let has_value = !matches!(&node, Node::Scalar(v, style) if is_null(v, *style));
                if matches!(want, Want::Reference(_)) && has_value {
                    frame.references += 1;
                }
                // `key:` with nothing after it: the key is where the value is missing.
                if span.start == span.end && matches!(node, Node::Scalar(..)) {
                    let key_at = frame.key_at;
                    if let Some(d) = scalar_problem(want, "", ScalarStyle::Plain, key_at) {
                        self.problems.push(d);
                    }
                    return;
                }
                want
            }
            Role::Item => match self.stack.last().map(|f| f.shape) {
                Some(Shape::Folders) => Want::Entry,
                _ => Want::Any,
            },
        };
        self.value(want, node, span);
    }

    fn end(&mut self, _span: Span) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let required: &[&str] = match frame.shape {
            Shape::Manifest => &["version", "folders"],
            Shape::Entry => &["link"],
            Shape::Reference => {
                if frame.references != 1 && !frame.unknown_keys {
                    self.problems.push(
                        Diagnostic::at(
                            frame.at,
                            "a password reference needs exactly one of `env` or `file`",
                        )
                        .code(Code::PasswordReference)
                        .help(REFERENCE_HELP),
                    );
                }
                return;
            }
            _ => return,
        };
        // A misspelt key is already reported; "missing" would say it twice.
        if frame.merges || frame.unknown_keys {
            return;
        }
        for key in required {
            if !frame.keys.iter().any(|(k, _)| k == key) {
                let mut d =
                    Diagnostic::at(frame.at, format!("missing key `{key}`")).code(Code::MissingKey);
                if let Some(help) = missing_help(key) {
                    d = d.help(help);
                }
                self.problems.push(d);
            }
        }
    }
}

impl Checker {
    fn key(&mut self, node: Node<'_>, span: Span) {
        let Some(frame) = self.stack.last_mut() else {
            return;
        };
        frame.value = Want::Any;
        let pos = span.pos();
        frame.key_at = pos;
        let shape = frame.shape;
        if shape == Shape::Skip {
            if matches!(node, Node::Map | Node::Seq) {
                self.push(Shape::Skip, span);
            }
            return;
        }
        if !frame.first_key && shape != Shape::Reference {
            frame.first_key = true;
            frame.at = pos;
        }
        let expected = match shape {
            Shape::Manifest => &MANIFEST_KEYS[..],
            Shape::Entry => &ENTRY_KEYS[..],
            Shape::LinkFields => &LINK_KEYS[..],
            _ => &REFERENCE_KEYS[..],
        };
        let key = match node {
            Node::Scalar(key, _) => key,
            Node::Alias(_) => return,
            Node::Map | Node::Seq => {
                let what = if matches!(node, Node::Map) {
                    "a mapping"
                } else {
                    "a list"
                };
                frame.unknown_keys = true;
                self.problems.push(unknown_key(
                    shape,
                    pos,
                    expected,
                    format!("this key is {what}"),
                    None,
                ));
                self.push(Shape::Skip, span);
                return;
            }
        };
        if key == "<<" {
            frame.merges = true;
            return;
        }
        let Some(&name) = expected.iter().find(|k| **k == key) else {
            frame.unknown_keys = true;
            let message = format!("unknown key `{key}`");
            self.problems
                .push(unknown_key(shape, pos, expected, message, Some(&key)));
            return;
        };
        if let Some(&(_, first)) = frame.keys.iter().find(|(k, _)| *k == name) {
            self.problems.push(
                Diagnostic::at(
                    pos,
                    format!("the key `{name}` appears twice in the same mapping"),
                )
                .code(Code::DuplicateKey)
                .label("duplicate key")
                .note(first, format!("the first `{name}` is here"))
                .help(
                    "remove one of them; YAML keeps only one and the manifest will not guess which",
                ),
            );
            return;
        }
        frame.keys.push((name, pos));
        frame.value = match (shape, name) {
            (Shape::Manifest, "version") => Want::Version,
            (Shape::Manifest, "defaults") => Want::Defaults,
            // Judged by serde alone (scopes.rs, policy.rs, safety.rs): this pass is
            // never stricter.
            (Shape::Manifest, "scopes" | "policy" | "safety") => Want::Any,
            (Shape::Manifest, _) => Want::Folders,
            (Shape::Entry, "path") => Want::Path,
            (Shape::Entry, "id") => Want::Id,
            // Judged by serde alone (a title twice is its duplicate key).
            (Shape::Entry, "extra_links" | "extra_unlisted") => Want::Any,
            (Shape::Entry, _) => Want::Link,
            (Shape::LinkFields, "access") => Want::Access,
            (Shape::LinkFields, "password") => Want::Password,
            (Shape::LinkFields, "deny_download" | "internal") => Want::Flag(name),
            (Shape::LinkFields, _) => Want::Text(name),
            _ => Want::Reference(name),
        };
    }

    fn value(&mut self, want: Want, node: Node<'_>, span: Span) {
        let pos = span.pos();
        let shape = match (&node, want) {
            // The anchored node is checked where it is written.
            (Node::Alias(_), _) => return,
            (Node::Scalar(value, style), _) => {
                if let Some(d) = scalar_problem(want, value, *style, pos) {
                    self.problems.push(d);
                }
                return;
            }
            (_, Want::Any) => Shape::Skip,
            (Node::Map, Want::Manifest) => Shape::Manifest,
            (Node::Map, Want::Defaults | Want::Link) => Shape::LinkFields,
            (Node::Map, Want::Entry) => Shape::Entry,
            (Node::Map, Want::Password) => Shape::Reference,
            (Node::Seq, Want::Folders) => Shape::Folders,
            (Node::Map, _) => {
                self.problems.extend(wrong(want, "a mapping", pos));
                Shape::Skip
            }
            (Node::Seq, _) => {
                self.problems.extend(wrong(want, "a list", pos));
                Shape::Skip
            }
        };
        self.push(shape, span);
    }

    fn push(&mut self, shape: Shape, span: Span) {
        self.stack.push(Frame {
            shape,
            at: span.pos(),
            first_key: false,
            keys: Vec::new(),
            value: Want::Any,
            merges: false,
            references: 0,
            unknown_keys: false,
            key_at: span.pos(),
        });
    }
}

/// `key` is the key as written, when it is text: the closest expected key is offered.
fn unknown_key(
    shape: Shape,
    pos: Pos,
    expected: &[&str],
    message: String,
    key: Option<&str>,
) -> Diagnostic {
    if shape == Shape::Reference {
        // Never echo it: `password: { s3cret }` makes the password a key.
        return Diagnostic::at(pos, "unknown key in a password reference")
            .code(Code::UnknownKey)
            .label("not `env` or `file`")
            .help(REFERENCE_HELP);
    }
    Diagnostic::at(pos, message)
        .code(Code::UnknownKey)
        .label("not a manifest key")
        .help(format!(
            "{}expected one of: {}",
            key.map(|k| crate::suggest::did_you_mean(k, expected.iter().copied()))
                .unwrap_or_default(),
            expected.join(", ")
        ))
}

/// YAML's null spellings, which serde reads as a left-out optional field.
fn is_null(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

fn scalar_problem(want: Want, value: &str, style: ScalarStyle, pos: Pos) -> Option<Diagnostic> {
    let null = is_null(value, style);
    // The parser reads an empty value as `~`; it only reaches here as "".
    let found = if null && value.is_empty() {
        "nothing".to_owned()
    } else {
        quoted(value)
    };
    let fits = match want {
        Want::Version => !null && integer(value).is_some_and(|n| u32::try_from(n).is_ok()),
        Want::Id => null || integer(value).is_some_and(|n| i64::try_from(n).is_ok()),
        Want::Link => value == "absent",
        Want::Access => null || Access::ALL.iter().any(|a| a.word() == value),
        Want::Flag(_) => {
            null || matches!(
                value.trim(),
                "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
            )
        }
        Want::Defaults => null,
        Want::Manifest | Want::Folders | Want::Entry => false,
        Want::Path | Want::Text(_) | Want::Password | Want::Reference(_) | Want::Any => true,
    };
    if fits {
        return None;
    }
    match want {
        Want::Access => Some(
            Diagnostic::at(pos, format!("unknown access level {found}"))
                .code(Code::UnknownAccess)
                .label("not an access level")
                .help(format!(
                    "{}use one of: {}",
                    crate::suggest::did_you_mean(value, Access::ALL.map(Access::word)),
                    access_words()
                )),
        ),
        Want::Flag(_) => Some(
            Diagnostic::at(pos, format!("{found} is not a boolean"))
                .code(Code::InvalidType)
                .label("expected true or false")
                .help(BOOLEAN_HELP),
        ),
        _ => wrong(want, &found, pos),
    }
}

/// A value of the wrong kind; `found` says what it is instead.
fn wrong(want: Want, found: &str, pos: Pos) -> Option<Diagnostic> {
    let (message, help) = match want {
        Want::Manifest => (
            format!("the manifest must be a mapping with `version` and `folders`, found {found}"),
            Some("start with `version: 1` and a `folders:` list".to_owned()),
        ),
        Want::Version => (format!("`version` must be an integer, found {found}"), None),
        Want::Defaults => (
            format!("`defaults` must be a mapping of link fields, found {found}"),
            None,
        ),
        Want::Folders => (
            format!("`folders` must be a list, found {found}"),
            Some("write one `- path: ...` or `- id: ...` entry per folder".to_owned()),
        ),
        Want::Entry => (
            format!(
                "a folder entry must be a mapping with `path` or `id`, and `link`, found {found}"
            ),
            None,
        ),
        Want::Path => (format!("`path` must be a string, found {found}"), None),
        Want::Id => (
            format!("`id` must be an integer, found {found}"),
            Some(ID_HELP.to_owned()),
        ),
        Want::Link => (
            format!("expected `absent` or a mapping of link fields, found {found}"),
            None,
        ),
        Want::Access => (
            format!("`access` must be an access level, found {found}"),
            Some(format!("use one of: {}", access_words())),
        ),
        Want::Text(name) | Want::Reference(name) => {
            (format!("`{name}` must be a string, found {found}"), None)
        }
        // Only reached with a list: a scalar is validation's to judge (and never shown).
        Want::Password => (
            format!(
                "`password` must be `{{ env: NAME }}`, `{{ file: PATH }}` or `false`, found {found}"
            ),
            Some(REFERENCE_HELP.to_owned()),
        ),
        Want::Flag(name) => (
            format!("`{name}` must be true or false, found {found}"),
            Some(BOOLEAN_HELP.to_owned()),
        ),
        Want::Any => return None,
    };
    let d = Diagnostic::at(pos, message).code(Code::InvalidType);
    Some(match help {
        Some(h) => d.help(h),
        None => d,
    })
}

fn access_words() -> String {
    Access::ALL.map(Access::word).join(", ")
}

/// A scalar as a message shows it: in backticks, cut short when long.
fn quoted(value: &str) -> String {
    const SHOWN: usize = 40;
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(SHOWN).collect();
    if chars.next().is_some() {
        format!("`{head}...`")
    } else {
        format!("`{head}`")
    }
}

/// A YAML integer as serde-saphyr reads one: optional sign, decimal without leading
/// zeros, or `0x`/`0o`/`0b`, `_` between digits.
fn integer(text: &str) -> Option<i128> {
    let t = text.trim();
    let (negative, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = match t.get(..2) {
        Some("0x") => (16, &t[2..]),
        Some("0o") => (8, &t[2..]),
        Some("0b") => (2, &t[2..]),
        _ if t.len() > 1 && t.starts_with('0') => return None,
        _ => (10, t),
    };
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return None;
    }
    let n = i128::from_str_radix(&digits, radix).ok()?;
    Some(if negative { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys this pass knows are the keys of the schema (both come from raw.rs's
    /// shape; the schema is generated from it).
    #[test]
    fn known_keys_are_the_schemas() {
        let schema = super::super::schema::json_schema();
        let keys = |v: &serde_json::Value| {
            let mut k: Vec<String> = v["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect();
            k.sort();
            k
        };
        let sorted = |k: &[&str]| {
            let mut k: Vec<String> = k.iter().map(|s| (*s).to_owned()).collect();
            k.sort();
            k
        };
        assert_eq!(keys(&schema), sorted(&MANIFEST_KEYS));
        assert_eq!(keys(&schema["definitions"]["Folder"]), sorted(&ENTRY_KEYS));
        assert_eq!(
            keys(&schema["definitions"]["LinkFields"]),
            sorted(&LINK_KEYS)
        );
    }

    #[test]
    fn integers_as_serde_saphyr_reads_them() {
        for (text, n) in [
            ("1", 1),
            ("-5", -5),
            ("+7", 7),
            ("0x1F", 31),
            ("0o17", 15),
            ("0b101", 5),
            ("1_000", 1000),
            ("0", 0),
        ] {
            assert_eq!(integer(text), Some(n), "{text}");
        }
        for text in ["", "abc", "1.5", "012", "0x", "--1", "1e3", "0x-1"] {
            assert_eq!(integer(text), None, "{text}");
        }
    }
}
