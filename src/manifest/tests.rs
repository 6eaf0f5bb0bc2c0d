use std::collections::HashMap;
use std::path::Path;

use jiff::Timestamp;
use secrecy::ExposeSecret;

use super::*;

const NOW: &str = "2026-11-28T12:00:00Z";

fn parse_with(text: &str, vars: &[(&str, &str)], dir: &Path) -> Result<Manifest, ManifestError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    let var = move |n: &str| vars.get(n).cloned();
    let env = Environment {
        var: &var,
        base_dir: dir,
        now: NOW.parse().unwrap(),
    };
    parse(
        Source {
            name: "links.yaml".into(),
            text: text.into(),
        },
        &env,
    )
}

fn ok(text: &str) -> Manifest {
    parse_with(text, &[("P", "long-enough-pass")], Path::new(".")).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &str) -> String {
    match parse_with(
        text,
        &[("P", "long-enough-pass"), ("SHORT", "abc"), ("EMPTY", "")],
        Path::new("/nonexistent"),
    ) {
        Ok(m) => panic!("accepted: {m:?}"),
        Err(e) => e.to_string(),
    }
}

fn spec(m: &Manifest, i: usize) -> &LinkSpec {
    match &m.entries[i].link {
        DesiredLink::Present(s) => s,
        DesiredLink::Absent => panic!("absent"),
    }
}

#[test]
fn full_entry_parses_into_the_model() {
    let m = ok(r#"
version: 1
folders:
  - path: Marketing/Press kit
    link:
      access: editing
      title: Press kit
      expires: 2027-06-30T00:00:00Z
      password: { env: P }
      deny_download: true
      internal: false
"#);
    let s = spec(&m, 0);
    assert_eq!(
        m.entries[0].target,
        Target::Path(FolderPath {
            my_documents: false,
            segments: vec!["Marketing".into(), "Press kit".into()]
        })
    );
    assert_eq!(s.access, Some(Access::Editing));
    assert_eq!(s.title.as_deref(), Some("Press kit"));
    assert_eq!(
        s.expires,
        Some(Expiry::At("2027-06-30T00:00:00Z".parse().unwrap()))
    );
    assert!(
        matches!(&s.password, Some(DesiredPassword::Secret(p)) if p.expose_secret() == "long-enough-pass")
    );
    assert_eq!((s.deny_download, s.internal), (Some(true), Some(false)));
    assert_eq!(m.entries[0].target_pos.line, 4);
    assert_eq!(m.entries[0].target_pos.column, 11);
    assert_eq!(m.entries[0].access_pos.unwrap().line, 6);
}

#[test]
fn left_out_fields_are_unmanaged_and_defaults_fill_them() {
    let m = ok(
        "version: 1\ndefaults:\n  deny_download: true\n  access: read\nfolders:\n  - id: 7\n    link: { title: T }\n  - id: 8\n    link: { access: review }\n  - id: 9\n    link: absent\n",
    );
    let a = spec(&m, 0);
    assert_eq!(
        (a.access, a.deny_download, a.internal),
        (Some(Access::Read), Some(true), None)
    );
    assert!(a.expires.is_none() && a.password.is_none());
    assert_eq!(
        m.entries[0].access_pos.unwrap().line,
        4,
        "access came from defaults"
    );
    assert_eq!(spec(&m, 1).access, Some(Access::Review));
    assert!(matches!(m.entries[2].link, DesiredLink::Absent));
    assert_eq!(m.entries[0].target, Target::Id(7));
}

#[test]
fn an_empty_link_mapping_only_asks_for_a_link() {
    let m = ok("version: 1\nfolders:\n  - path: A\n    link: {}\n");
    let s = spec(&m, 0);
    assert!(s.access.is_none() && s.title.is_none() && s.deny_download.is_none());
}

#[test]
fn my_documents_paths() {
    let m = ok("version: 1\nfolders:\n  - path: \"@my/Drafts/2027\"\n    link: absent\n");
    let Target::Path(p) = &m.entries[0].target else {
        panic!()
    };
    assert!(p.my_documents);
    assert_eq!(p.segments, vec!["Drafts", "2027"]);
    assert_eq!(p.to_string(), "@my/Drafts/2027");
    assert!(
        err("version: 1\nfolders:\n  - path: \"@my\"\n    link: absent\n")
            .contains("My Documents itself")
    );
}

#[test]
fn expiry_forms() {
    let m = ok(
        "version: 1\nfolders:\n  - id: 1\n    link: { expires: 2027-06-30 }\n  - id: 2\n    link: { expires: never }\n  - id: 3\n    link: { expires: \"2027-06-30T02:00:00+02:00\" }\n",
    );
    assert_eq!(
        spec(&m, 0).expires,
        Some(Expiry::At("2027-06-30T00:00:00Z".parse().unwrap()))
    );
    assert_eq!(spec(&m, 1).expires, Some(Expiry::Never));
    assert_eq!(
        spec(&m, 2).expires,
        Some(Expiry::At("2027-06-30T00:00:00Z".parse().unwrap()))
    );
}

#[test]
fn expiry_in_the_past_too_far_or_unparseable() {
    let e = err("version: 1\nfolders:\n  - id: 1\n    link: { expires: 2020-01-01 }\n");
    assert!(
        e.contains("in the past") && e.contains("links.yaml:4:22"),
        "{e}"
    );
    let e = err("version: 1\nfolders:\n  - id: 1\n    link: { expires: 2037-01-01 }\n");
    assert!(e.contains("more than 10 years"), "{e}");
    let e =
        err("version: 1\nfolders:\n  - id: 1\n    link: { expires: \"2027-06-30T12:00:00.5Z\" }\n");
    assert!(e.contains("fractions of a second"), "{e}");
    let e = err("version: 1\nfolders:\n  - id: 1\n    link: { expires: next tuesday }\n");
    assert!(
        e.contains("not a date or timestamp") && e.contains("RFC 3339"),
        "{e}"
    );
}

#[test]
fn passwords_from_env_and_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kit.pass"), "from-a-file-pass\n").unwrap();
    let m = parse_with(
        "version: 1\nfolders:\n  - id: 1\n    link: { password: { file: kit.pass } }\n  - id: 2\n    link: { password: false }\n",
        &[],
        dir.path(),
    )
    .unwrap();
    assert!(
        matches!(&spec(&m, 0).password, Some(DesiredPassword::Secret(p)) if p.expose_secret() == "from-a-file-pass")
    );
    assert!(matches!(spec(&m, 1).password, Some(DesiredPassword::None)));
}

