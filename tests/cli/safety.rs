//! Safety shares (design.md 1.1): one edit must not revoke or widen a large share
//! of the managed links unless `--force` says it is meant.

use std::fmt::Write;

use crate::support::Portal;

/// Ten folders, each with a read-only primary link.
fn seed() -> String {
    let mut s = String::from(
        "tokens: [sk-test]\nrooms:\n  - title: Docs\n    type: custom\n    folders:\n",
    );
    for n in 0..10 {
        let _ = writeln!(
            s,
            "      - title: F{n}\n        link: {{ access: read, title: Link {n} }}"
        );
    }
    s
}

/// Entries 0..4 leave `access` to `defaults`; the others say `read`.
fn manifest(defaults: &str, absent: usize) -> String {
    let mut s = format!("version: 1\n{defaults}folders:\n");
    for n in 0..10 {
        let link = if n < absent {
            "absent".to_owned()
        } else if n < 4 {
            format!("{{ title: Link {n} }}")
        } else {
            format!("{{ access: read, title: Link {n} }}")
        };
        let _ = writeln!(s, "  - path: Docs/F{n}\n    link: {link}");
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_defaults_edit_that_widens_40_percent_is_refused_without_force() {
    let portal = Portal::start(&seed()).await;
    portal.write(
        "links.yaml",
        &manifest("defaults:\n  access: editing\n  password: false\n", 0),
    );
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(
        out.all().contains(
            "the plan widens exposure on 4 of the 10 folders the manifest manages (40%), more than safety.max_widen_share (30%)"
        ),
        "{}",
        out.all()
    );
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    assert!(portal.writes().await.is_empty(), "nothing written");

    let out = portal.run(&["apply", "-f", "links.yaml", "--yes", "--force"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("0 created, 4 updated, 0 revoked, 0 failed."),
        "{}",
        out.stdout
    );
    assert_eq!(
        portal.primary("Docs/F0").await.unwrap()["access"],
        "editing"
    );
    assert_eq!(portal.primary("Docs/F9").await.unwrap()["access"], "read");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_40_percent_is_refused_without_force_and_plan_warns_in_every_format() {
    let portal = Portal::start(&seed()).await;
    portal.write("links.yaml", &manifest("", 4));

    let out = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let warning = "the plan revokes links on 4 of the 10 folders the manifest manages (40%), more than safety.max_revoke_share (30%)";
    assert!(
        out.stdout.contains(&format!(
            "Warning: {warning}: apply will refuse this plan unless --force is given."
        )),
        "{}",
        out.stdout
    );
    let json = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        doc["safety"],
        serde_json::json!({
            "managed": 10, "revoke": 4, "widen": 0,
            "max_revoke_share": 30, "max_widen_share": 30,
            "existing": 10, "min_existing": 10, "not_applied": null,
            "exceeded": ["max_revoke_share"],
        })
    );
    let md = portal.run(&["plan", "-f", "links.yaml", "--format", "markdown"]);
    assert!(
        md.stdout
            .contains("> [!WARNING]\n> **Safety:** the plan revokes links on 4 of the 10"),
        "{}",
        md.stdout
    );
    let gh = portal.run(&["plan", "-f", "links.yaml", "--format", "github"]);
    assert!(
        gh.stdout.contains(&format!(
            "::warning file=links.yaml,title=docspace-links%3A safety share::{}: apply will refuse",
            warning.replace('%', "%25")
        )),
        "{}",
        gh.stdout
    );

    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(out.stderr.contains(warning), "{}", out.stderr);
    assert!(portal.writes().await.is_empty());

    // A saved plan is held to the same shares.
    let saved = portal.run(&["plan", "-f", "links.yaml", "--out", "plan.json"]);
    assert_eq!(saved.code, 0, "{}", saved.all());
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(portal.writes().await.is_empty());
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes", "--force"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(portal.primary("Docs/F0").await.is_none());
    assert!(portal.primary("Docs/F4").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn within_the_shares_apply_needs_no_force() {
    let portal = Portal::start(&seed()).await;
    portal.write("links.yaml", &manifest("", 3));
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(!out.stdout.contains("Warning"), "{}", out.stdout);
    assert!(portal.primary("Docs/F2").await.is_none());
}

/// `safety:` in the manifest sets the shares: 40% of revokes pass under a 50% share,
/// and a 10% share stops what the default would let through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_sets_the_shares() {
    let portal = Portal::start(&seed()).await;
    portal.write(
        "links.yaml",
        &manifest("safety:\n  max_revoke_share: 50%\n", 4),
    );
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(portal.primary("Docs/F3").await.is_none());

    let portal = Portal::start(&seed()).await;
    portal.write(
        "links.yaml",
        &manifest("safety:\n  max_revoke_share: 10%\n", 2),
    );
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(portal.writes().await.is_empty());

    portal.write(
        "links.yaml",
        &manifest("safety:\n  max_revoke_share: 30\n", 0),
    );
    let out = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("`30` is not a share") && out.stderr.contains("links.yaml:3:21"),
        "{}",
        out.stderr
    );
}

/// Twelve folders in one room, with (or without) a read-only link each.
fn twelve(linked: bool) -> String {
    let mut s = String::from(
        "tokens: [sk-test]\nrooms:\n  - title: Docs\n    type: custom\n    folders:\n",
    );
    for n in 0..12 {
        let _ = writeln!(s, "      - title: F{n}");
        if linked {
            let _ = writeln!(s, "        link: {{ access: read, title: Link {n} }}");
        }
    }
    s
}

fn twelve_editing() -> String {
    let mut s = String::from("version: 1\nfolders:\n");
    for n in 0..12 {
        let _ = writeln!(
            s,
            "  - path: Docs/F{n}\n    link: {{ access: editing, title: Link {n}, password: false }}"
        );
    }
    s
}

/// The shares guard what exists (design.md 1.1 `min_existing`): a first adoption,
/// where no folder has a link yet, is planned and applied, and the plan says why
/// the shares did not apply.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_adoption_of_twelve_folders_passes_and_says_why() {
    let portal = Portal::start(&twelve(false)).await;
    portal.write("links.yaml", &twelve_editing());
    let why = "the safety shares did not apply: 0 of the 12 folders the manifest manages have a link now, fewer than safety.min_existing (10)";
    let plan = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(
        plan.stdout.contains(&format!("Note: {why}")),
        "{}",
        plan.stdout
    );
    let json = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["safety"]["not_applied"], why, "{}", doc["safety"]);
    assert_eq!(doc["safety"]["existing"], 0);
    assert_eq!(doc["safety"]["widen"], 12);
    assert_eq!(doc["safety"]["exceeded"], serde_json::json!([]));
    let apply = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert!(
        apply.stdout.contains("Apply complete: 12 created,"),
        "{}",
        apply.stdout
    );
}

/// Once the links exist the shares guard them: the same twelve folders, each with
/// a link, and a manifest that widens every one is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mass_change_of_twelve_existing_links_is_still_refused() {
    let portal = Portal::start(&twelve(true)).await;
    portal.write("links.yaml", &twelve_editing());
    let plan = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(doc["safety"]["existing"], 12, "{}", doc["safety"]);
    assert_eq!(doc["safety"]["not_applied"], serde_json::Value::Null);
    assert_eq!(
        doc["safety"]["exceeded"],
        serde_json::json!(["max_widen_share"])
    );
    let apply = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(apply.code, 4, "{}", apply.all());
    assert!(
        apply
            .all()
            .contains("the plan widens exposure on 12 of the 12 folders"),
        "{}",
        apply.all()
    );
    assert!(portal.writes().await.is_empty(), "nothing written");
}

