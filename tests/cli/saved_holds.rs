//! A saved plan holds only as far as this run's reads agree with it (found by a
//! review of the write path): a folder this key can no longer read is unknown, not
//! "already revoked"; a change the file lacks is reported, not forgotten; an item
//! copied over another is refused as a whole.

use axum::http::Method;
use serde_json::{Value, json};

use crate::proxy::{Answer, Proxy};
use crate::support::{Portal, SEED, json_of};
use crate::tampering::{ENV, MANIFEST, edit, save};

fn items(plan: &mut Value) -> &mut Vec<Value> {
    plan["plan"]["items"].as_array_mut().unwrap()
}

/// The plan is made with the owner's key; apply runs with a key whose user sees
/// the folder but not its links (`[]`, third reading 11).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_revoke_applied_with_a_key_that_sees_no_links_is_unknown_not_done() {
    let seed = SEED.replace(
        "tokens: [sk-test]",
        "tokens:\n  - sk-test\n  - {key: sk-viewer, user: viewer, role: viewer}",
    );
    let portal = Portal::start(&seed).await;
    save(
        &portal,
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: absent\n",
        &[],
    );
    let before = portal.writes().await.len();
    let out = portal.run_env(
        &["apply", "--plan", "plan.json", "--yes", "--format", "json"],
        &[("DOCSPACE_TOKEN", "sk-viewer")],
    );
    let doc = json_of(&out.stdout);
    assert_eq!(doc["exit_code"], 1, "{doc}");
    assert_eq!(doc["folders"][0]["outcome"], "unknown", "{doc}");
    assert_eq!(doc["folders"][0]["code"], "links-hidden", "{doc}");
    assert_eq!(doc["summary"]["revoked"], 0, "{doc}");
    assert!(portal.primary("Marketing/Archive").await.is_some());
    assert_eq!(portal.writes().await.len(), before, "nothing written");
}

/// `apply -f`: the plan's read sees the link, the re-read right before the revoke
/// sees `[]` (the key's rights changed in between): unknown, nothing written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_that_vanish_for_this_key_before_a_revoke_are_unknown() {
    let portal = Portal::start(SEED).await;
    let proxy = Proxy::answering(portal.url(), |m, p, n| async move {
        if m == Method::GET && p == "/api/2.0/files/folder/103/links" && n == 2 {
            return Answer::Instead(200, r#"{"response":[],"status":0,"statusCode":200}"#.into());
        }
        Answer::Forward
    })
    .await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: absent\n",
    );
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--format", "json"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    let doc = json_of(&out.stdout);
    assert_eq!(doc["folders"][0]["outcome"], "unknown", "{doc}");
    assert_eq!(doc["folders"][0]["code"], "links-hidden", "{doc}");
    assert!(portal.primary("Marketing/Archive").await.is_some());
    assert!(portal.writes().await.is_empty());
}

/// The same with a folder really revoked by hand in between: its `shared` flag
/// says it has no link, so it is already as planned (no false unknown).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_revoked_by_hand_before_a_saved_revoke_is_already_as_planned() {
    let portal = Portal::start(SEED).await;
    save(
        &portal,
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: absent\n",
        &[],
    );
    portal.hand().revoke(103).await;
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes", "--format", "json"]);
    let doc = json_of(&out.stdout);
    assert_eq!(doc["exit_code"], 0, "{doc}");
    assert_eq!(doc["folders"][0]["outcome"], "already_as_planned", "{doc}");
}

