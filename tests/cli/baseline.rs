//! `plan --baseline OLD.yaml`: each change labelled pending (the manifest changed),
//! drift (the portal moved away from the baseline) or conflict (both).

use serde_json::Value;

use crate::support::{Portal, SEED};

/// The manifest as last applied. It names the Archive by id, the new one by path:
/// entries are matched by the folder they resolve to.
const BASELINE: &str = r#"
version: 1
folders:
  - id: 103
    link: { title: Archive link }
  - path: Marketing/Press kit
    link: { title: Old kit }
  - path: "@my/Old projects"
    link: { title: Shared link }
"#;

const CURRENT: &str = r#"
version: 1
folders:
  - path: Marketing/Archive
    link: { title: Archive link }
  - path: Marketing/Press kit
    link: { title: Press kit }
  - path: "@my/Old projects"
    link: { title: Old projects }
  - path: Marketing/Brand assets
    link: { access: read }
"#;

/// Archive and Old projects are renamed by hand after the baseline was applied.
async fn portal() -> Portal {
    let portal = Portal::start(SEED).await;
    portal.write("old.yaml", BASELINE);
    portal.write("links.yaml", CURRENT);
    portal
        .set_title("Marketing/Archive", 103, "Renamed by hand")
        .await;
    portal.set_title("@my/Old projects", 601, "Hand").await;
    portal
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_label_in_the_human_plan() {
    let portal = portal().await;
    let out = portal.run(&["plan", "-f", "links.yaml", "--baseline", "old.yaml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    for (path, label) in [
        ("Marketing/Archive (folder 103, manifest line 4)", "[drift]"),
        (
            "Marketing/Press kit (folder 101, manifest line 6)",
            "[pending]",
        ),
        (
            "@my/Old projects (folder 601, manifest line 8)",
            "[conflict]",
        ),
        (
            "Marketing/Brand assets (folder 102, manifest line 10)",
            "[pending]",
        ),
    ] {
        let line = out
            .stdout
            .lines()
            .find(|l| l.contains(path))
            .unwrap_or_else(|| panic!("no {path} in\n{}", out.stdout));
        assert!(line.ends_with(label), "{line}");
    }
    crate::redactions().bind(|| insta::assert_snapshot!("baseline_human", out.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn labels_in_json_and_markdown_and_none_without_a_baseline() {
    let portal = portal().await;
    let json = portal.run(&[
        "plan",
        "-f",
        "links.yaml",
        "--baseline",
        "old.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(json.code, 0, "{}", json.all());
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    let label = |doc: &Value, path: &str| {
        doc["folders"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap()["label"]
            .clone()
    };
    assert_eq!(label(&doc, "Marketing/Archive"), "drift");
    assert_eq!(label(&doc, "Marketing/Press kit"), "pending");
    assert_eq!(label(&doc, "@my/Old projects"), "conflict");
    assert_eq!(label(&doc, "Marketing/Brand assets"), "pending");

    let md = portal.run(&[
        "plan",
        "-f",
        "links.yaml",
        "--baseline",
        "old.yaml",
        "--format",
        "markdown",
    ]);
    assert!(
        md.stdout
            .contains("(links.yaml line 8, folder 601)</em> <code>conflict</code></summary>"),
        "{}",
        md.stdout
    );

    // Without a baseline: no label anywhere in the human plan, `null` in JSON.
    let plain = portal.run(&["plan", "-f", "links.yaml"]);
    for word in ["[drift]", "[pending]", "[conflict]"] {
        assert!(!plain.stdout.contains(word), "{}", plain.stdout);
    }
    let json = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(label(&doc, "Marketing/Archive").is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_is_read_once_for_both_manifests() {
    let portal = portal().await;
    let before = portal.requests().await.len();
    let out = portal.run(&["plan", "-f", "links.yaml", "--baseline", "old.yaml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let requests = portal.requests().await;
    let reads = |path: &str| {
        requests[before..]
            .iter()
            .filter(|r| r["path"].as_str().unwrap().ends_with(path))
            .count()
    };
    assert_eq!(reads("folder/101/links"), 1);
    assert_eq!(reads("folder/601/links"), 1);
    // The baseline names the Archive by id: resolved on its own, but its links,
    // read once per run (docspace/reader.rs), are read once.
    assert_eq!(reads("folder/103/links"), 1);
    assert!(requests[before..].iter().all(|r| r["method"] == "GET"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_baseline_is_named_as_such() {
    let portal = portal().await;
    portal.write(
        "old.yaml",
        "version: 1\nfolders:\n  - path: A\n    link: { access: owner }\n",
    );
    let out = portal.run(&["plan", "-f", "links.yaml", "--baseline", "old.yaml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stderr.contains("old.yaml:4"), "{}", out.stderr);
}
