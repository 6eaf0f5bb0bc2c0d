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

/// Keys scoped as the README recommends: plan and export with `files:read` and
/// `rooms:read`, apply with `files:write` besides.
const SCOPED: &str = r#"
tokens:
  - sk-test
  - {key: sk-ro, scopes: [files:read, rooms:read]}
  - {key: sk-rw, scopes: [files:read, rooms:read, files:write]}
"#;

async fn version_with_key(portal: &Portal, key: &str) -> reqwest::StatusCode {
    reqwest::Client::new()
        .get(format!("{}/api/2.0/settings/version/build", portal.url()))
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_version_route_judges_a_key_sent_to_it_as_the_server_does() {
    let portal = Portal::start(&format!("{SCOPED}{SEED}")).await;
    // ApiKeyScopesFilter: a key without `*:read` / `*:write` is refused there.
    assert_eq!(version_with_key(&portal, "sk-ro").await, 403);
    assert_eq!(version_with_key(&portal, "sk-nope").await, 403);
    assert_eq!(version_with_key(&portal, "sk-test").await, 200);
    assert_eq!(version_route(&portal).await["status"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scoped_key_still_learns_the_release_the_key_never_goes_to_the_version_route() {
    let portal = Portal::start(&format!("{SCOPED}{SEED}")).await;
    portal.write("links.yaml", MANIFEST);
    let proxy = crate::proxy::Proxy::start(portal.url(), |_, _, _| async {}).await;
    let via = |key: &'static str| {
        [
            ("DOCSPACE_URL", proxy.url.clone()),
            ("DOCSPACE_TOKEN", key.to_owned()),
        ]
    };

    let env = via("sk-ro");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = portal.run_env(&["plan", "-f", "links.yaml"], &env);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("access: read -> comment"),
        "{}",
        out.stdout
    );

    let env = via("sk-rw");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = portal.run_env(&["apply", "-f", "links.yaml", "--yes"], &env);
    assert_eq!(out.code, 0, "{}", out.all());
    let link = portal.primary("Team/Notes").await.unwrap();
    assert_eq!(link["access"], "comment");
    assert_eq!(link["password"], Value::Null);

    let route = "/api/2.0/settings/version/build";
    let m = axum::http::Method::GET;
    assert!(
        proxy.count(m.clone(), route) >= 2,
        "the release is read in each run"
    );
    assert_eq!(
        proxy.count_with_key(m, route),
        0,
        "a key went to the version route"
    );
    assert!(
        proxy.count_with_key(axum::http::Method::GET, "/api/2.0/files/@my") > 0,
        "the proxy sees the key where it is sent"
    );
}
