//! The one function every string from outside goes through before it is printed:
//! folder, room and link titles, share URLs, server messages, manifest paths, file
//! names and values. Such text is not trusted on a terminal nor in a CI log:
//!
//! - escape codes could recolour or rewrite the screen, and a newline could forge a
//!   line such as "No changes.": control characters, line and paragraph separators
//!   and bidirectional overrides are shown escaped (`\n`, `\r`, `\u{2028}`, `\u{1b}`);
//! - the GitHub runner reads every line of a step's stdout and stderr for workflow
//!   commands, whatever `--format` was asked for: `::cmd` at the start of a line
//!   (after whitespace) and `##[cmd]` anywhere in it (`##[add-mask]`,
//!   `##[stop-commands]`, which would silence the tool's own annotations for the
//!   rest of the job). `##[` is shown as `#\u{23}[` and a leading `::` as `\u{3a}:`.
//!
//! The result holds no line break, so a value can never start a line of its own.
//! JSON output is escaped by serde_json and then by `neutral::json_without_commands`; the last
//! line of defence is `cli::output::Output`, which checks every line printed.

use crate::neutral::unsafe_char;
use std::borrow::Cow;
use std::fmt::Write;

/// `text` as it may be printed: see the module comment. Borrowed when nothing in
/// it needed escaping (a plan of many folders is tens of megabytes).
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) && !text.contains("##[") && !leads_with_command(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    let mut prev = None;
    while let Some(c) = chars.next() {
        escape_into(&mut out, c, prev, chars.peek().copied());
        prev = Some(c);
    }
    if leads_with_command(&out) {
        let at = out.len() - out.trim_start().len();
        out.replace_range(at..=at, "\\u{3a}");
    }
    Cow::Owned(out)
}

/// `text` made printable, with where each of its characters went: `map[i]` is the
/// index (in characters) in the result of the `i`th character of `text`, and
/// `map[len]` the length of the result. For a snippet that underlines a part of a
/// line that was escaped.
pub fn printable_mapped(text: &str) -> (String, Vec<usize>) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(chars.len() + 1);
    let mut count = 0;
    for (i, &c) in chars.iter().enumerate() {
        map.push(count);
        let before = out.len();
        let prev = i.checked_sub(1).map(|p| chars[p]);
        escape_into(&mut out, c, prev, chars.get(i + 1).copied());
        count += out[before..].chars().count();
    }
    map.push(count);
    if leads_with_command(&out) {
        let at = out.len() - out.trim_start().len();
        let at_char = out[..at].chars().count();
        out.replace_range(at..=at, "\\u{3a}");
        for m in map.iter_mut().filter(|m| **m > at_char) {
            *m += "\\u{3a}".len() - 1;
        }
    }
    (out, map)
}

/// One character of foreign text onto `out`, given its neighbours.
fn escape_into(out: &mut String, c: char, prev: Option<char>, next: Option<char>) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if unsafe_char(c) => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
        // The second `#` of `##[`: the command prefix is gone, the text still reads.
        '#' if prev == Some('#') && next == Some('[') => out.push_str("\\u{23}"),
        c => out.push(c),
    }
}

/// Whether the runner would read `text`, put at the start of a line, as a command.
/// `trim_start` drops the Unicode white space .NET's `TrimStart` drops.
fn leads_with_command(text: &str) -> bool {
    text.trim_start().starts_with("::")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters_and_keeps_the_rest() {
        assert_eq!(printable("Press kit — 新闻"), "Press kit — 新闻");
        assert_eq!(
            printable("a\nNo changes.\x1b[2J\u{202e}\r\u{2028}\u{2029}\t"),
            "a\\nNo changes.\\u{1b}[2J\\u{202e}\\r\\u{2028}\\u{2029}\\u{9}"
        );
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
        assert!(matches!(printable("C++ a::b # [x]"), Cow::Borrowed(_)));
    }

    #[test]
    fn workflow_commands_are_broken_and_stay_readable() {
        assert_eq!(printable("::error::pwned"), "\\u{3a}:error::pwned");
        assert_eq!(printable("  ::add-mask::x"), "  \\u{3a}:add-mask::x");
        assert_eq!(printable("\u{a0}::x"), "\u{a0}\\u{3a}:x");
        assert_eq!(
            printable("a##[stop-commands]tok"),
            "a#\\u{23}[stop-commands]tok"
        );
        assert_eq!(printable("###[x] ##[y"), "##\\u{23}[x] #\\u{23}[y");
        assert_eq!(printable("x\n::warning::y"), "x\\n::warning::y");
        for hostile in ["::error::pwned", "a##[x]", "\n::x", "##[##[", " \t::x"] {
            let shown = printable(hostile);
            assert!(!shown.contains("##[") && !shown.trim_start().starts_with("::"));
            assert!(!shown.contains(['\n', '\r']), "{shown}");
            // Escaping twice changes nothing: a value may pass through twice.
            assert_eq!(printable(&shown), shown);
        }
    }

    #[test]
    fn the_map_follows_each_character() {
        let (shown, map) = printable_mapped("a\nb##[c");
        assert_eq!(shown, "a\\nb#\\u{23}[c");
        assert_eq!(map, [0, 1, 3, 4, 5, 11, 12, 13]);
        let (shown, map) = printable_mapped(" ::x");
        assert_eq!(shown, " \\u{3a}:x");
        assert_eq!(map, [0, 1, 7, 8, 9]);
        assert_eq!(shown.chars().count(), 9);
    }
}
