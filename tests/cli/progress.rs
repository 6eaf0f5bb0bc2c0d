//! Progress on a pipe (issue 17, item 6): a plain line on stderr every few seconds
//! while a long step runs, saying the folders done, the requests sent and the time
//! waited for the rate limit; never a line of it on stdout, in any format. The
//! interval is shortened for the test (`DOCSPACE_LINKS_PROGRESS_MS`), and the run
//! made long by the simulator's rate limit: only the lines are counted, no time.

use docspace_links::sim::harness::Generated;

use crate::support::Portal;

const EVERY_200MS: (&str, &str) = ("DOCSPACE_LINKS_PROGRESS_MS", "200");

async fn limited_portal() -> Portal {
    let g = Generated {
        rooms: 1,
        per_room: 12,
    };
    let portal = Portal::start(&g.seed(|_, _| Some("{ access: read }".to_owned()))).await;
    portal.write("links.yaml", &g.manifest("{ access: read }"));
    // The server's shape: nothing said until a 429, then only the limit.
    portal
        .faults(serde_json::json!({"rate_limit_per_sec": 8.0}))
        .await;
    portal
}

fn progress_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_plan_on_a_pipe_says_how_far_it_is_on_stderr_only() {
    let portal = limited_portal().await;
    let out = portal.run_env(
        &["plan", "-f", "links.yaml", "--format", "json"],
        &[EVERY_200MS],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    // stdout is the JSON document and nothing else.
    let plan: serde_json::Value = serde_json::from_str(&out.stdout).expect("stdout is JSON");
    assert_eq!(plan["summary"]["unchanged"], 12, "{}", out.stdout);
    assert!(!out.stdout.contains("progress"), "{}", out.stdout);
    let lines = progress_lines(&out.stderr);
    assert!(lines.len() >= 2, "{}", out.stderr);
    for line in &lines {
        assert!(
            line.starts_with("progress: reading the portal: ")
                && line.contains(" of 12 folders, ")
                && line.contains(" requests, ")
                && line.ends_with(" s waited for the rate limit"),
            "{line}"
        );
    }
    // Once the limit is known requests wait for it, and the lines say so.
    assert!(
        lines.iter().any(|l| !l.contains(", 0.0 s waited")),
        "{}",
        out.stderr
    );
    // Every other line of stderr is the tool's own.
    assert!(
        out.stderr.lines().all(|l| l.starts_with("progress: ")),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markdown_and_github_stdout_hold_no_progress() {
    let portal = limited_portal().await;
    for format in ["markdown", "github"] {
        let out = portal.run_env(
            &["plan", "-f", "links.yaml", "--format", format],
            &[EVERY_200MS],
        );
        assert_eq!(out.code, 0, "{format}: {}", out.all());
        assert!(!out.stdout.contains("progress"), "{format}: {}", out.stdout);
        assert!(
            progress_lines(&out.stderr).len() >= 2,
            "{format}: {}",
            out.stderr
        );
    }
    // `0` turns the lines off (as the other tests run).
    let out = portal.run(&["plan", "-f", "links.yaml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(progress_lines(&out.stderr).is_empty(), "{}", out.stderr);
}
