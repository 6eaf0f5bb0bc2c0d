//! Routes, envelopes, listings and authentication (docspace-api.md 1, 3, 5, 6).

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::Portal;

#[tokio::test]
async fn success_envelope_has_links_status_and_count() {
    let portal = Portal::start().await;
    let answer = portal.get("folder/101/links?x=1").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.headers["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("application/json")
    );
    let body = &answer.json;
    assert_eq!(body["count"], 1);
    assert_eq!(body["status"], 0);
    assert_eq!(body["statusCode"], 200);
    assert_eq!(
        body["links"],
        json!([{"href": portal.api("folder/101/links?x=1"), "action": "GET"}])
    );
}

#[tokio::test]
async fn link_entries_carry_every_field_the_sdks_require() {
    let portal = Portal::start().await;
    let entry = portal.primary(101).await.expect("seeded");
    assert_eq!(entry["access"], 10);
    assert_eq!(entry["subjectType"], 4);
    for flag in [
        "isLocked",
        "isOwner",
        "canEditAccess",
        "canEditInternal",
        "canEditDenyDownload",
        "canEditExpirationDate",
        "canRevoke",
    ] {
        assert!(entry[flag].is_boolean(), "{flag} in {entry}");
    }
    assert_eq!(entry["canEditAccess"], false);
    assert_eq!(entry["sharedLink"], entry["sharedTo"]);
    let link = &entry["sharedLink"];
    assert_eq!(link["title"], "Press kit");
    assert_eq!(link["linkType"], 1);
    assert_eq!(link["denyDownload"], true);
    assert_eq!(link["isExpired"], false);
    assert_eq!(link["internal"], false);
    assert!(link["requestToken"].is_string());
}

