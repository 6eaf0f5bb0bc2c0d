//! Bad input is refused before anything is written, with the place it is wrong.

use crate::support::{Portal, SEED, TOKEN};

/// Runs `plan` and `apply --yes` on `manifest`; both must fail with exit 1 without
/// a single write. Returns plan's stderr.
async fn refused(manifest: &str) -> String {
    refused_with(manifest, &[]).await
}

/// `refused` with these environment variables set.
async fn refused_with(manifest: &str, env: &[(&str, &str)]) -> String {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", manifest);
    let plan = portal.run_env(&["plan", "-f", "links.yaml"], env);
    assert_eq!(plan.code, 1, "{}", plan.all());
    let apply = portal.run_env(&["apply", "-f", "links.yaml", "--yes"], env);
    assert_eq!(apply.code, 1, "{}", apply.all());
    assert!(
        portal.writes().await.is_empty(),
        "bad input reached the portal"
    );
    assert!(
        plan.stdout.is_empty(),
        "errors go to stderr: {}",
        plan.stdout
    );
    plan.stderr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_not_allowed_in_the_room_points_at_the_line() {
    let err = refused("version: 1\nfolders:\n  - path: Marketing/Brand assets\n    link:\n      access: fill-forms\n").await;
    assert!(err.contains("links.yaml:5:15"), "{err}");
    assert!(
        err.contains("not allowed for a folder in a custom room"),
        "{err}"
    );
    crate::redactions().bind(|| insta::assert_snapshot!("error_access_not_allowed", err));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_title_the_portal_would_trim_points_at_the_line() {
    let err = refused(
        "version: 1\nfolders:\n  - path: Marketing/Brand assets\n    link: { access: read, title: \" Press \" }\n",
    )
    .await;
    assert!(err.contains("links.yaml:4:34"), "{err}");
    assert!(err.contains("starts or ends with whitespace"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_that_cannot_have_links() {
    let err =
        refused("version: 1\nfolders:\n  - path: Drafts room\n    link: { access: read }\n").await;
    assert!(err.contains("cannot have external links"), "{err}");
    assert!(err.contains("links.yaml:4:"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_path_that_leads_nowhere() {
    let err = refused(
        "version: 1\nfolders:\n  - path: Marketing/Press kits\n    link: { access: read }\n",
    )
    .await;
    assert!(err.contains("links.yaml:3:11"), "{err}");
    assert!(err.contains("no folder named `Press kits`"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_id_that_does_not_exist() {
    let err = refused("version: 1\nfolders:\n  - id: 999999\n    link: absent\n").await;
    assert!(err.contains("no folder or room with id 999999"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_entries_for_one_folder_name_both_lines() {
    let err = refused(
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: absent\n  - id: 101\n    link: { access: read }\n",
    )
    .await;
    assert!(err.contains("same folder"), "{err}");
    assert!(
        err.contains("links.yaml:5:") && err.contains("links.yaml:3:"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_room_cannot_lose_its_link() {
    let err = refused("version: 1\nfolders:\n  - path: Partners\n    link: absent\n").await;
    assert!(err.contains("always has a primary link"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forced_internal_in_a_virtual_data_room() {
    let err = refused("version: 1\nfolders:\n  - path: Due diligence/Contracts\n    link: { access: read, internal: false }\n").await;
    assert!(err.contains("always internal"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_access_is_not_allowed_when_creating_in_a_form_room() {
    let err = refused("version: 1\nfolders:\n  - path: Applications/Intake\n    link: {}\n").await;
    assert!(err.contains("set `access:`"), "{err}");
    assert!(err.contains("fill-forms"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mistake_is_reported_at_once() {
    let err = refused(
        "version: 1\nfolders:\n  - path: Nowhere\n    link: absent\n  - path: Marketing/Brand assets\n    link: { access: fill-forms }\n",
    )
    .await;
    assert!(err.contains("no folder named `Nowhere`"), "{err}");
    assert!(err.contains("fill-forms"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manifest_syntax_errors_stop_before_any_request() {
    let portal = Portal::start(SEED).await;
    for (name, text, needle) in [
        (
            "unknown-key.yaml",
            "version: 1\nfolders:\n  - path: Marketing\n    lnk: absent\n",
            "unknown key `lnk`",
        ),
        (
            "yes.yaml",
            "version: 1\nfolders:\n  - path: Marketing\n    link: { deny_download: yes }\n",
            ":4:",
        ),
        ("dup.yaml", "version: 1\nversion: 1\nfolders: []\n", ":2:"),
        (
            "literal.yaml",
            "version: 1\nfolders:\n  - path: Marketing\n    link: { password: hunter2hunter2 }\n",
            "env",
        ),
        ("empty.yaml", "", "empty"),
        ("version.yaml", "version: 2\nfolders: []\n", "version"),
    ] {
        portal.write(name, text);
        let out = portal.run(&["plan", "-f", name]);
        assert_eq!(out.code, 1, "{name}: {}", out.all());
        assert!(
            out.stderr.contains(name),
            "{name} not named: {}",
            out.stderr
        );
        assert!(
            out.stderr.to_lowercase().contains(needle),
            "{name}: {}",
            out.stderr
        );
    }
    assert!(
        portal.requests().await.is_empty(),
        "a bad manifest reached the portal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_manifest_file_is_named() {
    let portal = Portal::start(SEED).await;
    let out = portal.run(&["plan", "-f", "nope.yaml"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("nope.yaml"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_token_is_an_error_that_says_what_to_do() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing\n    link: absent\n",
    );
    let out = portal.run_env(
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_TOKEN", "sk-wrong")],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("401") && out.stderr.contains("DOCSPACE_TOKEN"),
        "{}",
        out.stderr
    );
    let requests = portal.requests().await;
    assert!(
        requests.len() <= 2,
        "kept knocking with a bad token: {}",
        requests.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_portal_or_token_is_explained() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", "version: 1\nfolders: []\n");
    let out = portal.run_env(&["plan", "-f", "links.yaml"], &[("DOCSPACE_TOKEN", "")]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("DOCSPACE_TOKEN is not set"),
        "{}",
        out.stderr
    );
    let out = portal.run_env(&["plan", "-f", "links.yaml"], &[("DOCSPACE_URL", "")]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("--portal"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_errors_exit_1_not_2() {
    let portal = Portal::start(SEED).await;
    let out = portal.run(&["plan"]);
    assert_eq!(out.code, 1, "exit 2 means changes pending: {}", out.all());
    let out = portal.run(&["plan", "-f", "x.yaml", "--parallelism", "0"]);
    assert_eq!(out.code, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_structural_error_in_one_run() {
    let err = refused(
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link:\n      acess: read\n      titel: Press kit\n  - path: Marketing/Brand assets\n    link: { access: raed }\n",
    )
    .await;
    for needle in [
        "unknown key `acess`",
        "links.yaml:5:7",
        "unknown key `titel`",
        "links.yaml:6:7",
        "unknown access level `raed`",
        "links.yaml:8:21",
    ] {
        assert!(err.contains(needle), "{needle}: {err}");
    }
    insta::assert_snapshot!("error_three_structural", err);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_key_is_never_a_link_password() {
    let err = refused("version: 1\nfolders:\n  - path: Marketing\n    link: { password: { env: DOCSPACE_TOKEN } }\n").await;
    assert!(
        err.contains("DOCSPACE_TOKEN is the portal's API key"),
        "{err}"
    );
    assert!(!err.contains(TOKEN), "{err}");
    // Nor any other secret of the CI: password variables need the prefix.
    let manifest =
        "version: 1\nfolders:\n  - path: Marketing\n    link: { password: { env: DEPLOY_KEY } }\n";
    let env = [("DEPLOY_KEY", "deploy-key-secret")];
    let err = refused_with(manifest, &env).await;
    assert!(err.contains("does not start with DOCSPACE_LINK_"), "{err}");
    assert!(!err.contains("deploy-key-secret"), "{err}");
    // The prefix is the user's to choose.
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", manifest);
    let out = portal.run_env(
        &["plan", "-f", "links.yaml"],
        &[env[0], ("DOCSPACE_LINKS_PASSWORD_PREFIX", "DEPLOY_")],
    );
    assert_eq!(out.code, 0, "{}", out.all());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_the_portal_would_trim_is_refused() {
    let manifest = "version: 1\nfolders:\n  - path: Marketing\n    link: { password: { env: DOCSPACE_LINK_P } }\n";
    for (value, needle) in [
        ("trailing-newline\n", "ends with a line break"),
        ("trailing-space ", "starts or ends with whitespace"),
        ("no spaces inside", "not printable ASCII"),
        (
            "longer-than-thirty-characters-x",
            "longer than 30 characters",
        ),
    ] {
        let err = refused_with(manifest, &[("DOCSPACE_LINK_P", value)]).await;
        assert!(err.contains(needle), "{value:?}: {err}");
        assert!(!err.contains(value.trim()), "{value:?} leaked: {err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn line_ends_and_encoding() {
    let portal = Portal::start(SEED).await;
    // CR-only line ends (classic Mac editors) were read as one comment line: "empty".
    portal.write(
        "cr.yaml",
        "# links\rversion: 1\rfolders:\r  - path: Marketing\r    link: absent\r",
    );
    let out = portal.run(&["plan", "-f", "cr.yaml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    let read = portal.requests().await.len();
    portal.write(
        "crlf.yaml",
        "# links\r\nversion: 1\r\nfolders:\r\n  - path: Marketing\r\n    link: { acess: read }\r\n",
    );
    let out = portal.run(&["plan", "-f", "crlf.yaml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("crlf.yaml:5:13\n")
            && out.stderr.contains("5 |     link: { acess: read }\n"),
        "{}",
        out.stderr
    );
    std::fs::write(
        portal.dir().join("latin1.yaml"),
        b"version: 1\nfolders:\n  - path: Caf\xe9\n    link: absent\n",
    )
    .unwrap();
    let out = portal.run(&["plan", "-f", "latin1.yaml"]);
    assert_eq!(out.code, 1, "{}", out.all());
    insta::assert_snapshot!("error_not_utf8", out.stderr);
    assert_eq!(
        portal.requests().await.len(),
        read,
        "a bad manifest reached the portal"
    );
}
