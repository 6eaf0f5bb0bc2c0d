//! `docspace-links demo`: the whole loop against an embedded simulated portal, told
//! step by step for someone seeing the tool for the first time.

use std::net::SocketAddr;
use std::path::Path;

use secrecy::SecretString;

use super::{Output, make_plan};
use crate::docspace::{Settings, Transport};
use crate::error::{Error, exit};
use crate::manifest::{self, Environment, Source};
use crate::progress::Progress;
use crate::render::{self, Style};
use crate::sim::{Seed, SimConfig, Simulator};

const PORTAL: &str = include_str!("../../examples/portal.yaml");
const LINKS: &str = include_str!("../../examples/links.yaml");
/// The demo portal's API key, from examples/portal.yaml.
const DEMO_TOKEN: &str = "sk-test";

/// The demo's stand-in for the CI secret store: examples/links.yaml references
/// these variables, and a real run reads them from the environment.
fn demo_secret(name: &str) -> Option<String> {
    match name {
        "DOCSPACE_LINK_PRESS_KIT" => Some("press-kit-2027!".to_owned()),
        "DOCSPACE_LINK_PARTNERS" => Some("partners-only-99".to_owned()),
        _ => None,
    }
}

pub async fn run(style: Style, out: &mut Output) -> Result<u8, Error> {
    let seed = Seed::from_yaml_str(PORTAL, "examples/portal.yaml")?;
    let listen: SocketAddr = "127.0.0.1:0".parse().expect("valid address");
    let portal = Simulator::start(seed, SimConfig::default(), listen)
        .await
        .map_err(Error::SimulatorStart)?;
    let say = |out: &Output, title: &str, text: &str| {
        out.print(&format!(
            "\n{}\n{text}\n",
            style.bold(&format!("==> {title}"))
        ))
    };
    say(
        out,
        "A simulated DocSpace portal is running",
        &format!(
            "    {} (rooms and folders from examples/portal.yaml)\n\
             \x20   The manifest is examples/links.yaml; its passwords come from environment\n\
             \x20   variables, which this demo fills with made-up values.\n",
            portal.base_url()
        ),
    )?;

    let env = Environment {
        var: &demo_secret,
        base_dir: Path::new("examples"),
        now: jiff::Timestamp::now(),
    };
    let manifest = manifest::parse(
        Source {
            name: "examples/links.yaml".to_owned(),
            text: LINKS.to_owned(),
        },
        &env,
    )?;
    let transport = Transport::new(
        &portal.base_url(),
        SecretString::from(DEMO_TOKEN),
        Settings::default(),
    )
    .map_err(Error::Portal)?;
    out.hide(manifest.secrets.values());
    let progress = Progress::hidden();

    let plan = make_plan(&manifest, &transport, &progress).await?;
    say(
        out,
        "Step 1: docspace-links plan -f examples/links.yaml",
        "    Reads the portal (GET requests only) and shows what differs.\n",
    )?;
    out.print(&render::plan_text(&plan, style))?;

    say(
        out,
        "Step 2: docspace-links apply -f examples/links.yaml --yes",
        "    Makes those changes, re-reading each folder right before writing it and\n\
         \x20   checking every answer against what was asked.\n",
    )?;
    let report = crate::apply::apply(
        &plan,
        &manifest.secrets,
        &transport,
        &progress,
        crate::apply::PlanRead::JustNow,
    )
    .await;
    out.print(&render::apply_report(&report, style))?;

    say(
        out,
        "Step 3: docspace-links plan -f examples/links.yaml --detailed-exitcode",
        "    Run again, the plan is empty: apply converged. On a schedule, exit code 2\n\
         \x20   here would mean someone changed a link by hand (drift).\n",
    )?;
    let again = make_plan(&manifest, &transport, &progress).await?;
    out.print(&render::plan_text(&again, style))?;

    portal.shutdown().await;
    out.print(
        "\nNext: write your own manifest (see README.md), set DOCSPACE_URL and DOCSPACE_TOKEN,\n\
         and run `docspace-links plan -f links.yaml` against your portal.\n",
    )?;
    Ok(if report.failed() > 0 || again.summary().changes() > 0 {
        exit::PARTIAL
    } else {
        exit::OK
    })
}
