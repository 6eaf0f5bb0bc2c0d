//! The command line (design.md 2): arguments, then the whole flow of each command
//! in a few lines.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

use crate::docspace::{Settings, Transport};
use crate::error::{Error, exit};
use crate::manifest::{self, Environment, Manifest};
use crate::plan::Plan;
use crate::progress::Progress;
use crate::render::{self, Style};
use crate::{apply, demo, engine, sim};

/// The variable that holds the API key. Read from the environment only: a flag
/// would leave it in shell history and process listings.
pub const TOKEN_VAR: &str = "DOCSPACE_TOKEN";

#[derive(Debug, Parser)]
#[command(
    name = "docspace-links",
    version,
    about = "Keep the external links of ONLYOFFICE DocSpace folders and rooms in version control.",
    long_about = "Keep the external links of ONLYOFFICE DocSpace folders and rooms in version control.\n\n\
        A YAML manifest says which primary external link each folder must have. `plan` shows \
        what differs without changing anything; `apply` makes the portal match.\n\n\
        The portal comes from --portal or DOCSPACE_URL; the API key from the DOCSPACE_TOKEN \
        environment variable (never a flag).",
    after_help = "Exit codes: 0 success or no changes, 1 error, 2 changes pending (plan --detailed-exitcode), \
        3 apply finished but some folders failed, 4 refused."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show what apply would change, without changing anything (read-only requests only)
    Plan(PlanArgs),
    /// Show the plan, ask for confirmation, then make the portal match the manifest
    Apply(ApplyArgs),
    /// Run plan, apply and plan again against an embedded simulated portal
    Demo,
    /// Serve a simulated DocSpace portal for tests and experiments
    Sim(sim::cli::SimArgs),
}

#[derive(Debug, Args)]
struct PortalArgs {
    /// The manifest to read
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    file: PathBuf,

    /// Base URL of the portal, e.g. https://example.onlyoffice.io
    #[arg(long, env = "DOCSPACE_URL", hide_env_values = true, value_name = "URL")]
    portal: Option<String>,

    /// Requests in flight at once (the portal itself allows at most 50 reads and 15 writes)
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=50), value_name = "N")]
    parallelism: u16,
}

#[derive(Debug, Args)]
struct PlanArgs {
    #[command(flatten)]
    portal: PortalArgs,

    /// Exit with 2 when there are changes to apply (0 when there are none)
    #[arg(long)]
    detailed_exitcode: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(Debug, Args)]
struct ApplyArgs {
    #[command(flatten)]
    portal: PortalArgs,

    /// Apply without asking for confirmation (needed when not on a terminal, e.g. in CI)
    #[arg(long)]
    yes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

/// Parses arguments and runs; returns the process exit code.
pub fn main() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap's own usage code is 2, which here means "changes pending".
            return if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            };
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::ERROR;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            report(&e);
            e.exit_code()
        }
    }
}

fn report(e: &Error) {
    if e.is_rendered() {
        eprintln!("{e}");
    } else {
        eprintln!("error: {e}");
    }
}

async fn run(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Plan(args) => plan(args).await,
        Command::Apply(args) => apply(args).await,
        Command::Demo => demo::run().await,
        Command::Sim(args) => sim::cli::run(args)
            .await
            .map(|()| exit::OK)
            .map_err(|e| Error::Io(format!("{e:#}"))),
    }
}

async fn plan(args: PlanArgs) -> Result<u8, Error> {
    let manifest = load_manifest(&args.portal.file)?;
    let transport = connect(&args.portal)?;
    let plan = engine::plan(&manifest, &transport, &Progress::for_stderr()).await?;
    let out = match args.format {
        Format::Human => render::plan_text(&plan, Style::for_stdout()),
        Format::Json => render::plan_json(&plan),
    };
    print(&out)?;
    Ok(plan_exit_code(&plan, args.detailed_exitcode))
}

