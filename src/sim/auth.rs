//! Who is calling, and may they (docspace-api.md 3 and 6): API keys with optional
//! scopes, and the answers the server gives a missing, a wrong or a too narrow key.
//!
//! The answer depends on the route. Routes that also serve anonymous visitors of a
//! shared link (`[AllowAnonymous]` in the controllers) answer a wrong key with an
//! empty `403` instead of the empty `401` of every other route, and let an anonymous
//! request through to the handler, which then refuses it in its own words.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};

/// An accepted API key. No scopes means full access, like a key created without any.
pub(crate) struct ApiKey {
    pub(crate) key: Box<str>,
    pub(crate) scopes: Box<[Box<str>]>,
    /// Whose key: an index into `Portal::users`.
    pub(crate) user: UserId,
}

/// A user of the portal; 0 is the owner.
pub(crate) type UserId = u16;

/// Who is calling, for the handlers: set by the gate on every request that
/// passed it with a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Who {
    pub(crate) user: UserId,
    pub(crate) manages: bool,
}

/// The scope areas the simulated routes belong to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Area {
    /// `files/folder/...`, `files/{id}`, `files/@my`.
    Files,
    /// `files/rooms/...`: room listings and lookups too.
    Rooms,
    /// `people/@self`: `accounts.self:read` (or `:write`), per the server's scope
    /// map (`common/ASC.Api.Core/Auth/AuthorizationExtension.cs:45-46`).
    AccountsSelf,
}

impl Area {
    fn name(self) -> &'static str {
        match self {
            Area::Files => "files",
            Area::Rooms => "rooms",
            Area::AccountsSelf => "accounts.self",
        }
    }
}

impl ApiKey {
    /// `AREA:write` also grants `AREA:read`; `*:read`, `*:write` and `*` span areas.
    pub(crate) fn permits(&self, area: Area, write: bool) -> bool {
        self.scopes.is_empty()
            || self.scopes.iter().any(|scope| {
                if &**scope == "*" {
                    return true;
                }
                let Some((name, level)) = scope.split_once(':') else {
                    return false;
                };
                (name == "*" || name == area.name())
                    && (level == "write" || (level == "read" && !write))
            })
    }
}

/// Whether a seed's scope is one the simulator understands: `*`, or `NAME:read` /
/// `NAME:write` (scopes of other areas are accepted and simply grant nothing here).
pub(crate) fn is_scope(scope: &str) -> bool {
    scope == "*"
        || scope.split_once(':').is_some_and(|(name, level)| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c == '*' || c == '.' || c.is_ascii_lowercase())
                && matches!(level, "read" | "write")
        })
}

/// The visitor routes: the server's `[AllowAnonymous]` actions the simulator serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Visitor {
    /// `GET folder/{id}` and `GET rooms/{id}`: an anonymous caller gets a `401` with
    /// a JSON body.
    FolderInfo,
    /// `GET {folderId}`: an anonymous caller gets a `403` with a JSON body.
    Contents,
    /// `GET folder/{id}/link`.
    PrimaryLink,
}

/// What the gate needs to know about a request's route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RouteKind {
    pub(crate) area: Area,
    pub(crate) write: bool,
    pub(crate) visitor: Option<Visitor>,
}

impl RouteKind {
    /// From the path itself: the gate runs around the router's routes, each of which
    /// is named here by its shape.
    pub(crate) fn of(request: &Request) -> RouteKind {
        let path = request.uri().path();
        if path.starts_with("/api/2.0/people/") {
            return RouteKind {
                area: Area::AccountsSelf,
                write: request.method() != Method::GET,
                visitor: None,
            };
        }
        let rest = path.strip_prefix("/api/2.0/files/").unwrap_or(path);
        let segments: Vec<&str> = rest.split('/').collect();
        let get = request.method() == Method::GET;
        let visitor = match segments[..] {
            ["folder" | "rooms", _] if get => Some(Visitor::FolderInfo),
            ["folder", _, "link"] if get => Some(Visitor::PrimaryLink),
            [id] if get && !matches!(id, "rooms" | "@my") => Some(Visitor::Contents),
            _ => None,
        };
        RouteKind {
            area: if segments[0] == "rooms" {
                Area::Rooms
            } else {
                Area::Files
            },
            write: !get,
            visitor,
        }
    }
}

