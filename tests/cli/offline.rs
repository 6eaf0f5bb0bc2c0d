//! The commands that need no portal (issue 17): `validate` checks a manifest with no
//! request and no secret, `show` renders a saved plan again, and `-f -` reads the
//! manifest from standard input. "No request" is proven, not assumed: the portal
//! variable points at a listener of the test's own, which must see no connection.

use std::net::TcpListener;

use serde_json::Value;

use crate::support::{Output, Portal, SEED, bare_command, output, run_with_input};

/// A loopback port that records whether anything connected: the address a
/// command given it must never contact.
struct Tripwire(TcpListener);

impl Tripwire {
    fn new() -> Tripwire {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.set_nonblocking(true).unwrap();
        Tripwire(l)
    }

    fn url(&self) -> String {
        format!("http://{}", self.0.local_addr().unwrap())
    }

    fn untouched(&self) -> bool {
        matches!(self.0.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    }
}

/// Runs the binary in `dir` with the tripwire as its portal and no token at all.
fn offline(dir: &std::path::Path, wire: &Tripwire, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = bare_command(dir, args);
    cmd.env("DOCSPACE_URL", wire.url());
    for (k, v) in env {
        cmd.env(k, v);
    }
    output(cmd.output().expect("binary runs"))
}

const GOOD: &str = r#"version: 1
policy:
  require_password: [editing]
folders:
  - path: Marketing/Press kit
    link: { access: read, title: Press kit, password: { env: DOCSPACE_LINK_PRESS } }
  - path: Marketing/Archive
    link: absent
"#;

#[test]
fn validate_passes_a_good_manifest_with_no_portal_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("links.yaml"), GOOD).unwrap();
    let wire = Tripwire::new();
    let out = offline(dir.path(), &wire, &["validate", "-f", "links.yaml"], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    // The unset password variable is named as a warning, at its place.
    assert!(
        out.stderr
            .contains("warning: environment variable DOCSPACE_LINK_PRESS is not set")
            && out.stderr.contains("links.yaml:6:"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("error"), "{}", out.stderr);
    assert!(
        out.stdout.contains("links.yaml is valid, with 1 warning"),
        "{}",
        out.stdout
    );
    assert!(wire.untouched(), "validate contacted the portal");

    // With the variable set, nothing is left to warn about, and the value is never shown.
    let secret = "press-pass-7781";
    let out = offline(
        dir.path(),
        &wire,
        &["validate", "-f", "links.yaml"],
        &[("DOCSPACE_LINK_PRESS", secret)],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.stdout,
        "links.yaml is valid: 2 folder entries, 0 scopes; nothing was sent to a portal.\n"
    );
    assert!(!out.all().contains(secret));
    assert!(wire.untouched(), "validate contacted the portal");
}

const BAD: &str = r#"version: 1
policy:
  forbid_access: [editing]
folders:
  - path: Marketing/Press kit
    link: { access: editing }
  - path: Marketing/Archive
    link: { access: read, expires: 2020-01-01 }
  - path: Marketing/Brand assets
    link: { access: read, password: { env: CI_DEPLOY_KEY } }
  - path: Marketing/Intake
    link: { access: read, password: { env: DOCSPACE_LINK_INTAKE } }
"#;

#[test]
fn validate_reports_every_problem_at_its_line_and_column_at_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("links.yaml"), BAD).unwrap();
    let wire = Tripwire::new();
    let out = offline(dir.path(), &wire, &["validate", "-f", "links.yaml"], &[]);
    assert_eq!(out.code, 1, "{}", out.all());
    for (at, what) in [
        ("links.yaml:6:21", "the policy forbids `editing` links"),
        ("links.yaml:8:36", "expir"),
        (
            "links.yaml:10:37",
            "CI_DEPLOY_KEY does not start with DOCSPACE_LINK_",
        ),
        ("links.yaml:12:37", "DOCSPACE_LINK_INTAKE is not set"),
    ] {
        assert!(
            out.stderr.contains(at) && out.stderr.contains(what),
            "{at} {what}:\n{}",
            out.stderr
        );
    }
    assert!(
        out.stdout
            .contains("links.yaml is not valid: 3 errors, 1 warning"),
        "{}",
        out.stdout
    );

    // The same as data, and as workflow commands on the lines.
    let out = offline(
        dir.path(),
        &wire,
        &["validate", "-f", "links.yaml", "--format", "json"],
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["valid"], false);
    assert_eq!(
        (json["errors"].clone(), json["warnings"].clone()),
        (3.into(), 1.into())
    );
    let found: Vec<(String, String, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_owned(),
                d["severity"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    for want in [
        ("policy-violation", "error", 6),
        ("password-env-forbidden", "error", 10),
        ("password-unavailable", "warning", 12),
    ] {
        assert!(
            found.contains(&(want.0.to_owned(), want.1.to_owned(), want.2)),
            "{want:?} in {found:?}"
        );
    }
    let out = offline(
        dir.path(),
        &wire,
        &["validate", "-f", "links.yaml", "--format", "github"],
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout.contains("::error file=links.yaml,line=6,col=21")
            && out
                .stdout
                .contains("::warning file=links.yaml,line=12,col=37"),
        "{}",
        out.stdout
    );
    assert!(wire.untouched(), "validate contacted the portal");
}

#[test]
fn validate_holds_a_password_at_hand_to_the_portal_policy_without_showing_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("links.yaml"), GOOD).unwrap();
    let wire = Tripwire::new();
    let out = offline(
        dir.path(),
        &wire,
        &["validate", "-f", "links.yaml"],
        &[("DOCSPACE_LINK_PRESS", "sh0rt")],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("shorter than 8 characters") && out.stderr.contains("links.yaml:6:"),
        "{}",
        out.stderr
    );
    assert!(!out.all().contains("sh0rt"), "{}", out.all());
}

