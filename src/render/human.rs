//! The plan as people read it: Terraform's symbols, one block per folder that
//! changes, field-level `old -> new`, a summary line. Every value from outside
//! (paths, titles, server messages, notes, policy findings) is shown through
//! `printable`.

use std::fmt::Write;

use super::{Style, printable};
use crate::apply::{ALREADY_AS_PLANNED, Done, Report};
use crate::plan::safety::SafetyCheck;
use crate::plan::{
    Action, Change, Item, Kind, Label, Plan, UnlistedAction, UnlistedFolder, UnlistedLink, Value,
};

pub(super) fn symbol(kind: Kind, s: Style) -> String {
    match kind {
        Kind::Create => s.green("+"),
        Kind::Update => s.yellow("~"),
        Kind::Revoke => s.red("-"),
        Kind::Refused => s.red("!"),
        Kind::Unknown => s.magenta("?"),
        Kind::Unchanged => " ".to_owned(),
    }
}

pub(super) fn what(item: &Item) -> String {
    match &item.action {
        Action::Create { .. } => "a primary link will be created".to_owned(),
        Action::Update { .. } => "the primary link will be updated in place".to_owned(),
        Action::Revoke { links } if links.len() == 1 => {
            "the primary link will be revoked".to_owned()
        }
        Action::Revoke { links } => format!("{} primary links will be revoked", links.len()),
        Action::Refused { .. } => "refused: will not be changed".to_owned(),
        Action::Unknown { .. } => "state unknown: could not be read".to_owned(),
        Action::Unchanged => "no change".to_owned(),
    }
}

fn heading(item: &Item, s: Style) -> String {
    let mut line = format!(
        "  {} {} {}",
        symbol(item.action.kind(), s),
        s.bold(&printable(&item.shown())),
        s.dim(&format!(
            "({}): {}",
            place(item.folder_id, item.line),
            what(item)
        ))
    );
    // Only with --baseline: without one, the output stays as it always was.
    if let Some(label) = item.label {
        let word = format!("[{}]", label.word());
        let _ = write!(
            line,
            " {}",
            match label {
                Label::Pending => s.green(&word),
                Label::Drift => s.yellow(&word),
                Label::Conflict => s.red(&word),
            }
        );
    }
    line
}

/// The heading without symbol, indentation or colour (for annotations).
pub(super) fn heading_text(item: &Item) -> String {
    let mut line = format!(
        "{} ({}): {}",
        printable(&item.shown()),
        place(item.folder_id, item.line),
        what(item)
    );
    if let Some(label) = item.label {
        let _ = write!(line, " [{}]", label.word());
    }
    line
}

/// A change as one plain line: `access: editing -> read`.
pub(super) fn change_text(c: &Change) -> String {
    change_line(c, 0, Style::plain()).trim_start().to_owned()
}

pub(super) fn place(folder_id: Option<u64>, line: u32) -> String {
    match folder_id {
        Some(id) => format!("folder {id}, manifest line {line}"),
        None => format!("manifest line {line}"),
    }
}

fn field_width(changes: &[Change]) -> usize {
    changes
        .iter()
        .map(|c| c.field.name().len())
        .max()
        .unwrap_or(0)
        + 1
}

fn change_line(c: &Change, width: usize, s: Style) -> String {
    let name = format!("{}:", c.field.name());
    match &c.old {
        None => format!(
            "      {name:width$} {}",
            s.green(&printable(&c.new.to_string()))
        ),
        Some(old) => {
            let mut line = format!(
                "      {name:width$} {} -> {}",
                s.red(&printable(&old.to_string())),
                s.green(&printable(&c.new.to_string()))
            );
            if c.rotated {
                line.push_str(&s.dim("  (new password)"));
            }
            line
        }
    }
}

/// Unchanged folders are left out unless there is something to note about them.
pub(super) fn is_shown(item: &Item) -> bool {
    item.action.kind() != Kind::Unchanged || !item.notes.is_empty() || !item.violations.is_empty()
}

