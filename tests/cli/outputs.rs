//! A snapshot of every kind of output a user can see that other files do not
//! already pin: refused, noted and unknown plans, error reports, the demo.

use axum::http::Method;

use docspace_links::sim::{Faults, SimConfig};

use crate::proxy::{Answer, Proxy};

const ACCESS_DENIED: &str = r#"{"status":1,"statusCode":403,"error":{"message":"Access denied"}}"#;
use crate::support::{Portal, SEED, hidden_passwords};
use crate::test::Test;

const KIT_DENY: &str =
    "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { deny_download: true }\n";

#[test]
fn a_refused_plan() {
    Test::new()
        .sim(hidden_passwords())
        .manifest(KIT_DENY)
        .args(["plan", "-f", "links.yaml"])
        .status(4)
        .read_only()
        .snapshot("plan_refused")
        .run();
}

#[test]
fn a_plan_with_notes_only_changes_nothing() {
    Test::new()
        .sim(hidden_passwords())
        .manifest("version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { password: { env: DOCSPACE_LINK_KIT } }\n")
        .env("DOCSPACE_LINK_KIT", "some-other-pass")
        .args(["plan", "-f", "links.yaml", "--detailed-exitcode"])
        .stdout_has("docspace-links will change nothing, but note:")
        .snapshot("plan_notes_only")
        .run();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_folder_in_a_plan() {
    let portal = Portal::start(SEED).await;
    let proxy = Proxy::answering(portal.url(), |m, p, _| async move {
        if m == Method::GET && p == "/api/2.0/files/folder/103/links" {
            Answer::Instead(403, ACCESS_DENIED.to_owned())
        } else {
            Answer::Forward
        }
    })
    .await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: absent\n  - path: Marketing/Brand assets\n    link: { access: read }\n",
    );
    let out = portal.run_env(
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    crate::redactions().bind(|| insta::assert_snapshot!("plan_unknown", out.all()));
}

#[test]
fn configuration_errors() {
    let manifest = "version: 1\nfolders:\n  - id: 101\n    link: absent\n";
    for (name, env) in [
        ("error_no_portal", ("DOCSPACE_URL", "")),
        ("error_no_token", ("DOCSPACE_TOKEN", "")),
        (
            "error_plain_http",
            ("DOCSPACE_URL", "http://portal.example.com"),
        ),
    ] {
        Test::new()
            .manifest(manifest)
            .env(env.0, env.1)
            .args(["plan", "-f", "links.yaml"])
            .status(1)
            .snapshot(name)
            .run();
    }
    Test::new()
        .args(["plan", "-f", "missing.yaml"])
        .status(1)
        .snapshot("error_no_manifest")
        .run();
}

#[test]
fn the_demo() {
    Test::new().args(["demo"]).snapshot("demo").run();
}

/// A server that leaves out a link's `title` is not taken to mean "titled ''": the
/// folder is unknown, and an update never sends `title: ""` back.
#[test]
fn a_link_without_a_title_is_unknown_not_untitled() {
    let sim = SimConfig {
        faults: Faults {
            omit_link_titles: true,
            ..Faults::default()
        },
        ..SimConfig::default()
    };
    let ran = Test::new()
        .sim(sim)
        .manifest(KIT_DENY)
        .args(["apply", "-f", "links.yaml", "--yes"])
        .status(1)
        .stdout_has("came without `title`")
        .run();
    assert!(ran.writes().is_empty(), "{:?}", ran.writes());
}

/// A 200 whose envelope says `"status": 1` is not data.
#[test]
fn an_answer_flagged_as_failed_is_not_data() {
    let sim = SimConfig {
        faults: Faults {
            envelope_status_one: true,
            ..Faults::default()
        },
        ..SimConfig::default()
    };
    let ran = Test::new()
        .sim(sim)
        .manifest(KIT_DENY)
        .args(["plan", "-f", "links.yaml"])
        .status(1)
        .run();
    assert!(
        ran.out.stderr.contains("flagged the answer as failed"),
        "{}",
        ran.out.all()
    );
    assert_eq!(ran.out.stdout, "");
}

/// A folder title from the portal cannot drive the terminal or forge a line.
#[test]
fn server_text_is_shown_with_control_characters_escaped() {
    let seed = "rooms:\n  - title: \"Evil\\e[2J\\nNo changes. The portal matches the manifest.\"\n    type: custom\n    id: 900\n    link: { access: read, password: keep-this-pass }\n";
    let ran = Test::new()
        .seed(seed)
        .manifest("version: 1\nfolders:\n  - id: 900\n    link: { access: editing }\n")
        .args(["plan", "-f", "links.yaml"])
        .stdout_has("id 900 (Evil\\u{1b}[2J\\nNo changes.")
        .run();
    assert!(!ran.out.stdout.contains('\u{1b}'), "{}", ran.out.stdout);
    assert!(
        !ran.out.stdout.lines().any(|l| l.starts_with("No changes.")),
        "{}",
        ran.out.stdout
    );
}

/// A listing that cannot be read is asked for once, not once per entry under it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_listing_is_read_once() {
    let portal = Portal::start(SEED).await;
    let proxy = Proxy::answering(portal.url(), |m, p, _| async move {
        if m == Method::GET && p == "/api/2.0/files/rooms" {
            Answer::Instead(403, ACCESS_DENIED.to_owned())
        } else {
            Answer::Forward
        }
    })
    .await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: absent\n  - path: Marketing/Press kit\n    link: absent\n  - path: Partners\n    link: { access: read }\n",
    );
    let out = portal.run_env(
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(
        out.stdout.matches("state unknown").count(),
        3,
        "{}",
        out.stdout
    );
    assert_eq!(proxy.count(Method::GET, "/api/2.0/files/rooms"), 1);
}

/// A user who may see a folder but not manage its links gets an empty list: when
/// the listing says the folder is shared, that is unknown, not "no link".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_links_list_on_a_shared_folder_is_unknown() {
    let portal = Portal::start(SEED).await;
    let proxy = Proxy::answering(portal.url(), |m, p, _| async move {
        if m == Method::GET && p == "/api/2.0/files/folder/103/links" {
            Answer::Instead(
                200,
                r#"{"response":[],"count":0,"status":0,"statusCode":200}"#.to_owned(),
            )
        } else {
            Answer::Forward
        }
    })
    .await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: { access: read }\n  - path: Marketing/Brand assets\n    link: absent\n",
    );
    let out = portal.run_env(
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_URL", proxy.url.as_str())],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout.contains("lists this folder as shared")
            && !out.stdout.contains("will be created"),
        "{}",
        out.stdout
    );
}
