//! YAML scalars that read back as exactly the string written.
//!
//! A title is written plain only when nothing in YAML could read it as anything
//! else; every other one is double-quoted with escapes. Plain is the exception:
//! `yes`, `1e3`, `2027-01-01`, `null`, `: x`, `# x`, ` x` and `x ` all change
//! meaning or value unquoted.

use std::fmt::Write;

/// `text` as a YAML scalar: plain when safe, double-quoted otherwise.
pub fn scalar(text: &str) -> String {
    if plain_is_safe(text) {
        text.to_owned()
    } else {
        quoted(text)
    }
}

fn plain_is_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    // Letters first (a digit could start a number, a date or a time), then only
    // characters with no meaning in a block-context plain scalar.
    first.is_ascii_alphabetic()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '/' | '(' | ')')
        })
        && !text.ends_with(' ')
        && !text.contains("  ")
        && !reserved(text)
}

/// Words some YAML reader takes for a boolean, a null or a special number.
fn reserved(text: &str) -> bool {
    const WORDS: [&str; 16] = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf", "absent",
        "never", "none", "report", "revoke",
    ];
    let lower = text.to_ascii_lowercase();
    WORDS.contains(&lower.as_str())
}

/// A double-quoted scalar: `\` and `"` escaped, and every character that is not
/// printable (controls, line and paragraph separators, the BOM) as an escape. The
/// second `#` of `##[` is written `\x23`: the file (and `export` without `-o`,
/// which prints it) holds no raw `##[` for the GitHub runner to read as a command,
/// and the title reads back the same. A quoted scalar never starts a line, so a
/// leading `::` is harmless here.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    let mut prev = None;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        let was = prev.replace(c);
        match c {
            '#' if was == Some('#') && next == Some('[') => out.push_str("\\x23"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if crate::neutral::unsafe_char(c) || c == '\u{feff}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every tricky title reads back as itself through the manifest's own parser.
    #[test]
    fn every_scalar_reads_back_as_the_same_string() {
        let titles = [
            "Press kit",
            "Marketing",
            "yes",
            "No",
            "ON",
            "null",
            "~",
            "true",
            "123",
            "0x1F",
            "1e3",
            "-5",
            ".inf",
            "2027-01-01",
            "12:30",
            "a: b",
            "a:b",
            "trailing:",
            "# not a comment",
            "a # b",
            "a#b",
            " leading space",
            "trailing space ",
            "two  spaces",
            "\"quoted\"",
            "'single'",
            "back\\slash",
            "line\nbreak",
            "tab\there",
            "bell\u{7}",
            "sep\u{2028}arator",
            "bidi\u{202e}txt.exe",
            "\u{feff}bom",
            "- dash",
            "-",
            "? question",
            "[flow]",
            "{map}",
            "a, b",
            "*alias",
            "&anchor",
            "!tag",
            "%directive",
            "@my",
            "`tick`",
            "|literal",
            ">folded",
            "Пресс-кит",
            "新闻 2027",
            "emoji 🎉",
            "a/b",
            "(draft)",
            "absent",
            "never",
            "Q1 report (v2.1)",
            "a##[stop-commands]tok",
            "###[add-mask]x##[",
            "::error::pwned",
            "  ::add-mask::x",
            "x\n::warning::y",
            "%0A::error::",
        ];
        for title in titles {
            let doc = format!("key: {}\n", scalar(title));
            let back: std::collections::BTreeMap<String, String> =
                crate::manifest::parse_yaml(&doc)
                    .unwrap_or_else(|e| panic!("{title:?} as {doc:?}: {e:?}"));
            assert_eq!(back["key"], title, "{doc}");
            assert!(!doc.contains("##["), "{doc}");
        }
    }

    #[test]
    fn plain_only_when_nothing_could_misread_it() {
        assert_eq!(scalar("Press kit"), "Press kit");
        assert_eq!(scalar("Room 01/Folder 0001"), "Room 01/Folder 0001");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("2027"), "\"2027\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("a\u{1b}b"), "\"a\\u001bb\"");
    }
}
