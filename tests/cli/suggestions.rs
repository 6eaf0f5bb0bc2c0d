//! Messages that suggest (issue 17, item 7): the closest key, access level, room or
//! folder title and flag; titles differing only in case offered as such; `https://`
//! against a port that speaks plain HTTP; `--timeout` for a portal that never
//! answers. A suggestion of the portal's text is shown through the foreign-text
//! guard like any other.

use std::time::Duration;

use crate::support::{Portal, SEED};
use crate::test::Test;

#[test]
fn export_offers_the_room_title_that_differs_in_case() {
    let ran = Test::new()
        .args(["export", "--room", "marketing"])
        .status(1)
        .run();
    assert!(
        ran.out.stderr.contains(
            "error: no room is titled `marketing` (there is `Marketing`: titles are case-sensitive)"
        ),
        "{}",
        ran.out.stderr
    );
    let ran = Test::new()
        .args(["export", "--room", "Marketng"])
        .status(1)
        .run();
    assert!(
        ran.out
            .stderr
            .contains("no room is titled `Marketng` (did you mean `Marketing`?)"),
        "{}",
        ran.out.stderr
    );
    // Nothing alike: nothing offered.
    let ran = Test::new()
        .args(["export", "--room", "Legal"])
        .status(1)
        .run();
    assert!(
        ran.out.stderr.contains("no room is titled `Legal`\n"),
        "{}",
        ran.out.stderr
    );
}

#[test]
fn a_manifest_path_offers_the_closest_title() {
    let ran = Test::new()
        .manifest(
            "version: 1\nfolders:\n  - path: Marketing/Press kti\n    link: { access: read }\n",
        )
        .args(["plan", "-f", "links.yaml"])
        .status(1)
        .read_only()
        .run();
    assert!(
        ran.out
            .all()
            .contains("no folder named `Press kti` in `Marketing` (did you mean `Press kit`?)"),
        "{}",
        ran.out.all()
    );
    assert!(ran.writes().is_empty());
}

#[test]
fn an_unknown_key_offers_the_closest_valid_one() {
    let ran = Test::new()
        .manifest("version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { acess: read, title: Kit }\n")
        .args(["plan", "-f", "links.yaml"])
        .status(1)
        .read_only()
        .run();
    let err = ran.out.all();
    assert!(err.contains("unknown key `acess`"), "{err}");
    assert!(
        err.contains("help: did you mean `access`? expected one of: access, title,"),
        "{err}"
    );
    let ran = Test::new()
        .manifest("version: 1\nfoldrs: []\n")
        .args(["plan", "-f", "links.yaml"])
        .status(1)
        .run();
    assert!(
        ran.out.all().contains("did you mean `folders`?"),
        "{}",
        ran.out.all()
    );
}

#[test]
fn a_misspelt_flag_offers_the_closest() {
    let ran = Test::new()
        .args(["plan", "-f", "links.yaml", "--fromat", "json"])
        .status(1)
        .run();
    assert!(
        ran.out
            .stderr
            .contains("tip: a similar argument exists: '--format'"),
        "{}",
        ran.out.stderr
    );
}

/// Portal titles in a suggestion are foreign text: escapes and workflow commands
/// are shown, not obeyed.
#[test]
fn a_suggested_title_goes_through_the_guard() {
    let seed = "tokens: [sk-test]\nrooms:\n  - { title: \"Marketing\\e[2J##[add-mask]\", type: custom, id: 100 }\n";
    let ran = Test::new()
        .seed(seed)
        .args(["export", "--room", "Marketing"])
        .status(1)
        .run();
    let err = &ran.out.stderr;
    assert!(
        err.contains("(did you mean `Marketing\\u{1b}[2J#\\u{23}[add-mask]`?)"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}') && !err.contains("##["), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_to_a_plain_http_port_suggests_http() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { access: read }\n",
    );
    let https = portal.url().replacen("http://", "https://", 1);
    let out = portal.run(&["plan", "-f", "links.yaml", "--portal", &https]);
    assert_eq!(out.code, 1, "{}", out.all());
    let port = https.rsplit(':').next().unwrap();
    assert!(
        out.stderr.contains(&format!(
            "127.0.0.1:{port} answered in plain HTTP, not TLS: if the portal has no TLS (a local or test server), give its URL with http:// instead of https://"
        )),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("InvalidContentType"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_bounds_the_wait_for_an_answer() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { access: read }\n",
    );
    // With the default of 30 s the portal check alone would outlast the guard.
    let out = portal.run_guarded(
        &[
            "plan",
            "-f",
            "links.yaml",
            "--portal",
            &silent,
            "--timeout",
            "1s",
        ],
        &[],
        Duration::from_secs(25),
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr
            .contains("timed out: no answer within 1 s (--timeout)"),
        "{}",
        out.stderr
    );
    server.abort();
    for bad in ["0", "0s", "11m", "1h", "soon", "1.5s"] {
        let out = portal.run(&["plan", "-f", "links.yaml", "--timeout", bad]);
        assert_eq!(out.code, 1, "{bad}: {}", out.all());
        assert!(
            out.stderr.contains(&format!(
                "`{bad}` is not a timeout: write a number of seconds or minutes from 1s to 10m"
            )),
            "{}",
            out.stderr
        );
    }
    assert!(portal.requests().await.is_empty());
}
