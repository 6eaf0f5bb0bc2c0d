//! The DocSpace routes under `/api/2.0/files/` (docspace-api.md 1 and 5), behind
//! the gate every API request passes: faults, rate limit, token, request log.
//! Over 500 lines because it is the whole route table; each handler is short.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use jiff::Timestamp;
use serde::Serialize;

use super::App;
use super::access::RoomType;
use super::access::Scope;
use super::auth::{self, Anonymous, Caller, RouteKind, Visitor, Who};
use super::envelope::{
    self, ACCESS_DENIED, ApiError, CANNOT_VIEW_FOLDER, FOLDER_NOT_FOUND, Href, NO_PERMISSION,
};
use super::faults::{RateHeaders, Verdict};
use super::links::{Route, Written};
use super::seed::SeedRole;
use super::state::{Kind, Portal, Pos};
use super::wire::{
    Employee, FolderContent, FolderEntry, LinkEntry, LinkWrite, PathPart, SelfProfile, View,
};

/// The server lists at most this many links, without paging.
const MAX_LISTED_LINKS: usize = 100;
/// `ApiContext.DefaultCount` and `MaxCount`: listings take `count` in 1..=100.
const DEFAULT_PAGE: usize = 100;
const MAX_PAGE: i64 = 100;

pub(crate) fn routes(app: Arc<App>) -> Router<Arc<App>> {
    Router::new()
        .route(
            "/api/2.0/files/folder/{id}/links",
            get(folder_links).put(put_folder_link),
        )
        .route(
            "/api/2.0/files/folder/{id}/link",
            get(get_folder_link).post(post_folder_link),
        )
        .route("/api/2.0/files/folder/{id}", get(folder_info))
        .route(
            "/api/2.0/files/rooms/{id}/links",
            get(room_links).put(put_room_link),
        )
        .route("/api/2.0/files/rooms/{id}/link", get(get_room_link))
        .route("/api/2.0/files/rooms/{id}", get(folder_info))
        .route("/api/2.0/files/rooms", get(rooms))
        .route("/api/2.0/files/@my", get(my_documents))
        .route("/api/2.0/files/{id}", get(folder_contents))
        .route("/api/2.0/people/@self", get(self_profile))
        .layer(middleware::from_fn_with_state(app, gate))
}

/// Faults first (a proxy or the limiter answers before the portal does), then the
/// key and its scopes; every answer is logged.
async fn gate(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = judged(&app, request, next).await;
    app.log.record(method, &path, response.status());
    response
}

async fn judged(app: &App, mut request: Request, next: Next) -> Response {
    // The limiter partitions by user, else by address (`BaseStartup.cs:228-303`):
    // every key of one user shares one budget; callers without a known key share
    // the loopback address's.
    let partition = {
        let portal = app.portal();
        match auth::caller(&portal.keys, request.headers()) {
            Caller::Key(key) => Some(key.user),
            _ => None,
        }
    };
    let (latency, error, slot) = match app.faults.judge(request.method(), partition) {
        Verdict::Throttle(headers) => {
            let mut response = envelope::empty(StatusCode::TOO_MANY_REQUESTS);
            add_rate_headers(response.headers_mut(), headers);
            return response;
        }
        Verdict::Serve {
            latency,
            error,
            slot,
        } => (latency, error, slot),
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let response = match error
        .map(|s| StatusCode::from_u16(s).unwrap_or(StatusCode::SERVICE_UNAVAILABLE))
    {
        Some(
            s @ (StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT),
        ) => envelope::proxy_error_page(s),
        Some(s @ (StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS)) => envelope::empty(s),
        Some(s) => envelope::injected_error(s),
        None => {
            let route = RouteKind::of(&request);
            match refusal(app, &route, request.headers()) {
                Err(status) => envelope::empty(status),
                Ok(who) => {
                    match who {
                        None => {
                            request.extensions_mut().insert(Anonymous);
                        }
                        Some(who) => {
                            request.extensions_mut().insert(who);
                        }
                    }
                    next.run(request).await
                }
            }
        }
    };
    drop(slot);
    response
}

/// The empty-bodied refusal of a request's credentials, or who goes on: a user, or
/// an anonymous visitor (`Ok(None)`): only visitor routes that answer anonymous
/// callers themselves let one through.
fn refusal(app: &App, route: &RouteKind, headers: &HeaderMap) -> Result<Option<Who>, StatusCode> {
    let portal = app.portal();
    match auth::caller(&portal.keys, headers) {
        Caller::Anonymous => match route.visitor {
            Some(Visitor::FolderInfo | Visitor::Contents) => Ok(None),
            _ => Err(StatusCode::UNAUTHORIZED),
        },
        Caller::Unknown if route.visitor.is_some() => Err(StatusCode::FORBIDDEN),
        Caller::Unknown => Err(StatusCode::UNAUTHORIZED),
        Caller::Key(key) if !key.permits(route.area, route.write) => Err(StatusCode::FORBIDDEN),
        Caller::Key(key) => Ok(Some(Who {
            user: key.user,
            manages: portal.users[usize::from(key.user)].1 == SeedRole::Manager,
        })),
    }
}

fn add_rate_headers(headers: &mut HeaderMap, rate: RateHeaders) {
    let mut put = |name: &'static str, value: u64| {
        headers.insert(name, HeaderValue::from(value));
    };
    put("x-ratelimit-limit", rate.limit);
    put("x-ratelimit-remaining", rate.remaining);
    if let Some(reset) = rate.reset {
        put("x-ratelimit-reset", reset);
    }
    if let Some(after) = rate.retry_after {
        put("retry-after", after);
    }
}

