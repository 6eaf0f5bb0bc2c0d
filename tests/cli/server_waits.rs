//! Every wait the portal asks for is bounded and said (issue 14, item 7): past the
//! run's wait budget the run ends at once with an error naming the header, instead
//! of sleeping.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::fake_server::{FakeServer, Reply, Seen, forward};
use crate::support::{Portal, SEED};

const MANIFEST: &str = "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { access: read }\n  - path: Marketing/Brand assets\n    link: { access: read }\n  - path: Marketing/Archive\n    link: absent\n";

/// A proxy in front of the simulator that, from the `from`th request on (1-based),
/// answers with `odd(reply)` instead.
async fn proxy(
    portal: &Portal,
    from: usize,
    odd: fn(Reply) -> Reply,
) -> (FakeServer, Arc<AtomicUsize>) {
    let upstream = portal.url();
    let count = Arc::new(AtomicUsize::new(0));
    let seen_count = count.clone();
    let server = FakeServer::start(move |seen: Seen| {
        let (upstream, count) = (upstream.clone(), seen_count.clone());
        async move {
            let n = count.fetch_add(1, Ordering::SeqCst) + 1;
            let reply = forward(&upstream, &seen).await;
            if n >= from { odd(reply) } else { reply }
        }
    })
    .await;
    (server, count)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_200_saying_nothing_is_left_for_an_hour_ends_the_run_naming_the_headers() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    // Answers as usual, with headers no release sends on admitted requests but a
    // proxy might: nothing left, the allowance back in an hour.
    let (proxy, count) = proxy(&portal, 1, |reply| match reply {
        Reply::Full {
            status,
            mut headers,
            body,
        } => {
            headers.push(("X-RateLimit-Remaining".into(), "0".into()));
            headers.push(("X-RateLimit-Reset".into(), "3600".into()));
            Reply::Full {
                status,
                headers,
                body,
            }
        }
        other => other,
    })
    .await;
    let started = Instant::now();
    let out = portal.run_env(
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_URL", proxy.url().as_str())],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(started.elapsed() < Duration::from_secs(10), "it waited");
    assert!(
        out.stderr.contains("asked to wait 1 h (X-RateLimit-Remaining: 0 with X-RateLimit-Reset on a 200 answer), until "),
        "{}",
        out.all()
    );
    assert_eq!(
        out.all().matches("asked to wait").count(),
        1,
        "{}",
        out.all()
    );
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "asked again after the refusal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_asking_for_a_long_wait_mid_run_ends_it_naming_retry_after() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    // The portal check and the rooms go through; then the daily write cap's kind
    // of answer, with a Retry-After of ten minutes.
    let (proxy, count) = proxy(&portal, 3, |_| {
        Reply::empty(
            429,
            &[
                ("Retry-After", "600"),
                ("X-RateLimit-Limit", "10000"),
                ("X-RateLimit-Remaining", "0"),
            ],
        )
    })
    .await;
    let started = Instant::now();
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--force"],
        &[("DOCSPACE_URL", proxy.url().as_str())],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(started.elapsed() < Duration::from_secs(10), "it waited");
    assert!(
        out.stderr
            .contains("asked to wait 10 min (Retry-After on a 429 answer), until "),
        "{}",
        out.all()
    );
    assert!(out.stderr.contains("UTC"), "{}", out.all());
    // Requests in flight then are answered, nothing after: no retries of a wait
    // the run refused.
    let sent = count.load(Ordering::SeqCst);
    assert!(sent <= 3 + 16, "{sent} requests");
    assert!(portal.writes().await.is_empty(), "nothing was written");
}
