//! Every problem a script reads in JSON carries a stable code (docs/json.md, "Codes"):
//! a manifest diagnostic, a refused folder, an apply failure, a run-wide error.

use serde_json::Value;

use crate::support::hidden_passwords;
use crate::test::Test;

/// The portal does not show the link's password, and an update would remove it.
const KIT_DENY: &str =
    "version: 1\nfolders:\n  - path: Marketing/Press kit\n    link: { deny_download: true }\n";

fn json(stdout: &str) -> Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
}

#[test]
fn a_manifest_diagnostic_has_its_code_in_json() {
    let ran = Test::new()
        .manifest("version: 1\nfolders:\n  - path: Marketing\n    link: { access: owner }\n")
        .args(["plan", "-f", "links.yaml", "--format", "json"])
        .status(1)
        .read_only()
        .snapshot("codes_manifest_json")
        .run();
    let doc = json(&ran.out.stdout);
    assert_eq!(doc["error"]["code"], "invalid-manifest");
    assert_eq!(doc["error"]["diagnostics"][0]["code"], "unknown-access");
    assert_eq!(doc["error"]["diagnostics"][0]["severity"], "error");
}

#[test]
fn a_refused_folder_has_its_code_in_json() {
    let ran = Test::new()
        .sim(hidden_passwords())
        .manifest(KIT_DENY)
        .args(["plan", "-f", "links.yaml", "--format", "json"])
        .status(4)
        .read_only()
        .snapshot("codes_refused_json")
        .run();
    let folder = &json(&ran.out.stdout)["folders"][0];
    assert_eq!(folder["action"], "refused");
    assert_eq!(folder["code"], "password-unseen");
}

#[test]
fn an_apply_failure_keeps_the_plans_code() {
    let ran = Test::new()
        .sim(hidden_passwords())
        .manifest(KIT_DENY)
        .args(["apply", "-f", "links.yaml", "--yes", "--format", "json"])
        .status(4)
        .read_only()
        .run();
    let folder = &json(&ran.out.stdout)["folders"][0];
    assert_eq!(folder["outcome"], "refused");
    assert_eq!(folder["code"], "password-unseen");
}
