//! Seed files: parsing, locations in errors, id assignment, generated portals.

use std::path::Path;

use docspace_links::sim::{GeneratedPortal, RoomType, Seed, SeedAccess, SeedToken, SimConfig};
use reqwest::Method;

use super::Portal;

fn error(yaml: &str) -> String {
    Seed::from_yaml_str(yaml, "portal.yaml")
        .expect_err("invalid seed")
        .to_string()
}

#[test]
fn unknown_keys_are_reported_with_file_line_and_column() {
    let message = error("rooms:\n  - title: A\n    type: custom\n    colour: red\n");
    assert!(message.starts_with("portal.yaml:4:5: "), "{message}");
    assert!(message.contains("colour"), "{message}");
}

#[test]
fn wrong_types_and_yaml_1_1_booleans_are_rejected_with_locations() {
    let message = error("rooms:\n  - title: A\n    type: cabin\n");
    assert!(message.starts_with("portal.yaml:3:11: "), "{message}");
    let message = error(
        "rooms:\n  - title: A\n    type: custom\n    link: { access: read, internal: yes }\n",
    );
    assert!(message.starts_with("portal.yaml:4:"), "{message}");
}

#[test]
fn duplicate_ids_point_at_the_second_use() {
    let message = error(
        "rooms:\n  - { title: A, type: custom, id: 7 }\n  - { title: B, type: custom, id: 7 }\n",
    );
    assert!(message.starts_with("portal.yaml:3:"), "{message}");
    assert!(message.contains("line 2"), "{message}");
}

#[test]
fn a_link_level_the_room_forbids_is_rejected() {
    let message = error(
        "rooms:\n  - title: A\n    type: custom\n    folders:\n      - title: B\n        link: { access: fill-forms }\n",
    );
    assert!(message.starts_with("portal.yaml:6:"), "{message}");
    let message =
        error("rooms:\n  - title: Data\n    type: virtual-data\n    link: { access: read }\n");
    assert!(message.contains("cannot have external links"), "{message}");
}

#[test]
fn an_unreadable_expiry_is_rejected() {
    let message =
        error("my_documents:\n  folders:\n    - title: A\n      link: { expires: soon }\n");
    assert!(message.starts_with("portal.yaml:4:"), "{message}");
}

#[test]
fn defaults_fill_tokens_and_access() {
    let seed = Seed::from_yaml_str(
        "my_documents:\n  folders:\n    - title: A\n      link: {}\n",
        "x",
    )
    .expect("valid");
    assert_eq!(seed.tokens, [SeedToken::full("sk-test")]);
    assert_eq!(
        seed.my_documents[0].link.as_ref().expect("link").access,
        SeedAccess::Read
    );
}

#[test]
fn tokens_are_plain_keys_or_keys_with_scopes() {
    let seed = Seed::from_yaml_str(
        "tokens: [sk-test, {key: sk-ro, scopes: [files:read, \"*:read\"]}]\n",
        "x",
    )
    .expect("valid");
    assert_eq!(
        seed.tokens,
        [
            SeedToken::full("sk-test"),
            SeedToken {
                key: "sk-ro".into(),
                scopes: vec!["files:read".into(), "*:read".into()],
                ..SeedToken::full("sk-ro")
            }
        ]
    );
}

#[test]
fn a_malformed_scope_is_rejected_at_its_token() {
    let message = error("tokens:\n  - sk-test\n  - { key: sk-ro, scopes: [files:admin] }\n");
    assert!(message.starts_with("portal.yaml:3:"), "{message}");
    assert!(message.contains("files:admin"), "{message}");
    let message = error("tokens:\n  - { key: sk-ro, scope: [files:read] }\n");
    assert!(message.starts_with("portal.yaml:2:"), "{message}");
}

#[test]
fn a_missing_file_names_the_path() {
    let message = Seed::from_yaml_file(Path::new("/nonexistent/portal.yaml"))
        .expect_err("missing")
        .to_string();
    assert!(
        message.starts_with("cannot read the seed /nonexistent/portal.yaml: "),
        "{message}"
    );
}

