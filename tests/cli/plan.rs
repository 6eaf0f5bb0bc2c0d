//! `plan`: read-only, accurate, stable.

use crate::support::{Portal, SEED, hidden_passwords};

const MANIFEST: &str = r#"
version: 1
defaults:
  deny_download: true
folders:
  - path: Marketing/Brand assets
    link: { access: read, title: Brand assets, expires: 2030-06-30 }
  - path: Marketing/Press kit
    link:
      access: editing
      title: Press kit
      password: { env: DOCSPACE_LINK_PRESS_KIT }
  - path: Marketing/Archive
    link: absent
  - path: "@my/Drafts"
    link: absent
  - id: 200
    link: { title: Partners }
"#;

const PRESS_KIT: (&str, &str) = ("DOCSPACE_LINK_PRESS_KIT", "s3cret-pass");

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_makes_only_read_only_requests_and_changes_nothing() {
    let portal = Portal::start(SEED).await;
    let file = portal.write("links.yaml", MANIFEST);
    let before = portal.state().await;
    let out = portal.run_env(&["plan", "-f", file.to_str().unwrap()], &[PRESS_KIT]);
    assert_eq!(out.code, 0, "{}", out.all());
    // Not a terminal: no progress bar, nothing at all on stderr.
    assert_eq!(out.stderr, "");
    let requests = portal.requests().await;
    assert!(!requests.is_empty());
    for r in &requests {
        assert_eq!(r["method"], "GET", "plan sent {r}");
        assert!(
            !r["path"].as_str().unwrap().ends_with("/link"),
            "plan used the get-or-create route: {r}"
        );
    }
    assert_eq!(portal.state().await, before, "plan changed the portal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_shows_field_level_changes_and_a_summary() {
    let portal = Portal::start(SEED).await;
    let file = portal.write("links.yaml", MANIFEST);
    let out = portal.run_env(&["plan", "-f", "links.yaml"], &[PRESS_KIT]);
    assert_eq!(out.code, 0, "{}", out.all());
    let _ = file;
    crate::redactions().bind(|| insta::assert_snapshot!("plan_human", out.stdout));
    assert!(
        out.stdout
            .contains("Plan: 1 to create, 2 to update, 1 to revoke, 1 unchanged.")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn detailed_exitcode_is_2_with_changes_and_0_without() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    let out = portal.run_env(
        &["plan", "-f", "links.yaml", "--detailed-exitcode"],
        &[PRESS_KIT],
    );
    assert_eq!(out.code, 2, "{}", out.all());

    portal.write(
        "same.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: { access: read, title: Archive link }\n",
    );
    let out = portal.run(&["plan", "-f", "same.yaml", "--detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("No changes. The portal matches the manifest."),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_plan_is_one_document_with_the_same_plan() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    let out = portal.run_env(
        &["plan", "-f", "links.yaml", "--format", "json"],
        &[PRESS_KIT],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    let doc: serde_json::Value =
        serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(doc["summary"]["create"], 1);
    assert_eq!(doc["summary"]["update"], 2);
    assert_eq!(doc["summary"]["revoke"], 1);
    assert_eq!(doc["changes_pending"], true);
    crate::redactions().bind(|| insta::assert_snapshot!("plan_json", out.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_in_another_offset_is_the_same_instant() {
    // The seed's link expires 2031-01-01T00:00:00Z; the portal answers in +01:00.
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { expires: 2031-01-01T01:00:00+01:00 }\n",
    );
    let out = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(out.code, 0, "{}", out.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_rotation_is_detected_without_printing_either_password() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { password: { env: DOCSPACE_LINK_NEW } }\n",
    );
    let out = portal.run_env(
        &["plan", "-f", "links.yaml", "--detailed-exitcode"],
        &[("DOCSPACE_LINK_NEW", "rotated-pass-2027")],
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stdout.contains("password:"), "{}", out.stdout);
    assert!(
        out.stdout.contains("(sensitive) -> (sensitive)"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("new password"), "{}", out.stdout);
    assert!(!out.all().contains("rotated-pass-2027") && !out.all().contains("s3cret-pass"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unverifiable_password_is_said_not_guessed() {
    let portal = Portal::start_with(SEED, hidden_passwords()).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { password: { env: DOCSPACE_LINK_PASS } }\n",
    );
    let out = portal.run_env(
        &["plan", "-f", "links.yaml", "--detailed-exitcode"],
        &[("DOCSPACE_LINK_PASS", "whatever-pass")],
    );
    assert_eq!(out.code, 0, "no change can be proven: {}", out.all());
    assert!(
        out.stdout.contains("password cannot be verified"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("1 managed password could not be verified"),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_is_sorted_and_stable() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    let a = portal.run_env(
        &["plan", "-f", "links.yaml", "--parallelism", "1"],
        &[PRESS_KIT],
    );
    let b = portal.run_env(
        &["plan", "-f", "links.yaml", "--parallelism", "16"],
        &[PRESS_KIT],
    );
    assert_eq!(a.stdout, b.stdout);
    // Block headings are "  <symbol> <path> (folder ...": compare the paths.
    let paths: Vec<&str> = a
        .stdout
        .lines()
        .filter_map(|l| l.split_once(" (folder ").map(|(head, _)| &head[4..]))
        .collect();
    assert_eq!(paths.len(), 4, "{}", a.stdout);
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_that_cannot_be_read_is_unknown_never_absent() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Brand assets\n    link: { access: read }\n",
    );
    // Every request fails: the folder's link state is unknown, not "missing".
    portal
        .faults(serde_json::json!({"error_rate": 1.0, "error_status": 503, "seed": 7}))
        .await;
    let out = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(!out.stdout.contains("will be created"), "{}", out.stdout);
    assert!(out.all().contains("503"), "{}", out.all());
}
