//! The manifest contract (design.md 1), rule by rule, through `parse` and `load` as the
//! tool calls them. Long because the contract has many rules; each test is one of them.

use std::collections::HashMap;
use std::path::Path;

use jiff::Timestamp;
use secrecy::ExposeSecret;

use super::*;
use crate::model::{Access, DesiredPassword, Expiry};

const NOW: &str = "2026-11-28T12:00:00Z";
/// Values of the environment the tests run in; none of them may ever be printed.
const VARS: [(&str, &str); 3] = [
    ("DOCSPACE_LINK_P", "long-enough-pass"),
    ("DOCSPACE_LINK_SHORT", "abc12"),
    ("DOCSPACE_LINK_EMPTY", ""),
];

fn parse_in(text: &str, dir: &Path) -> Result<Manifest, ManifestError> {
    let vars: HashMap<&str, &str> = VARS.into_iter().collect();
    let var = move |n: &str| vars.get(n).map(|v| (*v).to_owned());
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
    parse_in(text, Path::new("/nonexistent")).unwrap_or_else(|e| panic!("{e}"))
}

/// The problems as the user reads them: snippets of the file, drawn by `render/`.
fn err(text: &str) -> String {
    match parse_in(text, Path::new("/nonexistent")) {
        Ok(m) => panic!("accepted: {m:?}"),
        Err(e) => shown(&e),
    }
}

fn shown(e: &ManifestError) -> String {
    crate::render::manifest_text(e)
}

/// The codes of the problems found, in report order.
fn codes(text: &str) -> Vec<&'static str> {
    match parse_in(text, Path::new("/nonexistent")) {
        Ok(m) => panic!("accepted: {m:?}"),
        Err(e) => e.diagnostics().iter().map(|d| d.code.as_str()).collect(),
    }
}

