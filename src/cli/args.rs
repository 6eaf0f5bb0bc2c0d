//! The command line as clap parses it (design.md 2). Nothing here is checked beyond
//! what clap checks: `Config` turns these into settings the flows can trust.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use jiff::SignedDuration;

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
    // Listed last in every command's help, after the command's own options.
    #[arg(long, global = true, display_order = 900)]
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
    /// Check a manifest without a portal: syntax, schema, policy, password references
    Validate(ValidateArgs),
    /// Render a saved plan (`plan --out`) without a portal, e.g. as a pull-request comment
    Show(ShowArgs),
    /// Run plan, apply and plan again against an embedded simulated portal
    Demo,
    /// Serve a simulated DocSpace portal for tests and experiments
    Sim(sim::cli::SimArgs),
    /// Print a shell completion script on stdout
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on stdout, e.g. `docspace-links man | man -l -`
    Man {
        /// A subcommand's own page instead (docspace-links-plan(1), ...)
        subcommand: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct PortalArgs {
    /// Base URL of the portal, e.g. https://example.onlyoffice.io
    #[arg(long, env = "DOCSPACE_URL", hide_env_values = true, value_name = "URL")]
    pub portal: Option<String>,

    /// Requests in flight at once (the portal itself allows at most 50 reads and 15 writes)
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=50), value_name = "N")]
    pub parallelism: u16,

    #[arg(long, default_value = "30s", value_parser = parse_timeout, value_name = "TIME", help = TIMEOUT_HELP)]
    pub timeout: Duration,
}

const TIMEOUT_HELP: &str = "How long one request waits for the portal's answer before it is retried, e.g. 10s, 2m (1s to 10m)";

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The manifest to read (`-` reads it from standard input)
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: PathBuf,

    #[command(flatten)]
    pub portal: PortalArgs,

    /// Exit with 2 when there are changes to apply (0 when there are none)
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Output format: github adds workflow commands and a job summary to the human output
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,

    /// Also save the plan as JSON, for `apply --plan FILE` (no secret is written)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Label each change pending, drift or conflict against this manifest, the one last
    /// applied (e.g. `git show origin/main:links.yaml > old.yaml`)
    #[arg(long, value_name = "OLD.yaml")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The manifest to read (`-`: standard input); with --plan, read instead of the path the plan names
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        required_unless_present = "plan"
    )]
    pub file: Option<PathBuf>,

    #[command(flatten)]
    pub portal: PortalArgs,

    /// Apply without asking for confirmation (needed when not on a terminal, e.g. in CI)
    #[arg(long)]
    pub yes: bool,

    /// Apply even when the plan revokes or widens more links than the safety shares allow
    #[arg(long)]
    pub force: bool,

    /// Apply exactly this saved plan (from `plan --out`), re-checking each folder before writing
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,

    /// With --plan: refuse a plan older than this, e.g. 30m, 24h, 7d [default: 24h]
    #[arg(long, value_name = "AGE", value_parser = parse_age, requires = "plan")]
    pub max_age: Option<MaxAge>,

    /// Output format: github adds workflow commands and a job summary to the human output
    #[arg(long, value_enum, default_value_t = ApplyFormat::Human)]
    pub format: ApplyFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Human,
    Json,
    Markdown,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApplyFormat {
    Human,
    Json,
    Github,
}

/// How old a saved plan may be, and how the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaxAge {
    pub duration: SignedDuration,
    pub text: String,
}

impl Default for MaxAge {
    fn default() -> Self {
        parse_age("24h").expect("the default parses")
    }
}

/// `--timeout`: a whole number of seconds or minutes (`45s`, `2m`, or `45`), from a
/// second (a portal's answer takes a few hundred milliseconds) to ten minutes (past
/// that, a request's whole budget of retries is long spent).
fn parse_timeout(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!(
            "`{text}` is not a timeout: write a number of seconds or minutes from 1s to 10m, e.g. 30s or 2m"
        )
    };
    let seconds = if text.bytes().all(|b| b.is_ascii_digit()) {
        text.parse::<u64>().map_err(|_| bad())?
    } else {
        let age = parse_age(text).map_err(|_| bad())?.duration;
        if !(text.ends_with('s') || text.ends_with('m')) {
            return Err(bad());
        }
        u64::try_from(age.as_secs()).map_err(|_| bad())?
    };
    if !(1..=600).contains(&seconds) {
        return Err(bad());
    }
    Ok(Duration::from_secs(seconds))
}

/// A whole number and a unit: `90s`, `30m`, `24h`, `7d`, `2w`.
fn parse_age(text: &str) -> Result<MaxAge, String> {
    let bad = || format!("`{text}` is not an age: write a number and a unit, e.g. 30m, 24h or 7d");
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: i64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(bad()),
    };
    let secs = n.checked_mul(seconds).ok_or_else(bad)?;
    Ok(MaxAge {
        duration: SignedDuration::from_secs(secs),
        text: text.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_take_a_number_and_a_unit() {
        assert_eq!(
            parse_age("30m").unwrap().duration,
            SignedDuration::from_mins(30)
        );
        assert_eq!(
            parse_age("24h").unwrap().duration,
            SignedDuration::from_hours(24)
        );
        assert_eq!(
            parse_age("7d").unwrap().duration,
            SignedDuration::from_hours(168)
        );
        assert_eq!(
            parse_age("2w").unwrap().duration,
            SignedDuration::from_hours(336)
        );
        assert_eq!(
            parse_age("90s").unwrap().duration,
            SignedDuration::from_secs(90)
        );
        assert_eq!(MaxAge::default().text, "24h");
        for (text, secs) in [
            ("30s", 30),
            ("2m", 120),
            ("45", 45),
            ("1s", 1),
            ("10m", 600),
        ] {
            assert_eq!(
                parse_timeout(text).unwrap(),
                Duration::from_secs(secs),
                "{text}"
            );
        }
        for bad in [
            "0",
            "0s",
            "601s",
            "11m",
            "1h",
            "",
            "s",
            "-1s",
            "1.5s",
            "99999999999999999999",
        ] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
        for bad in [
            "",
            "24",
            "h",
            "1.5h",
            "-1h",
            "24 h",
            "3y",
            "99999999999999999d",
        ] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
    }
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

    #[arg(long, default_value = "30s", value_parser = parse_timeout, value_name = "TIME", help = TIMEOUT_HELP)]
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PasswordsArg {
    Unmanaged,
    Env,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The manifest to check (`-` reads it from standard input); several are checked
    /// one by one (`-f a.yaml b.yaml`, as a pre-commit hook passes them)
    #[arg(short = 'f', long = "file", value_name = "FILE", num_args = 1.., required = true)]
    pub files: Vec<PathBuf>,

    /// Output format: github adds a workflow command at the line of each problem
    #[arg(long, value_enum, default_value_t = ValidateFormat::Human)]
    pub format: ValidateFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Human,
    Json,
    Github,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The saved plan, as written by `plan --out`
    #[arg(value_name = "PLAN.json")]
    pub plan: PathBuf,

    /// The manifest the plan was made from, for its safety shares (held to the plan's
    /// SHA-256; no password is read); without it the default shares are used
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Output format: github adds workflow commands and a job summary to the human output
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,

    /// Exit with 2 when the plan has changes to apply (0 when it has none)
    #[arg(long)]
    pub detailed_exitcode: bool,
}
