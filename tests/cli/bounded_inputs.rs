//! Files named as input are read only when they are regular files and never past
//! their documented size (issue 19, item 4): a FIFO, a device or a directory in the
//! place of a manifest, a password file or a saved plan ends the run at once with
//! an error naming the path, and nothing on the portal is touched (no request at all
//! for the manifest and the plan, which are read before the portal is).

use std::path::Path;
use std::time::Duration;

use crate::support::{Output, Portal, SEED};

/// Far longer than any of these runs takes; a run still going then is hung.
const HANG: Duration = Duration::from_secs(20);

const MANIFEST: &str =
    "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { title: Press kit }\n";

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// A file of `len` bytes that takes no room (a hole).
fn sparse(path: &Path, len: u64) {
    std::fs::File::create(path).unwrap().set_len(len).unwrap();
}

fn refused(out: &Output, what: &str) {
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains(what),
        "wanted `{what}` in:\n{}",
        out.all()
    );
    assert!(out.stdout.is_empty(), "{}", out.stdout);
}

async fn untouched(portal: &Portal) {
    let requests = portal.requests().await;
    assert!(requests.is_empty(), "requests were sent: {requests:?}");
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifo_device_or_directory_is_no_manifest() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    mkfifo(&portal.dir().join("fifo.yaml"));
    std::fs::create_dir(portal.dir().join("dir.yaml")).unwrap();
    for (file, kind) in [
        ("fifo.yaml", "a FIFO (named pipe)"),
        ("/dev/zero", "a device"),
        ("dir.yaml", "a directory"),
    ] {
        let out = portal.run_guarded(&["plan", "-f", file], &[], HANG);
        refused(
            &out,
            &format!("cannot read the manifest {file}: it is {kind}, not a regular file"),
        );
        // Also as the baseline.
        let out = portal.run_guarded(&["plan", "-f", "links.yaml", "--baseline", file], &[], HANG);
        refused(
            &out,
            &format!("cannot read the manifest {file}: it is {kind}, not a regular file"),
        );
    }
    untouched(&portal).await;
    // And as the file export would write over.
    let out = portal.run_guarded(
        &["export", "--room", "Marketing", "-o", "fifo.yaml", "--yes"],
        &[],
        HANG,
    );
    refused(
        &out,
        "cannot read the file to write over fifo.yaml: it is a FIFO (named pipe), not a regular file",
    );
    assert!(portal.writes().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manifest_past_32_mib_is_not_read() {
    let portal = Portal::start(SEED).await;
    sparse(&portal.dir().join("huge.yaml"), (32 << 20) + 1);
    let out = portal.run_guarded(&["plan", "-f", "huge.yaml"], &[], HANG);
    refused(
        &out,
        "the manifest is 32.0 MiB; docspace-links reads manifests of at most 32 MiB",
    );
    untouched(&portal).await;
}

const WITH_FILE: &str = "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { password: { file: pass.txt } }\n";

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_file_must_be_a_small_regular_file() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", WITH_FILE);
    let pass = portal.dir().join("pass.txt");
    mkfifo(&pass);
    let out = portal.run_guarded(&["plan", "-f", "links.yaml"], &[], HANG);
    refused(
        &out,
        "cannot read password file pass.txt: it is a FIFO (named pipe), not a regular file",
    );
    std::fs::remove_file(&pass).unwrap();
    std::fs::create_dir(&pass).unwrap();
    let out = portal.run_guarded(&["plan", "-f", "links.yaml"], &[], HANG);
    refused(&out, "it is a directory, not a regular file");
    std::fs::remove_dir(&pass).unwrap();
    // Over the limit: refused, and none of it shown.
    let secret = "Over-the-limit-7731".repeat(60);
    std::fs::write(&pass, &secret).unwrap();
    let out = portal.run_guarded(&["plan", "-f", "links.yaml"], &[], HANG);
    refused(
        &out,
        "it is 1140 bytes; docspace-links reads password files of at most 1 KiB",
    );
    assert!(!out.all().contains("Over-the-limit"), "{}", out.all());
    assert!(portal.writes().await.is_empty());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_plan_must_be_a_regular_file_of_at_most_256_mib() {
    let portal = Portal::start(SEED).await;
    mkfifo(&portal.dir().join("fifo.json"));
    std::fs::create_dir(portal.dir().join("dir.json")).unwrap();
    sparse(&portal.dir().join("huge.json"), (256 << 20) + 1);
    for (file, why) in [
        ("fifo.json", "it is a FIFO (named pipe), not a regular file"),
        ("/dev/zero", "it is a device, not a regular file"),
        ("dir.json", "it is a directory, not a regular file"),
        (
            "huge.json",
            "it is 256.0 MiB; docspace-links reads saved plans of at most 256 MiB",
        ),
    ] {
        let out = portal.run_guarded(&["apply", "--plan", file, "--yes"], &[], HANG);
        refused(&out, &format!("cannot use the saved plan {file}: {why}"));
    }
    untouched(&portal).await;
}

/// The manifest a plan records, put back as a FIFO: named, not waited on.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recorded_manifest_that_became_a_fifo_is_refused() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    let out = portal.run(&["plan", "-f", "links.yaml", "--out", "plan.json"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let before = portal.requests().await.len();
    let manifest = portal.dir().join("links.yaml");
    std::fs::remove_file(&manifest).unwrap();
    mkfifo(&manifest);
    let out = portal.run_guarded(&["apply", "--plan", "plan.json", "--yes"], &[], HANG);
    refused(
        &out,
        "cannot read the manifest the saved plan was made from",
    );
    assert!(
        out.stderr
            .contains("it is a FIFO (named pipe), not a regular file"),
        "{}",
        out.stderr
    );
    assert_eq!(
        portal.requests().await.len(),
        before,
        "no request after the plan"
    );
}