/// Parses with exactly these environment variables set.
fn parse_with(text: &str, vars: &[(&str, &str)]) -> Result<Manifest, ManifestError> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let var = move |n: &str| vars.get(n).cloned();
    let env = Environment {
        var: &var,
        base_dir: Path::new("/nonexistent"),
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

/// One entry with this `link:` flow mapping (the value starts at line 4, column 11).
fn link(fields: &str) -> String {
    format!("version: 1\nfolders:\n  - id: 1\n    link: {fields}\n")
}

fn spec(m: &Manifest, i: usize) -> &LinkSpec {
    match &m.entries[i].link {
        DesiredLink::Present(s) => s,
        DesiredLink::Absent => panic!("entry {i} is absent"),
    }
}

fn at(line: u32, column: u32) -> String {
    format!("links.yaml:{line}:{column}\n")
}

fn ts(s: &str) -> Option<Expiry> {
    Some(Expiry::At(s.parse().unwrap()))
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
      password: { env: DOCSPACE_LINK_P }
      deny_download: true
      internal: false
"#);
    let e = &m.entries[0];
    assert_eq!(
        e.target,
        Target::Path(FolderPath {
            my_documents: false,
            segments: vec!["Marketing".into(), "Press kit".into()]
        })
    );
    let s = spec(&m, 0);
    assert_eq!(s.access, Some(Access::Editing));
    assert_eq!(s.title.as_deref(), Some("Press kit"));
    assert_eq!(s.expires, ts("2027-06-30T00:00:00Z"));
    assert!(
        matches!(&s.password, Some(DesiredPassword::Secret(r)) if m.secrets.get(r).unwrap().expose_secret() == "long-enough-pass")
    );
    assert_eq!((s.deny_download, s.internal), (Some(true), Some(false)));
    assert_eq!(
        e.target_pos,
        Pos {
            line: 4,
            column: 11,
            len: 19
        }
    );
    assert_eq!((e.link_pos.line, e.link_pos.column), (6, 7));
    let access = e.access_pos.unwrap();
    assert_eq!((access.line, access.column, access.len), (6, 15, 7));
}

#[test]
fn left_out_fields_are_unmanaged() {
    let s = spec(&ok(&link("{ access: read }")), 0).clone_fields();
    assert_eq!(s, (Some(Access::Read), None, None, false, None, None));
    let m = ok(&link("{}"));
    assert_eq!(
        spec(&m, 0).clone_fields(),
        (None, None, None, false, None, None)
    );
    assert_eq!(m.entries[0].access_pos, None);
}

#[test]
fn defaults_fill_what_an_entry_leaves_out() {
    let m = ok(
        "version: 1\ndefaults:\n  deny_download: true\n  access: read\n  password: false\nfolders:\n  - id: 7\n    link: { title: T }\n  - id: 8\n    link: { access: review, deny_download: false }\n  - id: 9\n    link: absent\n",
    );
    let a = spec(&m, 0);
    assert_eq!(
        (a.access, a.deny_download, a.internal, a.title.as_deref()),
        (Some(Access::Read), Some(true), None, Some("T"))
    );
    assert!(matches!(a.password, Some(DesiredPassword::None)));
    assert_eq!(
        m.entries[0].access_pos.map(|p| p.line),
        Some(4),
        "access came from defaults"
    );
    let b = spec(&m, 1);
    assert_eq!(
        (b.access, b.deny_download),
        (Some(Access::Review), Some(false))
    );
    assert_eq!(m.entries[1].access_pos.map(|p| p.line), Some(10));
    assert!(
        matches!(m.entries[2].link, DesiredLink::Absent),
        "absent takes no defaults"
    );
    assert_eq!(m.entries[2].access_pos, None);
}

#[test]
fn a_mistake_in_defaults_is_reported_once_even_when_unused() {
    let text = "version: 1\ndefaults: { expires: 2020-01-01 }\nfolders:\n  - id: 1\n    link: {}\n  - id: 2\n    link: { title: '' }\n  - id: 3\n    link: {}\n";
    let e = err(text);
    assert_eq!(e.matches("in the past").count(), 1, "{e}");
    assert!(e.contains(&at(2, 22)) && e.contains(&at(7, 20)), "{e}");
    let unused = err(
        "version: 1\ndefaults: { expires: 2020-01-01 }\nfolders:\n  - id: 1\n    link: absent\n",
    );
    assert!(unused.contains("in the past"), "{unused}");
}

#[test]
fn link_absent_and_empty_mapping() {
    let m = ok("version: 1\nfolders:\n  - path: A\n    link: absent\n  - path: B\n    link: {}\n");
    assert!(matches!(m.entries[0].link, DesiredLink::Absent));
    assert!(matches!(m.entries[1].link, DesiredLink::Present(_)));
    let e = err(&link("present"));
    assert!(
        e.contains("expected `absent` or a mapping of link fields") && e.contains(&at(4, 11)),
        "{e}"
    );
    let e = err(&link("5"));
    assert!(
        e.contains("expected `absent` or a mapping of link fields, found `5`")
            && e.contains(&at(4, 11)),
        "{e}"
    );
    assert!(!e.contains("RawLink"), "{e}");
}

#[test]
fn my_documents_paths() {
    let m = ok("version: 1\nfolders:\n  - path: \"@my/Drafts/2027\"\n    link: absent\n");
    let Target::Path(p) = &m.entries[0].target else {
        panic!("not a path")
    };
    assert!(p.my_documents);
    assert_eq!(p.segments, vec!["Drafts", "2027"]);
    assert_eq!(p.to_string(), "@my/Drafts/2027");
    let e = err("version: 1\nfolders:\n  - path: \"@my\"\n    link: absent\n");
    assert!(
        e.contains("My Documents itself cannot have an external link") && e.contains(&at(3, 11)),
        "{e}"
    );
}

#[test]
fn paths_display_as_written() {
    let m = ok("version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: absent\n");
    let Target::Path(p) = &m.entries[0].target else {
        panic!("not a path")
    };
    assert_eq!(p.to_string(), "Marketing/Press kit");
    assert!(!p.my_documents);
}

#[test]
fn malformed_paths() {
    for (path, what) in [
        ("/Marketing", "starts with '/'"),
        ("Marketing/", "ends with '/'"),
        ("Marketing//Kit", "empty folder title"),
        ("Marketing/ /Kit", "empty folder title"),
        ("\"\"", "the path is empty"),
    ] {
        let e = err(&format!(
            "version: 1\nfolders:\n  - path: {path}\n    link: absent\n"
        ));
        assert!(e.contains(what) && e.contains(&at(3, 11)), "{path}: {e}");
        if what != "the path is empty" {
            assert!(e.contains("must be named by `id`"), "{e}");
        }
    }
}

#[test]
fn an_entry_names_its_folder_exactly_once() {
    let both = err("version: 1\nfolders:\n  - path: A\n    id: 3\n    link: absent\n");
    assert!(
        both.contains("both `path` and `id`") && both.contains(&at(3, 5)),
        "{both}"
    );
    let neither = err("version: 1\nfolders:\n  - link: absent\n");
    assert!(
        neither.contains("does not say which folder") && neither.contains(&at(3, 5)),
        "{neither}"
    );
}

#[test]
fn ids_are_positive_integers() {
    assert_eq!(ok(&link("absent")).entries[0].target, Target::Id(1));
    for (id, needle) in [
        ("0", "`0` is not a folder id"),
        ("-5", "`-5` is not a folder id"),
        ("abc", "`id` must be an integer, found `abc`"),
    ] {
        let e = err(&format!(
            "version: 1\nfolders:\n  - id: {id}\n    link: absent\n"
        ));
        assert!(e.contains(needle) && e.contains(&at(3, 9)), "{id}: {e}");
        assert!(e.contains("positive integers"), "{e}");
    }
}

#[test]
fn duplicate_entries_name_both_lines() {
    let e = err(
        "version: 1\nfolders:\n  - id: 5\n    link: absent\n  - path: B\n    link: absent\n  - id: 5\n    link: absent\n",
    );
    assert!(e.contains("two entries for the folder with id 5"), "{e}");
    assert!(e.contains(&at(7, 9)) && e.contains(&at(3, 9)), "{e}");
    assert!(e.contains("the first entry for this folder is here"), "{e}");
    let e = err(
        "version: 1\nfolders:\n  - path: \"@my/A\"\n    link: absent\n  - path: '@my/A'\n    link: {}\n",
    );
    assert!(
        e.contains("two entries for the folder `@my/A`")
            && e.contains(&at(5, 11))
            && e.contains(&at(3, 11)),
        "{e}"
    );
    // Only the portal knows whether a path and an id are the same folder.
    ok(
        "version: 1\nfolders:\n  - path: A\n    link: absent\n  - id: 5\n    link: absent\n  - path: \"@my/A\"\n    link: absent\n",
    );
}

#[test]
fn access_levels() {
    for a in Access::ALL {
        assert_eq!(
            spec(&ok(&link(&format!("{{ access: {a} }}"))), 0).access,
            Some(a)
        );
    }
    let e = err(&link("{ access: reed }"));
    assert!(
        e.contains("unknown access level `reed`") && e.contains(&at(4, 21)),
        "{e}"
    );
    assert!(
        e.contains("read, review, comment, fill-forms, editing"),
        "{e}"
    );
    assert!(err(&link("{ access: Read }")).contains("unknown access level `Read`"));
}

#[test]
fn expiry_forms() {
    let cases = [
        ("2027-06-30", ts("2027-06-30T00:00:00Z")),
        ("\"2027-06-30\"", ts("2027-06-30T00:00:00Z")),
        ("2027-06-30T00:00:00Z", ts("2027-06-30T00:00:00Z")),
        ("'2027-06-30T02:00:00+02:00'", ts("2027-06-30T00:00:00Z")),
        ("never", Some(Expiry::Never)),
    ];
    for (text, want) in cases {
        assert_eq!(
            spec(&ok(&link(&format!("{{ expires: {text} }}"))), 0).expires,
            want,
            "{text}"
        );
    }
}

#[test]
fn expiry_must_lie_in_the_next_ten_years() {
    let e = err(&link("{ expires: 2020-01-01 }"));
    assert!(
        e.contains("the expiry 2020-01-01T00:00:00Z is in the past") && e.contains(&at(4, 22)),
        "{e}"
    );
    assert!(e.contains("silently"), "{e}");
    assert!(err(&link(&format!("{{ expires: '{NOW}' }}"))).contains("in the past"));
    let e = err(&link("{ expires: 2036-11-28T12:00:01Z }"));
    assert!(
        e.contains("more than 10 years ahead") && e.contains(&at(4, 22)),
        "{e}"
    );
    ok(&link("{ expires: 2036-11-28T12:00:00Z }"));
}

#[test]
fn unparseable_expiry_shows_the_accepted_forms() {
    for (text, needle) in [
        ("next tuesday", "`next tuesday` is not a date or timestamp"),
        ("2027", "`2027` is not a date or timestamp"),
        ("2027-02-30", "`2027-02-30` is not a valid date"),
        ("2027-06-30T05:00:00", "has no UTC offset"),
    ] {
        let e = err(&link(&format!("{{ expires: {text} }}")));
        assert!(e.contains(needle) && e.contains(&at(4, 22)), "{text}: {e}");
    }
    assert!(err(&link("{ expires: soon }")).contains("RFC 3339 timestamp with an offset"));
}

#[test]
fn passwords_from_env_and_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("kit.pass"), "from-a-file-pass\n").unwrap();
    std::fs::write(dir.path().join("crlf.pass"), "windows-pass\r\n").unwrap();
    let m = parse_in(
        "version: 1\nfolders:\n  - id: 1\n    link: { password: { file: kit.pass } }\n  - id: 2\n    link: { password: false }\n  - id: 3\n    link: { password: { env: DOCSPACE_LINK_P } }\n  - id: 4\n    link: { password: { file: crlf.pass } }\n",
        dir.path(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let secret = |i| match &spec(&m, i).password {
        Some(DesiredPassword::Secret(r)) => m.secrets.get(r).unwrap().expose_secret().to_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(secret(0), "from-a-file-pass");
    assert!(matches!(spec(&m, 1).password, Some(DesiredPassword::None)));
    assert_eq!(secret(2), "long-enough-pass");
    assert_eq!(secret(3), "windows-pass");
}

#[test]
fn literal_passwords_are_refused_without_being_shown() {
    for literal in ["hunter2hunter2", "\"hunter2hunter2\"", "12345678", "yes"] {
        let e = err(&link(&format!("{{ password: {literal} }}")));
        assert!(
            e.contains("a password cannot be written in the manifest") && e.contains(&at(4, 23)),
            "{e}"
        );
        assert!(
            e.contains("{ env: NAME }") && e.contains("{ file: path }"),
            "{e}"
        );
        assert!(e.contains("password: ********"), "{e}");
        assert!(!e.contains(literal.trim_matches('"')), "{e}");
    }
}

#[test]
fn password_references_that_do_not_work() {
    let cases = [
        (
            "{ password: true }",
            "`password: true` does not say which password",
        ),
        (
            "{ password: { env: DOCSPACE_LINK_NOPE } }",
            "environment variable DOCSPACE_LINK_NOPE is not set",
        ),
        (
            "{ password: { env: DOCSPACE_LINK_EMPTY } }",
            "the password from environment variable DOCSPACE_LINK_EMPTY is empty",
        ),
        (
            "{ password: { env: DOCSPACE_LINK_SHORT } }",
            "shorter than 8 characters",
        ),
        ("{ password: { env: '' } }", "`env` needs the name"),
        (
            "{ password: { file: missing.txt } }",
            "cannot read password file /nonexistent/missing.txt",
        ),
    ];
    for (fields, needle) in cases {
        let e = err(&link(fields));
        assert!(
            e.contains(needle) && e.contains(&at(4, 23)),
            "{fields}: {e}"
        );
    }
    assert!(err(&link("{ password: { env: DOCSPACE_LINK_SHORT } }")).contains("400"));
    let both = err(&link("{ password: { env: DOCSPACE_LINK_A, file: b } }"));
    assert!(both.contains("exactly one of `env` or `file`"), "{both}");
    let unknown = err(&link("{ password: { value: s3cret-value } }"));
    assert!(
        unknown.contains("unknown key in a password reference")
            && unknown.contains("{ env: NAME }"),
        "{unknown}"
    );
    assert_eq!(unknown.matches("error:").count(), 1, "{unknown}");
    assert!(!unknown.contains("s3cret-value"), "{unknown}");
    // A key in a password reference may be the password itself: it is never echoed.
    let key = err(&link("{ password: { s3cret-key } }"));
    assert!(key.contains("unknown key in a password reference"), "{key}");
    assert!(!key.contains("s3cret-key"), "{key}");
}

#[test]
fn no_secret_is_ever_printed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("short.pass"), "tiny-1\n").unwrap();
    std::fs::write(dir.path().join("good.pass"), "file-secret-value\n").unwrap();
    let bad = "version: 1\ndefaults:\n  password: literal-in-defaults\nfolders:\n  - id: 1\n    link: { password: literal-flow, title: '' }\n  - id: 2\n    link:\n      password: \"literal-quoted\"\n  - id: 3\n    link:\n      password:\n        literal-block\n  - id: 4\n    link: { password: { env: DOCSPACE_LINK_SHORT } }\n  - id: 5\n    link: { password: { file: short.pass } }\n  - id: 6\n    link: { password: { env: DOCSPACE_LINK_P }, expires: 2020-01-01 }\n  - id: 7\n    link: { password: { file: good.pass }, access: nope }\n";
    let rendered = match parse_in(bad, dir.path()) {
        Ok(m) => panic!("accepted: {m:?}"),
        Err(e) => format!("{}\n{e:?}", shown(&e)),
    };
    // The YAML error stops at the first problem; validation errors need a parseable file.
    let parseable = bad.replace(", access: nope", "");
    let all = match parse_in(&parseable, dir.path()) {
        Ok(m) => panic!("accepted: {m:?}"),
        Err(e) => format!("{}\n{e:?}\n{:?}", shown(&e), e.diagnostics),
    };
    assert_eq!(all.matches("error:").count(), 8, "{all}");
    let good = parse_in(
        "version: 1\nfolders:\n  - id: 1\n    link: { password: { env: DOCSPACE_LINK_P } }\n  - id: 2\n    link: { password: { file: good.pass } }\n",
        dir.path(),
    )
    .unwrap();
    let debug = format!("{good:?}");
    for secret in [
        "literal-in-defaults",
        "literal-flow",
        "literal-quoted",
        "literal-block",
        "abc12",
        "tiny-1",
        "long-enough-pass",
        "file-secret-value",
    ] {
        for out in [&rendered, &all, &debug] {
            assert!(!out.contains(secret), "{secret} leaked:\n{out}");
        }
    }
}

