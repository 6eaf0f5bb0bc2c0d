//! The portal's release decides what a link answered without `password` means
//! (docspace-api.md, third reading 10): on every release read so far it has none,
//! so an everyday update goes ahead; on a newer or unsaid one it stays unknown.

use serde_json::Value;

use crate::support::{Portal, hidden_passwords};

const SEED: &str = r#"
rooms:
  - title: Team
    type: custom
    id: 100
    folders:
      - title: Notes
        id: 101
        link: { access: read, title: Notes }
"#;

const MANIFEST: &str =
    "version: 1\nfolders:\n  - path: Team/Notes\n    link: { access: comment }\n";

async fn version_route(portal: &Portal) -> Value {
    // No key: the route is anonymous on the server.
    reqwest::get(format!("{}/api/2.0/settings/version/build", portal.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_simulator_says_its_release_to_anyone() {
    let portal = Portal::start(SEED).await;
    let v = version_route(&portal).await;
    assert_eq!(v["response"]["docSpace"], "3.7.2.1");
    assert_eq!(v["status"], 0);
    let seeded = Portal::start(&format!("version: 3.8.0.77\n{SEED}")).await;
    assert_eq!(
        version_route(&seeded).await["response"]["docSpace"],
        "3.8.0.77"
    );
    let hiding = Portal::start_with(SEED, hidden_passwords()).await;
    assert_eq!(
        version_route(&hiding).await["response"]["docSpace"],
        "99.0.0.1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_without_a_password_is_updated_on_a_known_release() {
    for version in ["3.7.2.1", "3.8.0.77"] {
        let portal = Portal::start(&format!("version: {version}\n{SEED}")).await;
        portal.write("links.yaml", MANIFEST);
        let out = portal.run(&["plan", "-f", "links.yaml"]);
        assert_eq!(out.code, 0, "{version}: {}", out.all());
        assert!(
            out.stdout.contains("access: read -> comment"),
            "{}",
            out.stdout
        );
        let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
        assert_eq!(out.code, 0, "{version}: {}", out.all());
        let link = portal.primary("Team/Notes").await.unwrap();
        assert_eq!(link["access"], "comment");
        assert_eq!(link["password"], Value::Null);
        let again = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
        assert_eq!(again.code, 0, "{}", again.all());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_an_unknown_release_the_refusal_names_it() {
    let portal = Portal::start(&format!("version: 4.0.0.1\n{SEED}")).await;
    portal.write("links.yaml", MANIFEST);
    let out = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(
        out.stdout
            .contains("DocSpace 4.0.0.1, a release newer than those known"),
        "{}",
        out.stdout
    );
    let writes_before = portal.writes().await.len();
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_ne!(out.code, 0, "{}", out.all());
    assert_eq!(portal.writes().await.len(), writes_before);
}
