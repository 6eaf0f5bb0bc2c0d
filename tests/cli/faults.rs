//! Under injected faults the tool fails closed and, run again, converges without
//! ever making a second primary link or losing a password.

use docspace_links::sim::harness::Generated;

use crate::support::Portal;

/// A portal of `rooms` × `folders` folders, every other one with a password link.
fn portal(rooms: usize, per_room: usize) -> (Generated, String, String) {
    let g = Generated { rooms, per_room };
    let seed = g.seed(|r, f| {
        (f % 2 == 0).then(|| {
            format!(
                "{{ access: read, password: {} }}",
                Generated::password(r, f)
            )
        })
    });
    (
        g,
        seed,
        g.manifest("{ access: review, deny_download: true }"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_applies_converge_under_errors_and_dropped_connections() {
    let (rooms, folders) = (3, 10);
    let (_, seed, manifest) = portal(rooms, folders);
    let portal = Portal::start(&seed).await;
    portal.write("links.yaml", &manifest);
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
            let path = Generated::path(r, f);
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
                    Generated::password(r, f),
                    "{path} lost its password"
                );
            }
        }
    }
}

/// With the real server's headers (nothing until a `429`, then only the limit), a
/// limit costs the requests in flight when it is first hit (at most the default
/// parallelism of 16) and the probes that find a window long enough (at most 18, 30%
/// longer each, from 10 ms to the simulator's second); after that only the probes
/// that narrow the window down bounce (a handful), however long the run. A fixed
/// share of all requests cannot hold for a run this short: the first contact alone
/// is a sixth of its requests or more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limited_portal_is_paced_not_hammered() {
    let (_, seed, manifest) = portal(2, 20);
    let portal = Portal::start(&seed).await;
    portal.write("links.yaml", &manifest);
    portal
        .faults(serde_json::json!({"rate_limit_per_sec": 50.0}))
        .await;
    // Every folder changes at once, far over the safety shares: --force.
    let out = portal.run(&["apply", "-f", "links.yaml", "--yes", "--force"]);
    assert_eq!(out.code, 0, "{}", out.all());
    // In the order the simulator answered them.
    let limited: Vec<bool> = portal
        .requests()
        .await
        .iter()
        .map(|r| r["status"] == 429)
        .collect();
    // A lone 429 among admitted requests is the per-user concurrency cap: a lease is
    // released once the answer is written, so a client that sends its next write on
    // reading the answer can, now and then, arrive before it (the server behaves so
    // too). Those are bounded apart; the window's 429s come in runs.
    let lone = |i: usize| {
        limited[i]
            && (i.saturating_sub(5)..(i + 6).min(limited.len()))
                .filter(|&j| j != i)
                .all(|j| !limited[j])
    };
    let lone_count = (0..limited.len()).filter(|&i| lone(i)).count();
    assert!(lone_count <= 3, "{lone_count} lone 429s");
    let limited: Vec<bool> = (0..limited.len()).map(|i| limited[i] && !lone(i)).collect();
    let first = limited.iter().position(|&l| l).expect("the limit was hit");
    // Admitted again for good (20 in a row): an admitted request that was slower
    // to answer than the 429s around it, or a few probes admitted on a loaded
    // machine before the window is found, do not end the first contact.
    let resumed = (first..limited.len())
        .find(|&i| limited[i..].iter().take(20).all(|&l| !l))
        .expect("requests were admitted again");
    let count = |part: &[bool]| part.iter().filter(|&&l| l).count();
    let (at_first, later) = (count(&limited[first..resumed]), count(&limited[resumed..]));
    let seq: String = limited.iter().map(|&l| if l { 'X' } else { '.' }).collect();
    assert!(
        at_first <= 16 + 18,
        "{at_first} answered 429 at first contact: {seq}"
    );
    assert!(
        later <= 8,
        "{later} answered 429 after the first contact: {seq}"
    );
}
