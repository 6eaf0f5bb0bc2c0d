//! A forwarding proxy in front of the simulator that runs a hook before it passes
//! each request on: the hook plays the person who edits the portal by hand at the
//! worst possible moment (between apply's read and its write), or the server that
//! answers one route badly.
//!
//! When dropped it checks that the tool went through it and that no hook panicked
//! (a hook's `assert!` would otherwise be a 500 the tool may well survive).

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures::FutureExt;

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// What the proxy does with a request once the hook has run.
pub enum Answer {
    /// Pass it on and send the portal's answer back.
    Forward,
    /// Answer this status and JSON body instead; the portal never sees it.
    Instead(u16, String),
    /// Pass it on, then lose the portal's answer: a 502 from "a proxy" instead,
    /// after the portal has acted.
    Lose,
    /// Pass it on, and send back the portal's answer body as this edits it.
    Edit(fn(String) -> String),
}

type Hook = Arc<
    dyn Fn(Method, String, usize) -> Pin<Box<dyn Future<Output = Answer> + Send>> + Send + Sync,
>;

pub struct Proxy {
    pub url: String,
    seen: Arc<Mutex<HashMap<(Method, String), usize>>>,
    keyed: Arc<Mutex<HashMap<(Method, String), usize>>>,
    panicked: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
        if std::thread::panicking() {
            return;
        }
        assert!(
            !self.panicked.load(Ordering::SeqCst),
            "a hook of the proxy at {} panicked",
            self.url
        );
        assert!(
            !self.seen.lock().unwrap().is_empty(),
            "the proxy at {} was never used",
            self.url
        );
    }
}

#[derive(Clone)]
struct State {
    upstream: String,
    http: reqwest::Client,
    hook: Hook,
    /// How many requests with each method and path were seen, this one included.
    seen: Arc<Mutex<HashMap<(Method, String), usize>>>,
    /// Of those, how many carried an `Authorization` header.
    keyed: Arc<Mutex<HashMap<(Method, String), usize>>>,
    panicked: Arc<AtomicBool>,
}

impl Proxy {
    /// Forwards to `upstream`; `hook(method, path, n)` runs before the `n`th
    /// request (1-based) with that method and path is passed on.
    pub async fn start<F, Fut>(upstream: String, hook: F) -> Proxy
    where
        F: Fn(Method, String, usize) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Proxy::answering(upstream, move |m, p, n| {
            let done = hook(m, p, n);
            async move {
                done.await;
                Answer::Forward
            }
        })
        .await
    }

    /// Like `start`, but a hook that returns an answer sends it instead of
    /// forwarding the request.
    pub async fn answering<F, Fut>(upstream: String, hook: F) -> Proxy
    where
        F: Fn(Method, String, usize) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Answer> + Send + 'static,
    {
        let state = State {
            upstream,
            http: reqwest::Client::new(),
            hook: Arc::new(move |m, p, n| Box::pin(hook(m, p, n))),
            seen: Arc::default(),
            keyed: Arc::default(),
            panicked: Arc::default(),
        };
        let seen = state.seen.clone();
        let keyed = state.keyed.clone();
        let panicked = state.panicked.clone();
        let app = axum::Router::new().fallback(forward).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Proxy {
            url,
            seen,
            keyed,
            panicked,
            task,
        }
    }

    /// How many `method path` requests the tool sent through the proxy.
    pub fn count(&self, method: Method, path: &str) -> usize {
        self.seen
            .lock()
            .unwrap()
            .get(&(method, path.to_owned()))
            .copied()
            .unwrap_or(0)
    }

    /// How many `method path` requests carried an `Authorization` header.
    pub fn count_with_key(&self, method: Method, path: &str) -> usize {
        self.keyed
            .lock()
            .unwrap()
            .get(&(method, path.to_owned()))
            .copied()
            .unwrap_or(0)
    }
}

async fn forward(
    axum::extract::State(state): axum::extract::State<State>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_owned();
    let n = {
        let mut seen = state.seen.lock().unwrap();
        let n = seen.entry((method.clone(), path.clone())).or_default();
        *n += 1;
        *n
    };
    if headers.contains_key("authorization") {
        *state
            .keyed
            .lock()
            .unwrap()
            .entry((method.clone(), path.clone()))
            .or_default() += 1;
    }
    let hooked = AssertUnwindSafe((state.hook)(method.clone(), path, n))
        .catch_unwind()
        .await;
    let Ok(answer) = hooked else {
        state.panicked.store(true, Ordering::SeqCst);
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "the test's hook panicked",
        )
            .into_response();
    };
    let (lose, edit) = match answer {
        Answer::Instead(status, body) => {
            let status = StatusCode::from_u16(status).unwrap();
            return (status, [("content-type", "application/json")], body).into_response();
        }
        Answer::Lose => (true, None),
        Answer::Forward => (false, None),
        Answer::Edit(edit) => (false, Some(edit)),
    };
    let url = format!(
        "{}{}",
        state.upstream,
        uri.path_and_query().map_or("/", |p| p.as_str())
    );
    let mut req = state.http.request(method, url).body(body);
    for (name, value) in &headers {
        if name != "host" {
            req = req.header(name, value);
        }
    }
    match req.send().await {
        Ok(r) if lose => {
            let _ = r.bytes().await;
            (
                StatusCode::BAD_GATEWAY,
                "<html><body>502 Bad Gateway</body></html>",
            )
                .into_response()
        }
        Ok(r) => {
            let status = StatusCode::from_u16(r.status().as_u16()).unwrap();
            let headers = r.headers().clone();
            let mut body = r.bytes().await.unwrap_or_default();
            if let Some(edit) = edit {
                body = edit(String::from_utf8_lossy(&body).into_owned()).into();
            }
            let mut resp = (status, body).into_response();
            for (name, value) in &headers {
                if name != "content-length" && name != "transfer-encoding" {
                    resp.headers_mut().insert(name, value.clone());
                }
            }
            resp
        }
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}
