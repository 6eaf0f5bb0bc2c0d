//! The repository's CI files (issue 17): every `uses:` in the workflows, the example
//! workflow and the composite action is pinned to a full commit SHA (a tag can be
//! moved to other code; a commit cannot), and the release and the action agree on
//! the five targets and the checksum file.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn yaml_files(dir: &Path, into: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            into.push(path);
        }
    }
}

/// `owner/repo[/path]@<40 hex>`, or a local action (`./...`).
fn pinned(target: &str) -> bool {
    if target.starts_with("./") {
        return true;
    }
    let Some((action, rev)) = target.split_once('@') else {
        return false;
    };
    action.split('/').count() >= 2
        && rev.len() == 40
        && rev
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

#[test]
fn every_uses_is_pinned_to_a_commit() {
    let root = root();
    let mut files = vec![root.join("action.yml")];
    yaml_files(&root.join(".github"), &mut files);
    yaml_files(&root.join("examples"), &mut files);
    let mut seen = 0;
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim_start().trim_start_matches("- ");
            let Some(rest) = line.strip_prefix("uses:") else {
                continue;
            };
            seen += 1;
            let (target, comment) = rest.split_once('#').unwrap_or((rest, ""));
            let target = target.trim().trim_matches(['"', '\'']);
            assert!(
                pinned(target),
                "{}:{}: `uses: {target}` is not pinned to a full commit SHA",
                file.display(),
                n + 1
            );
            // The version the commit is, for people and for update tools.
            assert!(
                target.starts_with("./") || comment.trim().starts_with('v'),
                "{}:{}: `uses: {target}` has no `# vX.Y.Z` comment",
                file.display(),
                n + 1
            );
        }
    }
    assert!(seen >= 10, "only {seen} `uses:` found in {files:?}");
    assert!(!pinned("actions/checkout@v4"));
    assert!(!pinned("actions/checkout@3d3c42e"));
    assert!(pinned(
        "actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1"
    ));
}

const TARGETS: [&str; 5] = [
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

#[test]
fn the_release_builds_what_the_action_installs_and_the_action_checks_it() {
    let release = std::fs::read_to_string(root().join(".github/workflows/release.yml")).unwrap();
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    for target in TARGETS {
        assert!(
            release.contains(&format!("target: {target}")),
            "release: {target}"
        );
        assert!(
            action.contains(&format!("target={target}")),
            "action: {target}"
        );
    }
    assert!(release.contains("tags: [\"v[0-9]+.[0-9]+.[0-9]+*\"]"));
    assert!(release.contains("SHA256SUMS") && release.contains("sha256sum -c"));
    // The action compares the binary with the release's checksum on every run,
    // cached or not, and fails on a mismatch.
    for needle in [
        "version:",
        "args:",
        "exit-code:",
        "plan-file:",
        "SHA256SUMS",
        "checksum mismatch",
        "actions/cache@",
    ] {
        assert!(action.contains(needle), "action.yml lacks {needle}");
    }
    let dockerfile = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    for needle in [
        "FROM scratch",
        "USER 65534",
        "ca-certificates.crt",
        "AS build",
    ] {
        assert!(dockerfile.contains(needle), "Dockerfile lacks {needle}");
    }
}
