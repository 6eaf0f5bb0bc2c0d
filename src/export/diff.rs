//! What writing the export over an existing file would change, as a unified diff.

use similar::TextDiff;

/// A unified diff from `old` to `new`, both named after `file`.
pub fn unified(old: &str, new: &str, file: &str) -> String {
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{file} (now)"), &format!("{file} (exported)"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_only_what_changes_with_context() {
        let old = "version: 1\nfolders:\n  - path: A\n    link: absent\n";
        let new = "version: 1\nfolders:\n  - path: B\n    link: absent\n";
        let d = unified(old, new, "links.yaml");
        assert!(
            d.starts_with("--- links.yaml (now)\n+++ links.yaml (exported)\n"),
            "{d}"
        );
        assert!(d.contains("\n-  - path: A\n+  - path: B\n"), "{d}");
        assert_eq!(unified(old, old, "links.yaml"), "");
    }
}
