//! `policy:`: checked in the manifest before any request, then on every link the
//! plan sees on the portal.

use crate::support::{Portal, SEED};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manifest_violations_are_errors_at_their_lines_before_any_request() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1
defaults:
  internal: false
policy:
  max_lifetime: 90d
  require_password: [editing]
  forbid_access: [comment]
  require_internal: true
folders:
  - path: Marketing/Press kit
    link: { access: editing, expires: never }
  - path: Marketing/Archive
    link: { access: comment }
  - path: Marketing/Brand assets
    link: { access: read }
",
    );
    let out = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        portal.requests().await.is_empty(),
        "a request before the check"
    );
    insta::assert_snapshot!("policy_manifest_errors", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_violations_are_shown_in_every_format_and_counted_as_changes() {
    let portal = Portal::start(SEED).await;
    // Press kit: editing with a password (fine); Archive: read, no password, downloads allowed.
    portal.write(
        "links.yaml",
        "version: 1
policy:
  require_password: [editing, read]
  require_deny_download: true
folders:
  - path: Marketing/Press kit
    link: { title: Old kit, deny_download: true }
  - path: Marketing/Archive
    link: { title: Archive link }
",
    );
    let out = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    crate::redactions().bind(|| insta::assert_snapshot!("policy_portal_human", out.stdout));
    let detailed = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(detailed.code, 2, "{}", detailed.all());
    let json = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["summary"]["violations"], 2);
    assert_eq!(doc["changes_pending"], true);
    let archive = doc["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "Marketing/Archive")
        .unwrap();
    assert_eq!(archive["violations"][0]["rule"], "require_password");
    assert_eq!(archive["violations"][1]["rule"], "require_deny_download");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlisted_link_that_breaks_the_policy_is_shown_and_revoked() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1
policy:
  forbid_access: [editing]
scopes:
  - path: Marketing
    unlisted: revoke
folders:
  - path: Marketing/Archive
    link: { title: Archive link }
",
    );
    let out = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stdout.contains("Marketing/Press kit"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("policy: editing links are forbidden (forbid_access)"),
        "{}",
        out.stdout
    );
    let apply = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert!(portal.links("Marketing/Press kit").await.is_empty());
    let again = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn violations_are_in_the_markdown_and_github_formats_too() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\npolicy:\n  require_deny_download: true\nfolders:\n  - path: Marketing/Archive\n    link: { title: Archive link }\n",
    );
    let github = portal.run(&["plan", "-f", "links.yaml", "--format", "github"]);
    assert!(
        github.stdout.contains("::warning file=links.yaml,line=5"),
        "{}",
        github.stdout
    );
    assert!(
        github
            .stdout
            .contains("policy: allows downloads (require_deny_download)"),
        "{}",
        github.stdout
    );
    let markdown = portal.run(&["plan", "-f", "links.yaml", "--format", "markdown"]);
    assert!(
        markdown
            .stdout
            .contains("Policy: allows downloads (require&#95;deny&#95;download)"),
        "{}",
        markdown.stdout
    );
}
