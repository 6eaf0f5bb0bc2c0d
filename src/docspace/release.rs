//! Which DocSpace release the portal runs, and what that says about link passwords.
//!
//! Every release up to the newest one read (3.7.2 and develop's 3.8) answers link
//! passwords in clear to whoever may manage the link (`FileSharing.cs:1181`,
//! `FileShareDto.cs:255`; docspace-api.md, third reading 10): there, a link
//! answered without `password` has none. A release after those, or one whose
//! version cannot be read, might hide them, so a missing `password` stays "not
//! said" unless the run sees a password echoed.

/// The newest release whose handling of link passwords has been read in the
/// server source. Releases are compared on major and minor only: patch releases
/// do not change the API.
const NEWEST_KNOWN: (u64, u64) = (3, 8);

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
}
