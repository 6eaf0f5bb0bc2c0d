//! Under injected faults the tool fails closed and, run again, converges without
//! ever making a second primary link or losing a password.

use std::fmt::Write;

use crate::support::Portal;

/// A portal of `rooms` × `folders` folders, every other one with a password link.
fn seed(rooms: usize, folders: usize) -> String {
    let mut s = String::from("tokens: [sk-test]\nrooms:\n");
    for r in 0..rooms {
        let _ = write!(s, "  - title: Room {r}\n    type: custom\n    folders:\n");
        for f in 0..folders {
            let _ = writeln!(s, "      - title: Folder {f}");
            if f % 2 == 0 {
                let _ = writeln!(
                    s,
                    "        link: {{ access: read, password: keep-me-{r}-{f} }}"
                );
            }
        }
    }
    s
}

fn manifest(rooms: usize, folders: usize) -> String {
    let mut s = String::from("version: 1\nfolders:\n");
    for r in 0..rooms {
        for f in 0..folders {
            let _ = writeln!(
                s,
                "  - path: Room {r}/Folder {f}\n    link: {{ access: review, deny_download: true }}"
            );
        }
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_applies_converge_under_errors_and_dropped_connections() {
    let (rooms, folders) = (3, 10);
    let portal = Portal::start(&seed(rooms, folders)).await;
    portal.write("links.yaml", &manifest(rooms, folders));
    portal
        .faults(serde_json::json!({"error_rate": 0.15, "error_status": 503, "drop_rate": 0.05, "seed": 42}))
        .await;

    let mut converged = false;
    for _ in 0..6 {
        // Every folder changes at once, far over the safety shares: --force.
        let out = portal.run(&["apply", "-f", "links.yaml", "--yes", "--force"]);
        assert!([0, 1, 3].contains(&out.code), "{}", out.all());
        let check = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
        if check.code == 0 {
            converged = true;
            break;
        }
    }
    assert!(converged, "did not converge in 6 applies");

    portal
        .faults(serde_json::json!({"error_rate": 0.0, "drop_rate": 0.0}))
        .await;
    for r in 0..rooms {
        for f in 0..folders {
            let path = format!("Room {r}/Folder {f}");
            // `primary` asserts there is at most one primary link.
            let link = portal
                .primary(&path)
                .await
                .expect("every folder has its link");
            assert_eq!(link["access"], "review", "{path}");
            assert_eq!(link["deny_download"], true, "{path}");
            if f % 2 == 0 {
                assert_eq!(
                    link["password"],
                    format!("keep-me-{r}-{f}"),
                    "{path} lost its password"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_portal_is_paced_not_hammered() {
    let (rooms, folders) = (2, 20);
    let portal = Portal::start(&seed(rooms, folders)).await;
    portal.write("links.yaml", &manifest(rooms, folders));
    portal
        .faults(serde_json::json!({"rate_limit_per_sec": 50.0}))
        .await;
    // Every folder changes at once, far over the safety shares: --force.
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes", "--force"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let requests = portal.requests().await;
    let limited = requests.iter().filter(|r| r["status"] == 429).count();
    assert!(
        limited * 10 <= requests.len(),
        "{limited} of {} requests were answered 429",
        requests.len()
    );
}
