//! Only the reads that are needed (issue 16, items 4 and 5): a folder's links are
//! read only when the portal lists it as shared (docspace-api.md third reading 4),
//! and a create is not preceded by a read of its own.

use docspace_links::sim::harness::Generated;

use crate::fake_server::{FakeServer, Seen, forward};
use crate::support::Portal;

/// Folder link reads (`GET folder/{id}/links`) among `seen`.
fn link_reads(seen: &[Seen]) -> usize {
    seen.iter()
        .filter(|s| s.method == "GET" && s.target.ends_with("/links"))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_apply_and_export_read_only_the_linked_folders_links() {
    // 300 folders, 60 of them with a link.
    let g = Generated {
        rooms: 3,
        per_room: 100,
    };
    let linked = |f: usize| f.is_multiple_of(5);
    let seed = g.seed(|r, f| {
        linked(f).then(|| {
            format!(
                "{{ access: read, password: {} }}",
                Generated::password(r, f)
            )
        })
    });
    let portal = Portal::start(&seed).await;
    portal.write(
        "links.yaml",
        &g.manifest("{ access: review, deny_download: true }"),
    );
    let upstream = portal.url();
    let proxy = FakeServer::start(move |seen: Seen| {
        let upstream = upstream.clone();
        async move { forward(&upstream, &seen).await }
    })
    .await;
    let url = proxy.url();
    let env = [("DOCSPACE_URL", url.as_str())];

    let plan = portal.run_env(&["plan", "-f", "links.yaml"], &env);
    assert_eq!(plan.code, 0, "{}", plan.all());
    let after_plan = link_reads(&proxy.requests());
    assert!(after_plan <= 65, "plan made {after_plan} link reads");
    assert!(
        after_plan >= 60,
        "plan read {after_plan}: not every linked folder"
    );

    // Every folder changes, far over the safety shares: --force.
    let apply = portal.run_env(&["apply", "-f", "links.yaml", "--yes", "--force"], &env);
    assert_eq!(apply.code, 0, "{}", apply.all());
    let seen = proxy.requests();
    let by_apply = link_reads(&seen) - after_plan;
    // Its plan's reads, a re-read before each of the 60 updates, and one read
    // after each of the 240 creates (none before): in a custom room a folder may
    // have several primary links, so a concurrent apply's is looked for
    // (apply/folder.rs `after_create`).
    assert!(
        by_apply <= 65 + 60 + 240,
        "apply made {by_apply} link reads for 60 updates and 240 creates"
    );
    let creates = seen
        .iter()
        .filter(|s| s.method == "POST" && s.target.ends_with("/link"))
        .count();
    assert_eq!(creates, 240);

    // Now every folder has a link: export reads them all, and nothing beside.
    let before = seen.len();
    let export = portal.run_env(&["export", "--all", "-o", "export.yaml", "--yes"], &env);
    assert_eq!(export.code, 0, "{}", export.all());
    let reads = link_reads(&proxy.requests()[before..]);
    assert_eq!(
        reads, 300,
        "export made {reads} link reads for 300 linked folders"
    );
}