/// A request's credentials as the server sees them.
pub(crate) enum Caller<'a> {
    /// No `Authorization` header at all.
    Anonymous,
    /// A header that names no accepted key, or not as `Bearer`.
    Unknown,
    Key(&'a ApiKey),
}

pub(crate) fn caller<'a>(keys: &'a [ApiKey], headers: &HeaderMap) -> Caller<'a> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Caller::Anonymous;
    };
    let token = match value.to_str().ok().and_then(|v| v.split_once(' ')) {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Caller::Unknown,
    };
    keys.iter()
        .find(|k| &*k.key == token)
        .map_or(Caller::Unknown, Caller::Key)
}

/// Marks a request that reached a visitor route without credentials.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Anonymous;

#[cfg(test)]
mod tests {
    use super::*;

    fn key(scopes: &[&str]) -> ApiKey {
        ApiKey {
            key: "sk-x".into(),
            scopes: scopes.iter().map(|s| (*s).into()).collect(),
            user: 0,
        }
    }

    #[test]
    fn write_scopes_grant_reads_and_wildcards_span_areas() {
        let read = key(&["files:read"]);
        assert!(read.permits(Area::Files, false));
        assert!(!read.permits(Area::Files, true));
        assert!(!read.permits(Area::Rooms, false));
        let write = key(&["files:write", "rooms:read"]);
        assert!(write.permits(Area::Files, false) && write.permits(Area::Files, true));
        assert!(write.permits(Area::Rooms, false) && !write.permits(Area::Rooms, true));
        assert!(key(&["*:read"]).permits(Area::Rooms, false));
        assert!(!key(&["*:read"]).permits(Area::Rooms, true));
        assert!(key(&["*:write"]).permits(Area::Rooms, true));
        assert!(key(&["*"]).permits(Area::Files, true));
        assert!(
            key(&[]).permits(Area::Rooms, true),
            "no scopes: full access"
        );
        assert!(!key(&["accounts:write"]).permits(Area::Files, false));
        let me = key(&["accounts.self:read"]);
        assert!(me.permits(Area::AccountsSelf, false) && !me.permits(Area::Files, false));
        assert!(!key(&["files:read", "rooms:read"]).permits(Area::AccountsSelf, false));
        assert!(key(&["*:read"]).permits(Area::AccountsSelf, false));
    }

    fn kind(method: Method, path: &str) -> RouteKind {
        let request = Request::builder()
            .method(method)
            .uri(format!("/api/2.0/files/{path}"))
            .body(axum::body::Body::empty())
            .expect("request");
        RouteKind::of(&request)
    }

    #[test]
    fn routes_are_told_apart_by_shape() {
        let visitor = |m, p| kind(m, p).visitor;
        assert_eq!(visitor(Method::GET, "folder/7"), Some(Visitor::FolderInfo));
        assert_eq!(visitor(Method::GET, "rooms/7"), Some(Visitor::FolderInfo));
        assert_eq!(
            visitor(Method::GET, "folder/7/link"),
            Some(Visitor::PrimaryLink)
        );
        assert_eq!(visitor(Method::GET, "7"), Some(Visitor::Contents));
        for path in ["folder/7/links", "rooms/7/link", "rooms", "@my"] {
            assert_eq!(visitor(Method::GET, path), None, "{path}");
        }
        assert_eq!(visitor(Method::POST, "folder/7/link"), None);
        assert_eq!(kind(Method::GET, "rooms").area, Area::Rooms);
        assert_eq!(kind(Method::PUT, "rooms/7/links").area, Area::Rooms);
        assert!(kind(Method::PUT, "rooms/7/links").write);
        assert_eq!(kind(Method::GET, "folder/7/links").area, Area::Files);
    }

    #[test]
    fn scope_syntax() {
        for ok in [
            "*",
            "files:read",
            "rooms:write",
            "*:read",
            "accounts:write",
            "accounts.self:read",
        ] {
            assert!(is_scope(ok), "{ok}");
        }
        for bad in ["files", "files:admin", ":read", "Files:read", "files:read "] {
            assert!(!is_scope(bad), "{bad}");
        }
    }
}
