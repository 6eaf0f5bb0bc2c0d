//! `plan`: read the portal, print the difference, change nothing; optionally save
//! the plan for `apply --plan`, and label changes against a baseline manifest.

use std::collections::HashSet;

use super::args::{PlanArgs, PlanFormat};
use super::config::{PortalConfig, load_manifest};
use super::{Output, make_plan};
use crate::docspace::Transport;
use crate::docspace::observe::observe;
use crate::error::{Error, plan_exit_code};
use crate::manifest::Manifest;
use crate::model::Target;
use crate::plan::saved::SavedPlan;
use crate::plan::{Plan, label_against, safety};
use crate::progress::Progress;
use crate::render::{self, Style};

pub async fn run(args: PlanArgs, style: Style, out: &mut Output) -> Result<u8, Error> {
    let files = std::iter::once(args.file.as_path()).chain(args.baseline.as_deref());
    super::input::at_most_one_stdin(files, "-f and --baseline")?;
    let manifest = load_manifest(&args.file)?;
    let baseline = args.baseline.as_deref().map(load_manifest).transpose()?;
    if let Some(b) = &baseline {
        out.hide(b.secrets.values());
    }
    let config = PortalConfig::connect(&args.portal, &manifest, out).await?;
    let progress = Progress::for_stderr(config.transport.stats.clone());
    let plan = match &baseline {
        None => make_plan(&manifest, &config.transport, &progress).await?,
        Some(b) => plan_against(&manifest, b, &config.transport, &progress).await?,
    };
    let safety = safety::check(&plan, manifest.safety);
    super::show::print_plan(&plan, &safety, args.format, style, out)?;
    let code = plan_exit_code(&plan.summary(), args.detailed_exitcode);
    if let Some(path) = &args.out {
        let mut saved = SavedPlan::new(
            plan,
            &config.portal,
            &super::input::name(&args.file),
            &manifest.source.text,
        );
        let plan_dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        // A manifest from standard input has no path for apply to find it by.
        if !super::input::is_stdin(&args.file) {
            saved.manifest.from_plan = super::manifest_path::relative_to(plan_dir, &args.file);
        }
        std::fs::write(path, saved.to_json()).map_err(|source| Error::Io {
            what: "write the saved plan",
            source,
        })?;
        if matches!(args.format, PlanFormat::Human | PlanFormat::Github) {
            // A manifest from standard input has no path apply could find it by.
            let (from, stdin) = if super::input::is_stdin(&args.file) {
                (" (with the same manifest on standard input)", " -f -")
            } else {
                ("", "")
            };
            out.print(&format!(
                "\nSaved this plan to {0}. To apply exactly it, run{from}:\n    docspace-links apply --plan {0}{stdin}\n",
                render::printable(&path.display().to_string())
            ))?;
        }
    }
    Ok(code)
}

/// The plan, with each change labelled against `baseline` (design.md 2). The portal
/// is read once: the baseline's entries that name the same targets share the
/// current manifest's reads, and only the ones it no longer has are read besides.
async fn plan_against(
    manifest: &Manifest,
    baseline: &Manifest,
    transport: &Transport,
    progress: &Progress,
) -> Result<Plan, Error> {
    let mut targets: Vec<&Target> = manifest.entries.iter().map(|e| &e.target).collect();
    let mut known: HashSet<&Target> = targets.iter().copied().collect();
    for e in &baseline.entries {
        if known.insert(&e.target) {
            targets.push(&e.target);
        }
    }
    let scopes: Vec<&Target> = manifest.scopes.iter().map(|s| &s.target).collect();
    let mut observed = observe(&targets, &scopes, transport, progress).await?;
    let now = jiff::Timestamp::now();
    let mut plan = super::build_plan(manifest, &mut observed, transport, now).await?;
    label_against(&mut plan, baseline, &observed, now);
    Ok(plan)
}
