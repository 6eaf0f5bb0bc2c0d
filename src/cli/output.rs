//! Everything the tool prints goes through here: secrets scrubbed out of it (a
//! server may echo the token or a password in an error message), workflow commands
//! the tool did not write broken up (the renderers already escape foreign text with
//! `render::printable`; this is the last line of defence), a closed pipe taken as
//! the reader having seen enough.

use std::borrow::Cow;
use std::io::{BufRead, IsTerminal, Write};

use secrecy::{ExposeSecret, SecretString};

use crate::error::Error;

/// Shown instead of a secret that turned up in text.
const SCRUBBED: &str = "(sensitive)";

#[derive(Default)]
pub struct Output {
    secrets: Vec<SecretString>,
}

impl Output {
    /// Scrubs these from everything printed from now on.
    pub fn hide<'a>(&mut self, secrets: impl IntoIterator<Item = &'a SecretString>) {
        self.secrets.extend(
            secrets
                .into_iter()
                .filter(|s| !s.expose_secret().is_empty())
                .cloned(),
        );
    }

    /// `text` without any secret; borrowed when there was none (a plan of many
    /// folders is tens of megabytes: no copy of it for nothing).
    pub fn scrub<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut text = Cow::Borrowed(text);
        for s in &self.secrets {
            if text.contains(s.expose_secret()) {
                text = Cow::Owned(text.replace(s.expose_secret(), SCRUBBED));
            }
        }
        text
    }

    /// `text` scrubbed, with no line the runner would take for a command.
    fn shown<'t>(&self, text: &'t str, own: Own) -> Cow<'t, str> {
        match self.scrub(text) {
            Cow::Borrowed(t) => no_commands(t, own),
            Cow::Owned(t) => Cow::Owned(no_commands(&t, own).into_owned()),
        }
    }

    /// Whether `text` would be printed as it is (no secret, no command in it).
    pub fn is_neutral(&self, text: &str) -> bool {
        self.shown(text, Own::None) == text
    }

    pub fn print(&self, text: &str) -> Result<(), Error> {
        self.write_stdout(text, Own::None)
    }

    /// The tool's own workflow commands (`--format github`): the only text whose
    /// lines may start with `::`, and only with a command the tool writes.
    pub fn commands(&self, text: &str) -> Result<(), Error> {
        self.write_stdout(text, Own::Annotations)
    }

    fn write_stdout(&self, text: &str, own: Own) -> Result<(), Error> {
        let mut out = std::io::stdout().lock();
        match out
            .write_all(self.shown(text, own).as_bytes())
            .and_then(|()| out.flush())
        {
            Ok(()) => Ok(()),
            // `| head` closed the pipe: nothing more to say, and no panic.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
            Err(source) => Err(Error::Io {
                what: "write to stdout",
                source,
            }),
        }
    }

    /// Appends to a file (GitHub's job summary), scrubbed like everything else.
    pub fn append(&self, path: &std::path::Path, text: &str) -> Result<(), Error> {
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .and_then(|mut f| f.write_all(self.shown(text, Own::None).as_bytes()))
            .map_err(|source| Error::Io {
                what: "append to $GITHUB_STEP_SUMMARY",
                source,
            })
    }

    /// Asks `question` on the terminal; `None` when there is no terminal to ask
    /// on, else whether the answer was exactly `yes`.
    pub fn ask_yes(&self, question: &str) -> Result<Option<bool>, Error> {
        if !std::io::stdin().is_terminal() {
            return Ok(None);
        }
        self.print(&format!("{question} Only 'yes' will be accepted: "))?;
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .map_err(|source| Error::Io {
                what: "read the answer",
                source,
            })?;
        Ok(Some(answer.trim() == "yes"))
    }

    pub fn eprint(&self, text: &str) {
        let _ = std::io::stderr()
            .lock()
            .write_all(self.shown(text, Own::None).as_bytes());
    }
}

/// Which lines may start with `::`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Own {
    None,
    Annotations,
}

/// The commands the tool itself writes (render::github).
const OWN_COMMANDS: [&str; 3] = ["::error", "::warning", "::notice"];

/// `text` with every `##[` broken (as `#\u0023[`, which is also a valid escape
/// inside a JSON string: a document stays valid and reads back the same), and
/// every line that would start with `::` broken at its first colon, except the
/// tool's own commands when `own` allows them. The runner splits lines at CR as
/// well as LF, and trims Unicode white space before it looks for `::`.
fn no_commands(text: &str, own: Own) -> Cow<'_, str> {
    if !text.contains("##[") && !text.contains("::") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for piece in text.split_inclusive(['\n', '\r']) {
        let body = piece.trim_start();
        let lead = piece.len() - body.len();
        let allowed = own == Own::Annotations
            && lead == 0
            && OWN_COMMANDS.iter().any(|c| {
                body.strip_prefix(c)
                    .is_some_and(|rest| rest.starts_with([' ', ':']))
            });
        if body.starts_with("::") && !allowed {
            out.push_str(&piece[..lead]);
            out.push_str("\\u{3a}");
            out.push_str(&piece[lead + 1..]);
        } else {
            out.push_str(piece);
        }
    }
    if out.contains("##[") {
        out = out.replace("##[", "#\\u0023[");
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed_wherever_they_appear() {
        let mut out = Output::default();
        let token = SecretString::from("sk-abc123");
        let password = SecretString::from("p@ss-word-9");
        out.hide([&token, &password, &SecretString::from("")]);
        assert_eq!(
            out.scrub("bad key sk-abc123, password p@ss-word-9."),
            "bad key (sensitive), password (sensitive)."
        );
        assert_eq!(out.scrub("nothing here"), "nothing here");
    }

    #[test]
    fn only_the_tools_own_commands_start_a_line_with_two_colons() {
        let text = "a\n ::error::x\r::warning::y\n\u{a0}::notice::z\nok ##[add-mask]s\n";
        let shown = no_commands(text, Own::None);
        assert_eq!(
            shown,
            "a\n \\u{3a}:error::x\r\\u{3a}:warning::y\n\u{a0}\\u{3a}:notice::z\nok #\\u0023[add-mask]s\n"
        );
        let own = "::error file=a,title=t::m ##[x]\n::warning::w\n::add-mask::s\n  ::notice::n\n";
        assert_eq!(
            no_commands(own, Own::Annotations),
            "::error file=a,title=t::m #\\u0023[x]\n::warning::w\n\\u{3a}:add-mask::s\n  \\u{3a}:notice::n\n"
        );
        assert!(matches!(no_commands("a: b\n", Own::None), Cow::Borrowed(_)));
        // Inside a JSON string the broken form reads back as the text itself.
        let json = no_commands(r#"{"title": "a##[stop-commands]b"}"#, Own::None);
        let back: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(back["title"], "a##[stop-commands]b");
    }
}
