//! `--format github`: GitHub Actions workflow commands that put the plan and the
//! apply outcome on the manifest's lines, in the pull request's "Files changed"
//! view (`::notice file=links.yaml,line=12,title=...::message`).
//!
//! Everything in a command is escaped as the runner expects (its `escapeData` and
//! `escapeProperty`): otherwise a folder title with a newline or `::` could end the
//! command early and forge another one. Every value from outside (titles, paths,
//! the manifest's file name, server messages, notes, policy findings) is made
//! printable first, each on its own: a newline inside a value shows as `\n` in the
//! annotation instead of starting a line of the message, and `##[` or a leading
//! `::` never reaches the runner. The message's own line breaks are the tool's.

use std::fmt::Write;

use super::human::{change_text, heading_text, unlisted_link_label, unlisted_what};
use super::printable;
use crate::apply::{ALREADY_AS_PLANNED, Done, Failure, Report};
use crate::diagnostic::Code;
use crate::plan::safety::SafetyCheck;
use crate::plan::{Action, Item, Kind, Plan};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// One workflow command; the place is optional (a run-wide problem has none).
#[derive(Debug, Default)]
pub struct Annotation<'a> {
    pub file: Option<&'a str>,
    pub line: Option<u32>,
    pub col: Option<u32>,
    pub end_col: Option<u32>,
    pub title: Option<&'a str>,
}

impl Annotation<'_> {
    /// The command line, ending in a newline. The message may span lines.
    pub fn render(&self, level: Level, message: &str) -> String {
        let message: Vec<String> = message
            .split('\n')
            .map(|l| printable(l).into_owned())
            .collect();
        let mut props = Vec::new();
        if let Some(f) = self.file {
            props.push(format!("file={}", escape_property(&printable(f))));
        }
        for (key, value) in [
            ("line", self.line),
            ("col", self.col),
            ("endColumn", self.end_col),
        ] {
            if let Some(v) = value {
                props.push(format!("{key}={v}"));
            }
        }
        if let Some(t) = self.title {
            props.push(format!("title={}", escape_property(&printable(t))));
        }
        let mut out = format!("::{}", level.command());
        if !props.is_empty() {
            out.push(' ');
            out.push_str(&props.join(","));
        }
        let _ = writeln!(out, "::{}", escape_data(&message.join("\n")));
        out
    }
}

/// A command's message: `%`, CR and LF are encoded; the runner decodes them.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// A command's property value: as data, and `:` and `,` too, which would end it.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn at(item: &Item) -> Annotation<'_> {
    Annotation {
        file: Some(&item.manifest),
        line: Some(item.line),
        ..Annotation::default()
    }
}

/// A command per folder the plan changes, refuses, cannot read or notes something
/// about, and a warning per safety share gone over.
pub fn plan_commands(plan: &Plan, safety: &SafetyCheck) -> String {
    let mut out = String::new();
    for item in &plan.items {
        let kind = item.action.kind();
        let level = match kind {
            Kind::Refused | Kind::Unknown => Level::Error,
            _ if !item.violations.is_empty() => Level::Warning,
            Kind::Unchanged if item.notes.is_empty() => continue,
            _ if item.label == Some(crate::plan::Label::Conflict) => Level::Warning,
            _ => Level::Notice,
        };
        let mut lines = vec![heading_text(item)];
        match &item.action {
            Action::Create { changes } | Action::Update { changes, .. } => {
                lines.extend(changes.iter().map(change_text));
            }
            Action::Revoke { links } => lines.extend(
                links
                    .iter()
                    .map(|l| format!("- {} ({})", printable(&format!("{:?}", l.title)), l.access)),
            ),
            Action::Refused { reason, .. } => lines.push(printable(reason).into_owned()),
            Action::Unknown { error, .. } => lines.push(printable(error).into_owned()),
            Action::Unchanged => {}
        }
        lines.extend(
            item.notes
                .iter()
                .map(|n| format!("note: {}", printable(&n.to_string()))),
        );
        lines.extend(
            item.violations
                .iter()
                .map(|v| format!("policy: {}", printable(&v.to_string()))),
        );
        let title = match (&item.action, item.label) {
            (Action::Refused { code, .. } | Action::Unknown { code, .. }, _) => {
                format!("docspace-links: {} ({code})", kind_word(kind))
            }
            (_, Some(label)) => format!("docspace-links: {} ({})", kind_word(kind), label.word()),
            (_, None) => format!("docspace-links: {}", kind_word(kind)),
        };
        out.push_str(
            &Annotation {
                title: Some(&title),
                ..at(item)
            }
            .render(level, &lines.join("\n")),
        );
    }
    for u in &plan.unlisted {
        let level = match u.action {
            crate::plan::UnlistedAction::Unknown { .. }
            | crate::plan::UnlistedAction::Refused { .. } => Level::Error,
            _ => Level::Warning,
        };
        let mut lines = vec![format!(
            "{}: {}",
            printable(&u.path),
            printable(&unlisted_what(u))
        )];
        if let crate::plan::UnlistedAction::Refused { reason, .. } = &u.action {
            lines.push(printable(reason).into_owned());
        }
        for l in u.action.links() {
            lines.push(format!("- {}", printable(&unlisted_link_label(u, l))));
            lines.extend(
                l.violations
                    .iter()
                    .map(|v| format!("  policy: {}", printable(&v.to_string()))),
            );
        }
        out.push_str(
            &Annotation {
                file: Some(&u.manifest),
                line: Some(u.line),
                title: Some("docspace-links: unlisted link"),
                ..Annotation::default()
            }
            .render(level, &lines.join("\n")),
        );
    }
    let file = plan.items.first().map(|i| &*i.manifest);
    if let Some(why) = &safety.not_applied {
        out.push_str(
            &Annotation {
                file,
                title: Some("docspace-links: safety shares not applied"),
                ..Annotation::default()
            }
            .render(Level::Notice, why),
        );
    }
    for violation in safety.violations() {
        out.push_str(
            &Annotation {
                file,
                title: Some("docspace-links: safety share"),
                ..Annotation::default()
            }
            .render(
                Level::Warning,
                &format!(
                    "{}: apply will refuse this plan without --force",
                    printable(&violation)
                ),
            ),
        );
    }
    out
}