#[test]
fn the_example_portal_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/portal.yaml");
    let seed = Seed::from_yaml_file(&path).expect("examples/portal.yaml parses");
    let types: Vec<RoomType> = seed.rooms.iter().map(|r| r.room_type).collect();
    assert!(types.contains(&RoomType::Public) && types.contains(&RoomType::FillingForms));
}

#[tokio::test]
async fn assigned_ids_never_collide_with_explicit_ones() {
    let yaml = "rooms:\n  - { title: A, type: custom }\n  - { title: B, type: custom, id: 3 }\n  - { title: C, type: custom, id: 4 }\n  - { title: D, type: custom }\n";
    let portal = Portal::with(yaml, SimConfig::default()).await;
    let state = portal.control(Method::GET, "state", None).await;
    let mut ids: Vec<u64> = state["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .map(|f| f["id"].as_u64().expect("id"))
        .collect();
    let count = ids.len();
    ids.dedup();
    assert_eq!((count, ids.len()), (4, 4));
    assert!(ids.contains(&3) && ids.contains(&4));
}

#[tokio::test]
async fn generated_portals_have_numbered_rooms_and_folders() {
    let seed = Seed::generated(GeneratedPortal {
        rooms: 2,
        folders_per_room: 10,
        link_every: 5,
    });
    let portal = Portal::from_seed(seed, SimConfig::default()).await;
    let state = portal.control(Method::GET, "state", None).await;
    let folders = state["folders"].as_array().expect("folders");
    assert_eq!(folders.len(), 22);
    let linked: Vec<&str> = folders
        .iter()
        .filter(|f| !f["links"].as_array().expect("links").is_empty())
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert_eq!(
        linked,
        [
            "Room 01/Folder 0005",
            "Room 01/Folder 0010",
            "Room 02/Folder 0005",
            "Room 02/Folder 0010"
        ]
    );
}

#[tokio::test]
async fn seeded_links_get_the_values_the_server_forces() {
    let yaml = r#"
rooms:
  - title: Site
    type: public
    id: 1
    link: { access: read, expires: 2099-01-01, internal: true }
  - title: Data
    type: virtual-data
    id: 2
    folders:
      - { title: Signed, id: 3, link: { access: read, internal: false, expires: 2099-01-01 } }
  - title: Forms
    type: filling-forms
    id: 4
    link: { access: fill-forms }
    folders:
      - { title: Intake, id: 5, link: { access: fill-forms, internal: true } }
"#;
    let portal = Portal::with(yaml, SimConfig::default()).await;
    // `internal` may be set in form-filling rooms, an expiry on folders in virtual
    // data rooms (docspace-api.md, third reading 1).
    let intake = &portal.folder_state(5).await["links"][0];
    assert_eq!(intake["internal"], true);
    assert_eq!(
        portal.folder_state(3).await["links"][0]["expires"],
        "2099-01-01T00:00:00Z"
    );
    let site = &portal.folder_state(1).await["links"][0];
    assert_eq!(
        (site["expires"].clone(), site["internal"].clone()),
        (serde_json::Value::Null, false.into())
    );
    assert_eq!(portal.folder_state(3).await["links"][0]["internal"], true);
}

#[test]
fn a_seed_past_the_parsers_default_budget_parses() {
    // About 14,000 folders with links already broke the default 250,000 nodes.
    let g = docspace_links::sim::harness::Generated {
        rooms: 20,
        per_room: 1_000,
    };
    let text = g.seed(|r, f| Some(format!("{{ access: read, password: keep-{r}-{f}-pass }}")));
    let seed = Seed::from_yaml_str(&text, "big.yaml").expect("parses");
    assert_eq!(seed.rooms.len(), 20);
    assert_eq!(seed.rooms[19].folders.len(), 1_000);
}
