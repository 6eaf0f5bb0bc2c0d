//! Writes that went before something failed are reported as written: a report
//! counts what happened, on the portal, not what the last request said.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::http::Method;
use serde_json::{Value, json};

use crate::proxy::{Answer, Proxy};
use crate::support::{Portal, SEED, json_of};

const OLD_PROJECTS_ABSENT: &str =
    "version: 1\nfolders:\n  - path: \"@my/Old projects\"\n    link: absent\n";

fn refused(status: u16, message: &str) -> Answer {
    Answer::Instead(
        status,
        json!({"status": 1, "statusCode": status, "error": {"message": message}}).to_string(),
    )
}

/// Two primary links to revoke; the first goes, the second is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_refused_after_another_went_says_how_many_went() {
    let portal = Portal::start(SEED).await;
    portal
        .create_link(
            601,
            json!({"access": 2, "title": "Second", "primary": true}),
        )
        .await;
    portal.write("links.yaml", OLD_PROJECTS_ABSENT);
    let proxy = Proxy::answering(portal.url(), |m, p, n| async move {
        if m == Method::PUT && p == "/api/2.0/files/folder/601/links" && n == 2 {
            return refused(403, "Access denied");
        }
        Answer::Forward
    })
    .await;
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--format", "json"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    let doc = json_of(&out.stdout);
    assert_eq!(portal.links("@my/Old projects").await.len(), 1, "one went");
    let folder = &doc["folders"][0];
    assert_eq!(folder["outcome"], "did_not_take", "{doc}");
    assert!(
        folder["message"]
            .as_str()
            .unwrap()
            .starts_with("1 of 2 primary links revoked, then revoking link"),
        "{doc}"
    );
    assert_eq!(doc["exit_code"], 3, "{doc}");
}

/// The revoke is answered; the read that checks it gets a clear 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_whose_check_fails_is_counted_as_revoked_and_to_check() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", OLD_PROJECTS_ABSENT);
    let proxy = Proxy::answering(portal.url(), |m, p, n| async move {
        // The plan's read, apply's read before the revoke, then the check.
        if m == Method::GET && p == "/api/2.0/files/folder/601/links" && n == 3 {
            return refused(404, "Item not found");
        }
        Answer::Forward
    })
    .await;
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--format", "json"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    let doc = json_of(&out.stdout);
    assert!(
        portal.primary("@my/Old projects").await.is_none(),
        "revoked"
    );
    assert_eq!(
        doc["summary"],
        json!({"created": 0, "updated": 0, "revoked": 1, "already_as_planned": 0, "to_check": 1, "failed": 0}),
        "{doc}"
    );
    assert_eq!(doc["folders"][0]["outcome"], "written_unchecked", "{doc}");
    assert_eq!(doc["exit_code"], 3, "{doc}");
}

/// The first update is written, then the key is refused for everything: the JSON
/// error document still says what was written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_stopped_half_way_keeps_its_outcomes_in_json() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: { title: A2 }\n  - path: Marketing/Press kit\n    link: { title: P2 }\n",
    );
    let wrote = Arc::new(AtomicBool::new(false));
    let proxy = Proxy::answering(portal.url(), move |m, _p, _n| {
        let wrote = wrote.clone();
        async move {
            if wrote.load(Ordering::SeqCst) {
                return Answer::Instead(401, String::new());
            }
            if m == Method::PUT {
                wrote.store(true, Ordering::SeqCst);
            }
            Answer::Forward
        }
    })
    .await;
    let out = portal.run_env(
        &[
            "apply",
            "-f",
            "links.yaml",
            "--yes",
            "--format",
            "json",
            "--parallelism",
            "1",
        ],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    let doc = json_of(&out.stdout);
    assert_eq!(doc["error"]["code"], "unauthorized", "{doc}");
    assert_eq!(doc["summary"]["updated"], 1, "{doc}");
    let written: Vec<&Value> = doc["folders"]
        .as_array()
        .unwrap_or_else(|| panic!("{doc}"))
        .iter()
        .filter(|f| f["outcome"] == "applied")
        .collect();
    assert_eq!(written.len(), 1, "{doc}");
    let path = written[0]["path"].as_str().unwrap();
    let title = portal.links(path).await[0]["title"].clone();
    assert!(title == "A2" || title == "P2", "{title}");
}

/// An unlisted revoke whose answer was lost, and the read after it fails too:
/// whether it happened is unknown (exit 1), as for a listed folder, never
/// "request failed, nothing written".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlisted_revoke_lost_then_unchecked_is_uncertain() {
    let portal = Portal::start(SEED).await;
    portal
        .create_link(
            102,
            json!({"access": 10, "title": "By hand", "primary": true}),
        )
        .await;
    portal.write(
        "links.yaml",
        "version: 1\nscopes:\n  - path: Marketing\n    unlisted: revoke\nfolders:\n  - path: Marketing/Press kit\n    link: {}\n  - path: Marketing/Archive\n    link: {}\n",
    );
    let proxy = Proxy::answering(portal.url(), |m, p, n| async move {
        if p == "/api/2.0/files/folder/102/links" {
            if m == Method::PUT && n == 1 {
                return Answer::Lose;
            }
            if m == Method::GET && n >= 3 {
                return refused(404, "Item not found");
            }
        }
        Answer::Forward
    })
    .await;
    let out = portal.run_env(
        &[
            "apply",
            "-f",
            "links.yaml",
            "--yes",
            "--force",
            "--format",
            "json",
        ],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    let doc = json_of(&out.stdout);
    let brand = doc["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "Marketing/Brand assets")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(brand["outcome"], "uncertain", "{doc}");
    assert_eq!(doc["exit_code"], 1, "{doc}");
}

/// A revoke the portal answers with the link unchanged (it dropped the write:
/// a field this key may not edit differs) is "ignored by the portal", not
/// "replaced by a new link", and the link is named as still there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_answered_with_the_link_unchanged_is_ignored_by_the_portal() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", OLD_PROJECTS_ABSENT);
    let upstream = portal.url();
    let proxy = Proxy::answering(portal.url(), move |m, p, _| {
        let upstream = upstream.clone();
        async move {
            if m == Method::PUT && p == "/api/2.0/files/folder/601/links" {
                // The link as it is, as the portal answers a dropped write.
                let links: Value = reqwest::Client::new()
                    .get(format!("{upstream}/api/2.0/files/folder/601/links"))
                    .bearer_auth(crate::support::TOKEN)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let entry = links["response"][0].clone();
                return Answer::Instead(
                    200,
                    json!({"response": entry, "status": 0, "statusCode": 200}).to_string(),
                );
            }
            Answer::Forward
        }
    })
    .await;
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--format", "json"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    let doc = json_of(&out.stdout);
    assert_eq!(doc["folders"][0]["outcome"], "ignored_by_portal", "{doc}");
    assert!(
        doc["folders"][0]["message"]
            .as_str()
            .unwrap()
            .contains("answered the revoke with the link unchanged"),
        "{doc}"
    );
    assert!(portal.primary("@my/Old projects").await.is_some());
}