fn kind_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Create => "create",
        Kind::Update => "update",
        Kind::Revoke => "revoke",
        Kind::Unchanged => "note",
        Kind::Refused => "refused",
        Kind::Unknown => "state unknown",
    }
}

/// A command per folder apply changed (notice) or did not bring in line (error).
pub fn apply_commands(report: &Report) -> String {
    let mut out = String::new();
    for o in &report.outcomes {
        let (level, title, message) = match &o.result {
            Ok(Done::Written) => (
                Level::Notice,
                format!("docspace-links: {}", kind_word(o.kind)),
                format!(
                    "{}: {}",
                    printable(&o.shown()),
                    super::human::done_word(o.kind)
                ),
            ),
            Ok(Done::AlreadyAsPlanned) => (
                Level::Notice,
                "docspace-links: already as planned".to_owned(),
                format!("{}: {ALREADY_AS_PLANNED}", printable(&o.shown())),
            ),
            Err(f) => (
                Level::Error,
                format!("docspace-links: {} ({})", failure_word(f), f.code()),
                format!("{}: {}", printable(&o.shown()), printable(&f.to_string())),
            ),
        };
        out.push_str(
            &Annotation {
                file: Some(&o.manifest),
                line: Some(o.line),
                title: Some(&title),
                ..Annotation::default()
            }
            .render(level, &message),
        );
    }
    out
}

pub fn failure_word(f: &Failure) -> &'static str {
    f.headline()
}

/// An error that is about the whole run, not a line of the manifest, titled with
/// its code. The message is one line (no error's text has a line break of its
/// own), made printable whole: it may quote a server or a manifest.
pub fn error_command(code: Code, message: &str) -> String {
    Annotation {
        title: Some(&format!("docspace-links: {code}")),
        ..Annotation::default()
    }
    .render(Level::Error, &printable(message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_and_line_breaks() {
        assert_eq!(escape_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(escape_data("a:b,c"), "a:b,c");
    }

    #[test]
    fn properties_escape_colons_and_commas_too() {
        assert_eq!(
            escape_property("dir,x/links:1.yaml%\n"),
            "dir%2Cx/links%3A1.yaml%25%0A"
        );
    }

    #[test]
    fn a_hostile_title_cannot_end_the_command_or_forge_another() {
        let line = Annotation {
            file: Some("links.yaml"),
            line: Some(3),
            title: Some("x,line=1::oops"),
            ..Annotation::default()
        }
        .render(Level::Notice, "Kit\n::error::forged\x1b[2J");
        assert_eq!(
            line,
            "::notice file=links.yaml,line=3,title=x%2Cline=1%3A%3Aoops::Kit%0A\\u{3a}:error::forged\\u{1b}[2J\n"
        );
        assert_eq!(line.lines().count(), 1);
    }

    #[test]
    fn a_command_without_a_place_has_no_properties() {
        assert_eq!(
            Annotation::default().render(Level::Warning, "w"),
            "::warning::w\n"
        );
        assert_eq!(
            Annotation {
                file: Some("m.yaml"),
                line: Some(2),
                col: Some(5),
                end_col: Some(9),
                title: None,
            }
            .render(Level::Error, "e"),
            "::error file=m.yaml,line=2,col=5,endColumn=9::e\n"
        );
    }
}