#[test]
fn password_mistakes() {
    let literal = err("version: 1\nfolders:\n  - id: 1\n    link: { password: hunter2hunter2 }\n");
    assert!(
        literal.contains("cannot be written in the manifest") && literal.contains("{ env: NAME }"),
        "{literal}"
    );
    assert!(!literal.contains("hunter2hunter2"), "{literal}");
    assert!(
        err("version: 1\nfolders:\n  - id: 1\n    link: { password: { env: NOPE } }\n")
            .contains("NOPE is not set")
    );
    assert!(
        err("version: 1\nfolders:\n  - id: 1\n    link: { password: { env: EMPTY } }\n")
            .contains("is empty")
    );
    let short = err("version: 1\nfolders:\n  - id: 1\n    link: { password: { env: SHORT } }\n");
    assert!(short.contains("shorter than 8"), "{short}");
    assert!(
        !short.contains("abc\n") && !short.contains(" abc"),
        "{short}"
    );
    let file =
        err("version: 1\nfolders:\n  - id: 1\n    link: { password: { file: missing.txt } }\n");
    assert!(
        file.contains("cannot read password file") && file.contains("missing.txt"),
        "{file}"
    );
    assert!(
        err("version: 1\nfolders:\n  - id: 1\n    link: { password: true }\n")
            .contains("does not say which password")
    );
    assert!(
        err("version: 1\nfolders:\n  - id: 1\n    link: { password: { env: A, file: b } }\n")
            .contains("exactly one")
    );
}

