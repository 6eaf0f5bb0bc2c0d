//! Each quirk of docspace-api.md 2, one test each.

use docspace_links::sim::{RevokedPrimary, SimConfig};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{PORTAL, Portal, days_ahead};

fn id_of(entry: &Value) -> String {
    entry["sharedLink"]["id"]
        .as_str()
        .expect("link id")
        .to_owned()
}

#[tokio::test]
async fn get_link_creates_a_primary_link_when_there_is_none() {
    let portal = Portal::start().await;
    assert!(portal.primary(102).await.is_none());
    let first = portal.get("folder/102/link").await;
    assert_eq!(first.status, StatusCode::OK);
    let link = &first.json["response"];
    assert_eq!(link["access"], 2);
    assert_eq!(link["sharedLink"]["title"], "Shared link");
    assert_eq!(link["sharedLink"]["primary"], true);
    assert!(link["sharedLink"].get("password").is_none());
    assert!(link["sharedLink"].get("expirationDate").is_none());
    let again = portal.get("folder/102/link").await;
    assert_eq!(id_of(&again.json["response"]), id_of(link));
    assert_eq!(portal.links(102).await.len(), 1);
}

#[tokio::test]
async fn get_room_link_creates_the_room_primary_link() {
    let portal = Portal::start().await;
    assert!(portal.links(150).await.is_empty());
    let created = portal.get("rooms/150/link").await;
    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(created.json["response"]["subjectType"], 4);
    assert_eq!(portal.links(150).await.len(), 1);
}

