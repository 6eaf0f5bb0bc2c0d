//! Reports count only what happened (issue 14.4, 15.2): a folder apply finds
//! already as planned says so and is never counted as created or updated, and an
//! update the portal answers with the link unchanged is "ignored by the portal",
//! never done.

use axum::http::Method;
use serde_json::{Value, json};

use crate::proxy::{Answer, Proxy};
use crate::support::{Portal, SEED, TOKEN, json_of};

/// One update (Archive's title) and one create (Brand assets).
const MANIFEST: &str = r#"
version: 1
folders:
  - path: Marketing/Archive
    link: { title: Archive }
  - path: Marketing/Brand assets
    link: { access: read, title: Brand }
"#;

fn save_plan(portal: &Portal) {
    portal.write("links.yaml", MANIFEST);
    let out = portal.run(&["plan", "-f", "links.yaml", "--out", "plan.json"]);
    assert_eq!(out.code, 0, "{}", out.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_applied_twice_writes_and_counts_nothing_the_second_time() {
    let portal = Portal::start(SEED).await;
    save_plan(&portal);
    let first = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
    assert_eq!(first.code, 0, "{}", first.all());
    assert!(
        first
            .stdout
            .contains("Apply complete: 1 created, 1 updated, 0 revoked, 0 failed."),
        "{}",
        first.stdout
    );
    let writes = portal.writes().await;

    let again = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(
        again.stdout.contains("Apply complete: 0 created, 0 updated, 0 revoked, 2 already as planned (nothing written), 0 failed."),
        "{}",
        again.stdout
    );
    for path in ["Marketing/Archive", "Marketing/Brand assets"] {
        assert!(
            again
                .stdout
                .contains(&format!("= {path}: already as planned, nothing written")),
            "{}",
            again.stdout
        );
    }

    let json = portal.run(&["apply", "--plan", "plan.json", "--yes", "--format", "json"]);
    assert_eq!(json.code, 0, "{}", json.all());
    let doc = json_of(&json.stdout);
    assert_eq!(
        doc["summary"],
        json!({"created": 0, "updated": 0, "revoked": 0, "already_as_planned": 2, "to_check": 0, "failed": 0}),
        "{doc}"
    );
    for folder in doc["folders"].as_array().unwrap() {
        assert_eq!(folder["outcome"], "already_as_planned", "{folder}");
        assert_eq!(folder["message"], Value::Null);
    }
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(portal.writes().await, writes, "a re-applied plan wrote");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_fixed_by_hand_between_plan_and_apply_is_already_as_planned() {
    let portal = Portal::start(SEED).await;
    save_plan(&portal);
    // Someone makes the planned change in the web UI before the apply.
    portal.set_title("Marketing/Archive", 103, "Archive").await;
    let before = portal.writes().await.len();
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let doc = json_of(&out.stdout);
    assert_eq!(doc["summary"]["updated"], 0, "{doc}");
    assert_eq!(doc["summary"]["created"], 1, "{doc}");
    assert_eq!(doc["summary"]["already_as_planned"], 1, "{doc}");
    let archive = doc["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "Marketing/Archive")
        .expect("Archive reported");
    assert_eq!(archive["outcome"], "already_as_planned", "{archive}");
    let writes = portal.writes().await;
    assert!(
        !writes[before..].iter().any(|w| w.contains("folder/103/")),
        "the tool wrote to the folder fixed by hand: {writes:?}"
    );
}

/// `apply -f` without a saved plan: the hand edit lands between the plan's read and
/// apply's re-read of the folder, through a proxy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_fix_during_apply_f_is_already_as_planned_in_human_and_github() {
    let portal = Portal::start(SEED).await;
    let hand = portal.hand();
    let proxy = Proxy::start(portal.url(), move |m, p, n| {
        let hand = hand.clone();
        async move {
            // The plan's read is the first; apply's re-read before writing the second.
            if m == Method::GET && p == "/api/2.0/files/folder/103/links" && n == 2 {
                hand.put(103, json!({"access": 2, "title": "Archive"}))
                    .await;
            }
        }
    })
    .await;
    portal.write("links.yaml", MANIFEST);
    let summary = portal.dir().join("summary.md");
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--format", "github"],
        &[
            ("DOCSPACE_URL", proxy.url.as_str()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("= Marketing/Archive: already as planned, nothing written"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("Apply complete: 1 created, 0 updated, 0 revoked, 1 already as planned (nothing written), 0 failed."),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("title=docspace-links%3A already as planned::Marketing/Archive: already as planned, nothing written"),
        "{}",
        out.stdout
    );
    let md = std::fs::read_to_string(&summary).expect("a step summary");
    assert!(
        md.contains("**Apply complete: 1 created, 0 updated, 0 revoked, 1 already as planned (nothing written), 0 failed.**"),
        "{md}"
    );
    // The hand edit went straight to the portal: the tool sent no write there.
    assert_eq!(
        proxy.count(Method::PUT, "/api/2.0/files/folder/103/links"),
        0
    );
}

/// The portal drops a whole write when a field the key may not edit differs, and
/// answers 200 with the link unchanged (docspace-api.md third reading 2). A proxy
/// plays that server: it answers the PUT with the link as it is, unwritten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_answered_unchanged_is_ignored_by_the_portal_not_done() {
    let portal = Portal::start(SEED).await;
    let url = portal.url();
    let proxy = Proxy::answering(portal.url(), move |m, p, _| {
        let url = url.clone();
        async move {
            if m != Method::PUT || p != "/api/2.0/files/folder/103/links" {
                return Answer::Forward;
            }
            let listed: Value = reqwest::Client::new()
                .get(format!("{url}/api/2.0/files/folder/103/links"))
                .bearer_auth(TOKEN)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let link = listed["response"][0].clone();
            Answer::Instead(
                200,
                json!({"response": link, "count": 1, "status": 0, "statusCode": 200}).to_string(),
            )
        }
    })
    .await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: { title: Archive }\n",
    );
    let env = [("DOCSPACE_URL", proxy.url.as_str())];
    let out = portal.run_env(&["apply", "-f", "links.yaml", "--yes"], &env);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout.contains("Marketing/Archive (folder 103, manifest line 3): failed: ignored by the portal, nothing changed"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("Apply complete: 0 created, 0 updated, 0 revoked, 1 failed."),
        "{}",
        out.stdout
    );
    let json = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--format", "json"],
        &env,
    );
    assert_eq!(json.code, 3, "{}", json.all());
    let doc = json_of(&json.stdout);
    assert_eq!(doc["folders"][0]["outcome"], "ignored_by_portal", "{doc}");
    assert_eq!(doc["folders"][0]["code"], "ignored-by-portal", "{doc}");
    assert_eq!(doc["summary"]["updated"], 0, "{doc}");
    assert_eq!(
        portal.primary("Marketing/Archive").await.unwrap()["title"],
        "Archive link"
    );
}

/// `unlisted: revoke` in a saved plan applied twice: the second apply finds the
/// link gone and says "already as planned"; the file is not taken for edited. An
/// unlisted folder id edited to one outside the scope is still refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_unlisted_revoke_applied_twice_is_already_as_planned() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nscopes:\n  - path: Marketing\n    unlisted: revoke\nfolders:\n  - path: Marketing/Archive\n    link: { title: Archive }\n",
    );
    let plan = portal.run(&["plan", "-f", "links.yaml", "--out", "plan.json"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    let saved = std::fs::read_to_string(portal.dir().join("plan.json")).unwrap();

    let first = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
    assert_eq!(first.code, 0, "{}", first.all());
    assert!(
        first.stdout.contains("1 updated, 1 revoked"),
        "{}",
        first.stdout
    );
    assert!(portal.primary("Marketing/Press kit").await.is_none());

    let again = portal.run(&["apply", "--plan", "plan.json", "--yes", "--format", "json"]);
    assert_eq!(again.code, 0, "{}", again.all());
    let doc = json_of(&again.stdout);
    assert_eq!(doc["summary"]["revoked"], 0, "{doc}");
    assert_eq!(doc["summary"]["already_as_planned"], 2, "{doc}");

    // The same file with the unlisted folder pointed at a folder outside the scope.
    let mut edited: Value = serde_json::from_str(&saved).unwrap();
    edited["plan"]["unlisted"][0]["folder_id"] = json!(601);
    std::fs::write(
        portal.dir().join("plan.json"),
        serde_json::to_string_pretty(&edited).unwrap(),
    )
    .unwrap();
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(
        out.stderr
            .contains("no folder with this id is an unlisted folder of that scope now"),
        "{}",
        out.stderr
    );
    assert!(portal.primary("@my/Old projects").await.is_some());
}
