//! Text from elsewhere (the portal, a manifest, a plan file) made safe to print,
//! below every layer that prints it: the renderers and the saved plan file both
//! use it (`render::printable` for text, `json_without_commands` for JSON).

use std::fmt::Write as _;

/// Characters never printed raw: controls (C0, C1), line and paragraph
/// separators, and the bidi controls that make a terminal or a log viewer show
/// text in another order than it is.
pub fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}'
        )
}

/// The document with no raw `##[` in it: the GitHub runner reads `##[cmd]`
/// anywhere in a line of a step's output, JSON or not (`##[add-mask]`,
/// `##[stop-commands]` in a folder title). Outside strings JSON has no `#`, and
/// inside one `\u0023` is `#` to every JSON reader, so the second `#` of each
/// `##[` is written that way: the document reads back exactly the same. No line
/// of it can start with `::`: serde_json escapes line breaks inside strings, and
/// every line of a pretty document starts with a bracket, a quote or a value
/// (docs/json.md). Line and paragraph separators, bidi overrides and C1
/// controls, which serde_json leaves raw, are written as `\uXXXX` too, like
/// every other character `unsafe_char` names: a log viewer may break a line
/// there, or show text reordered.
pub fn json_without_commands(text: String) -> String {
    let raw = |c: char| unsafe_char(c) && c != '\n';
    let text = if text.contains(raw) {
        let mut out = String::with_capacity(text.len() + 16);
        for c in text.chars() {
            if raw(c) {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            } else {
                out.push(c);
            }
        }
        out
    } else {
        text
    };
    if text.contains("##[") {
        text.replace("##[", "#\\u0023[")
    } else {
        text
    }
}
