//! Two applies at once (two CI jobs, two people) against the server's unlocked
//! get-or-create (docspace-api.md, third reading 6): where a folder may have
//! several primary links, both creates make one. The tool checks after each create,
//! names both links, and removes neither.

use std::process::{Command, Stdio};

use serde_json::{Value, json};

use axum::http::Method;

use crate::proxy::{Answer, Proxy};
use crate::support::{Portal, TOKEN};

const SEED: &str = r#"
rooms:
  - title: Marketing
    type: custom
    id: 100
    folders:
      - { title: Team, id: 101 }
  - title: Website
    type: public
    id: 200
    link: { access: read }
    folders:
      - { title: Assets, id: 201 }
"#;

fn manifest(path: &str, title: &str) -> String {
    format!(
        "version: 1\nfolders:\n  - path: {path}\n    link: {{ access: read, title: {title} }}\n"
    )
}

/// Starts `apply -f FILE --yes --force` as a child process, without waiting.
fn spawn_apply(portal: &Portal, file: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_docspace-links"))
        .args(["apply", "-f", file, "--yes", "--force"])
        .current_dir(portal.dir())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DOCSPACE_URL", portal.url())
        .env("DOCSPACE_TOKEN", TOKEN)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts")
}

fn finish(child: std::process::Child) -> (i32, String) {
    let out = child.wait_with_output().expect("binary ends");
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applies_at_once_name_both_primary_links_and_revoke_neither() {
    let portal = Portal::start(SEED).await;
    // Each get-or-create waits this long between finding no link and making one:
    // the two runs' creates overlap on the server.
    portal.faults(json!({"create_gap_ms": 1500})).await;
    portal.write("a.yaml", &manifest("Marketing/Team", "From A"));
    portal.write("b.yaml", &manifest("Marketing/Team", "From B"));
    let (a, b) = (
        spawn_apply(&portal, "a.yaml"),
        spawn_apply(&portal, "b.yaml"),
    );
    let (a, b) = tokio::task::spawn_blocking(move || (finish(a), finish(b)))
        .await
        .expect("both runs end");
    let links: Vec<Value> = portal.links("Marketing/Team").await;
    let id = |title: &str| {
        links
            .iter()
            .find(|l| l["title"] == title && l["primary"] == true)
            .unwrap_or_else(|| panic!("no primary link {title:?}: {links:?}"))["id"]
            .as_str()
            .expect("an id")
            .to_owned()
    };
    let (id_a, id_b) = (id("From A"), id("From B"));
    assert_eq!(links.len(), 2, "{links:?}");
    // Nothing was revoked or rewritten: the two creates are the only writes.
    assert_eq!(
        portal.writes().await,
        ["POST /api/2.0/files/folder/101/link"; 2],
        "{a:?}\n{b:?}"
    );
    // Whichever run read last saw both links; it names the one it made and the
    // one it found, and exits non-zero.
    let names_both = |(code, out): &(i32, String), mine: &str, theirs: &str| {
        *code == 3
            && out.contains("a concurrent create made a second primary link")
            && out.contains(&format!("this run made link {mine}"))
            && out.contains(&format!("the folder also has link {theirs}"))
            // Its create happened: counted as created, to check, not failed.
            && out.contains(
                "Apply complete: 1 created, 0 updated, 0 revoked, 1 written but to check by hand, 0 failed.",
            )
    };
    assert!(
        names_both(&a, &id_a, &id_b) || names_both(&b, &id_b, &id_a),
        "A: {a:?}\nB: {b:?}"
    );
    // A run that read before the other's create finished saw only its own link.
    for (code, out) in [&a, &b] {
        assert!(
            *code == 0 || out.contains("a concurrent create made a second primary link"),
            "{out}"
        );
    }
}

async fn reads(portal: &Portal, path: &str) -> usize {
    portal
        .requests()
        .await
        .iter()
        .filter(|r| r["method"] == "GET" && r["path"] == path)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_where_the_limit_is_one_primary_link_is_not_read_again() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", &manifest("Website/Assets", "Press"));
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    // A public room's folder takes one primary link: a racing create gets 403,
    // so there is nothing to look for afterwards.
    assert_eq!(reads(&portal, "/api/2.0/files/folder/201/links").await, 0);
    // Where a second primary link is possible, the create is checked with one read.
    portal.write("links.yaml", &manifest("Marketing/Team", "Team"));
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(reads(&portal, "/api/2.0/files/folder/101/links").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plans_create_is_checked_too_where_the_room_allows_a_second_link() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", &manifest("Marketing/Team", "Team"));
    let saved = portal.run(&["plan", "-f", "links.yaml", "--out", "plan.json"]);
    assert_eq!(saved.code, 0, "{}", saved.all());
    // Where the folder lives is never saved (an edit could not then turn the
    // check off): apply learns it from the plan it makes now.
    let text = std::fs::read_to_string(portal.dir().join("plan.json")).unwrap();
    let plan: Value = serde_json::from_str(&text).unwrap();
    assert!(
        plan["plan"]["items"][0].get("placement").is_none(),
        "{text}"
    );
    let before = reads(&portal, "/api/2.0/files/folder/101/links").await;
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    // Read before the create (a saved plan) and after it (a custom room may
    // have several primary links).
    assert_eq!(
        reads(&portal, "/api/2.0/files/folder/101/links").await - before,
        2
    );
    assert!(portal.primary("Marketing/Team").await.is_some());
}

/// The create took and its answer checked out, but the read after it that looks
/// for a concurrent apply's link failed: the link is there and counted as created,
/// the folder is one to look at, and nothing else is written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_read_after_a_create_counts_the_create_and_asks_for_a_look() {
    let portal = Portal::start(SEED).await;
    let proxy = Proxy::answering(portal.url(), |m, p, _| async move {
        if m == Method::GET && p == "/api/2.0/files/folder/101/links" {
            Answer::Instead(200, r#"{"response":"not a list of links"}"#.to_owned())
        } else {
            Answer::Forward
        }
    })
    .await;
    portal.write("links.yaml", &manifest("Marketing/Team", "Team"));
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--format", "json"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    let report: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|_| panic!("{}", out.all()));
    assert_eq!(out.code, 3, "{}", out.all());
    assert_eq!(
        report["summary"],
        json!({"created": 1, "updated": 0, "revoked": 0, "already_as_planned": 0, "to_check": 1, "failed": 0}),
        "{report}"
    );
    let folder = &report["folders"][0];
    assert_eq!(folder["outcome"], "written_unchecked", "{report}");
    assert_eq!(folder["code"], "written-unchecked", "{report}");
    assert!(
        folder["message"]
            .as_str()
            .is_some_and(|m| m.contains("was created, but the read that checks")),
        "{report}"
    );
    assert!(portal.primary("Marketing/Team").await.is_some());
    assert_eq!(
        portal.writes().await,
        ["POST /api/2.0/files/folder/101/link"],
        "only the create was written"
    );
}
