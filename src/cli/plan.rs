//! `plan`: read the portal, print the difference, change nothing; optionally save
//! the plan for `apply --plan`, and label changes against a baseline manifest.

use std::collections::{HashMap, HashSet};

use super::args::{PlanArgs, PlanFormat};
use super::config::{PortalConfig, load_manifest, step_summary};
use super::{Output, make_plan};
use crate::docspace::Transport;
use crate::docspace::observe::{ObservedEntry, observe};
use crate::error::{Error, plan_exit_code};
use crate::manifest::{Manifest, ManifestError};
use crate::model::{DesiredLink, ObservedLink, Target};
use crate::plan::saved::SavedPlan;
use crate::plan::{Context, Plan, label_plan, safety};
use crate::progress::Progress;
use crate::render::{self, Style};

pub async fn run(args: PlanArgs, style: Style, out: &mut Output) -> Result<u8, Error> {
    let manifest = load_manifest(&args.file)?;
    let baseline = args.baseline.as_deref().map(load_manifest).transpose()?;
    if let Some(b) = &baseline {
        out.hide(b.secrets.values());
    }
    let config = PortalConfig::connect(&args.portal, &manifest, out).await?;
    let progress = Progress::for_stderr();
    let plan = match &baseline {
        None => make_plan(&manifest, &config.transport, &progress).await?,
        Some(b) => plan_against(&manifest, b, &config.transport, &progress).await?,
    };
    let safety = safety::check(&plan, manifest.safety);
    match args.format {
        PlanFormat::Human | PlanFormat::Github => {
            out.print(&render::plan_text(&plan, style))?;
            out.print(&render::safety_warning(&safety, style))?;
        }
        PlanFormat::Json => out.print(&render::plan_json(&plan, &safety))?,
        PlanFormat::Markdown => out.print(&render::plan_markdown(&plan, &safety))?,
    }
    if args.format == PlanFormat::Github {
        out.print(&render::plan_commands(&plan, &safety))?;
        if let Some(summary) = step_summary() {
            out.append(&summary, &render::plan_markdown(&plan, &safety))?;
        }
    }
    let code = plan_exit_code(&plan.summary(), args.detailed_exitcode);
    if let Some(path) = &args.out {
        let mut saved = SavedPlan::new(
            plan,
            &config.portal,
            &args.file.display().to_string(),
            &manifest.source.text,
        );
        let plan_dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => std::path::Path::new("."),
        };
        saved.manifest.from_plan = super::manifest_path::relative_to(plan_dir, &args.file);
        std::fs::write(path, saved.to_json()).map_err(|source| Error::Io {
            what: "write the saved plan",
            source,
        })?;
        if matches!(args.format, PlanFormat::Human | PlanFormat::Github) {
            out.print(&format!(
                "\nSaved this plan to {0}. To apply exactly it, run:\n    docspace-links apply --plan {0}\n",
                path.display()
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
    let current: Vec<&Target> = manifest.entries.iter().map(|e| &e.target).collect();
    let known: HashSet<&Target> = current.iter().copied().collect();
    let mut extra: Vec<&Target> = Vec::new();
    for e in &baseline.entries {
        if !known.contains(&e.target) && !extra.contains(&&e.target) {
            extra.push(&e.target);
        }
    }
    let targets: Vec<&Target> = current.iter().chain(&extra).copied().collect();
    let scopes: Vec<&Target> = manifest.scopes.iter().map(|s| &s.target).collect();
    let mut observed = observe(&targets, &scopes, transport, progress).await?;
    let extra_seen = observed.entries.split_off(current.len());
    let now = jiff::Timestamp::now();
    let mut plan = crate::plan::build(manifest, &observed, now)
        .map_err(|d| Error::Manifest(ManifestError::new(manifest.source.clone(), d)))?;

    let folder_of = |e: &ObservedEntry| e.folder.as_ref().ok().map(|f| f.folder.id);
    let seen: HashMap<&Target, &ObservedEntry> = current
        .iter()
        .copied()
        .zip(&observed.entries)
        .chain(extra.iter().copied().zip(&extra_seen))
        .collect();
    let wanted: HashMap<u64, &DesiredLink> = baseline
        .entries
        .iter()
        .filter_map(|e| Some((folder_of(seen.get(&e.target)?)?, &e.link)))
        .collect();
    let links: HashMap<u64, &[ObservedLink]> = observed
        .entries
        .iter()
        .filter_map(|e| {
            let f = e.folder.as_ref().ok()?;
            Some((f.folder.id, f.links.as_ref().ok()?.primary.as_slice()))
        })
        .collect();
    let ctx = Context {
        secrets: &baseline.secrets,
        echoes_passwords: plan.portal_echoes_passwords,
        release: &observed.release,
        now,
    };
    label_plan(&mut plan, &wanted, &links, &ctx);
    Ok(plan)
}
