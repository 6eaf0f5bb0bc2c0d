//! `safety:` (design.md 1.1): the shares of the managed folders one apply may
//! revoke or expose more before it refuses as a whole (without `--force`).

use serde_saphyr::Spanned;

use super::diagnostic::{Code, Diagnostic};
use super::raw::RawManifest;
use super::yaml::span_pos;
use crate::model::Safety;

/// The shares, the defaults where the manifest is silent, and every bad one.
pub fn validate(raw: &RawManifest) -> (Safety, Vec<Diagnostic>) {
    let mut safety = Safety::default();
    let mut errors = Vec::new();
    let Some(rules) = &raw.safety else {
        return (safety, errors);
    };
    for (field, into) in [
        (&rules.value.max_revoke_share, &mut safety.max_revoke_share),
        (&rules.value.max_widen_share, &mut safety.max_widen_share),
    ] {
        if let Some(text) = field {
            match percent(&text.value) {
                Some(p) => *into = p,
                None => errors.push(bad(text)),
            }
        }
    }
    if let Some(n) = &rules.value.min_existing {
        safety.min_existing = n.value;
    }
    (safety, errors)
}

/// `30%` as 30; `0%` to `100%`.
fn percent(text: &str) -> Option<u8> {
    let digits = text.trim().strip_suffix('%')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse::<u8>().ok().filter(|p| *p <= 100)
}

fn bad(text: &Spanned<String>) -> Diagnostic {
    Diagnostic::at(
        span_pos(text),
        format!("`{}` is not a share", text.value),
    )
    .code(Code::SafetyShare)
    .label("expected a percentage")
    .help("write a percentage of the managed folders from 0% to 100%, e.g. `30%`; `--force` lifts the rule for one apply")
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn shares_are_whole_percentages() {
        assert_eq!(percent("30%"), Some(30));
        assert_eq!(percent("0%"), Some(0));
        assert_eq!(percent("100%"), Some(100));
        for bad in ["30", "101%", "-1%", "%", "3.5%", "30 %", "thirty%"] {
            assert_eq!(percent(bad), None, "{bad}");
        }
    }
}
