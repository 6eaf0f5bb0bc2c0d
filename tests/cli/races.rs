//! Someone edits the portal by hand while apply runs (issue 8): between the plan's
//! read and apply's re-read, and between the re-read and the write. Apply must
//! never make a second primary link, never write back a stale unmanaged value, and
//! say which folder changed under it.

use axum::http::Method;

use crate::proxy::{Answer, Proxy};
use crate::support::{Hand, Output, Portal, SEED};

const PRESS_KIT: u64 = 101;
const ARCHIVE: u64 = 103;
const LINKS: &str = "/api/2.0/files/folder/101/links";

/// A proxy that has `edit` done by hand right before the `n`th `method path`
/// request of the tool passes on.
async fn edit_before<F, Fut>(
    portal: &Portal,
    method: Method,
    path: &'static str,
    n: usize,
    edit: F,
) -> Proxy
where
    F: Fn(Hand) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let hand = portal.hand();
    let edit = std::sync::Arc::new(edit);
    Proxy::start(portal.url(), move |m, p, seen| {
        let run = (m == method && p == path && seen == n).then(|| edit(hand.clone()));
        async move {
            if let Some(run) = run {
                run.await;
            }
        }
    })
    .await
}

/// Runs `apply --yes` through `proxy`.
fn apply(portal: &Portal, proxy: &Proxy, manifest: &str) -> Output {
    portal.write("links.yaml", manifest);
    portal.run_env(
        &["apply", "-f", "links.yaml", "--yes"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    )
}

const READ_KIT: &str =
    "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { access: read }\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_replaced_by_hand_before_the_reread_is_left_alone() {
    let portal = Portal::start(SEED).await;
    // The second read of the folder's links is apply's re-read before writing.
    let proxy = edit_before(&portal, Method::GET, LINKS, 2, |h| async move {
        h.revoke(PRESS_KIT).await;
        h.create(PRESS_KIT, "By hand").await;
    })
    .await;
    let out = apply(&portal, &proxy, READ_KIT);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout.contains("Marketing/Press kit")
            && out.stdout.contains("changed since the plan")
            && out.stdout.contains("no longer the one planned"),
        "{}",
        out.stdout
    );
    assert_eq!(proxy.count(Method::PUT, LINKS), 0, "nothing written");
    crate::redactions().bind(|| insta::assert_snapshot!("apply_stale", out.stdout));
    let link = portal.primary("Marketing/Press kit").await.expect("kept");
    assert_eq!(link["title"], "By hand");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_replaced_by_hand_right_before_the_put_leaves_no_second_primary_link() {
    let portal = Portal::start(SEED).await;
    // The PUT names the old link id; the server turns an unknown id into a new
    // link with that id (docspace-api.md 1), next to the one made by hand.
    let proxy = edit_before(&portal, Method::PUT, LINKS, 1, |h| async move {
        h.revoke(PRESS_KIT).await;
        h.create(PRESS_KIT, "By hand").await;
    })
    .await;
    let out = apply(&portal, &proxy, READ_KIT);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout
            .contains("created a new link in its place; it was revoked again"),
        "{}",
        out.stdout
    );
    // `primary` asserts there is at most one.
    let link = portal.primary("Marketing/Press kit").await.expect("kept");
    assert_eq!(link["title"], "By hand");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_revoked_by_hand_is_not_recreated_by_an_update() {
    let portal = Portal::start(SEED).await;
    let proxy = edit_before(&portal, Method::GET, LINKS, 2, |h| async move {
        h.revoke(PRESS_KIT).await;
    })
    .await;
    let out = apply(&portal, &proxy, READ_KIT);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout
            .contains("the plan was to update the link, the portal now needs to create a link"),
        "{}",
        out.stdout
    );
    assert!(portal.primary("Marketing/Press kit").await.is_none());
    assert_eq!(
        proxy.count(Method::POST, "/api/2.0/files/folder/101/link"),
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unmanaged_password_changed_by_hand_is_kept_not_reverted() {
    let portal = Portal::start(SEED).await;
    let proxy = edit_before(&portal, Method::GET, LINKS, 2, |h| async move {
        h.put(
            PRESS_KIT,
            serde_json::json!({
                "access": 10, "title": "Old kit", "password": "changed-by-hand",
                "expirationDate": "2031-01-01T00:00:00Z", "denyDownload": false,
                "internal": false
            }),
        )
        .await;
    })
    .await;
    let out = apply(&portal, &proxy, READ_KIT);
    assert_eq!(out.code, 0, "{}", out.all());
    let link = portal.primary("Marketing/Press kit").await.unwrap();
    assert_eq!(link["access"], "read");
    assert_eq!(
        link["password"], "changed-by-hand",
        "the fresh password was copied"
    );
    assert!(!out.all().contains("changed-by-hand"), "never printed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoke_whose_link_is_recreated_meanwhile_is_not_reported_done() {
    let portal = Portal::start(SEED).await;
    let proxy = edit_before(
        &portal,
        Method::PUT,
        "/api/2.0/files/folder/103/links",
        1,
        |h| async move {
            h.revoke(ARCHIVE).await;
            h.create(ARCHIVE, "Made again").await;
        },
    )
    .await;
    let out = apply(
        &portal,
        &proxy,
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: absent\n",
    );
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout.contains("Marketing/Archive")
            && out
                .stdout
                .contains("still has a primary link after the revoke"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("0 revoked, 1 failed."),
        "{}",
        out.stdout
    );
}

/// The link is revoked by hand right before the PUT, the PUT then makes a new link
/// under the old id, and its answer is lost: the next round sees the stray link
/// and takes it back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_made_by_a_put_whose_answer_was_lost_is_taken_back() {
    let portal = Portal::start(SEED).await;
    let hand = portal.hand();
    let proxy = Proxy::answering(portal.url(), move |m, p, n| {
        let hand = hand.clone();
        async move {
            if m == Method::PUT && p == LINKS && n == 1 {
                hand.revoke(PRESS_KIT).await;
                Answer::Lose
            } else {
                Answer::Forward
            }
        }
    })
    .await;
    let out = apply(&portal, &proxy, READ_KIT);
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout
            .contains("created a new link in its place; it was revoked again"),
        "{}",
        out.stdout
    );
    assert!(
        portal.primary("Marketing/Press kit").await.is_none(),
        "the hand revoke stands"
    );
}

