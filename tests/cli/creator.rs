//! Only a folder's creator may revoke its links (docspace-api.md, third reading 3):
//! the plan refuses what the portal would refuse, where it can tell, and apply
//! learns from the portal's first 403 where it cannot, and never retries it.

use axum::http::Method;
use serde_json::Value;

use crate::proxy::{Answer, Proxy};
use crate::support::Portal;

pub(crate) const SEED: &str = r#"
tokens:
  - sk-test
  - {key: sk-bob, user: bob}
  - {key: sk-files, scopes: [files:write, rooms:read]}
rooms:
  - title: Marketing
    type: custom
    id: 100
    link: { access: read }
    folders:
      - { title: Mine, id: 101, link: { access: read } }
      - { title: Bobs, id: 102, created_by: bob, link: { access: read } }
      - { title: Bobs too, id: 103, created_by: bob, link: { access: read } }
"#;

const SELF: &str = "/api/2.0/people/@self";

fn absent(paths: &[&str]) -> String {
    let mut m = String::from("version: 1\nfolders:\n");
    for p in paths {
        m.push_str(&format!("  - path: Marketing/{p}\n    link: absent\n"));
    }
    m
}

async fn count(portal: &Portal, method: &str, path: &str) -> usize {
    portal
        .requests()
        .await
        .iter()
        .filter(|r| r["method"] == method && r["path"] == path)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_creators_revoke_applies_and_the_key_user_is_read_once() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", &absent(&["Mine"]));
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(portal.primary("Marketing/Mine").await.is_none());
    assert_eq!(count(&portal, "GET", SELF).await, 1);
    // Bob made his folders: his key's revoke goes through.
    portal.write("links.yaml", &absent(&["Bobs"]));
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes"],
        &[("DOCSPACE_TOKEN", "sk-bob")],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(portal.primary("Marketing/Bobs").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_without_a_revoke_does_not_read_the_key_user() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Bobs\n    link: { access: review }\n",
    );
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(count(&portal, "GET", SELF).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_of_someone_elses_folder_is_refused_in_the_plan_and_never_sent() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", &absent(&["Bobs"]));
    let plan = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(plan.code, 4, "{}", plan.all());
    assert!(
        plan.stdout
            .contains("only the folder's creator may revoke its links")
            && plan.stdout.contains("bob (0d0c5ace-")
            && plan.stdout.contains("not this API key's user"),
        "{}",
        plan.stdout
    );
    let json = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    let doc: Value = serde_json::from_str(&json.stdout).expect("JSON");
    assert_eq!(doc["folders"][0]["action"], "refused");
    assert_eq!(doc["folders"][0]["code"], "not-creator");
    let github = portal.run(&["plan", "-f", "links.yaml", "--format", "github"]);
    assert!(
        github.stdout.contains("::error file=links.yaml,line=3")
            && github.stdout.contains("only the folder"),
        "{}",
        github.stdout
    );
    let markdown = portal.run(&["plan", "-f", "links.yaml", "--format", "markdown"]);
    assert!(
        markdown
            .stdout
            .contains("only the folder's creator may revoke"),
        "{}",
        markdown.stdout
    );
    let apply = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(apply.code, 4, "{}", apply.all());
    assert!(
        portal.writes().await.is_empty(),
        "{:?}",
        portal.writes().await
    );
    assert!(portal.primary("Marketing/Bobs").await.is_some());
}

/// Removes every `createdBy` from an answer: a portal that does not say who made
/// a folder.
fn without_creators(body: String) -> String {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("createdBy");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v: Value = serde_json::from_str(&body).expect("JSON");
    strip(&mut v);
    v.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_creator_apply_learns_from_the_one_403_and_does_not_retry() {
    let portal = Portal::start(SEED).await;
    let proxy = Proxy::answering(portal.url(), |m, _, _| async move {
        if m == Method::GET {
            Answer::Edit(without_creators)
        } else {
            Answer::Forward
        }
    })
    .await;
    portal.write("links.yaml", &absent(&["Bobs"]));
    let plan = portal.run_env(
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    assert_eq!(plan.code, 0, "not refused on a guess: {}", plan.all());
    assert!(plan.stdout.contains("1 to revoke"), "{}", plan.stdout);
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--format", "json"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    assert_eq!(out.code, 4, "{}", out.all());
    assert_eq!(
        proxy.count(Method::PUT, "/api/2.0/files/folder/102/links"),
        1
    );
    assert_eq!(proxy.count(Method::GET, SELF), 0, "no creator to compare");
    let doc: Value = serde_json::from_str(&out.stdout).expect("JSON");
    let folder = &doc["folders"][0];
    assert_eq!(folder["path"], "Marketing/Bobs");
    assert_eq!(folder["outcome"], "refused");
    assert_eq!(folder["code"], "not-creator");
    assert!(
        folder["message"]
            .as_str()
            .is_some_and(|m| m.contains("The role is not available for this user type")),
        "{folder}"
    );
    assert!(portal.primary("Marketing/Bobs").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_that_may_not_read_its_user_learns_once_per_creator() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", &absent(&["Bobs", "Bobs too", "Mine"]));
    let env = [("DOCSPACE_TOKEN", "sk-files")];
    let plan = portal.run_env(&["plan", "-f", "links.yaml"], &env);
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(plan.stdout.contains("3 to revoke"), "{}", plan.stdout);
    let out = portal.run_env(&["apply", "-f", "links.yaml", "--yes", "--force"], &env);
    assert_eq!(out.code, 3, "{}", out.all());
    // One of Bob's folders was tried, and refused; the other was not sent.
    let bobs = count(&portal, "PUT", "/api/2.0/files/folder/102/links").await
        + count(&portal, "PUT", "/api/2.0/files/folder/103/links").await;
    assert_eq!(bobs, 1, "{}", out.all());
    assert!(
        out.stdout.contains("not sent: only the folder's creator"),
        "{}",
        out.stdout
    );
    assert!(portal.primary("Marketing/Bobs").await.is_some());
    assert!(portal.primary("Marketing/Bobs too").await.is_some());
    assert!(portal.primary("Marketing/Mine").await.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlisted_revoke_of_someone_elses_folder_is_refused_in_the_plan() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nscopes:\n  - path: Marketing\n    unlisted: revoke\nfolders:\n  - path: Marketing\n    link: { access: read }\n  - path: Marketing/Bobs too\n    link: { access: read }\n",
    );
    let plan = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    assert_eq!(plan.code, 4, "{}", plan.all());
    let doc: Value = serde_json::from_str(&plan.stdout).expect("JSON");
    let unlisted = doc["unlisted"].as_array().expect("unlisted");
    let of = |path: &str| {
        unlisted
            .iter()
            .find(|u| u["path"] == path)
            .unwrap_or_else(|| panic!("{path} in {unlisted:?}"))
    };
    assert_eq!(of("Marketing/Bobs")["action"], "refused");
    assert_eq!(of("Marketing/Bobs")["code"], "not-creator");
    assert_eq!(of("Marketing/Mine")["action"], "revoke");
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes", "--force"]);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout.contains("only the folder's creator"),
        "{}",
        out.stdout
    );
    assert_eq!(
        portal.writes().await,
        ["PUT /api/2.0/files/folder/101/links"],
        "only Mine's link is revoked"
    );
    assert!(portal.primary("Marketing/Bobs").await.is_some());
}
