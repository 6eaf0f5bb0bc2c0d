//! `--help` of every command, as users see it.

use crate::support::{Portal, SEED};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_snapshots() {
    let portal = Portal::start(SEED).await;
    for (name, args) in [
        ("help_top", vec!["--help"]),
        ("help_plan", vec!["plan", "--help"]),
        ("help_apply", vec!["apply", "--help"]),
        ("help_demo", vec!["demo", "--help"]),
        ("help_sim", vec!["sim", "--help"]),
        ("help_completions", vec!["completions", "--help"]),
        ("help_man", vec!["man", "--help"]),
    ] {
        let out = portal.run(&args);
        assert_eq!(out.code, 0, "{name}: {}", out.all());
        insta::assert_snapshot!(name, out.stdout);
    }
}