/// A create is not preceded by a read (`POST folder/{id}/link` is get-or-create):
/// a link made by hand since the plan comes back from the POST unchanged, and the
/// answer check names it. It is somebody's link: reported, never revoked, even
/// though it allows downloads the manifest would deny.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_made_by_hand_before_a_create_is_reported_and_left_alone() {
    let portal = Portal::start(SEED).await;
    const BRAND: u64 = 102;
    let create = "/api/2.0/files/folder/102/link";
    let proxy = edit_before(&portal, Method::POST, create, 1, |h| async move {
        h.create(BRAND, "By hand").await;
    })
    .await;
    let out = apply(
        &portal,
        &proxy,
        "version: 1\nfolders:\n  - path: Marketing/Brand assets\n    link: { access: read, deny_download: true }\n",
    );
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout.contains("Marketing/Brand assets")
            && out
                .stdout
                .contains("a primary link was made since the plan")
            && out.stdout.contains("it allows downloads"),
        "{}",
        out.stdout
    );
    // Neither the plan (the listing says the folder is not shared) nor apply (a
    // create is its own check) read the folder's links; nothing was put.
    assert_eq!(
        proxy.count(Method::GET, "/api/2.0/files/folder/102/links"),
        0
    );
    assert_eq!(proxy.count(Method::POST, create), 1);
    assert_eq!(
        proxy.count(Method::PUT, "/api/2.0/files/folder/102/links"),
        0
    );
    let link = portal
        .primary("Marketing/Brand assets")
        .await
        .expect("kept");
    assert_eq!(link["title"], "By hand");
}
