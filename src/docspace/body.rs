//! What an answer's body may be taken for: read up to a cap (an endless body is a
//! broken or hostile server), then decoded only when DocSpace's envelope says it is
//! data (`status` 0, docspace-api.md 3); an error body yields its `message` at most.

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The largest answer read. The largest DocSpace answers the tool asks for are a
/// page of 100 folders or a folder's at most 100 links, well under 1 MiB; an
/// answer past this is a broken or hostile server, and reading on would only
/// grow memory until the process is killed.
pub const MAX_BODY: usize = 8 << 20;

/// Of an error answer only the `message` is used: the rest is not even kept.
pub(super) const MAX_ERROR_BODY: usize = 64 << 10;

pub(crate) enum Body {
    Whole(Vec<u8>),
    /// Longer than the cap: reading stopped there.
    TooLarge,
}

pub(super) fn too_large() -> ApiError {
    ApiError::Decode(format!(
        "the answer is larger than {} MiB, far more than any DocSpace answer (a page of 100 entries is well under 1 MiB); stopped reading it",
        MAX_BODY >> 20
    ))
}

/// Reads the body chunk by chunk, stopping as soon as it passes `cap`.
pub(super) async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Body, reqwest::Error> {
    if response.content_length().is_some_and(|n| n > cap as u64) {
        return Ok(Body::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        if body.len() + chunk.len() > cap {
            return Ok(Body::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Body::Whole(body))
}

/// The `error.message` of a JSON error envelope; `None` for an empty or HTML body.
pub(crate) fn server_message(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let m = v.get("error")?.get("message")?.as_str()?;
    Some(m.chars().take(300).collect())
}

/// The success envelope as the transport checks it: `status` 0 or it is not data
/// (docspace-api.md 3).
#[derive(Deserialize)]
struct Envelope<T> {
    response: Option<T>,
    status: Option<i64>,
}

/// Only the flag, for when the whole envelope does not decode.
#[derive(Deserialize)]
struct Flag {
    status: Option<i64>,
}

pub(crate) struct Undecodable {
    pub(crate) error: ApiError,
    /// Whether the body was JSON at all.
    pub(crate) json: bool,
}

pub(super) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<Option<T>, Undecodable> {
    let flagged = |status: Option<i64>| {
        let error = match status {
            None => ApiError::Decode(
                "a JSON answer without DocSpace's `status` flag (is the portal URL right?)"
                    .to_owned(),
            ),
            Some(s) => ApiError::Decode(format!(
                "the portal answered 200 but flagged the answer as failed (status {s}){}",
                server_message(body)
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            )),
        };
        Undecodable { error, json: true }
    };
    match serde_json::from_slice::<Envelope<T>>(body) {
        Ok(Envelope {
            response,
            status: Some(0),
        }) => Ok(response),
        Ok(envelope) => Err(flagged(envelope.status)),
        Err(e) => match serde_json::from_slice::<Flag>(body) {
            Ok(Flag { status }) if status != Some(0) => Err(flagged(status)),
            Ok(_) => Err(Undecodable {
                error: ApiError::Decode(e.to_string()),
                json: true,
            }),
            Err(_) => Err(Undecodable {
                error: ApiError::Decode(not_json(body)),
                json: false,
            }),
        },
    }
}

pub(crate) fn looks_like_html(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

fn not_json(body: &[u8]) -> String {
    if looks_like_html(body) {
        "an HTML page instead of JSON (is the portal URL right?)".to_owned()
    } else {
        "an answer that is not JSON".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_json_error_envelopes_yield_a_message() {
        let body =
            br#"{"status":1,"statusCode":403,"error":{"message":"Access denied","type":"x"}}"#;
        assert_eq!(server_message(body).as_deref(), Some("Access denied"));
        assert_eq!(
            server_message(b"<html><body>502 Bad Gateway</body></html>"),
            None
        );
        assert_eq!(server_message(b""), None);
    }

    fn decode_value(body: &[u8]) -> Result<Option<serde_json::Value>, Undecodable> {
        decode(body)
    }

    #[test]
    fn an_html_success_body_is_an_error_not_data() {
        let Err(u) = decode_value(b"<!DOCTYPE html><html></html>") else {
            panic!("HTML decoded")
        };
        assert!(matches!(&u.error, ApiError::Decode(m) if m.contains("HTML")));
        assert!(!u.json);
    }

    #[test]
    fn a_missing_response_key_is_nothing() {
        let r = decode_value(br#"{"count":0,"status":0,"statusCode":200}"#)
            .unwrap_or_else(|_| panic!("a revoke's answer decodes"));
        assert!(r.is_none());
    }

    #[test]
    fn a_success_flagged_as_failed_is_not_data() {
        let body =
            br#"{"response":{"id":1},"status":1,"statusCode":200,"error":{"message":"Boom"}}"#;
        let Err(u) = decode_value(body) else {
            panic!("status 1 decoded as data")
        };
        let ApiError::Decode(m) = &u.error else {
            panic!("{:?}", u.error)
        };
        assert!(m.contains("status 1") && m.contains("Boom"), "{m}");
        // Also when the response has another shape than the one asked for.
        let r: Result<Option<Vec<u64>>, _> =
            decode(br#"{"response":{"errors":{}},"status":1,"statusCode":200}"#);
        assert!(
            matches!(r, Err(Undecodable { error: ApiError::Decode(m), .. }) if m.contains("status 1"))
        );
        // And an envelope without the flag is not DocSpace's.
        assert!(decode_value(br#"{"response":[1]}"#).is_err());
    }
}
