//! `plan`: read the portal, print the difference, change nothing.

use super::args::{Format, PlanArgs};
use super::config::{PortalConfig, load_manifest};
use super::{Output, make_plan};
use crate::error::{Error, plan_exit_code};
use crate::progress::Progress;
use crate::render::{self, Style};

pub async fn run(args: PlanArgs, style: Style, out: &mut Output) -> Result<u8, Error> {
    let manifest = load_manifest(&args.portal.file)?;
    let config = PortalConfig::connect(&args.portal, &manifest, out).await?;
    let plan = make_plan(&manifest, &config.transport, &Progress::for_stderr()).await?;
    out.print(&match args.format {
        Format::Human => render::plan_text(&plan, style),
        Format::Json => render::plan_json(&plan),
    })?;
    Ok(plan_exit_code(&plan.summary(), args.detailed_exitcode))
}