#[test]
fn yaml_1_1_booleans_are_refused_with_help() {
    for word in ["yes", "no", "on", "off", "y", "n"] {
        for field in ["deny_download", "internal"] {
            let e = err(&format!(
                "version: 1\nfolders:\n  - id: 1\n    link:\n      {field}: {word}\n"
            ));
            assert!(e.contains(&format!("`{word}` is not a boolean")), "{e}");
            assert!(e.contains(&at(5, field.len() as u32 + 9)), "{e}");
            assert!(e.contains("help: use true or false"), "{e}");
        }
    }
    let m = ok(&link("{ deny_download: false, internal: true }"));
    assert_eq!(
        (spec(&m, 0).deny_download, spec(&m, 0).internal),
        (Some(false), Some(true))
    );
}

#[test]
fn structural_errors_carry_positions() {
    let cases = [
        (
            "version: 1\nfolders:\n  - path: A\n    lnk: absent\n",
            "unknown key `lnk`",
            (4, 5),
        ),
        (
            "version: 1\nfolders:\n  - path: A\n    link: { acess: read }\n",
            "expected one of: access, title, expires, password, deny_download, internal",
            (4, 13),
        ),
        ("version: 1\nfoldrs: []\n", "unknown key `foldrs`", (2, 1)),
        (
            "version: 1\nversion: 1\nfolders: []\n",
            "the key `version` appears twice",
            (2, 1),
        ),
        (
            "version: 1\nfolders:\n  - id: 1\n    link:\n      title: a\n      title: b\n",
            "the key `title` appears twice",
            (6, 7),
        ),
        (
            "version: 1\nfolders:\n  - path: A\n    link: { title: [1] }\n",
            "`title` must be a string",
            (4, 20),
        ),
        (
            "version: 1\nfolders:\n  path: A\n",
            "`folders` must be a list",
            (3, 3),
        ),
        ("folders: []\n", "missing key `version`", (1, 1)),
        ("version: 1\n", "missing key `folders`", (1, 1)),
        (
            "version: 1\nfolders:\n  - path: A\n",
            "missing key `link`",
            (3, 5),
        ),
        (
            "version: 1\nfolders:\n  - path: A\n    link: { a: [ }\n",
            "unknown key `a`",
            (4, 13),
        ),
        (
            "version: 1\nfolders: []\n---\nversion: 1\n",
            "more than one YAML document",
            (4, 1),
        ),
    ];
    for (text, needle, (line, column)) in cases {
        let e = err(text);
        assert!(e.contains(needle), "{text:?}: {e}");
        assert!(e.contains(&at(line, column)), "{text:?}: {e}");
        assert!(
            !e.contains("Raw") && !e.contains("DuplicateKeyPolicy"),
            "{e}"
        );
    }
}

