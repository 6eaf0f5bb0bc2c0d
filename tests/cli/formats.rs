//! Output for CI: GitHub workflow commands and job summaries, Markdown for pull
//! requests, JSON for scripts (errors included), completions and the man page.

use serde_json::Value;

use crate::support::{Portal, SEED, TOKEN};

/// The portal names the Press kit link after the very password the manifest
/// gives it: the title must come out scrubbed wherever it is shown.
const LEAKY_SEED: &str = r#"
tokens: [sk-test]
rooms:
  - title: Marketing
    type: custom
    id: 100
    folders:
      - title: Press kit
        id: 101
        link: { access: editing, title: kit-pass-2027, password: old-pass-111 }
      - title: Brand assets
        id: 102
      - title: Archive
        id: 103
        link: { access: read, title: Archive link }
"#;

const MANIFEST: &str = r#"
version: 1
folders:
  - path: Marketing/Press kit
    link: { access: read, title: Press kit, password: { env: DOCSPACE_LINK_KIT } }
  - path: Marketing/Brand assets
    link: { access: read }
  - path: Marketing/Archive
    link: absent
"#;

const KIT: (&str, &str) = ("DOCSPACE_LINK_KIT", "kit-pass-2027");

fn assert_clean(what: &str, text: &str) {
    for secret in [KIT.1, "old-pass-111", TOKEN] {
        assert!(!text.contains(secret), "{what} leaked `{secret}`:\n{text}");
    }
}