/// The whole plan, ending with its summary line.
pub fn plan_text(plan: &Plan, s: Style) -> String {
    let mut out = String::new();
    let shown: Vec<&Item> = plan.items.iter().filter(|i| is_shown(i)).collect();
    let summary = plan.summary();
    if summary.changes() > 0 {
        out.push_str("docspace-links will make these changes:\n\n");
    } else if !shown.is_empty() || !plan.unlisted.is_empty() {
        // Only refusals, unknowns, findings or notes: nothing would be changed.
        out.push_str("docspace-links will change nothing, but note:\n\n");
    }
    for item in shown {
        out.push_str(&heading(item, s));
        out.push('\n');
        match &item.action {
            Action::Create { changes } | Action::Update { changes, .. } => {
                let width = field_width(changes);
                for c in changes {
                    out.push_str(&change_line(c, width, s));
                    out.push('\n');
                }
            }
            Action::Revoke { links } => {
                for l in links {
                    let _ = writeln!(
                        out,
                        "      {} {} ({}){}",
                        s.red("-"),
                        printable(&Value::Text(l.title.clone()).to_string()),
                        l.access,
                        if l.password_set {
                            ", password protected"
                        } else {
                            ""
                        }
                    );
                }
            }
            Action::Refused { reason, .. } => {
                let _ = writeln!(out, "      {}", s.red(&printable(reason)));
            }
            Action::Unknown { error, .. } => {
                let _ = writeln!(out, "      {}", s.magenta(&printable(error)));
            }
            Action::Unchanged => {}
        }
        for note in &item.notes {
            let _ = writeln!(
                out,
                "      {} {}",
                s.dim("note:"),
                printable(&note.to_string())
            );
        }
        for v in &item.violations {
            let _ = writeln!(
                out,
                "      {} {}",
                s.red("policy:"),
                printable(&v.to_string())
            );
        }
        out.push('\n');
    }
    for u in &plan.unlisted {
        unlisted(&mut out, u, s);
    }
    out.push_str(&summary_line(plan, s));
    out.push('\n');
    out
}

/// What becomes of an unlisted folder, in words: `1 link no entry lists`.
pub(super) fn unlisted_what(u: &UnlistedFolder) -> String {
    let n = u.action.links().len();
    let (links, unnamed) = match u.named {
        // A listed folder's `extra_unlisted`.
        Some(_) => (
            format!("{n} additional link{}", if n == 1 { "" } else { "s" }),
            "no extra_links key names",
        ),
        None => (
            format!("{n} link{}", if n == 1 { "" } else { "s" }),
            "no entry lists",
        ),
    };
    match &u.action {
        UnlistedAction::Report { .. } => format!("{links} {unnamed}"),
        UnlistedAction::Revoke { links: all } => {
            let kept = all.iter().filter(|l| l.kept).count();
            if kept == 0 {
                format!("{links} {unnamed}, to be revoked")
            } else {
                format!("{links} {unnamed}, {} to be revoked, {kept} kept", n - kept)
            }
        }
        UnlistedAction::Refused { .. } => {
            format!("{links} {unnamed}, refused: will not be revoked")
        }
        UnlistedAction::Unknown { error, .. } => format!("state unknown: {error}"),
    }
}

/// One unlisted link: `"Made by hand" (editing, primary, password protected)`.
pub(super) fn unlisted_link_text(l: &UnlistedLink) -> String {
    let mut facts = vec![
        l.access.to_string(),
        if l.primary { "primary" } else { "additional" }.to_owned(),
    ];
    if l.password_set {
        facts.push("password protected".to_owned());
    }
    match l.expires {
        Some(t) if l.expired => facts.push(format!("expired {}", crate::model::utc(t))),
        Some(t) => facts.push(format!("expires {}", crate::model::utc(t))),
        None => {}
    }
    if l.internal {
        facts.push("internal".to_owned());
    }
    if l.kept {
        facts.push("kept: revoked, the portal would make a new one".to_owned());
    }
    format!("{} ({})", Value::Text(l.title.clone()), facts.join(", "))
}

/// One unlisted link as every output lists it: an unnamed additional link of a
/// listed folder (`extra_unlisted`) as an item of its own, `Team/Press · "Agency"
/// (...)`, as its named ones are shown.
pub(super) fn unlisted_link_label(u: &UnlistedFolder, l: &UnlistedLink) -> String {
    match u.named {
        Some(_) => format!("{} \u{b7} {}", u.path, unlisted_link_text(l)),
        None => unlisted_link_text(l),
    }
}

/// A folder under a scope that no entry lists (design.md 1.1).
fn unlisted(out: &mut String, u: &UnlistedFolder, s: Style) {
    let (symbol, mark) = match &u.action {
        UnlistedAction::Report { .. } => (s.yellow("!"), s.yellow("!")),
        UnlistedAction::Revoke { .. } => (s.red("-"), s.red("-")),
        UnlistedAction::Refused { .. } => (s.yellow("!"), s.yellow("!")),
        UnlistedAction::Unknown { .. } => (s.magenta("?"), String::new()),
    };
    let place = match u.folder_id {
        Some(id) => format!("folder {id}, "),
        None => String::new(),
    };
    let what = match &u.action {
        UnlistedAction::Unknown { .. } => "state unknown".to_owned(),
        _ => unlisted_what(u),
    };
    let _ = writeln!(
        out,
        "  {symbol} {} {}",
        s.bold(&printable(&u.path)),
        s.dim(&match u.named {
            Some(_) => format!(
                "({place}extra_unlisted of the entry at manifest line {}): {what}",
                u.line
            ),
            None => format!(
                "({place}under scope {} at manifest line {}): {what}",
                printable(&u.scope),
                u.line
            ),
        })
    );
    if let UnlistedAction::Unknown { error, .. } = &u.action {
        let _ = writeln!(out, "      {}", s.magenta(&printable(error)));
    }
    if let UnlistedAction::Refused { reason, .. } = &u.action {
        let _ = writeln!(out, "      {}", s.yellow(&printable(reason)));
    }
    for l in u.action.links() {
        let _ = writeln!(
            out,
            "      {mark} {}",
            printable(&unlisted_link_label(u, l))
        );
        for v in &l.violations {
            let _ = writeln!(
                out,
                "        {} {}",
                s.red("policy:"),
                printable(&v.to_string())
            );
        }
    }
    out.push('\n');
}

