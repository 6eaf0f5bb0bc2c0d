//! `plan --out` and `apply --plan`: exactly the reviewed plan is applied, folder by
//! folder, and a hand edit made in between is caught where Terraform would not see
//! it (it checks only its own state serial).

use serde_json::{Value, json};

use crate::support::{Portal, SEED, TOKEN};

const MANIFEST: &str = r#"
version: 1
folders:
  - path: Marketing/Press kit
    link: { title: Press kit }
  - path: Marketing/Archive
    link: { title: Archive }
  - path: Marketing/Brand assets
    link: { access: read, password: { env: DOCSPACE_LINK_BRAND } }
  - path: "@my/Old projects"
    link: absent
"#;

const BRAND_PASS: &str = "brand-pass-5531";
const ENV: [(&str, &str); 1] = [("DOCSPACE_LINK_BRAND", BRAND_PASS)];

/// Writes the manifest and saves its plan as `plan.json`.
fn saved(portal: &Portal) -> Value {
    portal.write("links.yaml", MANIFEST);
    let out = portal.run_env(&["plan", "-f", "links.yaml", "--out", "plan.json"], &ENV);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("docspace-links apply --plan plan.json"),
        "{}",
        out.stdout
    );
    serde_json::from_str(&std::fs::read_to_string(portal.dir().join("plan.json")).unwrap()).unwrap()
}

/// Changes a link through the API as a person in the web UI would: a full body.
async fn hand_edit(portal: &Portal, folder: u64, body: Value) {
    let status = reqwest::Client::new()
        .put(format!(
            "{}/api/2.0/files/folder/{folder}/links",
            portal.url()
        ))
        .bearer_auth(TOKEN)
        .json(&body)
        .send()
        .await
        .expect("the portal answers")
        .status();
    assert!(status.is_success(), "hand edit: {status}");
}

