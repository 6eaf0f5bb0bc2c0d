//! Colour, only on a terminal and never with `NO_COLOR` (https://no-color.org).

use std::io::IsTerminal;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Style {
    colour: bool,
}

impl Style {
    /// Colour for stdout when it is a terminal, unless `--no-color`, a non-empty
    /// `NO_COLOR` or `TERM=dumb` says otherwise.
    pub fn detect(no_color_flag: bool) -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        Style {
            colour: !no_color_flag && !no_color && !dumb && std::io::stdout().is_terminal(),
        }
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
