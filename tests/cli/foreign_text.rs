//! Foreign text never reaches the GitHub runner as a command (issue 19, item 3).
//!
//! The runner reads `::cmd` at the start of every line (after white space) and
//! `##[cmd]` anywhere in a line, on stdout and stderr, whatever `--format` was asked
//! for. [`HOSTILE`] is the corpus every output must pass: each string is put where
//! someone else types text (room, folder and link titles, share URLs, server error
//! messages, manifest paths, keys, values and the manifest's file name), and every
//! line of plan, apply and export in every format, and of their errors, is held to
//! [`assert_neutral`]. A new output passes through here or it is not done.
//!
//! Over 500 lines because it is one corpus, one checker and one seed shared by
//! every command and format: split, each part would have to import the others.

use axum::http::Method;
use serde_json::Value;

use crate::proxy::{Answer, Proxy};
use crate::support::{Output, Portal};

/// Strings someone else may type, each with a marker of its own so a test can see
/// it was shown (escaped) and not dropped.
pub const HOSTILE: &[&str] = &[
    "::error::pwned-a",
    "  ::add-mask::pwned-b",
    "a##[stop-commands]pwned-c",
    "x\n::warning::pwned-d",
    "cr\r::error::pwned-e",
    "ls\u{2028}::notice::pwned-f",
    "ps\u{2029}##[group]pwned-g",
    "esc\u{1b}[2J\u{202e}pwned-h",
    "%0A::error::pwned-i",
    "\u{a0}::error::pwned-j",
    "##[add-mask]pwned-k",
    "nel\u{85}::error::pwned-l",
];

/// The marker of `HOSTILE[i]`.
fn marker(i: usize) -> String {
    format!("pwned-{}", (b'a' + i as u8) as char)
}

/// `text` as a YAML double-quoted scalar, every character outside printable ASCII
/// as an escape.
pub fn yaml(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c => out.push_str(&format!("\\u{:04x}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

/// Every line of stdout and stderr is safe for the runner: no raw control
/// character or line separator, no `##[`, and no line starting with `::` unless it
/// is one of the tool's own annotations (titled `docspace-links: ...`), whose
/// properties and message (decoded as the runner decodes them) hold neither a line
/// break nor a command of their own.
#[track_caller]
pub fn assert_neutral(out: &Output, what: &str) {
    for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        for line in text.split('\n') {
            if let Err(why) = check_line(line) {
                panic!(
                    "{what}: {stream} line {line:?}: {why}\n--- all output:\n{}",
                    out.all()
                );
            }
        }
    }
}

fn check_line(line: &str) -> Result<(), String> {
    plain(line)?;
    let body = line.trim_start();
    if !body.starts_with("::") {
        return Ok(());
    }
    if body.len() != line.len() {
        return Err("an indented command".into());
    }
    let rest = ["::error", "::warning", "::notice"]
        .iter()
        .find_map(|c| line.strip_prefix(c))
        .ok_or("a command the tool does not write")?;
    let (props, message) = match rest.strip_prefix("::") {
        Some(message) => ("", message),
        None => rest
            .strip_prefix(' ')
            .and_then(|r| r.split_once("::"))
            .ok_or("a command without a message")?,
    };
    // Every annotation the tool writes is titled `docspace-links: ...`: a line
    // without that title is not the tool's.
    if !props
        .split(',')
        .any(|p| p.starts_with("title=docspace-links%3A "))
    {
        return Err("a command without the tool's title".into());
    }
    for prop in props.split(',').filter(|p| !p.is_empty()) {
        let (key, value) = prop.split_once('=').ok_or("a property without `=`")?;
        if !["file", "line", "col", "endColumn", "title"].contains(&key) {
            return Err(format!("an unknown property {key}"));
        }
        let value = decode(value, true);
        if value.contains(['\n', '\r']) {
            return Err(format!("a line break in {key}="));
        }
        plain(&value).map_err(|e| format!("{key}=: {e}"))?;
        if value.trim_start().starts_with("::") {
            return Err(format!("{key}= starts with ::"));
        }
    }
    for l in decode(message, false).split('\n') {
        plain(l).map_err(|e| format!("message: {e}"))?;
        if l.trim_start().starts_with("::") {
            return Err(format!("a message line starts with :: ({l:?})"));
        }
    }
    Ok(())
}

/// No raw control character, line separator, bidi control or `##[`.
fn plain(text: &str) -> Result<(), String> {
    if let Some(c) = text.chars().find(|c| {
        c.is_control()
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            )
    }) {
        return Err(format!("a raw {c:?}"));
    }
    if text.contains("##[") {
        return Err("a raw `##[`".into());
    }
    Ok(())
}

/// As the runner unescapes a command's data (and properties, with `:` and `,`).
fn decode(text: &str, property: bool) -> String {
    let mut t = text.replace("%0D", "\r").replace("%0A", "\n");
    if property {
        t = t.replace("%3A", ":").replace("%2C", ",");
    }
    t.replace("%25", "%")
}

/// Every string in a JSON document.
fn strings(v: &Value, into: &mut Vec<String>) {
    match v {
        Value::String(s) => into.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| strings(x, into)),
        Value::Object(o) => o.values().for_each(|x| strings(x, into)),
        _ => {}
    }
}

