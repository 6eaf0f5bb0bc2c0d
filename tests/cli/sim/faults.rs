//! Injected faults: latency, errors, the rate limiter, dropped connections.

use std::time::{Duration, Instant};

use docspace_links::sim::{Faults, SimConfig};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Answer, PORTAL, Portal};

async fn faulty(faults: Faults) -> Portal {
    Portal::with(
        PORTAL,
        SimConfig {
            faults,
            ..SimConfig::default()
        },
    )
    .await
}

#[tokio::test]
async fn latency_delays_api_requests_but_not_control_ones() {
    let portal = faulty(Faults {
        latency_ms: 150,
        ..Faults::default()
    })
    .await;
    let started = Instant::now();
    portal.get("folder/101/links").await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    let started = Instant::now();
    portal.control(Method::GET, "requests", None).await;
    assert!(started.elapsed() < Duration::from_millis(150));
}

#[tokio::test]
async fn proxy_errors_come_with_an_html_body() {
    for status in [502u16, 503, 504] {
        let portal = faulty(Faults {
            error_rate: 1.0,
            error_status: status,
            ..Faults::default()
        })
        .await;
        let answer = portal.get("folder/101/links").await;
        assert_eq!(answer.status.as_u16(), status);
        assert!(answer.text.starts_with("<html>"), "{}", answer.text);
        assert!(
            answer.headers["content-type"]
                .to_str()
                .expect("ascii")
                .starts_with("text/html")
        );
    }
}

#[tokio::test]
async fn injected_401_and_429_are_empty_and_others_are_envelopes() {
    for (status, empty) in [(401u16, true), (429, true), (500, false), (403, false)] {
        let portal = faulty(Faults {
            error_rate: 1.0,
            error_status: status,
            ..Faults::default()
        })
        .await;
        let answer = portal.get("folder/101/links").await;
        assert_eq!(answer.status.as_u16(), status);
        assert_eq!(answer.text.is_empty(), empty, "{status}: {}", answer.text);
        if !empty {
            assert_eq!(answer.json["statusCode"], status);
        }
    }
}

