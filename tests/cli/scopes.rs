//! `scopes:`: links on folders no entry lists are part of the plan, reported or
//! revoked.

use crate::support::{Portal, SEED};

const LISTED: &str = "  - path: Marketing/Press kit\n    link: { access: editing }\n  - path: Marketing/Archive\n    link: { title: Archive link }\n";

fn manifest(unlisted: &str) -> String {
    format!(
        "version: 1\nscopes:\n  - path: Marketing\n    unlisted: {unlisted}\nfolders:\n{LISTED}"
    )
}

/// A link someone made in the web UI on Brand assets, which no entry lists.
async fn by_hand(portal: &Portal) {
    portal
        .create_link(
            102,
            serde_json::json!({"access": 10, "title": "Made by hand", "primary": true}),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_made_by_hand_under_a_scope_fails_the_drift_check_and_is_named() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", &manifest("report"));
    let clean = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(clean.code, 0, "{}", clean.all());

    by_hand(&portal).await;
    // Additional links on a listed folder are the entry's business (its
    // `extra_unlisted`), not the scope's.
    portal
        .create_link(
            103,
            serde_json::json!({"access": 2, "title": "Extra", "primary": false}),
        )
        .await;
    let out = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(out.code, 2, "{}", out.all());
    crate::redactions().bind(|| insta::assert_snapshot!("scope_report_human", out.stdout));
    assert!(
        out.stdout.contains("Marketing/Brand assets"),
        "{}",
        out.stdout
    );
    assert!(
        !out.stdout.contains("Archive (folder 103, under scope"),
        "{}",
        out.stdout
    );

    let json = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["changes_pending"], true);
    assert_eq!(doc["summary"]["unlisted"], 2);
    assert_eq!(doc["unlisted"][0]["path"], "Marketing/Archive");
    assert_eq!(doc["unlisted"][0]["scope"], "extra_unlisted");
    assert_eq!(doc["unlisted"][0]["links"][0]["title"], "Extra");
    assert_eq!(doc["unlisted"][1]["path"], "Marketing/Brand assets");
    assert_eq!(doc["unlisted"][1]["scope"], "Marketing");
    assert_eq!(doc["unlisted"][1]["action"], "report");
    assert_eq!(doc["unlisted"][1]["links"][0]["title"], "Made by hand");

    // Reported, never written: apply changes nothing.
    let apply = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert_eq!(portal.links("Marketing/Brand assets").await.len(), 1);
    assert_eq!(
        portal.writes().await.len(),
        2,
        "only the two links made by hand"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_unlisted_revoke_apply_revokes_it_and_the_next_plan_is_clean() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", &manifest("revoke"));
    by_hand(&portal).await;
    let plan = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(plan.stdout.contains("to be revoked"), "{}", plan.stdout);
    assert!(plan.stdout.contains("1 to revoke"), "{}", plan.stdout);

    let apply = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert!(
        apply.stdout.contains("Marketing/Brand assets: revoked"),
        "{}",
        apply.stdout
    );
    assert!(portal.links("Marketing/Brand assets").await.is_empty());
    // Listed folders and folders outside the scope keep their links.
    assert!(portal.primary("Marketing/Archive").await.is_some());
    assert!(portal.primary("@my/Old projects").await.is_some());

    let again = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.all());
    assert!(again.stdout.contains("No changes."), "{}", again.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_by_id_and_over_my_documents() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nscopes:\n  - id: 100\n  - path: \"@my\"\nfolders: []\n",
    );
    let out = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stdout.contains("id 100 (Marketing)/Press kit"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("@my/Old projects"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("Plan: 0 to create, 0 to update, 0 to revoke, 0 unchanged, 3 unlisted."),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scope_that_leads_nowhere_is_an_error_at_its_line() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nscopes:\n  - path: Marketing/Nope\nfolders: []\n",
    );
    let out = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stderr.contains("links.yaml:3:11"), "{}", out.stderr);
    assert!(
        out.stderr.contains("no folder named `Nope`"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_mistakes_are_reported_before_any_request() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nscopes:\n  - path: Marketing\n  - path: Marketing\n  - id: 5\n    path: X\n  - unlisted: revoke\n  - path: Marketing//x\nfolders: []\n",
    );
    let out = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    insta::assert_snapshot!("scope_mistakes", out.stderr);
    portal.write(
        "typo.yaml",
        "version: 1\nscopes:\n  - path: Marketing\n    unlisted: delete\nfolders: []\n",
    );
    let out = portal.run(&["plan", "-f", "typo.yaml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    insta::assert_snapshot!("scope_unlisted_typo", out.stderr);
    assert!(portal.requests().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nearest_of_nested_scopes_decides() {
    let portal = Portal::start(include_str!("../../examples/portal.yaml")).await;
    portal.write(
        "links.yaml",
        "version: 1\nscopes:\n  - path: Marketing\n  - path: Marketing/Campaigns\n    unlisted: revoke\nfolders:\n  - path: Marketing/Press kit\n    link: { access: editing }\n",
    );
    let by_hand = serde_json::json!({"access": 2, "title": "By hand", "primary": true});
    portal.create_link(102, by_hand.clone()).await; // Marketing/Brand assets
    portal.create_link(104, by_hand).await; // Marketing/Campaigns/Spring 2027
    let out = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let actions: Vec<(&str, &str, &str)> = doc["unlisted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["path"].as_str().unwrap(),
                u["scope"].as_str().unwrap(),
                u["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        vec![
            ("Marketing/Brand assets", "Marketing", "report"),
            (
                "Marketing/Campaigns/Spring 2027",
                "Marketing/Campaigns",
                "revoke"
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unlisted_password_is_only_ever_said_to_be_set() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", &manifest("report"));
    portal
        .create_link(
            102,
            serde_json::json!({"access": 2, "title": "Secret", "password": "hand-made-pass-9", "primary": true}),
        )
        .await;
    for format in ["human", "json"] {
        let out = portal.run(&["plan", "-f", "links.yaml", "--format", format]);
        assert_eq!(out.code, 0, "{}", out.all());
        assert!(!out.all().contains("hand-made-pass-9"), "{}", out.all());
        assert!(!out.all().contains("s3cret-pass"), "{}", out.all());
        assert!(
            out.stdout.contains("password protected") || out.stdout.contains("\"(sensitive)\""),
            "{}",
            out.stdout
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unlisted_links_are_in_the_markdown_and_github_formats_too() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", &manifest("report"));
    by_hand(&portal).await;
    let github = portal.run(&["plan", "-f", "links.yaml", "--format", "github"]);
    assert_eq!(github.code, 0, "{}", github.all());
    assert!(
        github.stdout.contains(
            "::warning file=links.yaml,line=3,title=docspace-links%3A unlisted link::Marketing/Brand assets: 1 link no entry lists"
        ),
        "{}",
        github.stdout
    );
    let markdown = portal.run(&["plan", "-f", "links.yaml", "--format", "markdown"]);
    assert_eq!(markdown.code, 0, "{}", markdown.all());
    assert!(
        markdown
            .stdout
            .contains("<strong>Marketing/Brand assets</strong>: 1 link no entry lists"),
        "{}",
        markdown.stdout
    );
    assert!(
        markdown.stdout.contains("1 unlisted"),
        "{}",
        markdown.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_made_after_the_plan_is_never_revoked_unseen() {
    use axum::http::Method;

    use crate::proxy::Proxy;
    const LINKS: &str = "/api/2.0/files/folder/102/links";
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", &manifest("revoke"));
    by_hand(&portal).await;
    // The second read of Brand assets' links is apply's re-read before revoking:
    // right before it, someone replaces the link the plan showed with another.
    let hand = portal.hand();
    let proxy = Proxy::start(portal.url(), move |m, p, seen| {
        let hand = hand.clone();
        let run = m == Method::GET && p == LINKS && seen == 2;
        async move {
            if run {
                hand.revoke(102).await;
                hand.create(102, "Newer by hand").await;
            }
        }
    })
    .await;
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout.contains("Marketing/Brand assets")
            && out.stdout.contains("a link the plan did not show"),
        "{}",
        out.stdout
    );
    assert_eq!(proxy.count(Method::PUT, LINKS), 0, "nothing revoked");
    let left = portal
        .primary("Marketing/Brand assets")
        .await
        .expect("kept");
    assert_eq!(left["title"], "Newer by hand");
}

/// `unlisted: revoke` over a public room: its primary link would only be replaced
/// by a fresh default one if revoked (docspace-api.md 2.5), so it is kept and
/// shown; the additional link is revoked, and the next plan is clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_scope_over_a_public_room_keeps_its_primary_link_and_revokes_the_rest() {
    let portal = Portal::start(SEED).await;
    portal
        .create_link(
            200,
            serde_json::json!({"access": 10, "title": "Leak", "primary": false}),
        )
        .await;
    let primary = |links: &[serde_json::Value]| {
        links.iter().find(|l| l["primary"] == true).unwrap()["id"].clone()
    };
    let before = primary(&portal.links("Partners").await);
    portal.write(
        "links.yaml",
        "version: 1\nscopes:\n  - path: Partners\n    unlisted: revoke\nfolders: []\n",
    );
    let plan = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    let links = doc["unlisted"][0]["links"].as_array().unwrap();
    assert!(
        links
            .iter()
            .any(|l| l["primary"] == true && l["kept"] == true),
        "{doc}"
    );
    assert!(
        links
            .iter()
            .any(|l| l["title"] == "Leak" && l["kept"] == false),
        "{doc}"
    );
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes", "--force"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("1 to be revoked, 1 kept"),
        "{}",
        out.stdout
    );
    let after = portal.links("Partners").await;
    assert!(!after.iter().any(|l| l["title"] == "Leak"), "{after:?}");
    assert_eq!(primary(&after), before, "the public link was not rotated");
    let again = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.all());
}

/// A public room's own link widened by hand: under `unlisted: revoke` it is kept
/// (a revoke would only replace it), and still shown, never hidden as in line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_widened_kept_link_is_shown_under_unlisted_revoke() {
    let portal = Portal::start(SEED).await;
    portal
        .hand()
        .put(
            200,
            serde_json::json!({"access": 10, "title": "Partners", "denyDownload": false, "internal": false}),
        )
        .await;
    portal.write(
        "links.yaml",
        "version: 1\nscopes:\n  - path: Partners\n    unlisted: revoke\nfolders: []\n",
    );
    let out = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stdout.contains("Partners"), "{}", out.stdout);
    assert!(out.stdout.contains("editing"), "{}", out.stdout);
}

/// Under a scope, a folder the listing says is shared whose links this key reads
/// as none: unknown, never "no link" (and never cleared for a saved plan).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_this_key_cannot_see_under_a_scope_are_unknown() {
    let seed = SEED.replace(
        "tokens: [sk-test]",
        "tokens:\n  - sk-test\n  - {key: sk-viewer, user: viewer, role: viewer}",
    );
    let portal = Portal::start(&seed).await;
    by_hand(&portal).await;
    portal.write(
        "links.yaml",
        "version: 1\nscopes:\n  - path: Marketing\n    unlisted: revoke\nfolders:\n  - path: Marketing/Press kit\n    link: {}\n",
    );
    let out = portal.run_env(
        &["plan", "-f", "links.yaml", "--format", "json"],
        &[("DOCSPACE_TOKEN", "sk-viewer")],
    );
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let brand = doc["unlisted"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["path"] == "Marketing/Brand assets")
        .unwrap_or_else(|| panic!("{doc}"));
    assert_eq!(brand["action"], "unknown", "{doc}");
    assert_eq!(brand["code"], "links-hidden", "{doc}");
}
