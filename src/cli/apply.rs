//! `apply`: show the plan, ask, re-check, carry it out, report per folder.

use std::io::{BufRead, IsTerminal};

use super::args::ApplyArgs;
use super::config::{PortalConfig, load_manifest};
use super::{Output, make_plan};
use crate::docspace::ApiError;
use crate::error::{Error, apply_exit_code, exit};
use crate::progress::Progress;
use crate::render::{self, Style};

pub async fn run(args: ApplyArgs, style: Style, out: &mut Output) -> Result<u8, Error> {
    let manifest = load_manifest(&args.portal.file)?;
    let config = PortalConfig::connect(&args.portal, &manifest, out).await?;
    let transport = &config.transport;
    let progress = Progress::for_stderr();
    let plan = make_plan(&manifest, transport, &progress).await?;
    out.print(&render::plan_text(&plan, style))?;
    let summary = plan.summary();
    if summary.is_empty() {
        return Ok(exit::OK);
    }
    let plan = if args.yes || summary.changes() == 0 {
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
    let report = crate::apply::apply(&plan, &manifest.secrets, transport, &progress).await;
    out.print(&render::apply_report(&report, style))?;
    if transport.token_refused() {
        // The key stopped working half-way: an authentication error, not a
        // per-folder one.
        return Err(Error::Api(ApiError::Unauthorized));
    }
    if let Some(down) = transport.portal_down() {
        // The rest was not attempted: one error that says why, not one per folder.
        return Err(Error::Api(down));
    }
    Ok(apply_exit_code(&report))
}

fn confirm(out: &Output) -> Result<(), Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::NoTerminal);
    }
    out.print("Do you want to make these changes? Only 'yes' will be accepted: ")?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|source| Error::Io {
            what: "read the answer",
            source,
        })?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(Error::Cancelled)
    }
}