#[tokio::test]
async fn post_ignores_its_body_when_a_primary_link_exists() {
    let portal = Portal::start().await;
    let before = portal.primary(101).await.expect("seeded link");
    let answer = portal
        .post(
            "folder/101/link",
            json!({"access": 2, "title": "Other", "denyDownload": false}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json["response"], before);
    assert_eq!(portal.primary(101).await.expect("still there"), before);
}

#[tokio::test]
async fn post_creates_from_its_body_when_there_is_no_primary_link() {
    let portal = Portal::start().await;
    let answer = portal
        .post(
            "folder/102/link",
            json!({"access": 6, "title": "Reviewers", "denyDownload": true}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let link = &answer.json["response"];
    assert_eq!(link["access"], 6);
    assert_eq!(link["sharedLink"]["title"], "Reviewers");
    assert_eq!(link["sharedLink"]["denyDownload"], true);
    assert_eq!(link["sharedLink"]["primary"], true);
}

#[tokio::test]
async fn post_without_access_creates_nothing() {
    let portal = Portal::start().await;
    let answer = portal
        .post("folder/102/link", json!({"title": "No access"}))
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.json.get("response").is_none());
    assert_eq!(answer.json["count"], 0);
    assert!(portal.links(102).await.is_empty());
}

#[tokio::test]
async fn put_is_a_full_replacement_resetting_omitted_fields() {
    let portal = Portal::start().await;
    let link = portal.primary(101).await.expect("seeded");
    assert_eq!(link["sharedLink"]["password"], "s3cret-pass");
    let answer = portal
        .put(
            "folder/101/links",
            json!({"linkId": id_of(&link), "access": 2}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let shared = &answer.json["response"]["sharedLink"];
    assert_eq!(shared["title"], "Shared link");
    assert!(shared.get("password").is_none());
    assert!(shared.get("expirationDate").is_none());
    assert_eq!(shared["denyDownload"], false);
    assert_eq!(shared["internal"], false);
    assert_eq!(answer.json["response"]["access"], 2);
    let state = portal.folder_state(101).await;
    assert_eq!(state["links"][0]["password"], Value::Null);
}

#[tokio::test]
async fn put_with_an_unknown_link_id_creates_a_link_with_that_id() {
    let portal = Portal::start().await;
    let id = "0b9a7e0c-3d7c-4f55-9f0e-5c8f3a1e2d4b";
    let answer = portal
        .put(
            "folder/102/links",
            json!({"linkId": id, "access": 2, "primary": true}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json["response"]["sharedLink"]["id"], id);
    assert_eq!(id_of(&portal.primary(102).await.expect("created")), id);
}

#[tokio::test]
async fn put_with_an_empty_link_id_creates_another_link() {
    let portal = Portal::start().await;
    let existing = id_of(&portal.primary(101).await.expect("seeded"));
    let answer = portal
        .put(
            "folder/101/links",
            json!({"linkId": "", "access": 2, "primary": true}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_ne!(id_of(&answer.json["response"]), existing);
    let links = portal.links(101).await;
    assert_eq!(
        links
            .iter()
            .filter(|l| l["sharedLink"]["primary"] == true)
            .count(),
        2
    );
    let additional = portal.put("folder/101/links", json!({"access": 2})).await;
    assert_eq!(additional.json["response"]["sharedLink"]["primary"], false);
    assert_eq!(additional.json["response"]["subjectType"], 1);
}

#[tokio::test]
async fn access_may_be_sent_as_a_member_name() {
    let portal = Portal::start().await;
    let link = portal.primary(101).await.expect("seeded");
    let answer = portal
        .put(
            "folder/101/links",
            json!({"linkId": id_of(&link), "access": "Comment"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json["response"]["access"], 6);
}

#[tokio::test]
async fn an_unparseable_access_string_revokes_the_link() {
    let portal = Portal::start().await;
    let link = portal.primary(101).await.expect("seeded");
    let answer = portal
        .put(
            "folder/101/links",
            json!({"linkId": id_of(&link), "access": "Raed"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(portal.links(101).await.is_empty());
}

#[tokio::test]
async fn revoke_answers_without_response_and_count_zero() {
    let portal = Portal::start().await;
    let link = portal.primary(101).await.expect("seeded");
    let answer = portal
        .put(
            "folder/101/links",
            json!({"linkId": id_of(&link), "access": 0}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.json.get("response").is_none(), "{}", answer.text);
    assert_eq!(answer.json["count"], 0);
    assert_eq!(answer.json["status"], 0);
    assert_eq!(answer.json["statusCode"], 200);
}

#[tokio::test]
async fn revoking_a_public_room_primary_link_regenerates_it() {
    let portal = Portal::start().await;
    let old = portal.primary(200).await.expect("seeded");
    let answer = portal
        .put(
            "folder/200/links",
            json!({"linkId": id_of(&old), "access": 0}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let fresh = &answer.json["response"];
    assert_ne!(id_of(fresh), id_of(&old));
    assert_eq!(fresh["sharedLink"]["primary"], true);
    assert_eq!(fresh["sharedLink"]["title"], "Shared link");
    assert_ne!(
        fresh["sharedLink"]["shareLink"],
        old["sharedLink"]["shareLink"]
    );
    assert_eq!(
        id_of(&portal.primary(200).await.expect("regenerated")),
        id_of(fresh)
    );
}

#[tokio::test]
async fn revoking_a_form_filling_room_primary_link_regenerates_it() {
    let portal = Portal::start().await;
    let old = portal.primary(300).await.expect("seeded");
    let answer = portal
        .put(
            "folder/300/links",
            json!({"linkId": id_of(&old), "access": 0}),
        )
        .await;
    assert_eq!(answer.json["response"]["access"], 7);
    assert_ne!(id_of(&answer.json["response"]), id_of(&old));
}

#[tokio::test]
async fn a_revoked_primary_link_is_recreated_by_get_link_in_3_7_2() {
    let portal = Portal::start().await;
    let old = portal.primary(101).await.expect("seeded");
    portal
        .put(
            "folder/101/links",
            json!({"linkId": id_of(&old), "access": 0}),
        )
        .await;
    let answer = portal.get("folder/101/link").await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_ne!(id_of(&answer.json["response"]), id_of(&old));
}

#[tokio::test]
async fn a_revoked_primary_link_is_404_on_newer_servers() {
    let config = SimConfig {
        revoked_primary: RevokedPrimary::NotFound,
        ..SimConfig::default()
    };
    let portal = Portal::with(PORTAL, config).await;
    let old = portal.primary(101).await.expect("seeded");
    portal
        .put(
            "folder/101/links",
            json!({"linkId": id_of(&old), "access": 0}),
        )
        .await;
    let answer = portal.get("folder/101/link").await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json["status"], 1);
    // A folder that never had a link still gets one.
    assert_eq!(portal.get("folder/102/link").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_past_expiry_is_silently_dropped() {
    let portal = Portal::start().await;
    let answer = portal
        .put(
            "folder/102/links",
            json!({"access": 2, "primary": true, "expirationDate": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.json["response"]["sharedLink"]
            .get("expirationDate")
            .is_none()
    );
}

#[tokio::test]
async fn an_expiry_more_than_ten_years_ahead_is_400() {
    let portal = Portal::start().await;
    let answer = portal
        .put(
            "folder/102/links",
            json!({"access": 2, "primary": true, "expirationDate": days_ahead(3700)}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.json["status"], 1);
    assert_eq!(answer.json["statusCode"], 400);
    assert_eq!(answer.json["response"]["status"], 400);
    assert!(answer.json["response"]["errors"]["ExpirationDate"].is_array());
    assert!(portal.links(102).await.is_empty());
}

#[tokio::test]
async fn an_unparseable_expiry_means_no_expiry() {
    let portal = Portal::start().await;
    let answer = portal
        .put(
            "folder/102/links",
            json!({"access": 2, "primary": true, "expirationDate": "end of June"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.json["response"]["sharedLink"]
            .get("expirationDate")
            .is_none()
    );
}

#[tokio::test]
async fn a_weak_password_is_400() {
    let portal = Portal::start().await;
    let answer = portal
        .put(
            "folder/102/links",
            json!({"access": 2, "primary": true, "password": "short"}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json["response"]["errors"]["Password"].is_array());
    assert!(portal.links(102).await.is_empty());
}

#[tokio::test]
async fn a_title_longer_than_255_is_400() {
    let portal = Portal::start().await;
    let answer = portal
        .put(
            "folder/102/links",
            json!({"access": 2, "primary": true, "title": "t".repeat(256)}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert!(answer.json["response"]["errors"]["Title"].is_array());
    let ok = portal
        .put(
            "folder/102/links",
            json!({"access": 2, "primary": true, "title": "t".repeat(255)}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn access_levels_are_checked_against_the_room_type() {
    let portal = Portal::start().await;
    let role = "The role is not available for this user type";
    // Fill-forms is not a level for a custom room's folders...
    let custom = portal
        .put("folder/102/links", json!({"access": 7, "primary": true}))
        .await;
    assert_eq!(custom.status, StatusCode::FORBIDDEN);
    assert_eq!(custom.json["error"]["message"], role);
    // ...but is for My Documents; form-filling subfolders take nothing else.
    let my = portal
        .put("folder/600/links", json!({"access": 7, "primary": true}))
        .await;
    assert_eq!(my.status, StatusCode::OK);
    let forms = portal
        .put("folder/301/links", json!({"access": 2, "primary": true}))
        .await;
    assert_eq!(forms.status, StatusCode::FORBIDDEN);
    // Read-write is never a link level.
    let rw = portal.put("folder/600/links", json!({"access": 1})).await;
    assert_eq!(rw.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn editing_virtual_data_and_ai_rooms_have_no_external_links() {
    let portal = Portal::start().await;
    for room in [400, 500, 550] {
        let get = portal.get(&format!("rooms/{room}/link")).await;
        assert_eq!(get.status, StatusCode::FORBIDDEN, "room {room}");
        let put = portal
            .put(
                &format!("folder/{room}/links"),
                json!({"access": 2, "primary": true}),
            )
            .await;
        assert_eq!(put.status, StatusCode::FORBIDDEN, "room {room}");
        assert!(portal.links(room).await.is_empty());
    }
    // Their folders may have links.
    assert_eq!(portal.get("folder/501/link").await.status, StatusCode::OK);
}

#[tokio::test]
async fn room_link_limits_are_enforced() {
    let portal = Portal::start().await;
    for _ in 0..5 {
        let added = portal
            .put("rooms/100/links", json!({"access": 2, "linkType": 1}))
            .await;
        assert_eq!(added.status, StatusCode::OK);
    }
    let sixth = portal
        .put("rooms/100/links", json!({"access": 2, "linkType": 1}))
        .await;
    assert_eq!(sixth.status, StatusCode::FORBIDDEN);
    assert_eq!(
        sixth.json["error"]["message"],
        "The maximum number of links may not exceed 5"
    );
    let second_primary = portal
        .put("folder/100/links", json!({"access": 2, "primary": true}))
        .await;
    assert_eq!(
        second_primary.json["error"]["message"],
        "The maximum number of links may not exceed 1"
    );
    let forms = portal
        .put("rooms/300/links", json!({"access": 7, "linkType": 1}))
        .await;
    assert_eq!(
        forms.json["error"]["message"],
        "The maximum number of links may not exceed 0"
    );
}

#[tokio::test]
async fn folder_link_limits_are_six_and_six() {
    let portal = Portal::start().await;
    for _ in 0..6 {
        assert_eq!(
            portal
                .put("folder/102/links", json!({"access": 2, "primary": true}))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            portal
                .put("folder/102/links", json!({"access": 2}))
                .await
                .status,
            StatusCode::OK
        );
    }
    let over = portal
        .put("folder/102/links", json!({"access": 2, "primary": true}))
        .await;
    assert_eq!(over.status, StatusCode::FORBIDDEN);
    assert_eq!(
        over.json["error"]["message"],
        "The maximum number of links may not exceed 6"
    );
    let listed = portal.links(102).await;
    assert_eq!(listed.len(), 12);
}

#[tokio::test]
async fn internal_is_forced_in_virtual_data_and_public_rooms() {
    let portal = Portal::start().await;
    let vdr = portal
        .put(
            "folder/401/links",
            json!({"access": 2, "primary": true, "internal": false}),
        )
        .await;
    assert_eq!(vdr.json["response"]["sharedLink"]["internal"], true);
    assert_eq!(vdr.json["response"]["canEditInternal"], false);
    let public = portal
        .put(
            "folder/201/links",
            json!({"access": 2, "primary": true, "internal": true}),
        )
        .await;
    assert_eq!(public.json["response"]["sharedLink"]["internal"], false);
    let custom = portal
        .put(
            "folder/102/links",
            json!({"access": 2, "primary": true, "internal": true}),
        )
        .await;
    assert_eq!(custom.json["response"]["sharedLink"]["internal"], true);
}

#[tokio::test]
async fn expiry_is_kept_on_folders_in_public_and_virtual_data_rooms() {
    let portal = Portal::start().await;
    for (folder, internal) in [(201, false), (401, true)] {
        let created = portal
            .put(
                &format!("folder/{folder}/links"),
                json!({"access": 2, "primary": true, "internal": internal}),
            )
            .await;
        let id = id_of(&created.json["response"]);
        let answer = portal
            .put(
                &format!("folder/{folder}/links"),
                json!({"linkId": id, "access": 5, "internal": internal, "expirationDate": days_ahead(30)}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::OK);
        let link = &answer.json["response"];
        assert_eq!(link["access"], 5, "folder {folder}");
        assert!(
            link["sharedLink"]["expirationDate"].is_string(),
            "folder {folder}: {link}"
        );
        assert!(
            portal.folder_state(folder).await["links"][0]["expires"].is_string(),
            "folder {folder}"
        );
    }
}

#[tokio::test]
async fn internal_is_editable_on_folders_in_form_filling_rooms() {
    let portal = Portal::start().await;
    let created = portal
        .put("folder/301/links", json!({"access": 7, "primary": true}))
        .await;
    let id = id_of(&created.json["response"]);
    assert_eq!(created.json["response"]["canEditInternal"], true);
    let answer = portal
        .put(
            "folder/301/links",
            json!({"linkId": id, "access": 7, "internal": true}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.json["response"]["sharedLink"]["internal"], true);
    assert_eq!(portal.folder_state(301).await["links"][0]["internal"], true);
}

#[tokio::test]
async fn a_public_room_primary_link_gets_no_expiry() {
    let portal = Portal::start().await;
    let link = portal.primary(200).await.expect("seeded");
    let answer = portal
        .put(
            "rooms/200/links",
            json!({"linkId": id_of(&link), "access": 2, "linkType": 1, "expirationDate": days_ahead(10)}),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(
        answer.json["response"]["sharedLink"]
            .get("expirationDate")
            .is_none()
    );
}

#[tokio::test]
async fn expiry_is_written_back_in_the_portal_offset_with_seven_digits() {
    let portal = Portal::start().await;
    let expires = days_ahead(40);
    let answer = portal
        .put(
            "folder/102/links",
            json!({"access": 2, "primary": true, "expirationDate": expires}),
        )
        .await;
    let written = answer.json["response"]["sharedLink"]["expirationDate"]
        .as_str()
        .expect("expiry")
        .to_owned();
    assert!(written.ends_with("T01:00:00.0000000+01:00"), "{written}");
    let same: jiff::Timestamp = written.parse().expect("ISO 8601");
    assert_eq!(same, expires.parse::<jiff::Timestamp>().expect("sent"));
    assert_eq!(
        portal.folder_state(102).await["links"][0]["expires"],
        expires
    );
}

#[tokio::test]
async fn expiry_uses_z_only_in_a_utc_portal() {
    let config = SimConfig {
        portal_offset: jiff::tz::Offset::UTC,
        ..SimConfig::default()
    };
    let portal = Portal::with(PORTAL, config).await;
    let answer = portal
        .put(
            "folder/102/links",
            json!({"access": 2, "primary": true, "expirationDate": days_ahead(40)}),
        )
        .await;
    let written = answer.json["response"]["sharedLink"]["expirationDate"]
        .as_str()
        .expect("expiry");
    assert!(written.ends_with("T00:00:00.0000000Z"), "{written}");
}

#[tokio::test]
async fn an_expired_link_stays_listed_as_expired() {
    let seed = r#"
rooms:
  - title: Old
    type: custom
    id: 10
    folders:
      - title: Gone
        id: 11
        link: { access: read, expires: 2021-01-01 }
      - title: Live
        id: 12
        link: { access: read, expires: 2099-01-01 }
"#;
    let portal = Portal::with(seed, SimConfig::default()).await;
    let gone = portal.primary(11).await.expect("listed");
    assert_eq!(gone["sharedLink"]["isExpired"], true);
    assert_eq!(
        gone["sharedLink"]["expirationDate"],
        "2021-01-01T01:00:00.0000000+01:00"
    );
    assert_eq!(
        portal.primary(12).await.expect("listed")["sharedLink"]["isExpired"],
        false
    );
}

#[tokio::test]
async fn share_link_is_stable_for_a_link() {
    let portal = Portal::start().await;
    let link = portal.primary(101).await.expect("seeded");
    let url = link["sharedLink"]["shareLink"]
        .as_str()
        .expect("url")
        .to_owned();
    let prefix = format!("{}/s/", portal.sim.base_url());
    assert!(url.starts_with(&prefix), "{url}");
    let updated = portal
        .put(
            "folder/101/links",
            json!({"linkId": id_of(&link), "access": 5, "title": "New"}),
        )
        .await;
    assert_eq!(
        updated.json["response"]["sharedLink"]["shareLink"],
        url.as_str()
    );
    assert_eq!(
        portal.primary(101).await.expect("still")["sharedLink"]["shareLink"],
        url.as_str()
    );
    let other = portal.get("folder/102/link").await;
    assert_ne!(
        other.json["response"]["sharedLink"]["shareLink"],
        url.as_str()
    );
}

#[tokio::test]
async fn link_ids_are_uuids() {
    let portal = Portal::start().await;
    let created = portal.get("folder/102/link").await;
    for id in [
        id_of(&created.json["response"]),
        id_of(&portal.primary(101).await.expect("seeded")),
    ] {
        assert!(uuid::Uuid::try_parse(&id).is_ok(), "{id}");
        assert_eq!(id.len(), 36);
    }
}

#[tokio::test]
async fn primary_cannot_change_on_an_existing_link() {
    let portal = Portal::start().await;
    let link = portal.primary(101).await.expect("seeded");
    let answer = portal
        .put(
            "folder/101/links",
            json!({"linkId": id_of(&link), "access": 2, "primary": false}),
        )
        .await;
    assert_eq!(answer.json["response"]["sharedLink"]["primary"], true);
    assert_eq!(answer.json["response"]["subjectType"], 4);
}

#[tokio::test]
async fn passwords_are_echoed_in_clear_in_3_7_2() {
    let portal = Portal::start().await;
    let link = portal.primary(101).await.expect("seeded");
    assert!(link["sharedLink"].get("passwordProtected").is_none());
    assert_eq!(link["sharedLink"]["password"], "s3cret-pass");
    assert_eq!(link["sharedTo"]["password"], "s3cret-pass");
}

#[tokio::test]
async fn hidden_passwords_leave_no_trace_on_the_link() {
    let config = SimConfig {
        echo_passwords: false,
        ..SimConfig::default()
    };
    let portal = Portal::with(PORTAL, config).await;
    let listed = portal.primary(101).await.expect("seeded");
    let fetched = portal.get("folder/101/link").await.json["response"].clone();
    let written = portal
        .put(
            "folder/101/links",
            json!({"linkId": id_of(&listed), "access": 10, "title": "Press kit", "password": "s3cret-pass", "denyDownload": true}),
        )
        .await
        .json["response"]
        .clone();
    for entry in [&listed, &fetched, &written] {
        for side in ["sharedLink", "sharedTo"] {
            let link = entry[side].as_object().expect("a link object");
            // Nothing tells it from a link without a password.
            assert!(!link.contains_key("password"), "{entry}");
            assert!(!link.contains_key("passwordProtected"), "{entry}");
        }
    }
    assert_eq!(
        portal.folder_state(101).await["links"][0]["password"],
        "s3cret-pass"
    );
}

#[tokio::test]
async fn listing_puts_primary_links_first() {
    let portal = Portal::start().await;
    portal
        .put("folder/102/links", json!({"access": 2, "title": "extra"}))
        .await;
    portal
        .put("folder/102/links", json!({"access": 2, "primary": true}))
        .await;
    let kinds: Vec<Value> = portal
        .links(102)
        .await
        .iter()
        .map(|l| l["subjectType"].clone())
        .collect();
    assert_eq!(kinds, vec![json!(4), json!(1)]);
}

#[tokio::test]
async fn put_on_folder_link_is_405() {
    let portal = Portal::start().await;
    let answer = portal
        .call(Method::PUT, "folder/101/link", Some(json!({"access": 2})))
        .await;
    assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED);
}
