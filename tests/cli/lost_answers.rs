//! The server acted, then its answer was lost (issue 14, item 2): a dropped
//! connection, DocSpace's JSON 500, a proxy's 502 page, a 200 cut short. One apply
//! re-reads, finds the write done, and converges: no second primary link, no lost
//! password, and the circuit breaker does not take a flaky write path for a dead
//! portal. And a portal that is down still ends the run soon, with one error.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use docspace_links::sim::harness::Generated;

use crate::fake_server::{FakeServer, Reply, Seen, forward};
use crate::support::Portal;

/// The four ways an answer is lost after the server acted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Loss {
    Dropped,
    Json500,
    Html502,
    Truncated200,
}

const LOSSES: [Loss; 4] = [
    Loss::Dropped,
    Loss::Json500,
    Loss::Html502,
    Loss::Truncated200,
];

/// A proxy in front of the simulator that forwards every request, and for the
/// first write to each folder loses the simulator's answer (after it acted), in
/// the four ways in turn. Returns the proxy and the losses it dealt, by kind.
pub(crate) async fn losing_proxy(
    upstream: String,
) -> (FakeServer, Arc<Mutex<HashMap<Loss, usize>>>) {
    let dealt: Arc<Mutex<HashMap<Loss, usize>>> = Arc::default();
    let written: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let proxy = {
        let dealt = dealt.clone();
        FakeServer::start(move |seen: Seen| {
            let (upstream, dealt, written) = (upstream.clone(), dealt.clone(), written.clone());
            async move {
                let loss = (seen.method != "GET").then(|| {
                    let folder = seen.target.trim_end_matches('s').to_owned();
                    let mut w = written.lock().unwrap();
                    let order = w.len();
                    let n = w.entry(folder).or_insert(0);
                    *n += 1;
                    (*n == 1).then_some(LOSSES[order % LOSSES.len()])
                });
                let reply = forward(&upstream, &seen).await;
                let Some(Some(loss)) = loss else {
                    return reply;
                };
                *dealt.lock().unwrap().entry(loss).or_default() += 1;
                match loss {
                    Loss::Dropped => Reply::Hangup,
                    Loss::Json500 => Reply::json(
                        500,
                        r#"{"status":1,"statusCode":500,"error":{"message":"Internal error"}}"#,
                    ),
                    Loss::Html502 => Reply::Full {
                        status: 502,
                        headers: vec![("Content-Type".into(), "text/html".into())],
                        body: b"<html><body>502 Bad Gateway</body></html>".to_vec(),
                    },
                    Loss::Truncated200 => match reply {
                        Reply::Full { body, .. } => Reply::Truncated { status: 200, body },
                        other => other,
                    },
                }
            }
        })
        .await
    };
    (proxy, dealt)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_answers_of_every_kind_converge_in_one_apply() {
    // 160 folders: every other one has a password link to update, the rest get a
    // link created; each folder's first write loses its answer, 40 of each kind.
    let g = Generated {
        rooms: 4,
        per_room: 40,
    };
    let seed = g.seed(|r, f| {
        (f % 2 == 0).then(|| {
            format!(
                "{{ access: read, password: {} }}",
                Generated::password(r, f)
            )
        })
    });
    let portal = Portal::start(&seed).await;
    portal.write(
        "links.yaml",
        &g.manifest("{ access: review, deny_download: true }"),
    );
    let (proxy, dealt) = losing_proxy(portal.url()).await;
    let proxy_url = proxy.url();
    // Every folder changes at once, far over the safety shares: --force.
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--force"],
        &[("DOCSPACE_URL", proxy_url.as_str())],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(!out.all().contains("not working"), "{}", out.all());
    for loss in LOSSES {
        assert_eq!(dealt.lock().unwrap().get(&loss), Some(&40), "{loss:?}");
    }

    let check = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(check.code, 0, "not converged: {}", check.all());
    for r in 0..g.rooms {
        for f in 0..g.per_room {
            let path = Generated::path(r, f);
            // `primary` asserts there is at most one primary link.
            let link = portal
                .primary(&path)
                .await
                .expect("every folder has its link");
            assert_eq!(link["access"], "review", "{path}");
            if f % 2 == 0 {
                assert_eq!(
                    link["password"],
                    Generated::password(r, f),
                    "{path} lost its password"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_portal_down_ends_the_run_in_under_30_s_with_one_error() {
    // A gateway in front of a dead portal: 502 pages for everything, after the
    // portal check (so that the breaker, not the check, has to end the run).
    let sim = Portal::start(crate::support::SEED).await;
    let upstream = sim.url();
    let first = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let proxy = FakeServer::start(move |seen: Seen| {
        let (upstream, first) = (upstream.clone(), first.clone());
        async move {
            // The portal check passes; everything after it, the breaker's probes
            // (the check's own route) included, fails.
            if first.swap(false, std::sync::atomic::Ordering::SeqCst) {
                return forward(&upstream, &seen).await;
            }
            Reply::Full {
                status: 502,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: b"<html><body>502 Bad Gateway</body></html>".to_vec(),
            }
        }
    })
    .await;
    let mut manifest = String::from("version: 1\nfolders:\n");
    for id in 0..200 {
        let _ = writeln!(manifest, "  - id: {}\n    link: absent", 1000 + id);
    }
    sim.write("links.yaml", &manifest);
    let started = Instant::now();
    let out = sim.run_env(
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_URL", proxy.url().as_str())],
    );
    let took = started.elapsed();
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert_eq!(
        out.all().matches("stopped sending requests").count(),
        1,
        "one error: {}",
        out.all()
    );
    assert!(out.all().contains("server error 502"), "{}", out.all());
    // The probes went: more than the requests that opened the breaker, far fewer
    // than every entry's retries.
    let sent = proxy.requests().len();
    assert!(sent < 200, "{sent} requests");
}
