//! docspace-api.md "Changed in the third reading", one test per item, over raw HTTP.

use docspace_links::sim::SimConfig;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Portal, days_ahead};

const SEED: &str = r#"
tokens:
  - sk-test
  - {key: sk-bob, user: bob}
  - {key: sk-bob2, user: bob}
  - {key: sk-viewer, user: vera, role: viewer}
rooms:
  - title: Marketing
    type: custom
    id: 100
    link: { access: read }
    folders:
      - title: Press kit
        id: 101
        link: { access: editing, password: s3cret-pass }
        extra_links:
          - { title: Agency, access: review }
      - { title: Bobs, id: 102, created_by: bob, link: { access: read } }
      - { title: Empty, id: 103 }
  - title: Website
    type: public
    id: 200
    link: { access: read }
    folders:
      - { title: Assets, id: 201, link: { access: read } }
      - { title: Bare, id: 202 }
  - title: Forms
    type: filling-forms
    id: 300
    link: { access: fill-forms }
    folders:
      - { title: Intake, id: 301, link: { access: fill-forms } }
  - title: Data
    type: virtual-data
    id: 400
    folders:
      - { title: Signed, id: 401, link: { access: read } }
my_documents:
  folders:
    - { title: Drafts, id: 600 }
"#;

async fn portal() -> Portal {
    Portal::with(SEED, SimConfig::default()).await
}

