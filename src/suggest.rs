//! "Did you mean": the names that exist closest to one that does not (a manifest
//! key, an access level, a room or folder title). Titles are matched exactly by the
//! tool (they are the portal's, case included), so a title that differs only in
//! case is offered first, as such; otherwise the one most like it, when it is like
//! it at all (Jaro-Winkler, as the strsim crate measures it, which clap also uses
//! for its flags).
//!
//! The names offered may be the portal's text: the message that carries them goes
//! through `render::printable` when it is printed, like every other.

/// How alike two names must be (Jaro-Winkler, 0 to 1) to be offered: `acess` and
/// `access` are 0.97, `foldrs` and `folders` 0.97, `Marketing` and `Sales` 0.
const ALIKE: f64 = 0.8;

/// At most this many names differing only in case are offered.
const MAX_CASE_MATCHES: usize = 3;

/// The candidate most like `wanted`, if any is like it enough. `wanted` itself is
/// never offered.
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wanted_lower = wanted.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c == wanted {
            continue;
        }
        let score = strsim::jaro_winkler(&wanted_lower, &c.to_lowercase());
        if score >= ALIKE && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// ` (did you mean `access`?)`, or nothing.
pub fn did_you_mean<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(wanted, candidates)
        .map(|c| format!("did you mean `{c}`? "))
        .unwrap_or_default()
}

/// For a title that matched nothing exactly: the titles equal to it but for case,
/// ` (there is `Marketing`: titles are case-sensitive)`; else the closest title,
/// ` (did you mean `Marketing`?)`; else nothing.
pub fn title_hint<'a>(wanted: &str, titles: impl IntoIterator<Item = &'a str> + Clone) -> String {
    let mut same: Vec<&str> = Vec::new();
    for t in titles.clone() {
        if t != wanted && t.to_lowercase() == wanted.to_lowercase() && !same.contains(&t) {
            same.push(t);
        }
    }
    if !same.is_empty() {
        let shown: Vec<String> = same
            .iter()
            .take(MAX_CASE_MATCHES)
            .map(|t| format!("`{t}`"))
            .collect();
        return format!(
            " (there is {}: titles are case-sensitive)",
            shown.join(" and ")
        );
    }
    closest(wanted, titles)
        .map(|t| format!(" (did you mean `{t}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_closest_alike_name_is_offered() {
        let keys = ["access", "title", "expires", "password", "deny_download"];
        assert_eq!(closest("acess", keys), Some("access"));
        assert_eq!(closest("titel", keys), Some("title"));
        assert_eq!(closest("Password", keys), Some("password"));
        assert_eq!(closest("deny-download", keys), Some("deny_download"));
        assert_eq!(closest("colour", keys), None);
        assert_eq!(closest("access", keys), None, "never the name itself");
        assert_eq!(did_you_mean("expire", keys), "did you mean `expires`? ");
        assert_eq!(did_you_mean("zzz", keys), "");
    }

    #[test]
    fn titles_differing_in_case_come_first() {
        let rooms = ["Marketing", "Market research", "Sales"];
        assert_eq!(
            title_hint("marketing", rooms),
            " (there is `Marketing`: titles are case-sensitive)"
        );
        assert_eq!(
            title_hint("Marketng", rooms),
            " (did you mean `Marketing`?)"
        );
        assert_eq!(title_hint("Legal", rooms), "");
        assert_eq!(
            title_hint("sales", ["SALES", "Sales", "Sales"]),
            " (there is `SALES` and `Sales`: titles are case-sensitive)"
        );
    }
}
