//! The command line as clap parses it (design.md 2). Nothing here is checked beyond
//! what clap checks: `Config` turns these into settings the flows can trust.

use std::path::PathBuf;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};

use crate::sim;

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
        3 apply finished but some folders failed or changed since the plan, 4 refused."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// Never colour the output (as does a non-empty NO_COLOR, or TERM=dumb)
    #[arg(long, global = true)]
    pub no_color: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what apply would change, without changing anything (read-only requests only)
    Plan(PlanArgs),
    /// Show the plan, ask for confirmation, then make the portal match the manifest
    Apply(ApplyArgs),
    /// Write the portal's links as a manifest that plans to zero changes (read-only)
    Export(ExportArgs),
    /// Run plan, apply and plan again against an embedded simulated portal
    Demo,
    /// Serve a simulated DocSpace portal for tests and experiments
    Sim(sim::cli::SimArgs),
}

#[derive(Debug, Args)]
pub struct PortalArgs {
    /// The manifest to read
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,

    /// Base URL of the portal, e.g. https://example.onlyoffice.io
    #[arg(long, env = "DOCSPACE_URL", hide_env_values = true, value_name = "URL")]
    pub portal: Option<String>,

    /// Requests in flight at once (the portal itself allows at most 50 reads and 15 writes)
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=50), value_name = "N")]
    pub parallelism: u16,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub portal: PortalArgs,

    /// Exit with 2 when there are changes to apply (0 when there are none)
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub portal: PortalArgs,

    /// Apply without asking for confirmation (needed when not on a terminal, e.g. in CI)
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("subtrees").required(true).multiple(true).args(["room", "path", "all"])))]
pub struct ExportArgs {
    /// A room to export, by its exact title (repeatable)
    #[arg(long, value_name = "TITLE")]
    pub room: Vec<String>,

    /// A room or folder to export, as a manifest path (repeatable; `@my` is all of My Documents)
    #[arg(long, value_name = "PATH")]
    pub path: Vec<String>,

    /// Every room, and My Documents
    #[arg(long)]
    pub all: bool,

    /// Leave link passwords unmanaged, or reference each as `{ env: DOCSPACE_LINK_... }` (names on stderr)
    #[arg(long, value_enum, default_value_t = PasswordsArg::Unmanaged, value_name = "HOW")]
    pub passwords: PasswordsArg,

    /// Write the manifest to FILE instead of stdout; over an existing file, show the diff and ask first
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Write nothing: show the diff and exit 2 when FILE would change (0 when it is up to date)
    #[arg(long, requires = "output")]
    pub check: bool,

    /// Write over FILE without asking (needed when not on a terminal)
    #[arg(long, conflicts_with = "check")]
    pub yes: bool,

    /// Base URL of the portal, e.g. https://example.onlyoffice.io
    #[arg(long, env = "DOCSPACE_URL", hide_env_values = true, value_name = "URL")]
    pub portal: Option<String>,

    /// Requests in flight at once (the portal itself allows at most 50 reads)
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=50), value_name = "N")]
    pub parallelism: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PasswordsArg {
    Unmanaged,
    Env,
}
