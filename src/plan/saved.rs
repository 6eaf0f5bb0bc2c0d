//! Saved plans (design.md 2): `plan --out FILE` writes the plan as versioned JSON,
//! `apply --plan FILE` applies exactly it. The file says which portal and which
//! manifest (by SHA-256 of its bytes) the plan was made from and when: apply
//! refuses the whole plan when any of them no longer holds, then re-checks every
//! folder right before writing it. The file holds no secret and nothing derived
//! from one: passwords are references (`env:NAME`), resolved at apply time.
//! Over 500 lines with its tests and its error type: each check beside the refusal it makes.

use jiff::{SignedDuration, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Plan;
use crate::diagnostic::Code;
use crate::manifest::Manifest;
use crate::model::Target;

/// The version this build writes and reads. Bumped whenever a field changes
/// meaning: an older or newer plan is refused rather than half understood.
pub const FORMAT_VERSION: u32 = 1;

/// A plan as saved by `plan --out`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "docspace-links saved plan")]
pub struct SavedPlan {
    /// Always 1 for this layout; `apply --plan` refuses any other.
    #[schemars(schema_with = "format_version_schema")]
    pub format_version: u32,
    /// The docspace-links version that made the plan, for people reading the file.
    pub created_by: String,
    /// When the plan was made (UTC); `apply --max-age` counts from here.
    pub created_at: Timestamp,
    /// The portal's base URL, normalised (lower-case host, no trailing slash).
    pub portal: String,
    /// The manifest the plan was made from.
    pub manifest: ManifestDigest,
    /// What apply will do, folder by folder.
    pub plan: Plan,
}

fn format_version_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "Saved plan format version. Always 1.",
        "type": "integer",
        "const": FORMAT_VERSION
    })
}

/// Which manifest a plan was made from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestDigest {
    /// As given to `plan -f` (relative to the directory plan ran in).
    pub path: String,
    /// The same file relative to the plan file's folder, so that `apply --plan`
    /// finds it from any directory (a CI job that moved the artifact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_plan: Option<String>,
    /// SHA-256 of the manifest's bytes, lower-case hex. The manifest holds no
    /// secret (passwords are references), so neither does its digest.
    pub sha256: String,
}

/// How far ahead of this machine's clock a plan's `created_at` may be: the
/// machine that planned may run a little fast.
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(5);

/// What a saved plan must agree with to be applied.
pub struct Expected<'a> {
    pub portal: &'a str,
    pub manifest_text: &'a str,
    pub now: Timestamp,
    pub max_age: SignedDuration,
    /// `--max-age` as the user wrote it, for the message.
    pub max_age_text: &'a str,
}

impl SavedPlan {
    pub fn new(plan: Plan, portal: &str, manifest_path: &str, manifest_text: &str) -> Self {
        let now = Timestamp::now();
        SavedPlan {
            format_version: FORMAT_VERSION,
            created_by: concat!("docspace-links ", env!("CARGO_PKG_VERSION")).to_owned(),
            created_at: now.round(jiff::Unit::Second).unwrap_or(now),
            portal: normalise_portal(portal),
            manifest: ManifestDigest {
                path: manifest_path.to_owned(),
                from_plan: None,
                sha256: sha256_hex(manifest_text.as_bytes()),
            },
            plan,
        }
    }

    /// The file's text, with no raw `##[`, control or bidi character in it (a
    /// workflow may print the artifact, `action.yml` hands it on as `plan-file`);
    /// it reads back exactly the same.
    pub fn to_json(&self) -> String {
        let mut text = crate::neutral::json_without_commands(
            serde_json::to_string_pretty(self).expect("a plan serialises"),
        );
        text.push('\n');
        text
    }

