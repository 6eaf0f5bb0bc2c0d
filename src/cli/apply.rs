//! `apply`: show the plan, ask, re-check, carry it out, report per folder. The plan
//! is made now from the manifest (`-f`), or is exactly a saved, reviewed one
//! (`--plan`), which is refused as a whole if it no longer fits the portal, the
//! manifest or its age.

use std::path::Path;

use super::args::{ApplyArgs, ApplyFormat};
use super::config::{PortalConfig, load_manifest, parse_manifest, step_summary};
use super::{Output, make_plan, manifest_path};
use crate::apply::{Failure, Outcome, Report};
use crate::docspace::ApiError;
use crate::error::{Error, apply_exit_code};
use crate::manifest::Manifest;
use crate::plan::saved::Expected;
use crate::plan::{Drift, Kind, Plan, safety};
use crate::progress::Progress;
use crate::render::{self, Style};

pub async fn run(args: ApplyArgs, style: Style, out: &mut Output) -> Result<u8, Error> {
    if args.format == ApplyFormat::Json && !args.yes {
        return Err(Error::ConfirmationInJson);
    }
    match Source::of(&args)? {
        Source::Saved { plan, manifest } => from_saved(&args, plan, manifest, style, out).await,
        Source::Manifest(file) => from_manifest(&args, file, style, out).await,
    }
}

/// What apply carries out, decided once from the arguments.
enum Source<'a> {
    /// A plan made now from this manifest (`-f`).
    Manifest(&'a Path),
    /// A saved plan (`--plan`); its secrets come from `manifest` when given (`-f`),
    /// else from the manifest the plan names.
    Saved {
        plan: &'a Path,
        manifest: Option<&'a Path>,
    },
}