/// The JSON document on stdout, with every string in it.
#[track_caller]
fn json_strings(out: &Output) -> Vec<String> {
    let doc: Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.stdout));
    let mut all = Vec::new();
    strings(&doc, &mut all);
    all
}

/// A custom room per hostile string, titled with it, holding a folder whose link
/// is titled with it (to be updated), a folder without a link (to get one), a
/// folder whose link is to be revoked, and one no entry lists, with a link.
fn hostile_seed() -> String {
    let mut seed = String::from("tokens: [sk-test]\nrooms:\n");
    for (i, h) in HOSTILE.iter().enumerate() {
        let t = yaml(h);
        let n = 10 * (i as u32 + 1);
        seed.push_str(&format!(
            "  - title: {t}\n    type: custom\n    id: {}\n    folders:\n      \
             - {{ title: {t}, id: {}, link: {{ access: editing, title: {t} }} }}\n      \
             - {{ title: {}, id: {} }}\n      \
             - {{ title: {}, id: {}, link: {{ access: read, title: {t} }} }}\n      \
             - {{ title: {}, id: {}, link: {{ access: comment, title: {t} }} }}\n",
            1000 + n,
            1000 + n + 1,
            yaml(&format!("{h} new")),
            1000 + n + 2,
            yaml(&format!("{h} old")),
            1000 + n + 3,
            yaml(&format!("{h} unlisted")),
            1000 + n + 4,
        ));
    }
    seed
}

/// The title the manifest asks for in room `i`: the next hostile string, without
/// the white space around it, which the portal trims (the simulator does as well).
fn wanted(i: usize) -> &'static str {
    HOSTILE[(i + 1) % HOSTILE.len()].trim()
}

/// Entries by id for every room of [`hostile_seed`]: the link's title changes to
/// the next hostile string, a link is created with a hostile title, one revoked, and
/// each room is a scope whose unlisted folder is reported.
fn hostile_manifest() -> String {
    let mut m = String::from("version: 1\npolicy:\n  forbid_access: [comment]\nscopes:\n");
    for i in 0..HOSTILE.len() {
        let n = 10 * (i as u32 + 1);
        m.push_str(&format!("  - id: {}\n    unlisted: report\n", 1000 + n));
    }
    m.push_str("folders:\n");
    for i in 0..HOSTILE.len() {
        let n = 10 * (i as u32 + 1);
        let next = yaml(wanted(i));
        m.push_str(&format!(
            "  - id: {}\n    link: {{ access: editing, title: {next} }}\n  \
             - id: {}\n    link: {{ access: read, title: {next} }}\n  \
             - id: {}\n    link: absent\n",
            1000 + n + 1,
            1000 + n + 2,
            1000 + n + 3,
        ));
    }
    m
}