#[test]
fn secrets_never_appear_in_debug_output() {
    let m = ok("version: 1\nfolders:\n  - id: 1\n    link: { password: { env: P } }\n");
    assert!(!format!("{m:?}").contains("long-enough-pass"));
}

#[test]
fn structural_errors_carry_positions() {
    let cases = [
        (
            "version: 1\nfolders:\n  - path: A\n    lnk: absent\n",
            "unknown field",
            ":4:",
        ),
        (
            "version: 1\nfolders:\n  - path: A\n    link: { deny_download: yes }\n",
            "true",
            ":4:",
        ),
        ("version: 1\nversion: 1\nfolders: []\n", "duplicate", ":2:"),
        (
            "version: 1\nfolders:\n  - path: A\n    link: { access: reed }\n",
            "reed",
            ":4:",
        ),
        (
            "version: 1\nfolders:\n  - path: A\n    link: present\n",
            "absent",
            ":4:",
        ),
        (
            "version: 1\nfolders:\n  - path: A\n    link: { title: [1] }\n",
            "title",
            ":4:",
        ),
        (
            "version: 2\nfolders: []\n",
            "unsupported manifest version 2",
            ":1:",
        ),
        (
            "version: 1\nfolders:\n  - path: A/\n    link: absent\n",
            "empty part",
            ":3:",
        ),
        (
            "version: 1\nfolders:\n  - path: A\n    id: 3\n    link: absent\n",
            "not both",
            ":4:",
        ),
        (
            "version: 1\nfolders:\n  - link: absent\n",
            "names no folder",
            ":3:",
        ),
        (
            "version: 1\nfolders:\n  - id: 0\n    link: absent\n",
            "not a folder id",
            ":3:",
        ),
    ];
    for (text, needle, pos) in cases {
        let e = err(text);
        assert!(e.contains(needle), "{text:?}: {e}");
        assert!(e.contains(&format!("links.yaml{pos}")), "{text:?}: {e}");
    }
}

#[test]
fn title_limits() {
    let long = "x".repeat(256);
    assert!(
        err(&format!(
            "version: 1\nfolders:\n  - id: 1\n    link: {{ title: {long} }}\n"
        ))
        .contains("at most 255")
    );
    assert!(
        err("version: 1\nfolders:\n  - id: 1\n    link: { title: \"\" }\n")
            .contains("cannot be empty")
    );
    let ok_title = "é".repeat(255);
    ok(&format!(
        "version: 1\nfolders:\n  - id: 1\n    link: {{ title: {ok_title} }}\n"
    ));
}

#[test]
fn duplicate_entries_name_both_lines() {
    let e = err(
        "version: 1\nfolders:\n  - id: 5\n    link: absent\n  - path: B\n    link: absent\n  - id: 5\n    link: absent\n",
    );
    assert!(
        e.contains("links.yaml:7:9") && e.contains("links.yaml:3:9"),
        "{e}"
    );
}

#[test]
fn every_error_is_reported_at_once() {
    let e = err(
        "version: 1\nfolders:\n  - id: 1\n    link: { expires: 2020-01-01 }\n  - id: 2\n    link: { password: { env: NOPE } }\n",
    );
    assert_eq!(e.matches("error:").count(), 2, "{e}");
}

#[test]
fn empty_files_are_refused() {
    assert!(err("").contains("empty"));
    assert!(err("# only a comment\n").contains("empty"));
}

#[test]
fn a_missing_file_is_named() {
    let env = Environment {
        var: &|_| None,
        base_dir: Path::new("."),
        now: Timestamp::now(),
    };
    let e = load(Path::new("no/such/links.yaml"), &env)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no/such/links.yaml"), "{e}");
}

#[test]
fn rendered_error_snapshot() {
    insta::assert_snapshot!(err(
        "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link:\n      access: read\n      password: s3cret-literal\n"
    ));
}