fn id(entry: &Value) -> String {
    entry["sharedLink"]["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn extra_links_are_seeded_after_the_primary_one() {
    let portal = portal().await;
    let links = portal.links(101).await;
    assert_eq!(links.len(), 2);
    assert_eq!(links[1]["subjectType"], 1);
    assert_eq!(links[1]["sharedLink"]["title"], "Agency");
    assert_eq!(links[1]["access"], 5);
}

#[tokio::test]
async fn public_and_form_filling_rooms_cannot_be_seeded_without_a_primary_link() {
    for kind in ["public", "filling-forms"] {
        let yaml = format!("rooms:\n  - {{ title: R, type: {kind} }}\n");
        let err = docspace_links::sim::Seed::from_yaml_str(&yaml, "s.yaml")
            .expect_err("refused")
            .to_string();
        assert!(err.contains("always has a primary link"), "{err}");
        assert!(err.starts_with("s.yaml:2:"), "{err}");
    }
}

#[tokio::test]
async fn a_write_changing_a_non_editable_field_is_dropped_whole() {
    let portal = portal().await;
    // internal false in a virtual data room (forced true), internal true in a
    // public room's folder (forced false), another expiry in a form-filling room.
    let cases = [
        (401, json!({"internal": false})),
        (201, json!({"internal": true})),
        (301, json!({"expirationDate": days_ahead(20)})),
    ];
    for (folder, change) in cases {
        let before = portal.primary(folder).await.expect("seeded");
        let mut body = json!({"linkId": id(&before), "access": before["access"], "title": "Renamed",
            "internal": before["sharedLink"]["internal"]});
        body.as_object_mut()
            .expect("object")
            .extend(change.as_object().expect("object").clone());
        let answer = portal.put(&format!("folder/{folder}/links"), body).await;
        assert_eq!(answer.status, StatusCode::OK, "{folder}");
        assert_eq!(
            answer.json["response"], before,
            "folder {folder}: unchanged"
        );
        assert_eq!(portal.primary(folder).await.expect("kept"), before);
    }
}

/// A revoke goes through the same checks: one sending `internal: false` to a
/// virtual data room's link (forced true) is dropped, 200 and the link unchanged;
/// with the link's own `internal` it revokes.
#[tokio::test]
async fn a_revoke_changing_a_non_editable_field_is_dropped_too() {
    let portal = portal().await;
    let before = portal.primary(401).await.expect("seeded");
    let revoke = |internal: bool| json!({"linkId": id(&before), "access": 0, "internal": internal});
    let answer = portal.put("folder/401/links", revoke(false)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(
        answer.json["response"], before,
        "dropped: the link unchanged"
    );
    assert_eq!(portal.primary(401).await.expect("kept"), before);
    let answer = portal.put("folder/401/links", revoke(true)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(portal.primary(401).await.is_none(), "revoked");
}

#[tokio::test]
async fn the_forced_internal_lets_the_rest_of_the_write_apply() {
    let portal = portal().await;
    for (folder, internal) in [(401, true), (201, false)] {
        let before = portal.primary(folder).await.expect("seeded");
        let answer = portal
            .put(
                &format!("folder/{folder}/links"),
                json!({"linkId": id(&before), "access": 2, "title": "Renamed", "internal": internal}),
            )
            .await;
        assert_eq!(answer.json["response"]["sharedLink"]["title"], "Renamed");
    }
    // A form-filling folder's link keeps its expiry only if the write resends it:
    // none here, so a write without one applies.
    let intake = portal.primary(301).await.expect("seeded");
    let answer = portal
        .put(
            "folder/301/links",
            json!({"linkId": id(&intake), "access": 7, "title": "Renamed"}),
        )
        .await;
    assert_eq!(answer.json["response"]["sharedLink"]["title"], "Renamed");
    // A new link in a public room's folder takes the expiry it is created with.
    let created = portal
        .post(
            "folder/202/link",
            json!({"access": 2, "expirationDate": days_ahead(9)}),
        )
        .await;
    assert!(created.json["response"]["sharedLink"]["expirationDate"].is_string());
}

#[tokio::test]
async fn only_the_folders_creator_may_revoke() {
    let portal = portal().await;
    let bobs = portal.primary(102).await.expect("seeded");
    let revoke = json!({"linkId": id(&bobs), "access": 0});
    // The owner did not create Bob's folder: refused, admins included.
    let owner = portal.put("folder/102/links", revoke.clone()).await;
    assert_eq!(owner.status, StatusCode::FORBIDDEN);
    assert_eq!(
        owner.json["error"]["message"],
        "The role is not available for this user type"
    );
    let press = portal.primary(101).await.expect("seeded");
    let bob_on_owners = portal
        .call_as(
            Some("sk-bob"),
            Method::PUT,
            "folder/101/links",
            Some(json!({"linkId": id(&press), "access": 0})),
        )
        .await;
    assert_eq!(bob_on_owners.status, StatusCode::FORBIDDEN);
    // Editing needs no creator.
    let edit = portal
        .call_as(
            Some("sk-bob"),
            Method::PUT,
            "folder/101/links",
            Some(json!({"linkId": id(&press), "access": 2, "password": "s3cret-pass"})),
        )
        .await;
    assert_eq!(edit.status, StatusCode::OK);
    let bob = portal
        .call_as(
            Some("sk-bob2"),
            Method::PUT,
            "folder/102/links",
            Some(revoke),
        )
        .await;
    assert_eq!(bob.status, StatusCode::OK);
    assert!(portal.links(102).await.is_empty());
    // A room's links: any manager.
    let room = portal.primary(100).await.expect("seeded");
    let answer = portal
        .call_as(
            Some("sk-bob"),
            Method::PUT,
            "folder/100/links",
            Some(json!({"linkId": id(&room), "access": 0})),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
}

#[tokio::test]
async fn a_viewer_sees_shared_folders_but_no_links() {
    let portal = portal().await;
    let as_viewer = |m, p: &str, b| {
        let p = p.to_owned();
        let portal = &portal;
        async move { portal.call_as(Some("sk-viewer"), m, &p, b).await }
    };
    let listed = as_viewer(Method::GET, "folder/101/links", None).await;
    assert_eq!(listed.status, StatusCode::OK);
    assert_eq!(listed.json["response"], json!([]));
    let rooms = as_viewer(Method::GET, "rooms/100/links?type=1", None).await;
    assert_eq!(rooms.json["response"], json!([]));
    let info = as_viewer(Method::GET, "folder/101", None).await;
    assert_eq!(info.json["response"]["shared"], true);
    let contents = as_viewer(Method::GET, "100", None).await;
    let press = contents.json["response"]["folders"]
        .as_array()
        .expect("folders")
        .iter()
        .find(|f| f["id"] == 101)
        .cloned()
        .expect("listed");
    assert_eq!(press["shared"], true);
    // A room's primary link is shown to a reader, a plain folder's is not, and
    // nothing is created or changed.
    let room_link = as_viewer(Method::GET, "rooms/100/link", None).await;
    assert_eq!(room_link.status, StatusCode::OK);
    assert_eq!(room_link.json["response"]["canEditInternal"], false);
    let folder_link = as_viewer(Method::GET, "folder/103/link", None).await;
    assert_eq!(folder_link.status, StatusCode::FORBIDDEN);
    let put = as_viewer(
        Method::PUT,
        "folder/103/links",
        Some(json!({"access": 2, "primary": true})),
    )
    .await;
    assert_eq!(put.status, StatusCode::FORBIDDEN);
    assert!(portal.links(103).await.is_empty());
}

#[tokio::test]
async fn passwords_are_8_to_30_printable_ascii_and_only_puts_trim() {
    let portal = portal().await;
    for bad in [
        "x".repeat(31),
        "pass word1".into(),
        "pässwörd1".into(),
        "short".into(),
    ] {
        let answer = portal
            .put(
                "folder/103/links",
                json!({"access": 2, "primary": true, "password": bad}),
            )
            .await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let ok = portal
        .put(
            "folder/103/links",
            json!({"access": 2, "primary": true, "password": format!("  {}  ", "y".repeat(30))}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(
        ok.json["response"]["sharedLink"]["password"],
        "y".repeat(30)
    );
    let post = portal
        .post(
            "folder/600/link",
            json!({"access": 2, "password": " padded-pass "}),
        )
        .await;
    assert_eq!(post.status, StatusCode::BAD_REQUEST, "POST does not trim");
    assert!(portal.links(600).await.is_empty());
}

#[tokio::test]
async fn can_revoke_means_revoking_regenerates() {
    let portal = portal().await;
    let flag = |v: Option<Value>| v.expect("link")["canRevoke"].clone();
    assert_eq!(flag(portal.primary(200).await), true);
    assert_eq!(flag(portal.primary(201).await), true);
    assert_eq!(flag(portal.primary(300).await), true);
    assert_eq!(flag(portal.primary(301).await), true);
    assert_eq!(flag(portal.primary(101).await), false);
    assert_eq!(portal.links(101).await[1]["canRevoke"], false);
    assert_eq!(flag(portal.primary(401).await), false);
}

#[tokio::test]
async fn racing_get_or_creates_make_two_primary_links_where_the_limit_is_6() {
    let portal = portal().await;
    portal
        .control(Method::POST, "faults", Some(json!({"create_gap_ms": 300})))
        .await;
    let (a, b) = tokio::join!(portal.get("folder/600/link"), portal.get("folder/600/link"));
    assert_eq!((a.status, b.status), (StatusCode::OK, StatusCode::OK));
    assert_ne!(id(&a.json["response"]), id(&b.json["response"]));
    let links = portal.links(600).await;
    assert_eq!(links.iter().filter(|l| l["subjectType"] == 4).count(), 2);
}

#[tokio::test]
async fn racing_get_or_creates_lose_with_403_where_the_limit_is_1() {
    let portal = portal().await;
    portal
        .control(Method::POST, "faults", Some(json!({"create_gap_ms": 300})))
        .await;
    let (a, b) = tokio::join!(
        portal.get("folder/202/link"),
        portal.post("folder/202/link", json!({"access": 2}))
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::FORBIDDEN]);
    let loser = if a.status == StatusCode::FORBIDDEN {
        a
    } else {
        b
    };
    assert_eq!(
        loser.json["error"]["message"],
        "The maximum number of links may not exceed 1"
    );
    assert_eq!(portal.links(202).await.len(), 1);
}

#[tokio::test]
async fn the_per_minute_window_is_per_user_and_admitted_requests_carry_no_headers() {
    let portal = portal().await;
    portal
        .control(
            Method::POST,
            "faults",
            Some(json!({"rate_limit_per_min": 3})),
        )
        .await;
    for _ in 0..3 {
        let ok = portal
            .call_as(Some("sk-bob"), Method::GET, "folder/101/links", None)
            .await;
        assert_eq!(ok.status, StatusCode::OK);
        assert!(
            ok.headers
                .keys()
                .all(|h| !h.as_str().starts_with("x-ratelimit"))
        );
    }
    // Bob's other key shares his budget...
    let other_key = portal
        .call_as(Some("sk-bob2"), Method::GET, "folder/101/links", None)
        .await;
    assert_eq!(other_key.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(other_key.text, "");
    assert_eq!(other_key.headers["x-ratelimit-limit"], "3");
    assert_eq!(other_key.headers["x-ratelimit-remaining"], "0");
    assert!(other_key.headers.get("retry-after").is_none());
    assert!(other_key.headers.get("x-ratelimit-reset").is_none());
    // ...the owner has their own.
    assert_eq!(portal.get("folder/101/links").await.status, StatusCode::OK);
}

#[tokio::test]
async fn the_daily_write_cap_says_when_it_reopens() {
    let portal = portal().await;
    portal
        .control(
            Method::POST,
            "faults",
            Some(json!({"daily_write_limit": 1})),
        )
        .await;
    let first = portal.post("folder/600/link", json!({"access": 2})).await;
    assert_eq!(first.status, StatusCode::OK);
    let second = portal.post("folder/600/link", json!({"access": 2})).await;
    assert_eq!(second.status, StatusCode::TOO_MANY_REQUESTS);
    let after: u64 = second.headers["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((86_000..=86_400).contains(&after), "{after}");
    let reset: u64 = second.headers["x-ratelimit-reset"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("unix time");
    let now = jiff::Timestamp::now().as_second() as u64;
    assert!(reset > now + 86_000, "{reset}");
    // Bob's writes are counted apart.
    let bob = portal
        .call_as(
            Some("sk-bob"),
            Method::PUT,
            "folder/103/links",
            Some(json!({"access": 2, "primary": true})),
        )
        .await;
    assert_eq!(bob.status, StatusCode::OK);
}

/// `GET people/@self` names the key's user (scope `accounts.self:read`,
/// `AuthorizationExtension.cs:45`), and folder entries name their creator
/// (`createdBy`, `FileEntryDto.cs:449`) by the same id: a client can tell before
/// revoking whether the server will refuse it.
#[tokio::test]
async fn the_keys_user_and_each_folders_creator_are_named_by_one_id() {
    let seed = SEED.replace(
        "  - {key: sk-bob2, user: bob}\n",
        "  - {key: sk-bob2, user: bob}\n  - {key: sk-files, scopes: [files:read, rooms:read]}\n  - {key: sk-self, user: bob, scopes: [accounts.self:read]}\n",
    );
    let portal = Portal::with(&seed, SimConfig::default()).await;
    let http = reqwest::Client::new();
    let me = |key: Option<&'static str>| {
        let mut request = http.get(format!("{}/api/2.0/people/@self", portal.sim.base_url()));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        Portal::answer(request)
    };
    let owner = me(Some("sk-test")).await;
    assert_eq!(owner.status, StatusCode::OK, "{}", owner.text);
    let bob = me(Some("sk-bob")).await;
    let bob_self = me(Some("sk-self")).await;
    assert_eq!(bob_self.status, StatusCode::OK, "{}", bob_self.text);
    assert_eq!(bob.json["response"]["id"], bob_self.json["response"]["id"]);
    assert_ne!(owner.json["response"]["id"], bob.json["response"]["id"]);
    assert_eq!(bob.json["response"]["displayName"], "bob");
    // A key without the scope gets the empty 403 of every scope failure, and no
    // key at all the empty 401.
    let narrow = me(Some("sk-files")).await;
    assert_eq!(narrow.status, StatusCode::FORBIDDEN);
    assert_eq!(narrow.text, "");
    assert_eq!(me(None).await.status, StatusCode::UNAUTHORIZED);
    // The listing and the folder read name the creator by the same id.
    let listing = portal.get("100").await;
    let creator = |title: &str| {
        listing.json["response"]["folders"]
            .as_array()
            .expect("folders")
            .iter()
            .find(|f| f["title"] == title)
            .expect("listed")["createdBy"]["id"]
            .clone()
    };
    assert_eq!(creator("Bobs"), bob.json["response"]["id"]);
    assert_eq!(creator("Press kit"), owner.json["response"]["id"]);
    let folder = portal.get("folder/102").await;
    assert_eq!(
        folder.json["response"]["createdBy"]["id"],
        bob.json["response"]["id"]
    );
}
