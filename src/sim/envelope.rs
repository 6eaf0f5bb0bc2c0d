//! The server's response envelopes (docspace-api.md 3) and its error answers.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;

/// The request as the envelope's `links` echoes it.
#[derive(Serialize)]
pub(crate) struct Href {
    pub(crate) href: String,
    pub(crate) action: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Success<'a, T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    response: Option<T>,
    count: usize,
    links: [&'a Href; 1],
    status: u8,
    status_code: u16,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Failure<'a> {
    status: u8,
    status_code: u16,
    error: ErrorBody<'a>,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    message: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    stack: &'a str,
    hresult: i32,
}

/// ASP.NET's `ValidationProblemDetails`, which the server wraps in a success-shaped
/// envelope with `status: 1`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ValidationProblem<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
    status: u16,
    errors: std::collections::BTreeMap<&'a str, [&'a str; 1]>,
    trace_id: &'static str,
}

/// `count` of the envelope: the list length, 1 for an object, 0 for nothing.
/// `status_one` is the hostile switch: a 200 whose envelope flags an error.
pub(crate) fn ok<T: Serialize>(
    href: &Href,
    response: Option<T>,
    count: usize,
    status_one: bool,
) -> Response {
    let body = Success {
        response,
        count,
        links: [href],
        status: u8::from(status_one),
        status_code: 200,
    };
    json(StatusCode::OK, &body)
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ApiError {
    NotFound(&'static str),
    Forbidden(String),
    /// An anonymous caller on a visitor route that needs a user: the server's
    /// `AuthenticationException`, a 401 with a JSON body.
    Unauthenticated,
    Validation {
        field: &'static str,
        message: String,
    },
}

pub(crate) const ROLE_NOT_AVAILABLE: &str = "The role is not available for this user type";
pub(crate) const ACCESS_DENIED: &str = "Access denied";
/// `ErrorMessage_SecurityException` (FilesCommonResource.resx).
pub(crate) const NO_PERMISSION: &str = "You don't have enough permission to perform the operation";
pub(crate) const FOLDER_NOT_FOUND: &str = "The required folder was not found";
pub(crate) const CANNOT_VIEW_FOLDER: &str =
    "You don't have enough permission to view the folder content";

impl ApiError {
    pub(crate) fn too_many_links(max: usize) -> ApiError {
        ApiError::Forbidden(format!("The maximum number of links may not exceed {max}"))
    }

    pub(crate) fn into_response(self, href: &Href) -> Response {
        let (status, message, kind) = match &self {
            ApiError::Unauthenticated => {
                // Written without a stack trace: no `type`, no `stack`, `hresult` 0.
                // The message is .NET's for a bare `AuthenticationException`.
                let body = serde_json::json!({
                    "status": 1,
                    "statusCode": 401,
                    "error": {"message": "System error.", "hresult": 0},
                });
                return json(StatusCode::UNAUTHORIZED, &body);
            }
            ApiError::NotFound(m) => (
                StatusCode::NOT_FOUND,
                *m,
                "ASC.Common.Web.ItemNotFoundException",
            ),
            ApiError::Forbidden(m) => (
                StatusCode::FORBIDDEN,
                m.as_str(),
                "System.Security.SecurityException",
            ),
            ApiError::Validation { field, message } => {
                let problem = ValidationProblem {
                    kind: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
                    title: "One or more validation errors occurred.",
                    status: 400,
                    errors: [(*field, [message.as_str()])].into_iter().collect(),
                    trace_id: "00-00000000000000000000000000000000-0000000000000000-00",
                };
                let body = Success {
                    response: Some(problem),
                    count: 1,
                    links: [href],
                    status: 1,
                    status_code: 400,
                };
                return json(StatusCode::BAD_REQUEST, &body);
            }
        };
        let body = Failure {
            status: 1,
            status_code: status.as_u16(),
            error: ErrorBody {
                message,
                kind,
                stack: "   at ASC.Files.Core.Services.FileStorageService (simulated)",
                hresult: -2146233088,
            },
        };
        json(status, &body)
    }
}

/// 401, 429 and a key's 403 come without a body, like the real server's.
pub(crate) fn empty(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

/// What a reverse proxy in front of the portal answers on 502/503/504.
pub(crate) fn proxy_error_page(status: StatusCode) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let code = status.as_u16();
    let page = format!(
        "<html>\r\n<head><title>{code} {reason}</title></head>\r\n<body>\r\n<center><h1>{code} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    let mut response = Response::new(Body::from(page));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    response
}

/// Any other injected failure: the server's error envelope.
pub(crate) fn injected_error(status: StatusCode) -> Response {
    let body = Failure {
        status: 1,
        status_code: status.as_u16(),
        error: ErrorBody {
            message: status.canonical_reason().unwrap_or("Error"),
            kind: "System.Exception",
            stack: "   at ASC.Api.Core (simulated fault)",
            hresult: -2146233088,
        },
    };
    json(status, &body)
}

pub(crate) fn json<T: Serialize>(status: StatusCode, body: &T) -> Response {
    // Serialising plain structs of strings and numbers cannot fail.
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
