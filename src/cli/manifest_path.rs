//! Where a saved plan's manifest is. `plan --out` records the path as given and
//! also relative to the plan file's folder: CI jobs download the plan artifact
//! somewhere else than where `plan` ran, and `apply --plan` must still find the
//! manifest, or say which paths it tried.

use std::path::{Component, Path, PathBuf};

use crate::plan::saved::{Error as SavedPlanError, ManifestDigest};

/// `to` relative to the folder `dir`, `/`-separated; `None` when either cannot be
/// made absolute, or they lie on different drives.
pub fn relative_to(dir: &Path, to: &Path) -> Option<String> {
    let dir = std::fs::canonicalize(dir).ok()?;
    let to = std::fs::canonicalize(to).ok()?;
    let (from, target): (Vec<Component>, Vec<Component>) =
        (dir.components().collect(), to.components().collect());
    if from.first() != target.first() {
        return None;
    }
    let common = from.iter().zip(&target).take_while(|(a, b)| a == b).count();
    let ups = std::iter::repeat_n("..".to_owned(), from.len() - common);
    let downs = target[common..]
        .iter()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    Some(ups.chain(downs).collect::<Vec<_>>().join("/"))
}

/// The manifest a saved plan names: beside the plan file first, then as `plan`
/// was given it (relative to the working directory).
pub fn locate(plan_file: &Path, digest: &ManifestDigest) -> Result<PathBuf, SavedPlanError> {
    let beside = digest
        .from_plan
        .as_ref()
        .map(|rel| plan_file.parent().unwrap_or(Path::new(".")).join(rel));
    let tried: Vec<PathBuf> = beside
        .into_iter()
        .chain(std::iter::once(PathBuf::from(&digest.path)))
        .collect();
    // A path that is there but not a file (a FIFO, a directory) is taken too, so
    // that reading it says what it is rather than "cannot find".
    tried
        .iter()
        .find(|p| p.is_file())
        .or_else(|| tried.iter().find(|p| p.exists()))
        .cloned()
        .ok_or_else(|| SavedPlanError::ManifestMissing {
            path: plan_file.display().to_string(),
            tried: tried
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_relative_to_another_folder() {
        let root = tempfile::tempdir().unwrap();
        let repo = root.path().join("repo/links");
        let plans = root.path().join("artifacts/plans");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::create_dir_all(&plans).unwrap();
        let manifest = repo.join("links.yaml");
        std::fs::write(&manifest, "version: 1\n").unwrap();
        assert_eq!(
            relative_to(&plans, &manifest).as_deref(),
            Some("../../repo/links/links.yaml")
        );
        assert_eq!(relative_to(&repo, &manifest).as_deref(), Some("links.yaml"));
        assert_eq!(relative_to(&plans, &repo.join("missing.yaml")), None);
    }
}
