//! Scopes in the plan (design.md 1.1): the external links, primary or additional,
//! of every folder under a scope that no entry lists. Pure: the walks are read by
//! `observe`; here they become plan values.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::policy::{self, Violation};
use crate::diagnostic::Code;
use crate::docspace::ApiError;
use crate::docspace::observe::{Observed, ObservedScope};
use crate::docspace::resolve::ResolveError;
use crate::docspace::walk::WalkedFolder;
use crate::manifest::{Diagnostic, Manifest};
use crate::model::{
    LinkIdentity, ObservedAccess, ObservedLink, ObservedPassword, Placement, Policy, Unlisted,
};

/// A folder under a scope that no entry lists, and what becomes of its links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlistedFolder {
    /// `Marketing/Old`, or `id 100 (Marketing)/Old` under a scope named by id.
    pub path: String,
    /// `None` only for My Documents itself, when its folders could not be listed.
    pub folder_id: Option<u64>,
    #[schemars(with = "String")]
    pub manifest: Arc<str>,
    /// The line of the scope that covers the folder.
    pub line: u32,
    /// The scope, as the manifest names it.
    pub scope: String,
    pub action: UnlistedAction,
    /// For a revoke: the id of the folder's creator, when the portal named one
    /// (only they may revoke, `plan::creator`; see `Item::creator`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creator: Option<String>,
    /// A folder an entry lists, and its additional links that no `extra_links`
    /// key names (`extra_unlisted`, design.md 1.2): these titles are the keys, and
    /// only the folder's other additional links are its unlisted ones. `line` is
    /// then the entry's and `scope` is `extra_unlisted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named: Option<Vec<String>>,
}

/// The `scope` of a listed folder's unnamed additional links.
pub const EXTRA_UNLISTED: &str = "extra_unlisted";

impl UnlistedFolder {
    /// Whether `link` is one of this folder's unlisted links: any link of a folder
    /// no entry lists; only an unnamed additional one of a listed folder.
    pub fn covers(&self, link: &ObservedLink, primary: bool) -> bool {
        match &self.named {
            None => true,
            Some(named) => !primary && !named.contains(&link.title),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "action", deny_unknown_fields)]
pub enum UnlistedAction {
    /// `unlisted: report`: shown and counted, nothing written.
    Report { links: Vec<UnlistedLink> },
    /// `unlisted: revoke`: apply revokes every one of them.
    Revoke { links: Vec<UnlistedLink> },
    /// `unlisted: revoke` of links the portal would refuse to revoke (only the
    /// folder's creator may, `plan::creator`): shown, nothing written.
    Refused {
        code: Code,
        reason: String,
        links: Vec<UnlistedLink>,
    },
    /// The folder's links, or the folders below it, could not be read.
    Unknown {
        /// What the portal answered.
        #[serde(default = "super::unnamed")]
        code: Code,
        error: String,
    },
}

impl UnlistedAction {
    pub fn links(&self) -> &[UnlistedLink] {
        match self {
            UnlistedAction::Report { links }
            | UnlistedAction::Revoke { links }
            | UnlistedAction::Refused { links, .. } => links,
            UnlistedAction::Unknown { .. } => &[],
        }
    }
}

/// One link on an unlisted folder, as the plan shows it (no secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnlistedLink {
    pub target: LinkIdentity,
    pub primary: bool,
    pub title: String,
    pub access: ObservedAccess,
    pub password_set: bool,
    pub expires: Option<Timestamp>,
    pub expired: bool,
    pub deny_download: bool,
    pub internal: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<Violation>,
    /// Under `unlisted: revoke`, a primary link the portal would only replace
    /// with a fresh default one if revoked (a public or form-filling room, or a
    /// folder in one, docspace-api.md 2.5): shown, never revoked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub kept: bool,
}

