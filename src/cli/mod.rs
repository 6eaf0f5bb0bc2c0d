//! The command line (design.md 2): arguments, a checked configuration built from
//! them once, then one flow per command, and the error → exit code mapping.

mod apply;
mod args;
mod config;
mod demo;
mod export;
mod input;
mod manifest_path;
mod manual;
mod output;
mod plan;
mod plan_file;
mod show;
mod validate;

use clap::Parser;

pub use args::Cli;
use args::{ApplyFormat, Command, PlanFormat, ValidateFormat};
use output::Output;

use crate::docspace::Transport;
use crate::docspace::observe::{Me, Observed, observe};
use crate::error::{Error, exit};
use crate::manifest::{Manifest, ManifestError};
use crate::progress::Progress;
use crate::render::{self, Style};
use crate::sim;

/// Parses arguments and runs; returns the process exit code.
pub fn main() -> u8 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // clap quotes the arguments it refused: one holding a line break and
            // `::` would be a workflow command. Printed plain through the guard then.
            let text = e.render().to_string();
            let out = Output::default();
            if out.is_neutral(&text) {
                let _ = e.print();
            } else if e.use_stderr() {
                out.eprint(&text);
            } else {
                let _ = out.print(&text);
            }
            // clap's own usage code is 2, which here means "changes pending".
            return if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            };
        }
    };
    // One thread: the work is waiting on the portal, and a second worker only adds
    // wake-ups and locking (a fifth of the CPU of a 100,000-folder plan).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::ERROR;
        }
    };
    let style = Style::detect(cli.no_color);
    let errors = ErrorFormat::of(&cli.command);
    let mut out = Output::default();
    // The token is hidden from everything shown before anything is read: a key
    // pasted into a manifest (as a variable name, a key) must not come back in an
    // error of `validate`, `show` or a plan that stops at the manifest.
    if let Some(token) = std::env::var_os(crate::model::TOKEN_VAR) {
        let token = token.to_string_lossy();
        let secrets =
            [token.as_ref(), token.trim()].map(|t| secrecy::SecretString::from(t.to_owned()));
        out.hide(secrets.iter());
    }
    match runtime.block_on(run(cli.command, style, &mut out)) {
        Ok(code) => code,
        Err(e) => {
            report(&e, errors, &out);
            e.exit_code()
        }
    }
}

/// Where JSON or workflow commands were asked for, errors come that way too.
#[derive(Clone, Copy)]
enum ErrorFormat {
    Human,
    Json,
    Github,
}

impl ErrorFormat {
    fn of(command: &Command) -> ErrorFormat {
        match command {
            Command::Plan(a) if a.format == PlanFormat::Json => ErrorFormat::Json,
            Command::Apply(a) if a.format == ApplyFormat::Json => ErrorFormat::Json,
            Command::Plan(a) if a.format == PlanFormat::Github => ErrorFormat::Github,
            Command::Apply(a) if a.format == ApplyFormat::Github => ErrorFormat::Github,
            Command::Show(a) if a.format == PlanFormat::Json => ErrorFormat::Json,
            Command::Show(a) if a.format == PlanFormat::Github => ErrorFormat::Github,
            Command::Validate(a) if a.format == ValidateFormat::Json => ErrorFormat::Json,
            Command::Validate(a) if a.format == ValidateFormat::Github => ErrorFormat::Github,
            _ => ErrorFormat::Human,
        }
    }
}

fn report(e: &Error, format: ErrorFormat, out: &Output) {
    // stdout may be gone (a closed pipe): the message on stderr still counts.
    let _ = match (format, e) {
        (ErrorFormat::Json, e) => out.print(&render::error_json(e)),
        (ErrorFormat::Github, Error::Manifest(m)) => out.commands(&render::manifest_commands(m)),
        (ErrorFormat::Github, e) => out.commands(&render::error_command(e.code(), &e.to_string())),
        (ErrorFormat::Human, _) => Ok(()),
    };
    match e {
        // Snippets of the manifest, each with its own `error:` heading.
        Error::Manifest(m) => out.eprint(&format!("{}\n", render::manifest_text(m))),
        e => out.eprint(&format!("error: {}\n", render::printable(&e.to_string()))),
    }
}

async fn run(command: Command, style: Style, out: &mut Output) -> Result<u8, Error> {
    match command {
        Command::Plan(args) => plan::run(args, style, out).await,
        Command::Apply(args) => apply::run(args, style, out).await,
        Command::Export(args) => export::run(args, style, out).await,
        Command::Validate(args) => validate::run(args, out),
        Command::Show(args) => show::run(args, style, out),
        Command::Demo => demo::run(style, out).await,
        Command::Sim(args) => sim::cli::run(args)
            .await
            .map(|()| exit::OK)
            .map_err(Error::Simulator),
        Command::Completions { shell } => {
            out.print(&manual::completions(shell))?;
            Ok(exit::OK)
        }
        Command::Man { subcommand } => {
            out.print(&manual::man_page(subcommand.as_deref())?)?;
            Ok(exit::OK)
        }
    }
}

/// Reads the portal for the manifest and builds the plan: the one path from a
/// manifest to a plan, shared by plan, apply and the demo.
async fn make_plan(
    manifest: &Manifest,
    transport: &Transport,
    progress: &Progress,
) -> Result<crate::plan::Plan, Error> {
    let targets: Vec<_> = manifest.entries.iter().map(|e| &e.target).collect();
    let scopes: Vec<_> = manifest.scopes.iter().map(|s| &s.target).collect();
    let mut observed = observe(&targets, &scopes, transport, progress).await?;
    build_plan(manifest, &mut observed, transport, jiff::Timestamp::now()).await
}

/// Builds the plan from what was read. When it revokes links of folders whose
/// creator the portal named, the key's own user is read once (`GET people/@self`)
/// and the plan built again with it, so that a revoke the portal would refuse
/// (only the creator may revoke, `plan::creator`) is refused in the plan. A plan
/// without such a revoke costs no request more. Building is pure and cheap.
async fn build_plan(
    manifest: &Manifest,
    observed: &mut Observed,
    transport: &Transport,
    now: jiff::Timestamp,
) -> Result<crate::plan::Plan, Error> {
    let build = |observed: &Observed| {
        crate::plan::build(manifest, observed, now)
            .map_err(|d| Error::Manifest(ManifestError::new(manifest.source.clone(), d)))
    };
    let plan = build(observed)?;
    if !crate::plan::creator::needs_me(&plan) {
        return Ok(plan);
    }
    observed.me = match transport.self_user().await {
        Ok(me) => Me::Known(me),
        Err(e) if e.is_fatal() => return Err(Error::Api(e)),
        Err(_) => Me::Unreadable,
    };
    build(observed)
}