/// A handler's answer before it is wrapped in the envelope.
struct Answer<T> {
    body: Option<T>,
    count: usize,
}

impl<T> Answer<T> {
    fn one(body: T) -> Answer<T> {
        Answer {
            body: Some(body),
            count: 1,
        }
    }
}

fn respond<T: Serialize>(
    app: &App,
    method: Method,
    uri: &Uri,
    result: Result<Answer<T>, ApiError>,
) -> Response {
    let href = Href {
        href: format!("{}{}", app.base, uri),
        action: method.as_str().to_owned(),
    };
    match result {
        Ok(answer) => envelope::ok(
            &href,
            answer.body,
            answer.count,
            app.faults.envelope_status_one(),
        ),
        Err(err) => err.into_response(&href),
    }
}

fn view(app: &App, who: Option<Who>) -> View<'_> {
    View {
        base: &app.base,
        offset: app.config.portal_offset,
        echo_passwords: app.config.echo_passwords,
        omit_link_titles: app.faults.omit_link_titles(),
        now: Timestamp::now(),
        manages: who.is_some_and(|w| w.manages),
    }
}

/// The caller the gate let through with a key; handlers of routes without visitors
/// always have one.
type Caller_ = Option<Extension<Who>>;

fn who(caller: Caller_) -> Who {
    caller.map_or(
        Who {
            user: 0,
            manages: false,
        },
        |Extension(w)| w,
    )
}

/// Ids are integers; anything else, zero or negative is an unknown folder.
fn locate(portal: &Portal, id: &str) -> Result<Pos, ApiError> {
    id.parse::<i64>()
        .ok()
        .filter(|&id| id > 0)
        .and_then(|id| portal.find(id))
        .ok_or(ApiError::NotFound(FOLDER_NOT_FOUND))
}

fn locate_room(portal: &Portal, id: &str) -> Result<Pos, ApiError> {
    locate(portal, id).and_then(|pos| match portal.folder(pos).kind {
        Kind::Room(_) => Ok(pos),
        _ => Err(ApiError::NotFound(FOLDER_NOT_FOUND)),
    })
}

/// A caller who may not manage the links gets 200 and `[]`
/// (`FileSharing.cs:719-728`), whatever the listing says of `shared`.
fn link_list(portal: &Portal, pos: Pos, view: &View) -> Answer<Vec<LinkEntry>> {
    let folder = portal.folder(pos);
    let entries: Vec<LinkEntry> = match folder.scope() {
        Some(scope) if view.manages => folder
            .links
            .iter()
            .take(MAX_LISTED_LINKS)
            .map(|l| LinkEntry::new(l, scope, view))
            .collect(),
        _ => Vec::new(),
    };
    Answer {
        count: entries.len(),
        body: Some(entries),
    }
}

fn one_link(portal: &Portal, pos: Pos, index: usize, view: &View) -> LinkEntry {
    let folder = portal.folder(pos);
    let scope = folder.scope().unwrap_or(Scope::MyDocuments);
    LinkEntry::new(&folder.links[index], scope, view)
}

