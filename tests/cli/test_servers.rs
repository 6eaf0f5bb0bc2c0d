//! The test servers keep their promises: a fake server or proxy that a test set up
//! and the tool never used, or whose handler failed an assertion, fails the test
//! when dropped instead of passing quietly.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::fake_server::{FakeServer, Reply};
use crate::proxy::Proxy;

fn drop_fails<T>(server: T) -> bool {
    catch_unwind(AssertUnwindSafe(|| drop(server))).is_err()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fake_server_nobody_reached_fails_the_test() {
    let server = FakeServer::always(|| Reply::empty(200, &[])).await;
    assert!(drop_fails(server));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_promised_untouched_that_was_reached_fails_the_test() {
    let server = FakeServer::always(|| Reply::empty(200, &[]))
        .await
        .untouched();
    let _ = reqwest::get(server.url()).await;
    assert!(drop_fails(server));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_panicked_fails_the_test() {
    let server = FakeServer::start(|_| async { panic!("the handler's own assertion") }).await;
    // The client sees a closed connection, which a tool may survive.
    assert!(reqwest::get(server.url()).await.is_err());
    assert!(drop_fails(server));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reached_server_whose_handlers_held_passes() {
    let server = FakeServer::always(|| Reply::empty(204, &[])).await;
    let answer = reqwest::get(server.url()).await.expect("answered");
    assert_eq!(answer.status(), 204);
    assert!(!drop_fails(server));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_nobody_used_or_whose_hook_panicked_fails_the_test() {
    let upstream = FakeServer::always(|| Reply::empty(200, &[])).await;
    let unused = Proxy::start(upstream.url(), |_, _, _| async {}).await;
    assert!(drop_fails(unused));

    let panicking = Proxy::start(upstream.url(), |_, _, _| async { panic!("hook") }).await;
    let answer = reqwest::get(&panicking.url).await.expect("answered");
    assert_eq!(answer.status(), 500);
    assert!(drop_fails(panicking));

    let used = Proxy::start(upstream.url(), |_, _, _| async {}).await;
    assert_eq!(
        reqwest::get(&used.url).await.expect("answered").status(),
        200
    );
    assert!(!drop_fails(used));
}