    /// Reads a saved plan. The version is looked at first: a plan from another
    /// version is named as such, not reported as a malformed file.
    pub fn from_json(path: &str, text: &str) -> Result<SavedPlan, Error> {
        let unreadable = |source| Error::Unreadable {
            path: path.to_owned(),
            source: Unreadable::Json(source),
        };
        let value: serde_json::Value = serde_json::from_str(text).map_err(unreadable)?;
        match value.get("format_version") {
            Some(v) if v.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
            found => {
                return Err(Error::Format {
                    path: path.to_owned(),
                    found: found.cloned(),
                });
            }
        }
        let malformed = |reason: String| Error::Malformed {
            path: path.to_owned(),
            reason,
        };
        // JSON readers keep the last of two equal keys: a second `"portal"` would
        // pass a reviewer who reads the first. Refused, like every unknown key:
        // either is an edit, since the tool writes neither.
        super::strict_json::no_duplicate_keys(text).map_err(malformed)?;
        serde_json::from_value(value).map_err(|e| malformed(e.to_string()))
    }

    /// Refuses the whole plan when the portal, the manifest or the age differ from
    /// what it was made for.
    pub fn verify(&self, path: &str, expected: &Expected) -> Result<(), Error> {
        let given = normalise_portal(expected.portal);
        if given != self.portal {
            return Err(Error::Portal {
                path: path.to_owned(),
                planned: self.portal.clone(),
                given,
            });
        }
        let age = expected.now.duration_since(self.created_at);
        if age < -CLOCK_SKEW {
            // `--max-age` counts from `created_at`: a date ahead of now is either an
            // edit or a clock far off, and would stretch the age limit.
            return Err(Error::FromTheFuture {
                path: path.to_owned(),
                created_at: crate::model::utc(self.created_at),
            });
        }
        if age > expected.max_age {
            return Err(Error::TooOld {
                path: path.to_owned(),
                created_at: self.created_at,
                age,
                max_age: expected.max_age_text.to_owned(),
            });
        }
        let actual = sha256_hex(expected.manifest_text.as_bytes());
        if actual != self.manifest.sha256 {
            return Err(Error::ManifestChanged {
                path: path.to_owned(),
                manifest: self.manifest.path.clone(),
                planned: self.manifest.sha256.clone(),
                actual,
            });
        }
        Ok(())
    }
}

