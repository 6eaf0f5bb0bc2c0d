//! Who may call what (docspace-api.md 3 and 6): wrong keys, anonymous callers on
//! the routes that serve visitors of shared links, and key scopes.

use docspace_links::sim::SimConfig;
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Answer, Portal};

fn assert_empty(answer: &Answer, status: StatusCode, what: &str) {
    assert_eq!(answer.status, status, "{what}: {}", answer.text);
    assert_eq!(answer.text, "", "{what}");
}

#[tokio::test]
async fn a_wrong_key_on_a_visitor_route_is_an_empty_403() {
    let portal = Portal::start().await;
    for path in ["folder/101", "rooms/100", "100", "folder/102/link"] {
        let answer = portal
            .call_as(Some("sk-wrong"), Method::GET, path, None)
            .await;
        assert_empty(&answer, StatusCode::FORBIDDEN, path);
    }
    // Not even the get-or-create ran.
    assert_eq!(portal.folder_state(102).await["links"], json!([]));
    // Elsewhere a wrong key stays an empty 401.
    for (method, path) in [
        (Method::GET, "folder/101/links"),
        (Method::GET, "rooms"),
        (Method::GET, "@my"),
        (Method::PUT, "folder/102/links"),
    ] {
        let answer = portal
            .call_as(Some("sk-wrong"), method, path, Some(json!({"access": 2})))
            .await;
        assert_empty(&answer, StatusCode::UNAUTHORIZED, path);
    }
}

#[tokio::test]
async fn an_anonymous_folder_lookup_is_a_401_with_a_json_body() {
    let portal = Portal::start().await;
    for path in ["folder/101", "rooms/100", "rooms/101"] {
        let answer = portal.call_as(None, Method::GET, path, None).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(
            answer.json,
            json!({"status": 1, "statusCode": 401, "error": {"message": "System error.", "hresult": 0}}),
            "{path}"
        );
    }
    // The folder is looked up first: an unknown one is a 404 for anyone.
    let unknown = portal.call_as(None, Method::GET, "rooms/999", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(
        unknown.json["error"]["message"],
        "The required folder was not found"
    );
}

#[tokio::test]
async fn an_anonymous_listing_is_a_403_with_a_json_body() {
    let portal = Portal::start().await;
    let known = portal.call_as(None, Method::GET, "100", None).await;
    assert_eq!(known.status, StatusCode::FORBIDDEN);
    assert_eq!(known.json["statusCode"], 403);
    assert_eq!(
        known.json["error"]["message"],
        "You don't have enough permission to view the folder content"
    );
    let unknown = portal.call_as(None, Method::GET, "999", None).await;
    assert_eq!(unknown.status, StatusCode::FORBIDDEN);
    assert_eq!(unknown.json["error"]["message"], "Access denied");
}

#[tokio::test]
async fn anonymous_callers_elsewhere_get_an_empty_401() {
    let portal = Portal::start().await;
    for (method, path) in [
        (Method::GET, "folder/102/link"),
        (Method::GET, "folder/101/links"),
        (Method::GET, "rooms"),
        (Method::POST, "folder/102/link"),
    ] {
        let answer = portal
            .call_as(None, method, path, Some(json!({"access": 2})))
            .await;
        assert_empty(&answer, StatusCode::UNAUTHORIZED, path);
    }
    assert_eq!(portal.folder_state(102).await["links"], json!([]));
}

const SCOPED: &str = r#"
tokens:
  - sk-test
  - { key: sk-files-read, scopes: [files:read] }
  - { key: sk-reader, scopes: [files:read, rooms:read] }
  - { key: sk-writer, scopes: [files:write, rooms:write] }
  - { key: sk-any-read, scopes: ["*:read"] }
  - { key: sk-other-area, scopes: [accounts:write] }
rooms:
  - title: Marketing
    type: custom
    id: 100
    link: { access: read }
    folders:
      - { title: Drafts, id: 102 }
"#;

#[tokio::test]
async fn a_key_without_the_scope_gets_an_empty_403_and_changes_nothing() {
    let portal = Portal::with(SCOPED, SimConfig::default()).await;
    let create = json!({"access": 2, "primary": true});
    let cases = [
        ("sk-files-read", Method::PUT, "folder/102/links"),
        ("sk-files-read", Method::POST, "folder/102/link"),
        ("sk-files-read", Method::GET, "rooms"),
        ("sk-files-read", Method::GET, "rooms/100"),
        ("sk-files-read", Method::GET, "rooms/100/links"),
        ("sk-reader", Method::PUT, "rooms/100/links"),
        ("sk-any-read", Method::PUT, "folder/102/links"),
        ("sk-other-area", Method::GET, "folder/102/links"),
        ("sk-other-area", Method::GET, "folder/102"),
    ];
    for (key, method, path) in cases {
        let answer = portal
            .call_as(Some(key), method, path, Some(create.clone()))
            .await;
        assert_empty(&answer, StatusCode::FORBIDDEN, &format!("{key} {path}"));
    }
    assert_eq!(portal.folder_state(102).await["links"], json!([]));
    assert_eq!(
        portal.folder_state(100).await["links"]
            .as_array()
            .expect("links")
            .len(),
        1
    );
}

#[tokio::test]
async fn scopes_grant_what_they_name() {
    let portal = Portal::with(SCOPED, SimConfig::default()).await;
    let ok = |key: &'static str, method: Method, path: &'static str| {
        let portal = &portal;
        async move {
            let body = (method != Method::GET).then(|| json!({"access": 2, "linkType": 1}));
            let answer = portal.call_as(Some(key), method, path, body).await;
            assert_eq!(
                answer.status,
                StatusCode::OK,
                "{key} {path}: {}",
                answer.text
            );
        }
    };
    ok("sk-files-read", Method::GET, "folder/102/links").await;
    ok("sk-files-read", Method::GET, "102").await;
    ok("sk-files-read", Method::GET, "folder/102").await;
    ok("sk-reader", Method::GET, "rooms").await;
    ok("sk-reader", Method::GET, "rooms/100").await;
    ok("sk-reader", Method::GET, "rooms/100/links?type=1").await;
    // A write scope also grants reading.
    ok("sk-writer", Method::GET, "folder/102/links").await;
    ok("sk-writer", Method::GET, "rooms").await;
    ok("sk-writer", Method::PUT, "folder/102/links").await;
    ok("sk-writer", Method::PUT, "rooms/100/links").await;
    ok("sk-any-read", Method::GET, "rooms/100").await;
    ok("sk-any-read", Method::GET, "folder/102/links").await;
    // A plain key has every scope.
    ok("sk-test", Method::POST, "folder/102/link").await;
}
