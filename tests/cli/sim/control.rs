//! The `/__sim/` control endpoints (design.md 3).

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::Portal;

#[tokio::test]
async fn requests_lists_answered_api_requests_in_order() {
    let portal = Portal::start().await;
    portal.get("folder/101/links?startIndex=0").await;
    portal
        .put("folder/102/links", json!({"access": 2, "primary": true}))
        .await;
    portal.get("folder/999/links").await;
    Portal::answer(portal.client().get(portal.api("rooms"))).await;
    portal.control(Method::GET, "state", None).await;
    let log = portal.control(Method::GET, "requests", None).await;
    assert_eq!(
        log,
        json!([
            {"method": "GET", "path": "/api/2.0/files/folder/101/links", "status": 200},
            {"method": "PUT", "path": "/api/2.0/files/folder/102/links", "status": 200},
            {"method": "GET", "path": "/api/2.0/files/folder/999/links", "status": 404},
            {"method": "GET", "path": "/api/2.0/files/rooms", "status": 401},
        ])
    );
}

#[tokio::test]
async fn control_endpoints_need_no_token() {
    let portal = Portal::start().await;
    let answer = Portal::answer(
        portal
            .client()
            .get(format!("{}/__sim/requests", portal.sim.base_url())),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json, json!([]));
}

#[tokio::test]
async fn state_speaks_manifest_vocabulary_sorted_by_id() {
    let portal = Portal::start().await;
    let expires = super::days_ahead(20);
    portal
        .put(
            "folder/600/links",
            json!({"access": "FillForms", "primary": true, "expirationDate": expires, "internal": true}),
        )
        .await;
    let state = portal.control(Method::GET, "state", None).await;
    let folders = state["folders"].as_array().expect("folders");
    let ids: Vec<u64> = folders
        .iter()
        .map(|f| f["id"].as_u64().expect("id"))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    let path = |id: u64| folders.iter().find(|f| f["id"] == id).expect("folder")["path"].clone();
    assert_eq!(path(100), "Marketing");
    assert_eq!(path(101), "Marketing/Press kit");
    assert_eq!(path(103), "Marketing/Drafts/Old press kit");
    assert_eq!(path(600), "@my/Drafts");
    let press_kit = &folders.iter().find(|f| f["id"] == 101).expect("101")["links"][0];
    assert_eq!(press_kit["access"], "editing");
    assert_eq!(press_kit["title"], "Press kit");
    assert_eq!(press_kit["password"], "s3cret-pass");
    assert_eq!(press_kit["expires"], Value::Null);
    assert_eq!(press_kit["deny_download"], true);
    assert_eq!(press_kit["primary"], true);
    let drafts = &folders.iter().find(|f| f["id"] == 600).expect("600")["links"][0];
    assert_eq!(drafts["access"], "fill-forms");
    assert_eq!(drafts["expires"], expires.as_str());
    assert_eq!(drafts["internal"], true);
    assert_eq!(drafts["password"], Value::Null);
    assert!(uuid::Uuid::try_parse(drafts["id"].as_str().expect("id")).is_ok());
    let keys: Vec<&String> = drafts.as_object().expect("object").keys().collect();
    assert_eq!(
        keys,
        [
            "access",
            "deny_download",
            "expires",
            "id",
            "internal",
            "password",
            "primary",
            "title"
        ]
    );
}

#[tokio::test]
async fn faults_endpoint_replaces_the_settings() {
    let portal = Portal::start().await;
    let set = portal
        .control(
            Method::POST,
            "faults",
            Some(json!({"error_rate": 1.0, "error_status": 500})),
        )
        .await;
    assert_eq!(set["error_rate"], 1.0);
    assert_eq!(
        portal.get("folder/101/links").await.status,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    portal
        .control(Method::POST, "faults", Some(json!({})))
        .await;
    assert_eq!(portal.get("folder/101/links").await.status, StatusCode::OK);
    let bad = Portal::answer(
        portal
            .client()
            .post(format!("{}/__sim/faults", portal.sim.base_url()))
            .json(&json!({"latency": 5})),
    )
    .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
