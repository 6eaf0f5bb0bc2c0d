//! The `shared`, `sharedExternal` and `parentShared` flags of folder entries, as the
//! server sets them (src/sim/sharing.rs has the server's source for each rule).

use docspace_links::sim::SimConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::Portal;

const SHARING: &str = r#"
rooms:
  - title: Linked
    type: custom
    id: 10
    link: { access: read }
    folders:
      - title: Public link
        id: 11
        folders:
          - title: Nested
            id: 12
            folders:
              - { title: Deeper, id: 13 }
      - { title: Internal only, id: 14, link: { access: read, internal: true } }
      - { title: Expired, id: 15, link: { access: read, expires: 2020-01-01 } }
      - { title: Bare, id: 16 }
  - title: Unlinked
    type: custom
    id: 20
    folders:
      - { title: Plain, id: 21 }
      - { title: Shared, id: 22, link: { access: read } }
      - title: Under shared
        id: 23
        link: { access: read, internal: true }
        folders:
          - { title: Child, id: 24 }
my_documents:
  folders:
    - { title: Mine, id: 30, link: { access: review } }
"#;

/// `(shared, sharedExternal, parentShared)` of an entry.
fn flags(entry: &Value) -> (bool, bool, bool) {
    let flag = |key: &str| {
        entry[key]
            .as_bool()
            .unwrap_or_else(|| panic!("{key} is a boolean in {entry}"))
    };
    (flag("shared"), flag("sharedExternal"), flag("parentShared"))
}

async fn listed(portal: &Portal, path: &str) -> Vec<(String, (bool, bool, bool))> {
    let answer = portal.get(path).await;
    assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
    answer.json["response"]["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .map(|f| (f["title"].as_str().expect("title").to_owned(), flags(f)))
        .collect()
}

fn entry(title: &str, shared: bool, external: bool, parent: bool) -> (String, (bool, bool, bool)) {
    (title.to_owned(), (shared, external, parent))
}

#[tokio::test]
async fn flags_follow_the_folders_own_links_and_its_ancestors() {
    let portal = Portal::with(SHARING, SimConfig::default()).await;
    portal
        .put(
            "folder/11/links",
            json!({"access": 2, "primary": true, "internal": false}),
        )
        .await;
    assert_eq!(
        listed(&portal, "10").await,
        [
            entry("Public link", true, true, true),
            // An internal link is shared, not shared externally.
            entry("Internal only", true, false, true),
            // An expired link still counts.
            entry("Expired", true, true, true),
            entry("Bare", false, false, true),
        ]
    );
    assert_eq!(
        listed(&portal, "20").await,
        [
            entry("Plain", false, false, false),
            entry("Shared", true, true, false),
            entry("Under shared", true, false, false),
        ]
    );
    // Any ancestor's link makes a folder parent-shared, an internal one too.
    assert_eq!(
        listed(&portal, "12").await,
        [entry("Deeper", false, false, true)]
    );
    assert_eq!(
        listed(&portal, "23").await,
        [entry("Child", false, false, true)]
    );
    assert_eq!(
        listed(&portal, "rooms").await,
        [
            entry("Linked", true, true, false),
            entry("Unlinked", false, false, false),
        ]
    );
    assert_eq!(
        listed(&portal, "@my").await,
        [entry("Mine", true, true, false)]
    );
}

#[tokio::test]
async fn single_lookups_and_searches_carry_the_same_flags() {
    let portal = Portal::with(SHARING, SimConfig::default()).await;
    for path in ["folder/14", "rooms/14"] {
        let answer = portal.get(path).await;
        assert_eq!(
            flags(&answer.json["response"]),
            (true, false, true),
            "{path}"
        );
        assert_eq!(answer.json["response"]["sharedForUser"], false);
    }
    let current = portal.get("20").await.json["response"]["current"].clone();
    assert_eq!(flags(&current), (false, false, false));
    let search = listed(&portal, "10?filterType=2&filterValue=e&withSubFolders=true").await;
    assert_eq!(
        search,
        [
            entry("Nested", false, false, true),
            entry("Deeper", false, false, true),
            entry("Internal only", true, false, true),
            entry("Expired", true, true, true),
            entry("Bare", false, false, true),
        ]
    );
}

#[tokio::test]
async fn flags_change_with_the_links_at_once() {
    let portal = Portal::with(SHARING, SimConfig::default()).await;
    let added = portal
        .put(
            "folder/21/links",
            json!({"access": 2, "title": "extra", "internal": true}),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK);
    assert_eq!(added.json["response"]["subjectType"], 1);
    // An additional link counts like a primary one.
    assert_eq!(
        flags(&portal.get("folder/21").await.json["response"]),
        (true, false, false)
    );
    let link_id = added.json["response"]["sharedLink"]["id"].clone();
    let revoked = portal
        .put("folder/21/links", json!({"linkId": link_id, "access": 0}))
        .await;
    assert_eq!(revoked.status, StatusCode::OK);
    assert_eq!(
        flags(&portal.get("folder/21").await.json["response"]),
        (false, false, false)
    );
}
