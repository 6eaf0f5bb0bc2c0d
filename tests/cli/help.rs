//! `--help` of every command, as users see it: the commands are found by walking
//! clap's command tree, so a new subcommand cannot go without a snapshot.

use clap::CommandFactory;
use docspace_links::cli::Cli;

use crate::support::{Portal, SEED};

/// Every command path below the top, e.g. `["plan"]`, `["sim"]`.
fn commands(cmd: &clap::Command, prefix: &[String], into: &mut Vec<Vec<String>>) {
    for sub in cmd.get_subcommands() {
        let mut path = prefix.to_vec();
        path.push(sub.get_name().to_owned());
        into.push(path.clone());
        commands(sub, &path, into);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_snapshots() {
    let portal = Portal::start(SEED).await;
    let mut all = vec![Vec::new()];
    commands(&Cli::command(), &[], &mut all);
    assert!(all.len() >= 5, "{all:?}");
    for path in all {
        let name = match path.as_slice() {
            [] => "help_top".to_owned(),
            p => format!("help_{}", p.join("_")),
        };
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let out = portal.run(&args);
        assert_eq!(out.code, 0, "{name}: {}", out.all());
        insta::assert_snapshot!(name, out.stdout);
    }
}
