//! The composite action's shell steps (action.yml), run as the runner runs them
//! (`bash --noprofile --norc -eo pipefail`), with the runner's variables set by the
//! test and a fake `curl` on the PATH that serves a release from a folder: which
//! binary a runner gets, that a checksum mismatch fails and removes the binary, and
//! the exit-code and plan-file outputs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

fn steps() -> Vec<Value> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    let action: Value = serde_saphyr::from_str(&text).unwrap();
    action["runs"]["steps"].as_array().unwrap().clone()
}

fn script(name: &str) -> String {
    steps()
        .into_iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no step {name} in action.yml"))["run"]
        .as_str()
        .unwrap()
        .to_owned()
}

struct Ran {
    code: i32,
    stdout: String,
    outputs: HashMap<String, String>,
}

/// Runs the step `name` in `cwd` with `env`, as `shell: bash` does.
fn run_step(name: &str, cwd: &Path, env: &[(&str, &str)]) -> Ran {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("step.sh");
    std::fs::write(&file, script(name)).unwrap();
    let output = dir.path().join("output");
    std::fs::write(&output, "").unwrap();
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&file)
        .current_dir(cwd)
        .env("GITHUB_OUTPUT", &output);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    let outputs = std::fs::read_to_string(&output)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        outputs,
    }
}

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn each_runner_gets_its_target_and_a_bad_version_is_refused() {
    let cwd = tempfile::tempdir().unwrap();
    for (os, arch, target) in [
        ("Linux", "X64", "x86_64-unknown-linux-musl"),
        ("Linux", "ARM64", "aarch64-unknown-linux-musl"),
        ("macOS", "X64", "x86_64-apple-darwin"),
        ("macOS", "ARM64", "aarch64-apple-darwin"),
        ("Windows", "X64", "x86_64-pc-windows-msvc"),
    ] {
        let ran = run_step(
            "Which binary",
            cwd.path(),
            &[
                ("RUNNER_OS", os),
                ("RUNNER_ARCH", arch),
                ("VERSION", "0.1.0"),
                ("REPOSITORY", "your-org/docspace-links"),
                ("TOOL_CACHE", "/opt/hostedtoolcache"),
            ],
        );
        assert_eq!(ran.code, 0, "{os}/{arch}: {}", ran.stdout);
        assert_eq!(ran.outputs["target"], target);
        let exe = if os == "Windows" { ".exe" } else { "" };
        assert_eq!(
            ran.outputs["asset"],
            format!("docspace-links-{target}{exe}")
        );
        assert_eq!(
            ran.outputs["url"],
            "https://github.com/your-org/docspace-links/releases/download/v0.1.0"
        );
    }
    for (version, repository) in [
        ("latest", "your-org/docspace-links"),
        ("0.1.0; rm -rf /", "your-org/docspace-links"),
        ("0.1.0", ""),
    ] {
        let ran = run_step(
            "Which binary",
            cwd.path(),
            &[
                ("RUNNER_OS", "Linux"),
                ("RUNNER_ARCH", "X64"),
                ("VERSION", version),
                ("REPOSITORY", repository),
                ("TOOL_CACHE", "/tmp"),
            ],
        );
        assert_eq!(ran.code, 1, "{version} {repository}");
        assert!(
            ran.stdout.contains("::error title=docspace-links::"),
            "{}",
            ran.stdout
        );
    }
}