pub(super) fn summary_line(plan: &Plan, s: Style) -> String {
    let sum = plan.summary();
    let mut trouble = Vec::new();
    if sum.unlisted > 0 {
        trouble.push(format!("{} unlisted", sum.unlisted));
    }
    if sum.violations > 0 {
        trouble.push(format!(
            "{} policy violation{}",
            sum.violations,
            if sum.violations == 1 { "" } else { "s" }
        ));
    }
    if sum.refused > 0 {
        trouble.push(format!("{} refused", sum.refused));
    }
    if sum.unknown > 0 {
        trouble.push(format!("{} unknown", sum.unknown));
    }
    let mut line = if sum.pending() == 0 && trouble.is_empty() {
        s.green("No changes. The portal matches the manifest.")
    } else {
        let mut parts = vec![
            format!("{} to create", sum.create),
            format!("{} to update", sum.update),
            format!("{} to revoke", sum.revoke),
            format!("{} unchanged", sum.unchanged),
        ];
        parts.extend(trouble);
        format!("{} {}.", s.bold("Plan:"), parts.join(", "))
    };
    if sum.unverifiable > 0 {
        let _ = write!(
            line,
            "\n{} {} managed password{} could not be verified: the portal does not return passwords.",
            s.dim("Note:"),
            sum.unverifiable,
            if sum.unverifiable == 1 { "" } else { "s" }
        );
    }
    line
}

/// A warning per safety share the plan goes over, or why the shares did not
/// apply (a first adoption), or nothing.
pub fn safety_warning(check: &SafetyCheck, s: Style) -> String {
    let mut out = String::new();
    if let Some(why) = &check.not_applied {
        let _ = writeln!(
            out,
            "{} {why}: the shares guard links that exist, and this plan is not held to them.",
            s.dim("Note:")
        );
    }
    for violation in check.violations() {
        let _ = writeln!(
            out,
            "{} {}: apply will refuse this plan unless --force is given.",
            s.red("Warning:"),
            printable(&violation)
        );
    }
    out
}

pub(super) fn done_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Create => "created",
        Kind::Update => "updated",
        Kind::Revoke => "revoked",
        _ => "skipped",
    }
}

/// What apply did, folder by folder, then a summary.
pub fn apply_report(report: &Report, s: Style) -> String {
    let mut out = String::new();
    for o in &report.outcomes {
        let verb = done_word(o.kind);
        match &o.result {
            Ok(Done::Written) => {
                let _ = writeln!(
                    out,
                    "  {} {}: {verb}",
                    symbol(o.kind, s),
                    printable(&o.shown())
                );
            }
            Ok(Done::AlreadyAsPlanned) => {
                let _ = writeln!(out, "  = {}: {ALREADY_AS_PLANNED}", printable(&o.shown()));
            }
            Err(e) => {
                let _ = writeln!(
                    out,
                    "  {} {} ({}): {} {}",
                    s.red("!"),
                    printable(&o.shown()),
                    place(o.folder_id, o.line),
                    s.red("failed:"),
                    printable(&e.to_string())
                );
            }
        }
    }
    let _ = writeln!(
        out,
        "\n{} {}.",
        s.bold("Apply complete:"),
        apply_counts(report)
    );
    out
}

/// The summary's counts, in words: only writes that happened are counted as
/// created, updated or revoked; folders found already as planned are told apart.
pub(super) fn apply_counts(report: &Report) -> String {
    let already = match report.already() {
        0 => String::new(),
        n => format!("{n} already as planned (nothing written), "),
    };
    let check = match report.to_check() {
        0 => String::new(),
        n => format!("{n} written but to check by hand, "),
    };
    format!(
        "{} created, {} updated, {} revoked, {already}{check}{} failed",
        report.done(Kind::Create),
        report.done(Kind::Update),
        report.done(Kind::Revoke),
        report.failed()
    )
}