impl SavedPlan {
    /// Each item must be the plan of the manifest entry at its line: wanting what
    /// the entry wants, for the folder it names. The digest already says the
    /// manifest is the one planned from; this says the file was not edited since
    /// (apply writes what the items say, so an edited item would be applied).
    pub fn matches(&self, path: &str, manifest: &Manifest) -> Result<(), Error> {
        let mismatch = |line: Option<u32>| Error::NotFromManifest {
            path: path.to_owned(),
            manifest: manifest.source.name.clone(),
            line,
        };
        let links: usize = manifest
            .entries
            .iter()
            .map(|e| 1 + e.extra_links.len())
            .sum();
        if self.plan.items.len() != links {
            return Err(mismatch(None));
        }
        let same_target = |entry: &crate::manifest::Entry, item: &super::Item| match &entry.target {
            Target::Path(p) => item.path == p.to_string(),
            Target::Id(id) => item.folder_id.is_none_or(|f| f == *id),
        };
        for item in &self.plan.items {
            // The entry's primary link at its line, or one of its `extra_links`
            // keys at the key's line.
            let found = manifest.entries.iter().find_map(|e| match &item.extra {
                None => {
                    (e.target_pos.line == item.line && same_target(e, item)).then_some((e, &e.link))
                }
                Some(title) => e
                    .extra_links
                    .iter()
                    .find(|x| x.pos.line == item.line && x.title == *title)
                    .filter(|_| same_target(e, item))
                    .map(|x| (e, &x.link)),
            });
            let (_, desired) = found.ok_or_else(|| mismatch(Some(item.line)))?;
            if *desired != item.desired {
                return Err(mismatch(Some(item.line)));
            }
        }
        // One item per entry: an item copied over another would apply one entry's
        // change twice and drop the other's without a word.
        for entry in &manifest.entries {
            let count = |line: u32, extra: Option<&String>| {
                self.plan
                    .items
                    .iter()
                    .filter(|i| i.line == line && i.extra.as_ref() == extra)
                    .filter(|i| same_target(entry, i))
                    .count()
            };
            if count(entry.target_pos.line, None) != 1 {
                return Err(mismatch(Some(entry.target_pos.line)));
            }
            for key in &entry.extra_links {
                if count(key.pos.line, Some(&key.title)) != 1 {
                    return Err(mismatch(Some(key.pos.line)));
                }
            }
        }
        // Unlisted folders: under the scope at their line, and revoked only where
        // that scope says `unlisted: revoke`.
        for u in &self.plan.unlisted {
            if let Some(named) = &u.named {
                // A listed folder's unnamed additional links: the entry at the
                // line says `extra_unlisted`, and names exactly these keys.
                let entry = manifest
                    .entries
                    .iter()
                    .find(|e| e.target_pos.line == u.line)
                    .ok_or_else(|| mismatch(Some(u.line)))?;
                let keys: Vec<&String> = entry.extra_links.iter().map(|x| &x.title).collect();
                let revoke_allowed = !matches!(u.action, super::UnlistedAction::Revoke { .. })
                    || entry.extra_unlisted == crate::model::Unlisted::Revoke;
                if u.scope != super::EXTRA_UNLISTED
                    || keys != named.iter().collect::<Vec<_>>()
                    || !revoke_allowed
                {
                    return Err(mismatch(Some(u.line)));
                }
                continue;
            }
            let scope = manifest
                .scopes
                .iter()
                .find(|s| s.pos.line == u.line)
                .ok_or_else(|| mismatch(Some(u.line)))?;
            let root = scope.display();
            let under = u.path == root
                || u.path.starts_with(&format!("{root}/"))
                || (matches!(scope.target, Target::Id(_))
                    && u.path.starts_with(&format!("{root} (")));
            let revoke_allowed = !matches!(u.action, super::UnlistedAction::Revoke { .. })
                || scope.unlisted == crate::model::Unlisted::Revoke;
            if u.scope != root || !under || !revoke_allowed {
                return Err(mismatch(Some(u.line)));
            }
        }
        // One record per unlisted folder and scope.
        for (i, u) in self.plan.unlisted.iter().enumerate() {
            if self.plan.unlisted[..i]
                .iter()
                .any(|o| o.line == u.line && (o.folder_id == u.folder_id && o.path == u.path))
            {
                return Err(mismatch(Some(u.line)));
            }
        }
        Ok(())
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The same portal spelt differently (`HTTPS://Portal.example.com/`) is the same
/// portal; anything that is not a URL is compared as written.
pub fn normalise_portal(portal: &str) -> String {
    let trimmed = portal.trim();
    match reqwest::Url::parse(trimmed) {
        Ok(url) => url.as_str().trim_end_matches('/').to_owned(),
        Err(_) => trimmed.trim_end_matches('/').to_owned(),
    }
}

/// An age as people read it: `26h 5m`, `3d 2h`.
fn whole_minutes(age: SignedDuration) -> String {
    let minutes = age.as_secs().max(0) / 60;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (d, h) {
        (0, 0) => format!("{m}m"),
        (0, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// Why a saved plan cannot be applied. Its own type, so that the plan layer does
/// not reach up to the run's error; the run wraps it (`error::Error::SavedPlan`).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot use the saved plan {path}: {source}")]
    Unreadable { path: String, source: Unreadable },
    #[error(
        "cannot find the manifest the saved plan {path} was made from (tried {tried}); nothing was \
         changed. Give it with -f FILE"
    )]
    ManifestMissing { path: String, tried: String },
    #[error(
        "the saved plan {path} is not as docspace-links writes it ({reason}); nothing was changed. \
         Make the plan again instead of editing it"
    )]
    Malformed { path: String, reason: String },
    #[error(
        "the saved plan {path} has format version {}; this docspace-links reads version {}. \
         Nothing was changed: make the plan again with this version",
        found.as_ref().map_or_else(|| "none".to_owned(), |v| v.to_string()),
        FORMAT_VERSION
    )]
    Format {
        path: String,
        /// The file's `format_version`, whatever it holds; `None` when it has none.
        found: Option<serde_json::Value>,
    },
    #[error(
        "the saved plan {path} was made for the portal {planned}, not {given}; nothing was changed"
    )]
    Portal {
        path: String,
        planned: String,
        given: String,
    },
    #[error(
        "the manifest {manifest} changed since the plan {path} was made (SHA-256 {planned} then, \
         {actual} now); nothing was changed. Make and review a new plan"
    )]
    ManifestChanged {
        path: String,
        manifest: String,
        planned: String,
        actual: String,
    },
    #[error(
        "the saved plan {path} does not match the manifest {manifest} at {} (it wants something \
         else there, or names another folder); nothing was changed. Make the plan again instead of editing it",
        line.map_or_else(|| "any line".to_owned(), |l| format!("line {l}"))
    )]
    NotFromManifest {
        path: String,
        manifest: String,
        /// The item's manifest line; `None` when the plan and the manifest differ
        /// in their number of entries.
        line: Option<u32>,
    },
    #[error(
        "the saved plan {path} says it was made at {created_at}, later than now; nothing was changed. \
         Make the plan again instead of editing it (or check this machine's clock)"
    )]
    FromTheFuture { path: String, created_at: String },
    #[error(
        "the saved plan {path} does not match what the manifest and the portal give now: {item}, \
         field `{field}` ({why}); nothing was changed. Make the plan again instead of editing it"
    )]
    Edited {
        path: String,
        item: String,
        field: String,
        why: &'static str,
    },
    #[error(
        "the saved plan {path} is stale: {what}; nothing was changed. Make and review a new plan"
    )]
    PortalChanged { path: String, what: String },
    #[error(
        "the saved plan {path} was made at {}, {} ago, longer than --max-age {max_age}; \
         nothing was changed. Make and review a new plan (or raise --max-age)",
        crate::model::utc(*created_at),
        whole_minutes(*age)
    )]
    TooOld {
        path: String,
        created_at: Timestamp,
        age: SignedDuration,
        /// As the user wrote it.
        max_age: String,
    },
}

