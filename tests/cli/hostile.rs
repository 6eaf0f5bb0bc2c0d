//! Hostile or broken servers, proxies and portal addresses (issue 8): the tool
//! follows no redirect, reads no endless body, waits no absurd wait, says in words
//! what cannot heal, stops early on a portal that is down, trusts the CAs it is
//! told to, and never prints the API key a server echoes.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::fake_server::{FakeServer, Reply, Seen, TestCa, forward};
use crate::support::{Output, Portal, SEED, TOKEN};

const ONE_FOLDER: &str =
    "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { access: read }\n";

/// Runs the binary against `url` in a fresh directory holding `manifest`.
fn run(url: &str, manifest: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("links.yaml"), manifest).expect("manifest");
    run_in(dir.path(), url, args, env)
}

fn run_in(dir: &Path, url: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_docspace-links"));
    cmd.args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DOCSPACE_URL", url)
        .env("DOCSPACE_TOKEN", TOKEN)
        .env("NO_COLOR", "1")
        .env("DOCSPACE_LINKS_PROGRESS_MS", "0");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("binary runs");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn plan(url: &str) -> Output {
    run(url, ONE_FOLDER, &["plan", "-f", "links.yaml"], &[])
}

/// No Rust `Debug` dump of an error reaches the person reading.
fn assert_words(out: &Output) {
    let all = out.all();
    for debug in ["Error {", "kind:", "Custom {", "source:", "inner:"] {
        assert!(!all.contains(debug), "a Debug dump (`{debug}`):\n{all}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_on_a_read_is_not_followed() {
    let elsewhere = FakeServer::always(|| {
        Reply::json(200, r#"{"status":0,"response":{"folders":[],"total":0}}"#)
    })
    .await
    .untouched();
    let target = format!("{}/api/2.0/files/rooms?token=sk-leak", elsewhere.url());
    let portal = FakeServer::start(move |_| {
        let target = target.clone();
        async move { Reply::empty(302, &[("Location", &target)]) }
    })
    .await;

    let out = plan(&portal.url());
    assert_eq!(out.code, 1, "{}", out.all());
    let expected = format!(
        "the portal answered 302 redirecting to {}/…",
        elsewhere.url()
    );
    assert!(out.all().contains(&expected), "{}", out.all());
    assert!(out.all().contains("follows no redirect"), "{}", out.all());
    assert!(
        !out.all().contains("sk-leak"),
        "the Location's query was shown"
    );
    assert!(!portal.requests().is_empty());
    assert_eq!(elsewhere.connections(), 0, "the redirect was followed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_on_a_write_never_carries_the_password_away() {
    const PASSWORD: &str = "N3w-secret-pass";
    let sim = Portal::start(SEED).await;
    let elsewhere = FakeServer::always(|| Reply::json(200, r#"{"status":0}"#))
        .await
        .untouched();
    let (upstream, away) = (sim.url(), elsewhere.url());
    // Reads go to the real (simulated) portal; every write is sent elsewhere.
    let proxy = FakeServer::start(move |seen: Seen| {
        let (upstream, away) = (upstream.clone(), away.clone());
        async move {
            if seen.method == "GET" {
                forward(&upstream, &seen).await
            } else {
                let to = format!("{away}{}", seen.target);
                Reply::empty(307, &[("Location", &to)])
            }
        }
    })
    .await;
    sim.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { access: read, password: { env: DOCSPACE_LINK_PW } }\n",
    );

    let out = run_in(
        sim.dir(),
        &proxy.url(),
        &["apply", "-f", "links.yaml", "--yes"],
        &[("DOCSPACE_LINK_PW", PASSWORD)],
    );
    assert_ne!(out.code, 0, "{}", out.all());
    assert!(
        out.all().contains("answered 307 redirecting to")
            && out.all().contains("follows no redirect"),
        "{}",
        out.all()
    );
    assert!(!out.all().contains(PASSWORD), "{}", out.all());
    let writes: Vec<Seen> = proxy
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .collect();
    assert!(!writes.is_empty(), "apply sent no write: {}", out.all());
    assert!(writes.iter().any(|w| w.text().contains(PASSWORD)));
    assert_eq!(elsewhere.connections(), 0, "the write was sent on");
    assert_eq!(
        sim.primary("Marketing/Press kit").await.unwrap()["password"],
        "s3cret-pass",
        "the portal's link changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_is_cut_off() {
    // A portal that passes the check, then streams a links answer without end.
    let sim = Portal::start(SEED).await;
    let upstream = sim.url();
    let portal = FakeServer::start(move |seen: Seen| {
        let upstream = upstream.clone();
        async move {
            if seen.target.ends_with("/links") {
                Reply::Endless
            } else {
                forward(&upstream, &seen).await
            }
        }
    })
    .await;
    let out = plan(&portal.url());
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.all().contains("larger than 8 MiB"), "{}", out.all());

    // Straight away, the portal check says the address is wrong.
    let endless = FakeServer::always(|| Reply::Endless).await;
    let out = plan(&endless.url());
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stderr.contains("more than 8 MiB"), "{}", out.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_retry_after_is_not_waited_for() {
    let portal = FakeServer::always(|| Reply::empty(429, &[("Retry-After", "100000")])).await;
    let out = plan(&portal.url());
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all().contains("asked to wait 27 h 46 min"),
        "{}",
        out.all()
    );
    assert_eq!(portal.requests().len(), 1, "retried a wait it refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_a_year_ahead_is_not_waited_for() {
    let portal = FakeServer::start(|_| async {
        let year = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs()
            + 365 * 86400;
        let year = year.to_string();
        Reply::empty(
            429,
            &[
                ("X-RateLimit-Limit", "1500"),
                ("X-RateLimit-Remaining", "0"),
                ("X-RateLimit-Reset", &year),
            ],
        )
    })
    .await;
    let out = plan(&portal.url());
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.all().contains("asked to wait 87"), "{}", out.all());
    assert_eq!(portal.requests().len(), 1, "retried a wait it refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_429_is_retried_after_a_backoff_not_at_once() {
    let sim = Portal::start(SEED).await;
    sim.write("links.yaml", ONE_FOLDER);
    let upstream = sim.url();
    let limited = Arc::new(AtomicBool::new(false));
    let times = Arc::new(Mutex::new(Vec::new()));
    let proxy = {
        let (limited, times) = (limited.clone(), times.clone());
        FakeServer::start(move |seen: Seen| {
            let (upstream, limited, times) = (upstream.clone(), limited.clone(), times.clone());
            async move {
                times.lock().unwrap().push(Instant::now());
                // The per-minute limit's answer: no Retry-After, no reset.
                if !limited.swap(true, Ordering::SeqCst) {
                    return Reply::empty(
                        429,
                        &[
                            ("X-RateLimit-Limit", "1500"),
                            ("X-RateLimit-Remaining", "0"),
                        ],
                    );
                }
                forward(&upstream, &seen).await
            }
        })
        .await
    };
    let out = run_in(sim.dir(), &proxy.url(), &["plan", "-f", "links.yaml"], &[]);
    assert!([0, 2].contains(&out.code), "{}", out.all());
    let times = times.lock().unwrap();
    assert!(times.len() >= 2, "{} requests", times.len());
    // A lower bound only: a backoff never ends early.
    let gap = times[1] - times[0];
    assert!(
        gap >= Duration::from_secs(1),
        "retried {gap:?} after a bare 429"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_down_everywhere_stops_the_run_early() {
    let portal = FakeServer::always(|| Reply::Full {
        status: 503,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: b"<html><body>503 Service Unavailable</body></html>".to_vec(),
    })
    .await;
    let entries = 200;
    let mut manifest = String::from("version: 1\nfolders:\n");
    for id in 0..entries {
        let _ = writeln!(manifest, "  - id: {}\n    link: absent", 1000 + id);
    }
    let out = run(&portal.url(), &manifest, &["plan", "-f", "links.yaml"], &[]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all().contains("stopped sending requests"),
        "{}",
        out.all()
    );
    assert!(out.all().contains("server error 503"), "{}", out.all());
    // Without the breaker: 8 attempts for every entry.
    let sent = portal.requests().len();
    assert!(sent < entries, "{sent} requests for {entries} entries");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_connection_fails_at_once_in_words() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = plan(&format!("http://127.0.0.1:{port}"));
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all()
            .contains(&format!("connection refused by 127.0.0.1:{port}")),
        "{}",
        out.all()
    );
    assert!(!out.all().contains("attempts"), "{}", out.all());
    assert_words(&out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_private_ca_is_refused_by_default_and_trusted_through_ssl_cert_file() {
    let ca = TestCa::new();
    let sim = Portal::start(SEED).await;
    let upstream = sim.url();
    let tls = FakeServer::start_tls(ca.server.clone(), move |seen: Seen| {
        let upstream = upstream.clone();
        async move { forward(&upstream, &seen).await }
    })
    .await;
    sim.write("links.yaml", ONE_FOLDER);

    let refused = run_in(sim.dir(), &tls.url(), &["plan", "-f", "links.yaml"], &[]);
    assert_eq!(refused.code, 1, "{}", refused.all());
    assert!(
        refused.all().contains("certificate not trusted"),
        "{}",
        refused.all()
    );
    assert!(refused.all().contains("SSL_CERT_FILE"), "{}", refused.all());
    assert_words(&refused);
    assert_eq!(tls.connections(), 1, "a certificate error was retried");

    let ca_file = sim.write("ca.pem", &ca.ca_pem);
    let trusted = run_in(
        sim.dir(),
        &tls.url(),
        &["plan", "-f", "links.yaml"],
        &[("SSL_CERT_FILE", ca_file.to_str().unwrap())],
    );
    assert!([0, 2].contains(&trusted.code), "{}", trusted.all());
    assert!(trusted.stdout.contains("Press kit"), "{}", trusted.all());

    let missing = run_in(
        sim.dir(),
        &tls.url(),
        &["plan", "-f", "links.yaml"],
        &[("SSL_CERT_FILE", "/nonexistent/ca.pem")],
    );
    assert_eq!(missing.code, 1, "{}", missing.all());
    assert!(
        missing
            .all()
            .contains("SSL_CERT_FILE `/nonexistent/ca.pem` cannot be read"),
        "{}",
        missing.all()
    );
}

#[test]
fn portal_addresses_are_checked_before_any_request() {
    let out = plan("https://alice:Pa55-in-the-url@127.0.0.1:9");
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.all().contains("user name or password"), "{}", out.all());
    assert!(!out.all().contains("Pa55-in-the-url"), "{}", out.all());
    assert!(!out.all().contains("alice"), "{}", out.all());

    let out = plan("127.0.0.1:8080");
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.all().contains("add https://"), "{}", out.all());

    let out = plan("https://portal.example.com/api/2.0");
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.all().contains("drop `/api/2.0`"), "{}", out.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_echoing_the_key_has_it_scrubbed() {
    let portal = FakeServer::start(|seen: Seen| async move {
        let echoed = seen.header("authorization").unwrap_or_default().to_owned();
        Reply::json(
            403,
            &serde_json::json!({
                "status": 1, "statusCode": 403,
                "error": { "message": format!("bad credentials: {echoed}") }
            })
            .to_string(),
        )
    })
    .await;
    let out = plan(&portal.url());
    assert!(
        portal.requests()[0].header("authorization") == Some(&format!("Bearer {TOKEN}")),
        "the server did not see the key"
    );
    assert!(!out.all().contains(TOKEN), "{}", out.all());
    assert!(
        out.all().contains("bad credentials: Bearer [hidden]"),
        "{}",
        out.all()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_flagged_as_failed_is_not_data() {
    let portal = FakeServer::always(|| {
        Reply::json(
            200,
            r#"{"status":1,"statusCode":200,"response":{"folders":[],"total":0},"error":{"message":"Boom"}}"#,
        )
    })
    .await;
    let out = plan(&portal.url());
    // An empty room list taken as data would say the room does not exist.
    assert!(!out.all().contains("no folder named"), "{}", out.all());
    assert!(
        out.all().contains("flagged the answer as failed"),
        "{}",
        out.all()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_is_checked_once_before_planning() {
    let sim = Portal::start(SEED).await;
    let out = plan(&sim.url());
    assert_eq!(out.code, 0, "{}", out.all());
    let requests = sim.requests().await;
    assert_eq!(requests[0]["path"], "/api/2.0/files/@my", "{requests:?}");
    let probes = requests
        .iter()
        .filter(|r| r["path"] == "/api/2.0/files/@my")
        .count();
    assert_eq!(probes, 1, "{requests:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_check_says_what_is_wrong_before_any_plan() {
    let sim = Portal::start(SEED).await;
    let wrong_key = run(
        &sim.url(),
        ONE_FOLDER,
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_TOKEN", "sk-wrong")],
    );
    let no_scope = FakeServer::always(|| Reply::empty(403, &[])).await;
    let html = FakeServer::always(|| Reply::Full {
        status: 200,
        headers: vec![("Content-Type".into(), "text/html".into())],
        body: b"<!doctype html><title>Welcome</title>".to_vec(),
    })
    .await;
    let not_found = FakeServer::always(|| Reply::empty(404, &[])).await;
    let down = FakeServer::always(|| Reply::empty(503, &[])).await;
    for (out, says) in [
        (wrong_key, "DOCSPACE_TOKEN"),
        (
            plan(&no_scope.url()),
            "the portal refused the API key, or the key lacks the scope files:read this request needs",
        ),
        (plan(&html.url()), "without /api/2.0"),
        (plan(&not_found.url()), "without /api/2.0"),
        (plan(&down.url()), "503"),
    ] {
        assert_eq!(out.code, 1, "{}", out.all());
        assert!(out.stderr.contains(says), "no {says:?} in {}", out.stderr);
        assert_eq!(out.stdout, "", "no plan header before a plan exists");
        assert_eq!(out.stderr.matches("error:").count(), 1, "{}", out.stderr);
        assert_words(&out);
    }
    assert_eq!(
        down.requests().len(),
        3,
        "the check gives a blip three tries"
    );
    assert_eq!(html.requests().len(), 1);
}

/// A proxy that cuts listing pages short would hide folders (or the twin that makes
/// a title ambiguous): a listing that sends fewer entries than its total is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listing_cut_short_is_not_believed() {
    let portal = FakeServer::start(|seen: Seen| async move {
        if seen.target.starts_with("/api/2.0/files/rooms") {
            let rooms: Vec<String> = (0..50)
                .map(|i| format!(r#"{{"id":{},"title":"Room {i}","roomType":5}}"#, 1000 + i))
                .collect();
            Reply::json(
                200,
                &format!(
                    r#"{{"response":{{"folders":[{}],"total":120}},"count":1,"status":0,"statusCode":200}}"#,
                    rooms.join(",")
                ),
            )
        } else {
            Reply::json(
                200,
                r#"{"response":{"folders":[],"total":0},"count":1,"status":0,"statusCode":200}"#,
            )
        }
    })
    .await;
    let out = run(
        &portal.url(),
        "version: 1\nfolders:\n  - path: Marketing\n    link: { access: read }\n",
        &["plan", "-f", "links.yaml"],
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all()
            .contains("a listing says it has 120 entries but sent 50"),
        "{}",
        out.all()
    );
}