/// Unknown state is an error; a refusal is a safety stop; changes are news only
/// when asked for.
pub fn plan_exit_code(plan: &Plan, detailed: bool) -> u8 {
    let s = plan.summary();
    if s.unknown > 0 {
        exit::ERROR
    } else if s.refused > 0 {
        exit::REFUSED
    } else if detailed && s.changes() > 0 {
        exit::CHANGES
    } else {
        exit::OK
    }
}

async fn apply(args: ApplyArgs) -> Result<u8, Error> {
    let manifest = load_manifest(&args.portal.file)?;
    let transport = connect(&args.portal)?;
    let progress = Progress::for_stderr();
    let style = Style::for_stdout();
    let plan = engine::plan(&manifest, &transport, &progress).await?;
    let shown = render::plan_text(&plan, style);
    print(&shown)?;
    let s = plan.summary();
    if s.changes() + s.refused + s.unknown == 0 {
        return Ok(exit::OK);
    }
    let plan = if args.yes || s.changes() == 0 {
        plan
    } else {
        confirm()?;
        // Time passed while the user read the plan: apply only what they saw.
        let fresh = engine::plan(&manifest, &transport, &progress).await?;
        if render::plan_text(&fresh, style) != shown {
            return Err(Error::Refused(
                "the portal changed while waiting for confirmation, so the plan shown is stale; \
                 nothing was changed. Run apply again to review the new plan."
                    .to_owned(),
            ));
        }
        fresh
    };
    print("\n")?;
    let report = apply::apply(&plan, &manifest, &transport, &progress).await;
    print(&render::apply_report(&report, style))?;
    if transport.token_refused() {
        // The key stopped working half-way: an authentication error, not a
        // per-folder one.
        return Err(Error::Api(crate::docspace::ApiError::Unauthorized));
    }
    Ok(apply_exit_code(&report))
}

/// Nothing done because every change was refused by a safety rule is 4; a run that
/// changed some folders and failed others is 3.
fn apply_exit_code(report: &apply::Report) -> u8 {
    let failed: Vec<_> = report
        .outcomes
        .iter()
        .filter(|o| o.result.is_err())
        .collect();
    if failed.is_empty() {
        exit::OK
    } else if failed.len() == report.outcomes.len()
        && failed.iter().all(|o| o.kind == crate::plan::Kind::Refused)
    {
        exit::REFUSED
    } else {
        exit::PARTIAL
    }
}

fn confirm() -> Result<(), Error> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::Refused(
            "apply asks for confirmation, and there is no terminal to ask on; \
             pass --yes to apply without asking (as in CI)"
                .to_owned(),
        ));
    }
    print("Do you want to make these changes? Only 'yes' will be accepted: ")?;
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::Io(format!("cannot read the answer: {e}")))?;
    if answer.trim() == "yes" {
        Ok(())
    } else {
        Err(Error::Refused(
            "apply cancelled; nothing was changed".to_owned(),
        ))
    }
}

fn load_manifest(file: &Path) -> Result<Manifest, Error> {
    let base_dir = file.parent().unwrap_or(Path::new("."));
    let env = Environment {
        var: &|name| std::env::var(name).ok(),
        base_dir,
        now: jiff::Timestamp::now(),
    };
    Ok(manifest::load(file, &env)?)
}

fn connect(args: &PortalArgs) -> Result<Transport, Error> {
    let portal = args
        .portal
        .as_deref()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| {
            Error::Config(
                "no portal given: pass --portal https://your-portal.example or set DOCSPACE_URL"
                    .to_owned(),
            )
        })?;
    let token = std::env::var(TOKEN_VAR).ok().filter(|t| !t.trim().is_empty()).ok_or_else(|| {
        Error::Config(format!(
            "{TOKEN_VAR} is not set: create an API key in DocSpace (Developer Tools > API keys, \
             scopes files:read and files:write) and export it as {TOKEN_VAR}"
        ))
    })?;
    let settings = Settings {
        parallelism: usize::from(args.parallelism),
        ..Settings::default()
    };
    Transport::new(
        portal,
        SecretString::from(token.trim().to_owned()),
        settings,
    )
    .map_err(Error::Config)
}

fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not worth a panic.
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Io(format!("cannot write to stdout: {e}"))),
    }
}