fn written(portal: &Portal, pos: Pos, outcome: Written, view: &View) -> Answer<LinkEntry> {
    match outcome {
        Written::Link(i) => Answer::one(one_link(portal, pos, i, view)),
        Written::Regenerated(i) => {
            Answer::one(one_link(portal, pos, i, view).without_request_token())
        }
        Written::Nothing => Answer {
            body: None,
            count: 0,
        },
    }
}

async fn folder_links(
    State(app): State<Arc<App>>,
    uri: Uri,
    Path(id): Path<String>,
    caller: Caller_,
) -> Response {
    let view = view(&app, Some(who(caller)));
    let result = {
        let portal = app.portal();
        locate(&portal, &id).map(|pos| link_list(&portal, pos, &view))
    };
    respond(&app, Method::GET, &uri, result)
}

async fn room_links(
    State(app): State<Arc<App>>,
    uri: Uri,
    Path(id): Path<String>,
    caller: Caller_,
) -> Response {
    let view = view(&app, Some(who(caller)));
    let result = {
        let portal = app.portal();
        locate_room(&portal, &id).map(|pos| link_list(&portal, pos, &view))
    };
    respond(&app, Method::GET, &uri, result)
}

async fn get_folder_link(
    State(app): State<Arc<App>>,
    uri: Uri,
    Path(id): Path<String>,
    caller: Caller_,
) -> Response {
    let result = get_or_create(&app, &id, locate, who(caller), None).await;
    respond(&app, Method::GET, &uri, result)
}

async fn get_room_link(
    State(app): State<Arc<App>>,
    uri: Uri,
    Path(id): Path<String>,
    caller: Caller_,
) -> Response {
    let result = get_or_create(&app, &id, locate_room, who(caller), None).await;
    respond(&app, Method::GET, &uri, result)
}

async fn post_folder_link(
    State(app): State<Arc<App>>,
    uri: Uri,
    Path(id): Path<String>,
    caller: Caller_,
    body: Bytes,
) -> Response {
    let result = match LinkWrite::parse(&body, app.config.portal_offset).map(LinkWrite::trim_title)
    {
        Ok(write) => get_or_create(&app, &id, locate, who(caller), Some(write)).await,
        Err(err) => Err(err),
    };
    respond(&app, Method::POST, &uri, result)
}

/// `GET .../link` (no body) and `POST folder/{id}/link`: the primary link, else a
/// new one. Two steps with no lock between them, as on the server
/// (`FileStorageService.cs:3989-4022`), held apart by `create_gap_ms`.
///
/// A caller who may not manage links sees the primary link of a room or of a
/// folder in a public room (`CheckAccessAsync`, `FileSharing.cs:1037-1052`, for
/// rooms and public-room contents; `canEditAccess` elsewhere, 719-721), and
/// cannot create one: `CanSetAccessAsync` fails (`FileStorageService.cs:4000`).
async fn get_or_create(
    app: &App,
    id: &str,
    locate: fn(&Portal, &str) -> Result<Pos, ApiError>,
    who: Who,
    body: Option<LinkWrite>,
) -> Result<Answer<LinkEntry>, ApiError> {
    let view = view(app, Some(who));
    let (pos, write) = {
        let portal = app.portal();
        let pos = locate(&portal, id)?;
        let found = portal.find_primary(pos, app.config.revoked_primary)?;
        let folder = portal.folder(pos);
        let visible = who.manages
            || matches!(
                folder.kind,
                Kind::Room(_) | Kind::Plain(super::state::Home::Room(RoomType::Public))
            );
        match found {
            Some(i) if visible => return Ok(Answer::one(one_link(&portal, pos, i, &view))),
            _ if !who.manages => return Err(ApiError::Forbidden(NO_PERMISSION.to_owned())),
            Some(_) => unreachable!("a manager sees every link"),
            None => {}
        }
        let write = match body {
            Some(write) => write,
            None => portal.default_primary_write(pos)?,
        };
        (pos, write)
    };
    let gap = app.faults.create_gap();
    if gap.is_zero() {
        tokio::task::yield_now().await;
    } else {
        tokio::time::sleep(gap).await;
    }
    let mut portal = app.portal();
    let outcome = portal.create_primary(pos, write, who.user, view.now)?;
    Ok(written(&portal, pos, outcome, &view))
}

async fn put_folder_link(
    State(app): State<Arc<App>>,
    uri: Uri,
    Path(id): Path<String>,
    caller: Caller_,
    body: Bytes,
) -> Response {
    let result = put_link(&app, &id, &body, Route::Folder, who(caller));
    respond(&app, Method::PUT, &uri, result)
}

