//! What `export` keeps from the manifest it writes over: the editor's schema line,
//! the `policy:` and `safety:` sections as written, the password variable of each
//! folder, and the policy, to say which exported links break it.

use std::collections::HashMap;

use super::raw::{RawLink, RawManifest, RawPassword};
use super::validate::parse_path;
use super::{policy, yaml};
use crate::model::{Policy, Target};

/// Top-level sections kept word for word; the rest is what export writes.
const KEPT_SECTIONS: [&str; 2] = ["policy", "safety"];

#[derive(Debug, Default)]
pub struct Existing {
    /// `# yaml-language-server: $schema=...`, when the file starts with one.
    pub schema_line: Option<String>,
    /// The kept sections' text.
    pub kept: String,
    /// `password: { env: NAME }` of each entry.
    pub variables: Vec<(Target, String)>,
    pub policy: Policy,
}

/// Reads what is worth keeping. `Err` says why the file is not a manifest; then
/// nothing is kept.
pub fn read(text: &str, now: jiff::Timestamp) -> Result<Existing, String> {
    let raw: RawManifest = yaml::parse(text).map_err(|d| d.message)?;
    let mut variables = Vec::new();
    for entry in &raw.folders {
        let RawLink::Present(fields) = &entry.value.link.value else {
            continue;
        };
        let Some(RawPassword::Env(name)) = fields.password.as_ref().map(|p| &p.value) else {
            continue;
        };
        let target = match (&entry.value.path, &entry.value.id) {
            (Some(p), None) => parse_path(&p.value).ok().map(Target::Path),
            (None, Some(id)) => u64::try_from(id.value).ok().map(Target::Id),
            _ => None,
        };
        if let Some(t) = target {
            variables.push((t, name.clone()));
        }
    }
    let (policy, _) = policy::validate(&raw, now);
    Ok(Existing {
        schema_line: text
            .lines()
            .next()
            .filter(|l| l.starts_with("# yaml-language-server:"))
            .map(str::to_owned),
        kept: kept_sections(text),
        variables,
        policy,
    })
}

/// The text of the kept top-level sections: from the key's line to the next line
/// that starts another top-level key (comments right before it stay with it).
fn kept_sections(text: &str) -> String {
    let mut out = String::new();
    let mut keeping = false;
    let mut pending_comments = String::new();
    for line in text.lines() {
        let top_level = line
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace() && c != '#');
        if top_level {
            let key = line.split(':').next().unwrap_or_default().trim();
            keeping = KEPT_SECTIONS.contains(&key);
            if keeping {
                out.push_str(&pending_comments);
            }
            pending_comments.clear();
        } else if line.starts_with('#') {
            pending_comments.push_str(line);
            pending_comments.push('\n');
            continue;
        }
        if keeping {
            out.push_str(&pending_comments);
            pending_comments.clear();
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// Variables by folder, once the folders' ids and paths are known.
pub fn variables_by_id<'a>(
    existing: &'a Existing,
    folders: impl Iterator<Item = (u64, String)>,
) -> HashMap<u64, String> {
    let by_path: HashMap<String, &'a String> = existing
        .variables
        .iter()
        .filter_map(|(t, n)| match t {
            Target::Path(p) => Some((p.to_string(), n)),
            Target::Id(_) => None,
        })
        .collect();
    let by_id: HashMap<u64, &'a String> = existing
        .variables
        .iter()
        .filter_map(|(t, n)| match t {
            Target::Id(id) => Some((*id, n)),
            Target::Path(_) => None,
        })
        .collect();
    folders
        .filter_map(|(id, path)| {
            by_id
                .get(&id)
                .or_else(|| by_path.get(&path))
                .map(|n| (id, (*n).clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "# yaml-language-server: $schema=../schemas/manifest.schema.json
version: 1
# who may share what
policy:
  forbid_access: [editing]
  max_lifetime: 90d
scopes:
  - path: Marketing
folders:
  - path: Marketing/Press kit
    link: { access: read, password: { env: DOCSPACE_LINK_KIT } }
  - id: 7
    link: { password: { env: DOCSPACE_LINK_SEVEN } }
  - path: Marketing/Archive
    link: absent
";

    #[test]
    fn keeps_the_schema_line_policy_and_variables() {
        let now = jiff::Timestamp::now();
        let e = read(FILE, now).unwrap();
        assert_eq!(
            e.schema_line.as_deref(),
            Some("# yaml-language-server: $schema=../schemas/manifest.schema.json")
        );
        assert_eq!(
            e.kept,
            "# who may share what\npolicy:\n  forbid_access: [editing]\n  max_lifetime: 90d\n"
        );
        assert_eq!(e.policy.max_lifetime_days, Some(90));
        assert_eq!(e.policy.forbid_access, vec![crate::model::Access::Editing]);
        let ids = variables_by_id(
            &e,
            [
                (101, "Marketing/Press kit".to_owned()),
                (7, "Other".to_owned()),
            ]
            .into_iter(),
        );
        assert_eq!(ids[&101], "DOCSPACE_LINK_KIT");
        assert_eq!(ids[&7], "DOCSPACE_LINK_SEVEN");
    }

    #[test]
    fn a_file_that_is_not_a_manifest_keeps_nothing() {
        assert!(read("just: [text", jiff::Timestamp::now()).is_err());
    }
}
