//! Key scopes told right (issue 14.6): the server maps routes to scopes
//! (DocSpace-server `AuthorizationExtension.ScopesMap`): `files/rooms…` needs
//! `rooms:read`, the rest of `files/` `files:read`, writes `files:write`. A 403
//! says which scope the request needed.

use axum::http::Method;

use crate::fake_server::{FakeServer, Reply};
use crate::proxy::{Answer, Proxy};
use crate::support::{Portal, SEED};

fn seed() -> String {
    SEED.replace(
        "tokens: [sk-test]",
        "tokens:\n  - sk-test\n  - {key: sk-files, scopes: [files:read]}\n  - {key: sk-ro, scopes: [files:read, rooms:read]}",
    )
}

/// A path manifest resolves its room through `GET files/rooms`.
const MANIFEST: &str =
    "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: { title: Archive }\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_files_only_key_is_told_it_needs_rooms_read() {
    let portal = Portal::start(&seed()).await;
    portal.write("links.yaml", MANIFEST);
    let out = portal.run_env(
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_TOKEN", "sk-files")],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.all().contains("rooms:read"), "{}", out.all());

    // The README's read-only key: plan works.
    let out = portal.run_env(
        &["plan", "-f", "links.yaml", "--detailed-exitcode"],
        &[("DOCSPACE_TOKEN", "sk-ro")],
    );
    assert_eq!(out.code, 2, "{}", out.all());
    // And apply with it is refused by the write, which names files:write.
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes"],
        &[("DOCSPACE_TOKEN", "sk-ro")],
    );
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(out.all().contains("files:write"), "{}", out.all());
}

/// A proxy answers the room listing 403 with the server's own message: the
/// message is kept and the scope the room routes need is named.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_403_with_a_message_on_a_room_route_names_rooms_read() {
    let portal = Portal::start(SEED).await;
    let proxy = Proxy::answering(portal.url(), |m, p, _| async move {
        if m == Method::GET && p.starts_with("/api/2.0/files/rooms") {
            Answer::Instead(
                403,
                r#"{"status":1,"statusCode":403,"error":{"message":"Access denied"}}"#.to_owned(),
            )
        } else {
            Answer::Forward
        }
    })
    .await;
    portal.write("links.yaml", MANIFEST);
    let out = portal.run_env(
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all().contains(
            "the portal refused the request (403): Access denied (the room routes need an API key with rooms:read)"
        ),
        "{}",
        out.all()
    );
}

/// A fake portal that answers every room request with an empty-bodied 403 (a key
/// without the route's scope) and is otherwise a portal: the message names
/// `rooms:read` and what each command needs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_403_on_a_room_route_names_the_scope() {
    let portal = Portal::start(SEED).await;
    let upstream = portal.url();
    let fake = FakeServer::start(move |seen| {
        let upstream = upstream.clone();
        async move {
            if seen.target.starts_with("/api/2.0/files/rooms") {
                Reply::empty(403, &[])
            } else {
                crate::fake_server::forward(&upstream, &seen).await
            }
        }
    })
    .await;
    portal.write("links.yaml", MANIFEST);
    let out = portal.run_env(
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_URL", fake.url().as_str())],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all()
            .contains("the key lacks the scope rooms:read this request needs"),
        "{}",
        out.all()
    );
}
