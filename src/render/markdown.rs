//! The plan and the apply outcome as Markdown: a pull-request comment or a job
//! summary (`--format markdown`, and `$GITHUB_STEP_SUMMARY` under `--format github`).
//! The summary comes first and each folder folds away in a `<details>` block. GitHub
//! takes at most 65,536 characters in a comment: past [`LIMIT`] the summary stays
//! and the folders that do not fit are counted instead of shown.
//!
//! Text from the portal is escaped with character references, which mean the same
//! in HTML (`<summary>`) and in Markdown (table cells) and never form syntax in
//! either: a folder title must not be able to add a link, close the block, split a
//! cell or forge a line of the plan.

use std::fmt::Write;

use super::human::{is_shown, summary_line, unlisted_link_label, unlisted_what, what};
use super::{Style, printable};
use crate::apply::{ALREADY_AS_PLANNED, Done, Report};
use crate::plan::safety::SafetyCheck;
use crate::plan::{Action, Item, Kind, Plan, UnlistedAction, UnlistedFolder};

/// The most this output may be, in bytes (never fewer than characters).
pub const LIMIT: usize = 60_000;

/// Room kept for the line that counts what was left out.
const TRAILER_ROOM: usize = 400;

/// Text as it may appear anywhere in the output: printable, with every character
/// that HTML or Markdown give meaning replaced by a character reference.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in printable(text).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                let _ = write!(out, "&#{};", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

fn symbol(kind: Kind) -> &'static str {
    match kind {
        Kind::Create => "+",
        Kind::Update => "~",
        Kind::Revoke => "-",
        Kind::Refused => "!",
        Kind::Unknown => "?",
        Kind::Unchanged => "=",
    }
}