/// A release in `dir`: the binary under its asset name and a SHA256SUMS, with a
/// fake `curl` (on the returned PATH) that serves the URL's last part from there.
fn release(dir: &Path, asset: &str, sums: &str) -> String {
    let served = dir.join("release");
    std::fs::create_dir_all(&served).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_docspace-links"), served.join(asset)).unwrap();
    std::fs::write(served.join("SHA256SUMS"), sums).unwrap();
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let curl = bin.join("curl");
    std::fs::write(
        &curl,
        format!(
            "#!/bin/sh\nout=\nwhile [ $# -gt 1 ]; do [ \"$1\" = -o ] && out=$2; shift; done\ncp \"{}/${{1##*/}}\" \"$out\"\n",
            served.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&curl, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn the_download_is_held_to_its_own_line_of_sha256sums_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let asset = "docspace-links-x86_64-unknown-linux-musl";
    let real = sha256(Path::new(env!("CARGO_BIN_EXE_docspace-links")));
    // Other assets' lines around it, one with a name that merely starts the same.
    let sums = format!(
        "{}  {asset}.sha256\n{real}  {asset}\n{}  docspace-links-aarch64-unknown-linux-musl\n",
        "1".repeat(64),
        "2".repeat(64)
    );
    let path = release(dir.path(), asset, &sums);
    let install: PathBuf = dir.path().join("cache/0.1.0/x86_64-unknown-linux-musl");
    let bin = install.join("docspace-links");
    let env = |extra: &[(&'static str, String)]| {
        let mut v: Vec<(&'static str, String)> = vec![
            ("PATH", path.clone()),
            (
                "URL",
                "https://github.com/o/r/releases/download/v0.1.0".to_owned(),
            ),
            ("ASSET", asset.to_owned()),
            ("DIR", install.display().to_string()),
            ("BIN", bin.display().to_string()),
        ];
        v.extend(extra.iter().cloned());
        v
    };
    let run = |name: &str, extra: &[(&'static str, String)]| {
        let env = env(extra);
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run_step(name, dir.path(), &env)
    };
    let ran = run("Download and verify", &[]);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert_eq!(
        std::fs::read_to_string(install.join("sha256"))
            .unwrap()
            .trim(),
        real
    );
    let ran = run("Check the checksum", &[("PINNED", String::new())]);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    assert!(
        ran.stdout.contains("docspace-links 0.1.0"),
        "{}",
        ran.stdout
    );
    // A checksum pinned by the caller must match too.
    let ran = run("Check the checksum", &[("PINNED", real.to_uppercase())]);
    assert_eq!(ran.code, 0, "{}", ran.stdout);
    let ran = run("Check the checksum", &[("PINNED", "3".repeat(64))]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert!(
        ran.stdout.contains("the sha256 input says"),
        "{}",
        ran.stdout
    );
    // A cached binary that is not the one downloaded fails, and is removed.
    std::fs::write(&bin, "#!/bin/sh\necho tampered\n").unwrap();
    let ran = run("Check the checksum", &[("PINNED", String::new())]);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert!(ran.stdout.contains("checksum mismatch"), "{}", ran.stdout);
    assert!(!bin.exists());

    // A release whose SHA256SUMS has no line for this asset installs nothing.
    let other = tempfile::tempdir().unwrap();
    let path = release(other.path(), asset, &format!("{real}  {asset}.tar.gz\n"));
    let env = [
        ("PATH", path.as_str()),
        ("URL", "https://x/y"),
        ("ASSET", asset),
        ("DIR", &*other.path().join("cache").display().to_string()),
        (
            "BIN",
            &*other
                .path()
                .join("cache/docspace-links")
                .display()
                .to_string(),
        ),
    ]
    .map(|(k, v)| (k, v.to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let ran = run_step("Download and verify", other.path(), &env);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    assert!(ran.stdout.contains("has no checksum for"), "{}", ran.stdout);
    assert!(!other.path().join("cache/docspace-links").exists());
}

#[test]
fn the_run_step_reports_the_exit_code_and_the_saved_plan() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("out")).unwrap();
    let fake = dir.path().join("fake");
    // Stands in for plan: writes the --out file and exits 2 (changes pending).
    std::fs::write(&fake, "#!/bin/sh\nwhile [ $# -gt 0 ]; do [ \"$1\" = --out ] && echo '{}' > \"$2\"; shift; done\nexit 2\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let bin = fake.display().to_string();
    let args = "plan -f links.yaml --out out/plan.json --detailed-exitcode";
    let ran = run_step(
        "Run",
        dir.path(),
        &[("BIN", &bin), ("COMMAND_ARGS", args), ("OK_CODES", "0 2")],
    );
    assert_eq!(ran.code, 0);
    assert_eq!(ran.outputs["exit-code"], "2");
    let want = std::fs::canonicalize(dir.path().join("out/plan.json")).unwrap();
    assert_eq!(PathBuf::from(&ran.outputs["plan-file"]), want);
    // 2 is a failure unless allowed.
    let ran = run_step(
        "Run",
        dir.path(),
        &[("BIN", &bin), ("COMMAND_ARGS", args), ("OK_CODES", "0")],
    );
    assert_eq!(ran.code, 2);
    assert_eq!(ran.outputs["exit-code"], "2");

    // The real binary: words are not globbed or expanded.
    std::fs::write(dir.path().join("links.yaml"), "version: 1\nfolders: []\n").unwrap();
    let real = env!("CARGO_BIN_EXE_docspace-links");
    let ran = run_step(
        "Run",
        dir.path(),
        &[
            ("BIN", real),
            ("COMMAND_ARGS", "validate -f links.yaml"),
            ("OK_CODES", "0"),
        ],
    );
    assert_eq!(
        (ran.code, ran.outputs["exit-code"].as_str()),
        (0, "0"),
        "{}",
        ran.stdout
    );
    assert_eq!(ran.outputs["plan-file"], "");
    let ran = run_step(
        "Run",
        dir.path(),
        &[
            ("BIN", real),
            ("COMMAND_ARGS", "validate -f *.yaml"),
            ("OK_CODES", "0"),
        ],
    );
    assert_eq!(ran.code, 1);
    assert_eq!(ran.outputs["exit-code"], "1");
}
