//! Which DocSpace release the portal runs, and what that says about link passwords.
//!
//! Every release up to the newest one read (3.7.2 and develop's 3.8) answers link
//! passwords in clear to whoever may manage the link (`FileSharing.cs:1181`,
//! `FileShareDto.cs:255`; docspace-api.md, third reading 10): there, a link
//! answered without `password` has none. A release after those, or one whose
//! version cannot be read, might hide them, so a missing `password` stays "not
//! said" unless the run sees a password echoed.

use reqwest::Method;
use serde::Deserialize;

use super::body::{self, Body};
use super::transport::{Limits, Request, Transport};

/// `GET api/2.0/settings/version/build`, anonymous on every release
/// (`VersionController.GetBuildVersions`, `[AllowAnonymous]`). Paths are joined
/// to `.../api/2.0/files/`; the URL parser resolves the `..` before anything is
/// sent (WHATWG URL, as the `url` crate implements it), so the request goes to
/// `/api/2.0/settings/version/build` on the same origin.
const VERSION_PATH: &str = "../settings/version/build";

/// The newest release whose handling of link passwords has been read in the
/// server source. Releases are compared on major and minor only: patch releases
/// do not change the API.
const NEWEST_KNOWN: (u64, u64) = (3, 8);

/// A version read is worth one quick try: without it the run is only more careful.
const VERSION_LIMITS: Limits = Limits {
    attempts: 2,
    time: std::time::Duration::from_secs(5),
};

/// What the portal said about its release.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Release {
    /// `docSpace` of the version route, as the portal wrote it; `None` when the
    /// route did not answer it.
    pub version: Option<String>,
}

impl Release {
    /// Whether this release is known to return every link's password to whoever
    /// may manage the link, so that a link without `password` has none.
    pub fn echoes_passwords(&self) -> bool {
        self.version
            .as_deref()
            .and_then(major_minor)
            .is_some_and(|v| v <= NEWEST_KNOWN)
    }

    /// For messages: `DocSpace 3.7.2.1`, or why there is no version to name.
    pub fn describe(&self) -> String {
        match &self.version {
            Some(v) if self.echoes_passwords() => format!("DocSpace {v}"),
            Some(v) => {
                format!("DocSpace {v}, a release newer than those known to return link passwords")
            }
            None => "a DocSpace release that did not say its version".to_owned(),
        }
    }
}

fn major_minor(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

#[derive(Deserialize)]
struct Envelope {
    response: BuildVersion,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BuildVersion {
    doc_space: Option<String>,
}

impl Transport {
    /// Reads the portal's release once; any failure leaves the version unsaid,
    /// which only keeps the run careful about passwords.
    pub(crate) async fn read_release(&self) -> Release {
        let req = Request {
            method: Method::GET,
            path: VERSION_PATH,
            query: &[],
            body: None,
        };
        let version = match self
            .exchange(&req, VERSION_LIMITS, |s, _| s.is_success())
            .await
        {
            Ok(answer) => match &answer.body {
                Body::Whole(b) if !body::looks_like_html(b) => {
                    serde_json::from_slice::<Envelope>(b)
                        .ok()
                        .and_then(|e| e.response.doc_space)
                        .filter(|v| !v.trim().is_empty())
                }
                _ => None,
            },
            Err(_) => None,
        };
        Release { version }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(v: Option<&str>) -> Release {
        Release {
            version: v.map(str::to_owned),
        }
    }

    #[test]
    fn releases_read_in_the_source_echo_passwords() {
        for v in ["3.7.2.1", "3.1.0", "3.8.0.123", "2.6", " 3.7.2 "] {
            assert!(release(Some(v)).echoes_passwords(), "{v}");
        }
    }

    #[test]
    fn newer_unknown_or_unreadable_releases_do_not() {
        for v in ["3.9.0", "4.0", "99.0.0.1", "three", "3", ""] {
            assert!(!release(Some(v)).echoes_passwords(), "{v}");
        }
        assert!(!release(None).echoes_passwords());
        assert!(release(Some("99.0.0.1")).describe().contains("99.0.0.1"));
    }

    #[test]
    fn the_version_path_stays_on_the_portal_under_api() {
        let base = "https://portal.example.com/docspace/api/2.0/files/";
        let url = reqwest::Url::parse(&format!("{base}{VERSION_PATH}")).unwrap();
        assert_eq!(
            url.as_str(),
            "https://portal.example.com/docspace/api/2.0/settings/version/build"
        );
    }
}
