//! The token and link passwords never appear in any output of any command.

use crate::support::{Portal, SEED, TOKEN};

const SEED_PASSWORD: &str = "s3cret-pass";
const ENV_PASSWORD: &str = "env-secret-8472";
const FILE_PASSWORD: &str = "file-secret-5519";

fn assert_clean(what: &str, text: &str) {
    for secret in [
        TOKEN,
        SEED_PASSWORD,
        ENV_PASSWORD,
        FILE_PASSWORD,
        "hunter2hunter2",
    ] {
        assert!(!text.contains(secret), "{what} leaked `{secret}`:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_command_prints_a_secret() {
    let portal = Portal::start(SEED).await;
    portal.write("pass.txt", FILE_PASSWORD);
    portal.write(
        "links.yaml",
        r#"
version: 1
folders:
  - path: Marketing/Press kit
    link: { password: { env: DOCSPACE_LINK_P1 }, deny_download: true }
  - path: Marketing/Brand assets
    link: { access: read, password: { file: pass.txt } }
  - path: Marketing/Archive
    link: { password: false }
"#,
    );
    portal.write(
        "literal.yaml",
        "version: 1\nfolders:\n  - path: Marketing\n    link: { password: hunter2hunter2 }\n",
    );
    portal.write(
        "short.yaml",
        "version: 1\nfolders:\n  - path: Marketing\n    link: { password: { env: DOCSPACE_LINK_SHORT } }\n",
    );
    let env = [
        ("DOCSPACE_LINK_P1", ENV_PASSWORD),
        ("DOCSPACE_LINK_SHORT", "abc"),
    ];
    let runs: Vec<(&str, Vec<&str>)> = vec![
        ("plan", vec!["plan", "-f", "links.yaml"]),
        (
            "plan json",
            vec!["plan", "-f", "links.yaml", "--format", "json"],
        ),
        (
            "plan github",
            vec!["plan", "-f", "links.yaml", "--format", "github"],
        ),
        (
            "plan markdown",
            vec!["plan", "-f", "links.yaml", "--format", "markdown"],
        ),
        (
            "plan out",
            vec!["plan", "-f", "links.yaml", "--out", "saved.json"],
        ),
        (
            "literal password github",
            vec!["plan", "-f", "literal.yaml", "--format", "github"],
        ),
        (
            "literal password json",
            vec!["plan", "-f", "literal.yaml", "--format", "json"],
        ),
        ("apply refused", vec!["apply", "-f", "links.yaml"]),
        ("apply", vec!["apply", "-f", "links.yaml", "--yes"]),
        (
            "plan after",
            vec!["plan", "-f", "links.yaml", "--format", "json"],
        ),
        ("literal password", vec!["plan", "-f", "literal.yaml"]),
        ("short password", vec!["plan", "-f", "short.yaml"]),
        ("help", vec!["--help"]),
        ("plan help", vec!["plan", "--help"]),
        ("apply help", vec!["apply", "--help"]),
    ];
    for (what, args) in runs {
        let out = portal.run_env(&args, &env);
        assert_clean(what, &out.all());
    }
    let saved = std::fs::read_to_string(portal.dir().join("saved.json")).unwrap();
    assert_clean("saved plan", &saved);
    // The run really did use the secrets: apply wrote them to the portal.
    assert_eq!(
        portal.primary("Marketing/Press kit").await.unwrap()["password"],
        ENV_PASSWORD
    );
    assert_eq!(
        portal.primary("Marketing/Brand assets").await.unwrap()["password"],
        FILE_PASSWORD
    );
    assert_eq!(
        portal.primary("Marketing/Archive").await.unwrap()["password"],
        serde_json::Value::Null
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejected_token_is_not_echoed_in_the_error() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { title: x }\n",
    );
    let bad_token = portal.run_env(
        &["plan", "-f", "links.yaml"],
        &[("DOCSPACE_TOKEN", "sk-very-secret-token")],
    );
    assert!(
        !bad_token.all().contains("sk-very-secret-token"),
        "{}",
        bad_token.all()
    );
}

/// The token pasted into a manifest (as a variable name, as a key) does not come
/// back in the errors of `validate`, `plan` or `apply`, in any format: it is hidden
/// before the manifest is read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_pasted_into_a_manifest_is_not_echoed() {
    let portal = Portal::start(SEED).await;
    for (name, manifest) in [
        (
            "as a variable",
            format!(
                "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: {{ access: read, password: {{ env: {TOKEN} }} }}\n"
            ),
        ),
        ("as a key", format!("version: 1\n{TOKEN}: 1\nfolders: []\n")),
    ] {
        portal.write("links.yaml", &manifest);
        for args in [
            &["validate", "-f", "links.yaml"][..],
            &["validate", "-f", "links.yaml", "--format", "json"],
            &["plan", "-f", "links.yaml", "--format", "json"],
            &["plan", "-f", "links.yaml", "--format", "github"],
            &["apply", "-f", "links.yaml", "--yes"],
        ] {
            let out = portal.run(args);
            assert_ne!(out.code, 0, "{name} {args:?}: {}", out.all());
            assert_clean(&format!("{name} {args:?}"), &out.all());
        }
    }
}

/// A literal password under a mistyped `password` key is not shown in the
/// snippet of the unknown-key error.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_under_a_mistyped_key_is_not_echoed() {
    let portal = Portal::start(SEED).await;
    for manifest in [
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link:\n      access: read\n      pasword: hunter2hunter2\n",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { access: read, Passwd: hunter2hunter2 }\n",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { access: read, pasword: hunter2hunter2\n",
    ] {
        portal.write("links.yaml", manifest);
        for args in [
            &["validate", "-f", "links.yaml"][..],
            &["plan", "-f", "links.yaml", "--format", "json"],
        ] {
            let out = portal.run(args);
            assert_eq!(out.code, 1, "{manifest} {args:?}: {}", out.all());
            assert_clean(&format!("{manifest:?} {args:?}"), &out.all());
        }
    }
}
