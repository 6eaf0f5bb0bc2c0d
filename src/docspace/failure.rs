//! A failed attempt in words a person can act on: a redirect shown only by its
//! origin, and the failures that retrying cannot heal (no such host, nothing
//! listening, an untrusted certificate) told apart from those that can pass.

use std::path::PathBuf;

use reqwest::Url;

use super::error::{ApiError, AttemptError};
use super::portal_url::PortalUrlError;

/// Where a 3xx points, as far as it is safe to show: the origin, never the path's
/// query (it may carry a token).
pub(super) fn redirect_target(from: &Url, headers: &reqwest::header::HeaderMap) -> String {
    let Some(location) = headers
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
    else {
        return "an address it did not give".to_owned();
    };
    match from.join(location) {
        Ok(to) => {
            let origin = to.origin().ascii_serialization();
            if to.path() == "/" && to.query().is_none() {
                origin
            } else {
                format!("{origin}/…")
            }
        }
        Err(_) => "an address that is not a valid URL".to_owned(),
    }
}

/// `timeout` is the one each attempt had (`--timeout`), named when it ran out.
pub(super) fn transport_failure(
    e: &reqwest::Error,
    attempts: u32,
    timeout: std::time::Duration,
) -> AttemptError {
    if let Some(reason) = unhealable(e) {
        return AttemptError::Final(ApiError::Unreachable { reason });
    }
    let reason = if e.is_timeout() {
        format!(
            "timed out: no answer within {} s (--timeout)",
            timeout.as_secs_f64()
        )
    } else if e.is_connect() {
        format!("could not connect ({})", root_cause(e))
    } else {
        format!("connection failed ({})", root_cause(e))
    };
    AttemptError::Transient {
        error: ApiError::Transport {
            reason,
            attempts,
            request_sent: !e.is_connect(),
        },
        retry_after: None,
        portal: true,
    }
}

/// A failure to connect that retrying does not heal, in words: the name does not
/// resolve, nothing listens, or the certificate is not trusted. Timeouts and resets
/// are not among them: those can pass.
pub(super) fn unhealable(e: &reqwest::Error) -> Option<String> {
    let url = e.url();
    let host = url.and_then(|u| u.host_str()).unwrap_or("the portal");
    let address = match url.and_then(|u| u.port_or_known_default()) {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    };
    // io::Error's `source()` skips the error it wraps (and rustls's error sits in
    // an io::Error inside another): look inside every one of them too.
    let mut todo: Vec<&(dyn std::error::Error + 'static)> = vec![e];
    while let Some(err) = todo.pop() {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls_words(tls, &address));
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                return Some(format!(
                    "connection refused by {address}: nothing listens there; check --portal"
                ));
            }
            if let Some(inner) = io.get_ref() {
                todo.push(inner);
            }
        }
        // hyper-util's connector names a failed lookup only in its text.
        if e.is_connect() && err.to_string() == "dns error" {
            return Some(format!(
                "could not resolve host `{host}`: check --portal and this machine's DNS"
            ));
        }
        todo.extend(err.source());
    }
    None
}

fn tls_words(e: &rustls::Error, address: &str) -> String {
    use rustls::CertificateError as C;
    match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature) => format!(
            "certificate not trusted: {address} presents a certificate from an authority this machine does not trust; for a private CA, set SSL_CERT_FILE to its certificate (PEM)"
        ),
        rustls::Error::InvalidCertificate(c) => {
            format!("certificate not trusted: {address} presents a certificate that fails: {c}")
        }
        // The first byte of a plain HTTP answer ("HTTP/1.1 400 ...") is no TLS
        // record type: the port speaks HTTP, and `https://` was given.
        rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType) => format!(
            "{address} answered in plain HTTP, not TLS: if the portal has no TLS (a local or test server), give its URL with http:// instead of https://"
        ),
        other => format!("TLS handshake with {address} failed: {other}"),
    }
}

/// rustls-native-certs reads `SSL_CERT_FILE` *instead of* the system store and
/// skips a file it cannot read: a typo there would silently make every portal's
/// certificate untrusted. Say so up front instead.
/// Why a transport could not be set up; nothing was sent.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Url(#[from] PortalUrlError),
    #[error("SSL_CERT_FILE `{}` cannot be read: {source}", path.display())]
    CertUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "SSL_CERT_FILE `{}` holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        path.display()
    )]
    NoCertificate { path: PathBuf },
    #[error("cannot start the HTTP client: {}", root_cause(source))]
    Client { source: reqwest::Error },
}

pub(super) fn check_cert_file() -> Result<(), SetupError> {
    let Some(path) = std::env::var_os("SSL_CERT_FILE").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let path = PathBuf::from(path);
    let pem = match std::fs::read(&path) {
        Ok(pem) => pem,
        Err(source) => return Err(SetupError::CertUnreadable { path, source }),
    };
    match reqwest::Certificate::from_pem_bundle(&pem) {
        Ok(certs) if !certs.is_empty() => Ok(()),
        _ => Err(SetupError::NoCertificate { path }),
    }
}

/// The innermost cause, which says what actually happened ("connection refused")
/// without the URL reqwest prefixes.
pub(super) fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_redirect_target_shows_only_the_origin() {
        let from = Url::parse("https://portal.example.com/api/2.0/files/rooms").unwrap();
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(
            reqwest::header::LOCATION,
            "https://other.example/login?token=sk-1".parse().unwrap(),
        );
        assert_eq!(redirect_target(&from, &h), "https://other.example/…");
        h.insert(reqwest::header::LOCATION, "/sso".parse().unwrap());
        assert_eq!(redirect_target(&from, &h), "https://portal.example.com/…");
        h.insert(
            reqwest::header::LOCATION,
            "http://other.example".parse().unwrap(),
        );
        assert_eq!(redirect_target(&from, &h), "http://other.example");
        assert_eq!(
            redirect_target(&from, &reqwest::header::HeaderMap::new()),
            "an address it did not give"
        );
    }
}
