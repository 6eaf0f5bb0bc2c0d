//! `completions SHELL` and `man`: generated from the same clap definition as
//! `--help`, so they cannot fall behind the flags.

use clap::CommandFactory;

use super::Cli;
use crate::error::Error;

pub fn completions(shell: clap_complete::Shell) -> String {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "docspace-links", &mut script);
    String::from_utf8_lossy(&script).into_owned()
}

/// The page of the tool, or of one subcommand (`docspace-links-plan(1)`, the name
/// the tool's own page refers to).
pub fn man_page(subcommand: Option<&str>) -> Result<String, Error> {
    let mut command = Cli::command();
    command.build();
    let command = match subcommand {
        None => command,
        Some(name) => {
            let sub = command
                .find_subcommand(name)
                .ok_or_else(|| Error::UnknownSubcommand {
                    name: name.to_owned(),
                })?
                .clone();
            let full = format!("docspace-links-{name}");
            sub.name(full.clone())
                .bin_name(format!("docspace-links {name}"))
                .display_name(full)
        }
    };
    let mut page = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut page)
        .map_err(|source| Error::Io {
            what: "render the man page",
            source,
        })?;
    Ok(String::from_utf8_lossy(&page).into_owned())
}