/// Each hostile string shows in `out` (escaped, so only by its marker).
#[track_caller]
fn assert_all_shown(text: &str, what: &str) {
    for i in 0..HOSTILE.len() {
        assert!(
            text.contains(&marker(i)),
            "{what}: {} not shown:\n{text}",
            marker(i)
        );
    }
}

/// Each hostile string is in the JSON document exactly as it was typed.
#[track_caller]
fn assert_all_exact(out: &Output, what: &str) {
    let all = json_strings(out);
    for h in HOSTILE {
        assert!(
            all.iter().any(|s| s.contains(h)),
            "{what}: {h:?} not in the document:\n{}",
            out.stdout
        );
    }
}

const PLAN_FORMATS: [&str; 4] = ["human", "json", "markdown", "github"];
const APPLY_FORMATS: [&str; 3] = ["human", "json", "github"];

/// Hostile titles of rooms, folders and links, and hostile link titles in the
/// manifest: every line of the plan, in every format, is safe, each string is still
/// shown, and JSON still holds it exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_of_hostile_titles_is_neutral_in_every_format() {
    let portal = Portal::start(&hostile_seed()).await;
    portal.write("links.yaml", &hostile_manifest());
    let summary = portal.dir().join("summary.md");
    for format in PLAN_FORMATS {
        let out = portal.run_env(
            &[
                "plan",
                "-f",
                "links.yaml",
                "--format",
                format,
                "--detailed-exitcode",
            ],
            &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())],
        );
        assert_eq!(out.code, 2, "{format}:\n{}", out.all());
        assert_neutral(&out, &format!("plan --format {format}"));
        assert_all_shown(&out.stdout, format);
        if format == "json" {
            assert_all_exact(&out, "plan --format json");
        }
        if format == "github" {
            assert!(
                out.stdout
                    .lines()
                    .any(|l| l.starts_with("::warning file=links.yaml"))
            );
        }
    }
    // The job summary (Markdown) is held to the same rules.
    let summary = Output {
        code: 0,
        stdout: std::fs::read_to_string(&summary).expect("a job summary"),
        stderr: String::new(),
    };
    assert_neutral(&summary, "$GITHUB_STEP_SUMMARY");
}

/// Apply of the same plan, in every format: the outcome lines are safe, and the
/// portal got the exact titles (neutralising is for display only).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_of_hostile_titles_is_neutral_in_every_format_and_writes_them_exactly() {
    for format in APPLY_FORMATS {
        let portal = Portal::start(&hostile_seed()).await;
        portal.write("links.yaml", &hostile_manifest());
        let out = portal.run(&["apply", "-f", "links.yaml", "--yes", "--format", format]);
        assert_eq!(out.code, 0, "{format}:\n{}", out.all());
        assert_neutral(&out, &format!("apply --format {format}"));
        assert_all_shown(&out.stdout, format);
        if format == "json" {
            let doc: Value = serde_json::from_str(&out.stdout).unwrap();
            let paths: Vec<&str> = doc["folders"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["path"].as_str().unwrap())
                .collect();
            for h in HOSTILE {
                assert!(paths.iter().any(|p| p.contains(h)), "{h:?} in {paths:?}");
            }
        }
        for (i, h) in HOSTILE.iter().enumerate() {
            let room = h.to_string();
            let next = wanted(i);
            let link = portal.primary(&format!("{room}/{room}")).await.unwrap();
            assert_eq!(link["title"], next, "{format}");
            let made = portal.primary(&format!("{room}/{room} new")).await.unwrap();
            assert_eq!(made["title"], next, "{format}");
        }
    }
}

/// One server error message holding the whole corpus.
fn hostile_message() -> String {
    let message = HOSTILE.join(" | ");
    format!(
        r#"{{"status":1,"statusCode":403,"error":{{"message":{}}}}}"#,
        serde_json::to_string(&message).unwrap()
    )
}

