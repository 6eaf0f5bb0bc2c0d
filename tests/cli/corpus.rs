//! THE CORPUS OF LEGITIMATE CASES (issue 14.8). Every case here is everyday work
//! that the real server carries out safely, so the tool must plan it and apply it
//! without any refusal, and converge: the plan made right after the apply is clean.
//!
//! EVERY NEW REFUSAL RULE MUST PASS THIS CORPUS. A refusal is a defect unless the
//! server's real behaviour makes the write unsafe; a rule that refuses one of these
//! cases refuses safe work and teaches users `--force`. If a new rule breaks a case
//! here, the rule is wrong (or the case is, and then say which server fact in
//! docspace-api.md makes it unsafe, and move it out of the corpus with that reason).
//!
//! Each case runs the real binary against the simulator (which follows the third
//! reading of the server), through `legitimate`: plan, apply, plan again.

use std::fmt::Write as _;

use crate::lost_answers::losing_proxy;
use crate::support::{Output, Portal, SEED};

/// Plan (`--detailed-exitcode`: 0 or 2, never a refusal), apply (0, nothing
/// refused or failed), then plan again: 0, the portal matches the manifest.
/// `env` is for every run; `plan_env` only for the two plans (a read-only key).
fn legitimate(portal: &Portal, env: &[(&str, &str)], plan_env: &[(&str, &str)]) -> Output {
    let plan_with: Vec<(&str, &str)> = env.iter().chain(plan_env).copied().collect();
    let plan = portal.run_env(
        &["plan", "-f", "links.yaml", "--detailed-exitcode"],
        &plan_with,
    );
    assert!(
        plan.code == 0 || plan.code == 2,
        "plan refused legitimate work: {}",
        plan.all()
    );
    no_refusal(&plan);
    let json = portal.run_env(
        &["plan", "-f", "links.yaml", "--format", "json"],
        &plan_with,
    );
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).expect("a JSON plan");
    assert_eq!(doc["summary"]["refused"], 0, "{}", json.stdout);
    assert_eq!(doc["summary"]["unknown"], 0, "{}", json.stdout);
    assert_eq!(
        doc["safety"]["exceeded"],
        serde_json::json!([]),
        "{}",
        json.stdout
    );

    let apply = portal.run_env(&["apply", "-f", "links.yaml", "--yes"], env);
    assert_eq!(apply.code, 0, "apply refused or failed: {}", apply.all());
    no_refusal(&apply);
    assert!(apply.stdout.contains(" 0 failed."), "{}", apply.stdout);

    let again = portal.run_env(
        &["plan", "-f", "links.yaml", "--detailed-exitcode"],
        &plan_with,
    );
    assert_eq!(again.code, 0, "did not converge: {}", again.all());
    assert!(
        again.stdout.contains("No changes."),
        "did not converge: {}",
        again.stdout
    );
    apply
}

fn no_refusal(out: &Output) {
    for word in ["refused", "--force", "state unknown"] {
        assert!(!out.all().contains(word), "{word:?} in: {}", out.all());
    }
}

/// A custom room `Docs` of `n` folders `F0..`, `link(i)` giving each its seed link
/// (or none), and a manifest giving each `want(i)`.
fn docs(
    n: usize,
    link: impl Fn(usize) -> Option<String>,
    want: impl Fn(usize) -> String,
) -> (String, String) {
    let mut seed = String::from(
        "tokens: [sk-test]\nrooms:\n  - title: Docs\n    type: custom\n    folders:\n",
    );
    let mut manifest = String::from("version: 1\nfolders:\n");
    for i in 0..n {
        let _ = writeln!(seed, "      - title: F{i}");
        if let Some(l) = link(i) {
            let _ = writeln!(seed, "        link: {l}");
        }
        let _ = writeln!(manifest, "  - path: Docs/F{i}\n    link: {}", want(i));
    }
    (seed, manifest)
}

/// Every link on this default-version portal is password-less: updates copy "no
/// password" (the release returns passwords in clear, third reading 10).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_password_less_updates_on_a_default_version_portal() {
    let (seed, manifest) = docs(
        6,
        |n| Some(format!("{{ access: editing, title: Link {n} }}")),
        |_| "{ access: read }".to_owned(),
    );
    let portal = Portal::start(&seed).await;
    portal.write("links.yaml", &manifest);
    let apply = legitimate(&portal, &[], &[]);
    assert!(apply.stdout.contains("6 updated"), "{}", apply.stdout);
    let link = portal.primary("Docs/F0").await.unwrap();
    assert_eq!(link["title"], "Link 0", "unmanaged title kept");
    assert_eq!(link["password"], serde_json::Value::Null);
}

/// A first adoption: twelve folders without links, a manifest giving each one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_first_adoption_of_twelve_folders() {
    let (seed, manifest) = docs(
        12,
        |_| None,
        |n| format!("{{ access: review, title: Share {n} }}"),
    );
    let portal = Portal::start(&seed).await;
    portal.write("links.yaml", &manifest);
    let apply = legitimate(&portal, &[], &[]);
    assert!(apply.stdout.contains("12 created"), "{}", apply.stdout);
}

