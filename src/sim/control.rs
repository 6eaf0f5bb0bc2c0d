//! `/__sim/`: the control endpoints tests and benchmarks use (design.md 3).
//! Not part of DocSpace: no token, never delayed, faulted or logged.

use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Serialize;

use super::App;
use super::envelope::json;
use super::faults::Faults;
use super::state::{Kind, Portal};

/// Every answered API request, compact: benchmarks log hundreds of thousands.
#[derive(Default)]
pub(crate) struct RequestLog {
    entries: Mutex<Vec<Entry>>,
}

struct Entry {
    method: Method,
    path: Box<str>,
    status: u16,
}

impl RequestLog {
    pub(crate) fn record(&self, method: Method, path: &str, status: StatusCode) {
        let entry = Entry {
            method,
            path: path.into(),
            status: status.as_u16(),
        };
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(entry);
    }
}

#[derive(Serialize)]
struct LoggedRequest<'a> {
    method: &'a str,
    path: &'a str,
    status: u16,
}

pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/__sim/requests", get(requests))
        .route("/__sim/state", get(state))
        .route("/__sim/faults", post(set_faults).get(faults))
}

async fn requests(State(app): State<Arc<App>>) -> Response {
    let entries = app
        .log
        .entries
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    let listed: Vec<LoggedRequest> = entries
        .iter()
        .map(|e| LoggedRequest {
            method: e.method.as_str(),
            path: &e.path,
            status: e.status,
        })
        .collect();
    json(StatusCode::OK, &listed)
}

#[derive(Serialize)]
struct PortalState {
    folders: Vec<FolderState>,
}

#[derive(Serialize)]
struct FolderState {
    id: u32,
    path: String,
    links: Vec<LinkState>,
}

/// A link in manifest vocabulary.
#[derive(Serialize)]
struct LinkState {
    id: String,
    primary: bool,
    access: &'static str,
    title: Box<str>,
    password: Option<Box<str>>,
    expires: Option<String>,
    deny_download: bool,
    internal: bool,
}

async fn state(State(app): State<Arc<App>>) -> Response {
    let snapshot = snapshot(&app.portal());
    json(StatusCode::OK, &snapshot)
}

fn snapshot(portal: &Portal) -> PortalState {
    let mut positions: Vec<u32> = (0..portal.folders.len() as u32)
        .filter(|&p| matches!(portal.folder(p).kind, Kind::Room(_) | Kind::Plain(_)))
        .collect();
    positions.sort_unstable_by_key(|&p| portal.folder(p).id);
    let folders = positions
        .into_iter()
        .map(|pos| {
            let folder = portal.folder(pos);
            FolderState {
                id: folder.id,
                path: portal.manifest_path(pos),
                links: folder
                    .links
                    .iter()
                    .map(|l| LinkState {
                        id: l.id.hyphenated().to_string(),
                        primary: l.primary,
                        access: l.level.manifest_word(),
                        title: l.title.clone(),
                        password: l.password.clone(),
                        expires: l.expires.map(|e| e.to_string()),
                        deny_download: l.deny_download,
                        internal: l.internal,
                    })
                    .collect(),
            }
        })
        .collect();
    PortalState { folders }
}

async fn set_faults(State(app): State<Arc<App>>, body: Bytes) -> Response {
    let text = if body.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        &body[..]
    };
    match serde_json::from_slice::<Faults>(text) {
        Ok(faults) => {
            app.faults.set(faults.clone());
            json(StatusCode::OK, &faults)
        }
        Err(err) => json(
            StatusCode::BAD_REQUEST,
            &serde_json::json!({ "error": err.to_string() }),
        ),
    }
}

async fn faults(State(app): State<Arc<App>>) -> Response {
    json(StatusCode::OK, &app.faults.current())
}