fn folder_block(item: &Item) -> String {
    let mut out = format!(
        "<details><summary><code>{}</code> <strong>{}</strong>: {} <em>({} line {}{})</em>",
        symbol(item.action.kind()),
        escape(&item.shown()),
        escape(&what(item)),
        escape(&item.manifest),
        item.line,
        item.folder_id
            .map_or_else(String::new, |id| format!(", folder {id}")),
    );
    if let Some(label) = item.label {
        let _ = write!(out, " <code>{}</code>", label.word());
    }
    out.push_str("</summary>\n\n");
    match &item.action {
        Action::Create { changes } | Action::Update { changes, .. } => {
            out.push_str("| field | now | planned |\n| --- | --- | --- |\n");
            for c in changes {
                let old = c.old.as_ref().map_or_else(String::new, |v| v.to_string());
                let mut new = escape(&c.new.to_string());
                if c.rotated {
                    new.push_str(" (new password)");
                }
                let _ = writeln!(out, "| {} | {} | {new} |", c.field.name(), escape(&old));
            }
        }
        Action::Revoke { links } => {
            for l in links {
                let _ = writeln!(
                    out,
                    "- revoke {} ({}){}",
                    escape(&format!("{:?}", l.title)),
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
            let _ = writeln!(out, "Refused: {}", escape(reason));
        }
        Action::Unknown { error, .. } => {
            let _ = writeln!(out, "State unknown: {}", escape(error));
        }
        Action::Unchanged => {}
    }
    for note in &item.notes {
        let _ = writeln!(out, "\nNote: {}", escape(&note.to_string()));
    }
    for v in &item.violations {
        let _ = writeln!(out, "\nPolicy: {}", escape(&v.to_string()));
    }
    out.push_str("\n</details>\n\n");
    out
}

/// A folder under a scope that no entry lists, and its links.
fn unlisted_block(u: &UnlistedFolder) -> String {
    let symbol = match u.action {
        UnlistedAction::Report { .. } => "!",
        UnlistedAction::Revoke { .. } => "-",
        UnlistedAction::Refused { .. } => "!",
        UnlistedAction::Unknown { .. } => "?",
    };
    let under = match u.named {
        Some(_) => "extra_unlisted of the entry at".to_owned(),
        None => format!("under scope {},", escape(&u.scope)),
    };
    let mut out = format!(
        "<details><summary><code>{symbol}</code> <strong>{}</strong>: {} <em>({under} {} line {}{})</em></summary>\n\n",
        escape(&u.path),
        escape(&unlisted_what(u)),
        escape(&u.manifest),
        u.line,
        u.folder_id
            .map_or_else(String::new, |id| format!(", folder {id}")),
    );
    if let UnlistedAction::Refused { reason, .. } = &u.action {
        let _ = writeln!(out, "Refused: {}\n", escape(reason));
    }
    for l in u.action.links() {
        let _ = writeln!(out, "- {}", escape(&unlisted_link_label(u, l)));
        for v in &l.violations {
            let _ = writeln!(out, "  - Policy: {}", escape(&v.to_string()));
        }
    }
    out.push_str("\n</details>\n\n");
    out
}

/// Appends as many blocks as fit under [`LIMIT`], then a line counting the rest.
fn fit(mut out: String, blocks: Vec<String>, left_out: impl Fn(usize) -> String) -> String {
    let total = blocks.len();
    let mut shown = 0;
    for block in blocks {
        if out.len() + block.len() + TRAILER_ROOM > LIMIT {
            break;
        }
        out.push_str(&block);
        shown += 1;
    }
    if shown < total {
        let _ = writeln!(
            out,
            "\n> [!NOTE]\n> {} not shown here: this text is kept under 60,000 characters. \
             The whole list is in the job log.",
            left_out(shown)
        );
    }
    out
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The plan for a pull-request comment or a job summary.
pub fn plan_markdown(plan: &Plan, safety: &SafetyCheck) -> String {
    let mut head = String::from("### docspace-links plan\n\n");
    for (i, line) in summary_line(plan, Style::plain()).lines().enumerate() {
        if i == 0 {
            let _ = writeln!(head, "**{}**\n", escape(line));
        } else {
            let _ = writeln!(head, "{}\n", escape(line));
        }
    }
    if let Some(why) = &safety.not_applied {
        let _ = writeln!(
            head,
            "> [!NOTE]\n> **Safety:** {}: the shares guard links that exist.\n",
            escape(why)
        );
    }
    for violation in safety.violations() {
        let _ = writeln!(
            head,
            "> [!WARNING]\n> **Safety:** {}: apply will refuse this plan unless `--force` is given.\n",
            escape(&violation)
        );
    }
    let shown: Vec<&Item> = plan.items.iter().filter(|i| is_shown(i)).collect();
    let blocks = shown
        .iter()
        .map(|i| folder_block(i))
        .chain(plan.unlisted.iter().map(unlisted_block))
        .collect();
    fit(head, blocks, |from| {
        // Unlisted folders come last: what is left out of them is counted apart.
        let unlisted_left = plan.unlisted.len() - from.saturating_sub(shown.len());
        let from = from.min(shown.len());
        let rest = &shown[from..];
        let of = |k: Kind| rest.iter().filter(|i| i.action.kind() == k).count();
        let unlisted = if unlisted_left > 0 {
            format!(
                ", {}",
                count(unlisted_left, "unlisted folder", "unlisted folders")
            )
        } else {
            String::new()
        };
        format!(
            "{} ({} to create, {} to update, {} to revoke, {} refused, {} unknown, {} with notes only){unlisted}",
            count(rest.len(), "more folder", "more folders"),
            of(Kind::Create),
            of(Kind::Update),
            of(Kind::Revoke),
            of(Kind::Refused),
            of(Kind::Unknown),
            of(Kind::Unchanged),
        )
    })
}

/// What apply did, as a table, for the job summary.
pub fn apply_markdown(report: &Report) -> String {
    let mut head = String::from("### docspace-links apply\n\n");
    let _ = writeln!(
        head,
        "**Apply complete: {}.**\n",
        super::human::apply_counts(report)
    );
    if report.outcomes.is_empty() {
        return head;
    }
    head.push_str("| | folder | manifest | outcome |\n| --- | --- | --- | --- |\n");
    let rows = report
        .outcomes
        .iter()
        .map(|o| {
            let (sym, outcome) = match &o.result {
                Ok(Done::Written) => (symbol(o.kind), super::human::done_word(o.kind).to_owned()),
                Ok(Done::AlreadyAsPlanned) => ("=", ALREADY_AS_PLANNED.to_owned()),
                Err(f) => ("!", format!("failed: {f}")),
            };
            format!(
                "| {sym} | {} | {} | {} |\n",
                escape(&o.shown()),
                escape(&format!("{} line {}", o.manifest, o.line)),
                escape(&outcome)
            )
        })
        .collect();
    let failed_rows = |from: usize| {
        report.outcomes[from..]
            .iter()
            .filter(|o| o.result.is_err())
            .count()
    };
    fit(head, rows, |from| {
        format!(
            "{} ({} of them failed)",
            count(report.outcomes.len() - from, "more folder", "more folders"),
            failed_rows(from)
        )
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{Access, DesiredLink, LinkIdentity, LinkSpec, Safety};
    use crate::plan::{Change, Field, Label, Value};

    fn item(path: &str, action: Action) -> Item {
        Item {
            path: path.into(),
            folder_id: Some(7),
            manifest: Arc::from("links.yaml"),
            line: 3,
            extra: None,
            desired: DesiredLink::Present(LinkSpec::default()),
            action,
            notes: Vec::new(),
            violations: Vec::new(),
            label: None,
            seen: Vec::new(),
            creator: None,
            placement: None,
        }
    }

    fn update(title: &str) -> Action {
        Action::Update {
            target: LinkIdentity {
                link_id: "l".into(),
                share_link: None,
            },
            changes: vec![
                Change {
                    field: Field::Title,
                    old: Some(Value::Text(title.into())),
                    new: Value::Text("Kit".into()),
                    rotated: false,
                },
                Change {
                    field: Field::Access,
                    old: Some(Value::access(Access::Editing)),
                    new: Value::access(Access::Read),
                    rotated: false,
                },
            ],
        }
    }

    fn check(plan: &Plan) -> SafetyCheck {
        crate::plan::safety::check(plan, Safety::default())
    }

    #[test]
    fn a_folder_folds_away_under_a_summary_first() {
        let mut i = item("Marketing/Press kit", update("Old kit"));
        i.label = Some(Label::Drift);
        let plan = Plan::new(vec![i, item("Other", Action::Unchanged)], true);
        insta::assert_snapshot!(plan_markdown(&plan, &check(&plan)));
    }

    #[test]
    fn portal_text_cannot_escape_its_place() {
        let hostile = "</summary></details>[click](https://evil.example) | *x*\n**Plan: 0**";
        let plan = Plan::new(vec![item(hostile, update(hostile))], true);
        let text = plan_markdown(&plan, &check(&plan));
        assert_eq!(text.matches("</details>").count(), 1, "{text}");
        assert!(!text.contains("[click](https"), "{text}");
        assert!(text.contains("&lt;/summary&gt;"), "{text}");
        assert!(
            text.contains("&#91;click&#93;(https://evil.example) &#124; &#42;x&#42;"),
            "{text}"
        );
        assert!(!text.contains("\n**Plan: 0**"), "{text}");
    }

    #[test]
    fn a_big_plan_keeps_its_summary_and_counts_what_is_left_out() {
        let items: Vec<Item> = (0..3000)
            .map(|n| item(&format!("Room/Folder {n:04}"), update("Old kit")))
            .collect();
        let plan = Plan::new(items, true);
        let text = plan_markdown(&plan, &check(&plan));
        assert!(text.len() <= LIMIT, "{} bytes", text.len());
        assert!(text.contains("**Plan: 0 to create, 3000 to update, 0 to revoke, 0 unchanged.**"));
        let shown = text.matches("<details>").count();
        assert!(shown > 100, "{shown} shown");
        let left = 3000 - shown;
        assert!(
            text.contains(&format!(
                "> {left} more folders (0 to create, {left} to update, 0 to revoke, 0 refused, 0 unknown, 0 with notes only) not shown here"
            )),
            "{}",
            &text[text.len() - 400..]
        );
    }

    #[test]
    fn apply_outcomes_are_a_table_cut_like_the_plan() {
        use crate::apply::{Failure, Outcome};
        let outcome = |n: usize, result| Outcome {
            extra: None,
            path: format!("Room/Folder | {n:04}"),
            folder_id: Some(n as u64),
            manifest: Arc::from("links.yaml"),
            line: n as u32,
            kind: Kind::Update,
            result,
        };
        let small = Report {
            outcomes: vec![
                outcome(1, Ok(Done::Written)),
                outcome(2, Err(Failure::Stale("the title is now \"x\"".into()))),
                outcome(3, Ok(Done::AlreadyAsPlanned)),
            ],
        };
        let text = apply_markdown(&small);
        assert!(
            text.contains("**Apply complete: 0 created, 1 updated, 0 revoked, 1 already as planned (nothing written), 1 failed.**"),
            "{text}"
        );
        assert!(
            text.contains("| = | Room/Folder &#124; 0003 | links.yaml line 3 | already as planned, nothing written |"),
            "{text}"
        );
        assert!(
            text.contains("| ~ | Room/Folder &#124; 0001 | links.yaml line 1 | updated |"),
            "{text}"
        );
        assert!(text.contains("| ! | Room/Folder &#124; 0002 | links.yaml line 2 | failed: changed since the plan, not written: the title is now \"x\" |"), "{text}");

        let big = Report {
            outcomes: (0..5000)
                .map(|n| {
                    outcome(
                        n,
                        if n % 2 == 0 {
                            Ok(Done::Written)
                        } else {
                            Err(Failure::Request {
                                during: crate::apply::During::Write,
                                source: crate::docspace::ApiError::Unauthorized,
                            })
                        },
                    )
                })
                .collect(),
        };
        let text = apply_markdown(&big);
        assert!(text.len() <= LIMIT, "{}", text.len());
        // Less the header and its separator.
        let rows = text.lines().filter(|l| l.starts_with("| ")).count() - 2;
        let left = 5000 - rows;
        let failed = (rows..5000).filter(|n| n % 2 == 1).count();
        assert!(
            text.contains(&format!(
                "more folders ({failed} of them failed) not shown here"
            )),
            "{}",
            &text[text.len() - 300..]
        );
        assert!(
            text.contains(&format!("> {left} more folders")),
            "{}",
            &text[text.len() - 300..]
        );
    }

    #[test]
    fn a_small_plan_is_not_cut() {
        let plan = Plan::new(vec![item("A", update("B"))], true);
        let text = plan_markdown(&plan, &check(&plan));
        assert!(!text.contains("not shown here"));
    }
}