/// The policy's view of an observed link.
pub fn facts(link: &ObservedLink, echoes_passwords: bool) -> policy::Facts {
    policy::Facts {
        access: link.access,
        password: match link.password {
            ObservedPassword::Known(_) => Some(true),
            ObservedPassword::Unknown if echoes_passwords => Some(false),
            ObservedPassword::Unknown => None,
        },
        expires: link.expires,
        expired: link.expired,
        deny_download: link.deny_download,
        internal: link.internal,
    }
}

/// Every unlisted folder with links under the manifest's scopes. `listed` holds the
/// ids of the folders entries name. A scope whose root is not there is a
/// diagnostic at its line, as an entry's would be. `cleared` gets the unlisted
/// folders of `unlisted: revoke` scopes that have no link (id, scope line).
pub fn unlisted(
    manifest: &Manifest,
    observed: &Observed,
    listed: &HashSet<u64>,
    echoes_passwords: bool,
    now: Timestamp,
    cleared: &mut Vec<(u64, u32)>,
) -> Result<Vec<UnlistedFolder>, Vec<Diagnostic>> {
    let me = &observed.me;
    let file: Arc<str> = manifest.source.name.as_str().into();
    // Nested scopes: the nearest one (fewest steps from its root) decides a folder.
    let mut nearest: HashMap<u64, (usize, usize)> = HashMap::new();
    let walks: Vec<Option<&ObservedScope>> = manifest
        .scopes
        .iter()
        .map(|s| observed.scopes.get(&s.target))
        .collect();
    for (i, scope) in walks.iter().enumerate() {
        let walked = scope.and_then(|s| s.walk.as_ref().ok());
        for f in walked.iter().flat_map(|w| &w.folders) {
            let e = nearest.entry(f.id).or_insert((f.depth, i));
            if f.depth < e.0 {
                *e = (f.depth, i);
            }
        }
    }
    let mut diagnostics = Vec::new();
    let mut out = Vec::new();
    for (i, (scope, obs)) in manifest.scopes.iter().zip(walks).enumerate() {
        let item = |path: String, folder_id, action| UnlistedFolder {
            path,
            folder_id,
            manifest: file.clone(),
            line: scope.pos.line,
            scope: scope.display(),
            action,
            creator: None,
            named: None,
        };
        let Some(obs) = obs else {
            out.push(item(
                scope.display(),
                None,
                UnlistedAction::Unknown {
                    code: Code::NotRead,
                    error: "the portal was not read for this scope".to_owned(),
                },
            ));
            continue;
        };
        let walk = match &obs.walk {
            Ok(w) => w,
            Err(ResolveError::Api(e)) => {
                out.push(item(
                    scope.display(),
                    None,
                    UnlistedAction::Unknown {
                        code: e.code(),
                        error: e.to_string(),
                    },
                ));
                continue;
            }
            Err(e) => {
                diagnostics.push(
                    Diagnostic::at(scope.pos, e.to_string())
                        .code(e.code())
                        .label("this scope's root"),
                );
                continue;
            }
        };
        for failure in &walk.failures {
            out.push(item(
                failure.display.clone(),
                failure.id,
                UnlistedAction::Unknown {
                    code: failure.error.code(),
                    error: format!("the folders in it could not be listed: {}", failure.error),
                },
            ));
        }
        for folder in &walk.folders {
            if listed.contains(&folder.id) || nearest.get(&folder.id).map(|n| n.1) != Some(i) {
                continue;
            }
            let hidden = folder.links.as_ref().is_ok_and(|l| l.hidden(folder.shared));
            let action = match links(folder, manifest, echoes_passwords, now) {
                _ if hidden => UnlistedAction::Unknown {
                    code: Code::LinksHidden,
                    error: super::LINKS_HIDDEN.to_owned(),
                },
                Err(e) => UnlistedAction::Unknown {
                    code: e.code(),
                    error: e.to_string(),
                },
                Ok(links) if links.is_empty() => {
                    if scope.unlisted == Unlisted::Revoke {
                        cleared.push((folder.id, scope.pos.line));
                    }
                    continue;
                }
                Ok(links) => match scope.unlisted {
                    Unlisted::Report => UnlistedAction::Report { links },
                    Unlisted::Revoke => {
                        let links = keep_permanent(links, folder.placement);
                        if links.iter().all(|l| l.kept) {
                            // Nothing a revoke could change: not a pending change,
                            // unless the policy has something to say of it, or the
                            // link is wider than the one the portal puts there
                            // (someone widened it by hand): shown, never hidden.
                            let default = default_access(folder.placement);
                            if links.iter().all(|l| {
                                l.violations.is_empty()
                                    && l.access == ObservedAccess::Known(default)
                            }) {
                                cleared.push((folder.id, scope.pos.line));
                                continue;
                            }
                            UnlistedAction::Report { links }
                        } else {
                            UnlistedAction::Revoke { links }
                        }
                    }
                },
            };
            let mut action = action;
            let creator = match action {
                UnlistedAction::Revoke { .. } if super::creator::applies(folder.placement) => {
                    folder.created_by.as_ref().map(|u| u.id.clone())
                }
                _ => None,
            };
            if let UnlistedAction::Revoke { links } = &action
                && let Some((code, reason)) =
                    super::creator::refusal(folder.placement, folder.created_by.as_ref(), me)
            {
                action = UnlistedAction::Refused {
                    code,
                    reason,
                    links: links.clone(),
                };
            }
            out.push(UnlistedFolder {
                creator,
                ..item(folder.display.clone(), Some(folder.id), action)
            });
        }
    }
    if diagnostics.is_empty() {
        out.sort_by(|a, b| a.path.cmp(&b.path).then(a.folder_id.cmp(&b.folder_id)));
        Ok(out)
    } else {
        Err(diagnostics)
    }
}