/// Why a saved plan's file cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum Unreadable {
    /// Not a regular file, larger than `input::SAVED_PLAN`, or not readable.
    #[error("{0}")]
    Read(#[from] crate::input::InputError),
    #[error("{}", json_problem(.0))]
    Json(#[from] serde_json::Error),
}

/// Text that is not JSON is said to be so; JSON of the wrong shape is named as serde
/// names it (the missing or unexpected field).
fn json_problem(e: &serde_json::Error) -> String {
    if e.is_syntax() || e.is_eof() {
        format!("not JSON: {e}")
    } else {
        e.to_string()
    }
}

impl Error {
    /// The plan was read and does not hold (apply refuses it: exit 4); an unreadable
    /// file is an error like any other (exit 1).
    pub fn refuses(&self) -> bool {
        !matches!(
            self,
            Error::Unreadable { .. } | Error::ManifestMissing { .. }
        )
    }

    pub fn code(&self) -> Code {
        match self {
            Error::Unreadable { .. } => Code::PlanUnreadable,
            Error::Format { .. } => Code::PlanFormat,
            Error::Portal { .. } => Code::PlanPortal,
            Error::ManifestChanged { .. } => Code::PlanManifestChanged,
            Error::NotFromManifest { .. } => Code::PlanNotFromManifest,
            Error::TooOld { .. } => Code::PlanTooOld,
            Error::FromTheFuture { .. } => Code::PlanFromTheFuture,
            Error::Malformed { .. } => Code::PlanEdited,
            Error::ManifestMissing { .. } => Code::PlanManifestMissing,
            Error::Edited { .. } => Code::PlanEdited,
            Error::PortalChanged { .. } => Code::PlanStale,
        }
    }

    /// A stable name for scripts (`"kind"` in JSON errors, docs/json.md).
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Unreadable { .. } => "plan_unreadable",
            Error::Format { .. } => "plan_format",
            Error::Portal { .. } => "plan_portal",
            Error::ManifestChanged { .. } => "plan_manifest_changed",
            Error::NotFromManifest { .. } => "plan_not_from_manifest",
            Error::TooOld { .. } => "plan_too_old",
            Error::FromTheFuture { .. } => "plan_from_the_future",
            Error::Malformed { .. } => "plan_edited",
            Error::ManifestMissing { .. } => "plan_manifest_missing",
            Error::Edited { .. } => "plan_edited",
            Error::PortalChanged { .. } => "plan_stale",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "version: 1\nfolders: []\n";

    fn saved() -> SavedPlan {
        let mut s = SavedPlan::new(
            Plan::default(),
            "https://Portal.Example.com/",
            "links.yaml",
            MANIFEST,
        );
        s.created_at = "2026-12-01T00:00:00Z".parse().unwrap();
        s
    }

    fn expected(portal: &'static str, text: &'static str, now: &str) -> Expected<'static> {
        Expected {
            portal,
            manifest_text: text,
            now: now.parse().unwrap(),
            max_age: SignedDuration::from_hours(24),
            max_age_text: "24h",
        }
    }

    #[test]
    fn round_trips_and_records_what_it_was_made_from() {
        let s = saved();
        assert_eq!(s.portal, "https://portal.example.com");
        assert_eq!(
            s.manifest.sha256,
            // sha256sum of the manifest's bytes
            "9a084ea94b0ba467258f002b25cc49bc6b2ac709df91ae5fce913f887cb53f65"
        );
        let back = SavedPlan::from_json("p.json", &s.to_json()).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn accepts_the_plan_it_was_made_for() {
        let e = expected(
            "https://portal.example.com",
            MANIFEST,
            "2026-12-01T23:59:00Z",
        );
        saved().verify("p.json", &e).unwrap();
    }

    #[test]
    fn refuses_another_portal() {
        let e = expected(
            "https://other.example.com",
            MANIFEST,
            "2026-12-01T01:00:00Z",
        );
        let err = saved().verify("p.json", &e).unwrap_err();
        assert!(
            matches!(err, Error::Portal { ref given, .. } if given == "https://other.example.com")
        );
        assert!(err.refuses());
    }

    #[test]
    fn refuses_a_changed_manifest() {
        let e = expected(
            "https://portal.example.com",
            "version: 1\nfolders: [] # edited\n",
            "2026-12-01T01:00:00Z",
        );
        let err = saved().verify("p.json", &e).unwrap_err();
        assert!(matches!(err, Error::ManifestChanged { .. }), "{err}");
        assert!(err.refuses());
    }

    #[test]
    fn refuses_an_old_plan_and_says_how_old() {
        let e = expected(
            "https://portal.example.com",
            MANIFEST,
            "2026-12-02T02:05:00Z",
        );
        let err = saved().verify("p.json", &e).unwrap_err();
        assert!(
            matches!(err, Error::TooOld { age, .. } if whole_minutes(age) == "1d 2h"),
            "{err}"
        );
        assert!(err.to_string().contains(", 1d 2h ago,"), "{err}");
        assert!(err.refuses());
    }

    #[test]
    fn another_format_version_is_named_not_misread() {
        let err =
            SavedPlan::from_json("p.json", r#"{"format_version": 2, "plan": 3}"#).unwrap_err();
        assert!(
            matches!(err, Error::Format { found: Some(ref v), .. } if *v == serde_json::json!(2))
        );
        assert!(err.refuses());
        let err = SavedPlan::from_json("p.json", "{}").unwrap_err();
        assert!(matches!(err, Error::Format { found: None, .. }));
        assert!(err.to_string().contains("format version none;"), "{err}");
        let err = SavedPlan::from_json("p.json", "plan:").unwrap_err();
        assert!(matches!(err, Error::Unreadable { .. }));
        assert!(!err.refuses());
    }

    fn manifest(text: &str) -> Manifest {
        let env = crate::manifest::Environment {
            var: &|_| None,
            base_dir: std::path::Path::new("."),
            now: "2026-12-01T00:00:00Z".parse().unwrap(),
        };
        crate::manifest::parse(
            crate::manifest::Source {
                name: "links.yaml".into(),
                text: text.into(),
            },
            &env,
        )
        .unwrap()
    }

    fn planned(manifest: &Manifest, folder_id: u64) -> SavedPlan {
        let items = manifest
            .entries
            .iter()
            .map(|e| super::super::Item {
                path: match &e.target {
                    Target::Path(p) => p.to_string(),
                    Target::Id(id) => format!("id {id} (Kit)"),
                },
                folder_id: Some(folder_id),
                manifest: "links.yaml".into(),
                line: e.target_pos.line,
                extra: None,
                desired: e.link.clone(),
                action: super::super::Action::Unchanged,
                notes: Vec::new(),
                violations: Vec::new(),
                label: None,
                seen: Vec::new(),
                creator: None,
                placement: None,
            })
            .collect();
        SavedPlan::new(
            Plan::new(items, true),
            "https://p.example",
            "links.yaml",
            &manifest.source.text,
        )
    }

    #[test]
    fn an_edited_item_does_not_match_its_manifest() {
        let m = manifest("version: 1\nfolders:\n  - path: A/B\n    link: { access: read }\n");
        planned(&m, 7).matches("p.json", &m).unwrap();

        let mut wider = planned(&m, 7);
        wider.plan.items[0].desired = crate::model::DesiredLink::Absent;
        let err = wider.matches("p.json", &m).unwrap_err();
        assert!(
            matches!(err, Error::NotFromManifest { line: Some(3), .. }),
            "{err}"
        );
        assert!(err.refuses());

        let mut moved = planned(&m, 7);
        moved.plan.items[0].path = "A/C".into();
        assert!(moved.matches("p.json", &m).is_err());
        let mut more = planned(&m, 7);
        more.plan.items.push(more.plan.items[0].clone());
        assert!(more.matches("p.json", &m).is_err());

        let by_id = manifest("version: 1\nfolders:\n  - id: 7\n    link: absent\n");
        planned(&by_id, 7).matches("p.json", &by_id).unwrap();
        assert!(planned(&by_id, 8).matches("p.json", &by_id).is_err());
    }

    #[test]
    fn an_unlisted_revoke_needs_its_scope_to_say_revoke() {
        use crate::plan::{UnlistedAction, UnlistedFolder};
        let m = manifest("version: 1\nscopes:\n  - path: A\nfolders: []\n");
        let with = |path: &str, line, action| {
            let mut p = planned(&m, 7);
            p.plan.unlisted = vec![UnlistedFolder {
                named: None,
                path: path.into(),
                folder_id: Some(9),
                manifest: "links.yaml".into(),
                line,
                scope: "A".into(),
                action,
                creator: None,
            }];
            p
        };
        let report = || UnlistedAction::Report { links: Vec::new() };
        with("A/B", 3, report()).matches("p.json", &m).unwrap();
        let revoke = UnlistedAction::Revoke { links: Vec::new() };
        assert!(
            with("A/B", 3, revoke).matches("p.json", &m).is_err(),
            "report turned into revoke"
        );
        assert!(
            with("Other/B", 3, report()).matches("p.json", &m).is_err(),
            "outside the scope"
        );
        assert!(
            with("A/B", 4, report()).matches("p.json", &m).is_err(),
            "no scope at that line"
        );
    }

    #[test]
    fn ages_read_like_durations() {
        assert_eq!(whole_minutes(SignedDuration::from_secs(59)), "0m");
        assert_eq!(whole_minutes(SignedDuration::from_mins(61)), "1h 1m");
        assert_eq!(whole_minutes(SignedDuration::from_hours(75)), "3d 3h");
    }
}
