//! Everything the tool prints goes through here: secrets scrubbed out of it (a
//! server may echo the token or a password in an error message), a closed pipe
//! taken as the reader having seen enough.

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

    pub fn print(&self, text: &str) -> Result<(), Error> {
        let mut out = std::io::stdout().lock();
        match out
            .write_all(self.scrub(text).as_bytes())
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
            .and_then(|mut f| f.write_all(self.scrub(text).as_bytes()))
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
            .write_all(self.scrub(text).as_bytes());
    }
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
}