/// A saved plan (an update, a create, an unlisted revoke) applied, then applied
/// again: the second time nothing is written and nothing is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_a_re_applied_saved_plan() {
    let portal = Portal::start(SEED).await;
    portal.write(
        "links.yaml",
        "version: 1\nscopes:\n  - path: Marketing\n    unlisted: revoke\nfolders:\n  - path: Marketing/Archive\n    link: { title: Archive }\n  - path: Marketing/Brand assets\n    link: { access: read }\n",
    );
    let plan = portal.run(&["plan", "-f", "links.yaml", "--out", "plan.json"]);
    assert_eq!(plan.code, 0, "{}", plan.all());
    for _ in 0..2 {
        let out = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
        assert_eq!(out.code, 0, "{}", out.all());
        no_refusal(&out);
    }
    let writes = portal.writes().await;
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("3 already as planned"),
        "{}",
        out.stdout
    );
    assert_eq!(portal.writes().await, writes);
    let again = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}", again.all());
}

/// The server acts and the answer to each folder's first write is lost (the four
/// kinds of lost-answer proxy): one apply still converges, nothing refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_lost_answers() {
    let (seed, manifest) = docs(
        8,
        |n| (n % 2 == 0).then(|| format!("{{ access: editing, title: Old {n} }}")),
        |n| format!("{{ access: read, title: New {n} }}"),
    );
    let portal = Portal::start(&seed).await;
    let (proxy, dealt) = losing_proxy(portal.url()).await;
    portal.write("links.yaml", &manifest);
    let url = proxy.url();
    legitimate(&portal, &[("DOCSPACE_URL", url.as_str())], &[]);
    assert_eq!(
        dealt.lock().unwrap().values().sum::<usize>(),
        8,
        "every folder's first write lost its answer"
    );
    for n in 0..8 {
        let links = portal.links(&format!("Docs/F{n}")).await;
        let primary = links.iter().filter(|l| l["primary"] == true).count();
        assert_eq!(primary, 1, "F{n}: {links:?}");
    }
}

/// A read-only key with the scopes `plan` needs (files:read + rooms:read) plans a
/// path manifest; the write key applies it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_a_read_only_key_with_the_right_scopes_plans() {
    let seed = SEED.replace(
        "tokens: [sk-test]",
        "tokens:\n  - {key: sk-test, scopes: [files:read, rooms:read, files:write]}\n  - {key: sk-ro, scopes: [files:read, rooms:read]}",
    );
    let portal = Portal::start(&seed).await;
    portal.write(
        "links.yaml",
        "version: 1\nfolders:\n  - path: Marketing/Archive\n    link: { title: Archive }\n  - path: \"@my/Drafts\"\n    link: { access: comment }\n",
    );
    legitimate(&portal, &[], &[("DOCSPACE_TOKEN", "sk-ro")]);
}

/// Folders in each room type, with expiry and `internal` set where the third
/// reading (docspace-api.md, item 1) lets them be: expiry on folders in public and
/// virtual data rooms, `internal` inside form-filling rooms, the forced `internal`
/// where the room forces it. Creates and updates both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus_folders_in_each_room_type() {
    let seed = r#"
tokens: [sk-test]
rooms:
  - title: Team
    type: custom
    folders:
      - title: New
      - title: Old
        link: { access: read, title: Team }
  - title: Press
    type: public
    link: { access: read, title: Press }
    folders:
      - title: Kit
        link: { access: read, title: Kit }
      - title: Photos
  - title: Deals
    type: virtual-data
    folders:
      - title: Contracts
        link: { access: read, title: Contracts, internal: true }
      - title: Drafts
      - title: Closed
        link: { access: read, title: Closed, internal: true }
  - title: Forms
    type: filling-forms
    link: { access: fill-forms }
    folders:
      - title: Intake
        link: { access: fill-forms, title: Intake }
my_documents:
  folders:
    - title: Mine
"#;
    let manifest = r#"
version: 1
folders:
  - path: Team/New
    link: { access: editing, expires: 2031-01-01T00:00:00Z, internal: true, password: false }
  - path: Team/Old
    link: { access: comment, expires: 2031-01-01T00:00:00Z, deny_download: true }
  - path: Press/Kit
    link: { access: review, expires: 2031-06-01T00:00:00Z, internal: false }
  - path: Press/Photos
    link: { access: read, expires: 2031-06-01T00:00:00Z }
  - path: Deals/Contracts
    link: { access: comment, expires: 2031-03-01T00:00:00Z, internal: true }
  - path: Deals/Drafts
    link: { access: read, expires: 2031-03-01T00:00:00Z }
  - path: Deals/Closed
    link: absent
  - path: Forms/Intake
    link: { access: fill-forms, internal: true, title: Intake form }
  - path: "@my/Mine"
    link: { access: read, expires: 2031-01-01T00:00:00Z, internal: true }
"#;
    let portal = Portal::start(seed).await;
    portal.write("links.yaml", manifest);
    legitimate(&portal, &[], &[]);
    let kit = portal.primary("Press/Kit").await.unwrap();
    assert_eq!(kit["access"], "review", "{kit}");
    assert!(
        kit["expires"].as_str().unwrap().starts_with("2031-06-01"),
        "{kit}"
    );
    let drafts = portal.primary("Deals/Drafts").await.unwrap();
    assert_eq!(drafts["internal"], true, "forced in a virtual data room");
    let intake = portal.primary("Forms/Intake").await.unwrap();
    assert_eq!(intake["internal"], true, "editable in a form-filling room");
    assert_eq!(intake["title"], "Intake form");
}
