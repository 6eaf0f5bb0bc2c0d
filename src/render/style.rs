//! Colour, only on a terminal and never with `NO_COLOR` (https://no-color.org).

use std::ffi::OsStr;
use std::io::IsTerminal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    colour: bool,
}

impl Style {
    /// Colour for stdout when it is a terminal, unless `--no-color`, a non-empty
    /// `NO_COLOR` or `TERM=dumb` says otherwise.
    pub fn detect(no_color_flag: bool) -> Style {
        Style {
            colour: wants_colour(
                no_color_flag,
                std::env::var_os("NO_COLOR").as_deref(),
                std::env::var_os("TERM").as_deref(),
                std::io::stdout().is_terminal(),
            ),
        }
    }

    #[cfg(test)]
    fn coloured(self) -> bool {
        self.colour
    }

    /// No colour at all: for text that is not shown on a terminal (annotations).
    pub fn plain() -> Style {
        Style { colour: false }
    }

    fn paint(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn green(self, t: &str) -> String {
        self.paint("32", t)
    }
    pub fn yellow(self, t: &str) -> String {
        self.paint("33", t)
    }
    pub fn red(self, t: &str) -> String {
        self.paint("31", t)
    }
    pub fn magenta(self, t: &str) -> String {
        self.paint("35", t)
    }
    pub fn bold(self, t: &str) -> String {
        self.paint("1", t)
    }
    pub fn dim(self, t: &str) -> String {
        self.paint("2", t)
    }
}

fn wants_colour(flag: bool, no_color: Option<&OsStr>, term: Option<&OsStr>, tty: bool) -> bool {
    let no_color = no_color.is_some_and(|v| !v.is_empty());
    let dumb = term.is_some_and(|t| t == "dumb");
    tty && !flag && !no_color && !dumb
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_that_wants_it() {
        let os = |s: &'static str| Some(OsStr::new(s));
        assert!(wants_colour(false, None, os("xterm-256color"), true));
        assert!(
            wants_colour(false, os(""), None, true),
            "an empty NO_COLOR is unset"
        );
        assert!(!wants_colour(false, None, None, false), "not a terminal");
        assert!(!wants_colour(true, None, None, true), "--no-color");
        assert!(!wants_colour(false, os("1"), None, true), "NO_COLOR");
        assert!(!wants_colour(false, None, os("dumb"), true), "TERM=dumb");
        assert!(!Style::detect(true).coloured());
    }
}