/// The access of the primary link the portal makes in place of a revoked one
/// where the link is permanent: `fill-forms` in a form-filling room, else read.
fn default_access(placement: Placement) -> crate::model::Access {
    let allowed = placement.allowed_access();
    if allowed.contains(&super::placement::SERVER_DEFAULT_ACCESS) || allowed.is_empty() {
        super::placement::SERVER_DEFAULT_ACCESS
    } else {
        allowed[0]
    }
}

/// Marks the primary links a revoke would only replace (`UnlistedLink::kept`).
fn keep_permanent(mut links: Vec<UnlistedLink>, placement: Placement) -> Vec<UnlistedLink> {
    if super::placement::primary_link_is_permanent(placement) {
        for l in links.iter_mut().filter(|l| l.primary) {
            l.kept = true;
        }
    }
    links
}

fn links<'a>(
    folder: &'a WalkedFolder,
    manifest: &Manifest,
    echoes_passwords: bool,
    now: Timestamp,
) -> Result<Vec<UnlistedLink>, &'a ApiError> {
    let links = folder.links.as_ref()?;
    let seen = |l: &ObservedLink, primary: bool| {
        unlisted_link(l, primary, &manifest.policy, echoes_passwords, now)
    };
    Ok(links
        .primary
        .iter()
        .map(|l| seen(l, true))
        .chain(links.additional.iter().map(|l| seen(l, false)))
        .collect())
}

/// One link of an unlisted folder, or an unnamed additional link of a listed one,
/// as the plan shows it, with the policy rules it breaks.
pub fn unlisted_link(
    l: &ObservedLink,
    primary: bool,
    policy: &Policy,
    echoes_passwords: bool,
    now: Timestamp,
) -> UnlistedLink {
    UnlistedLink {
        target: l.identity(),
        primary,
        title: l.title.clone(),
        access: l.access,
        password_set: l.password.is_set(),
        expires: l.expires,
        expired: l.expired,
        deny_download: l.deny_download,
        internal: l.internal,
        violations: policy::check(policy, &facts(l, echoes_passwords), now),
        kept: false,
    }
}