/// `show` holds a saved plan to the shares of the manifest it was made from (`-f`),
/// which the file does not record; without it, to the defaults, and says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_uses_the_manifests_own_shares_or_says_they_are_the_defaults() {
    let portal = Portal::start(&seed()).await;
    portal.write(
        "links.yaml",
        &manifest("safety:\n  max_revoke_share: 50%\n", 4),
    );
    let out = portal.run(&["plan", "-f", "links.yaml", "--out", "plan.json"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let json = |out: &crate::support::Output| -> serde_json::Value {
        serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{}", out.all()))
    };
    let with = portal.run(&["show", "plan.json", "-f", "links.yaml", "--format", "json"]);
    assert_eq!(with.code, 0, "{}", with.all());
    let doc = json(&with);
    assert_eq!(doc["safety"]["max_revoke_share"], 50);
    assert_eq!(doc["safety"]["exceeded"], serde_json::json!([]));
    assert!(!with.stderr.contains("note:"), "{}", with.stderr);
    let without = portal.run(&["show", "plan.json", "--format", "json"]);
    assert_eq!(without.code, 0, "{}", without.all());
    let doc = json(&without);
    assert_eq!(doc["safety"]["max_revoke_share"], 30);
    assert_eq!(
        doc["safety"]["exceeded"],
        serde_json::json!(["max_revoke_share"])
    );
    assert!(
        without
            .stderr
            .contains("note: the safety shares above are the defaults"),
        "{}",
        without.stderr
    );
}