fn summary_env(portal: &Portal) -> (String, std::path::PathBuf) {
    let path = portal.dir().join("summary.md");
    (path.display().to_string(), path)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_plan_annotates_the_manifest_lines_and_writes_the_job_summary() {
    let portal = Portal::start(LEAKY_SEED).await;
    portal.write("links.yaml", MANIFEST);
    let (summary, summary_path) = summary_env(&portal);
    std::fs::write(&summary_path, "earlier step\n").unwrap();
    let out = portal.run_env(
        &["plan", "-f", "links.yaml", "--format", "github"],
        &[KIT, ("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    // The human plan first, then one command per folder at its manifest line.
    assert!(
        out.stdout
            .starts_with("docspace-links will make these changes:")
    );
    assert!(
        out.stdout.contains(
            "::notice file=links.yaml,line=4,title=docspace-links%3A update::Marketing/Press kit"
        ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("::notice file=links.yaml,line=6,title=docspace-links%3A create::"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("::notice file=links.yaml,line=8,title=docspace-links%3A revoke::"),
        "{}",
        out.stdout
    );
    assert_clean("github plan", &out.all());
    crate::redactions().bind(|| insta::assert_snapshot!("plan_github", out.stdout));

    let written = std::fs::read_to_string(&summary_path).unwrap();
    assert!(
        written.starts_with("earlier step\n### docspace-links plan"),
        "appended: {written}"
    );
    assert!(written.contains("<details>"), "{written}");
    assert_clean("job summary", &written);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_marks_refusals_and_unknowns_as_errors() {
    let portal = Portal::start_with(SEED, crate::support::hidden_passwords()).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { deny_download: true }\n",
    );
    let out = portal.run(&["plan", "-f", "links.yaml", "--format", "github"]);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(
        out.stdout.contains(
            "::error file=links.yaml,line=3,title=docspace-links%3A refused (password-unseen)::Marketing/Press kit (folder 101, manifest line 3): refused: will not be changed%0Athe portal (DocSpace 99.0.0.1, a release newer than those known to return link passwords) did not say"
        ),
        "{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_reports_a_run_wide_error_as_one_error_command() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: absent\n",
    );
    let out = portal.run_env(
        &["plan", "-f", "links.yaml", "--format", "github"],
        &[("DOCSPACE_TOKEN", "")],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert_eq!(
        out.stdout,
        "::error title=docspace-links%3A no-token::DOCSPACE_TOKEN is not set: create an API key in DocSpace (Developer Tools > API keys, scopes files:read, rooms:read and files:write) and export it as DOCSPACE_TOKEN\n"
    );
    assert!(
        out.stderr.starts_with("error: DOCSPACE_TOKEN is not set"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_puts_manifest_errors_at_their_line_and_column_without_the_secret() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { expires: 2001-01-01 }\n  - path: Marketing/Archive\n    link: { password: hunter2hunter2 }\n",
    );
    let out = portal.run(&["plan", "-f", "links.yaml", "--format", "github"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let errors: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 2, "{}", out.stdout);
    assert!(
        errors[0].starts_with("::error file=links.yaml,line=4,col=22,"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].starts_with("::error file=links.yaml,line=6,col="),
        "{}",
        errors[1]
    );
    assert!(!out.all().contains("hunter2hunter2"), "{}", out.all());
    // The snippets still go to stderr for people.
    assert!(out.stderr.contains("--> links.yaml:4:22"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_apply_annotates_each_outcome_and_summarises_it() {
    let portal = Portal::start(LEAKY_SEED).await;
    portal.write("links.yaml", MANIFEST);
    let (summary, summary_path) = summary_env(&portal);
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--format", "github"],
        &[KIT, ("GITHUB_STEP_SUMMARY", &summary)],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains(
            "::notice file=links.yaml,line=6,title=docspace-links%3A create::Marketing/Brand assets: created"
        ),
        "{}",
        out.stdout
    );
    assert_clean("github apply", &out.all());
    let written = std::fs::read_to_string(&summary_path).unwrap();
    assert!(
        written.contains("**Apply complete: 1 created, 1 updated, 1 revoked, 0 failed.**"),
        "{written}"
    );
    assert_clean("apply job summary", &written);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markdown_plan_for_a_pull_request_comment() {
    let portal = Portal::start(LEAKY_SEED).await;
    portal.write("links.yaml", MANIFEST);
    let out = portal.run_env(
        &["plan", "-f", "links.yaml", "--format", "markdown"],
        &[KIT],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(out.stdout.matches("<details>").count(), 3, "{}", out.stdout);
    assert_clean("markdown plan", &out.all());
    crate::redactions().bind(|| insta::assert_snapshot!("plan_markdown", out.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_json_reports_each_folder() {
    let portal = Portal::start(LEAKY_SEED).await;
    portal.write("links.yaml", MANIFEST);
    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--format", "json"],
        &[KIT],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    let doc: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(doc["exit_code"], 0);
    assert_eq!(doc["summary"]["failed"], 0);
    assert_clean("apply json", &out.all());
    crate::redactions().bind(|| insta::assert_json_snapshot!("apply_json", doc));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_json_names_stale_folders() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: { title: Archive, password: false }\n  - path: Marketing/Brand assets\n    link: { access: read }\n",
    );
    let saved = portal.run(&["plan", "-f", "links.yaml", "--out", "plan.json"]);
    assert_eq!(saved.code, 0, "{}", saved.all());
    portal.set_title("Marketing/Archive", 103, "By hand").await;
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes", "--format", "json"]);
    assert_eq!(out.code, 3, "{}", out.all());
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["exit_code"], 3);
    let archive = &doc["folders"][0];
    assert_eq!(archive["path"], "Marketing/Archive");
    assert_eq!(archive["outcome"], "stale");
    assert!(
        archive["message"]
            .as_str()
            .unwrap()
            .starts_with("changed since the plan"),
        "{archive}"
    );
    assert_eq!(doc["folders"][1]["outcome"], "applied");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_come_as_json_where_json_was_asked() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing\n    link: { access: owner }\n",
    );
    let out = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    assert_eq!(out.code, 1, "{}", out.all());
    let doc: Value = serde_json::from_str(&out.stdout).expect("a JSON error on stdout");
    assert_eq!(doc["error"]["kind"], "manifest");
    assert_eq!(doc["error"]["exit_code"], 1);
    let d = &doc["error"]["diagnostics"][0];
    assert_eq!(
        (d["file"].as_str(), d["line"].as_u64()),
        (Some("links.yaml"), Some(4))
    );
    assert!(d["column"].as_u64().is_some());

    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: absent\n",
    );
    let out = portal.run(&["apply", "-f", "links.yaml", "--format", "json"]);
    assert_eq!(out.code, 4, "{}", out.all());
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["error"]["kind"], "confirmation_in_json");
    assert!(portal.writes().await.is_empty());

    let out = portal.run_env(
        &["apply", "-f", "links.yaml", "--yes", "--format", "json"],
        &[("DOCSPACE_TOKEN", "")],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    let doc: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["error"]["kind"], "no_token");
    crate::redactions().bind(|| insta::assert_json_snapshot!("error_json", doc));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_and_man_page() {
    let portal = Portal::start(SEED).await;
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = portal.run(&["completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.all());
        for word in ["docspace-links", "max-age", "baseline", "completions"] {
            assert!(out.stdout.contains(word), "{shell} completion lacks {word}");
        }
    }
    // Value completion, where the shell has it.
    let bash = portal.run(&["completions", "bash"]);
    assert!(
        bash.stdout.contains("human json markdown github"),
        "{}",
        bash.stdout
    );
    let bad = portal.run(&["completions", "tcsh"]);
    assert_eq!(bad.code, 1, "{}", bad.all());

    let man = portal.run(&["man"]);
    assert_eq!(man.code, 0, "{}", man.all());
    assert!(
        man.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "{}",
        &man.stdout[..80]
    );
    assert!(
        man.stdout.contains(".TH docspace-links 1"),
        "{}",
        man.stdout
    );
    assert!(
        man.stdout.contains("docspace\\-links\\-apply(1)"),
        "{}",
        man.stdout
    );
    let apply = portal.run(&["man", "apply"]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert!(
        apply.stdout.contains(".TH docspace-links-apply 1"),
        "{}",
        apply.stdout
    );
    assert!(apply.stdout.contains("\\-\\-max\\-age"), "{}", apply.stdout);
    let none = portal.run(&["man", "nope"]);
    assert_eq!(none.code, 1, "{}", none.all());
    assert!(
        none.stderr.contains("no subcommand `nope`"),
        "{}",
        none.stderr
    );
}