#[test]
fn only_version_1_is_read() {
    let e = err("version: 2\nfolders: []\n");
    assert!(
        e.starts_with(
            "error: unsupported manifest version 2 (this docspace-links reads version 1)\n"
        ),
        "{e}"
    );
    assert!(e.contains(&at(1, 10)), "{e}");
}

#[test]
fn title_limits() {
    ok(&link(&format!("{{ title: {} }}", "é".repeat(255))));
    let e = err(&link(&format!("{{ title: {} }}", "é".repeat(256))));
    assert!(
        e.contains("256 characters long; the portal allows at most 255") && e.contains(&at(4, 20)),
        "{e}"
    );
    assert!(err(&link("{ title: \"\" }")).contains("cannot be empty"));
    assert!(err(&link("{ title: \"  \" }")).contains("cannot be empty"));
}

#[test]
fn every_error_is_reported_at_once() {
    let e = err(
        "version: 1\nfolders:\n  - id: 1\n    link: { expires: 2020-01-01 }\n  - id: 2\n    link: { password: { env: DOCSPACE_LINK_NOPE } }\n  - path: /A\n    link: absent\n",
    );
    assert_eq!(e.matches("error:").count(), 3, "{e}");
}

#[test]
fn empty_files_are_refused() {
    for text in ["", "\n\n", "# only a comment\n", "---\n# nothing\n"] {
        let e = err(text);
        assert!(
            e.contains("the manifest is empty") && e.contains("version: 1"),
            "{text:?}: {e}"
        );
    }
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
    assert!(
        e.contains("cannot read the manifest no/such/links.yaml"),
        "{e}"
    );
}

#[test]
fn load_reads_the_file_and_keeps_its_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("links.yaml");
    std::fs::write(&path, "version: 1\nfolders:\n  - id: 3\n    link: absent\n").unwrap();
    let env = Environment {
        var: &|_| None,
        base_dir: dir.path(),
        now: Timestamp::now(),
    };
    let m = load(&path, &env).unwrap();
    assert_eq!(m.source.name, path.display().to_string());
    assert_eq!(m.entries[0].target, Target::Id(3));
}

#[test]
fn rendered_error_reports() {
    insta::assert_snapshot!(
        "literal_password",
        err(
            "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link:\n      access: read\n      password: s3cret-literal\n"
        )
    );
    insta::assert_snapshot!("yaml_1_1_boolean", err(&link("{ deny_download: yes }")));
    insta::assert_snapshot!(
        "unknown_access",
        err("version: 1\nfolders:\n  - path: Marketing\n    link:\n      access: fill_forms\n")
    );
    insta::assert_snapshot!(
        "duplicate_entries",
        err(
            "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: absent\n  - id: 9\n    link: {}\n  - path: Marketing/Press kit\n    link: { access: read }\n"
        )
    );
    insta::assert_snapshot!(
        "several_errors",
        err(
            "version: 1\ndefaults:\n  expires: 2020-01-01\nfolders:\n  - path: /Marketing\n    link: absent\n  - id: 12\n    link:\n      title: \"\"\n      password: { env: DOCSPACE_LINK_NOPE }\n"
        )
    );
    insta::assert_snapshot!("missing_version", err("folders: []\n"));
}

