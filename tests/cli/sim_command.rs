//! `docspace-links sim`: the base URL first on stdout, then a portal that answers.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sim_prints_its_url_first_and_serves_until_killed() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("portal.yaml");
    std::fs::write(&seed, crate::support::SEED).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_docspace-links"))
        .args([
            "sim",
            "--seed",
            seed.to_str().unwrap(),
            "--listen",
            "127.0.0.1:0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("sim starts");
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first.trim().to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "first line: {first:?}"
    );

    let state: serde_json::Value = reqwest::get(format!("{url}/__sim/state"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        state["folders"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "Marketing/Press kit"),
        "{state}"
    );
    let unauthenticated = reqwest::get(format!("{url}/api/2.0/files/folder/101/links"))
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_bad_seed_is_reported_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let seed = dir.path().join("portal.yaml");
    std::fs::write(
        &seed,
        "rooms:\n  - title: A\n    type: custom\n    colour: red\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_docspace-links"))
        .args(["sim", "--seed", seed.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("portal.yaml") && stderr.contains(":4:"),
        "{stderr}"
    );
}

#[test]
fn a_missing_seed_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_docspace-links"))
        .args(["sim", "--seed", "missing.yaml"])
        .current_dir(dir.path())
        .output()
        .expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        "error: cannot read the seed missing.yaml: No such file or directory (os error 2)"
    );
}
