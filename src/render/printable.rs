//! Text from the portal is not trusted on a terminal: a folder title with escape
//! codes could recolour or rewrite the screen, and one with a newline could forge a
//! line such as "No changes.". Control characters are shown escaped instead.

use std::borrow::Cow;
use std::fmt::Write;

/// `text` with every control character (C0, DEL, C1) and the bidirectional
/// overrides shown as `\u{..}` escapes.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn unsafe_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters_and_keeps_the_rest() {
        assert_eq!(printable("Press kit — 新闻"), "Press kit — 新闻");
        assert_eq!(
            printable("a\nNo changes.\x1b[2J\u{202e}"),
            "a\\u{a}No changes.\\u{1b}[2J\\u{202e}"
        );
        assert!(matches!(printable("plain"), Cow::Borrowed(_)));
    }
}