impl<'a> Source<'a> {
    fn of(args: &'a ApplyArgs) -> Result<Source<'a>, Error> {
        match (args.plan.as_deref(), args.file.as_deref()) {
            (Some(plan), manifest) => Ok(Source::Saved { plan, manifest }),
            (None, Some(file)) => Ok(Source::Manifest(file)),
            // clap requires one of them; said as an error all the same, not a panic.
            (None, None) => Err(Error::NothingToApply),
        }
    }
}

async fn from_manifest(
    args: &ApplyArgs,
    file: &Path,
    style: Style,
    out: &mut Output,
) -> Result<u8, Error> {
    let manifest = load_manifest(file)?;
    let config = PortalConfig::connect(&args.portal, &manifest, out).await?;
    let transport = &config.transport;
    let progress = Progress::for_stderr(config.transport.stats.clone());
    let plan = make_plan(&manifest, transport, &progress).await?;
    if !review(&plan, &manifest, args, style, out)? {
        return finish(&Report::default(), args, &config, style, out);
    }
    let plan = if args.yes || plan.summary().changes() == 0 {
        plan
    } else {
        confirm(out)?;
        // Time passed while the user read the plan: apply only what they saw.
        let fresh = make_plan(&manifest, transport, &progress).await?;
        if fresh != plan {
            return Err(Error::StaleWhileConfirming);
        }
        fresh
    };
    out.print("\n")?;
    let report = crate::apply::apply(
        &plan,
        &manifest.secrets,
        transport,
        &progress,
        crate::apply::PlanRead::JustNow,
    )
    .await;
    finish(&report, args, &config, style, out)
}

/// `apply --plan FILE`: the checks that refuse the whole plan come first, then the
/// secrets are resolved from the manifest as it is now (the digest says it is the
/// one the plan was made from), and apply re-checks every folder before writing.
async fn from_saved(
    args: &ApplyArgs,
    path: &Path,
    manifest: Option<&Path>,
    style: Style,
    out: &mut Output,
) -> Result<u8, Error> {
    let shown = path.display().to_string();
    let saved = super::plan_file::read(path)?;
    let config = PortalConfig::open(&args.portal, out)?;
    let manifest_path = match manifest {
        Some(file) => file.to_path_buf(),
        None => manifest_path::locate(path, &saved.manifest)?,
    };
    let manifest_text = super::input::read_text(&manifest_path)?;
    let max_age = args.max_age.clone().unwrap_or_default();
    saved.verify(
        &shown,
        &Expected {
            portal: &config.portal,
            manifest_text: &manifest_text,
            now: jiff::Timestamp::now(),
            max_age: max_age.duration,
            max_age_text: &max_age.text,
        },
    )?;
    let manifest = parse_manifest(&manifest_path, manifest_text)?;
    config.guard(&manifest, out);
    saved.matches(&shown, &manifest)?;
    config.transport.check_portal().await?;
    // The same manifest against the portal as it is now: the file must be what the
    // tool would have written (plan::replan), and the facts about the portal are
    // this run's, never the file's.
    let progress = Progress::for_stderr(config.transport.stats.clone());
    let now = make_plan(&manifest, &config.transport, &progress).await?;
    saved.check_against(&shown, &now)?;
    let mut plan = saved.plan;
    let drift = plan.hold_to(&now);
    plan.portal_echoes_passwords = now.portal_echoes_passwords;
    let mut report = Report::default();
    if review(&plan, &manifest, args, style, out)? {
        if !args.yes && plan.summary().changes() > 0 {
            confirm(out)?;
        }
        out.print("\n")?;
        report = crate::apply::apply(
            &plan,
            &manifest.secrets,
            &config.transport,
            &progress,
            crate::apply::PlanRead::Saved,
        )
        .await;
    }
    report.outcomes.extend(drift.into_iter().map(drifted));
    finish(&report, args, &config, style, out)
}

/// A change a plan made now has and the saved plan lacks: reported as stale,
/// nothing written (`Plan::hold_to`).
fn drifted(d: Drift) -> Outcome {
    Outcome {
        path: d.path,
        extra: d.extra,
        folder_id: d.folder_id,
        manifest: d.manifest,
        line: d.line,
        kind: Kind::Unchanged,
        result: Err(Failure::Stale(d.why)),
    }
}

/// Shows the plan and holds it to the safety shares. `false` when there is nothing
/// to do at all.
fn review(
    plan: &Plan,
    manifest: &Manifest,
    args: &ApplyArgs,
    style: Style,
    out: &Output,
) -> Result<bool, Error> {
    let safety = safety::check(plan, manifest.safety);
    if args.format != ApplyFormat::Json {
        out.print(&render::plan_text(plan, style))?;
        out.print(&render::safety_warning(&safety, style))?;
    }
    if plan.summary().is_empty() {
        return Ok(false);
    }
    if safety.is_exceeded() && !args.force {
        return Err(Error::SafetyShare { check: safety });
    }
    Ok(true)
}

fn finish(
    report: &Report,
    args: &ApplyArgs,
    config: &PortalConfig,
    style: Style,
    out: &Output,
) -> Result<u8, Error> {
    let code = apply_exit_code(report);
    match args.format {
        ApplyFormat::Json => {}
        // Nothing was to be done: the plan said so already.
        _ if report.outcomes.is_empty() => {}
        ApplyFormat::Human => out.print(&render::apply_report(report, style))?,
        ApplyFormat::Github => {
            out.print(&render::apply_report(report, style))?;
            out.commands(&render::apply_commands(report))?;
            if let Some(summary) = step_summary() {
                out.append(&summary, &render::apply_markdown(report))?;
            }
        }
    }
    let stopped = |cause| Error::ApplyStopped {
        cause,
        report: Box::new(report.clone()),
    };
    if config.transport.token_refused() {
        // The key stopped working half-way: an authentication error, not a
        // per-folder one.
        return Err(stopped(ApiError::Unauthorized));
    }
    if let Some(down) = config.transport.portal_down() {
        // The rest was not attempted: one error that says why, not one per folder.
        return Err(stopped(down));
    }
    if args.format == ApplyFormat::Json {
        out.print(&render::apply_json(report, code))?;
    }
    Ok(code)
}

fn confirm(out: &Output) -> Result<(), Error> {
    match out.ask_yes("Do you want to make these changes?")? {
        None => Err(Error::NoTerminal),
        Some(true) => Ok(()),
        Some(false) => Err(Error::Cancelled),
    }
}