#[test]
fn validate_reads_standard_input_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let wire = Tripwire::new();
    let mut cmd = bare_command(dir.path(), &["validate", "-f", "-"]);
    cmd.env("DOCSPACE_URL", wire.url());
    let out = run_with_input(
        &mut cmd,
        "version: 1\nfolders:\n  - path: A\n    link: { access: owner }\n",
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(out.stderr.contains("--> <stdin>:4:21"), "{}", out.stderr);
    let mut cmd = bare_command(dir.path(), &["validate", "-f", "-"]);
    let out = run_with_input(&mut cmd, GOOD);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.starts_with("<stdin> is valid"), "{}", out.stdout);
    let mut cmd = bare_command(dir.path(), &["validate", "-f", "-", "-"]);
    let out = run_with_input(&mut cmd, GOOD);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("only one of the -f files can be `-`"),
        "{}",
        out.stderr
    );
    assert!(wire.untouched());
}

const MANIFEST: &str = r#"
version: 1
folders:
  - path: Marketing/Press kit
    link: { title: Press kit }
  - path: Marketing/Brand assets
    link: { access: read }
  - path: "@my/Old projects"
    link: absent
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_reads_the_manifest_from_standard_input() {
    let portal = Portal::start(SEED).await;
    portal.write("links.yaml", MANIFEST);
    let from_file = portal.run(&["plan", "-f", "links.yaml", "--format", "json"]);
    assert_eq!(from_file.code, 0, "{}", from_file.all());
    let piped = portal.run_stdin(&["plan", "-f", "-", "--format", "json"], &[], MANIFEST);
    assert_eq!(piped.code, 0, "{}", piped.all());
    let plan = |text: &str| {
        let mut v: Value = serde_json::from_str(text).unwrap();
        // Each item names its manifest: the file, or `<stdin>`.
        for item in v["folders"].as_array_mut().unwrap() {
            item["manifest"] = Value::Null;
        }
        v
    };
    let file_items: Value = serde_json::from_str(&from_file.stdout).unwrap();
    assert_eq!(file_items["folders"][0]["manifest"], "links.yaml");
    let piped_items: Value = serde_json::from_str(&piped.stdout).unwrap();
    assert_eq!(piped_items["folders"][0]["manifest"], "<stdin>");
    assert_eq!(plan(&piped.stdout), plan(&from_file.stdout));
    assert_eq!(piped_items["summary"]["create"], 1, "{}", piped.stdout);

    // Errors name `<stdin>`, and nothing is read from the portal for a bad manifest.
    let before = portal.requests().await.len();
    let bad = portal.run_stdin(
        &["plan", "-f", "-"],
        &[],
        "version: 1\nfolders:\n  - path: A\n    link: { access: owner }\n",
    );
    assert_eq!(bad.code, 1, "{}", bad.all());
    assert!(bad.stderr.contains("--> <stdin>:4:21"), "{}", bad.stderr);
    assert_eq!(portal.requests().await.len(), before);

    // Standard input is read once: it cannot be the manifest and the baseline.
    let both = portal.run_stdin(&["plan", "-f", "-", "--baseline", "-"], &[], MANIFEST);
    assert_eq!(both.code, 1, "{}", both.all());
    assert!(
        both.stderr.contains("only one of -f and --baseline"),
        "{}",
        both.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_saved_from_standard_input_is_applied_with_it_on_standard_input() {
    let portal = Portal::start(SEED).await;
    let out = portal.run_stdin(&["plan", "-f", "-", "--out", "plan.json"], &[], MANIFEST);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stdout.contains("run (with the same manifest on standard input):\n    docspace-links apply --plan plan.json -f -\n"),
        "{}",
        out.stdout
    );
    let saved: Value =
        serde_json::from_str(&std::fs::read_to_string(portal.dir().join("plan.json")).unwrap())
            .unwrap();
    assert_eq!(saved["manifest"]["path"], "<stdin>");
    assert!(
        saved["manifest"].get("from_plan").is_none(),
        "{}",
        saved["manifest"]
    );
    // Without the manifest, apply cannot find one named `<stdin>`, and says so.
    let out = portal.run(&["apply", "--plan", "plan.json", "--yes"]);
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("Give it with -f FILE"),
        "{}",
        out.stderr
    );
    assert_eq!(portal.writes().await, Vec::<String>::new());
    // Another manifest on standard input is refused by its digest.
    let other = format!("{MANIFEST}# edited\n");
    let out = portal.run_stdin(
        &["apply", "--plan", "plan.json", "-f", "-", "--yes"],
        &[],
        &other,
    );
    assert_eq!(out.code, 4, "{}", out.all());
    assert_eq!(portal.writes().await, Vec::<String>::new());
    let out = portal.run_stdin(
        &["apply", "--plan", "plan.json", "-f", "-", "--yes"],
        &[],
        MANIFEST,
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(portal.primary("Marketing/Brand assets").await.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_reads_the_manifest_from_standard_input() {
    let portal = Portal::start(SEED).await;
    let out = portal.run_stdin(&["apply", "-f", "-", "--yes"], &[], MANIFEST);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(portal.primary("Marketing/Brand assets").await.is_some());
    assert!(portal.primary("@my/Old projects").await.is_none());
    let again = portal.run_stdin(&["plan", "-f", "-", "--detailed-exitcode"], &[], MANIFEST);
    assert_eq!(again.code, 0, "{}", again.all());
}

/// Saves the plan of `MANIFEST` in the portal's directory; returns what `plan`
/// printed in `format`.
fn save_plan(portal: &Portal, format: &str) -> String {
    portal.write("links.yaml", MANIFEST);
    let out = portal.run(&[
        "plan",
        "-f",
        "links.yaml",
        "--out",
        "plan.json",
        "--format",
        format,
    ]);
    assert_eq!(out.code, 0, "{}", out.all());
    out.stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_renders_a_saved_plan_as_plan_did_without_a_portal() {
    let portal = Portal::start(SEED).await;
    let markdown = save_plan(&portal, "markdown");
    let kept = tempfile::tempdir().unwrap();
    let dir = kept.path().to_owned();
    std::fs::copy(portal.dir().join("plan.json"), dir.join("kept.json")).unwrap();
    let json = save_plan(&portal, "json");
    for file in ["plan.json", "links.yaml"] {
        std::fs::copy(portal.dir().join(file), dir.join(file)).unwrap();
    }
    // The plan file is all show gets: the portal is gone and so is the token.
    drop(portal);
    let wire = Tripwire::new();
    let out = offline(
        &dir,
        &wire,
        &["show", "kept.json", "--format", "markdown"],
        &[],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(out.stdout, markdown);
    assert!(out.stdout.contains("Brand assets"), "{}", out.stdout);
    let out = offline(&dir, &wire, &["show", "plan.json", "--format", "json"], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(out.stdout, json);
    // Human: which plan it is, then the plan; --detailed-exitcode as for plan.
    let out = offline(
        &dir,
        &wire,
        &["show", "plan.json", "--detailed-exitcode"],
        &[],
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stdout.starts_with("Saved plan plan.json: made ")
            && out.stdout.contains("from links.yaml (SHA-256 ")
            && out.stdout.contains("to create"),
        "{}",
        out.stdout
    );
    // The manifest's own safety shares, when it is the one planned from.
    let out = offline(&dir, &wire, &["show", "plan.json", "-f", "links.yaml"], &[]);
    assert_eq!(out.code, 0, "{}", out.all());
    std::fs::write(dir.join("links.yaml"), format!("{MANIFEST}# edited\n")).unwrap();
    let out = offline(&dir, &wire, &["show", "plan.json", "-f", "links.yaml"], &[]);
    assert_eq!(out.code, 4, "{}", out.all());
    assert!(
        out.stderr.contains("changed since the plan"),
        "{}",
        out.stderr
    );
    assert!(wire.untouched(), "show contacted the portal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_refuses_a_plan_file_apply_would_refuse() {
    let portal = Portal::start(SEED).await;
    save_plan(&portal, "human");
    let dir = portal.dir().to_owned();
    let text = std::fs::read_to_string(dir.join("plan.json")).unwrap();
    let wire = Tripwire::new();
    let cases = [
        (
            "version",
            text.replacen("\"format_version\": 1", "\"format_version\": 2", 1),
            "plan-format",
        ),
        (
            "unknown key",
            text.replacen("{", "{\n  \"extra\": true,", 1),
            "plan-edited",
        ),
        (
            "second key",
            text.replacen("{", "{\n  \"portal\": \"https://elsewhere\",", 1),
            "plan-edited",
        ),
        ("not JSON", "plan".to_owned(), "plan-unreadable"),
    ];
    for (what, edited, code) in cases {
        std::fs::write(dir.join("edited.json"), &edited).unwrap();
        let shown = offline(
            &dir,
            &wire,
            &["show", "edited.json", "--format", "json"],
            &[],
        );
        let applied = portal.run(&[
            "apply",
            "--plan",
            "edited.json",
            "--yes",
            "--format",
            "json",
        ]);
        let code_of = |o: &Output| {
            let v: Value =
                serde_json::from_str(&o.stdout).unwrap_or_else(|_| panic!("{what}: {}", o.all()));
            v["error"]["code"].as_str().unwrap().to_owned()
        };
        assert_eq!(code_of(&shown), code, "{what}: {}", shown.all());
        assert_eq!(code_of(&applied), code, "{what}: {}", applied.all());
        assert_eq!(shown.code, applied.code, "{what}");
    }
    assert!(wire.untouched(), "show contacted the portal");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_treats_the_plan_file_as_foreign_text() {
    let portal = Portal::start(SEED).await;
    save_plan(&portal, "human");
    let dir = portal.dir().to_owned();
    let path = dir.join("plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let hostile = "Brand\n::error::owned\u{1b}[31m";
    for item in plan["plan"]["items"].as_array_mut().unwrap() {
        item["path"] = Value::from(hostile);
    }
    plan["created_by"] = Value::from("x\n::warning::also");
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let wire = Tripwire::new();
    for format in ["human", "markdown", "github"] {
        let out = offline(&dir, &wire, &["show", "plan.json", "--format", format], &[]);
        assert_eq!(out.code, 0, "{format}: {}", out.all());
        assert!(!out.stdout.contains('\u{1b}'), "{format}: {}", out.stdout);
        for line in out.stdout.lines() {
            assert!(
                !line.starts_with("::error::owned") && !line.starts_with("::warning::also"),
                "{format}: {line}"
            );
        }
    }
}

#[test]
fn validate_checks_several_manifests_as_a_pre_commit_hook_passes_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("good.yaml"), GOOD).unwrap();
    std::fs::write(dir.path().join("bad.yaml"), BAD).unwrap();
    let wire = Tripwire::new();
    let env = [("DOCSPACE_LINK_PRESS", "press-pass-7781")];
    let out = offline(dir.path(), &wire, &["validate", "-f", "good.yaml"], &env);
    assert_eq!(out.code, 0, "{}", out.all());
    let out = offline(
        dir.path(),
        &wire,
        &["validate", "-f", "good.yaml", "bad.yaml"],
        &env,
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stdout.contains("good.yaml is valid: 2 folder entries")
            && out
                .stdout
                .contains("bad.yaml is not valid: 3 errors, 1 warning"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.contains("--> bad.yaml:6:21"), "{}", out.stderr);
    let out = offline(
        dir.path(),
        &wire,
        &[
            "validate",
            "--format",
            "json",
            "-f",
            "good.yaml",
            "bad.yaml",
        ],
        &env,
    );
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["files"], serde_json::json!(["good.yaml", "bad.yaml"]));
    assert_eq!(json["diagnostics"][0]["file"], "bad.yaml");
    // The hook this repository offers runs exactly this command.
    let hooks = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/.pre-commit-hooks.yaml"
    ))
    .unwrap();
    assert!(
        hooks.contains("entry: docspace-links validate -f"),
        "{hooks}"
    );
    assert!(wire.untouched());
}

#[test]
fn a_stream_or_a_plan_file_past_the_limits_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let wire = Tripwire::new();
    // A sparse file: over 256 MiB long, nothing on disk, and never read.
    let huge = std::fs::File::create(dir.path().join("huge.json")).unwrap();
    huge.set_len((256 << 20) + 1).unwrap();
    let out = offline(
        dir.path(),
        &wire,
        &["show", "huge.json", "--format", "json"],
        &[],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    let json: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(json["error"]["code"], "plan-unreadable");
    assert!(
        out.stderr.contains("reads saved plans of at most 256 MiB"),
        "{}",
        out.stderr
    );
    let out = offline(
        dir.path(),
        &wire,
        &["apply", "--plan", "huge.json", "--yes"],
        &[("DOCSPACE_TOKEN", "sk-test")],
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.stderr.contains("reads saved plans of at most 256 MiB"),
        "{}",
        out.stderr
    );

    // A manifest on standard input past 32 MiB is refused as too large, by name.
    let mut cmd = bare_command(dir.path(), &["validate", "-f", "-"]);
    let input = format!("version: 1\nfolders: []\n{}", "#".repeat(33 << 20));
    let out = run_with_input(&mut cmd, &input);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("at most 32 MiB") && out.stderr.contains("<stdin>"),
        "{}",
        out.stderr
    );
    assert!(wire.untouched());
}
