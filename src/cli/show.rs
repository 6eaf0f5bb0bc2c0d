//! `show PLAN.json`: a saved plan (`plan --out`) rendered again, with no portal and
//! no manifest: a pull-request comment or a job summary made from the plan
//! artifact, in the same formats and by the same renderers as `plan`.
//!
//! The file is read as apply reads it (size, JSON, format version, duplicate and
//! unknown keys are refused alike), and everything in it is foreign text: titles,
//! paths and reasons go through the renderers' escaping like the portal's own. What
//! only the portal can confirm (that the plan still fits it) is apply's to check.
//!
//! The safety shares are the manifest's, not the plan's: with `-f FILE` (the
//! manifest the plan was made from, held to the plan's SHA-256) they are that
//! manifest's, otherwise the defaults, and where that matters a note says so.

use super::Output;
use super::args::{PlanFormat, ShowArgs};
use super::config::step_summary;
use crate::error::{Error, plan_exit_code};
use crate::manifest::{self, Source};
use crate::model::{Safety, utc};
use crate::plan::Plan;
use crate::plan::safety::{self, SafetyCheck};
use crate::plan::saved::{Error as SavedPlanError, SavedPlan, sha256_hex};
use crate::render::{self, Style, printable};

pub fn run(args: ShowArgs, style: Style, out: &Output) -> Result<u8, Error> {
    let saved = super::plan_file::read(&args.plan)?;
    let shown = args.plan.display().to_string();
    let shares = match &args.file {
        Some(file) => Shares::Manifest(manifest_safety(&saved, &shown, file)?),
        None => Shares::Default,
    };
    let safety = safety::check(&saved.plan, shares.safety());
    if matches!(args.format, PlanFormat::Human | PlanFormat::Github) {
        out.print(&header(&saved, &shown))?;
    }
    print_plan(&saved.plan, &safety, args.format, style, out)?;
    if matches!(shares, Shares::Default) && (safety.is_exceeded() || safety.not_applied.is_some()) {
        out.eprint(
            "note: the safety shares above are the defaults; give the manifest with -f FILE for its own\n",
        );
    }
    Ok(plan_exit_code(
        &saved.plan.summary(),
        args.detailed_exitcode,
    ))
}

/// Prints a plan in `format`, with its safety check: `plan` and `show` alike.
pub fn print_plan(
    plan: &Plan,
    safety: &SafetyCheck,
    format: PlanFormat,
    style: Style,
    out: &Output,
) -> Result<(), Error> {
    match format {
        PlanFormat::Human | PlanFormat::Github => {
            out.print(&render::plan_text(plan, style))?;
            out.print(&render::safety_warning(safety, style))?;
        }
        PlanFormat::Json => out.print(&render::plan_json(plan, safety))?,
        PlanFormat::Markdown => out.print(&render::plan_markdown(plan, safety))?,
    }
    if format == PlanFormat::Github {
        out.commands(&render::plan_commands(plan, safety))?;
        if let Some(summary) = step_summary() {
            out.append(&summary, &render::plan_markdown(plan, safety))?;
        }
    }
    Ok(())
}

enum Shares {
    Manifest(Safety),
    Default,
}

impl Shares {
    fn safety(&self) -> Safety {
        match self {
            Shares::Manifest(s) => *s,
            Shares::Default => Safety::default(),
        }
    }
}

/// The shares of the manifest at `file`, which must be the one the plan was made
/// from (apply refuses another one just the same).
fn manifest_safety(
    saved: &SavedPlan,
    shown: &str,
    file: &std::path::Path,
) -> Result<Safety, Error> {
    let text = super::input::read_text(file)?;
    let actual = sha256_hex(text.as_bytes());
    if actual != saved.manifest.sha256 {
        return Err(SavedPlanError::ManifestChanged {
            path: shown.to_owned(),
            manifest: super::input::name(file),
            planned: saved.manifest.sha256.clone(),
            actual,
        }
        .into());
    }
    let source = Source {
        name: super::input::name(file),
        text,
    };
    Ok(manifest::safety_of(source)?)
}

/// Which plan this is: when, by which release, for which portal and manifest. All of
/// it read from the file, so all of it printable only.
fn header(saved: &SavedPlan, shown: &str) -> String {
    format!(
        "Saved plan {}: made {} by {} for {}, from {} (SHA-256 {}).\n\n",
        printable(shown),
        utc(saved.created_at),
        printable(&saved.created_by),
        printable(&saved.portal),
        printable(&saved.manifest.path),
        printable(&saved.manifest.sha256),
    )
}