/// A server whose error messages are hostile, on a read (the folder is unknown)
/// and on a write (apply fails there): plan and apply in every format.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_server_messages_are_neutral_in_every_format() {
    let portal = Portal::start(&hostile_seed()).await;
    let proxy = Proxy::answering(portal.url(), |m, p, _| async move {
        let read = m == Method::GET && p == "/api/2.0/files/folder/1011/links";
        let write = m != Method::GET && p.starts_with("/api/2.0/files/folder/1022/");
        if read || write {
            Answer::Instead(403, hostile_message())
        } else {
            Answer::Forward
        }
    })
    .await;
    portal.write("links.yaml", &hostile_manifest());
    let via = [("DOCSPACE_URL", proxy.url.as_str())];
    for format in PLAN_FORMATS {
        let out = portal.run_env(&["plan", "-f", "links.yaml", "--format", format], &via);
        assert_eq!(out.code, 1, "{format}:\n{}", out.all());
        assert_neutral(&out, &format!("plan --format {format}"));
        assert_all_shown(&out.stdout, format);
    }
    for format in APPLY_FORMATS {
        let out = portal.run_env(
            &["apply", "-f", "links.yaml", "--yes", "--format", format],
            &via,
        );
        assert_ne!(out.code, 0, "{format}:\n{}", out.all());
        assert_neutral(&out, &format!("apply --format {format}"));
        assert_all_shown(&out.all(), format);
        if format == "json" {
            assert_all_exact(&out, "apply --format json");
        }
    }
}

/// The rooms listing answered with a hostile message: export ends with one error
/// quoting it, and a plan of a path entry under it, in every format, shows the
/// folder unknown with the message.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_wide_error_quoting_the_server_is_neutral() {
    let portal = Portal::start(&hostile_seed()).await;
    let proxy = Proxy::answering(portal.url(), |m, p, _| async move {
        if m == Method::GET && p == "/api/2.0/files/rooms" {
            Answer::Instead(403, hostile_message())
        } else {
            Answer::Forward
        }
    })
    .await;
    let via = [("DOCSPACE_URL", proxy.url.as_str())];
    let out = portal.run_env(&["export", "--all"], &via);
    assert_eq!(out.code, 1, "{}", out.all());
    assert_neutral(&out, "export --all");
    assert_all_shown(&out.stderr, "export");
    portal.write(
        "paths.yaml",
        &format!(
            "version: 1\nfolders:\n  - path: {}\n    link: absent\n",
            yaml(&format!("{}/x", HOSTILE[0]))
        ),
    );
    for format in PLAN_FORMATS {
        let out = portal.run_env(&["plan", "-f", "paths.yaml", "--format", format], &via);
        assert_ne!(out.code, 0, "{format}:\n{}", out.all());
        assert_neutral(&out, &format!("plan --format {format}"));
    }
}

/// Export of hostile titles and share URLs: stdout and the file hold no line the
/// runner would read as a command, and the file plans to zero changes: every
/// title read back exactly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_of_hostile_titles_round_trips_without_a_command_line() {
    let portal = Portal::start(&hostile_seed()).await;
    let proxy = Proxy::answering(portal.url(), |_, p, _| async move {
        if p.ends_with("/links") {
            Answer::Edit(|body| {
                body.replace(
                    "\"shareLink\":\"",
                    "\"shareLink\":\"\\n::error::pwned-url ##[add-mask]",
                )
            })
        } else {
            Answer::Forward
        }
    })
    .await;
    let via = [("DOCSPACE_URL", proxy.url.as_str())];
    let out = portal.run_env(&["export", "--all"], &via);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_neutral(&out, "export to stdout");
    assert_all_shown(&out.stdout, "export");
    assert!(out.stdout.contains("pwned-url"), "{}", out.stdout);

    let out = portal.run_env(&["export", "--all", "-o", "links.yaml"], &via);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_neutral(&out, "export -o");
    let file = Output {
        code: 0,
        stdout: std::fs::read_to_string(portal.dir().join("links.yaml")).unwrap(),
        stderr: String::new(),
    };
    assert_neutral(&file, "the exported file");
    let plan = portal.run(&["plan", "-f", "links.yaml", "--detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}\n{}", plan.all(), file.stdout);
    assert!(plan.stdout.contains("No changes."), "{}", plan.stdout);
    assert_neutral(&plan, "plan of the export");

    // Over a file that is not a manifest: the warning quoting why, and the diff
    // of its hostile lines.
    portal.write(
        "old.yaml",
        "version: 1\n::error::pwned-old ##[add-mask]x\n  ::warning::pwned-old\nfolders: [\n",
    );
    let out = portal.run_env(&["export", "--all", "-o", "old.yaml", "--check"], &via);
    assert_eq!(out.code, 2, "{}", out.all());
    assert_neutral(&out, "export --check over a broken file");
    assert!(out.stdout.contains("pwned-old"), "{}", out.stdout);
}

