//! The portal address as a person types it, checked before anything is sent: a
//! wrong one costs a confusing error per folder, or sends the key somewhere else.

use reqwest::Url;

/// A portal address that passed every check.
#[derive(Debug)]
pub(crate) struct PortalUrl {
    /// `https://portal.example.com/api/2.0/files/`
    pub(crate) files_base: String,
    pub(crate) https: bool,
}

/// Why an address is not used. `shown` is the address with any user name and
/// password taken out: they are never echoed.
#[derive(Debug, thiserror::Error)]
pub enum PortalUrlError {
    #[error("portal URL `{shown}` has no scheme: add https://, as in `https://{shown}`")]
    NoScheme { shown: String },
    #[error("portal URL `{shown}` is not a valid URL: {source}")]
    Invalid {
        shown: String,
        /// The URL parser's own error (`url::ParseError`, not a direct dependency).
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(
        "portal URL `{shown}` carries a user name or password: remove them; the API key in DOCSPACE_TOKEN is the only credential docspace-links sends"
    )]
    Credentials { shown: String },
    #[error(
        "portal URL `{shown}` must start with https:// (plain http:// is accepted only for a simulator on this machine)"
    )]
    NotHttps { shown: String },
    /// Only the origin is shown: a query may hold a secret.
    #[error(
        "portal URL `{origin}…` has a query or fragment: pass only the portal's address, e.g. `{origin}`"
    )]
    QueryOrFragment { origin: String },
    #[error(
        "portal URL `{shown}` already points into the API: drop `{path}` and pass the portal's address, e.g. `{origin}` (docspace-links adds /api/2.0/files itself)"
    )]
    IntoApi {
        shown: String,
        path: String,
        origin: String,
    },
}

pub(crate) fn parse(portal: &str) -> Result<PortalUrl, PortalUrlError> {
    let portal = portal.trim().trim_end_matches('/');
    let shown = without_credentials(portal);
    if !portal.contains("://") {
        // `portal.example.com` and `127.0.0.1:8080` are not URLs (or, worse, parse
        // as a URL whose scheme is the host name).
        return Err(PortalUrlError::NoScheme { shown });
    }
    let url = match Url::parse(portal) {
        Ok(url) => url,
        Err(e) => {
            return Err(PortalUrlError::Invalid {
                shown,
                source: Box::new(e),
            });
        }
    };
    if !url.username().is_empty() || url.password().is_some() {
        // Never echo them: the password is a secret, and reqwest would send both as
        // Basic auth next to the API key.
        return Err(PortalUrlError::Credentials { shown });
    }
    let loopback = is_loopback(&url);
    // Plain HTTP would hand the API key and every link password to anyone on the
    // path: only a simulator on this machine may use it.
    let https = match url.scheme() {
        "https" => true,
        "http" if loopback => false,
        _ => {
            return Err(PortalUrlError::NotHttps { shown });
        }
    };
    let origin = url.origin().ascii_serialization();
    if url.query().is_some() || url.fragment().is_some() {
        return Err(PortalUrlError::QueryOrFragment { origin });
    }
    let path = url.path().to_ascii_lowercase();
    if path.split('/').any(|segment| segment == "api") {
        return Err(PortalUrlError::IntoApi {
            shown,
            path: url.path().to_owned(),
            origin,
        });
    }
    Ok(PortalUrl {
        files_base: format!("{}/api/2.0/files/", url.as_str().trim_end_matches('/')),
        https,
    })
}

fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The address with anything before an `@` in its authority replaced, for
/// messages: `https://user:pass@host` must never be printed whole.
fn without_credentials(portal: &str) -> String {
    let (scheme, rest) = match portal.find("://") {
        Some(i) => portal.split_at(i + 3),
        None => ("", portal),
    };
    // The last `@` anywhere after the scheme: a password may hold `/`, `?` or
    // `#`, which would otherwise end the authority before it. (A path or query
    // with an `@` is shortened too: a message loses a little, never a secret.)
    match rest.rfind('@') {
        Some(at) => format!("{scheme}…{}", &rest[at..]),
        None => portal.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_this_machine() {
        assert!(parse("https://portal.example.com").unwrap().https);
        assert!(!parse("http://127.0.0.1:8080").unwrap().https);
        assert!(parse("http://localhost:8080").is_ok());
        assert!(parse("http://[::1]:8080").is_ok());
        let err = parse("http://portal.example.com").unwrap_err().to_string();
        assert!(err.contains("https://"), "{err}");
        assert!(parse("ftp://portal.example.com").is_err());
        assert!(parse("https://not a url").is_err());
    }

    #[test]
    fn the_files_base_is_built_from_the_address() {
        assert_eq!(
            parse(" https://Portal.Example.com/ ").unwrap().files_base,
            "https://portal.example.com/api/2.0/files/"
        );
        assert_eq!(
            parse("https://example.com/docspace").unwrap().files_base,
            "https://example.com/docspace/api/2.0/files/"
        );
    }

    #[test]
    fn an_address_without_a_scheme_says_to_add_https() {
        for typed in ["127.0.0.1:8080", "portal.example.com", "localhost:8080"] {
            let err = parse(typed).unwrap_err().to_string();
            assert!(err.contains("add https://"), "{typed}: {err}");
            assert!(err.contains(&format!("https://{typed}")), "{typed}: {err}");
        }
    }

    #[test]
    fn credentials_in_the_address_are_refused_and_never_shown() {
        for typed in [
            "https://alice:hunter2secret@portal.example.com",
            "https://alice:hunter2secret@portal.example.com/api/2.0",
            "http://alice:hunter2secret@portal.example.com",
            "alice:hunter2secret@portal.example.com",
            "https://alice:hunter2secret@[bad",
            "https://alice:hunter2#secret@portal.example.com",
            "https://alice:hunter2/secret@portal.example.com",
            "https://alice:hunter2?secret@[bad",
        ] {
            let err = parse(typed).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{typed}: {err}");
            assert!(!err.contains("secret"), "{typed}: {err}");
            assert!(!err.contains("alice"), "{typed}: {err}");
        }
        let err = parse("https://alice:hunter2secret@portal.example.com")
            .unwrap_err()
            .to_string();
        assert!(err.contains("user name or password"), "{err}");
        assert!(err.contains("@portal.example.com"), "{err}");
        assert!(parse("https://alice@portal.example.com").is_err());
    }

    #[test]
    fn an_address_into_the_api_says_to_drop_that_part() {
        for typed in [
            "https://portal.example.com/api/2.0",
            "https://portal.example.com/api/2.0/",
            "https://portal.example.com/API/2.0/files",
            "https://portal.example.com/api/2.0/files/",
        ] {
            let err = parse(typed).unwrap_err().to_string();
            assert!(err.contains("drop `/"), "{typed}: {err}");
            assert!(
                err.contains("`https://portal.example.com`"),
                "{typed}: {err}"
            );
        }
    }

    #[test]
    fn a_query_is_refused_without_being_shown() {
        let err = parse("https://portal.example.com/?key=sk-secret")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("sk-secret"), "{err}");
        assert!(err.contains("query"), "{err}");
    }
}
