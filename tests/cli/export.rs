//! `export`: a manifest of the portal's links that plans to zero changes against
//! it, read-only, with no secret anywhere, and careful with the file it replaces.

use std::collections::BTreeMap;

use docspace_links::sim::SimConfig;
use jiff::tz::Offset;

use crate::interactive::Terminal;
use crate::rich_portal::rich_portal;
use crate::support::{Output, Portal, SEED, hidden_passwords};

const DEMO_PORTAL: &str = include_str!("../../examples/portal.yaml");

/// Every request since the `from`-th was a listing or `GET folder/{id}/links`.
async fn assert_read_only(portal: &Portal, from: usize) {
    let requests = portal.requests().await;
    assert!(requests.len() > from);
    for r in &requests[from..] {
        assert_eq!(r["method"], "GET", "export sent {r}");
        assert!(
            !r["path"].as_str().unwrap().ends_with("/link"),
            "export used the get-or-create route: {r}"
        );
    }
}

/// `NAME  path` lines of `--passwords env`, as (name, path).
fn variables(stderr: &str) -> Vec<(String, String)> {
    stderr
        .lines()
        .skip_while(|l| !l.starts_with("Set these environment variables"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .map(|l| {
            let (name, path) = l.trim_start().split_once("  ").expect("NAME  path");
            (name.to_owned(), path.trim_start().to_owned())
        })
        .collect()
}

fn assert_no_secret(outputs: &[&Output], files: &[&str], passwords: &[&str]) {
    for secret in passwords.iter().chain(&[crate::support::TOKEN]) {
        for o in outputs {
            assert!(
                !o.all().contains(secret),
                "{secret} in output:\n{}",
                o.all()
            );
        }
        for f in files {
            assert!(!f.contains(secret), "{secret} in a file:\n{f}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_portal_round_trips_to_zero_changes() {
    let portal = Portal::start(DEMO_PORTAL).await;
    let out = portal.run(&["export", "--all", "-o", "links.yaml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_read_only(&portal, 0).await;
    // A listing entry whose `shared` flag is false has no link to read.
    let link_reads = portal
        .requests()
        .await
        .iter()
        .filter(|r| r["path"].as_str().unwrap().ends_with("/links"))
        .count();
    assert_eq!(link_reads, 4, "only the four folders with links are read");
    let text = std::fs::read_to_string(portal.dir().join("links.yaml")).unwrap();
    crate::redactions().bind(|| insta::assert_snapshot!("export_demo", text));
    let plan = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{text}", plan.all());
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);

    // With the passwords managed: the names on stderr, the values from the user.
    let env = portal.run(&["export", "--all", "--passwords", "env"]);
    assert_eq!(env.code, 0, "{}", env.all());
    let names = variables(&env.stderr);
    assert_eq!(
        names,
        vec![(
            "DOCSPACE_LINK_MARKETING_PRESS_KIT".to_owned(),
            "Marketing/Press kit".to_owned()
        )]
    );
    assert!(
        env.stdout
            .contains("password: { env: DOCSPACE_LINK_MARKETING_PRESS_KIT }"),
        "{}",
        env.stdout
    );
    assert!(env.stdout.contains("password: false"), "{}", env.stdout);
    portal.write("env.yaml", &env.stdout);
    let plan = portal.run_env(
        &["plan", "-f", "env.yaml", "--detailed-exitcode"],
        &[("DOCSPACE_LINK_MARKETING_PRESS_KIT", "old-press-pass")],
    );
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert_no_secret(
        &[&out, &env, &plan],
        &[&text, &env.stdout],
        &["old-press-pass"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_with_every_kind_of_link_round_trips_to_zero_changes() {
    let rich = rich_portal(2000);
    assert!(rich.folders >= 2000, "{} folders", rich.folders);
    let config = SimConfig {
        // +05:30: expiries come back in a non-UTC, non-whole-hour offset.
        portal_offset: Offset::from_seconds(19_800).unwrap(),
        ..SimConfig::default()
    };
    let portal = Portal::start_with(&rich.seed, config).await;
    let room = "Room 000 custom";
    // An additional link, made by hand: export names it under `extra_links:`.
    let additional = portal
        .create_link(
            state_id(&portal, &format!("{room}/Folder 0000")).await,
            serde_json::json!({"access": 2, "title": "Extra", "primary": false}),
        )
        .await;
    assert!(!additional.is_empty());
    let before_export = portal.requests().await.len();

    let unmanaged = portal.run(&["export", "--all", "-o", "links.yaml"]);
    assert_eq!(unmanaged.code, 0, "{}", unmanaged.all());
    let text = std::fs::read_to_string(portal.dir().join("links.yaml")).unwrap();
    assert!(
        text.contains("  - id: "),
        "a slash or twin title is named by id"
    );
    assert!(text.contains("expired at 2024-02-03T04:05:06Z"), "{text}");
    assert!(text.contains("    extra_links:\n"), "{text}");
    assert!(
        text.contains("      Extra:\n        access: read\n"),
        "{text}"
    );
    assert!(
        text.contains("\"@my/Doc 000\"") || text.contains("@my/Doc"),
        "{text}"
    );
    assert!(
        text.contains("- path: \"@my\""),
        "My Documents is a scope: {text}"
    );
    let plan = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);

    let env = portal.run(&["export", "--all", "--passwords", "env", "-o", "env.yaml"]);
    assert_eq!(env.code, 0, "{}", env.all());
    let names = variables(&env.stderr);
    assert_eq!(names.len(), rich.passwords.len(), "{}", env.stderr);
    let by_path: BTreeMap<&str, &str> = rich
        .passwords
        .iter()
        .map(|(p, s)| (p.as_str(), s.as_str()))
        .collect();
    let values: Vec<(&str, &str)> = names
        .iter()
        .map(|(name, path)| {
            let secret = by_path
                .get(path.as_str())
                .unwrap_or_else(|| panic!("{path} has no password in the seed"));
            (name.as_str(), *secret)
        })
        .collect();
    let env_text = std::fs::read_to_string(portal.dir().join("env.yaml")).unwrap();
    let plan_env = portal.run_env(&["plan", "-f", "env.yaml", "--detailed-exitcode"], &values);
    assert_eq!(plan_env.code, 0, "{}", plan_env.all());
    assert!(
        plan_env.stdout.contains("No changes."),
        "{}",
        plan_env.stdout
    );
    let plan_json = portal.run_env(&["plan", "-f", "env.yaml", "--format", "json"], &values);
    assert_eq!(plan_json.code, 0, "{}", plan_json.all());

    assert_read_only(&portal, before_export).await;
    let secrets: Vec<&str> = rich.passwords.values().map(String::as_str).collect();
    assert_no_secret(
        &[&unmanaged, &plan, &env, &plan_env, &plan_json],
        &[&text, &env_text],
        &secrets,
    );
}

/// A folder's id from `/__sim/state`.
async fn state_id(portal: &Portal, path: &str) -> u64 {
    let state = portal.state().await;
    state["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == path)
        .unwrap_or_else(|| panic!("no folder {path}"))["id"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rooms_and_paths_are_exported_as_scopes_and_nested_ones_once() {
    let portal = Portal::start(SEED).await;
    let out = portal.run(&[
        "export",
        "--room",
        "Marketing",
        "--path",
        "Marketing/Press kit",
        "--path",
        "@my",
    ]);
    assert_eq!(out.code, 0, "{}", out.all());
    crate::redactions().bind(|| insta::assert_snapshot!("export_rooms_and_paths", out.stdout));
    assert_eq!(out.stdout.matches("unlisted: report").count(), 2);
    assert_eq!(out.stdout.matches("- path: Marketing/Press kit").count(), 1);

    let missing = portal.run(&["export", "--room", "Nope"]);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("no room is titled `Nope`"),
        "{}",
        missing.stderr
    );
    let nothing = portal.run(&["export"]);
    assert_eq!(nothing.code, 1, "{}", nothing.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_and_overwrite_show_the_diff_and_ask_first() {
    let portal = Portal::start(SEED).await;
    let first = portal.run(&["export", "--room", "Marketing", "-o", "links.yaml"]);
    assert_eq!(first.code, 0, "{}", first.all());
    assert!(
        first.stderr.contains("Wrote links.yaml"),
        "{}",
        first.stderr
    );
    let read = || std::fs::read_to_string(portal.dir().join("links.yaml")).unwrap();
    let written = read();

    let same = portal.run(&[
        "export",
        "--room",
        "Marketing",
        "-o",
        "links.yaml",
        "--check",
    ]);
    assert_eq!(same.code, 0, "{}", same.all());
    assert!(same.stderr.contains("up to date"), "{}", same.stderr);

    portal
        .set_title("Marketing/Archive", 103, "Renamed by hand")
        .await;
    let check = portal.run(&[
        "export",
        "--room",
        "Marketing",
        "-o",
        "links.yaml",
        "--check",
    ]);
    assert_eq!(check.code, 2, "{}", check.all());
    crate::redactions().bind(|| insta::assert_snapshot!("export_check_diff", check.stdout));
    assert_eq!(read(), written, "--check wrote the file");

    let unasked = portal.run(&["export", "--room", "Marketing", "-o", "links.yaml"]);
    assert_eq!(unasked.code, 4, "{}", unasked.all());
    assert!(unasked.stderr.contains("--yes"), "{}", unasked.stderr);
    assert_eq!(read(), written, "written over without asking");

    let mut term = Terminal::start(&portal, "export --room Marketing -o links.yaml");
    term.wait_for("Only 'yes' will be accepted");
    term.answer("no");
    let (code, screen) = term.finish();
    assert_eq!(code, 4, "{screen}");
    assert_eq!(read(), written);

    let mut term = Terminal::start(&portal, "export --room Marketing -o links.yaml");
    term.wait_for("Only 'yes' will be accepted");
    term.answer("yes");
    let (code, screen) = term.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(read().contains("title: Renamed by hand"), "{}", read());

    portal.set_title("Marketing/Archive", 103, "Again").await;
    let yes = portal.run(&["export", "--room", "Marketing", "-o", "links.yaml", "--yes"]);
    assert_eq!(yes.code, 0, "{}", yes.all());
    assert!(read().contains("title: Again"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_keeps_the_policy_and_says_which_links_break_it() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "# yaml-language-server: $schema=schema.json\nversion: 1\npolicy:\n  forbid_access: [editing]\n  require_password: [read]\nfolders: []\n",
    );
    let out = portal.run(&["export", "--room", "Marketing", "-o", "links.yaml", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let text = std::fs::read_to_string(portal.dir().join("links.yaml")).unwrap();
    assert!(
        text.starts_with("# yaml-language-server: $schema=schema.json\n"),
        "{text}"
    );
    assert!(
        text.contains("policy:\n  forbid_access: [editing]\n"),
        "{text}"
    );
    crate::redactions().bind(|| insta::assert_snapshot!("export_policy_warning", out.stderr));
    assert!(
        out.stderr.contains("Marketing/Press kit (line"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("editing links are forbidden"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("Marketing/Archive (line 12): read access without a password"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_read_writes_nothing() {
    let portal = Portal::start(SEED).await;
    portal
        .faults(serde_json::json!({"error_rate": 1.0, "error_status": 400, "seed": 3}))
        .await;
    let out = portal.run(&["export", "--all", "-o", "links.yaml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stderr.contains("400"), "{}", out.stderr);
    assert!(!portal.dir().join("links.yaml").exists());
}

/// A key that sees the folders but not their links (a viewer) reads `[]` for
/// folders the listing says are shared: export refuses rather than write a
/// manifest that says they have no link.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_this_key_cannot_see_are_not_exported_as_none() {
    let seed = SEED.replace(
        "tokens: [sk-test]",
        "tokens:\n  - sk-test\n  - {key: sk-viewer, user: viewer, role: viewer}",
    );
    let portal = Portal::start(&seed).await;
    let out = portal.run_env(
        &["export", "--all", "-o", "links.yaml"],
        &[("DOCSPACE_TOKEN", "sk-viewer")],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("shows this API key none of its links"),
        "{}",
        out.stderr
    );
    assert!(!portal.dir().join("links.yaml").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_that_hides_passwords_still_round_trips() {
    let portal = Portal::start_with(SEED, hidden_passwords()).await;
    let out = portal.run(&["export", "--all", "--passwords", "env", "-o", "links.yaml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stderr.contains(
            "the portal does not return link passwords, so 5 links keep an unmanaged password"
        ),
        "{}",
        out.stderr
    );
    let text = std::fs::read_to_string(portal.dir().join("links.yaml")).unwrap();
    assert!(!text.contains("      password: "), "{text}");
    let plan = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
}
