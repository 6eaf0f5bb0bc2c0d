//! One cheap authenticated request before anything else: a wrong address, a
//! refused key or a portal that is down is said once, in words, instead of once
//! per folder after every folder's retries.

use std::time::Duration;

use reqwest::{Method, StatusCode};

use super::body::{self, Body};
use super::error::ApiError;
use super::transport::{Limits, Request, Transport};

/// `GET @my?count=1&filterType=2`: the first subfolder of My Documents.
///
/// - It is under `files/` but not `files/rooms`, so the scope it needs is
///   `files:read` (AuthorizationExtension.ScopesMap in DocSpace-server), which
///   every key this tool can use has; `GET rooms` would need `rooms:read`, which a
///   manifest naming only ids or My Documents paths does not.
/// - It does not serve anonymous visitors, so a bad key is a plain 401
///   (docspace-api.md 3).
/// - It never creates anything the portal would not create on any folder read:
///   every `FolderDto` the server builds already looks up the user's My Documents.
/// - A user without My Documents (a guest) gets a JSON 404, which still proves the
///   address and the key: that is accepted below.
const PROBE_PATH: &str = "@my";

/// The check gives a blip a second chance, not a sick portal a minute.
const PROBE_LIMITS: Limits = Limits {
    attempts: 3,
    time: Duration::from_secs(10),
};

impl Transport {
    /// Checks once, before planning, that the address is a DocSpace portal's, that
    /// it accepts the API key, and that it is up. Errors:
    /// - [`ApiError::WrongPortal`]: an HTML page, a 404 that is not DocSpace's, JSON
    ///   that is not DocSpace's envelope;
    /// - [`ApiError::Unauthorized`] (401) or [`ApiError::Forbidden`] with no
    ///   message (a key without `files:read`);
    /// - [`ApiError::PortalDown`]: 5xx, timeouts, dropped connections, rate limits
    ///   that outlast the check;
    /// - [`ApiError::Unreachable`] and [`ApiError::Redirected`] as for any request.
    pub async fn check_portal(&self) -> Result<(), ApiError> {
        let query = [("count", "1".to_owned()), ("filterType", "2".to_owned())];
        let req = Request {
            method: Method::GET,
            path: PROBE_PATH,
            query: &query,
            body: None,
        };
        let outcome = self
            .exchange(&req, PROBE_LIMITS, |status, body| {
                status.is_success()
                    || status == StatusCode::NOT_FOUND
                    || (status == StatusCode::FORBIDDEN && has_message(body))
            })
            .await;
        let result = match outcome {
            Ok(answer) => judge(answer.status, &answer.body),
            Err(e) => Err(match e {
                e if e.portal_unwell() && !matches!(e, ApiError::Unreachable { .. }) => {
                    ApiError::PortalDown { cause: Box::new(e) }
                }
                ApiError::Rejected { status, .. } => ApiError::WrongPortal {
                    reason: format!("the address answers {status} to DocSpace's files API"),
                },
                e => e,
            }),
        };
        result.map_err(|e| e.map_text(&|t: &str| self.scrub(t)))?;
        if self.release.get().is_none() {
            let release = self.read_release().await;
            let _ = self.release.set(release);
        }
        Ok(())
    }
}

fn has_message(body: &Body) -> bool {
    matches!(body, Body::Whole(b) if body::server_message(b).is_some())
}

fn judge(status: StatusCode, body: &Body) -> Result<(), ApiError> {
    let Body::Whole(body) = body else {
        return Err(ApiError::WrongPortal {
            reason: format!(
                "the address answers with more than {} MiB where DocSpace sends a few hundred bytes",
                body::MAX_BODY >> 20
            ),
        });
    };
    let wrong = |reason: &str| {
        Err(ApiError::WrongPortal {
            reason: reason.to_owned(),
        })
    };
    if body::looks_like_html(body) {
        return wrong("the address answers with an HTML page, not DocSpace's API");
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return wrong("the address answers with something that is not JSON");
    };
    if status.is_success() {
        // DocSpace's success envelope: `status` 0 and a `response`.
        return match (v.get("status").and_then(|s| s.as_i64()), v.get("response")) {
            (Some(0), Some(_)) => Ok(()),
            (Some(s), _) if s != 0 => Err(ApiError::Decode(format!(
                "the portal answered 200 but flagged the answer as failed (status {s})"
            ))),
            _ => wrong("the address answers JSON, but not DocSpace's"),
        };
    }
    // A 404 or 403 with DocSpace's error envelope: the API is there and took the
    // key; this user simply has no My Documents to show.
    if v.get("error").and_then(|e| e.get("message")).is_some() {
        Ok(())
    } else {
        wrong(&format!(
            "the address answers {} to DocSpace's files API",
            status.as_u16()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(s: &str) -> Body {
        Body::Whole(s.as_bytes().to_vec())
    }

    #[test]
    fn a_docspace_answer_passes() {
        let ok = r#"{"response":{"folders":[],"total":0},"count":1,"status":0,"statusCode":200}"#;
        assert!(judge(StatusCode::OK, &whole(ok)).is_ok());
        let guest = r#"{"status":1,"statusCode":404,"error":{"message":"The required folder was not found"}}"#;
        assert!(judge(StatusCode::NOT_FOUND, &whole(guest)).is_ok());
    }

    #[test]
    fn anything_else_is_the_wrong_address() {
        for (status, body, says) in [
            (StatusCode::OK, "<!doctype html><html></html>", "HTML page"),
            (StatusCode::NOT_FOUND, "<html>Not Found</html>", "HTML page"),
            (StatusCode::NOT_FOUND, "", "not JSON"),
            (StatusCode::NOT_FOUND, r#"{"detail":"nope"}"#, "answers 404"),
            (StatusCode::OK, r#"{"data":[]}"#, "not DocSpace's"),
        ] {
            let Err(ApiError::WrongPortal { reason }) = judge(status, &whole(body)) else {
                panic!("{status} {body} passed")
            };
            assert!(reason.contains(says), "{body}: {reason}");
            let shown = ApiError::WrongPortal { reason }.to_string();
            assert!(shown.contains("without /api/2.0"), "{shown}");
        }
        assert!(matches!(
            judge(StatusCode::OK, &Body::TooLarge),
            Err(ApiError::WrongPortal { .. })
        ));
    }
}