/// An item's revoke edited to "unchanged" (and its `seen` dropped so the field
/// check does not apply): the link the manifest wants gone is reported, exit 3.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_edited_out_of_a_saved_plan_is_reported_stale() {
    let portal = Portal::start(SEED).await;
    save(&portal, MANIFEST, &[]);
    edit(&portal, |p| {
        let old = items(p)
            .iter_mut()
            .find(|i| i["path"] == "@my/Old projects")
            .unwrap();
        old["action"] = json!({"action": "unchanged"});
        old.as_object_mut().unwrap().remove("seen");
    });
    let out = portal.run_env(
        &["apply", "--plan", "plan.json", "--yes", "--format", "json"],
        &ENV,
    );
    let doc = json_of(&out.stdout);
    assert_eq!(doc["exit_code"], 3, "{doc}");
    let old = doc["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "@my/Old projects")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(old["outcome"], "stale", "{doc}");
    assert!(
        old["message"]
            .as_str()
            .unwrap()
            .contains("a plan made now would revoke its link"),
        "{doc}"
    );
    assert!(portal.primary("@my/Old projects").await.is_some());
}

/// An unlisted folder's revoke deleted from the file: reported, not forgotten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlisted_revoke_deleted_from_a_saved_plan_is_reported_stale() {
    let portal = Portal::start(SEED).await;
    portal
        .create_link(
            102,
            json!({"access": 10, "title": "Made by hand", "primary": true}),
        )
        .await;
    save(
        &portal,
        "version: 1\nscopes:\n  - path: Marketing\n    unlisted: revoke\nfolders:\n  - path: Marketing/Press kit\n    link: { title: Press kit }\n",
        &[],
    );
    edit(&portal, |p| {
        p["plan"]["unlisted"]
            .as_array_mut()
            .unwrap()
            .retain(|u| u["path"] != "Marketing/Brand assets");
    });
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes", "--format", "json"]);
    let doc = json_of(&out.stdout);
    assert_eq!(doc["exit_code"], 3, "{doc}");
    assert!(
        doc["folders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "Marketing/Brand assets" && f["outcome"] == "stale"),
        "{doc}"
    );
    assert!(
        portal
            .links("Marketing/Brand assets")
            .await
            .iter()
            .any(|l| l["title"] == "Made by hand")
    );
}

/// One item copied over another: one entry's change would be made twice and the
/// other's dropped. Refused as a whole, nothing written.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_item_copied_over_another_is_refused_as_a_whole() {
    let portal = Portal::start(SEED).await;
    save(&portal, MANIFEST, &[]);
    edit(&portal, |p| {
        let brand = items(p)
            .iter()
            .find(|i| i["path"] == "Marketing/Brand assets")
            .unwrap()
            .clone();
        *items(p)
            .iter_mut()
            .find(|i| i["path"] == "Marketing/Archive")
            .unwrap() = brand;
    });
    let out = portal.run_env(&["apply", "--plan", "plan.json", "--yes"], &ENV);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(portal.writes().await.is_empty(), "{}", out.all());
}

/// The same for an `extra_links` key: one item per key, or the file is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_extra_link_item_copied_over_another_is_refused_as_a_whole() {
    let portal = Portal::start(SEED).await;
    save(
        &portal,
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: { title: Archive }\n    extra_links:\n      Agency: { access: read }\n      Printer: { access: comment }\n",
        &[],
    );
    edit(&portal, |p| {
        let agency = items(p)
            .iter()
            .find(|i| i["extra"] == "Agency")
            .unwrap_or_else(|| panic!("no Agency item"))
            .clone();
        *items(p)
            .iter_mut()
            .find(|i| i["extra"] == "Printer")
            .unwrap() = agency;
    });
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(portal.writes().await.is_empty(), "{}", out.all());
}

/// The file records the folder as `report` (a kept link the policy flags); since
/// the plan a link was added that a plan made now revokes: reported, not forgotten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_reported_in_the_file_and_revoked_now_is_reported_stale() {
    let portal = Portal::start(SEED).await;
    save(
        &portal,
        "version: 1\npolicy:\n  require_deny_download: true\nscopes:\n  - path: Partners\n    unlisted: revoke\nfolders: []\n",
        &[],
    );
    portal
        .create_link(
            200,
            json!({"access": 10, "title": "Leak", "primary": false}),
        )
        .await;
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes", "--format", "json"]);
    let doc = json_of(&out.stdout);
    assert_eq!(doc["exit_code"], 3, "{doc}");
    assert_eq!(doc["folders"][0]["outcome"], "stale", "{doc}");
    assert!(
        portal
            .links("Partners")
            .await
            .iter()
            .any(|l| l["title"] == "Leak")
    );
}