impl LinkSpec {
    /// The comparable fields, with the password reduced to "is it managed".
    #[allow(clippy::type_complexity)]
    fn clone_fields(
        &self,
    ) -> (
        Option<Access>,
        Option<String>,
        Option<Expiry>,
        bool,
        Option<bool>,
        Option<bool>,
    ) {
        (
            self.access,
            self.title.clone(),
            self.expires,
            self.password.is_some(),
            self.deny_download,
            self.internal,
        )
    }
}

#[test]
fn expiry_is_to_the_second() {
    let e =
        err("version: 1\nfolders:\n  - id: 1\n    link: { expires: \"2027-06-30T12:00:00.5Z\" }\n");
    assert!(e.contains("fractions of a second"), "{e}");
}

#[test]
fn every_structural_error_is_reported_in_one_run() {
    let text = "version: 1\nfolders:\n  - path: Marketing\n    link:\n      acess: read\n      titel: Press kit\n  - path: Sales\n    link: { access: raed, deny_download: [true] }\n  - id: abc\n    lnk: absent\n";
    let e = err(text);
    for (needle, line, column) in [
        ("unknown key `acess`", 5, 7),
        ("unknown key `titel`", 6, 7),
        ("unknown access level `raed`", 8, 21),
        ("`deny_download` must be true or false, found a list", 8, 42),
        ("`id` must be an integer, found `abc`", 9, 9),
        ("unknown key `lnk`", 10, 5),
    ] {
        assert!(
            e.contains(&format!("error: {needle}\n")) && e.contains(&at(line, column)),
            "{needle}:\n{e}"
        );
    }
    assert_eq!(e.matches("error:").count(), 6, "{e}");
    assert_eq!(
        codes(text),
        [
            "unknown-key",
            "unknown-key",
            "unknown-access",
            "invalid-type",
            "invalid-type",
            "unknown-key"
        ]
    );
    insta::assert_snapshot!(
        "three_structural_errors",
        err(
            "version: 1\nfolders:\n  - path: Marketing\n    link: { acess: read, titel: Press kit }\n  - path: Sales\n    link: { access: raed }\n"
        )
    );
}

#[test]
fn every_duplicate_key_with_the_first_one() {
    let e = err(
        "version: 1\nfolders:\n  - id: 1\n    link: { title: a, title: b }\n  - id: 2\n    link: absent\n    link: absent\n",
    );
    assert_eq!(e.matches("error: the key").count(), 2, "{e}");
    assert!(e.contains(&at(4, 23)) && e.contains(&at(4, 13)), "{e}");
    assert!(e.contains(&at(7, 5)) && e.contains(&at(6, 5)), "{e}");
    assert!(e.contains("note: the first `link` is here"), "{e}");
}

#[test]
fn structure_and_yaml_errors_together() {
    // What the parser read before the broken line is checked too.
    let e = err(
        "version: 1\nfolders:\n  - id: 1\n    link: { acess: read }\n  - id: 2\n    link: { title: 'x }\n",
    );
    assert!(
        e.contains("unknown key `acess`") && e.contains(&at(4, 13)),
        "{e}"
    );
    assert_eq!(
        codes(
            "version: 1\nfolders:\n  - id: 1\n    link: { acess: read }\n  - id: 2\n    link: { title: 'x }\n"
        ),
        ["unknown-key", "yaml-syntax"]
    );
    // A syntax error alone keeps serde's wording.
    let alone = err("version: 1\nfolders:\n  - id: 1\n    link: { title: 'x }\n");
    assert!(
        alone.contains("error: unclosed quote") && alone.contains(&at(4, 20)),
        "{alone}"
    );
}

#[test]
fn what_the_structure_pass_accepts_serde_accepts() {
    // Spellings the pass must not refuse: quoted scalars, YAML 1.2 booleans and
    // integers, null for optional fields, anchors and aliases.
    let m = ok(
        "version: 0x1\ndefaults: &d { access: 'read', deny_download: True }\nfolders:\n  - id: +1_000\n    link: *d\n  - path: \"Sales\"\n    link: { title: 5, expires: ~, internal: FALSE, password: null }\n",
    );
    assert_eq!(m.entries.len(), 2);
    assert_eq!(m.entries[0].target, Target::Id(1000));
    assert_eq!(spec(&m, 1).title.as_deref(), Some("5"));
    assert_eq!(spec(&m, 1).internal, Some(false));
}

