//! The hostile answer shapes client tests can switch on: link entries without
//! `title`, and 200 answers whose envelope says `"status": 1`.

use docspace_links::sim::{Faults, SimConfig};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{PORTAL, Portal};

#[tokio::test]
async fn omit_link_titles_strips_title_from_every_link_entry() {
    let portal = Portal::start().await;
    let set = portal
        .control(
            Method::POST,
            "faults",
            Some(json!({"omit_link_titles": true})),
        )
        .await;
    assert_eq!(set["omit_link_titles"], true);
    let listed = portal.links(101).await;
    let created = portal.get("folder/102/link").await.json["response"].clone();
    let written = portal
        .put(
            "folder/102/links",
            json!({"linkId": created["sharedLink"]["id"], "access": 2, "title": "Kept"}),
        )
        .await
        .json["response"]
        .clone();
    for entry in listed.iter().chain([&created, &written]) {
        for side in ["sharedLink", "sharedTo"] {
            let link = entry[side].as_object().expect("a link object");
            assert!(!link.contains_key("title"), "{entry}");
            assert!(
                link.contains_key("shareLink"),
                "only the title goes: {entry}"
            );
        }
    }
    // The portal still has the titles; only its answers lack them.
    assert_eq!(portal.folder_state(102).await["links"][0]["title"], "Kept");
    portal
        .control(Method::POST, "faults", Some(json!({})))
        .await;
    assert_eq!(
        portal.links(101).await[0]["sharedLink"]["title"],
        "Press kit"
    );
}

#[tokio::test]
async fn envelope_status_one_flags_every_200_as_an_error() {
    let config = SimConfig {
        faults: Faults {
            envelope_status_one: true,
            ..Faults::default()
        },
        ..SimConfig::default()
    };
    let portal = Portal::with(PORTAL, config).await;
    for path in [
        "folder/101/links",
        "folder/101",
        "rooms/100",
        "rooms",
        "100",
    ] {
        let answer = portal.get(path).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(answer.json["status"], 1, "{path}");
        assert_eq!(answer.json["statusCode"], 200, "{path}");
        assert!(answer.json["response"].is_object() || answer.json["response"].is_array());
    }
    // Real errors keep their own shape.
    let missing = portal.get("folder/999").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(missing.json["statusCode"], 404);
    let faults = portal.control(Method::GET, "faults", None).await;
    assert_eq!(faults["envelope_status_one"], true);
}
