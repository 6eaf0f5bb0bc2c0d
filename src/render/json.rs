//! Plans, apply outcomes and errors as JSON documents for scripts (`--format
//! json`; every field is described in docs/json.md). Passwords appear only as
//! `"(sensitive)"` or `null`.

use serde::Serialize;
use serde_json::{Value as Json, json};

use crate::apply::{Failure, Report};
use crate::diagnostic::Code;
use crate::error::Error;
use crate::manifest::ManifestError;
use crate::model::{ObservedAccess, utc};
use crate::plan::safety::SafetyCheck;
use crate::plan::{
    Action, Change, Kind, Label, Plan, Summary, UnlistedAction, UnlistedFolder, Value,
};

/// Bumped when a field changes meaning; new fields may appear without a bump.
const FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    format_version: u32,
    changes_pending: bool,
    summary: Summary,
    safety: &'a SafetyCheck,
    folders: Vec<Folder<'a>>,
    /// Folders under a scope that no entry lists, with their links.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unlisted: Vec<Json>,
}

#[derive(Serialize)]
struct Folder<'a> {
    path: &'a str,
    /// An additional link's title (its `extra_links` key); absent for the primary link.
    #[serde(skip_serializing_if = "Option::is_none")]
    extra_link: Option<&'a str>,
    folder_id: Option<u64>,
    manifest: &'a str,
    manifest_line: u32,
    action: Kind,
    /// `null` without `--baseline`.
    label: Option<Label>,
    #[serde(skip_serializing_if = "Option::is_none")]
    link_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changes: Vec<Json>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    revoke: Vec<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    /// Why a folder is refused or unknown, as a stable code (beside `reason`).
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<Code>,
    notes: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    violations: Vec<Json>,
}

fn violation(v: &crate::plan::policy::Violation) -> Json {
    let mut j = serde_json::to_value(v).expect("a violation serialises");
    j["message"] = json!(v.to_string());
    j
}

fn unlisted(u: &UnlistedFolder) -> Json {
    let (action, error) = match &u.action {
        UnlistedAction::Report { .. } => ("report", None),
        UnlistedAction::Revoke { .. } => ("revoke", None),
        UnlistedAction::Refused { code, reason, .. } => ("refused", Some((code, reason))),
        UnlistedAction::Unknown { code, error } => ("unknown", Some((code, error))),
    };
    let links: Vec<Json> = u
        .action
        .links()
        .iter()
        .map(|l| {
            json!({
                "link_id": l.target.link_id,
                "primary": l.primary,
                "title": l.title,
                "access": value(&Value::Access(l.access)),
                "password": value(&Value::Password { set: l.password_set }),
                "expires": value(&Value::Expiry(l.expires)),
                "expired": l.expired,
                "deny_download": l.deny_download,
                "internal": l.internal,
                "kept": l.kept,
                "violations": l.violations.iter().map(violation).collect::<Vec<_>>(),
            })
        })
        .collect();
    let mut j = json!({
        "path": u.path,
        "folder_id": u.folder_id,
        "scope": u.scope,
        "manifest_line": u.line,
        "action": action,
        "links": links,
    });
    if let Some((code, e)) = error {
        j["reason"] = json!(e);
        j["code"] = json!(code);
    }
    j
}

fn value(v: &Value) -> Json {
    match v {
        Value::Access(ObservedAccess::Known(a)) => json!(a.word()),
        Value::Access(ObservedAccess::Other(n)) => json!(n),
        Value::Text(t) => json!(t),
        Value::ServerDefault => json!("(server default)"),
        Value::Expiry(None) => Json::Null,
        Value::Expiry(Some(t)) => json!(utc(*t)),
        Value::Password { set: true } => json!("(sensitive)"),
        Value::Password { set: false } => Json::Null,
        Value::Bool(b) => json!(b),
    }
}

fn change(c: &Change) -> Json {
    let mut j = json!({
        "field": c.field,
        "old": c.old.as_ref().map_or(Json::Null, value),
        "new": value(&c.new),
    });
    if matches!(c.new, Value::Password { .. }) {
        j["sensitive"] = json!(true);
        j["rotated"] = json!(c.rotated);
    }
    j
}