#[test]
fn every_diagnostic_names_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 22] = [
        ("version: 1\nfoldrs: []\n", &["unknown-key"]),
        ("version: 1\nversion: 1\nfolders: []\n", &["duplicate-key"]),
        ("version: 1\n", &["missing-key"]),
        ("version: 1\nfolders: 5\n", &["invalid-type"]),
        (&link("{ access: reed }"), &["unknown-access"]),
        ("version: 1\nfolders: [\n", &["yaml-syntax"]),
        ("", &["empty"]),
        ("version: 2\nfolders: []\n", &["version"]),
        (
            "version: 1\nfolders:\n  - path: /A\n    link: absent\n",
            &["path"],
        ),
        (
            "version: 1\nfolders:\n  - id: 0\n    link: absent\n",
            &["id"],
        ),
        ("version: 1\nfolders:\n  - link: absent\n", &["target"]),
        (
            "version: 1\nfolders:\n  - id: 1\n    link: absent\n  - id: 1\n    link: absent\n",
            &["duplicate-entry"],
        ),
        (&link("{ title: '' }"), &["title"]),
        (&link("{ expires: soon }"), &["expiry-format"]),
        (&link("{ expires: 2020-01-01 }"), &["expiry-past"]),
        (&link("{ expires: 2040-01-01 }"), &["expiry-too-far"]),
        (&link("{ password: hunter2hunter2 }"), &["literal-password"]),
        (&link("{ password: true }"), &["password-reference"]),
        (
            &link("{ password: { env: DOCSPACE_LINK_NOPE } }"),
            &["password-unavailable"],
        ),
        (
            &link("{ password: { env: DOCSPACE_LINK_SHORT } }"),
            &["password-policy"],
        ),
        (
            &link("{ password: { env: DOCSPACE_TOKEN } }"),
            &["password-env-forbidden"],
        ),
        ("\u{1b}version: 1\n", &["yaml-syntax"]),
    ];
    for (text, want) in cases {
        assert_eq!(codes(text), want, "{text:?}");
    }
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, b"version: 1\nfolders: [\xff]\n").unwrap();
    let env = Environment {
        var: &|_| None,
        base_dir: dir.path(),
        now: Timestamp::now(),
    };
    let e = load(&path, &env).unwrap_err();
    assert_eq!(e.diagnostics()[0].code, Code::Encoding);
    let e = load(&dir.path().join("missing.yaml"), &env).unwrap_err();
    assert_eq!(e.diagnostics()[0].code, Code::Read);
}

#[test]
fn literal_passwords_are_masked_however_the_key_is_spelt() {
    let cases = [
        // An escape in a quoted key: the parsed key is `password`.
        "version: 1\nfolders:\n  - id: 1\n    link: { \"pass\\u0077ord\": hunter2-escaped }\n",
        // A complex key.
        "version: 1\nfolders:\n  - id: 1\n    link:\n      ? password\n      : hunter2-complex\n",
        // Another case: an unknown key, whose value may still be a password.
        "version: 1\nfolders:\n  - id: 1\n    link:\n      Password: hunter2-capital\n",
        // Single quotes around the key, a value on the next line.
        "version: 1\nfolders:\n  - id: 1\n    link:\n      'password':\n        hunter2-next-line\n",
        // An alias: the anchored value is the secret, wherever it is written.
        "version: 1\nx-secret: &pw hunter2-anchored\nfolders:\n  - id: 1\n    link: { password: *pw }\n",
    ];
    for text in cases {
        let e = err(text);
        assert!(e.contains("********"), "nothing masked:\n{e}");
        assert!(!e.contains("hunter2"), "leaked:\n{e}");
    }
    let capital = err(cases[2]);
    assert!(capital.contains("unknown key `Password`"), "{capital}");
}

#[test]
fn literal_passwords_are_masked_in_a_file_that_does_not_parse() {
    for text in [
        // Before the broken line, spans from what the parser read.
        "version: 1\nfolders:\n  - id: 1\n    link: { \"pass\\u0077ord\": hunter2-escaped }\n  - id: 2\n    link: { title: 'x }\n",
        // On it, the text heuristic.
        "version: 1\nfolders:\n  - id: 1\n    link: { Password: hunter2-broken, title: 'x }\n",
    ] {
        let e = err(text);
        assert!(!e.contains("hunter2"), "leaked:\n{e}");
    }
}

#[test]
fn carets_line_up_after_wide_characters() {
    let e = err(
        "version: 1\nfolders:\n  - id: 1\n    link: { title: 日本語のタイトル, acess: read }\n",
    );
    let lines: Vec<&str> = e.lines().collect();
    let source = lines.iter().position(|l| l.starts_with("4 |")).unwrap();
    let caret = lines[source + 1];
    // Each of the 8 CJK characters takes two columns on a terminal.
    let before = "    link: { title: 日本語のタイトル, ".chars().count() + 8;
    assert_eq!(before, 37);
    assert_eq!(
        caret,
        format!("  | {}^^^^^ not a manifest key", " ".repeat(before)),
        "{e}"
    );
    assert!(e.contains(&at(4, 30)), "the column counts characters: {e}");
    insta::assert_snapshot!("cjk_title", e);
}

#[test]
fn cr_and_crlf_line_ends() {
    for end in ["\r", "\r\n"] {
        let text = [
            "# the demo's links",
            "version: 1",
            "folders:",
            "  - id: 1",
            "    link: { acess: read }",
            "",
        ]
        .join(end);
        let e = err(&text);
        assert!(e.contains(&at(5, 13)), "{end:?}: {e}");
        assert!(
            e.contains("5 |     link: { acess: read }\n  |             ^^^^^"),
            "{end:?}: {e}"
        );
        let fine = [
            "# comment",
            "version: 1",
            "folders:",
            "  - id: 1",
            "    link: absent",
            "",
        ]
        .join(end);
        assert_eq!(ok(&fine).entries[0].target_pos.line, 4, "{end:?}");
    }
    let e = err("# only\r# comments\r");
    assert!(e.contains("the manifest is empty"), "{e}");
}

#[test]
fn invalid_utf8_is_reported_at_its_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("links.yaml");
    let env = Environment {
        var: &|_| None,
        base_dir: dir.path(),
        now: Timestamp::now(),
    };
    for (bytes, line, column) in [
        (
            &b"version: 1\nfolders:\n  - path: Caf\xe9 room\n    link: absent\n"[..],
            3,
            14,
        ),
        (
            &b"version: 1\r\nfolders:\r\n  - path: Caf\xe9\r\n"[..],
            3,
            14,
        ),
        (&b"version: 1\rfolders:\r  - path: \xff\r"[..], 3, 11),
        (&b"\xfe\xffversion: 1\n"[..], 1, 1),
    ] {
        std::fs::write(&path, bytes).unwrap();
        let e = load(&path, &env).unwrap_err();
        let text = shown(&e);
        assert_eq!(e.diagnostics().len(), 1, "{text}");
        assert!(
            text.contains(&format!("line {line}, column {column}"))
                && text.contains(&format!(":{line}:{column}\n")),
            "{text}"
        );
        assert!(text.contains("help: save the manifest as UTF-8"), "{text}");
    }
}