fn edit_plan(portal: &Portal, edit: impl FnOnce(&mut Value)) {
    let path = portal.dir().join("plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    edit(&mut plan);
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_holds_no_secret_and_says_what_it_was_made_from() {
    let portal = Portal::start(SEED).await;
    let plan = saved(&portal);
    let text = std::fs::read_to_string(portal.dir().join("plan.json")).unwrap();
    // The manifest's reference, the portal's own password, the token: none of them.
    for secret in [BRAND_PASS, "s3cret-pass", TOKEN] {
        assert!(!text.contains(secret), "the saved plan holds `{secret}`");
    }
    assert!(text.contains("env:DOCSPACE_LINK_BRAND"), "{text}");
    assert_eq!(plan["format_version"], 1);
    assert_eq!(plan["portal"], portal.url());
    assert_eq!(plan["manifest"]["path"], "links.yaml");
    let digest = plan["manifest"]["sha256"].as_str().unwrap();
    assert_eq!(digest.len(), 64);
    assert!(plan["created_at"].as_str().unwrap().ends_with('Z'));
    let kit = &plan["plan"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["path"] == "Marketing/Press kit")
        .unwrap()["action"];
    assert_eq!(kit["action"], "update");
    assert!(
        kit["target"]["share_link"]
            .as_str()
            .unwrap()
            .contains("/s/"),
        "the link planned against is named by its share link: {kit}"
    );
    let redacted = {
        let mut p = plan.clone();
        p["created_at"] = json!("[time]");
        p["portal"] = json!("[portal]");
        p
    };
    crate::redactions().bind(|| insta::assert_json_snapshot!("saved_plan", redacted));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_edit_after_the_plan_refuses_that_folder_and_applies_the_rest() {
    let portal = Portal::start(SEED).await;
    saved(&portal);
    // Someone renames the Archive link in the web UI after the plan was reviewed.
    portal
        .set_title("Marketing/Archive", 103, "Renamed by hand")
        .await;
    let before = portal.writes().await.len();

    let out = portal.run_env(&["apply", "--plan", "plan.json", "--yes"], &ENV);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout.contains(
            "Marketing/Archive (folder 103, manifest line 6): failed: changed since the plan"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("Apply complete: 1 created, 1 updated, 1 revoked, 1 failed."),
        "{}",
        out.stdout
    );
    assert_eq!(
        portal.primary("Marketing/Archive").await.unwrap()["title"],
        "Renamed by hand",
        "the edited folder was not written"
    );
    assert_eq!(
        portal.primary("Marketing/Press kit").await.unwrap()["title"],
        "Press kit"
    );
    let brand = portal.primary("Marketing/Brand assets").await.unwrap();
    assert_eq!(
        brand["password"], BRAND_PASS,
        "resolved at apply time from the reference"
    );
    assert!(portal.primary("@my/Old projects").await.is_none());
    let after_first = portal.writes().await;
    assert!(after_first.len() > before);

    // The same plan file again: every folder is already as planned, or still
    // changed since the plan. Nothing is written.
    let again = portal.run_env(&["apply", "--plan", "plan.json", "--yes"], &ENV);
    assert_eq!(again.code, 3, "{}", again.all());
    assert!(
        again.stdout.contains("Marketing/Archive"),
        "{}",
        again.stdout
    );
    assert_eq!(portal.writes().await, after_first, "the second apply wrote");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unmanaged_fields_come_from_the_read_right_before_the_write() {
    let portal = Portal::start(SEED).await;
    saved(&portal);
    let kit = portal.primary("Marketing/Press kit").await.unwrap();
    // A hand edit of a field the manifest leaves alone does not make the plan stale.
    hand_edit(
        &portal,
        101,
        json!({
            "linkId": kit["id"], "access": 10, "title": "Old kit", "primary": true,
            "password": "s3cret-pass", "expirationDate": "2031-01-01T00:00:00Z",
            "denyDownload": true, "internal": false,
        }),
    )
    .await;
    let out = portal.run_env(&["apply", "--plan", "plan.json", "--yes"], &ENV);
    assert_eq!(out.code, 0, "{}", out.all());
    let kit = portal.primary("Marketing/Press kit").await.unwrap();
    assert_eq!(kit["title"], "Press kit");
    assert_eq!(kit["deny_download"], true, "kept from the fresh read");
    assert_eq!(kit["password"], "s3cret-pass");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_for_another_portal_is_refused_before_any_request() {
    let portal = Portal::start(SEED).await;
    saved(&portal);
    let before = portal.requests().await.len();
    let out = portal.run_env(
        &[
            "apply",
            "--plan",
            "plan.json",
            "--yes",
            "--portal",
            "http://127.0.0.1:9",
        ],
        &ENV,
    );
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(
        out.stderr
            .contains("was made for the portal http://127.0.0.1:")
            && out.stderr.contains("not http://127.0.0.1:9"),
        "{}",
        out.stderr
    );
    assert_eq!(portal.requests().await.len(), before);

    // The same portal spelt differently is the same portal.
    let spelt = format!("{}/", portal.url().replace("http://", "HTTP://"));
    let out = portal.run_env(
        &["apply", "--plan", "plan.json", "--yes", "--portal", &spelt],
        &ENV,
    );
    assert_eq!(out.code, 0, "{}", out.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_manifest_refuses_the_whole_plan() {
    let portal = Portal::start(SEED).await;
    saved(&portal);
    portal.write("links.yaml", &format!("{MANIFEST}# edited after review\n"));
    let out = portal.run_env(&["apply", "--plan", "plan.json", "--yes"], &ENV);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(
        out.stderr
            .contains("the manifest links.yaml changed since the plan plan.json was made"),
        "{}",
        out.stderr
    );
    assert!(portal.writes().await.is_empty());

    // -f names the manifest to check instead of the plan's path.
    portal.write("copy.yaml", MANIFEST);
    let out = portal.run_env(
        &["apply", "--plan", "plan.json", "--yes", "-f", "copy.yaml"],
        &ENV,
    );
    assert_eq!(out.code, 0, "{}", out.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_old_plan_is_refused_unless_max_age_allows_it() {
    let portal = Portal::start(SEED).await;
    saved(&portal);
    let two_days_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(49);
    edit_plan(&portal, |p| {
        p["created_at"] = json!(two_days_ago.to_string())
    });
    let out = portal.run_env(&["apply", "--plan", "plan.json", "--yes"], &ENV);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(
        out.stderr.contains("2d 1h ago, longer than --max-age 24h"),
        "{}",
        out.stderr
    );
    assert!(portal.writes().await.is_empty());

    let out = portal.run_env(
        &["apply", "--plan", "plan.json", "--yes", "--max-age", "30m"],
        &ENV,
    );
    assert_eq!(out.code, 4, "{}", out.all());
    let out = portal.run_env(
        &["apply", "--plan", "plan.json", "--yes", "--max-age", "7d"],
        &ENV,
    );
    assert_eq!(out.code, 0, "{}", out.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_format_version_is_refused_and_named() {
    let portal = Portal::start(SEED).await;
    saved(&portal);
    edit_plan(&portal, |p| p["format_version"] = json!(2));
    let out = portal.run_env(&["apply", "--plan", "plan.json", "--yes"], &ENV);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(
        out.stderr.contains("has format version 2"),
        "{}",
        out.stderr
    );

    portal.write("plan.json", "not a plan");
    let out = portal.run_env(&["apply", "--plan", "plan.json", "--yes"], &ENV);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("cannot use the saved plan plan.json"),
        "{}",
        out.stderr
    );
    assert!(portal.writes().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edited_plan_file_is_refused() {
    let portal = Portal::start(SEED).await;
    saved(&portal);
    // Same manifest, same digest, but an item now wants more than the manifest does.
    edit_plan(&portal, |p| {
        for item in p["plan"]["items"].as_array_mut().unwrap() {
            if item["path"] == "Marketing/Press kit" {
                item["desired"]["access"] = json!("editing");
            }
        }
    });
    let out = portal.run_env(&["apply", "--plan", "plan.json", "--yes"], &ENV);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(
        out.stderr
            .contains("does not match the manifest links.yaml at line 4"),
        "{}",
        out.stderr
    );
    assert!(portal.writes().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_are_resolved_at_apply_time() {
    let portal = Portal::start(SEED).await;
    saved(&portal);
    // The variable the plan references is gone where apply runs: the manifest
    // does not validate, and nothing is written.
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("DOCSPACE_LINK_BRAND is not set"),
        "{}",
        out.stderr
    );
    assert!(portal.writes().await.is_empty());

    // Set to another value than at plan time: that value is the one written.
    let out = portal.run_env(
        &["apply", "--plan", "plan.json", "--yes"],
        &[("DOCSPACE_LINK_BRAND", "rotated-at-apply-77")],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        portal.primary("Marketing/Brand assets").await.unwrap()["password"],
        "rotated-at-apply-77"
    );
    assert!(!out.all().contains("rotated-at-apply-77"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_age_needs_a_plan_and_a_unit() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    let out = portal.run(&["apply", "-f", "links.yaml", "--max-age", "1h"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stderr.contains("--plan"), "{}", out.stderr);
    let out = portal.run(&["apply", "--plan", "plan.json", "--max-age", "24"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stderr.contains("e.g. 30m, 24h or 7d"), "{}", out.stderr);
    let out = portal.run(&["apply"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stderr.contains("--file"), "{}", out.stderr);
}