pub fn plan_json(plan: &Plan, safety: &SafetyCheck) -> String {
    let folders = plan
        .items
        .iter()
        .map(|item| {
            let (link_id, changes, revoke, reason) = match &item.action {
                Action::Create { changes } => (None, changes.iter().map(change).collect(), vec![], None),
                Action::Update { target, changes } => (
                    Some(target.link_id.as_str()),
                    changes.iter().map(change).collect(),
                    vec![],
                    None,
                ),
                Action::Revoke { links } => (
                    None,
                    vec![],
                    links
                        .iter()
                        .map(|l| json!({"link_id": l.target.link_id, "title": l.title, "access": value(&Value::Access(l.access))}))
                        .collect(),
                    None,
                ),
                Action::Refused { reason, .. } => (None, vec![], vec![], Some(reason.as_str())),
                Action::Unknown { error, .. } => (None, vec![], vec![], Some(error.as_str())),
                Action::Unchanged => (None, vec![], vec![], None),
            };
            Folder {
                path: &item.path,
                extra_link: item.extra.as_deref(),
                folder_id: item.folder_id,
                manifest: &item.manifest,
                manifest_line: item.line,
                action: item.action.kind(),
                label: item.label,
                link_id,
                changes,
                revoke,
                reason,
                code: match &item.action {
                    Action::Refused { code, .. } | Action::Unknown { code, .. } => Some(*code),
                    _ => None,
                },
                notes: item.notes.iter().map(|n| n.to_string()).collect(),
                violations: item.violations.iter().map(violation).collect(),
            }
        })
        .collect();
    let doc = Document {
        format_version: FORMAT_VERSION,
        changes_pending: plan.summary().pending() > 0,
        summary: plan.summary(),
        safety,
        folders,
        unlisted: plan.unlisted.iter().map(unlisted).collect(),
    };
    pretty(&doc)
}

fn pretty(doc: &impl Serialize) -> String {
    let mut text = crate::neutral::json_without_commands(
        serde_json::to_string_pretty(doc).expect("JSON serialises"),
    );
    text.push('\n');
    text
}

/// `apply --format json`: how each folder ended, and the exit code.
pub fn apply_json(report: &Report, exit_code: u8) -> String {
    pretty(&json!({
        "format_version": FORMAT_VERSION,
        "summary": apply_summary(report),
        "folders": apply_folders(report),
        "exit_code": exit_code,
    }))
}

fn apply_folders(report: &Report) -> Vec<Json> {
    report
        .outcomes
        .iter()
        .map(|o| {
            let (outcome, message, code) = match &o.result {
                Ok(done) => (done.kind(), None, None),
                Err(f) => (failure_kind(f), Some(f.to_string()), Some(f.code())),
            };
            let mut j = json!({
                "path": o.path,
                "folder_id": o.folder_id,
                "manifest": &*o.manifest,
                "manifest_line": o.line,
                "action": o.kind,
                "outcome": outcome,
                "message": message,
                "code": code,
            });
            if let Some(title) = &o.extra {
                j["extra_link"] = json!(title);
            }
            j
        })
        .collect()
}

fn apply_summary(report: &Report) -> Json {
    json!({
        "created": report.done(Kind::Create),
        "updated": report.done(Kind::Update),
        "revoked": report.done(Kind::Revoke),
        "already_as_planned": report.already(),
        "to_check": report.to_check(),
        "failed": report.failed(),
    })
}

fn failure_kind(f: &Failure) -> &'static str {
    f.kind()
}

/// An error where JSON was asked for: on stdout, so that a script reading it gets
/// a document whatever happened. Manifest errors keep their places.
pub fn error_json(e: &Error) -> String {
    let diagnostics: Vec<Json> = match e {
        Error::Manifest(m) => manifest_diagnostics(m),
        _ => Vec::new(),
    };
    let message = match e {
        Error::Manifest(m) => m
            .diagnostics()
            .iter()
            .map(|d| d.message.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        e => e.to_string(),
    };
    let mut doc = json!({
        "format_version": FORMAT_VERSION,
        "error": {
            "kind": e.kind(),
            "code": e.code(),
            "message": message,
            "exit_code": e.exit_code(),
            "diagnostics": diagnostics,
        },
    });
    // An apply that stopped half-way: what it did before is part of the answer.
    if let Error::ApplyStopped { report, .. } = e {
        doc["summary"] = apply_summary(report);
        doc["folders"] = Json::Array(apply_folders(report));
    }
    pretty(&doc)
}

/// A manifest's diagnostics as JSON objects, in a run-wide error and in `validate`.
fn manifest_diagnostics(m: &ManifestError) -> Vec<Json> {
    m.diagnostics()
        .iter()
        .map(|d| {
            json!({
                "code": d.code,
                "severity": d.severity,
                "file": m.file(),
                "line": d.pos.map(|p| p.line),
                "column": d.pos.map(|p| p.column),
                "message": d.message,
                "label": d.label,
                "help": d.help,
            })
        })
        .collect()
}

/// `validate --format json`: whether the manifests are valid, and every diagnostic
/// (errors and warnings, each naming its file) as in a run-wide error's `diagnostics`.
pub fn validate_json(files: &[&str], problems: &[&ManifestError]) -> String {
    let list: Vec<Json> = problems
        .iter()
        .flat_map(|m| manifest_diagnostics(m))
        .collect();
    let errors = problems
        .iter()
        .flat_map(|m| m.diagnostics())
        .filter(|d| d.severity == crate::diagnostic::Severity::Error)
        .count();
    pretty(&json!({
        "format_version": FORMAT_VERSION,
        "files": files,
        "valid": errors == 0,
        "errors": errors,
        "warnings": list.len() - errors,
        "diagnostics": list,
    }))
}