#[tokio::test]
async fn injected_failures_change_nothing() {
    let portal = faulty(Faults {
        error_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let answer = portal
        .put("folder/102/links", json!({"access": 2, "primary": true}))
        .await;
    assert_eq!(answer.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        portal.folder_state(102).await["links"]
            .as_array()
            .expect("links")
            .is_empty()
    );
}

#[tokio::test]
async fn errors_are_reproducible_from_the_seed() {
    let statuses = |portal: Portal| async move {
        let mut seen = Vec::new();
        for _ in 0..40 {
            seen.push(portal.get("folder/101/links").await.status.as_u16());
        }
        seen
    };
    let faults = Faults {
        error_rate: 0.5,
        seed: 42,
        ..Faults::default()
    };
    let first = statuses(faulty(faults.clone()).await).await;
    let second = statuses(faulty(faults).await).await;
    assert_eq!(first, second);
    assert!(first.contains(&200) && first.contains(&503));
}

/// A limit other than the daily cap: an empty 429 with only these two headers.
fn assert_bare_429(answer: &Answer, limit: &str) {
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.text, "");
    assert_eq!(answer.headers["x-ratelimit-limit"], limit);
    assert_eq!(answer.headers["x-ratelimit-remaining"], "0");
    for absent in ["retry-after", "x-ratelimit-reset"] {
        assert!(!answer.headers.contains_key(absent), "{absent}");
    }
}

#[tokio::test]
async fn the_window_limit_answers_a_bare_429() {
    let portal = faulty(Faults {
        rate_limit_per_sec: Some(3.0),
        ..Faults::default()
    })
    .await;
    // As the server: an admitted request says nothing of the limit
    // (RateLimitMetadata.OnRejected is the only writer of these headers).
    for _ in 0..3 {
        let ok = portal.get("folder/101/links").await;
        assert_eq!(ok.status, StatusCode::OK);
        for absent in [
            "x-ratelimit-limit",
            "x-ratelimit-remaining",
            "x-ratelimit-reset",
            "retry-after",
        ] {
            assert!(!ok.headers.contains_key(absent), "{absent}");
        }
    }
    assert_bare_429(&portal.get("folder/101/links").await, "3");
    // One second after the first request, it has left the window.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(portal.get("folder/101/links").await.status, StatusCode::OK);
    let log = portal.control(Method::GET, "requests", None).await;
    assert_eq!(log[3]["status"], 429);
}

async fn parallel_statuses(portal: &Portal, method: Method, n: usize) -> Vec<Answer> {
    let body = (method != Method::GET).then(|| json!({"access": 0}));
    let calls = (0..n).map(|_| portal.call(method.clone(), "folder/102/links", body.clone()));
    futures::future::join_all(calls).await
}

#[tokio::test]
async fn the_limiter_caps_parallel_writes_at_fifteen() {
    let portal = faulty(Faults {
        rate_limit_per_sec: Some(10_000.0),
        latency_ms: 300,
        ..Faults::default()
    })
    .await;
    let answers = parallel_statuses(&portal, Method::PUT, 20).await;
    let throttled: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(throttled.len(), 5);
    for answer in throttled {
        assert_bare_429(answer, "15");
    }
}

#[tokio::test]
async fn the_limiter_caps_parallel_reads_at_fifty() {
    let portal = faulty(Faults {
        rate_limit_per_sec: Some(10_000.0),
        latency_ms: 300,
        ..Faults::default()
    })
    .await;
    let answers = parallel_statuses(&portal, Method::GET, 60).await;
    let throttled: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.status == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert_eq!(throttled.len(), 10);
    for answer in throttled {
        assert_bare_429(answer, "50");
    }
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

#[tokio::test]
async fn the_daily_write_cap_says_when_to_come_back() {
    let portal = Portal::start().await;
    portal
        .control(
            Method::POST,
            "faults",
            Some(json!({"daily_write_limit": 2})),
        )
        .await;
    let created = portal
        .post("folder/102/link", json!({"access": 2, "title": "One"}))
        .await;
    assert_eq!(created.status, StatusCode::OK);
    assert_eq!(
        portal
            .put("folder/150/links", json!({"access": 2, "primary": true}))
            .await
            .status,
        StatusCode::OK
    );
    let before = unix_now();
    let refused = portal
        .put("folder/600/links", json!({"access": 2, "primary": true}))
        .await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.text, "");
    assert_eq!(refused.headers["x-ratelimit-limit"], "2");
    assert_eq!(refused.headers["x-ratelimit-remaining"], "0");
    let header = |name: &str| -> u64 {
        refused.headers[name]
            .to_str()
            .expect("ascii")
            .parse()
            .expect("a number")
    };
    // The day started with the first write, moments ago.
    let retry_after = header("retry-after");
    assert!((86_390..=86_400).contains(&retry_after), "{retry_after}");
    let reset = header("x-ratelimit-reset");
    assert!(
        (before + 86_390..=before + 86_401).contains(&reset),
        "{reset}, a Unix time"
    );
    assert_eq!(portal.folder_state(600).await["links"], json!([]));
    // Reads are not writes.
    assert_eq!(portal.get("folder/600/links").await.status, StatusCode::OK);
}

#[tokio::test]
async fn dropped_connections_get_no_answer_and_are_not_logged() {
    let portal = faulty(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    })
    .await;
    let sent = portal
        .client()
        .get(portal.api("folder/101/links"))
        .bearer_auth("sk-test")
        .send()
        .await;
    assert!(sent.is_err(), "{sent:?}");
    // Byte for byte: the connection closes and not a single byte of answer comes.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut raw = tokio::net::TcpStream::connect(portal.sim.addr())
        .await
        .expect("connects");
    raw.write_all(b"GET /api/2.0/files/folder/101/links HTTP/1.1\r\nHost: sim\r\nAuthorization: Bearer sk-test\r\n\r\n")
        .await
        .expect("request written");
    let mut answer = Vec::new();
    // A reset instead of a clean close is fine too: either way, no answer.
    let read = tokio::time::timeout(Duration::from_secs(5), raw.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection stayed open");
    assert!(answer.is_empty(), "{}", String::from_utf8_lossy(&answer));
    let log = portal.control(Method::GET, "requests", None).await;
    assert_eq!(log, json!([]));
}