/// Hostile manifest keys, paths and values that the manifest refuses: the
/// diagnostics (snippets, annotations, JSON) are neutral in every format.
#[test]
fn hostile_manifest_text_in_diagnostics_is_neutral_in_every_format() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let portal = rt.block_on(Portal::start(&hostile_seed()));
    let mut bad = String::from("version: 1\nfolders:\n");
    for h in HOSTILE {
        bad.push_str(&format!(
            "  - path: {}\n    link: {{ access: {}, {}: 1 }}\n",
            yaml(&format!("{h}//{h}")),
            yaml(h),
            yaml(h)
        ));
    }
    portal.write("bad.yaml", &bad);
    for format in PLAN_FORMATS {
        let out = portal.run(&["plan", "-f", "bad.yaml", "--format", format]);
        assert_eq!(out.code, 1, "{format}:\n{}", out.all());
        assert_neutral(&out, &format!("plan --format {format}"));
        assert_all_shown(&out.all(), format);
        if format == "json" {
            assert_all_exact(&out, "plan --format json");
        }
    }
    for format in APPLY_FORMATS {
        let out = portal.run(&["apply", "-f", "bad.yaml", "--yes", "--format", format]);
        assert_eq!(out.code, 1, "{format}:\n{}", out.all());
        assert_neutral(&out, &format!("apply --format {format}"));
    }
    drop(portal);
}

/// A manifest whose file name holds a line break and commands: in the annotations'
/// `file=`, in the snippets' header, in errors about the file, in every format.
#[test]
fn a_hostile_manifest_file_name_is_neutral_in_every_format() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let portal = rt.block_on(Portal::start(&hostile_seed()));
    let name = "x\n::error::pwned-name ##[add-mask]n\r::warning::w.yaml";
    let good = "version: 1\nfolders:\n  - id: 1011\n    link: { access: read }\n";
    portal.write(name, good);
    let broken = format!("{name}-broken");
    portal.write(
        &broken,
        "version: 1\nfolders:\n  - id: 1011\n    link: { acess: read }\n",
    );
    let missing = format!("{name}-missing");
    for file in [name, broken.as_str(), missing.as_str()] {
        for format in PLAN_FORMATS {
            let out = portal.run(&["plan", "-f", file, "--format", format]);
            assert_neutral(&out, &format!("plan -f {file:?} --format {format}"));
            // The plan for people does not name the file when all is well.
            if !(file == name && format == "human") {
                assert!(out.all().contains("pwned-name"), "{format}:\n{}", out.all());
            }
        }
        for format in APPLY_FORMATS {
            let out = portal.run(&["apply", "-f", file, "--yes", "--format", format]);
            assert_neutral(&out, &format!("apply -f {file:?} --format {format}"));
        }
    }
    drop(portal);
}

