//! `demo`: the newcomer's first run works end to end.

#[test]
fn demo_runs_the_whole_loop_and_converges() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_docspace-links"))
        .arg("demo")
        .env("NO_COLOR", "1")
        .env_remove("DOCSPACE_TOKEN")
        .env_remove("DOCSPACE_URL")
        .output()
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let step3 = stdout.split("Step 3").nth(1).expect("three steps");
    assert!(
        step3.contains("No changes. The portal matches the manifest."),
        "{stdout}"
    );
    assert!(
        stdout.contains("Apply complete:") && stdout.contains(" 0 failed."),
        "{stdout}"
    );
    // The demo's made-up passwords stay secret like real ones.
    for secret in ["press-kit-2027!", "partners-only-99", "sk-test"] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "leaked {secret}"
        );
    }
}

/// `demo | head -2`: the reader closes the pipe early; the tool stops quietly.
#[test]
fn a_closed_pipe_is_not_a_panic() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_docspace-links"))
        .arg("demo")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for _ in 0..2 {
        lines.next().expect("a line").expect("text");
    }
    drop(lines);
    let out = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
}
