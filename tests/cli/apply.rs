//! `apply`: converges, keeps what it does not manage, checks what it did.

use crate::fake_server::{FakeServer, Seen, forward};
use crate::support::{Portal, SEED, hidden_passwords};
use crate::test::Test;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_creates_updates_and_revokes() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        r#"
version: 1
folders:
  - path: Marketing/Brand assets
    link: { access: review, title: Brand, expires: 2030-06-30, deny_download: true, password: { env: DOCSPACE_LINK_BRAND } }
  - path: Marketing/Press kit
    link: { access: read }
  - path: Marketing/Archive
    link: absent
"#,
    );
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes"],
        &[("DOCSPACE_LINK_BRAND", "brand-pass-123")],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout
            .contains("Apply complete: 1 created, 1 updated, 1 revoked, 0 failed."),
        "{}",
        out.stdout
    );

    let brand = portal
        .primary("Marketing/Brand assets")
        .await
        .expect("link created");
    assert_eq!(brand["access"], "review");
    assert_eq!(brand["title"], "Brand");
    assert_eq!(brand["expires"], "2030-06-30T00:00:00Z");
    assert_eq!(brand["password"], "brand-pass-123");
    assert_eq!(brand["deny_download"], true);

    let kit = portal
        .primary("Marketing/Press kit")
        .await
        .expect("link kept");
    assert_eq!(kit["access"], "read");
    // Unmanaged fields survive the full-replacement PUT.
    assert_eq!(kit["title"], "Old kit");
    assert_eq!(kit["password"], "s3cret-pass");
    assert_eq!(kit["expires"], "2031-01-01T00:00:00Z");

    assert!(
        portal.primary("Marketing/Archive").await.is_none(),
        "link revoked"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_deny_download_keeps_password_and_expiry() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { deny_download: true }\n",
    );
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let kit = portal.primary("Marketing/Press kit").await.unwrap();
    assert_eq!(kit["deny_download"], true);
    assert_eq!(kit["password"], "s3cret-pass");
    assert_eq!(kit["expires"], "2031-01-01T00:00:00Z");
    assert_eq!(kit["access"], "editing");
    assert_eq!(kit["title"], "Old kit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_apply_makes_no_write_at_all() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        r#"
version: 1
defaults: { deny_download: true }
folders:
  - path: Marketing/Brand assets
    link: { access: read, title: Brand, password: { env: DOCSPACE_LINK_BRAND } }
  - path: Marketing/Press kit
    link: { access: comment, expires: never }
  - path: "@my/Old projects"
    link: absent
  - path: Applications/Intake
    link: { access: fill-forms }
"#,
    );
    let env = [("DOCSPACE_LINK_BRAND", "brand-pass-123")];
    let first = portal.run_env(&["apply", "-f", "links.yaml", "--yes"], &env);
    assert_eq!(first.code, 0, "{}", first.all());
    let writes_after_first = portal.writes().await;
    assert!(!writes_after_first.is_empty());

    let second = portal.run_env(&["apply", "-f", "links.yaml", "--yes"], &env);
    assert_eq!(second.code, 0, "{}", second.all());
    assert!(second.stdout.contains("No changes."), "{}", second.stdout);
    assert_eq!(
        portal.writes().await,
        writes_after_first,
        "the second apply wrote"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_rotates_a_managed_password() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { password: { file: kit.pass } }\n",
    );
    portal.write("kit.pass", "rotated-pass-2027\n");
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(
        portal.primary("Marketing/Press kit").await.unwrap()["password"],
        "rotated-pass-2027"
    );
    assert!(!out.all().contains("rotated-pass-2027"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_and_without_yes_apply_refuses() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Brand assets\n    link: { access: read }\n",
    );
    let out = portal.run(&["apply", "-f", "links.yaml"]);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(out.stderr.contains("--yes"), "{}", out.stderr);
    assert!(portal.writes().await.is_empty());
}

#[test]
fn a_hidden_unmanaged_password_is_never_dropped() {
    let ran = Test::new()
        .sim(hidden_passwords())
        .manifest("version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { deny_download: true }\n  - path: Marketing/Brand assets\n    link: { access: read }\n")
        .args(["apply", "-f", "links.yaml", "--yes"])
        .status(3)
        .stdout_has("manage `password`")
        .stdout_has("Marketing/Brand assets: created")
        .run();
    let kit = ran.primary("Marketing/Press kit").unwrap();
    assert_eq!(kit["password"], "s3cret-pass", "the password survived");
    assert_eq!(
        kit["deny_download"], false,
        "the refused folder was not touched"
    );
    assert!(!ran.out.stdout.contains("s3cret-pass"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_output_snapshot() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Brand assets\n    link: { access: read }\n  - path: Marketing/Archive\n    link: absent\n  - path: Marketing/Press kit\n    link: { title: Press kit }\n",
    );
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    crate::redactions().bind(|| insta::assert_snapshot!("apply_human", out.stdout));
}

/// Form-filling rooms keep links without expiry and say OK all the same: the plan
/// refuses the expiry before anything is sent, at its line.
#[test]
fn an_expiry_the_portal_would_drop_is_refused_at_plan_time() {
    let ran = Test::new()
        .manifest("version: 1\nfolders:\n  - path: Applications/Intake\n    link: { access: fill-forms, expires: 2030-01-01 }\n  - path: Marketing/Brand assets\n    link: { access: read }\n")
        .args(["apply", "-f", "links.yaml", "--yes"])
        .status(1)
        .run();
    assert!(
        ran.out.stderr.contains("cannot expire") && ran.out.stderr.contains("links.yaml:4:"),
        "{}",
        ran.out.stderr
    );
    assert!(ran.writes().is_empty(), "{:?}", ran.writes());
}

/// A portal that drops a created link's expiry and answers OK (as it does where an
/// expiry cannot be set): the link, live for ever, is revoked again and reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_link_wider_than_asked_is_revoked_again() {
    let sim = Portal::start(SEED).await;
    let upstream = sim.url();
    let portal = FakeServer::start(move |mut seen: Seen| {
        let upstream = upstream.clone();
        async move {
            if seen.method == "POST" {
                let mut body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap();
                body["expirationDate"] = serde_json::Value::Null;
                seen.body = serde_json::to_vec(&body).unwrap();
            }
            forward(&upstream, &seen).await
        }
    })
    .await;
    sim.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Brand assets\n    link: { access: read, expires: 2030-01-01 }\n",
    );
    let out = sim.run_env(
        &["apply", "-f", "links.yaml", "--yes"],
        &[("DOCSPACE_URL", portal.url().as_str())],
    );
    assert_eq!(out.code, 3, "{}", out.all());
    assert!(
        out.stdout
            .contains("expires is never, asked 2030-01-01T00:00:00Z")
            && out
                .stdout
                .contains("exposed more than asked, so it was revoked again"),
        "{}",
        out.stdout
    );
    assert!(sim.primary("Marketing/Brand assets").await.is_none());
}

#[test]
fn an_apply_with_only_refusals_exits_4_and_writes_nothing() {
    let ran = Test::new()
        .seed(SEED)
        .sim(hidden_passwords())
        .manifest("version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { deny_download: true }\n")
        .args(["apply", "-f", "links.yaml", "--yes"])
        .status(4)
        .run();
    assert!(ran.writes().is_empty());
}