/// The checker itself: it refuses what the runner would read as a command and lets
/// the tool's own annotations through.
#[test]
fn the_checker_refuses_what_the_runner_reads() {
    for bad in [
        "::error::forged",
        "  ::add-mask::x",
        "\u{a0}::warning::x",
        "text ##[stop-commands]x",
        "a\rb",
        "a\u{2028}b",
        "\u{1b}[2J",
        "::set-output name=x::y",
        "  ::notice::indented",
        "::error file=a%0A::error::b::m",
        "::error title=%3A%3Ax::m",
        "::error title=docspace-links%3A x::line%0A::warning::forged",
        "::notice title=docspace-links%3A x::m ##[x]",
        "::error title=docspace-links%3A x::m \u{1b}",
    ] {
        assert!(check_line(bad).is_err(), "{bad:?} let through");
    }
    for good in [
        "",
        "  + Room/Folder: created",
        "::error title=docspace-links%3A invalid-manifest::m",
        "::notice file=links.yaml,line=3,title=docspace-links%3A update::a%0Ab",
        "::error file=x\\n\\u{3a}:y,title=docspace-links%3A state unknown (e)::m",
        "title: \"\\u{3a}:error::x\" -> \"a#\\u{23}[x\"",
        "a ::error:: in the middle",
    ] {
        assert_eq!(check_line(good), Ok(()), "{good:?}");
    }
}

/// An argument clap refuses is quoted in its error: one holding a line break and a
/// command does not become a line of its own.
#[test]
fn a_refused_argument_is_quoted_without_a_command() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let portal = rt.block_on(Portal::start(&hostile_seed()));
    for args in [
        [
            "plan",
            "-f",
            "links.yaml",
            "--format",
            "x\n::error::pwned-arg ##[add-mask]y",
        ],
        [
            "apply",
            "-f",
            "links.yaml",
            "--format",
            "\n  ::warning::pwned-arg",
        ],
    ] {
        let out = portal.run(&args);
        assert_eq!(out.code, 1, "{}", out.all());
        assert_neutral(&out, &format!("{args:?}"));
        assert!(out.stderr.contains("pwned-arg"), "{}", out.stderr);
    }
    drop(portal);
}

/// A saved plan of hostile titles, with hostile file names for the plan and its
/// manifest: `plan --out`, then `apply --plan` in every format (the first applies,
/// the next meet a portal that already matches), and a plan file that is not there.
#[test]
fn a_saved_plan_with_hostile_names_is_neutral_in_every_format() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let portal = rt.block_on(Portal::start(&hostile_seed()));
    let manifest = "m\n::error::pwned-manifest ##[add-mask]m.yaml";
    let plan = "p\n::error::pwned-plan ##[add-mask]p.json";
    portal.write(manifest, &hostile_manifest());
    let out = portal.run(&["plan", "-f", manifest, "--out", plan]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_neutral(&out, "plan --out");
    assert!(out.stdout.contains("pwned-plan"), "{}", out.stdout);
    // The file itself: a workflow may print the artifact (`cat`, `jq`, the
    // action's `plan-file`), so no line of it is a command either.
    let file = std::fs::read_to_string(portal.dir().join(plan)).unwrap();
    for line in file.lines() {
        plain(line).unwrap_or_else(|e| panic!("plan file line {line:?}: {e}"));
        assert!(!line.trim_start().starts_with("::"), "{line:?}");
    }
    for (n, format) in APPLY_FORMATS.into_iter().enumerate() {
        let out = portal.run(&["apply", "--plan", plan, "--yes", "--format", format]);
        if n == 0 {
            assert_eq!(out.code, 0, "{format}:\n{}", out.all());
        }
        assert_neutral(&out, &format!("apply --plan --format {format}"));
        assert_all_shown(&out.all(), format);
    }
    let missing = format!("{plan}-missing");
    for format in APPLY_FORMATS {
        let out = portal.run(&["apply", "--plan", &missing, "--yes", "--format", format]);
        assert_ne!(out.code, 0, "{}", out.all());
        assert_neutral(&out, &format!("apply --plan missing --format {format}"));
        assert!(out.all().contains("pwned-plan"), "{}", out.all());
    }
    drop(portal);
}