#[tokio::test]
async fn unknown_folders_get_the_error_envelope() {
    let portal = Portal::start().await;
    for path in [
        "folder/999/links",
        "folder/0/links",
        "folder/-4/links",
        "folder/abc/link",
        "folder/999",
    ] {
        let answer = portal.get(path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(answer.json["status"], 1);
        assert_eq!(answer.json["statusCode"], 404);
        let error = &answer.json["error"];
        assert!(
            error["message"].is_string() && error["type"].is_string() && error["stack"].is_string()
        );
        assert!(error["hresult"].is_i64());
    }
}

#[tokio::test]
async fn requests_without_a_valid_token_get_an_empty_401() {
    let portal = Portal::start().await;
    let url = portal.api("folder/101/links");
    let cases = [
        portal.client().get(&url),
        portal.client().get(&url).bearer_auth("sk-wrong"),
        portal.client().get(&url).header("Authorization", "sk-test"),
    ];
    for request in cases {
        let answer = Portal::answer(request).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        assert_eq!(answer.text, "");
    }
    let other = Portal::answer(portal.client().get(&url).bearer_auth("sk-other")).await;
    assert_eq!(other.status, StatusCode::OK);
}

#[tokio::test]
async fn folder_info_describes_the_folder_and_its_room() {
    let portal = Portal::start().await;
    let folder = portal.get("folder/101").await.json["response"].clone();
    assert_eq!(folder["id"], 101);
    assert_eq!(folder["title"], "Press kit");
    assert_eq!(folder["parentId"], 100);
    assert_eq!(folder["rootFolderType"], 14);
    assert_eq!(folder["parentRoomType"], 19);
    assert!(folder.get("roomType").is_none());
    let room = portal.get("folder/200").await.json["response"].clone();
    assert_eq!(room["roomType"], 6);
    let my = portal.get("folder/600").await.json["response"].clone();
    assert_eq!(my["rootFolderType"], 5);
    assert!(my.get("parentRoomType").is_none());
}

fn titles(answer: &Value) -> Vec<String> {
    answer["response"]["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .map(|f| f["title"].as_str().expect("title").to_owned())
        .collect()
}

#[tokio::test]
async fn rooms_listing_filters_by_substring_and_pages() {
    let portal = Portal::start().await;
    let all = portal.get("rooms").await;
    let content = &all.json["response"];
    assert_eq!(content["total"], 7);
    assert!(content["total"].is_u64());
    assert_eq!(content["files"], json!([]));
    assert!(content["current"]["id"].is_u64());
    assert_eq!(content["folders"][0]["roomType"], 5);
    let filtered = portal
        .get("rooms?filterValue=S&startIndex=0&count=100")
        .await;
    // Substring and case-insensitive.
    assert_eq!(
        titles(&filtered.json),
        [
            "Sales",
            "Website",
            "Forms",
            "Contracts",
            "Specs",
            "Assistant"
        ]
    );
    let page = portal.get("rooms?filterValue=s&startIndex=1&count=2").await;
    assert_eq!(titles(&page.json), ["Website", "Forms"]);
    assert_eq!(page.json["response"]["total"], 6);
    assert_eq!(page.json["response"]["startIndex"], 1);
    assert_eq!(page.json["response"]["count"], 2);
}

#[tokio::test]
async fn subfolder_search_is_recursive_unless_told_otherwise() {
    let portal = Portal::start().await;
    let flat = portal
        .get("100?filterType=2&filterValue=press%20kit&withSubfolders=false&startIndex=0&count=100")
        .await;
    assert_eq!(titles(&flat.json), ["Press kit"]);
    let deep = portal.get("100?filterType=2&filterValue=press%20kit").await;
    assert_eq!(titles(&deep.json), ["Press kit", "Old press kit"]);
    let drafts = portal.get("100?filterType=2&filterValue=Drafts").await;
    assert_eq!(titles(&drafts.json), ["Drafts", "Drafts"]);
    let unfiltered = portal.get("100").await;
    assert_eq!(titles(&unfiltered.json), ["Press kit", "Drafts"]);
    let parts: Vec<Value> = unfiltered.json["response"]["pathParts"]
        .as_array()
        .expect("path parts")
        .iter()
        .map(|p| p["title"].clone())
        .collect();
    assert_eq!(parts, [json!("Rooms"), json!("Marketing")]);
    assert_eq!(unfiltered.json["response"]["current"]["id"], 100);
}

#[tokio::test]
async fn my_documents_lists_its_folders() {
    let portal = Portal::start().await;
    let my = portal.get("@my").await;
    assert_eq!(my.status, StatusCode::OK);
    assert_eq!(titles(&my.json), ["Drafts"]);
    assert_eq!(my.json["response"]["current"]["rootFolderType"], 5);
    let by_id = portal
        .get(&format!("{}", my.json["response"]["current"]["id"]))
        .await;
    assert_eq!(titles(&by_id.json), ["Drafts"]);
}

#[tokio::test]
async fn room_routes_list_and_write_external_links() {
    let portal = Portal::start().await;
    let listed = portal.get("rooms/100/links?type=1").await;
    assert_eq!(listed.json["count"], 1);
    let added = portal
        .put(
            "rooms/100/links",
            json!({"access": 2, "linkType": 1, "title": "Guests"}),
        )
        .await;
    assert_eq!(added.status, StatusCode::OK);
    assert_eq!(added.json["response"]["sharedLink"]["primary"], false);
    assert_eq!(portal.get("rooms/100/links?type=1").await.json["count"], 2);
    let not_a_room = portal.get("rooms/101/links?type=1").await;
    assert_eq!(not_a_room.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn room_put_without_link_type_is_refused() {
    let portal = Portal::start().await;
    let answer = portal.put("rooms/100/links", json!({"access": 2})).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json["response"]["errors"]["LinkType"].is_array());
}

#[tokio::test]
async fn malformed_bodies_are_validation_problems() {
    let portal = Portal::start().await;
    let answer = Portal::answer(
        portal
            .client()
            .put(portal.api("folder/102/links"))
            .bearer_auth("sk-test")
            .header("content-type", "application/json")
            .body("{not json"),
    )
    .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json["status"], 1);
    assert_eq!(
        answer.json["response"]["title"],
        "One or more validation errors occurred."
    );
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let portal = Portal::start().await;
    let addr = portal.sim.addr();
    assert_eq!(portal.get("folder/101/links").await.status, StatusCode::OK);
    portal.sim.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn rooms_by_id_answers_the_folder_object_with_the_rooms_own_fields() {
    let portal = Portal::start().await;
    let by_room = portal.get("rooms/100").await;
    assert_eq!(by_room.status, StatusCode::OK);
    assert_eq!(by_room.json["count"], 1);
    let room = &by_room.json["response"];
    assert_eq!(room, &portal.get("folder/100").await.json["response"]);
    assert_eq!(room["id"], 100);
    assert_eq!(room["title"], "Marketing");
    assert_eq!(room["roomType"], 5);
    assert_eq!(room["tags"], json!([]));
    assert!(room["logo"]["original"].is_string() && room["logo"]["color"].is_string());
    assert_eq!(room["mute"], false);
    assert_eq!(room["inRoom"], true);
    assert!(room["usedSpace"].is_u64());
    // Any folder id will do, and a folder has none of the room's fields.
    let folder = portal.get("rooms/101").await.json["response"].clone();
    assert_eq!(folder, portal.get("folder/101").await.json["response"]);
    assert_eq!(folder["title"], "Press kit");
    for key in ["roomType", "tags", "logo", "inRoom", "usedSpace"] {
        assert!(folder.get(key).is_none(), "{key} in {folder}");
    }
    assert_eq!(folder["mute"], false);
}

#[tokio::test]
async fn an_unknown_room_or_folder_is_the_required_folder_not_found() {
    let portal = Portal::start().await;
    for path in ["rooms/999", "rooms/0", "rooms/abc", "folder/999"] {
        let answer = portal.get(path).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        let body = answer.json.as_object().expect("an error envelope");
        let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["error", "status", "statusCode"], "{path}");
        assert_eq!(
            answer.json["error"]["message"], "The required folder was not found",
            "{path}"
        );
    }
}

#[tokio::test]
async fn listings_take_a_count_of_1_to_100() {
    let portal = Portal::start().await;
    for listing in ["rooms", "100", "@my"] {
        let most = portal.get(&format!("{listing}?count=100")).await;
        assert_eq!(most.status, StatusCode::OK, "{listing}");
        for count in ["101", "0", "-1"] {
            let answer = portal.get(&format!("{listing}?count={count}")).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{listing} {count}");
            assert_eq!(answer.json["status"], 1);
            assert_eq!(
                answer.json["response"]["errors"]["count"],
                json!(["The field Count must be between 1 and 100."])
            );
        }
    }
}

#[tokio::test]
async fn with_sub_folders_is_matched_case_insensitively() {
    let portal = Portal::start().await;
    for key in ["withSubFolders", "withSubfolders", "WITHSUBFOLDERS"] {
        for value in ["false", "False"] {
            let flat = portal
                .get(&format!("100?filterType=2&filterValue=press&{key}={value}"))
                .await;
            assert_eq!(titles(&flat.json), ["Press kit"], "{key}={value}");
        }
        let deep = portal
            .get(&format!("100?filterType=2&filterValue=press&{key}=true"))
            .await;
        assert_eq!(titles(&deep.json), ["Press kit", "Old press kit"], "{key}");
    }
    let bad = portal
        .get("100?filterType=2&filterValue=press&withSubFolders=maybe")
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json["response"]["errors"]["withSubFolders"].is_array());
}