async fn put_room_link(
    State(app): State<Arc<App>>,
    uri: Uri,
    Path(id): Path<String>,
    caller: Caller_,
    body: Bytes,
) -> Response {
    let result = put_link(&app, &id, &body, Route::Room, who(caller));
    respond(&app, Method::PUT, &uri, result)
}

/// External links have `linkType` 1 on the rooms route; 0, the default, would be
/// an invitation link, which the simulator does not model.
const EXTERNAL_LINK_TYPE: i64 = 1;

fn put_link(
    app: &App,
    id: &str,
    body: &[u8],
    route: Route,
    who: Who,
) -> Result<Answer<LinkEntry>, ApiError> {
    let view = view(app, Some(who));
    let write = LinkWrite::parse(body, app.config.portal_offset)?.trim_password();
    if route == Route::Room && write.link_type != EXTERNAL_LINK_TYPE {
        return Err(ApiError::Validation {
            field: "LinkType",
            message: "The simulator only models external links: send \"linkType\": 1.".to_owned(),
        });
    }
    let mut portal = app.portal();
    let pos = match route {
        Route::Folder => locate(&portal, id)?,
        Route::Room => locate_room(&portal, id)?,
    };
    if !who.manages {
        // `CanSetAccessAsync` (`FileSharing.cs:93-99`).
        return Err(ApiError::Forbidden(NO_PERMISSION.to_owned()));
    }
    let outcome = portal.put_link(pos, write, route, who.user, view.now)?;
    Ok(written(&portal, pos, outcome, &view))
}

/// `GET people/@self`: the caller's own profile (`UserController.cs:1590`). The
/// gate has checked the key's `accounts.self` scope.
async fn self_profile(State(app): State<Arc<App>>, uri: Uri, caller: Caller_) -> Response {
    let who = who(caller);
    let result = {
        let portal = app.portal();
        let (name, role) = &portal.users[usize::from(who.user)];
        Ok(Answer::one(SelfProfile {
            employee: Employee::new(&portal, who.user, &app.base),
            user_name: name.clone(),
            is_admin: who.user == 0,
            is_owner: who.user == 0,
            is_visitor: *role == SeedRole::Viewer,
            has_personal_folder: true,
        }))
    };
    respond(&app, Method::GET, &uri, result)
}

/// `GET folder/{id}` and `GET rooms/{id}`: one `FolderDto`, for any folder id. The
/// folder is looked up before the caller is: an anonymous caller learns 404 too.
async fn folder_info(
    State(app): State<Arc<App>>,
    uri: Uri,
    Path(id): Path<String>,
    anonymous: Option<Extension<Anonymous>>,
) -> Response {
    let view = view(&app, None);
    let result = {
        let portal = app.portal();
        locate(&portal, &id).and_then(|pos| match anonymous {
            Some(_) => Err(ApiError::Unauthenticated),
            None => Ok(Answer::one(FolderEntry::new(&portal, pos, &view))),
        })
    };
    respond(&app, Method::GET, &uri, result)
}

/// Listing parameters; ASP.NET binds query keys case-insensitively.
struct Listing {
    start: usize,
    count: usize,
    filter: Option<String>,
    folders_wanted: bool,
    recursive: bool,
}

/// `FilterType` values that can match folders: None and FoldersOnly.
const FILTER_NONE: i64 = 0;
const FILTER_FOLDERS_ONLY: i64 = 2;

impl Listing {
    fn parse(query: &[(String, String)]) -> Result<Listing, ApiError> {
        let find = |key: &str| {
            query
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.as_str())
        };
        let number = |key: &'static str, default: i64| -> Result<i64, ApiError> {
            find(key)
                .filter(|v| !v.is_empty())
                .map_or(Ok(default), |v| {
                    v.parse().map_err(|_| ApiError::Validation {
                        field: key,
                        message: format!("The value '{v}' is not valid."),
                    })
                })
        };
        let filter = find("filterValue")
            .filter(|v| !v.is_empty())
            .map(str::to_lowercase);
        let with_subfolders = match find("withSubFolders").map(str::trim) {
            None | Some("") => true,
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(v) => {
                return Err(ApiError::Validation {
                    field: "withSubFolders",
                    message: format!("The value '{v}' is not valid for WithSubFolders."),
                });
            }
        };
        let filter_type = number("filterType", FILTER_NONE)?;
        let count = number("count", DEFAULT_PAGE as i64)?;
        if !(1..=MAX_PAGE).contains(&count) {
            return Err(ApiError::Validation {
                field: "count",
                message: format!("The field Count must be between 1 and {MAX_PAGE}."),
            });
        }
        Ok(Listing {
            start: usize::try_from(number("startIndex", 0)?).unwrap_or(0),
            count: count as usize,
            // A search reaches into subfolders unless the caller says otherwise.
            recursive: filter.is_some() && with_subfolders,
            filter,
            folders_wanted: matches!(filter_type, FILTER_NONE | FILTER_FOLDERS_ONLY),
        })
    }

    fn matches(&self, title: &str) -> bool {
        self.filter
            .as_ref()
            .is_none_or(|f| contains_ignoring_case(title, f))
    }
}

