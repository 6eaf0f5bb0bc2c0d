//! `export` and the permission bits of the file it writes: the file holds share
//! URLs, so a new one is readable by its owner only, and a replaced one keeps the
//! mode its owner gave it (issue 19, item 5).
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;

use crate::support::{Portal, SEED};

fn mode(portal: &Portal, name: &str) -> u32 {
    std::fs::metadata(portal.dir().join(name))
        .unwrap()
        .permissions()
        .mode()
        & 0o7777
}

fn set_mode(portal: &Portal, name: &str, mode: u32) {
    std::fs::set_permissions(
        portal.dir().join(name),
        std::fs::Permissions::from_mode(mode),
    )
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_export_is_private_and_a_replaced_one_keeps_its_mode() {
    let portal = Portal::start(SEED).await;
    let first = portal.run(&["export", "--room", "Marketing", "-o", "links.yaml"]);
    assert_eq!(first.code, 0, "{}", first.all());
    assert!(
        std::fs::read_to_string(portal.dir().join("links.yaml"))
            .unwrap()
            .contains("share link:"),
        "the file holds share URLs"
    );
    assert_eq!(mode(&portal, "links.yaml"), 0o600, "a new file");

    for kept in [0o600, 0o640, 0o644] {
        set_mode(&portal, "links.yaml", kept);
        portal
            .set_title("Marketing/Archive", 103, &format!("Renamed {kept:o}"))
            .await;
        let again = portal.run(&["export", "--room", "Marketing", "-o", "links.yaml", "--yes"]);
        assert_eq!(again.code, 0, "{}", again.all());
        let text = std::fs::read_to_string(portal.dir().join("links.yaml")).unwrap();
        assert!(text.contains(&format!("Renamed {kept:o}")), "{text}");
        assert_eq!(mode(&portal, "links.yaml"), kept, "replaced over {kept:o}");
    }
    let stray: Vec<_> = std::fs::read_dir(portal.dir())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".export-"))
        .collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
}