#[test]
fn password_policy_of_the_portal() {
    let manifest = link("{ password: { env: DOCSPACE_LINK_X } }");
    let refused = |value: &str, needle: &str| {
        let e = parse_with(&manifest, &[("DOCSPACE_LINK_X", value)]).unwrap_err();
        let text = format!("{}\n{e:?}", shown(&e));
        assert!(text.contains(needle), "{value:?}: {text}");
        assert_eq!(e.diagnostics()[0].code, Code::PasswordPolicy);
        assert!(text.contains(&at(4, 23)), "{text}");
        if value.trim().len() > 3 {
            assert!(!text.contains(value.trim()), "{value:?} leaked: {text}");
        }
    };
    refused("long-enough-pass\n", "ends with a line break");
    refused("long-enough-pass\r\n", "ends with a line break");
    refused("long-enough-pass  ", "starts or ends with whitespace");
    refused(" long-enough-pass", "starts or ends with whitespace");
    refused(
        "long enough pass",
        "has a space or a character that is not printable ASCII",
    );
    refused("long-enough-pässword", "not printable ASCII");
    refused("long-enough\tpass", "not printable ASCII");
    refused("1234567", "shorter than 8 characters");
    refused(&"x".repeat(31), "longer than 30 characters");
    let trimmed =
        shown(&parse_with(&manifest, &[("DOCSPACE_LINK_X", "long-enough-pass\n")]).unwrap_err());
    assert!(trimmed.contains("trims"), "{trimmed}");
    for fine in [
        "12345678",
        "!\"#$%&'()*+,-./:;<=>?@",
        "[\\]^_`{|}~0aZ",
        &"x".repeat(30),
    ] {
        let m =
            parse_with(&manifest, &[("DOCSPACE_LINK_X", fine)]).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(&spec(&m, 0).password, Some(DesiredPassword::Secret(p)) if m.secrets.get(p).unwrap().expose_secret() == fine)
        );
    }
}

#[test]
fn a_password_file_loses_one_newline_and_no_more() {
    let dir = tempfile::tempdir().unwrap();
    for (content, fine) in [
        ("file-password\n", true),
        ("file-password\r\n", true),
        ("file-password", true),
        ("file-password\n\n", false),
        ("file-password \n", false),
        ("file-password\r\n\r\n", false),
    ] {
        std::fs::write(dir.path().join("p.pass"), content).unwrap();
        let r = parse_in(&link("{ password: { file: p.pass } }"), dir.path());
        match (r, fine) {
            (Ok(m), true) => assert!(
                matches!(&spec(&m, 0).password, Some(DesiredPassword::Secret(p)) if m.secrets.get(p).unwrap().expose_secret() == "file-password")
            ),
            (Err(e), false) => {
                let text = shown(&e);
                assert!(
                    text.contains("the password from file") && !text.contains("file-password"),
                    "{text}"
                );
            }
            (r, _) => panic!("{content:?}: {r:?}"),
        }
    }
}

#[test]
fn password_variables_need_the_prefix_and_never_the_api_key() {
    let manifest = |name: &str| link(&format!("{{ password: {{ env: {name} }} }}"));
    let looked_up = std::cell::RefCell::new(Vec::new());
    let run = |name: &str, prefix: Option<&str>| {
        looked_up.borrow_mut().clear();
        let var = |n: &str| {
            looked_up.borrow_mut().push(n.to_owned());
            match n {
                "DOCSPACE_LINKS_PASSWORD_PREFIX" => prefix.map(str::to_owned),
                _ => Some("a-good-password".to_owned()),
            }
        };
        let env = Environment {
            var: &var,
            base_dir: Path::new("/nonexistent"),
            now: NOW.parse().unwrap(),
        };
        parse(
            Source {
                name: "links.yaml".into(),
                text: manifest(name),
            },
            &env,
        )
    };
    for prefix in [None, Some(""), Some("DOCSPACE_")] {
        let e = run("DOCSPACE_TOKEN", prefix).unwrap_err();
        assert_eq!(e.diagnostics()[0].code, Code::PasswordEnvForbidden);
        assert!(
            shown(&e).contains("DOCSPACE_TOKEN is the portal's API key"),
            "{e}"
        );
        assert!(
            !looked_up.borrow().contains(&"DOCSPACE_TOKEN".to_owned()),
            "the key was read"
        );
    }
    let e = run("CI_DEPLOY_KEY", None).unwrap_err();
    assert_eq!(e.diagnostics()[0].code, Code::PasswordEnvForbidden);
    let text = shown(&e);
    assert!(
        text.contains("does not start with DOCSPACE_LINK_")
            && text.contains("DOCSPACE_LINKS_PASSWORD_PREFIX"),
        "{text}"
    );
    assert!(
        !looked_up.borrow().contains(&"CI_DEPLOY_KEY".to_owned()),
        "the variable was read"
    );
    run("DOCSPACE_LINK_PRESS", None).unwrap();
    run("CI_DEPLOY_KEY", Some("CI_")).unwrap();
    run("CI_DEPLOY_KEY", Some("")).unwrap();
    let e = run("DOCSPACE_LINK_PRESS", Some("CI_")).unwrap_err();
    assert!(shown(&e).contains("does not start with CI_"), "{e}");
}

#[test]
fn a_large_manifest_parses() {
    // Past serde-saphyr's default budget (250,000 nodes, about 13,000 entries like
    // these), which used to fail with "budget breached: Nodes".
    let m = ok(&crate::manifest::tests::generated(15_000));
    assert_eq!(m.entries.len(), 15_000);
}

/// `n` entries with every field.
pub fn generated(n: usize) -> String {
    let mut s = String::from("version: 1\nfolders:\n");
    for i in 0..n {
        s.push_str(&format!("  - path: Room {i}/Folder {i}\n    link:\n      access: read\n      title: Shared link {i}\n      expires: 2030-06-30T00:00:00Z\n      password: {{ env: DOCSPACE_LINK_P }}\n      deny_download: true\n      internal: false\n"));
    }
    s
}