/// `kept` removed by hand so that apply would revoke the public room's own link:
/// refused as an edit, and the link is not rotated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kept_link_edited_to_be_revoked_is_refused_and_not_rotated() {
    let portal = Portal::start(SEED).await;
    portal
        .create_link(
            200,
            json!({"access": 10, "title": "Leak", "primary": false}),
        )
        .await;
    let before = portal.primary("Partners").await.unwrap()["id"].clone();
    save(
        &portal,
        "version: 1\nscopes:\n  - path: Partners\n    unlisted: revoke\nfolders: []\n",
        &[],
    );
    edit(&portal, |p| {
        for l in p["plan"]["unlisted"][0]["action"]["links"]
            .as_array_mut()
            .unwrap()
        {
            l.as_object_mut().unwrap().remove("kept");
        }
    });
    let writes = portal.writes().await.len();
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes", "--force"]);
    assert_eq!(out.code, 4, "{}", out.all());
    assert_eq!(portal.primary("Partners").await.unwrap()["id"], before);
    assert_eq!(portal.writes().await.len(), writes, "{}", out.all());
}

/// A plan saved with a key that may not read `people/@self` plans the revoke of a
/// colleague's folder; applied with a key that can tell, that folder is refused
/// (not-creator) and the rest goes on: no "edited" for what only this run knows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_creator_refusal_known_only_at_apply_is_refused_there_not_called_an_edit() {
    let portal = Portal::start(crate::creator::SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Mine\n    link: { access: comment }\n  - path: Marketing/Bobs\n    link: absent\n",
    );
    let plan = portal.run_env(
        &["plan", "-f", "links.yaml", "--out", "plan.json"],
        &[("DOCSPACE_TOKEN", "sk-files")],
    );
    assert_eq!(plan.code, 0, "{}", plan.all());
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes", "--format", "json"]);
    let doc = json_of(&out.stdout);
    assert!(doc.get("error").is_none(), "{doc}");
    assert_eq!(doc["exit_code"], 3, "{doc}");
    let bobs = doc["folders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "Marketing/Bobs")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(bobs["code"], "not-creator", "{doc}");
    assert_eq!(
        portal.primary("Marketing/Mine").await.unwrap()["access"],
        "comment"
    );
    assert!(portal.primary("Marketing/Bobs").await.is_some());
}

/// Two entries on one line (YAML flow style) pair with their own folders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_entries_on_one_line_apply_from_a_saved_plan() {
    let portal = Portal::start(SEED).await;
    save(
        &portal,
        "version: 1\nfolders: [{ path: Marketing/Archive, link: { access: comment } }, { path: Marketing/Brand assets, link: { access: read } }]\n",
        &[],
    );
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        portal.primary("Marketing/Archive").await.unwrap()["access"],
        "comment"
    );
    assert!(portal.primary("Marketing/Brand assets").await.is_some());
}

/// An unlisted record without `creator`, as the release before wrote it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlisted_record_saved_without_creator_still_applies() {
    let portal = Portal::start(SEED).await;
    portal
        .create_link(
            102,
            json!({"access": 10, "title": "By hand", "primary": true}),
        )
        .await;
    save(
        &portal,
        "version: 1\nscopes:\n  - path: Marketing\n    unlisted: revoke\nfolders:\n  - path: Marketing/Press kit\n    link: {}\n  - path: Marketing/Archive\n    link: {}\n",
        &[],
    );
    edit(&portal, |p| {
        p["plan"]["unlisted"][0]
            .as_object_mut()
            .unwrap()
            .remove("creator");
    });
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes", "--force"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(portal.primary("Marketing/Brand assets").await.is_none());
}