/// `needle` is already lowercase. Searches scan thousands of titles per request:
/// ASCII titles are compared without allocating.
fn contains_ignoring_case(title: &str, needle: &str) -> bool {
    if title.is_ascii() && needle.is_ascii() {
        let (title, needle) = (title.as_bytes(), needle.as_bytes());
        needle.is_empty()
            || title
                .windows(needle.len())
                .any(|w| w.eq_ignore_ascii_case(needle))
    } else {
        title.to_lowercase().contains(needle)
    }
}

fn contents(portal: &Portal, pos: Pos, listing: &Listing, view: &View) -> FolderContent {
    let mut matched = Vec::new();
    if listing.folders_wanted {
        collect(portal, pos, listing, &mut matched);
    }
    let total = matched.len();
    let folders: Vec<FolderEntry> = matched
        .into_iter()
        .skip(listing.start)
        .take(listing.count)
        .map(|p| FolderEntry::new(portal, p, view))
        .collect();
    FolderContent {
        files: [],
        count: folders.len(),
        folders,
        current: FolderEntry::new(portal, pos, view),
        path_parts: portal
            .ancestry(pos)
            .into_iter()
            .map(|p| PathPart {
                id: portal.folder(p).id,
                title: portal.folder(p).title.clone(),
            })
            .collect(),
        start_index: listing.start,
        total,
        new: 0,
    }
}

fn collect(portal: &Portal, pos: Pos, listing: &Listing, out: &mut Vec<Pos>) {
    for &child in &portal.folder(pos).children {
        if listing.matches(&portal.folder(child).title) {
            out.push(child);
        }
        if listing.recursive {
            collect(portal, child, listing, out);
        }
    }
}

/// Which folder a listing route shows.
enum Target {
    /// `GET {folderId}`, which also serves anonymous visitors.
    Folder {
        id: String,
        anonymous: bool,
    },
    /// `GET rooms`: `filterValue` matches room titles only and `filterType` means a
    /// room type, which the simulator does not filter on.
    Rooms,
    MyDocuments,
}

fn listing_of(app: &App, uri: &Uri, query: &[(String, String)], target: Target) -> Response {
    let view = view(app, None);
    let result = Listing::parse(query).and_then(|mut listing| {
        let portal = app.portal();
        let pos = match &target {
            // Anonymous: `GetFolderItemsAsync` says an unknown folder is forbidden
            // (`GenerateException`), a known one not viewable.
            Target::Folder { id, anonymous } => match (locate(&portal, id), anonymous) {
                (Err(_), true) => return Err(ApiError::Forbidden(ACCESS_DENIED.to_owned())),
                (Ok(_), true) => return Err(ApiError::Forbidden(CANNOT_VIEW_FOLDER.to_owned())),
                (found, false) => found?,
            },
            Target::Rooms => {
                listing.recursive = false;
                listing.folders_wanted = true;
                portal.rooms_root
            }
            Target::MyDocuments => portal.my_root,
        };
        Ok(Answer::one(contents(&portal, pos, &listing, &view)))
    });
    respond(app, Method::GET, uri, result)
}

async fn folder_contents(
    State(app): State<Arc<App>>,
    uri: Uri,
    Path(id): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    anonymous: Option<Extension<Anonymous>>,
) -> Response {
    let target = Target::Folder {
        id,
        anonymous: anonymous.is_some(),
    };
    listing_of(&app, &uri, &query, target)
}

async fn rooms(
    State(app): State<Arc<App>>,
    uri: Uri,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    listing_of(&app, &uri, &query, Target::Rooms)
}

async fn my_documents(
    State(app): State<Arc<App>>,
    uri: Uri,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    listing_of(&app, &uri, &query, Target::MyDocuments)
}