#[test]
fn past_the_size_cap_is_a_manifest_error() {
    let mut text = "version: 1\nfolders: []\n".to_owned();
    text.push_str(&"#".repeat(MAX_MANIFEST_BYTES - text.len()));
    assert_eq!(text.len(), MAX_MANIFEST_BYTES);
    assert!(parse_in(&text, Path::new("/nonexistent")).is_ok());
    text.push('#');
    let e = parse_in(&text, Path::new("/nonexistent")).unwrap_err();
    assert_eq!(e.diagnostics()[0].code, Code::TooLarge);
    assert!(
        shown(&e).contains("docspace-links reads manifests of at most 32 MiB"),
        "{e}"
    );
    // From a file, it is refused before it is read.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    std::fs::File::create(&path)
        .unwrap()
        .set_len(MAX_MANIFEST_BYTES as u64 + 1)
        .unwrap();
    let env = Environment {
        var: &|_| None,
        base_dir: dir.path(),
        now: Timestamp::now(),
    };
    let e = load(&path, &env).unwrap_err();
    assert_eq!(e.diagnostics()[0].code, Code::TooLarge);
}

#[test]
fn aliases_that_expand_too_far_are_too_large() {
    // The parser's alias limits stay: far more aliases than anchors is a bomb's shape.
    let mut text = String::from("version: 1\nfolders:\n  - &e { id: 1, link: absent }\n");
    text.push_str(&"  - *e\n".repeat(200));
    let e = parse_in(&text, Path::new("/nonexistent")).unwrap_err();
    assert_eq!(e.diagnostics().len(), 1, "{e}");
    assert_eq!(e.diagnostics()[0].code, Code::TooLarge, "{e}");
    assert!(shown(&e).contains("aliases expand to too much"), "{e}");
}

#[test]
fn thousands_of_errors_render_masked() {
    // Every entry wrong, every line with a literal password: the file is masked once
    // per report, each line as it is shown.
    let mut text = String::from("version: 1\nfolders:\n");
    for i in 0..7_000 {
        text.push_str(&format!(
            "  - {{ id: {}, link: {{ password: hunter2-{i}, title: '' }} }}\n",
            i + 1
        ));
    }
    let e = parse_in(&text, Path::new("/nonexistent")).unwrap_err();
    assert_eq!(e.diagnostics().len(), 14_000);
    let out = shown(&e);
    assert_eq!(out.matches("error:").count(), 14_000);
    assert_eq!(
        out.matches("{ password: ********, title: '' }").count(),
        14_000
    );
    assert!(!out.contains("hunter2"));
}

/// `extra_links:` (design.md 1.2): additional links by title, the fields of `link`.
#[test]
fn extra_links_are_keyed_by_title_with_the_fields_of_link() {
    let m = ok(
        "version: 1\ndefaults:\n  deny_download: true\nfolders:\n  - id: 1\n    link: { access: read }\n    extra_links:\n      Agency: { access: review, expires: 2027-01-01, password: { env: DOCSPACE_LINK_P } }\n      \" Printer \": absent\n    extra_unlisted: revoke\n",
    );
    let e = &m.entries[0];
    assert_eq!(e.extra_unlisted, crate::model::Unlisted::Revoke);
    assert_eq!(e.extra_links.len(), 2);
    let agency = &e.extra_links[0];
    assert_eq!(
        (agency.title.as_str(), agency.pos.line, agency.pos.column),
        ("Agency", 8, 7)
    );
    let DesiredLink::Present(spec) = &agency.link else {
        panic!("present")
    };
    assert_eq!(spec.title.as_deref(), Some("Agency"));
    assert_eq!(spec.access, Some(Access::Review));
    assert_eq!(
        spec.deny_download,
        Some(true),
        "defaults fill extra links too"
    );
    assert!(matches!(spec.password, Some(DesiredPassword::Secret(_))));
    // Whitespace around a key is kept: PUT keeps a title as sent.
    assert_eq!(e.extra_links[1].title, " Printer ");
    assert_eq!(e.extra_links[1].link, DesiredLink::Absent);
    // Left out: report.
    let m = ok("version: 1\nfolders:\n  - id: 1\n    link: absent\n");
    assert_eq!(m.entries[0].extra_unlisted, crate::model::Unlisted::Report);
    assert!(m.entries[0].extra_links.is_empty());
}

#[test]
fn extra_link_mistakes_are_errors_at_their_place() {
    // A title written twice is a duplicate key.
    let text = "version: 1\nfolders:\n  - id: 1\n    link: absent\n    extra_links:\n      Agency: absent\n      Agency: { access: read }\n";
    assert_eq!(codes(text), ["duplicate-key"]);
    assert!(err(text).contains(&at(7, 7)), "{}", err(text));
    // The key is the title: a `title` field inside is refused.
    let text = "version: 1\nfolders:\n  - id: 1\n    link: absent\n    extra_links:\n      Agency: { title: Other }\n";
    assert_eq!(codes(text), ["title"]);
    assert!(err(text).contains(&at(6, 24)), "{}", err(text));
    // An empty title, a literal password, an unknown field, a bad unlisted word.
    let text = "version: 1\nfolders:\n  - id: 1\n    link: absent\n    extra_links:\n      \"\": absent\n      B: { password: hunter2hunter2 }\n";
    assert_eq!(codes(text), ["title", "literal-password"]);
    let text = "version: 1\nfolders:\n  - id: 1\n    link: absent\n    extra_links:\n      B: { acess: read }\n";
    assert_eq!(codes(text), ["unknown-key"]);
    assert!(err(text).contains(&at(6, 12)), "{}", err(text));
    let text = "version: 1\nfolders:\n  - id: 1\n    link: absent\n    extra_unlisted: delete\n";
    assert!(err(text).contains(&at(5, 21)), "{}", err(text));
    // The policy sees extra links in the manifest too.
    let text = "version: 1\npolicy:\n  forbid_access: [editing]\nfolders:\n  - id: 1\n    link: absent\n    extra_links:\n      B: { access: editing }\n";
    assert_eq!(codes(text), ["policy-violation"]);
    assert!(err(text).contains(&at(8, 20)), "{}", err(text));
}
